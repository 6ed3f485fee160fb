"""The demo's extra fields (附加信息项): what a hotline asks beyond the content for a few common
categories. Seeded by the demo catalogue; kept here, beside the model, so they stay valid."""

from __future__ import annotations

from typing import Any

from .models import Category, CategoryField, FieldDatatype

D = FieldDatatype


def _options(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"key": key, "name": name} for key, name in pairs]


# By demo topic (the keys of hotline.core.demo.catalogue.DEFAULT_TREE).
DEMO_FIELDS: dict[str, list[dict[str, Any]]] = {
    "facilities": [
        {
            "code": "pole_no",
            "label": "灯杆编号",
            "datatype": D.STRING,
            "description": "灯杆上喷涂的编号，如 LD-0123；看不到可不填",
        },
        {
            "code": "fault",
            "label": "故障情况",
            "datatype": D.SINGLEVALUELIST,
            "required": True,
            "values": _options(
                ("dark", "不亮"),
                ("flicker", "闪烁"),
                ("daylight", "白天常亮"),
                ("leaning", "灯杆倾倒"),
            ),
        },
    ],
    "noise": [
        {
            "code": "source",
            "label": "噪声来源",
            "datatype": D.SINGLEVALUELIST,
            "required": True,
            "values": _options(
                ("renovation", "装修施工"),
                ("square_dance", "广场舞"),
                ("shop_speaker", "商铺喇叭"),
                ("entertainment", "娱乐场所"),
                ("other", "其他"),
            ),
        },
        {
            "code": "periods",
            "label": "发生时段",
            "datatype": D.MULTIVALUELIST,
            "values": _options(("day", "白天"), ("evening", "晚上22时前"), ("night", "夜间22时后")),
        },
    ],
    "water": [
        {
            "code": "outage",
            "label": "是否停水",
            "datatype": D.SINGLEVALUELIST,
            "required": True,
            "values": _options(("full", "完全停水"), ("low", "水压低"), ("quality", "水质异常")),
        },
        {"code": "since", "label": "开始时间", "datatype": D.DATETIME},
        {
            "code": "households",
            "label": "影响户数",
            "datatype": D.NUMBER,
            "description": "大致户数即可",
        },
        {
            "code": "notice",
            "label": "计划停水请先查看供水公司公告",
            "datatype": D.STRING,
            "variable": False,
        },
    ],
}


def seed_demo_fields(categories: dict[str, Category | None]) -> int:
    """Create the demo's fields on the topics' categories (kept if they exist). Returns how many
    were created."""
    created = 0
    for topic, fields in DEMO_FIELDS.items():
        category = categories.get(topic)
        if category is None:
            continue
        for order, spec in enumerate(fields, start=1):
            _field, made = CategoryField.objects.get_or_create(
                category=category, code=spec["code"], defaults={**spec, "order": order}
            )
            created += made
    return created
