"""Bytes in, `Document` out: decide what a document is by its content and hand it to its reader.

Crawled files lie about their type (PDFs served as application/octet-stream, .htm files
holding plain text), so the kind is sniffed from the bytes: PDF magic, a zip holding
word/document.xml, an OLE2 container (.doc/.wps, refused), markup, else text. Size limits
are checked before anything is decoded, so a 50 MB page costs nothing.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from parser.encoding import decode
from parser.model import Document, DocumentError
from parser.text_clean import clean_chrome, iso_date, title_from_text
from parser.textmap import TextBuilder, cap_text, line_spans
from xxgk import settings

# Gives the bytes of a file a document names (its images), or None (parser/ocr_text.py).
Resources = Callable[[str], bytes | None]

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Magic numbers of files that are certainly not reports we can read, named in the error.
OTHER_MAGIC = [
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"Rar!", "RAR archive"),
    (b"7z\xbc\xaf", "7z archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"{\\rtf", "RTF document"),
    (b"\x7fELF", "executable"),
    (b"MZ", "executable"),
]
_MARKUP_HINT = re.compile(
    r"<(?:!doctype\s+html|html|head|body|meta|title|div|p|table|span|br|font|center)\b", re.I
)
# Header labels of the "crawled page.txt" form (see corpus SOURCES.tsv) → Document.meta key.
CRAWLED_HEADER = {
    "标题": "title",
    "发布时间": "published",
    "文号": "doc_number",
    "发布机构": "publisher",
    "栏目": "column",
    "原文链接": "url",
    "本地目录": "local_dir",
}
_HEADER_LINE = re.compile(
    r"^\s*(标题|发布时间|文号|发布机构|栏目|原文链接|本地目录)\s*[:：]\s*(.*?)\s*$"
)
_BODY_MARK = re.compile(r"^\s*={3,}\s*正文\s*={3,}\s*$", re.M)
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


IMAGE_MAGIC = [*OTHER_MAGIC[:3], (b"II*\x00", "TIFF image"), (b"MM\x00*", "TIFF image")]


def image_kind(head: bytes) -> str | None:
    """"PNG image" and the like for the first 16 bytes of an image, else None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP image"
    if head[:2] == b"BM" and head[6:10] == b"\x00\x00\x00\x00":  # BMP: reserved zeros
        return "BMP image"
    return next((what for magic, what in IMAGE_MAGIC if head.startswith(magic)), None)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def _is_binary_kind(head: bytes) -> bool:
    return head.startswith((b"%PDF", b"PK\x03\x04", OLE2_MAGIC)) or b"%PDF-" in head[:1024]


def check_size(size: int, head: bytes, name: str) -> None:
    """Refuse a document over the limit for its kind (HTML/text or binary)."""
    if _is_binary_kind(head):
        limit, what = settings.MAX_BINARY_BYTES, "PDF/DOCX"
    else:
        limit, what = settings.MAX_HTML_BYTES, "HTML/text"
    if size > limit:
        raise DocumentError(
            f"{name}: {_mb(size)} is over the {limit // 1024 // 1024} MB limit for {what}"
        )


def read_file(path: Path) -> bytes:
    """The bytes of a document file, or DocumentError naming the file and the reason."""
    path = Path(path)
    if not path.exists():
        raise DocumentError(f"{path}: no such file")
    if path.is_dir():
        raise DocumentError(f"{path}: is a directory, not a document")
    try:
        size = path.stat().st_size
        if size == 0:
            raise DocumentError(f"{path}: empty file")
        with path.open("rb") as fh:
            head = fh.read(1024)
            check_size(size, head, str(path))
            return head + fh.read()
    except OSError as exc:
        raise DocumentError(f"{path}: cannot be read ({exc.strerror or exc})") from exc


def sniff(data: bytes) -> str:
    """pdf | docx | ole2 (.doc/.wps) | markup-or-text, or DocumentError for a kind we do not
    read."""
    head = data[:1024]
    if head.startswith(b"%PDF") or b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                infos = zf.infolist()
                names = {i.filename for i in infos}
        except (zipfile.BadZipFile, ValueError, NotImplementedError, OverflowError) as exc:
            raise DocumentError(f"broken zip archive (DOCX?): {exc}") from exc
        check_zip_bomb(infos)
        if "word/document.xml" in names:
            return "docx"
        raise DocumentError("zip archive without word/document.xml: not a DOCX document")
    if head.startswith(OLE2_MAGIC):
        return "ole2"
    for magic, what in OTHER_MAGIC:
        if head.startswith(magic):
            raise DocumentError(f"not a text, HTML, PDF or DOCX document: {what}")
    return "markup-or-text"


