"""Shared fixtures: where the read-only corpus lives, and a skip when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from xxgk import settings


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not settings.CORPUS_DIR.is_dir():
        pytest.skip(f"real corpus not found at {settings.CORPUS_DIR} (../shared/corpus)")
    return settings.CORPUS_DIR
