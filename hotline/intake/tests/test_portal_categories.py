"""我要反映 with a category: the citizen picks one among the leaves (grouped by top-level
category), its extra fields (附加信息) come into the form, without script through the 选择类别
step, and are checked by the catalogue's rules; a wrong or missing answer is refused beside its
field with everything typed kept, and nothing is written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hotline.catalog.models import Category
from hotline.workorders.models import WorkOrder

from .noise import noise_leaf
from .test_portal_support import portal_cache, submission

pytestmark = pytest.mark.usefixtures("portal_cache")
__all__ = ["noise", "portal_cache"]

URL = "/portal/submit/"


@pytest.fixture
def noise(db):
    leaf = noise_leaf("环境（测试）", "噪声（测试）")
    mid, root = leaf.parent, leaf.parent.parent
    Category.objects.create(name="工业噪声", level=3, parent=mid)
    Category.objects.create(name="已停用的一类", level=3, parent=mid, is_active=False)
    off = Category.objects.create(name="停用的分支", level=2, parent=root, is_active=False)
    Category.objects.create(name="停用分支下的叶子", level=3, parent=off)
    water = Category.objects.create(name="城管（测试）", level=1)
    Category.objects.create(name="供水（测试）", level=2, parent=water)
    return leaf


def test_it_offers_the_active_leaves_grouped_by_top_level_category(client, org, noise):
    html = client.get(URL).content.decode()
    select = html[
        html.index('<select name="category"') : html.index(
            "</select>", html.index('<select name="category"')
        )
    ]
    assert (
        '<optgroup label="环境（测试）">' in select and '<optgroup label="城管（测试）">' in select
    )
    assert f'<option value="{noise.pk}">噪声（测试） / 社会生活噪声</option>' in select
    assert "噪声（测试） / 工业噪声" in select and ">供水（测试）</option>" in select
    # Not a leaf, switched off, or under a switched-off branch: not offered.
    assert ">噪声（测试）<" not in select
    assert "已停用的一类" not in select and "停用分支下的叶子" not in select
    # Optional: the first choice is to leave it to the hotline.
    assert '<option value="" selected>不清楚，由热线分类</option>' in select
    # The no-script step and the script that makes it unnecessary are both there.
    assert 'name="choose_category"' in html and "intake/portal.js" in html


def test_choosing_a_category_without_script_shows_its_fields_and_keeps_what_was_typed(
    client, org, noise
):
    data = submission(org, category=str(noise.pk), choose_category="1", content="楼上装修到深夜")
    response = client.post(URL, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "附加信息" in html and "噪声来源" in html and "发生时段" in html
    assert 'name="attribute[source]"' in html and 'name="attribute[periods][]"' in html
    assert "楼上装修到深夜</textarea>" in html
    assert f'<option value="{noise.pk}" selected>' in html
    assert data["started"] in html  # the fill time still counts from the first showing
    # A step, not a submission: no error shown, nothing written.
    assert "提交未成功" not in html and 'class="p-error"' not in html
    assert not WorkOrder.objects.exists()


def test_the_fragment_gives_the_fields_of_a_category(client, org, noise):
    url = reverse("portal_category_fields")
    html = client.get(url, {"category": noise.pk}).content.decode()
    assert "噪声来源" in html and "装修施工" in html
    assert client.get(url, {"category": ""}).content.decode().strip() == ""
    assert client.get(url, {"category": "x'"}).status_code == 200


def test_it_registers_the_category_and_the_answers(client, org, noise):
    data = submission(
        org,
        category=str(noise.pk),
        **{"attribute[source]": "dance", "attribute[periods][]": ["day", "night"]},
        **{"attribute[floor]": "3"},
    )
    response = client.post(URL, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    order = WorkOrder.objects.get()
    assert order.category == noise
    assert order.attributes == {"source": "dance", "periods": ["day", "night"], "floor": "3"}


def test_no_category_is_still_fine(client, org, noise):
    assert client.post(URL, submission(org)).status_code == 302
    assert WorkOrder.objects.get().category is None


@pytest.mark.parametrize(
    ("extra", "code", "words"),
    [
        ({}, "source", "请填写附加信息「噪声来源」"),
        ({"attribute[source]": "fireworks"}, "source", "没有选项「fireworks」"),
        (
            {"attribute[source]": "dance", "attribute[floor]": "三楼"},
            "floor",
            "附加信息「所在楼层」",
        ),
        (
            {"attribute[source]": "dance", "attribute[periods][]": "noon"},
            "periods",
            "没有选项「noon」",
        ),
    ],
)
def test_a_wrong_or_missing_answer_is_refused_beside_its_field(
    client, org, noise, extra, code, words
):
    data = submission(org, category=str(noise.pk), content="广场舞太吵", **extra)
    response = client.post(URL, data)
    assert response.status_code == 400
    html = response.content.decode()
    error = html[html.index(f'id="attr-{code}-error"') :]
    assert words in error[: error.index("</p>")]
    assert f'aria-describedby="attr-{code}-error' in html
    assert "广场舞太吵</textarea>" in html  # what was typed is kept
    if "attribute[floor]" in extra:
        assert 'value="三楼"' in html
    assert not WorkOrder.objects.exists()


def test_answers_without_their_category_or_malformed_are_refused(client, org, noise):
    response = client.post(URL, submission(org, **{"attribute[source]": "dance"}))
    assert response.status_code == 400
    assert "没有附加信息项「source」" in response.content.decode()
    response = client.post(URL, submission(org, category=str(noise.pk), **{"attribute[x": "1"}))
    assert response.status_code == 400
    assert "无法识别的字段" in response.content.decode()
    assert not WorkOrder.objects.exists()


@pytest.mark.parametrize("value", ["999999", "abc"])
def test_an_unknown_category_is_refused_by_name(client, org, noise, value):
    response = client.post(URL, submission(org, category=value))
    assert response.status_code == 400
    assert "请选择有效的诉求分类" in response.content.decode()
    assert not WorkOrder.objects.exists()


def test_a_category_that_is_not_a_leaf_is_not_a_choice(client, org, noise):
    response = client.post(URL, submission(org, category=str(noise.parent_id)))
    assert response.status_code == 400
    assert "请选择有效的诉求分类" in response.content.decode()
    assert not WorkOrder.objects.exists()


def test_names_are_escaped_in_the_picker(client, org, noise):
    root = Category.objects.create(name='A&B "组" <i>', level=1)
    Category.objects.create(name="<script>x</script>", level=2, parent=root)
    html = client.get(URL).content.decode()
    assert '<optgroup label="A&amp;B &quot;组&quot; &lt;i&gt;">' in html
    assert "&lt;script&gt;x&lt;/script&gt;</option>" in html and "<script>x" not in html
