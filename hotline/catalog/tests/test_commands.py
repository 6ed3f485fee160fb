from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from hotline.catalog.models import Category, DispatchRule


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_categories_from_the_command_line(db, tmp_path):
    path = tmp_path / "分类.csv"
    path.write_text("一级分类,二级分类,三级分类\n命令一级,命令二级,命令三级\n", encoding="gbk")
    out, _ = run("import_categories", str(path))
    assert "新增 3" in out
    assert Category.objects.get(name="命令三级").level == 3
    out, _ = run("import_categories", str(path))
    assert "新增 0" in out and "已存在 3" in out


def test_it_fails_and_names_the_bad_rows(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("一级分类,二级分类,三级分类\n,孤儿,\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="1 行有错误"):
        call_command("import_categories", str(path), stdout=StringIO(), stderr=err)
    assert "第2行「一级分类」" in err.getvalue()


def test_it_refuses_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("import_categories", str(tmp_path / "none.csv"))


def test_it_imports_the_dispatch_catalogue(org, tmp_path):
    path = tmp_path / "目录.csv"
    path.write_text(
        "一级分类,二级分类,三级分类,区划代码,主办单位,协办单位,职责依据\n"
        "城乡建设,供水,停水,,U-WATER,县住建局,供水条例\n",
        encoding="utf-8-sig",
    )
    out, _ = run("import_dispatch_catalogue", str(path))
    assert "新增 1" in out
    rule = DispatchRule.objects.get()
    assert rule.lead_unit == org.water and list(rule.assisting_units.all()) == [org.housing]


def test_it_writes_no_rule_when_the_catalogue_has_errors(org, tmp_path):
    path = tmp_path / "目录.csv"
    path.write_text(
        "一级分类,二级分类,三级分类,区划代码,主办单位,协办单位,职责依据\n"
        "城乡建设,供水,停水,,U-WATER,,\n"
        "城乡建设,供水,水质,,U-NOPE,,\n",
        encoding="utf-8",
    )
    err = StringIO()
    with pytest.raises(CommandError, match="未写入"):
        call_command("import_dispatch_catalogue", str(path), stdout=StringIO(), stderr=err)
    assert "第3行「主办单位」" in err.getvalue()
    assert not DispatchRule.objects.exists()


def test_it_reports_a_bad_header(db, tmp_path):
    path = tmp_path / "目录.csv"
    path.write_text("分类\n城乡建设\n", encoding="utf-8")
    with pytest.raises(CommandError, match="一级分类"):
        call_command("import_dispatch_catalogue", str(path))
