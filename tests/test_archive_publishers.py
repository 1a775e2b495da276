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
