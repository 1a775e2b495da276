"""PDF tables as grids: rulings vs. text-background boxes, merged cells, page breaks.

Expected rows were read off the corpus PDFs (001, 002, 003) page by page.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from parser.model import Grid
from parser.tables.pdf_grid import pdf_grids
from parser.tables.pdf_pieces import clean_cell_text
from xxgk import settings

REPORTS = settings.CORPUS_DIR / "reports"


def grids_of(name: str) -> list[Grid]:
    path: Path = REPORTS / name
    if not path.exists():
        pytest.skip(f"corpus file {path} is absent (the shared corpus is not mounted)")
    with pdfplumber.open(path) as pdf:
        return pdf_grids(pdf)


def row_with(grid: Grid, label: str) -> list[str]:
    """The first row with an origin cell `label`; positions a merged cell covers show "^"."""
    for row in grid.rows:
        if any(c.text == label and not c.span_copy for c in row):
            return ["^" if c.span_copy else c.text for c in row]
    raise AssertionError(f"no row labelled {label!r}")


def numbers(row: list[str]) -> list[str]:
    return [t for t in row if t.replace(".", "", 1).isdigit()]


def test_clean_cell_text_rejoins_vertical_and_wrapped_labels() -> None:
    assert clean_cell_text("三\n、\n本\n年\n度\n办\n理\n结\n果") == "三、本年度办理结果"
    assert clean_cell_text("商业\n企业") == "商业企业"
    assert clean_cell_text("总 计") == "总计"
    assert clean_cell_text("Total\nsum") == "Total sum"
    assert clean_cell_text(None) == ""


def test_001_three_tables_and_table_three_rows() -> None:
    grids = grids_of("001_huaian-hongze_2023.pdf")
    # table 二 (pages 2-3, one grid), table 三 (pages 3-4, one grid), table 四; the boxed
    # paragraphs WPS draws behind body text are not tables
    assert [(g.page, len(g.rows), len(g.rows[0])) for g in grids] == [
        (2, 14, 4),
        (3, 26, 10),
        (4, 4, 15),
    ]
    t2, t3, t4 = grids
    assert all(g.source == "pdf" and g.start == -1 and g.end == -1 for g in grids)
    # the page-3 part of table 二 lost the left half of its top border: still found
    assert [c.text for c in t2.rows[8]] == [
        "信息内容",
        "本年处理决定数量",
        "本年处理决定数量",
        "本年处理决定数量",
    ]
    assert [c.span_copy for c in t2.rows[8]] == [False, False, True, True]
    assert numbers(row_with(t2, "行政事业性收费")) == ["7730.28"]
    assert numbers(row_with(t3, "（七）总计")) == ["21", "0", "0", "0", "0", "0", "21"]
    assert row_with(t3, "2.其他法律行政止公开")[2] == "2.其他法律行政止公开"  # typo kept
    assert numbers(row_with(t3, "1.本机关不掌握相关政府信息")) == [
        "10",
        "0",
        "0",
        "0",
        "0",
        "0",
        "10",
    ]
    # header rows with their stacked labels rejoined; 三、本年度办理结果 spans rows 5-24
    assert [c.text for c in t3.rows[2]][4:9] == [
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
    ]
    assert t3.rows[5][0].text == "三、本年度办理结果" and not t3.rows[5][0].span_copy
    assert t3.rows[24][0].text == "三、本年度办理结果" and t3.rows[24][0].origin == (5, 0)
    # （四）无法提供 spans 1.–3. across the page break 3 -> 4
    assert [t3.rows[r][1].origin for r in (15, 16, 17)] == [(15, 1)] * 3
    assert t3.rows[17][2].text == "3.补正后申请内容仍不明确"
    # table 四: review total (0) disagrees with its parts (10 1 0 0): kept as printed
    assert [c.text for c in t4.rows[3]] == [
        "10",
        "1",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "5",
        "0",
        "0",
        "0",
        "0",
    ]
    assert [c.text for c in t4.rows[1][:5]] == [
        "结果维持",
        "结果纠正",
        "其他结果",
        "尚未审结",
        "总计",
    ]


def test_002_single_row_other_and_page_break_in_table_two() -> None:
    grids = grids_of("002_huaian-hongze_2024.pdf")
    assert [(g.page, len(g.rows)) for g in grids] == [(2, 14), (3, 26), (4, 4)]
    t2, t3, t4 = grids
    # the break falls between 行政许可 9487 and the caption 第二十条第（六）项: not merged
    assert numbers(row_with(t2, "行政许可")) == ["9487"]
    assert t2.rows[7][0].text == "第二十条第（六）项"
    assert numbers(row_with(t3, "（六）其他处理")) == ["0"] * 7
    assert numbers(row_with(t3, "（七）总计")) == ["95", "0", "0", "0", "0", "0", "95"]
    assert numbers(row_with(t3, "2.没有现成信息需要另行制作")) == [
        "1",
        "0",
        "0",
        "0",
        "0",
        "0",
        "1",
    ]
    assert [c.text for c in t4.rows[3]] == [
        "1",
        "1",
        "0",
        "0",
        "2",
        "1",
        "0",
        "0",
        "0",
        "1",
        "2",
        "0",
        "1",
        "0",
        "3",
    ]


def test_003_tables_across_page_breaks_and_all_200_cells() -> None:
    grids = grids_of("003_huaian-city_2024.pdf")
    assert [(g.page, len(g.rows), len(g.rows[0])) for g in grids] == [
        (3, 14, 4),
        (4, 28, 10),
        (5, 4, 15),
    ]
    t2, t3, t4 = grids
    # table 二 runs from page 3 (4 columns) onto page 4 (2 columns): one grid
    assert [
        numbers(row_with(t2, lab))
        for lab in ("规章", "行政规范性文件", "行政许可", "行政处罚", "行政强制", "行政事业性收费")
    ] == [
        ["1", "0", "11"],
        ["8", "26", "66"],
        ["447228"],
        ["3985758"],
        ["88283"],
        ["96171.6"],
    ]
    # table 三: pages 4-5; the merged （四）无法提供 is cut by the break as "（四）无" | "法提供"
    assert t3.rows[17][1].text == "（四）无法提供" and t3.rows[17][1].origin == (15, 1)
    assert numbers(row_with(t3, "2.没有现成信息需要另行制作")) == [
        "11",
        "0",
        "0",
        "0",
        "0",
        "0",
        "11",
    ]
    assert row_with(t3, "（七）总计")[3:] == ["2932", "53", "0", "0", "61", "4", "3050"]
    assert row_with(t3, "四、结转下年度继续办理")[3:] == ["103", "0", "0", "0", "0", "0", "103"]
    assert numbers(row_with(t3, "3、其他")) == ["108", "2", "0", "0", "0", "0", "110"]
    # every value of the 25 data rows x 7 columns is a number: 175 cells
    data = [r for r in t3.rows if r[3].text.isdigit()]
    assert len(data) == 25 and all(c.text.isdigit() for r in data for c in r[3:])
    # 10 cells of table 二 + 175 of table 三 + 15 of table 四 = 200
    t2_values = sum(len(numbers([c.text for c in r if not c.span_copy])) for r in t2.rows)
    assert t2_values + 25 * 7 + len(numbers([c.text for c in t4.rows[3]])) == 200
    assert [c.text for c in t4.rows[3]] == [
        "72",
        "64",
        "178",
        "37",
        "351",
        "13",
        "4",
        "8",
        "1",
        "26",
        "12",
        "1",
        "1",
        "6",
        "20",
    ]


def test_speed_on_corpus_pdfs() -> None:
    """pdf_grids must stay well under a second per page (measured: about 20 pages/s)."""
    import time

    pages = 0
    t0 = time.perf_counter()
    for name in (
        "001_huaian-hongze_2023.pdf",
        "002_huaian-hongze_2024.pdf",
        "003_huaian-city_2024.pdf",
    ):
        path = REPORTS / name
        if not path.exists():
            pytest.skip("corpus absent")
        with pdfplumber.open(path) as pdf:
            pdf_grids(pdf)
            pages += len(pdf.pages)
    assert pages / (time.perf_counter() - t0) > 2


def _cells(top: float, rows: list[list[str]], xs: list[float], h: float = 20.0):
    """Cells of a simple ruled table: one cell per text, row height h, column lines xs."""
    out = []
    for r, texts in enumerate(rows):
        for c, text in enumerate(texts):
            out.append(((xs[c], top + r * h, xs[c + 1], top + (r + 1) * h), text))
    return out


def test_continuation_drops_repeated_header_and_footer_and_mends_a_split_row() -> None:
    from parser.tables.pdf_grid import _build, _Table
    from parser.tables.pdf_pieces import Piece

    xs = [50.0, 200.0, 260.0, 320.0]
    first = Piece(
        1,
        (50, 600, 320, 700),
        _cells(
            600,
            [
                ["信息内容", "本年制发件数", "现行有效件数"],
                ["规章", "1", "2"],
                ["（二）部分公开（区分处理的，只计这一情", "3", "4"],
            ],
            xs,
        ),
    )
    second = Piece(
        2,
        (50, 80, 320, 200),
        _cells(
            80,
            [
                ["信息内容", "本年制发件数", "现行有效件数"],  # the header repeated on the new page
                ["形，不计其他情形）", "", ""],  # the rest of the row cut by the break
                ["行政规范性文件", "5", "6"],
                ["- 2 -", "", ""],  # a footer caught inside the ruled area
            ],
            xs,
        ),
    )
    grid = _build(_Table([first, second]))
    assert grid.texts() == [
        ["信息内容", "本年制发件数", "现行有效件数"],
        ["规章", "1", "2"],
        ["（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "3", "4"],
        ["行政规范性文件", "5", "6"],
    ]
    assert grid.page == 1 and all(not c.span_copy for r in grid.rows for c in r)


# --- the fast `_extract` and `_nearest_in` pinned to what they replace ---------------------
#
# Both were rewritten for speed; the PDF tables they feed must come out exactly as before.
# `_extract` is compared with pdfplumber's own `Table.extract()` on every table `pdf_grids`
# finds (spied on at the call site, so the tables are found exactly as the module finds
# them: its page filter and its settings), `_nearest_in` with the linear `_nearest`.

FIXTURE_PDFS = sorted(settings.FIXTURES_DIR.glob("**/*.pdf"))
CORPUS_PDFS = sorted(settings.CORPUS_DIR.glob("**/*.pdf")) if settings.CORPUS_DIR.is_dir() else []


def _extract_pairs(path: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, Any]]:
    """(fast, pdfplumber) extractions of every table `pdf_grids` finds in the PDF."""
    from parser.tables import pdf_pieces

    real = pdf_pieces._extract
    pairs: list[tuple[Any, Any]] = []

    def spy(table: Any, rows: list[Any]) -> list[list[str | None]]:
        got = real(table, rows)
        pairs.append((got, table.extract()))
        return got

    monkeypatch.setattr(pdf_pieces, "_extract", spy)
    with pdfplumber.open(path) as pdf:
        pdf_grids(pdf)
    return pairs


def test_fixture_pdfs_exist() -> None:
    # the parametrised test below must not pass on an empty list
    assert len(FIXTURE_PDFS) >= 2, FIXTURE_PDFS


@pytest.mark.parametrize("path", FIXTURE_PDFS, ids=lambda p: p.name)
def test_extract_equals_pdfplumber_on_fixture_pdfs(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pairs = _extract_pairs(path, monkeypatch)
    assert pairs, f"pdf_grids found no table in {path}"
    for n, (fast, plumber) in enumerate(pairs):
        assert fast == plumber, (path.name, n)


@pytest.mark.parametrize(
    "path",
    CORPUS_PDFS or [None],
    ids=lambda p: p.name if p is not None else "corpus-absent",
)
def test_extract_equals_pdfplumber_on_corpus_pdfs(
    path: Path | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if path is None:
        pytest.skip(f"no corpus PDFs under {settings.CORPUS_DIR} (the shared corpus is absent)")
    pairs = _extract_pairs(path, monkeypatch)
    assert pairs, f"pdf_grids found no table in {path}"
    for n, (fast, plumber) in enumerate(pairs):
        assert fast == plumber, (path.name, n)


class _FakePage:
    """Just what `Table.extract()` and `_extract` read from a page: its characters."""

    def __init__(self, chars: list[dict[str, Any]]) -> None:
        self.chars = chars


def _char(text: str, x0: float, top: float, w: float = 8.0, h: float = 10.0) -> dict[str, Any]:
    return {
        "text": text,
        "x0": x0,
        "x1": x0 + w,
        "top": top,
        "bottom": top + h,
        "doctop": top,
        "upright": True,
        "size": h,
        "fontname": "F",
    }


def test_extract_equals_pdfplumber_on_boundaries_nan_and_random_chars() -> None:
    """Characters whose middle lies exactly on a row or column line (half-open boxes), NaN
    coordinates, a missing cell (merged), and random characters in shuffled page order."""
    from pdfplumber.table import Table

    from parser.tables.pdf_pieces import _extract

    xs = [0.0, 40.0, 80.0, 120.0]
    ys = [0.0, 20.0, 40.0, 60.0]
    cells = [
        (xs[c], ys[r], xs[c + 1], ys[r + 1])
        for r in range(3)
        for c in range(3)
        if (r, c) != (1, 2)  # a hole: that row has a None cell
    ]
    cells.append((xs[1], ys[1], xs[3], ys[2]))  # ... covered by a cell spanning two columns
    rng = random.Random(20261127)
    chars = [
        _char("A", 36.0, 15.0),  # h-mid 40.0 = column line: right cell; v-mid 20.0 = row 1
        _char("B", -4.0, -5.0),  # mid (0, 0): first cell, inclusive
        _char("C", 116.0, 55.0),  # mid (120, 60): outside, exclusive
        _char("D", 10.0, 35.0 - 1e-9),  # v-mid just under 40
        _char("N", float("nan"), 5.0),
        _char("M", 10.0, float("nan")),
        _char("I", 10.0, float("inf")),
    ]
    for k in range(400):
        x = rng.choice([rng.uniform(-10, 130), rng.choice(xs) - 4.0])
        y = rng.choice([rng.uniform(-10, 70), rng.choice(ys) - 5.0])
        chars.append(_char("字数"[k % 2] if k % 3 else str(k % 10), x, y))
    rng.shuffle(chars)
    table = Table(_FakePage(chars), cells)
    expected = table.extract()
    assert any(None in row for row in expected)  # the hole is exercised
    assert _extract(table, table.rows) == expected


def test_nearest_in_equals_linear_nearest() -> None:
    from parser.tables.pdf_grid import _nearest, _nearest_in

    rng = random.Random(1127)
    specials = [float("inf"), float("-inf"), float("nan"), 0.0, -0.0, 1e9, -1e9, 1e300]
    lists: list[list[float]] = []
    for _ in range(300):
        n = rng.randint(1, 40)
        kind = rng.randrange(6)
        if kind == 0:  # page coordinates, distinct after clustering
            vals = sorted(rng.uniform(0, 842) for _ in range(n))
        elif kind == 1:  # a dyadic grid: exact midpoints give exact ties
            vals = sorted({rng.randrange(0, 4000) * 0.25 for _ in range(n)})
        elif kind == 2:  # duplicates and near-duplicates (steps below the bisection guard)
            base = sorted(rng.uniform(0, 100) for _ in range(n))
            vals = sorted(base + [v + rng.choice([0.0, 1e-4, 1e-3, 2e-3]) for v in base[::2]])
        elif kind == 3:  # steps right around the 1e-3 guard
            vals = [0.0]
            for _ in range(n - 1):
                vals.append(vals[-1] + rng.choice([9.99e-4, 1e-3, 1.001e-3, 0.5]))
        elif kind == 4:  # huge coordinates, near and past the 1e9 guard
            vals = sorted(rng.choice([1, -1]) * rng.uniform(9.9e8, 1.1e9) for _ in range(n))
        else:  # infinities or NaN inside the list (a damaged page)
            vals = sorted(rng.uniform(-50, 50) for _ in range(n))
            vals.insert(rng.randrange(len(vals) + 1), rng.choice(specials[:3]))
        lists.append(vals)
    lists += [[5.0], [1.0, 3.0], [1.0, 1.0, 3.0], [0.0, 0.5, 1.0], [-1.0, 1.0]]

    bisected = 0
    checked = 0
    for vals in lists:
        fast = _nearest_in(vals)
        bisected += fast.__name__ == "nearest"
        queries = list(vals) + specials
        queries += [(a + b) / 2 for a, b in itertools.pairwise(vals)]  # midpoints
        queries += [v + d for v in vals for d in (-1e-9, 1e-9, -0.3, 0.3)]
        finite = [v for v in vals if v == v and abs(v) != float("inf")]
        if finite:
            queries += [min(finite) - 100, max(finite) + 100]
            queries += [rng.uniform(min(finite) - 10, max(finite) + 10) for _ in range(20)]
        for q in queries:
            assert fast(q) == _nearest(vals, q), (vals, q)
            checked += 1
    # both paths are exercised: the bisection and the fallback to the scan
    assert 100 < bisected < len(lists), bisected
    assert checked > 10_000


def test_nearest_in_ties_go_to_the_first_index() -> None:
    from parser.tables.pdf_grid import _nearest, _nearest_in

    vals = [0.0, 10.0, 20.0]
    fast = _nearest_in(vals)
    assert [fast(v) for v in (5.0, 15.0, -5.0, 25.0, 10.0)] == [0, 1, 0, 2, 1]
    assert [_nearest(vals, v) for v in (5.0, 15.0)] == [0, 1]
    # the scan's answer for NaN and infinities (every distance NaN or inf): index 0
    assert [fast(v) for v in (float("nan"), float("inf"), float("-inf"))] == [0, 0, 0]
    dup = [1.0, 1.0, 3.0]
    assert _nearest_in(dup)(1.5) == _nearest(dup, 1.5) == 0
    with pytest.raises(ValueError):
        _nearest_in([])(1.0)
