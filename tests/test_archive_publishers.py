"""Publishers: names as printed → GB/T 2260 codes, levels and parent governments."""

from __future__ import annotations

import pytest

from archive.publishers import divisions, resolve


@pytest.mark.parametrize(
    ("name", "code", "level", "canonical"),
    [
        ("绿园区", "220106", "县/区", "吉林省长春市绿园区人民政府"),
        ("长春市绿园区人民政府", "220106", "县/区", "吉林省长春市绿园区人民政府"),
        ("平潭县人民政府", "350128", "县/区", "福建省福州市平潭县人民政府"),
        ("洪泽区人民政府", "320813", "县/区", "江苏省淮安市洪泽区人民政府"),
        ("江苏省淮安市洪泽区人民政府", "320813", "县/区", "江苏省淮安市洪泽区人民政府"),
        ("淮安市人民政府", "320800", "市", "江苏省淮安市人民政府"),
        ("江苏省人民政府", "320000", "省", "江苏省人民政府"),
        ("平潭综合实验区", "350128", "县/区", "平潭综合实验区管理委员会"),
        ("平潭综合实验区管委会", "350128", "县/区", "平潭综合实验区管理委员会"),
        ("北京市东城区人民政府", "110101", "县/区", "北京市东城区人民政府"),
    ],
)
def test_governments_map_to_their_division(name, code, level, canonical):
    pub = resolve(name)
    assert (pub.division_code, pub.level, pub.id, pub.parent_id) == (code, level, canonical, None)


@pytest.mark.parametrize(
    ("name", "code", "parent"),
    [
        ("平潭综合实验区地方税务局", "350128", "平潭综合实验区管理委员会"),
        ("上海市人民政府办公厅", "310000", "上海市人民政府"),
        ("威海市文登区信访局", "371003", "山东省威海市文登区人民政府"),
        ("武汉市汉阳区人民政府办公室", "420105", "湖北省武汉市汉阳区人民政府"),
        ("长春市绿园区教育局", "220106", "吉林省长春市绿园区人民政府"),
    ],
)
def test_departments_get_their_governments_code_and_parent(name, code, parent):
    pub = resolve(name)
    assert (pub.level, pub.division_code, pub.parent_id) == ("部门", code, parent)
    assert pub.parent is not None and pub.parent.id == parent


def test_ambiguous_district_needs_a_hint():
    # 朝阳区 exists in 北京市 and in 长春市: no guess without the site's government.
    assert resolve("朝阳区人民政府").division_code is None
    assert resolve("朝阳区人民政府", hint="长春市人民政府").division_code == "220104"
    assert resolve("朝阳区人民政府", hint="北京市人民政府").division_code == "110105"


def test_department_named_without_place_uses_the_hint():
    pub = resolve("审计局", hint="湖南省桃江县人民政府")
    assert (pub.division_code, pub.level, pub.parent_id) == ("430922", "部门", "湖南省益阳市桃江县人民政府")
    assert resolve("审计局").match == "unresolved"


def test_national_bodies_and_missing_names():
    assert resolve("国务院办公厅").level == "国务院部门"
    assert resolve(None) is None and resolve("  ") is None


def test_division_table_has_province_and_city_of_each_county():
    d = divisions()
    assert (d["350128"].name, d["350128"].city, d["350128"].province) == ("平潭县", "福州市", "福建省")
    assert d["110101"].city == "北京市"  # municipality districts: the city is the municipality
    assert "110100" not in d  # the 市辖区 placeholder is not a place


def test_unnamed_publisher_falls_back_to_the_hint_and_says_so():
    pub = resolve(None, hint="淮安市洪泽区人民政府")
    assert (pub.division_code, pub.match) == ("320813", "hint")


# --- one publisher, one identity (issue 12) ---------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("平潭县人民政府", "福建省平潭县政府"),  # 县政府 ↔ 县人民政府
        ("平潭综合实验区管委会", "福建省平潭综合实验区管理委员会"),  # 管委会 ↔ 管理委员会
        ("杨凌示范区管委会", "杨凌农业高新技术产业示范区管理委员会"),
        ("洪泽区政府", "江苏省淮安市洪泽区人民政府"),
    ],
)
def test_names_of_one_body_resolve_to_one_publisher(a, b):
    assert resolve(a).id == resolve(b).id


def test_two_bodies_are_never_merged():
    # the county government and the zone's committee govern the same division (350128)
    county, zone = resolve("平潭县人民政府"), resolve("平潭综合实验区管委会")
    assert county.division_code == zone.division_code == "350128"
    assert county.id != zone.id
    # the 2018 tax reform's successor bureau is listed, not resolved to the old bureau
    old = resolve("平潭综合实验区地方税务局")
    assert old.id == "平潭综合实验区地方税务局" and old.level == "部门"


def test_alias_table_rows_say_how_they_relate():
    from archive import publishers, reference

    rows = {r["alias"]: r for r in reference.alias_rows()}
    assert rows["平潭综合实验区管委会"]["relation"] == "same"
    related = rows["福建省福州市平潭县人民政府"]
    assert related["relation"] == "related" and "不合并" in related["note"]
    successor = rows["平潭综合实验区地方税务局"]
    assert successor["relation"] == "successor" and successor["valid_to"] == "2018"
    # only `same` rows take part in resolving names
    assert {a.alias for a in publishers.aliases()} == {
        r["alias"] for r in rows.values() if r["relation"] == "same"}


def test_every_name_is_visible_in_the_archive(corpus, tmp_path_factory):
    import sqlite_utils

    from testkit.archives import corpus_archive

    base = tmp_path_factory.getbasetemp()
    db = sqlite_utils.Database(corpus_archive(base, base / "identity" / "archive.db"))
    names = {(r["publisher_id"], r["name"], r["source"]) for r in db.query(
        "select publisher_id, name, source from publisher_identity")}
    zone = "平潭综合实验区管理委员会"
    assert (zone, zone, "规范名称") in names
    assert (zone, "平潭综合实验区管委会", "报告所用名称") in names  # printed in the reports
    assert (zone, "杨凌示范区", "别名表") not in names
    assert ("杨凌农业高新技术产业示范区管理委员会", "杨凌示范区", "别名表") in names
    relation = db.execute("select relation from publisher_identity where name = "
                          "'福建省福州市平潭县人民政府' and source = '别名表'").fetchone()[0]
    assert "不合并" in relation
    # the two Pingtan governments stay two publishers
    assert db.execute("select count(*) from publishers where division_code = '350128' "
                      "and level = '县/区'").fetchone()[0] == 2
