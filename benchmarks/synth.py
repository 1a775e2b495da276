"""A synthetic national corpus: realistic annual reports with their known values kept as gold.

The benchmark needs 10^5 reports in every era and document kind, which no fixture set holds
and no crawl may fetch; the accuracy test needs the same reports with their answers. Each
report here is derived from its index and a seed alone (so any slice can be regenerated
without the others), rendered with the project's fixture generators — the table markup of
`fixtures/tables/generate.py` (merged cells as in the template, blanks, full-width digits,
split labels) and the PDF/DOCX layout of `fixtures/site/generate.py` — from values drawn here:

- publishers: every GB/T 2260 division the archive knows (cpca's adcodes, through
  `archive.publishers.divisions()`), its government first, then its departments, so
  130,000 reports name ~3,200 governments × ~40 bodies, as the country does;
- values: most table cells zero, a few large (Pareto tail); totals and balances consistent;
- integrity: `BROKEN_SHARE` of reports print one total (table era) or one channel count
  (legacy) that does not add up, as real reports sometimes do — the gold is the number as
  printed, and `broken` names the rule the parser's checks should flag;
- eras: legacy prose (report year ≤ 2018, sentences of the kinds the rules in
  parser/data/legacy_labels.tsv and zero_phrases.tsv cover), v2019 (2019–2020) and v2021
  tables; kinds: HTML utf-8, HTML gbk, PDF (reportlab, the `fixtures` extra; without it PDFs
  become HTML and `pdf_available()` says so) and DOCX (python-docx).

`gold` holds, per canonical key, the value the report prints; a zero printed as a blank cell
is 0 there (the template says a blank means 0; the parser's values say so in a note), except a
blank *total*, which is None (the parser does not turn a missing sum into 0); such keys are
listed in `blank_keys`.
"""

from __future__ import annotations

import importlib.util
import io
import random
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


tg = _load("xxgk_tables_gen", ROOT / "fixtures" / "tables" / "generate.py")
sg = _load("xxgk_site_gen", ROOT / "fixtures" / "site" / "generate.py")

# Real shares are unknown per kind; these follow the corpus (mostly HTML pages, a fifth PDF).
KIND_WEIGHTS = {"html": 0.55, "html-gbk": 0.15, "pdf": 0.2, "docx": 0.1}
BROKEN_SHARE = 0.05
BLANK_ZERO_SHARE = 0.15
FULLWIDTH_SHARE = 0.05
SPLIT_LABELS_SHARE = 0.05
DEPARTMENTS = (
    None, "人民政府办公室", "发展和改革局", "教育局", "科学技术局", "工业和信息化局", "公安局",
    "民政局", "司法局", "财政局", "人力资源和社会保障局", "自然资源局", "生态环境局",
    "住房和城乡建设局", "交通运输局", "水利局", "农业农村局", "商务局", "文化和旅游局",
    "卫生健康委员会", "退役军人事务局", "应急管理局", "审计局", "市场监督管理局", "统计局",
    "医疗保障局", "林业局", "城市管理局", "体育局", "信访局", "行政审批局", "数据资源局",
    "乡村振兴局", "机关事务管理局", "粮食和物资储备局", "人民防空办公室", "地方金融监督管理局",
    "民族宗教事务局", "档案局", "气象局", "投资促进局",
)
COLS = tg.COLS


@dataclass
class SynthReport:
    """One generated document and what it says (the gold)."""

    index: int
    publisher: str
    division_code: str
    year: int
    era: str  # legacy | v2019 | v2021
    kind: str  # html | html-gbk | pdf | docx
    data: bytes
    filename: str
    gold: dict[str, int | float | None]
    broken: str | None = None  # the integrity rule this report breaks, if any
    blank_keys: list[str] = field(default_factory=list)


def era_of(year: int) -> str:
    return "legacy" if year <= 2018 else "v2019" if year <= 2020 else "v2021"


def pdf_available() -> bool:
    return importlib.util.find_spec("reportlab") is not None


@cache
def _divisions() -> list:
    from archive import publishers

    divs = sorted(publishers.divisions().values(), key=lambda d: d.code)
    # Names that need a hint to resolve (朝阳区 of 北京 or 长春) are not an issue: the chain
    # below always starts at the province or city.
    return divs


