import csv
import io

import pytest

from hotline.catalog.models import Category
from hotline.catalog.services import (
    SpreadsheetError,
    category_import,
    category_read_rows,
)

from .conftest import xlsx_bytes


def counts() -> tuple[int, int, int]:
    return tuple(Category.objects.filter(level=lvl).count() for lvl in (1, 2, 3))


def test_it_imports_the_tipdm_taxonomy_into_an_empty_tree(db, taxonomy_path):
    # Deleting leaves first: the parent foreign key protects nodes that still have children.
    for level in (3, 2, 1):
        Category.objects.filter(level=level).delete()
    rows = category_read_rows(path_or_file=taxonomy_path, filename=taxonomy_path.name)
    result = category_import(rows=rows, source=taxonomy_path.name)
    assert result.ok, result.errors
    # 103 distinct second-level names, but 118 (一级, 二级) pairs: a name such as 其他 recurs
    # under several first-level classes and is a separate node under each.
    assert result.created_by_level == {1: 15, 2: 118, 3: 517}
    assert counts() == (15, 118, 517)
    assert result.existing == 0
    again = category_import(rows=rows, source=taxonomy_path.name)
    assert again.ok and again.created == 0
    assert again.existing == 15 + 118 + 517
    assert counts() == (15, 118, 517)


def test_it_merges_the_taxonomy_into_the_default_tree(db, taxonomy_path):
    before = Category.objects.count()
    rows = category_read_rows(path_or_file=taxonomy_path, filename=taxonomy_path.name)
    result = category_import(rows=rows)
    assert result.ok
    # Shared first-level classes (城乡建设, 环境保护 …) are reused, not duplicated.
    assert result.existing > 0
    assert Category.objects.count() == before + result.created
    assert Category.objects.filter(level=1, name="城乡建设").count() == 1
    assert (
        Category.objects.get(
            name="城管执法", parent__name="城市建设和市政管理", parent__parent__name="城乡建设"
        ).path.count("/")
        == 4
    )


def test_it_allows_blank_lower_levels(db):
    result = category_import(rows=[("测试一级", "", ""), ("测试一级", "测试二级", "")])
    assert result.ok
    assert result.created_by_level == {1: 1, 2: 1}
    child = Category.objects.get(name="测试二级")
    assert child.parent.name == "测试一级" and child.level == 2


def test_it_names_the_row_and_column_of_bad_rows(db):
    before = Category.objects.count()
    result = category_import(
        rows=[
            ("新类", "新二级", "新三级"),
            ("", "孤儿二级", ""),
            ("新类", "", "缺二级"),
            ("", "", ""),
            ("新类", "长" * 101, ""),
        ]
    )
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "一级分类"),
        (4, "二级分类"),
        (6, "二级分类"),
    ]
    assert "第4行「二级分类」" in str(result.errors[1])
    # The good row is imported; the bad ones are not.
    assert Category.objects.count() == before + 3
    assert not Category.objects.filter(name__in=["孤儿二级", "缺二级"]).exists()


def test_it_reads_csv_with_bom_and_gbk(db):
    text = "一级分类,二级分类,三级分类\n测试类,子类,叶子\n"
    for data in (text.encode("utf-8-sig"), text.encode("gbk"), text.encode("utf-8")):
        rows = category_read_rows(path_or_file=io.BytesIO(data), filename="x.csv")
        assert rows == [("测试类", "子类", "叶子")]


def test_it_reads_xlsx(db):
    data = xlsx_bytes(
        [
            ["一级分类", "二级分类", "三级分类"],
            ["表格一级", "表格二级", "表格三级"],
            [None, None, None],
            ["表格一级", "表格二级", 2024],
        ]
    )
    rows = category_read_rows(path_or_file=io.BytesIO(data), filename="分类.XLSX")
    assert rows == [
        ("表格一级", "表格二级", "表格三级"),
        ("", "", ""),
        ("表格一级", "表格二级", "2024"),
    ]
    result = category_import(rows=rows)
    assert result.ok and result.created_by_level == {1: 1, 2: 1, 3: 2}
    assert Category.objects.filter(parent__name="表格二级").count() == 2


def test_it_refuses_a_file_without_the_header(db):
    data = "分类,子类\n城乡建设,供水\n".encode()
    with pytest.raises(SpreadsheetError) as e:
        category_read_rows(path_or_file=io.BytesIO(data), filename="x.csv")
    assert e.value.row == 1 and e.value.column == "一级分类"
    assert "一级分类" in str(e.value)


def test_it_refuses_unknown_file_types(db):
    with pytest.raises(SpreadsheetError, match="不支持的文件类型"):
        category_read_rows(path_or_file=io.BytesIO(b"x"), filename="x.txt")


def test_it_refuses_an_xlsx_that_is_not_a_workbook(db):
    with pytest.raises(SpreadsheetError, match="XLSX"):
        category_read_rows(path_or_file=io.BytesIO(b"not a zip"), filename="x.xlsx")


def test_it_numbers_rows_after_blank_lines(db):
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerows([["一级分类", "二级分类", "三级分类"], ["甲", "", ""], [], ["", "乙", ""]])
    rows = category_read_rows(path_or_file=io.BytesIO(buf.getvalue().encode()), filename="a.csv")
    result = category_import(rows=rows)
    assert [(e.row, e.column) for e in result.errors] == [(4, "一级分类")]
