"""The crawler's log lines, one per event (`name key=value ...`), and the time stamps of its
tables.

Apart from the crawl because every part of a run writes them (its record, its work list, the
handling of each page), to the one `xxgk.crawl` logger that cron's log file reads.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

log = logging.getLogger("xxgk.crawl")


def utc_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def event(name: str, level: int = logging.INFO, **fields: Any) -> None:
    """One log line per event: `name key=value ...` (values with spaces are quoted)."""
    parts = [name]
    for k, v in fields.items():
        if v is None or v == "":
            continue
        s = str(v)
        parts.append(f"{k}={json.dumps(s, ensure_ascii=False) if ' ' in s else s}")
    log.log(level, " ".join(parts))
