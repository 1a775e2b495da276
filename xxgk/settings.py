"""Every default setting of xxgk in one module (the Scrapy way): limits, politeness, paths.

Code reads these names instead of writing numbers inline, so that a reader can see every
knob at once and a test or a deployment can change one in one place.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS_DIR = SHARED / "corpus"
INDICATORS_CSV = SHARED / "spec" / "indicators.csv"
FIXTURES_DIR = ROOT / "fixtures"
GOLD_DIR = FIXTURES_DIR / "gold"
DEMO_DIR = FIXTURES_DIR / "demo"
DEFAULT_DB = ROOT / "archive.db"

# --- Loading documents -------------------------------------------------------------------
# A report page is rarely over 1 MB and a report PDF rarely over 20 MB; past these limits the
# loader refuses the document with a message instead of spending minutes on it.
MAX_HTML_BYTES = 8 * 1024 * 1024
MAX_BINARY_BYTES = 64 * 1024 * 1024
MAX_PDF_PAGES = 300
# Text longer than this after cleaning is cut (and the cut is recorded in the document's meta).
MAX_TEXT_CHARS = 2_000_000
# lxml refuses trees deeper than this; hostile pages nest thousands of <div>s.
MAX_HTML_DEPTH = 256

# --- Parsing -----------------------------------------------------------------------------
# Relative tolerance when a printed percentage is compared with its counts (33.4% for 8/24).
PERCENT_TOLERANCE_POINTS = 0.15

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

# --- Standard tables: label matching and mapping (parser.tables.labels / mapper) ----------
# Similarity a printed label needs to match a layout label that is not a listed variant:
# one missing or doubled character in a 6+ character label passes (过程性性信息), two labels
# of the template that differ in a word (三类内部事务信息 / 四类过程性信息) do not.
TABLE_LABEL_FUZZY_THRESHOLD = 0.84
# ... and the best candidate must beat the second best by this much, or no match is made.
TABLE_LABEL_FUZZY_MARGIN = 0.08
# How far past a grid's text span a cell's printed text is still looked for when facts get
# their offsets (PDF grid spans are page-based and can end before the table's last rows).
TABLE_LOCATE_SLACK_CHARS = 2000
