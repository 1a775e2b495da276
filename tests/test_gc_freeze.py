"""A long job's starting heap is frozen out of the garbage collector's walks while it runs
(xxgk/gc_freeze.py), and given back afterwards; a build writes with it frozen."""

from __future__ import annotations

import gc
import weakref

import pytest
import sqlite_utils

from archive import build as build_module
from archive.store import add_document
from xxgk.gc_freeze import frozen_heap


class _Node:
    pass


def test_the_heap_is_frozen_in_the_block_and_given_back_after() -> None:
    before = gc.get_freeze_count()
    kept = [_Node() for _ in range(100)]
    with frozen_heap():
        assert gc.get_freeze_count() >= before + 100  # the nodes and the list, at least
    assert gc.get_freeze_count() == 0
    assert kept


def test_the_heap_is_given_back_when_the_block_fails() -> None:
    with pytest.raises(RuntimeError), frozen_heap():
        raise RuntimeError("a failed job")
    assert gc.get_freeze_count() == 0


def test_garbage_at_the_start_is_collected_not_frozen() -> None:
    node = _Node()
    node.me = node  # a cycle: only the collector frees it
    gone = weakref.ref(node)
    del node
    with frozen_heap():
        assert gone() is None


def test_a_build_writes_with_its_heap_frozen(tmp_path, monkeypatch) -> None:
    db = sqlite_utils.Database(tmp_path / "a.db")
    add_document(db, "<html><body><p>通知公告：关于开展植树活动的通知</p></body></html>".encode(),
                 url="https://x.gov.cn/notice.html", media_type="text/html")
    seen = []
    write = build_module.write_batch

    def watched(*args, **kwargs):
        seen.append(gc.get_freeze_count())
        return write(*args, **kwargs)

    monkeypatch.setattr(build_module, "write_batch", watched)
    assert build_module.build(db, progress=False).parsed == 1
    assert seen and all(n > 1000 for n in seen)  # the imported modules, at least
    assert gc.get_freeze_count() == 0
    seen.clear()
    build_module.build(db, progress=False)  # nothing to parse: nothing frozen
    assert seen == [0]
