"""DOCX reports: body order, tables as Grids with gridSpan/vMerge expanded, offsets."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as settings_h
from hypothesis import strategies as st

from parser.load import load_bytes, read_file
from parser.model import Document
from xxgk import settings

TEMPLATE = settings.CORPUS_DIR / "reference" / "template-2021_blank.docx"


@pytest.fixture(scope="module")
def template() -> Document:
    if not TEMPLATE.exists():
        pytest.skip(f"corpus file {TEMPLATE} is absent (the shared corpus is not mounted)")
    return load_bytes(read_file(TEMPLATE), str(TEMPLATE))


def test_template_text_in_body_order(template: Document) -> None:
    doc = template
    assert doc.kind == "docx"
    assert doc.text.startswith(
        "政府信息公开工作年度报告格式模板\n一、总体情况\n（文字描述）\n二、主动公开政府信息情况\n第二十条第（一）项\n"
    )
    assert doc.text.endswith("六、其他需要报告的事项\n（文字描述，收取信息处理费情况在此处报告。）")
    t2, t3, t4 = doc.tables
    i2 = doc.text.index("二、主动公开政府信息情况")
    i3 = doc.text.index("三、收到和处理政府信息公开申请情况")
    i4 = doc.text.index("四、政府信息公开行政复议、行政诉讼情况")
    i5 = doc.text.index("五、存在的主要问题及改进情况")
    assert i2 < t2.start < t2.end < i3 < t3.start < t3.end < i4 < t4.start < t4.end < i5
    assert (
        doc.text[t2.start : t2.end].split("\n")[1]
        == "信息内容\t本年制发件数\t本年废止件数\t现行有效件数"
    )
    assert "\n一、本年新收政府信息公开申请数量\t\t\t\t\t\t\t\n" in doc.text


def test_template_grids(template: Document) -> None:
    t2, t3, t4 = template.tables
    assert [(len(g.rows), len(g.rows[0])) for g in (t2, t3, t4)] == [(14, 4), (28, 10), (4, 15)]
    assert all(g.source == "docx" for g in (t2, t3, t4))
    # Table 二: a caption spanning four columns, then the header row.
    assert [c.text for c in t2.rows[0]] == ["第二十条第（一）项"] * 4
    assert [c.span_copy for c in t2.rows[0]] == [False, True, True, True]
    assert t2.texts()[1] == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    assert t2.texts()[2] == ["规章", "", "", ""]  # ideographic-space cells are blank
    assert t2.texts()[13] == ["行政事业性收费", "", "", ""]
    assert t2.texts()[12][1] == "本年收费金额（单位：万元）"
    # Table 三: the 3×3 caption block, the applicant headers, 三、本年度办理结果 over 22 rows.
    assert {t3.rows[r][c].origin for r in range(3) for c in range(3)} == {(0, 0)}
    assert t3.texts()[1][3:] == [
        "自然人",
        "法人或其他组织",
        "法人或其他组织",
        "法人或其他组织",
        "法人或其他组织",
        "法人或其他组织",
        "总计",
    ]
    assert t3.texts()[2][4:9] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    assert t3.rows[2][3].origin == (1, 3) and t3.rows[2][3].span_copy
    assert {t3.rows[r][0].origin for r in range(5, 27)} == {(5, 0)}
    assert t3.rows[5][0].text == "三、本年度办理结果" and not t3.rows[5][0].span_copy
    assert [t3.rows[r][1].text for r in (7, 15, 18, 23, 26)] == [
        "（三）不予公开",
        "（四）无法提供",
        "（五）不予处理",
        "（六）其他处理",
        "（七）总计",
    ]
    assert t3.rows[8][1].origin == (7, 1) and t3.rows[8][1].span_copy
    assert t3.texts()[25][2] == "3.其他"
    assert t3.texts()[27][0] == "四、结转下年度继续办理"
    # Table 四: headers broken by line breaks inside a cell are joined (结果\n纠正 → 结果纠正).
    assert t4.texts()[0] == ["行政复议"] * 5 + ["行政诉讼"] * 10
    assert t4.texts()[2] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3
    assert t4.rows[2][0].origin == (1, 0) and t4.rows[2][0].span_copy
    assert t4.texts()[3] == [""] * 15


def test_offsets_into_the_text_layer(template: Document) -> None:
    doc = template
    assert len(doc.offsets) == len(doc.text)
    for i, ch in enumerate(doc.text):
        assert ch.isspace() or doc.raw[doc.offsets[i]] == ch


def _docx_bytes() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("某局2022年政府信息公开工作年度报告")
    d.add_paragraph("一、总体情况")
    d.add_paragraph("全年收到申请　12件。")  # ideographic space inside a line
    table = d.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "第二十条第（一）项"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "规章"
    table.cell(1, 1).text = "1"
    table.cell(1, 2).text = "2"
    table.cell(2, 1).text = "3"
    table.cell(2, 2).text = "4"
    d.add_paragraph("二、其他需要报告的事项")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_generated_docx_merges(tmp_path: Path) -> None:
    path = tmp_path / "r.docx"
    path.write_bytes(_docx_bytes())
    doc = load_bytes(read_file(path), str(path))
    assert doc.text == (
        "某局2022年政府信息公开工作年度报告\n一、总体情况\n全年收到申请 12件。\n"
        "第二十条第（一）项\n规章\t1\t2\n\t3\t4\n二、其他需要报告的事项"
    )
    (grid,) = doc.tables
    assert grid.texts() == [["第二十条第（一）项"] * 3, ["规章", "1", "2"], ["规章", "3", "4"]]
    assert grid.rows[2][0].origin == (1, 0) and grid.rows[2][0].span_copy
    assert [c.span_copy for c in grid.rows[0]] == [False, True, True]
    assert doc.text[grid.start : grid.end] == "第二十条第（一）项\n规章\t1\t2\n\t3\t4"


# -- paragraph text: read off the XML as python-docx's Paragraph.text gives it ---------------

RUN_PARTS = [
    "<w:t>本年新</w:t>", "<w:t xml:space='preserve'> 12 </w:t>", "<w:t/>", "<w:tab/>",
    "<w:br/>", "<w:br w:type='page'/>", "<w:br w:type='column'/>",
    "<w:br w:type='textWrapping'/>", "<w:cr/>", "<w:noBreakHyphen/>", "<w:ptab/>",
    "<w:rPr><w:b/></w:rPr>", "<w:instrText>PAGE</w:instrText>", "<w:delText>删</w:delText>",
    "<w:sym w:char='F0FC'/>", "<w:fldChar w:fldCharType='begin'/>", "<!-- note -->",
    "<w:softHyphen/>",
]


def _paragraph_xml(runs: list[list[str]], linked: list[bool]) -> str:
    ns = ("xmlns:w='http://schemas.openxmlformats.org/wordprocessingml/2006/main' "
          "xmlns:r='http://schemas.openxmlformats.org/officeDocument/2006/relationships'")
    body = ""
    for parts, link in zip(runs, linked, strict=True):
        run = "<w:r>" + "".join(parts) + "</w:r>"
        body += f"<w:hyperlink r:id='rId9'>{run}<w:r><w:t>链</w:t></w:r></w:hyperlink>" \
            if link else run
    return f"<w:p {ns}><w:pPr><w:jc w:val='center'/></w:pPr>{body}<w:proofErr/></w:p>"


@settings_h(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.lists(st.sampled_from(RUN_PARTS), max_size=6), st.booleans()),
                max_size=5))
def test_paragraph_text_as_python_docx_reads_it(runs) -> None:
    from docx.oxml.parser import parse_xml
    from docx.text.paragraph import Paragraph

    from parser.docx_text import _para_text

    p = parse_xml(_paragraph_xml([r for r, _ in runs], [k for _, k in runs]))
    assert _para_text(p) == Paragraph(p, None).text


@pytest.fixture(scope="module")
def generated_docx() -> list[bytes]:
    """Four generated DOCX reports of 2023 (benchmarks/synth.py via testkit)."""
    from testkit.synth import load_synth

    synth = load_synth()
    return [synth.generate(i, 2023, 0, kind="docx").data for i in range(4)]


def test_every_paragraph_of_the_docx_files(generated_docx) -> None:
    """Fixtures, the corpus template and generated reports: each w:p the same both ways."""
    import docx
    from docx.text.paragraph import Paragraph

    from parser.docx_text import W, _para_text

    files = [p.read_bytes() for p in sorted(settings.FIXTURES_DIR.rglob("*.docx"))]
    files += [TEMPLATE.read_bytes()] if TEMPLATE.exists() else []
    n = 0
    for data in files + generated_docx:
        for p in docx.Document(io.BytesIO(data)).element.body.iter(f"{W}p"):
            assert _para_text(p) == Paragraph(p, None).text
            n += 1
    assert n > 500
