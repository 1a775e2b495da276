"""Every default setting of xxgk in one module (the Scrapy way): limits, politeness, paths.

Code reads these names instead of writing numbers inline, so that a reader can see every
knob at once and a test or a deployment can change one in one place.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS_DIR = SHARED / "corpus"
DEV_DIR = CORPUS_DIR / "dev"  # real report excerpts with gold (scored by xxgk eval)
INDICATORS_CSV = SHARED / "spec" / "indicators.csv"
FIXTURES_DIR = ROOT / "fixtures"
GOLD_DIR = FIXTURES_DIR / "gold"
DEMO_DIR = FIXTURES_DIR / "demo"
# The archive every command reads or writes unless told otherwise: `archive.db` in the folder
# the command runs from (never inside the installed checkout, where a user's own documents
# would end up mixed into the demo's archive), or the file named by $XXGK_DB.
DEFAULT_DB = Path("archive.db")
DB_ENVVAR = "XXGK_DB"

# --- Loading documents -------------------------------------------------------------------
# A report page is rarely over 1 MB and a report PDF rarely over 20 MB; past these limits the
# loader refuses the document with a message instead of spending minutes on it.
MAX_HTML_BYTES = 8 * 1024 * 1024
MAX_BINARY_BYTES = 64 * 1024 * 1024
MAX_PDF_PAGES = 300
# Text longer than this after cleaning is cut (and the cut is recorded in the document's meta).
MAX_TEXT_CHARS = 2_000_000
# Table spans above this are capped (hostile pages write colspan="100000"), and a table whose
# expanded grid would hold more positions than MAX_TABLE_CELLS gets no Grid (its text stays).
MAX_TABLE_SPAN = 1000
MAX_TABLE_CELLS = 200_000

# --- Table grids from PDF and text (parser.tables.pdf_grid / text_grid / flattened) -------
# Distance in PDF points under which two ruling or cell edges count as the same line; WPS and
# Word draw borders 0.5–1 pt apart from the cell fills they bound.
PDF_EDGE_TOLERANCE = 3.0
# Two table pieces on consecutive pages are one table when their left and right edges agree
# within this many points.
PDF_JOIN_X_TOLERANCE = 8.0
# Splitting a flattened digit run: give up (and say so) past this many candidate splits for
# one row, or this many combinations tried for one table; a unique answer is never guessed.
FLATTENED_MAX_ROW_CANDIDATES = 20_000
FLATTENED_MAX_COMBINATIONS = 2_000_000
# The same for the rows of one legacy statistics table that its parts rules link (a total and
# its 其中 parts): real tables need a few hundred at most; a hostile one stops here, unread.
STATISTICS_MAX_COMBINATIONS = 100_000
# Rows of one flattened table follow each other closely: between one row's digits and the
# next row's label stand at most a group label (（三）不予公开), a repeated 三、本年度办理结果,
# or a table-二 block caption and header (about 35 characters). A label match further away
# than this from the rows around it is prose that names a row, not part of the table.
FLATTENED_MAX_ROW_GAP_CHARS = 120

# --- Standard tables: label matching and mapping (parser.tables.labels / mapper) ----------
# Similarity a printed label needs to match a layout label that is not a listed variant:
# one missing or doubled character in a 6+ character label passes (过程性性信息), two labels
# of the template that differ in a word (三类内部事务信息 / 四类过程性信息) do not.
TABLE_LABEL_FUZZY_THRESHOLD = 0.84
# ... and the best candidate must beat the second best by this much, or no match is made.
TABLE_LABEL_FUZZY_MARGIN = 0.08
# Label matches remembered per matcher (labels repeat across reports; see docs/performance.md);
# the memo is emptied when it reaches this many entries.
TABLE_LABEL_MATCH_CACHE = 50_000
# How far past a grid's text span a cell's printed text is still looked for when facts get
# their offsets (PDF grid spans are page-based and can end before the table's last rows).
TABLE_LOCATE_SLACK_CHARS = 2000
# A row of a text-rebuilt grid whose cell has this many characters and sentence punctuation,
# and no table label, is prose: the table has ended (PDF body lines are about 30 characters).
TABLE_PROSE_MIN_CHARS = 20

# --- Crawler (scraper/): politeness, limits, retries, state --------------------------------
# The defaults are those of a polite crawler on government sites: one request at a time per
# host, at least one second apart (more if robots.txt asks with Crawl-delay), an honest
# User-Agent with a contact URL, and hard caps so that one bad site cannot stall the job.
# The contact in the User-Agent is the operator's (a URL or an e-mail address): set
# XXGK_CONTACT where the crawler runs. The project ships none rather than invent one.
CRAWL_CONTACT = os.environ.get("XXGK_CONTACT", "").strip()
CRAWL_USER_AGENT = (
    "xxgk-archive/0.1 (research archive of government information disclosure annual reports"
    + (f"; +{CRAWL_CONTACT})" if CRAWL_CONTACT else ")")
)
CRAWL_DELAY = 1.0  # seconds between two requests to one host (never less)
CRAWL_CONCURRENCY_PER_HOST = 1
CRAWL_CONCURRENCY_TOTAL = 8  # hosts crawled at the same time
# AutoThrottle (as in Scrapy): the delay follows the server's latency divided by this target
# concurrency, between CRAWL_DELAY and CRAWL_MAX_DELAY; 429/503 answers double it.
CRAWL_AUTOTHROTTLE = True
CRAWL_AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
CRAWL_MAX_DELAY = 60.0
CRAWL_TIMEOUT_CONNECT = 10.0
CRAWL_TIMEOUT_READ = 30.0
CRAWL_TIMEOUT_TOTAL = 120.0  # whole response, body included
CRAWL_MAX_HTML_BYTES = MAX_HTML_BYTES  # listing and detail pages
CRAWL_MAX_BYTES = MAX_BINARY_BYTES  # attachments (PDF, DOC, DOCX, WPS)
CRAWL_MAX_REDIRECTS = 5
# Retries with exponential backoff (base * 2**attempt, capped; Retry-After wins when longer)
# on 5xx, 429, timeouts and connection errors; 4xx other than 408/429 are final.
CRAWL_RETRY_TIMES = 3
CRAWL_RETRY_BACKOFF_BASE = 2.0
CRAWL_RETRY_BACKOFF_MAX = 120.0
CRAWL_RETRY_HTTP_CODES = (500, 502, 503, 504, 522, 524, 408, 429)
# Discovery bounds: listing pages followed per source, documents per source per run.
CRAWL_MAX_LISTING_PAGES = 50
CRAWL_MAX_DOCUMENTS_PER_SOURCE = 2000
# A 200 answer shorter than this (text characters) that names one of the stub phrases in
# scraper/data/patterns.toml (页面不存在, 该信息已删除 …) is a failure, not a document.
CRAWL_STUB_MAX_CHARS = 2000
# Hosts besides the source's own that a crawl may follow links to (suffix match); the
# registry's url_pattern column can widen this per source.
CRAWL_ALLOWED_HOST_SUFFIXES: tuple[str, ...] = ()
# Demo website (fixtures/site/): the registry marker, the address, and the delay used for our
# own local server (politeness towards 127.0.0.1 only costs the demo's time).
DEMO_SITE_DIR = FIXTURES_DIR / "site"
DEMO_SOURCES = DEMO_SITE_DIR / "sources.csv"
DEMO_HOST = "127.0.0.1"
DEMO_PORT = 8765
DEMO_CRAWL_DELAY = 0.1

# --- Archive and Datasette (archive/) ---------------------------------------------------------
# `xxgk serve` listens here; loopback only by default (put a reverse proxy in front to publish).
DATASETTE_PORT = 8001
DATASETTE_HOST = "127.0.0.1"
# Where tests leave artifacts for people to look at (the browser test's screenshots).
TEST_ARTIFACTS_DIR = ROOT / "test-artifacts"
# `xxgk build` writes the parses of this many documents per transaction (parsing happens
# outside it, so the crawler is never locked out for long: ~8 ms of writing per report, under
# a second per batch); an interrupted build redoes at most one batch. 100 rather than 25 saves
# a quarter of the writer's time (docs/performance.md).
BUILD_BATCH_DOCUMENTS = 100
# Parse processes for `xxgk build` (0 = one per CPU). The writer stays one process and writes in
# document order, so the archive is the same for any value; below BUILD_PARALLEL_MIN_DOCUMENTS
# documents the start-up of the pool costs more than it saves.
BUILD_WORKERS = 0
BUILD_PARALLEL_MIN_DOCUMENTS = 40
BUILD_PARSE_CHUNK = 4
# Documents handed to the parse processes ahead of the writer. Pool.imap alone has no back
# pressure: when the one writer is slower than the workers, every parsed result waits in the
# writer's memory (329 MB at 10,000 reports, growing with the archive); with this window the
# writer holds at most this many.
BUILD_PARSE_WINDOW = 256
# A worker is replaced after this many documents, so a parser leak cannot grow without bound.
BUILD_WORKER_MAX_TASKS = 2000
# `xxgk build --scheduler ADDRESS` (archive/distributed.py): documents per Dask task (a task
# costs the scheduler ~1 ms, so a few documents share one), how long to wait for the scheduler
# and its first worker, and how often a task whose parse process died is tried again.
DISTRIBUTED_CHUNK = 4
DISTRIBUTED_CONNECT_SECONDS = 20.0
DISTRIBUTED_RETRIES = 1
# `xxgk build --per-year` (archive/per_year.py): a year's file numbers its reports from
# year × this, so report ids never repeat across the files served together (archive/across.py).
PER_YEAR_REPORT_ID_SPAN = 10_000_000

# --- Reliability and security (issue 7; docs/reliability.md lists what each one guarantees) ---
# robots.txt: RFC 9309 §2.5 asks crawlers to parse at least 500 KiB; a longer file is cut
# there (not refused, which would forbid the whole host).
CRAWL_ROBOTS_MAX_BYTES = 500 * 1024
# Pages (listings, reports, attachments) downloaded per site and run (a 304 does not count):
# a site that generates endless pages (calendars, session ids in URLs) cannot hold the job;
# the rest fails as `site_cap` and is asked for again by the next run.
CRAWL_MAX_PAGES_PER_SITE = 5000
# Queued items of one host held in memory; the rest wait in crawl_frontier (state `pending`)
# and are read back in order as the queue drains, so memory grows with hosts, not pages.
CRAWL_FRONTIER_MEMORY_PER_HOST = 500
# PDF bombs: a page tree declaring more than MAX_PDF_PAGES is refused before pages are built;
# a compressed stream that inflates past MAX_PDF_STREAM_BYTES (or all of them together past
# MAX_PDF_INFLATED_BYTES) is refused before pdfminer inflates it whole; a page with more
# glyphs than MAX_PDF_PAGE_CHARS is refused before its text is laid out; and extraction stops
# with a DocumentError once MAX_PDF_SECONDS have passed (checked between pages, which also
# holds where the CPU-time cap below cannot be armed; see docs/decisions.md).
MAX_PDF_STREAM_BYTES = 64 * 1024 * 1024
MAX_PDF_INFLATED_BYTES = 256 * 1024 * 1024
MAX_PDF_PAGE_CHARS = 30_000  # a dense report page holds ~3,000
MAX_PDF_SECONDS = 60.0
# Lex page content streams with qpdf (pikepdf) where it gives pdfminer's tokens, else with
# pdfminer's own lexer (parser/pdf_content.py): the same characters, ~a quarter less PDF
# time.
PDF_QPDF_LEXER = True
# Larger page streams go to pdfminer's lexer, which the CPU-time cap can stop token by token
# (a dense real report page is ~50 KB; the test suite's junk page 2.4 MB).
PDF_QPDF_LEXER_MAX_BYTES = 1024 * 1024
# Make pdfplumber's dict of each character without its recursive resolver (the same dicts;
# parser/pdf_objects.py): 7–10 ms less of a ~70 ms PDF.
PDF_FAST_OBJECTS = True
# Run pdfminer's content-stream interpreter with its operator dispatch looked up once per
# operator instead of once per use (the same calls; parser/pdf_interp.py).
PDF_FAST_INTERPRETER = True
# Find pdfplumber's table cells from the ruling intersections with each point's edges read
# once (the same cells in the same order; parser/pdf_cells.py).
PDF_FAST_CELLS = True
# Every document (load and parse) is stopped after this much CPU time and recorded as refused,
# whatever the structural limits above missed (parser/time_cap.py: armed in a main thread).
# The real corpus's slowest report (a 6-page PDF) takes 0.4 s; the fuzzer lowers this to 0.9 s.
PARSE_MAX_CPU_SECONDS = 30.0
# DOCX (zip) bombs: members, declared uncompressed size, and compression ratio of big members.
MAX_DOCX_MEMBERS = 5000
MAX_DOCX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024
MAX_DOCX_RATIO = 200  # uncompressed / compressed, checked for members over 1 MB
# Datasette: a query is stopped after this many milliseconds, and no page or query returns
# more rows than this (a CSV export with _stream=1 reads a table in pages of this size).
DATASETTE_SQL_TIME_LIMIT_MS = 5000
DATASETTE_MAX_RETURNED_ROWS = 1000
# A page whose decoded drawing instructions exceed this is refused before pdfminer lays it
# out (a report page holds tens of kilobytes; the cost of layout grows with this size).
MAX_PDF_PAGE_CONTENT_BYTES = 4 * 1024 * 1024
# Grids larger than this are not given to the standard-table mapper (the template's tables
# have about a dozen columns and forty rows; a hostile 5,000-column table cost seconds there).
MAX_MAPPED_TABLE_COLUMNS = 60
MAX_MAPPED_TABLE_ROWS = 400
# Splitting a flattened digit run also gives up after this many steps (dead ends included):
# a row costs at most ~50 ms, not minutes (a real row of 9 cells needs a few thousand).
FLATTENED_MAX_ROW_STEPS = 50_000
# ... and no cell of a split is longer than this (a count or an amount such as 1234567.89).
FLATTENED_MAX_CELL_CHARS = 12
# A PDF with a damaged cross-reference table larger than this is refused: pdfminer rebuilds
# the table by tokenizing the whole file in Python, about a second per megabyte.
MAX_PDF_REPAIR_BYTES = 512 * 1024
# MAX_TABLE_CELLS above allowed 200,000 positions; a hostile 64 KB page of one 32 × 5,000
# table then cost a second to lay out (benchmarks/fuzz_parser.py). A report's largest
# tables hold a few hundred cells, so 20,000 keeps every real one.
MAX_TABLE_CELLS = 20_000

# --- OCR: scanned PDF pages and images in report pages (issue 15; parser/ocr*.py) ----------
# OCR runs only where a document has no text: a PDF page whose text layer holds fewer than
# OCR_PAGE_MIN_CHARS visible characters, or an image inside a report page's body.
OCR_ENABLED = os.environ.get("XXGK_OCR", "1") != "0"
OCR_PAGE_MIN_CHARS = 10
# Scanned pages are rendered at this resolution before OCR (the engine's models read text
# 20–40 pixels high: body text and table digits of a report at 150 dpi).
OCR_DPI = 150
# ... or at the scan's own resolution when it is finer, up to this (its pixels are then read
# as scanned, not resampled; detection still shrinks the page to 2,000 pixels).
OCR_MAX_DPI = 300
# A character read with less confidence than this (engine score, 0–1) makes its number
# doubtful: a table cell holding one is not placed (its fact keeps the reading, key null,
# with the reason), and a prose number holding one gets no key.
OCR_MIN_CONFIDENCE = 0.9
# Hostile or useless images: no more pixels than this per image (a 300 dpi A3 page is 17 MP),
# images smaller than this on either side are icons and bullets, not text worth reading.
OCR_MAX_PIXELS = 40_000_000
OCR_MIN_IMAGE_SIDE = 48
# Images read per report page, and OCR'd PDF pages per document (each costs ~2 s of CPU).
OCR_MAX_IMAGES = 20
OCR_MAX_PAGES = 60
# Scanned documents cost seconds per page, far more than the text parse: the per-document CPU
# cap (PARSE_MAX_CPU_SECONDS) grows by this much for each page or image that is OCR'd.
OCR_CPU_SECONDS_PER_PAGE = 8.0
# The recogniser reads crops padded to at least this many pixels wide (height 48). Table
# cells are a few characters, so less padding is faster, but less sure: on the scans of the
# three corpus PDFs 160 was a fifth faster and left 3 more of 572 cells doubtful, 96 a third
# faster and 9 more (docs/performance.md, OCR). The engine's own 320 is kept.
OCR_REC_MIN_WIDTH = 320
# Threads the OCR engine may use (onnxruntime); build workers are already one per core.
OCR_THREADS = 1

# --- Old Office files (.doc, .wps): converted by LibreOffice (parser/office_convert.py) ------
# The soffice binary (found on PATH when unset), the wall-clock limit of one conversion, the
# largest file converted, and the virtual memory the converter may take.
SOFFICE = os.environ.get("XXGK_SOFFICE", "")
OFFICE_CONVERT_SECONDS = 60.0
OFFICE_MAX_BYTES = 32 * 1024 * 1024
OFFICE_MAX_MEMORY_BYTES = 4 * 1024 * 1024 * 1024
