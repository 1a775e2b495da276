"""Statistics tables in text: every rendering a page's text gives of the same table.

* cells run together on one line, with spaces ("主动公开文件数 条 2543 78967 其中：1、…") or
  without ("主动公开信息数条4251516其中：1.网站公开条41815092.政府公报公开条77");
* one cell per line, or one row per line with spaces between cells;
* `cell |` lines, and pipe rows `label | unit | v1 | v2`.

The table is found by its header (指标名称 / 计量单位 / 2014年度 / 历年累计: at least two column
names side by side, one of them a value column), which also gives the order of the value
columns. After it, each row is a label, a unit (a word of the form's unit list) and what
follows up to the next label. Separators (spaces, line breaks, `|`) are cell boundaries; a
stretch of digits without one is cut by stat_split.py only where the cut is proven. Digits
that belong to labels are told apart by their place: numbering before 、 or . ("2、"), inside
brackets or quotes ("(1)", "免予公开范围1"). A number glued before the next row's numbering
("…41815092.政府公报公开") loses its last digits to that numbering only when they are the
number the row above leads one to expect (1. then 2.); otherwise the row is left unread.
"""

from __future__ import annotations

import itertools
import re
from functools import cache

from parser.tables.stat_layout import load_statistics, numbering_of
from parser.tables.stat_model import StatRow, StatTable
from parser.tables.stat_split import Piece

# Same-length folding (offsets stay valid): full-width digits, bar and space.
_FOLD = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)},
                       "｜": "|", "\u3000": " ", "\xa0": " ", "．": "."})
_WS = " \t\r\n\u200b\ufeff"
_OPEN, _CLOSE = "(（[【〔《", ")）]】〕》"
_QUOTES_OPEN, _QUOTES_CLOSE = "“‘「『", "”’」』"
MAX_LABEL_CHARS = 80  # a longer stretch without digits is prose: the table has ended
MAX_HEADER_GAP = 12  # characters between two header cells (spaces, bars, a bracket)


def _spaced(label: str) -> str:
    """A regular expression for a header label that allows spaces inside it (指 标 名 称)."""
    out = []
    i = 0
    while i < len(label):
        if label.startswith("{year}", i):
            out.append(r"(?:19|20)\d{2}")
            i += len("{year}")
            continue
        ch = label[i]
        out.append(r"[(（]" if ch in "(（" else r"[)）]" if ch in ")）" else re.escape(ch))
        i += 1
    return r"\s*".join(out)


@cache
def _header_re() -> re.Pattern[str]:
    """Every column label of the layout, longest first (历年累计 before 累计)."""
    labels = [lab for labs in load_statistics().column_labels.values() for lab in labs]
    labels.sort(key=lambda lab: -len(lab.replace("{year}", "2014")))
    return re.compile("|".join(_spaced(lab) for lab in labels))


_GAP = re.compile(r"[\s|]*(?:[(（][^()（）\n]{0,8}[)）])?[\s|]*")


def _headers(view: str) -> list[tuple[int, int, list[tuple[str, str]]]]:
    """(start, end, [(role, printed)]) of every header in the text."""
    rx = _header_re()
    layout = load_statistics()
    found = []
    cluster: list[tuple[int, int, str, str]] = []

    def close() -> None:
        roles = [c[2] for c in cluster]
        values = [r for r in roles if r in ("year", "cumulative", "year_to_date")]
        if len(cluster) >= 2 and values and ({"label", "unit"} & set(roles) or len(values) >= 2):
            found.append((cluster[0][0], cluster[-1][1], [(c[2], c[3]) for c in cluster]))

    for m in rx.finditer(view):
        printed = m.group(0)
        role = layout.column_role(printed)
        if role is None:
            continue
        gap = view[cluster[-1][1]:m.start()] if cluster else ""
        if cluster and (len(gap) > MAX_HEADER_GAP or not _GAP.fullmatch(gap)):
            close()
            cluster = []
        cluster.append((m.start(), m.end(), role, printed))
    if cluster:
        close()
    return found


