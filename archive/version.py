"""The build version: when a stored document's parse is stale and must be parsed again.

A document is stale when its `parses.parser_version` differs from `build_version()`: the
package version plus a hash of every file of the parser (code and rule data) and of the
archive's own derivation rules (ARCHIVE_RULE_FILES). So a change of any rule reparses
everything, and a build with nothing new writes nothing at all. It is a module of its own
because the build, `xxgk build --per-year` and the cluster workers' fingerprint
(archive/distributed.py) all ask for it, and none of them needs the rest of the build for that.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import parser as parser_pkg

# The archive's files that decide what a parse writes: the build's own modules (one file,
# archive/build.py, before they were split: a change of any of them reparses, as a change of
# that file did), and how publishers are resolved. Not here: reference.py, whose tables are
# reloaded when their source files change, never by a reparse; nor schema.py, storage.py and
# search.py, which were not counted before the split either.
ARCHIVE_RULE_FILES = (
    "build.py", "version.py", "parsing.py", "parse_pool.py", "writer.py", "meta.py",
    "summaries.py", "publishers.py", "data/publisher_aliases.tsv",
)
VERSION_SUFFIXES = {".py", ".tsv", ".csv", ".toml", ".txt", ".json"}


def _hash_tree(root: Path, files: Iterable[Path], h: hashlib._Hash) -> None:
    for path in sorted(files):
        h.update(str(path.relative_to(root)).encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")


@cache
def build_version() -> str:
    """Package version + hash of the parser's code and data and the archive's rules."""
    h = hashlib.sha256()
    parser_root = Path(parser_pkg.__file__).resolve().parent
    _hash_tree(
        parser_root,
        (
            p
            for p in parser_root.rglob("*")
            if p.is_file() and p.suffix in VERSION_SUFFIXES and "__pycache__" not in p.parts
        ),
        h,
    )
    archive_root = Path(__file__).resolve().parent
    _hash_tree(archive_root, (archive_root / f for f in ARCHIVE_RULE_FILES), h)
    try:
        pkg = importlib.metadata.version("xxgk-archive")
    except importlib.metadata.PackageNotFoundError:  # running from a bare checkout
        pkg = "0"
    return f"{pkg}+{h.hexdigest()[:12]}"
