"""Shared fixtures: where the read-only corpus lives, and a skip when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from xxgk import settings


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not settings.CORPUS_DIR.is_dir():
        pytest.skip(f"real corpus not found at {settings.CORPUS_DIR} (../shared/corpus)")
    return settings.CORPUS_DIR


# --- OCR (issue 15): documents made from the real 淮安市 2024 report, parsed once per session ---
HUAIAN_2024 = "reports/003_huaian-city_2024.pdf"


@pytest.fixture(scope="session")
def generated_pdfs() -> list[bytes]:
    """Six generated PDF reports of 2023 (benchmarks/synth.py via testkit): well-formed
    reportlab files with the generator's known values."""
    pytest.importorskip("reportlab", reason="reportlab (test extra) makes the generated PDFs")
    from testkit.synth import load_synth

    synth = load_synth()
    return [synth.generate(i, 2023, 0, kind="pdf").data for i in range(6)]


def _page_images(pdf_path: Path, dpi: int = 150) -> list:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        return [pdf[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(pdf))]
    finally:
        pdf.close()


def image_only_pdf(pdf_path: Path, out: Path) -> Path:
    """The report rendered to 150 dpi page images and rebuilt as a PDF of those images (JPEG
    in the PDF, as a scanner writes it): no text layer at all."""
    images = _page_images(pdf_path)
    images[0].save(out, "PDF", resolution=150, save_all=True, append_images=images[1:])
    return out


@pytest.fixture(scope="session")
def scanned_huaian(corpus: Path, tmp_path_factory) -> tuple[Path, object]:
    """(image-only PDF of the 淮安市 2024 report, its ParseResult): OCR costs seconds a page,
    so the tests that look at it share one parse."""
    from parser.pipeline import parse_path

    path = image_only_pdf(corpus / HUAIAN_2024, tmp_path_factory.mktemp("ocr") / "scan.pdf")
    return path, parse_path(path)


def table_bbox(pdf_path: Path, page_no: int, first_label: str | None) -> tuple:
    """The bbox (PDF points) of the ruled table on a page whose cells hold `first_label`,
    else of the first on the page."""
    import pdfplumber

    with pdfplumber.open(pdf_path) as pdf:
        page = pdf.pages[page_no - 1]
        tables = [t for t in page.find_tables() if len({round(c[0]) for c in t.cells}) >= 5]
        if first_label:
            tables = [t for t in tables
                      if any(first_label in (x or "") for row in t.extract() for x in row)]
        return tables[0].bbox


@pytest.fixture(scope="session")
def table3_png_page(corpus: Path, tmp_path_factory) -> tuple[Path, object]:
    """(report page, its ParseResult): the 淮安市 2024 report as a CMS page whose table 三 is a
    PNG image (the real table rendered at 150 dpi from its two pages, joined), the rest of
    the report as text and its tables 二 and 四 as HTML tables, from the PDF's own text layer."""
    from PIL import Image

    from parser.load import load_bytes, read_file
    from parser.pipeline import parse_path

    src = corpus / HUAIAN_2024
    doc = load_bytes(read_file(src), str(src))
    a = table_bbox(src, 4, "本年新收政府信息公开申请数量")
    b = table_bbox(src, 5, None)
    pages, k = _page_images(src), 150 / 72
    left, right = int(min(a[0], b[0]) * k) - 2, int(max(a[2], b[2]) * k) + 3  # as on the pages
    top = pages[3].crop((left, int(a[1] * k) - 2, right, int(a[3] * k) + 1))
    rest = pages[4].crop((left, int(b[1] * k), right, int(b[3] * k) + 3))
    joined = Image.new("RGB", (right - left, top.height + rest.height), "white")
    joined.paste(top, (0, 0))
    joined.paste(rest, (0, top.height))
    folder = tmp_path_factory.mktemp("ocr-html")
    (folder / "images").mkdir()
    joined.save(folder / "images" / "table3.png")

    page = report_page_html(doc, "images/table3.png")
    path = folder / "report.html"
    path.write_text(page, encoding="utf-8")
    return path, parse_path(path)


def report_page_html(doc, image: str | None) -> str:
    """A CMS report page made of a loaded PDF report: its text as paragraphs and its tables
    as HTML tables, except table 三, which is `<img src=image>` when `image` is given."""
    import html

    def as_html_table(grid) -> str:
        rows = []
        for r, row in enumerate(grid.rows):
            cells = []
            for c, cell in enumerate(row):
                if cell.origin != (r, c):
                    continue
                span = sum(1 for x in row if x.origin == cell.origin)
                rspan = sum(1 for rr in grid.rows if any(x.origin == cell.origin for x in rr))
                cells.append(f'<td colspan="{span}" rowspan="{rspan}">'
                             f'{html.escape(cell.text)}</td>')
            rows.append("<tr>" + "".join(cells) + "</tr>")
        return '<table border="1">' + "".join(rows) + "</table>"

    def paragraphs(text: str) -> list[str]:
        return [f"<p>{html.escape(line)}</p>" for line in text.split("\n") if line.strip()]

    parts: list[str] = []
    pos = 0
    for grid in sorted(doc.tables, key=lambda g: g.start):
        parts += paragraphs(doc.text[pos:grid.start])
        if image and any("本年新收政府信息公开申请数量" in c.text for row in grid.rows for c in row):
            parts.append(f'<p style="text-align:center"><img src="{image}" '
                         'alt="收到和处理政府信息公开申请情况"></p>')
        else:
            parts.append(as_html_table(grid))
        pos = max(pos, grid.end)
    parts += paragraphs(doc.text[pos:])
    title = html.escape(doc.meta.get("title", ""))
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>'
            '<body><div class="header">首页 &gt; 政府信息公开 &gt; 年度报告</div>'
            f'<div class="TRS_Editor">{"".join(parts)}</div>'
            '<div class="footer">主办单位：淮安市人民政府办公室</div></body></html>')


def mixed_pdf(pdf_path: Path, scanned_page: int, out: Path) -> Path:
    """The report with one page (1-based) replaced by its 150 dpi image: the other pages keep
    their text layer."""
    import pypdfium2 as pdfium

    image = _page_images(pdf_path)[scanned_page - 1]
    scan = out.with_suffix(".page.pdf")
    image.save(scan, "PDF", resolution=150)
    src, page_pdf, new = (pdfium.PdfDocument(str(pdf_path)), pdfium.PdfDocument(str(scan)),
                          pdfium.PdfDocument.new())
    n = len(src)
    new.import_pages(src, list(range(scanned_page - 1)))
    new.import_pages(page_pdf, [0])
    new.import_pages(src, list(range(scanned_page, n)))
    new.save(str(out))
    for pdf in (src, page_pdf, new):
        pdf.close()
    return out
