"""The synthetic report generator of the benchmarks (benchmarks/synth.py), for tests.

benchmarks/ is a folder of scripts, not a package: the generator is loaded from its file once,
under one module name (its dataclasses look their module up in sys.modules while it loads),
and shared by every test and benchmark that asks.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SYNTH = Path(__file__).resolve().parent.parent / "benchmarks" / "synth.py"
MODULE = "xxgk_synth"


def load_synth() -> ModuleType:
    """benchmarks/synth.py as a module (loaded on the first call)."""
    if MODULE in sys.modules:
        return sys.modules[MODULE]
    spec = importlib.util.spec_from_file_location(MODULE, SYNTH)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[MODULE] = mod
    try:
        spec.loader.exec_module(mod)
    except BaseException:
        del sys.modules[MODULE]
        raise
    return mod
