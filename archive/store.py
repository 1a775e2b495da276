"""The document store: raw bytes kept content-addressed inside the archive database.

Every file the crawler fetches or a researcher imports is kept byte for byte in `blobs`
(primary key: its SHA-256), described once in `documents` (same id) and linked to every place
it came from in `document_urls` (URL or local path, when, HTTP status and headers). The same
bytes are stored once however often they are seen; a changed page at the same URL is new bytes,
so a new document row, and the URL's versions are its `document_urls` rows in time order (the
`url_versions` view). Nothing here parses: `archive.build` does that later, from these bytes,
without the network.

This module's `add_document` is the interface the crawler calls; keep its signature stable.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import sqlite_utils

from archive.schema import ensure_schema


def utc_now() -> str:
    """ISO 8601 UTC timestamp, second precision (what every `*_at` column holds)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def add_document(
    db: sqlite_utils.Database,
    data: bytes,
    *,
    url: str | None,
    final_url: str | None = None,
    media_type: str | None = None,
    status: int | None = None,
    headers: dict[str, str] | None = None,
    fetched_at: str | None = None,
    origin: str = "crawl",
    publisher_hint: str | None = None,
    path: str | None = None,
    filename: str | None = None,
) -> tuple[str, bool]:
    """Store raw bytes and where they came from; return (sha256 id, whether the bytes are new).

    Idempotent: the same bytes from the same URL (or path) add nothing the second time. The
    bytes, the document row and the provenance row are written in one transaction.
    `path`/`filename` are for local imports (`archive.importer`); the crawler leaves them out.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("add_document needs the raw bytes")
    data = bytes(data)
    doc_id = sha256(data)
    now = utc_now()
    if not db["document_urls"].exists():
        ensure_schema(db)
    with db.conn:
        is_new = (
            db.execute("select 1 from documents where id = ?", [doc_id]).fetchone() is None
        )
        if is_new:
            stored, compression = pack(data)
            db.conn.execute(
                "insert or ignore into blobs (sha256, data, size, compression)"
                " values (?, ?, ?, ?)",
                [doc_id, stored, len(data), compression],
            )
            db.conn.execute(
                "insert into documents (id, size, media_type, filename, origin, first_seen_at)"
                " values (?, ?, ?, ?, ?, ?)",
                [doc_id, len(data), media_type, filename, origin, fetched_at or now],
            )
        elif media_type:
            db.conn.execute(
                "update documents set media_type = ? where id = ? and media_type is null",
                [media_type, doc_id],
            )
        db.conn.execute(
            "insert or ignore into document_urls (document_id, url, final_url, path, origin,"
            " status, headers, fetched_at, recorded_at, publisher_hint)"
            " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                doc_id,
                url,
                final_url,
                path,
                origin,
                status,
                json.dumps(headers, ensure_ascii=False, sort_keys=True) if headers else None,
                fetched_at,
                now,
                publisher_hint,
            ],
        )
    return doc_id, is_new


def get_bytes(db: sqlite_utils.Database, document_id: str) -> bytes:
    """The stored raw bytes of a document (KeyError when it is not in the archive)."""
    row = db.execute("select data, compression from blobs where sha256 = ?",
                     [document_id]).fetchone()
    if row is None:
        raise KeyError(document_id)
    return unpack(row[0], row[1])


# Raw documents are kept compressed when that saves at least a tenth (HTML and text shrink to a
# fifth; PDF and DOCX are compressed inside already and are kept as they are). zlib: in the
# standard library, and any tool can undo it (`python -c "import zlib …"`); the sha256 is the
# hash of the raw bytes, so the store stays content-addressed (docs/decisions.md).
BLOB_COMPRESSION_LEVEL = 6


def pack(data: bytes) -> tuple[bytes, str | None]:
    """The bytes to store and how they are compressed (None: as they are)."""
    import zlib

    packed = zlib.compress(data, BLOB_COMPRESSION_LEVEL)
    if len(packed) <= 0.9 * len(data):
        return packed, "zlib"
    return data, None


def unpack(stored: bytes, compression: str | None) -> bytes:
    """The raw bytes of a stored blob."""
    if compression is None:
        return bytes(stored)
    if compression == "zlib":
        import zlib

        return zlib.decompress(stored)
    raise ValueError(f"unknown blob compression {compression!r}")