def publisher_of(index: int) -> tuple[str, str]:
    """(printed name, division code) of report `index`: each government, then departments."""
    divs = _divisions()
    div = divs[index % len(divs)]
    dept = DEPARTMENTS[(index // len(divs)) % len(DEPARTMENTS)]
    if div.level == "county":
        place = (div.city or div.province) + div.county
    elif div.level == "city":
        place = div.province + div.city
    else:
        place = div.province
    return place + (dept or "人民政府"), div.code


def _count(rng: random.Random, p_nonzero: float, scale: float = 1.0) -> int:
    """Mostly zero; otherwise a heavy tail (1, 2, 3 … and now and then hundreds)."""
    if rng.random() >= p_nonzero:
        return 0
    return min(int(rng.paretovariate(1.1) * scale), 90000)


# Chance that a result row is non-zero for a natural person (companies far less often).
_ROW_P = {"results.disclosed": 0.85, "results.partial": 0.35, "results.unavailable.not_held": 0.5,
          "results.unavailable.unclear": 0.15, "results.not_processed.petition": 0.15,
          "results.not_processed.duplicate": 0.1, "results.other.total": 0.1,
          "results.other.other": 0.1}


def table_values(rng: random.Random, version: str) -> dict[str, int | float]:
    """Table 二/三/四 values with the template's sums and balances holding."""
    v: dict[str, int | float] = {}
    for key, ref in (tg.ACTIVE_V2021 if version == "v2021" else tg.ACTIVE_V2019).items():
        if key == "active.fees.amount_10k_yuan":
            v[key] = round(rng.paretovariate(1.0) * 3, 2) if rng.random() < 0.15 else 0
        elif key.endswith(".change"):
            v[key] = rng.randint(-abs(ref), abs(ref)) if rng.random() < 0.4 else 0
        else:
            v[key] = _count(rng, 0.5, scale=max(1, ref) / 20)
    items = tg.ITEMS + (tg.OTHER_SPLIT if version == "v2021" else tg.OTHER_SINGLE)
    for prefix, _, _ in items:
        p = _ROW_P.get(prefix, 0.04)
        for c in COLS:
            v[f"{prefix}.{c}"] = _count(rng, p if c == "natural_person" else p / 6)
    for c in COLS:
        total = sum(int(v[f"{p}.{c}"]) for p, _, _ in items)
        fwd = _count(rng, 0.2) if total else 0
        over = min(_count(rng, 0.2), total + fwd)
        v[f"results.total.{c}"] = total
        v[f"applications.carried_over.{c}"] = over
        v[f"applications.carried_forward.{c}"] = fwd
        v[f"applications.new.{c}"] = total + fwd - over
    for prefix in ["applications.new", "applications.carried_over", "results.total",
                   "applications.carried_forward"] + [p for p, _, _ in items]:
        v[f"{prefix}.total"] = sum(int(v[f"{prefix}.{c}"]) for c in COLS)
    for g in tg.TABLE4:
        parts = [_count(rng, 0.08) for _ in tg.OUTCOMES]
        for o, x in zip(tg.OUTCOMES, parts, strict=True):
            v[f"{g}.{o}"] = x
        v[f"{g}.total"] = sum(parts)
    return v


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}".rstrip("0").rstrip(".") + "%"


def legacy_prose(rng: random.Random, year: int, broken: bool) -> tuple[list[str], dict, str | None]:
    """Paragraphs of a legacy (≤2018) report and the values its sentences state."""
    g: dict[str, int | float] = {}
    g["legacy.staff.total"] = staff = rng.randint(2, 120)
    full = rng.randint(1, staff)
    g["legacy.active.total"] = active = rng.randint(50, 20000)
    g["legacy.active.normative_docs"] = norm = rng.randint(0, min(active, 200))
    g["legacy.active.via.website"] = web = rng.randint(active // 2, active)
    g["legacy.active.via.gazette"] = gaz = rng.randint(1, 300)
    g["legacy.active.via.new_media"] = nm = rng.randint(1, 3000)
    g["legacy.response.interpretations"] = interp = rng.randint(1, 200)
    g["legacy.response.press_conferences"] = press = rng.randint(1, 40)
    g["legacy.consultations.total"] = cons = rng.randint(1, 5000)
    g["legacy.reading_points"] = points = rng.randint(1, 60)
    paras = [
        "根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定，特向社会公布本机关"
        f"{year}年政府信息公开工作年度报告。本报告中所列数据的统计期限自{year}年1月1日起至"
        f"{year}年12月31日止。",
        "一、概述",
        f"{year}年，本机关认真贯彻落实《条例》，不断完善政府信息公开工作机制，拓展公开渠道。",
        f"（一）加强组织领导。明确分管领导和工作人员，共有从事政府信息公开工作人员{staff}人，"
        f"其中专职人员{full}人。",
        "二、主动公开政府信息情况",
        f"{year}年，新增主动公开政府信息{active}条，其中规范性文件{norm}条。其中，通过政府网站"
        f"公开{web}条，通过政府公报公开{gaz}条，通过政务微博、微信等新媒体公开{nm}条。"
        f"发布政策解读稿件{interp}篇，召开新闻发布会{press}次。全年共受理群众咨询{cons}人次。"
        f"共设立政府信息公开查阅点{points}个。",
        "三、依申请公开政府信息情况",
    ]
    rule = None
    if rng.random() < 0.3:  # a quiet year: zeros stated in words
        g["legacy.apply.received.total"] = 0
        paras.append(f"{year}年，本机关未收到政府信息公开申请。")
    else:
        ch = [rng.randint(0, 30), rng.randint(1, 60), rng.randint(0, 10)]
        total = sum(ch)
        printed = list(ch)
        if broken:
            printed[0] += rng.randint(1, 3)  # channels no longer add up to the total
            rule = "legacy.channels_sum"
        keys = ("in_person", "online", "letter")
        g["legacy.apply.received.total"] = total
        for k, x in zip(keys, printed, strict=True):
            g[f"legacy.apply.received.{k}"] = x
        words = ("当面申请", "网络申请", "信函申请")
        parts = "；".join(f"{w}{x}件，占{_pct(x, total)}" for w, x in zip(words, printed,
                                                                         strict=True))
        paras.append(f"{year}年，共收到政府信息公开申请{total}件，其中{parts}。")
        rep = [0, 0, 0, 0]
        for _ in range(total):
            rep[rng.choices(range(4), (0.7, 0.12, 0.08, 0.1))[0]] += 1
        g["legacy.apply.replies.total"] = total
        for k, x in zip(("disclosed", "partial", "denied", "not_exist"), rep, strict=True):
            g[f"legacy.apply.replies.{k}"] = x
        paras.append(
            f"已全部按期答复{total}件，其中：同意公开的{rep[0]}件，占{_pct(rep[0], total)}；"
            f"同意部分公开的{rep[1]}件，占{_pct(rep[1], total)}；不同意公开的{rep[2]}件，"
            f"占{_pct(rep[2], total)}；申请信息不存在的{rep[3]}件，占{_pct(rep[3], total)}。")
    g["legacy.fees.amount_yuan"] = 0
    g["legacy.fees.waived_yuan"] = 0
    review = _count(rng, 0.2)
    g["legacy.review.total"] = review
    g["legacy.litigation.total"] = 0
    paras += [
        "四、政府信息公开的收费及减免情况",
        f"{year}年，未收取政府信息公开检索、复制、邮寄等费用，收费金额为0元，减免金额为0元。",
        "五、因政府信息公开申请行政复议、提起行政诉讼的情况",
        f"{year}年，发生因政府信息公开申请行政复议案件{review}件，未发生因政府信息公开提起"
        "行政诉讼的情况，行政诉讼0件。",
        "六、政府信息公开工作存在的主要问题及改进情况",
        "一是部分单位公开内容不够全面；二是政策解读形式较为单一。",
        "七、其他需要报告的事项",
        "无。",
    ]
    return paras, g, rule


def _break_table(rng: random.Random, v: dict) -> str:
    """Print one column total of table 三 off by a little (the report's own error)."""
    c = rng.choice(COLS)
    v[f"results.total.{c}"] = int(v[f"results.total.{c}"]) + rng.randint(1, 5)
    return "table.results_total"


def _html_page(title: str, publisher: str, body: str, charset: str) -> str:
    return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{title}_{publisher}</title>
<meta name="ArticleTitle" content="{title}"><meta name="ContentSource" content="{publisher}">
</head><body>
<div class="top">登录 | 注册 无障碍 长者模式</div>
<div class="breadcrumb">首页 &gt; 政府信息公开 &gt; 政府信息公开年报</div>
<h1>{title}</h1>
<div class="TRS_Editor" id="zoom">
{body}
</div>
<div class="footer">网站地图 | 网站标识码 0000000000 | ICP备00000000号</div>
</body></html>
"""


def _table_body(r: dict, v: dict, st, version: str) -> str:
    t2 = tg._table2_v2021(v, st) if version == "v2021" else tg._table2_v2019(v, st)
    paras = "".join(f"<p>{p}</p>" for p in sg.prose(r))
    return (f"{paras}\n<p>二、主动公开政府信息情况</p>\n{t2}\n"
            f"<p>三、收到和处理政府信息公开申请情况</p>\n{tg._table3(v, version, st)}\n"
            f"<p>四、政府信息公开行政复议、行政诉讼情况</p>\n{tg._table4(v, st)}\n"
            "<p>五、存在的主要问题及改进情况</p>\n<p>一是公开内容有待丰富；二是解读形式有待创新。</p>\n"
            "<p>六、其他需要报告的事项</p>\n<p>本年度未收取信息处理费。</p>")


@cache
def _pdf_styles():
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("cn", fontName="STSong-Light", fontSize=10.5, leading=16,
                           wordWrap="CJK")
    return style, ParagraphStyle("cn7", parent=style, fontSize=7, leading=9)


def _pdf(title: str, publisher: str, paras: list[str], rows: list[list[str]] | None) -> bytes:
    """The site generator's PDF layout (prose, then table 三 as a ruled grid)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    style, small = _pdf_styles()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, title=title, author=publisher, invariant=1)
    flow = [Paragraph(title, style), Spacer(1, 8)] + [Paragraph(p, style) for p in paras]
    if rows:
        flow.append(Paragraph("三、收到和处理政府信息公开申请情况", style))
        table = Table([[Paragraph(c, small) for c in row] for row in rows],
                      colWidths=[170] + [45] * 7)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
        flow += [table, Paragraph("四、存在的主要问题及改进情况", style),
                 Paragraph("一是公开内容有待丰富；二是解读形式有待创新。", style)]
    doc.build(flow)
    return buf.getvalue()


def _docx(title: str, publisher: str, paras: list[str], rows: list[list[str]] | None) -> bytes:
    """The site generator's DOCX layout (prose, then table 三 as a Word table)."""
    import docx

    d = docx.Document()
    d.core_properties.title = title
    d.core_properties.author = publisher
    d.add_paragraph(title)
    for p in paras:
        d.add_paragraph(p)
    if rows:
        d.add_paragraph("三、收到和处理政府信息公开申请情况")
        t = d.add_table(rows=len(rows), cols=len(rows[0]))
        t.style = "Table Grid"
        for i, row in enumerate(rows):
            for j, text in enumerate(row):
                t.cell(i, j).text = text
        d.add_paragraph("四、存在的主要问题及改进情况")
        d.add_paragraph("一是公开内容有待丰富；二是解读形式有待创新。")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def generate(index: int, year: int = 2023, seed: int = 0, kind: str | None = None) -> SynthReport:
    """Report `index` of the synthetic corpus for report year `year` (deterministic)."""
    rng = random.Random(f"{seed}/{year}/{index}")
    publisher, code = publisher_of(index)
    era = era_of(year)
    if kind is None:
        kind = rng.choices(list(KIND_WEIGHTS), list(KIND_WEIGHTS.values()))[0]
    if kind == "pdf" and not pdf_available():
        kind = "html"
    broken = rng.random() < BROKEN_SHARE
    title = f"{publisher}{year}年政府信息公开工作年度报告"
    blank_keys: list[str] = []
    rule = None
    if era == "legacy":
        paras, gold, rule = legacy_prose(rng, year, broken)
        rows = None
        body = "".join(f"<p>{p}</p>" for p in paras)
    else:
        v = table_values(rng, era)
        if broken:
            rule = _break_table(rng, v)
        r = {"year": year, "active": rng.randint(20, 30000), "interp": rng.randint(0, 300)}
        paras = sg.prose(r)
        # The prose (主动公开N条, 政策解读N篇, 未收取信息处理费) states nothing that has a key
        # of the 2019/2021 formats: the gold is the tables'.
        gold = dict(v)
        html_kind = kind.startswith("html")
        st = tg.Style(blank_zero=html_kind and rng.random() < BLANK_ZERO_SHARE,
                      fullwidth=html_kind and rng.random() < FULLWIDTH_SHARE,
                      split_labels=html_kind and rng.random() < SPLIT_LABELS_SHARE)
        st.split_table = st.split_labels
        body = _table_body(r, v, st, era)
        blank_keys = sorted(set(st.blank_keys))
        for k in blank_keys:  # a blank total is not a number the report states
            if k.endswith(".total"):
                gold[k] = None
        rows = sg.table3_rows(v, era)
        if not html_kind:  # PDF and DOCX carry the prose and table 三 only
            prefixes = ("applications.", "results.")
            gold = {k: x for k, x in gold.items() if k.startswith(prefixes)}
    if kind == "pdf":
        data, ext = _pdf(title, publisher, paras, rows), "pdf"
    elif kind == "docx":
        data, ext = _docx(title, publisher, paras, rows), "docx"
    else:
        charset = "gbk" if kind == "html-gbk" else "utf-8"
        # gb18030 bytes under a gbk label: what such sites send (the parser reads gbk as gb18030)
        html = _html_page(title, publisher, body, charset)
        data = html.encode("gb18030" if charset == "gbk" else "utf-8")
        ext = "html"
    return SynthReport(index, publisher, code, year, era, kind, data,
                       f"{year}/{index:06d}.{ext}", gold, rule, blank_keys)


def same(value: int | float | None, gold: int | float | None) -> bool:
    """Exact: the same number (floats to 1e-9), or both absent."""
    if value is None or gold is None:
        return value is None and gold is None
    return abs(value - gold) < 1e-9


def compare(report: SynthReport, values: dict) -> tuple[int, int, list[str]]:
    """(gold cells, exactly right cells, wrong or missing keys) of one parsed report."""
    wrong = [k for k, x in report.gold.items() if not same(values.get(k), x)]
    return len(report.gold), len(report.gold) - len(wrong), wrong