def check_zip_bomb(infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a zip bomb before any member is inflated. zipfile never inflates a member past
    its declared size, so the declared sizes bound what python-docx can be made to read."""
    if len(infos) > settings.MAX_DOCX_MEMBERS:
        raise DocumentError(f"zip bomb: {len(infos)} files inside, over the "
                            f"{settings.MAX_DOCX_MEMBERS} limit for a DOCX")
    total = sum(i.file_size for i in infos)
    if total > settings.MAX_DOCX_UNCOMPRESSED_BYTES:
        raise DocumentError(f"zip bomb: inflates to {_mb(total)}, over the "
                            f"{settings.MAX_DOCX_UNCOMPRESSED_BYTES // 1024 // 1024} MB limit "
                            "for a DOCX")
    for i in infos:
        if i.file_size > 1024 * 1024 and i.file_size > settings.MAX_DOCX_RATIO * max(
                1, i.compress_size):
            ratio = i.file_size // max(1, i.compress_size)
            raise DocumentError(f"zip bomb: {i.filename} inflates {ratio} times "
                                f"({_mb(i.file_size)}), over the {settings.MAX_DOCX_RATIO}:1 "
                                "limit for a DOCX")


def load_bytes(data: bytes, source: str, content_type: str | None = None,
               resources: Resources | None = None) -> Document:
    """Turn a document's bytes into a Document (text, offsets, meta, tables).

    `resources` gives the bytes of a file the document names (an `<img src>` of a report
    page: its table may be a picture, read by OCR), or None where it has none stored."""
    if not data:
        raise DocumentError(f"{source}: empty file")
    check_size(len(data), data[:1024], source)
    kind = sniff(data)
    if kind == "pdf":
        from parser.pdf_text import load_pdf

        return load_pdf(data, source)
    if kind == "docx":
        from parser.docx_text import load_docx

        return load_docx(data, source)
    if kind == "ole2":
        return load_legacy_office(data, source)
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DocumentError("not a text, HTML, PDF or DOCX document: binary data (NUL bytes)")
    decoded = decode(data, content_type)
    text = decoded.text
    if _looks_like_html(text, content_type):
        from parser.html_text.document import load_html
        from parser.ocr_text import ocr_html_images

        doc = load_html(text, source, decoded.encoding)
        ocr_html_images(doc, resources)
        return doc
    return load_text(text, source, decoded.encoding)


def local_resources(path: Path) -> Resources:
    """Files a local document names by a relative path (a page saved with its images:
    报告_files/image001.png), inside the document's own folder and never above it."""
    base = Path(path).resolve().parent

    def get(src: str) -> bytes | None:
        from urllib.parse import unquote, urlsplit

        parts = urlsplit(src)
        if parts.scheme or parts.netloc or not parts.path:
            return None  # a URL: only the archive (which stored it) can give its bytes
        target = (base / unquote(parts.path).lstrip("/")).resolve()
        if base not in target.parents or not target.is_file():
            return None
        if target.stat().st_size > settings.MAX_BINARY_BYTES:
            return None
        return target.read_bytes()

    return get


def load_legacy_office(data: bytes, source: str) -> Document:
    """A Word 97-2003 .doc or WPS .wps file: converted to DOCX by LibreOffice, then read as
    DOCX (parser/office_convert.py); other OLE2 files are refused with what they are."""
    from parser.docx_text import load_docx
    from parser.office_convert import ole_kind, to_docx

    what = ole_kind(data)
    if what != "word":
        raise DocumentError(f"not a text, HTML, PDF or Word document: {what}")
    suffix = Path(source.split("?")[0]).suffix.lower()
    docx = to_docx(data, source, suffix)
    kind_check = sniff(docx)
    if kind_check != "docx":
        raise DocumentError(f"{source}: LibreOffice wrote no DOCX document")
    doc = load_docx(docx, source)
    doc.kind = "doc"
    doc.meta["converted"] = "Word 97-2003/WPS → DOCX by LibreOffice"
    return doc


def _looks_like_html(text: str, content_type: str | None) -> bool:
    from parser.html_text.js_string import looks_like_js_html

    head = text[:65536]
    if looks_like_js_html(head):
        return True
    stripped = head.lstrip()[:100].lower()
    if stripped.startswith(("<!doctype html", "<html", "<?xml")):
        return True
    hints = len(_MARKUP_HINT.findall(head))
    if content_type and "html" in content_type.lower():
        return hints >= 1
    return hints >= 3


def load_text(raw: str, source: str, encoding: str | None) -> Document:
    """A plain text page: the crawled page.txt form (header + 正文) or a page copied as text."""
    meta: dict[str, str] = {}
    body_start = 0
    mark = _BODY_MARK.search(raw, 0, 4000)
    if mark:
        header = raw[: mark.start()]
        labels = 0
        for line in header.splitlines():
            m = _HEADER_LINE.match(line)
            if m:
                labels += 1
                key = CRAWLED_HEADER[m.group(1)]
                value = m.group(2)
                if key == "published":
                    d = _DATE.search(value)
                    value = iso_date(*d.groups()) if d else ""
                if value:
                    meta[key] = value
        if labels >= 3:
            body_start = mark.end()
        else:
            meta = {}
    builder = TextBuilder()
    for a, b in line_spans(raw[body_start:]):
        builder.add(raw[body_start + a : body_start + b].rstrip("\n"), start=body_start + a)
        builder.newline()
    cleaned, _, chrome_meta = clean_chrome(builder.build())
    for key, value in chrome_meta.items():
        meta.setdefault(key, value)
    if "title" not in meta:
        title = title_from_text(cleaned.text)
        if title:
            meta["title"] = title
    text, offsets = cleaned.text, cleaned.offsets
    text, offsets = cap_text(text, offsets, meta)
    return Document(
        source=source,
        kind="text",
        text=text,
        offsets=offsets,
        raw=raw,
        encoding=encoding,
        meta=meta,
    )


# File endings of documents a folder may hold: what `xxgk parse` and `xxgk import` pick up
# when given a folder (a file named on the command line is read whatever its ending).
DOCUMENT_SUFFIXES = frozenset(
    {".html", ".htm", ".shtml", ".txt", ".pdf", ".docx", ".doc", ".wps", ".js"}
)


def iter_document_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Named files, and the documents inside named folders (sorted, so runs are repeatable)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in DOCUMENT_SUFFIXES:
                    yield child
        else:
            yield path

