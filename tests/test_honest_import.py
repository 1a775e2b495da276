"""Honest imports, the archive's half: `xxgk import` of a folder of downloads files only the
annual reports as reports, keeps the rest with provenance and the reason, names what it
could not read, and exits 0 only when nothing was lost. `xxgk build` ends with the same
summary. A report without a publisher is a report with none and a failed check, never a
publisher named after a hash."""

from __future__ import annotations

import json
import shutil

import pytest
import sqlite_utils
from click.testing import CliRunner

from archive.parsing import PUBLISHER_UNKNOWN
from xxgk.cli import cli

NOT_REPORTS = {
    "reference/dingxi-statistics-form_pre2019_excerpt.txt":
        "title names another kind of document (报表): 定西市政府信息公开情况统计报表",
    "reference/format-2021-notice_excerpt.txt":
        "title names another kind of document (通知): 国务院办公厅政府信息与政务公开办公室关于印发"
        "《中华人民共和国政府信息公开工作年度报告格式》的通知",
    "reference/guoban-2016-201-litigation-counting.txt": "a letter or directive (收悉, 现答复如下)",
    "reference/putian-2009-notice-appendix_excerpt.txt":
        "title names another kind of document (通知): 莆田市人民政府办公室关于做好2009年度"
        "政府信息公开工作年度报告有关事项的通知",
    "reference/template-2021_blank.docx": "a blank template (（文字描述）; no figures filled in)",
}


@pytest.fixture(scope="module")
def imported(corpus, tmp_path_factory):
    db = tmp_path_factory.mktemp("honest") / "corpus.db"
    result = CliRunner().invoke(cli, ["import", str(corpus), "--db", str(db)])
    return result, sqlite_utils.Database(db)


def test_importing_the_corpus_files_only_reports_as_reports(imported, corpus):
    result, db = imported
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1:4] == [
        "67 files: 67 new documents, 0 already stored",
        "62 reports, 5 not reports, 0 unreadable",
        "not reports (stored, not filed as reports): 3 title names another kind of document, "
        "1 a blank template, 1 a letter or directive",
    ]
    assert lines[4:9] == [f"  {corpus / name}: {why}" for name, why in NOT_REPORTS.items()]
    assert lines[9] == "build: parsed 67 of 67 stored documents: 62 reports, 5 not reports, " \
                       "0 unreadable"
    assert db["reports"].count == 62
    kept = {r["path"].split("corpus/", 1)[1]: r["reason"] for r in db.query(
        "select u.path, p.reason from parses p join document_urls u using (document_id) "
        "where p.status = 'not_report'")}
    assert kept == NOT_REPORTS  # stored, with provenance and the reason


def test_a_report_without_publisher_has_none_and_a_failed_check(imported):
    _, db = imported
    unknown = list(db.query(
        "select r.key, r.publisher_id, c.ok, c.detail from reports r join checks c "
        "on c.report_id = r.id and c.rule = ? order by r.key", [PUBLISHER_UNKNOWN]))
    assert len(unknown) == 21
    assert all(u["key"].startswith("document/") and u["publisher_id"] is None
               and u["ok"] == 0 and u["detail"].startswith("未能确定发布机关") for u in unknown)
    assert db.execute("select count(*) from publishers where id like 'document/%' "
                      "or name like 'document/%'").fetchone()[0] == 0
    # every report with a publisher has no such check
    assert db.execute("select count(*) from reports where publisher_id is null").fetchone()[0] \
        == 21


def test_a_publisher_hint_gives_such_a_report_its_publisher(corpus, tmp_path):
    excerpt = corpus / "dev" / "raw" / "d27_yicheng-jyj_2022.txt"
    db = tmp_path / "a.db"
    result = CliRunner().invoke(cli, ["import", str(excerpt), "--db", str(db),
                                      "--publisher-hint", "宜城市人民政府", "--json"])
    data = json.loads(result.stdout)
    assert data["documents"][0]["report_key"] == "湖北省襄阳市宜城市人民政府/2022"
    checks = sqlite_utils.Database(db).execute(
        "select count(*) from checks where rule = ?", [PUBLISHER_UNKNOWN]).fetchone()[0]
    assert checks == 0


