"""附加信息项: the model's own rules, the one check of answers, their display, the admin inline
and the demo's fields."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from hotline.accounts.services import user_create
from hotline.catalog.demo_fields import DEMO_FIELDS, seed_demo_fields
from hotline.catalog.fields import InvalidAttribute, attribute_rows, category_attributes_clean
from hotline.catalog.models import Category, CategoryField, FieldDatatype
from hotline.core.testing import PASSWORD

D = FieldDatatype


@pytest.fixture
def lamp(db):
    root = Category.objects.create(name="附加项测试", level=1)
    mid = Category.objects.create(name="市政设施", level=2, parent=root)
    leaf = Category.objects.create(name="路灯不亮", level=3, parent=mid, code="LD")
    CategoryField.objects.create(
        category=leaf, code="pole_no", label="灯杆编号", order=2, datatype=D.STRING
    )
    CategoryField.objects.create(
        category=leaf,
        code="fault",
        label="故障情况",
        order=1,
        datatype=D.SINGLEVALUELIST,
        required=True,
        values=[{"key": "dark", "name": "不亮"}, {"key": "flicker", "name": "闪烁"}],
    )
    CategoryField.objects.create(
        category=leaf,
        code="periods",
        label="发生时段",
        order=3,
        datatype=D.MULTIVALUELIST,
        values=[{"key": "day", "name": "白天"}, {"key": "night", "name": "夜间"}],
    )
    CategoryField.objects.create(category=leaf, code="count", label="数量", datatype=D.NUMBER)
    CategoryField.objects.create(category=leaf, code="since", label="开始", datatype=D.DATETIME)
    CategoryField.objects.create(
        category=leaf, code="note", label="仅说明", datatype=D.STRING, variable=False
    )
    CategoryField.objects.create(
        category=leaf, code="old", label="已停用", datatype=D.STRING, is_active=False
    )
    return leaf


def clean(category, **answers):
    return category_attributes_clean(category=category, answers=answers)


def test_it_keeps_valid_answers_normalised(lamp):
    got = clean(
        lamp,
        fault="dark",
        pole_no=" LD-0123 ",
        periods=["night", "day", "night"],
        count="12",
        since="2026-11-22T08:00:00",
    )
    assert got == {
        "fault": "dark",
        "pole_no": "LD-0123",
        "periods": ["night", "day"],
        "count": "12",
        "since": "2026-11-22T08:00:00+08:00",
    }


def test_it_drops_blank_optional_answers(lamp):
    assert clean(lamp, fault="flicker", pole_no="", periods=[]) == {"fault": "flicker"}


@pytest.mark.parametrize(
    ("answers", "code", "words"),
    [
        ({}, "fault", "请填写附加信息「故障情况」"),
        ({"fault": ""}, "fault", "请填写附加信息「故障情况」"),
        ({"fault": "broken"}, "fault", "没有选项「broken」"),
        ({"fault": ["dark", "flicker"]}, "fault", "只能有一个值"),
        ({"fault": "dark", "periods": ["day", "dawn"]}, "periods", "没有选项「dawn」"),
        ({"fault": "dark", "count": "twelve"}, "count", "应为数字"),
        ({"fault": "dark", "count": "NaN"}, "count", "应为数字"),
        ({"fault": "dark", "since": "yesterday"}, "since", "应为日期时间"),
        ({"fault": "dark", "since": "2026-13-45T00:00:00"}, "since", "应为日期时间"),
        ({"fault": "dark", "pole_no": "x" * 201}, "pole_no", "不能超过 200 个字"),
        ({"fault": "dark", "colour": "red"}, "colour", "没有附加信息项「colour」"),
        ({"fault": "dark", "note": "x"}, "note", "没有附加信息项「note」"),
        ({"fault": "dark", "old": "x"}, "old", "没有附加信息项「old」"),
    ],
)
def test_it_refuses_bad_answers_naming_the_field(lamp, answers, code, words):
    with pytest.raises(InvalidAttribute) as e:
        clean(lamp, **answers)
    assert e.value.code == code
    assert words in e.value.message


def test_it_refuses_any_answer_when_there_is_no_category(db):
    assert clean(None) == {}
    with pytest.raises(InvalidAttribute, match="未选分类"):
        clean(None, pole_no="1")


def test_it_shows_answers_with_labels_and_option_names(lamp):
    rows = attribute_rows(lamp, {"periods": ["night", "day"], "fault": "dark", "gone": "x"})
    assert [(r.label, r.value) for r in rows] == [
        ("故障情况", "不亮"),
        ("发生时段", "夜间、白天"),
        ("gone", "x"),
    ]
    assert attribute_rows(lamp, {}) == []


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"datatype": D.SINGLEVALUELIST, "values": []}, "values"),
        ({"datatype": D.SINGLEVALUELIST, "values": [{"key": "a"}]}, "values"),
        (
            {
                "datatype": D.MULTIVALUELIST,
                "values": [{"key": "a", "name": "甲"}, {"key": "a", "name": "乙"}],
            },
            "values",
        ),
        ({"datatype": D.STRING, "values": [{"key": "a", "name": "甲"}]}, "values"),
        ({"datatype": D.STRING, "variable": False, "required": True}, "required"),
        ({"datatype": D.STRING, "code": "灯杆"}, "code"),
    ],
)
def test_it_refuses_an_unusable_field_definition(lamp, fields, error_field):
    field = CategoryField(category=lamp, label="新项", **{"code": "new", **fields})
    with pytest.raises(ValidationError) as e:
        field.full_clean()
    assert error_field in e.value.message_dict


def test_it_puts_fields_on_leaves_only(lamp):
    field = CategoryField(category=lamp.parent, code="x", label="上级项", datatype=D.STRING)
    with pytest.raises(ValidationError) as e:
        field.full_clean()
    assert "category" in e.value.message_dict


def test_it_edits_fields_inline_on_the_category_page(client, lamp):
    client.force_login(user_create(username="root", password=PASSWORD, is_superuser=True))
    url = reverse("admin:catalog_category_change", args=[lamp.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "灯杆编号" in page.content.decode()
    fields = list(lamp.fields.order_by("pk"))
    data = {
        "parent": lamp.parent_id,
        "name": lamp.name,
        "code": lamp.code,
        "sort_order": 0,
        "is_active": "on",
        "fields-TOTAL_FORMS": len(fields) + 1,
        "fields-INITIAL_FORMS": len(fields),
        "fields-MIN_NUM_FORMS": 0,
        "fields-MAX_NUM_FORMS": 1000,
    }
    for i, f in enumerate(fields):
        data |= {
            f"fields-{i}-id": f.pk,
            f"fields-{i}-category": lamp.pk,
            f"fields-{i}-order": f.order,
            f"fields-{i}-code": f.code,
            f"fields-{i}-label": f.label,
            f"fields-{i}-datatype": f.datatype,
            f"fields-{i}-values": json.dumps(f.values),
            f"fields-{i}-variable": "on" if f.variable else "",
            f"fields-{i}-required": "on" if f.required else "",
            f"fields-{i}-is_active": "on" if f.is_active else "",
        }
    n = len(fields)
    new = {
        f"fields-{n}-category": lamp.pk,
        f"fields-{n}-order": 9,
        f"fields-{n}-code": "colour",
        f"fields-{n}-label": "灯光颜色",
        f"fields-{n}-datatype": D.SINGLEVALUELIST,
        f"fields-{n}-values": "[]",
        f"fields-{n}-variable": "on",
        f"fields-{n}-is_active": "on",
    }
    refused = client.post(url, data | new)
    assert refused.status_code == 200  # the form again, with the error
    assert "至少有一个选项" in refused.content.decode()
    assert not lamp.fields.filter(code="colour").exists()
    new[f"fields-{n}-values"] = '[{"key": "white", "name": "白光"}]'
    saved = client.post(url, data | new)
    assert saved.status_code == 302
    assert lamp.fields.get(code="colour").value_names() == {"white": "白光"}


def test_it_seeds_the_demo_fields_once(lamp):
    noise = Category.objects.create(name="社会生活噪声", level=3, parent=lamp.parent)
    CategoryField.objects.create(category=noise, code="source", label="原有", datatype=D.STRING)
    created = seed_demo_fields({"facilities": None, "noise": noise})
    # source exists already on this leaf: kept as it is, not duplicated.
    assert created == len(DEMO_FIELDS["noise"]) - 1
    assert noise.fields.get(code="source").label == "原有"
    assert seed_demo_fields({"noise": noise}) == 0
    for field in noise.fields.all():
        field.full_clean()
