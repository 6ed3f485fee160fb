import io

import pytest

from hotline.catalog.models import Category, DispatchRule
from hotline.catalog.services import dispatch_read_rows, dispatch_rule_import

from .conftest import xlsx_bytes

HEADER = ["一级分类", "二级分类", "三级分类", "区划代码", "主办单位", "协办单位", "职责依据"]


def rows(*lines: list[str]) -> list[dict[str, str]]:
    return [dict(zip(HEADER, line, strict=True)) for line in lines]


def outage() -> Category:
    return Category.objects.get(name="停水", parent__name="供水")


def test_it_creates_rules_with_assisting_units_by_code_or_name(org):
    result = dispatch_rule_import(
        rows=rows(
            ["城乡建设", "供水", "停水", "", "U-WATER", "县住建局、U-STREET", "供水条例第12条"],
            ["城乡建设", "供水", "", "610831", "县自来水公司", "", ""],
        )
    )
    assert result.ok, result.errors
    assert (result.created, result.updated) == (2, 0)
    leaf = DispatchRule.objects.get(category=outage(), region=None)
    assert leaf.lead_unit == org.water and leaf.duties == "供水条例第12条"
    assert set(leaf.assisting_units.all()) == {org.housing, org.street_office}
    parent = DispatchRule.objects.get(category__name="供水", category__level=2)
    assert parent.region == org.county and parent.lead_unit == org.water


def test_it_updates_the_rule_for_the_same_category_and_region(org):
    rule = DispatchRule.objects.create(category=outage(), lead_unit=org.housing, is_active=False)
    rule.assisting_units.add(org.community)
    result = dispatch_rule_import(
        rows=rows(["城乡建设", "供水", "停水", "", "U-WATER", "U-HOUSING;U-STREET", "新依据"])
    )
    assert result.ok and (result.created, result.updated) == (0, 1)
    rule.refresh_from_db()
    assert rule.lead_unit == org.water and rule.is_active and rule.duties == "新依据"
    assert set(rule.assisting_units.all()) == {org.housing, org.street_office}
    assert DispatchRule.objects.count() == 1


def test_it_writes_nothing_when_any_row_is_bad(org):
    result = dispatch_rule_import(
        rows=rows(
            ["城乡建设", "供水", "停水", "", "U-WATER", "", ""],
            ["城乡建设", "供水", "不存在", "", "U-WATER", "", ""],
            ["城乡建设", "供水", "水质", "999999", "U-WATER", "", ""],
            ["城乡建设", "供水", "水压不足", "", "无此单位", "", ""],
            ["城乡建设", "供水", "管网漏水", "", "U-WATER", "U-WATER", ""],
            ["城乡建设", "供水", "停水", "", "U-HOUSING", "", ""],
            ["", "", "", "", "U-WATER", "", ""],
            ["城乡建设", "供水", "水费水表", "", "", "县住建局\n不明单位", ""],
        )
    )
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "三级分类"),
        (4, "区划代码"),
        (5, "主办单位"),
        (6, "协办单位"),
        (7, "区划代码"),
        (8, "一级分类"),
        (9, "主办单位"),
        (9, "协办单位"),
    ]
    assert "城乡建设 / 供水 / 不存在" in str(result.errors[0])
    assert "第7行" in str(result.errors[4]) and "第2行" in str(result.errors[4])
    assert DispatchRule.objects.count() == 0
    assert result.created == 0


def test_it_refuses_an_ambiguous_unit_name(org):
    from hotline.accounts.models import Unit

    Unit.objects.create(code="U-WATER2", name="县自来水公司", kind="utility", region=org.county)
    result = dispatch_rule_import(
        rows=rows(["城乡建设", "供水", "停水", "", "县自来水公司", "", ""])
    )
    assert [(e.row, e.column) for e in result.errors] == [(2, "主办单位")]
    assert "U-WATER2" in result.errors[0].message
    assert not DispatchRule.objects.exists()


def test_it_refuses_a_disabled_unit(org):
    org.housing.is_active = False
    org.housing.save()
    result = dispatch_rule_import(
        rows=rows(["城乡建设", "供水", "停水", "", "U-WATER", "U-HOUSING", ""])
    )
    assert [(e.row, e.column) for e in result.errors] == [(2, "协办单位")]


def test_it_reads_a_dispatch_workbook_with_numeric_codes(org):
    data = xlsx_bytes(
        [HEADER, ["城乡建设", "供水", "停水", 610831, "U-WATER", "县住建局，双湖峪街道办", None]]
    )
    table = dispatch_read_rows(path_or_file=io.BytesIO(data), filename="目录.xlsx")
    assert table[0]["区划代码"] == "610831"
    result = dispatch_rule_import(rows=table)
    assert result.ok, result.errors
    rule = DispatchRule.objects.get()
    assert rule.region == org.county
    assert set(rule.assisting_units.all()) == {org.housing, org.street_office}


def test_it_requires_the_lead_unit_column(org):
    from hotline.catalog.services import SpreadsheetError

    data = "一级分类,二级分类\n城乡建设,供水\n".encode()
    with pytest.raises(SpreadsheetError) as e:
        dispatch_read_rows(path_or_file=io.BytesIO(data), filename="x.csv")
    assert e.value.column == "主办单位"
