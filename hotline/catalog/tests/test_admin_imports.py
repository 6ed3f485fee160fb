import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hotline.accounts.services import user_create
from hotline.catalog.models import Category, DispatchRule
from hotline.core.testing import PASSWORD

from .conftest import xlsx_bytes


@pytest.fixture
def admin_client(client, org):
    client.force_login(user_create(username="root", password=PASSWORD, is_superuser=True))
    return client


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.mark.parametrize("model", ["category", "dispatchrule"])
def test_it_links_the_import_page_from_the_changelist(admin_client, model):
    changelist = admin_client.get(reverse(f"admin:catalog_{model}_changelist"))
    import_url = reverse(f"admin:catalog_{model}_import")
    assert import_url in changelist.content.decode()
    page = admin_client.get(import_url)
    assert page.status_code == 200
    assert "一级分类" in page.content.decode()


def test_it_imports_categories_from_an_uploaded_xlsx(admin_client):
    data = xlsx_bytes([["一级分类", "二级分类", "三级分类"], ["上传一级", "上传二级", "上传三级"]])
    response = admin_client.post(
        reverse("admin:catalog_category_import"), {"file": upload("分类.xlsx", data)}
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert result.ok and result.created_by_level == {1: 1, 2: 1, 3: 1}
    assert "新增 3" in response.content.decode()
    assert Category.objects.get(name="上传三级").full_name == "上传一级 / 上传二级 / 上传三级"


def test_it_shows_errors_by_row_and_column_and_writes_no_rule(admin_client, org):
    csv = (
        "一级分类,二级分类,三级分类,区划代码,主办单位,协办单位,职责依据\n"
        "城乡建设,供水,停水,,U-WATER,,\n"
        "城乡建设,供水,水质,000000,U-WATER,,\n"
    ).encode("gbk")
    response = admin_client.post(
        reverse("admin:catalog_dispatchrule_import"), {"file": upload("目录.csv", csv)}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert [(e.row, e.column) for e in response.context["result"].errors] == [(3, "区划代码")]
    assert "000000" in body and body.count('class="import-error"') == 1
    assert not DispatchRule.objects.exists()


def test_it_imports_the_dispatch_catalogue_from_an_upload(admin_client, org):
    csv = (
        "一级分类,二级分类,三级分类,区划代码,主办单位,协办单位,职责依据\n"
        "城乡建设,供水,停水,610831,U-WATER,县住建局,供水条例\n"
    ).encode()
    response = admin_client.post(
        reverse("admin:catalog_dispatchrule_import"), {"file": upload("目录.csv", csv)}
    )
    assert response.context["result"].created == 1
    rule = DispatchRule.objects.get()
    assert (rule.lead_unit, rule.region) == (org.water, org.county)


def test_it_rejects_a_file_of_the_wrong_type_or_header(admin_client):
    url = reverse("admin:catalog_category_import")
    response = admin_client.post(url, {"file": upload("a.txt", b"x")})
    assert "请上传 .csv 或 .xlsx 文件" in response.content.decode()
    response = admin_client.post(url, {"file": upload("a.csv", "名称\n甲\n".encode())})
    assert response.context["result"] is None
    assert "表头缺少列「一级分类」" in response.content.decode()


def test_it_refuses_the_import_page_to_staff_without_add_permission(client, org):
    from django.contrib.auth.models import Permission

    clerk = user_create(username="clerk", password=PASSWORD)
    clerk.is_staff = True
    clerk.save()
    clerk.user_permissions.add(Permission.objects.get(codename="view_category"))
    client.force_login(clerk)
    assert client.get(reverse("admin:catalog_category_changelist")).status_code == 200
    before = Category.objects.count()
    data = io.BytesIO("一级分类\n偷偷加\n".encode())
    response = client.post(reverse("admin:catalog_category_import"), {"file": data})
    assert response.status_code == 403
    assert Category.objects.count() == before


# The management form of the category page's inline of extra fields (附加信息项), none here.
NO_FIELDS = {"fields-TOTAL_FORMS": 0, "fields-INITIAL_FORMS": 0}


def test_it_keeps_the_tree_three_levels_deep_in_the_admin(admin_client):
    leaf = Category.objects.get(name="停水")
    response = admin_client.post(
        reverse("admin:catalog_category_add"),
        {
            "parent": leaf.pk,
            "name": "第四级",
            "code": "",
            "sort_order": 0,
            "is_active": "on",
            **NO_FIELDS,
        },
    )
    assert response.status_code == 200
    assert "最多 3 级" in response.content.decode()
    assert not Category.objects.filter(name="第四级").exists()


def test_it_moves_a_category_and_recomputes_levels(admin_client):
    water = Category.objects.get(name="供水", parent__name="城乡建设")
    outage = Category.objects.get(name="停水", parent=water)
    response = admin_client.post(
        reverse("admin:catalog_category_change", args=[water.pk]),
        {"parent": "", "name": "供水", "code": "", "sort_order": 1, "is_active": "on", **NO_FIELDS},
    )
    assert response.status_code == 302
    water.refresh_from_db()
    outage.refresh_from_db()
    assert (water.level, water.path) == (1, f"/{water.pk}/")
    assert (outage.level, outage.path) == (2, f"/{water.pk}/{outage.pk}/")


def test_it_refuses_to_move_a_category_under_its_own_child(admin_client):
    water = Category.objects.get(name="供水", parent__name="城乡建设")
    outage = Category.objects.get(name="停水", parent=water)
    response = admin_client.post(
        reverse("admin:catalog_category_change", args=[water.pk]),
        {
            "parent": outage.pk,
            "name": "供水",
            "code": "",
            "sort_order": 1,
            "is_active": "on",
            **NO_FIELDS,
        },
    )
    assert response.status_code == 200
    assert "不能移动到自身或其下级分类之下" in response.content.decode()
    water.refresh_from_db()
    assert water.parent.name == "城乡建设"