def test_unreadable_files_are_named_and_the_exit_code_says_so(corpus, tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    shutil.copy(corpus / "reports" / "000_changchun-luyuan_2018.txt", folder / "report.txt")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n garbage that is not a pdf")
    db = tmp_path / "a.db"
    result = CliRunner().invoke(cli, ["import", str(folder), "--db", str(db)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[2] == "1 reports, 0 not reports, 1 unreadable"
    assert lines[3] == "unreadable (1):"
    assert lines[4].startswith(f"  {folder / 'broken.pdf'}: ")
    assert sqlite_utils.Database(db)["documents"].count == 2  # kept all the same
    only_broken = CliRunner().invoke(cli, ["import", str(folder / "broken.pdf"),
                                           "--db", str(tmp_path / "b.db")])
    assert only_broken.exit_code == 2


def test_quiet_prints_nothing_unless_something_was_lost(corpus, tmp_path):
    good = corpus / "reports" / "000_changchun-luyuan_2018.txt"
    ok = CliRunner().invoke(cli, ["import", str(good), "--db", str(tmp_path / "a.db"), "-q"])
    assert (ok.exit_code, ok.stdout, ok.stderr) == (0, "", "")
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4\n garbage")
    lost = CliRunner().invoke(cli, ["import", str(bad), "--db", str(tmp_path / "a.db"), "-q"])
    assert lost.exit_code == 2 and lost.stdout == ""
    assert "unreadable (1):" in lost.stderr and str(bad) in lost.stderr


def test_json_lists_every_file_with_its_status(imported, corpus, tmp_path):
    db = tmp_path / "j.db"
    result = CliRunner().invoke(cli, ["import", str(corpus / "reference"), "--db", str(db),
                                      "--json"])
    data = json.loads(result.stdout)
    assert (data["files"], data["reports"], data["not_reports"], data["unreadable"]) == (
        5, 0, 5, 0)
    assert data["not_report_reasons"] == {"title names another kind of document": 3,
                                          "a blank template": 1, "a letter or directive": 1}
    assert {d["path"].split("corpus/", 1)[1]: d["reason"] for d in data["documents"]} \
        == NOT_REPORTS
    assert data["created"] is True and data["exit_code"] == 0 and result.exit_code == 0


def test_build_names_what_it_could_not_read(tmp_path):
    from archive.store import add_document

    db = sqlite_utils.Database(tmp_path / "a.db")
    # (an image is no document of its own: it is read by OCR with the page that shows it)
    add_document(db, b"%PDF-1.4\n garbage that is not a pdf", url="https://x.gov.cn/a.pdf")
    add_document(db, "<html><body><p>页面不存在或该信息已删除</p></body></html>".encode(),
                 url="https://x.gov.cn/gone.html", media_type="text/html")
    result = CliRunner().invoke(cli, ["build", "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        "parsed 2 of 2 stored documents: 0 reports, 1 not reports, 1 unreadable",
        "not reports: 1 a 'page not found / deleted' stub",
        "  https://x.gov.cn/gone.html: a 'page not found / deleted' stub",
        "unreadable (1), stored with the reason:",
    ]
    assert lines[4].startswith("  https://x.gov.cn/a.pdf: ") and "PDF" in lines[4]
    data = json.loads(CliRunner().invoke(
        cli, ["build", "--db", str(tmp_path / "a.db"), "--force", "--json"]).stdout)
    assert (data["forced"], data["parsed"], data["unreadable"], data["exit_code"]) == (
        True, 2, 1, 1)


def test_build_force_says_what_it_reparsed(corpus, tmp_path):
    db = tmp_path / "a.db"
    CliRunner().invoke(cli, ["import", str(corpus / "reports" / "000_changchun-luyuan_2018.txt"),
                             str(corpus / "reference" / "template-2021_blank.docx"),
                             "--db", str(db)])
    again = CliRunner().invoke(cli, ["build", "--db", str(db)])
    assert again.stdout.startswith("nothing to parse: all 2 stored documents are parsed with "
                                   "parser ")
    assert again.stdout.rstrip().endswith("(--force re-parses them)")
    forced = CliRunner().invoke(cli, ["build", "--db", str(db), "--force"])
    assert forced.exit_code == 0
    lines = forced.stdout.splitlines()
    assert lines[0] == ("--force: re-parsed all 2 stored documents: 1 reports, 1 not reports, "
                        "0 unreadable; 0 changed status")
    assert lines[3] == ("reports: 0 rewritten, 0 removed, 0 facts (a report is rewritten only "
                        "when its parse changed)")