def text_tables(text: str, skip: list[tuple[int, int]] | None = None) -> list[StatTable]:
    """Statistics tables in `text` whose header lies outside the `skip` spans (tables the
    document's own grids already gave)."""
    view = text.translate(_FOLD)
    if not any(w in view for w in ("计量单位", "历年累计", "指标名称", "统计指标", "本期实际",
                                   "计 量 单 位", "指 标 名 称")):
        return []  # most documents: no header word at all
    tables: list[StatTable] = []
    floor = 0
    for start, end, cols in _headers(view):
        if start < floor or any(a <= start < b for a, b in skip or []):
            continue
        values = [(r, p) for r, p in cols if r in ("year", "cumulative", "year_to_date")]
        code = any(r == "code" for r, _ in cols)
        unit = any(r == "unit" for r, _ in cols)
        piped = "|" in view[end:end + 200]
        reader = _pipe_rows if piped else _free_rows
        rows, stop = reader(view, end, len(values), unit)
        if not rows:
            continue
        tables.append(StatTable(values, code, rows, start, stop, "text"))
        floor = stop
    return tables


# --- text without bars ----------------------------------------------------------------------


def _label_end(view: str, i: int) -> int:
    """Where the label starting at i ends: at the first digit that is not part of a label
    (numbering before 、/., digits inside brackets or quotes)."""
    n = len(view)
    depth = quote = 0
    while i < n:
        ch = view[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch in _QUOTES_OPEN:
            quote += 1
        elif ch in _QUOTES_CLOSE:
            quote = max(0, quote - 1)
        elif ch.isdigit() and not depth and not quote:
            k = i
            while k < n and view[k].isdigit():
                k += 1
            if k - i <= 2 and k + 1 < n and view[k] in "、." and not view[k + 1].isdigit() \
                    and view[k + 1] not in _WS:
                i = k + 1  # numbering: 2、 / 2.
                continue
            return i
        elif ch in _DASHES and _dash_token(view, i) and not depth and not quote:
            return i  # a cell printed as — / - / 无, standing alone between spaces
        i += 1
    return n


_DASHES = "-－—–―/／无"


def _dash_token(view: str, i: int) -> int:
    """The length of a token of dashes (or 无) alone between separators at i, else 0."""
    if i > 0 and view[i - 1] not in _WS + "|":
        return 0
    k = i
    while k < len(view) and view[k] in _DASHES:
        k += 1
    if view[i] == "无" and k - i > 1:
        return 0
    return k - i if k == len(view) or view[k] in _WS + "|" else 0


def _run_end(view: str, i: int) -> int:
    n = len(view)
    j = i
    while j < n:
        ch = view[j]
        decimal = ch in ".," and j > i and view[j - 1].isdigit() and j + 1 < n \
            and view[j + 1].isdigit()
        if ch.isdigit() or ch in _WS or decimal:
            j += 1
        elif ch in _DASHES and (width := _dash_token(view, j)):
            j += width
        else:
            break
    return j


def _split_unit(label: str, units: list[str]) -> tuple[str, str | None]:
    s = label.rstrip(_WS + "|")
    for u in units:
        if s.endswith(u) and len(s) > len(u):
            return s[: -len(u)].rstrip(_WS + "|"), u
    return s, None


def _pieces(view: str, a: int, b: int) -> list[Piece]:
    return [Piece(m.group(0), a + m.start(), a + m.end())
            for m in re.finditer(r"[^\s]+", view[a:b])]


def _free_rows(view: str, pos: int, ncols: int, has_unit: bool) -> tuple[list[StatRow], int]:
    layout = load_statistics()
    rows: list[StatRow] = []
    n = len(view)
    stop = pos
    while pos < n:
        while pos < n and view[pos] in _WS + "|":
            pos += 1
        lab_end = _label_end(view, pos)
        label_raw = view[pos:lab_end]
        if _ends_table(label_raw, layout.terminators) or lab_end >= n:
            break
        run_end = _run_end(view, lab_end)
        label, unit = _split_unit(label_raw, layout.units) if has_unit else (
            label_raw.strip(_WS), None)
        if not label.strip():
            break  # digits where a label should be: not a row of this table
        row = StatRow(label.strip(), pos, run_end, [], unit, label_start=pos)
        nxt = run_end
        glued = run_end < n and view[run_end] in "、." and run_end + 1 < n \
            and not view[run_end + 1].isdigit()
        if glued:
            nxt, run_end, why = _unglue(view, lab_end, run_end, label)
            row.note = why
        elif run_end < n and view[run_end] in "年月日号":
            # a date after the table ("…0 0 2015年1月"): its digits are not this row's
            last = list(re.finditer(r"\d+", view[lab_end:run_end]))
            if last:
                run_end = lab_end + last[-1].start()
            nxt = n  # the table ends with this row
        row.pieces = _pieces(view, lab_end, run_end)
        row.end = max(lab_end, lab_end + len(view[lab_end:run_end].rstrip(_WS)))
        if _code_row(label) not in layout.column_code_rows:
            rows.append(row)
        stop = row.end
        pos = nxt
    return rows, stop


def _code_row(label: str) -> str:
    """A label compared with the layout's column-code rows (甲 乙 丙)."""
    return re.sub(r"[\s|/]", "", label)


def _ends_table(label: str, terminators: list[str]) -> bool:
    s = label.strip(_WS + "|")
    if not s:
        return False
    if any(t in s for t in terminators):
        return True
    return len(re.sub(r"\s", "", s)) > MAX_LABEL_CHARS or bool(re.search(r"[。；;！？]", s))


def _unglue(view: str, lab_end: int, run_end: int, label: str) -> tuple[int, int, str | None]:
    """The run stops at the next row's numbering separator ("…4181509 2." or "…41815092."):
    give the numbering its digits back. Returns (next label start, run end, problem)."""
    run = view[lab_end:run_end]
    tokens = list(re.finditer(r"\d+", run))
    last = tokens[-1]
    spaced = last.start() > 0 and run[last.start() - 1] in _WS
    if spaced and len(last.group(0)) <= 2:
        return lab_end + last.start(), lab_end + last.start(), None
    mine = numbering_of(label)
    expected = str(mine[1] + 1) if mine and mine[0] == "1." else "1"
    digits = last.group(0)
    if digits.endswith(expected) and len(digits) > len(expected):
        cut = lab_end + last.end() - len(expected)
        return cut, cut, None
    return run_end + 1, run_end, (
        f"the run {digits!r} is glued to the next row's numbering and the numbering's digits "
        "cannot be told from the cells'")


# --- pipe renderings --------------------------------------------------------------------------


def _cells(view: str, pos: int) -> list[tuple[str, int, int]]:
    """Cells of pipe-rendered text from pos: parts between bars and line ends; an empty part
    between two bars on one line is a blank cell. Stops at a non-empty line without a bar."""
    out: list[tuple[str, int, int]] = []
    first = True
    for m in re.finditer(r"[^\n]*", view[pos:]):
        a, b = pos + m.start(), pos + m.end()
        line = view[a:b]
        if not line.strip():
            continue
        if "|" not in line and not first:
            break
        first = False
        bars = [k for k, ch in enumerate(line) if ch == "|"]
        edges = [-1, *bars, len(line)]
        for x, y in itertools.pairwise(edges):
            part = line[x + 1 : y]
            inner = x >= 0 and y < len(line)  # between two bars of this line
            if part.strip() or inner:
                lead = len(part) - len(part.lstrip())
                text = part.strip()
                out.append((text, a + x + 1 + lead, a + x + 1 + lead + len(text)))
    return out


def _pipe_rows(view: str, pos: int, ncols: int, has_unit: bool) -> tuple[list[StatRow], int]:
    layout = load_statistics()
    units = set(layout.units)
    rows: list[StatRow] = []
    stop = pos
    current: StatRow | None = None
    labels: list[tuple[str, int, int]] = []
    for text, a, b in _cells(view, pos):
        kind = "blank" if not text else "unit" if text in units else (
            "value" if re.fullmatch(r"[\d.,\s]+|[-—–/／无]+", text) else "label")
        if kind == "label" and _ends_table(text, layout.terminators):
            break
        if kind == "label":
            if current is not None and current.pieces:
                current = None
            labels.append((text, a, b))
            continue
        if current is None:
            if not labels:
                continue  # a value before any label: the header's own padding
            label = " / ".join(t for t, _, _ in labels)
            current = StatRow(label, labels[0][1], labels[-1][2], [], label_start=labels[0][1])
            labels = []
            if _code_row(label) not in layout.column_code_rows:
                rows.append(current)
        if kind == "unit" and not current.pieces and current.unit is None:
            current.unit = text
            current.end = b
            continue
        current.pieces.append(Piece(text, a, b, cut=False))
        if text:
            current.end = b
            stop = b
    for row in rows:  # trailing blanks beyond the columns are padding of a wider row
        while len(row.pieces) > ncols and not row.pieces[-1].text:
            row.pieces.pop()
    return rows, stop

