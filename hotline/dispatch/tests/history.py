"""A small synthetic history of the demo organisation, built through the services: three
kinds of matter, each handled by its own unit and closed after a satisfied callback."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from hotline.catalog.models import Category
from hotline.core.testing import Org
from hotline.workorders.models import WorkOrder
from hotline.workorders.tests.factories import move, registered

PLACES = [
    "幸福小区",
    "东城花园",
    "阳光家园",
    "双湖峪新村",
    "锦绣华庭",
    "南关小区",
    "北苑",
    "西城公寓",
]

MATTERS = {
    "water": (
        ("城乡建设", "供水", "停水"),
        "{p}停水",
        "{p}从昨天晚上开始停水，自来水公司没有提前通知，家里老人做饭都没有水。",
    ),
    "housing": (
        ("城乡建设", "住房与物业", "物业服务"),
        "{p}物业不作为",
        "{p}物业公司收了物业费却不打扫楼道卫生，电梯坏了也不维修，业主多次反映无果。",
    ),
    "street_office": (
        ("城乡建设", "城市管理", "占道经营"),
        "{p}门口占道经营",
        "{p}门口小摊贩占用人行道摆摊卖菜，行人只能走机动车道，早晚高峰非常危险。",
    ),
}


def category(names: tuple[str, str, str]) -> Category:
    root = Category.objects.get(name=names[0], parent=None)
    middle = Category.objects.get(name=names[1], parent=root)
    return Category.objects.get(name=names[2], parent=middle)


def handler(org: Org, unit_key: str):
    return {"water": org.bob, "housing": org.charlie, "street_office": org.mia}[unit_key]


def closed(org: Org, unit_key: str, place: str, *, days_ago: int = 10) -> WorkOrder:
    names, title, content = MATTERS[unit_key]
    order = registered(
        org,
        title=title.format(p=place),
        content=content.format(p=place),
        category=category(names).pk,
        at=timezone.now() - timedelta(days=days_ago),
    )
    unit = getattr(org, unit_key)
    order = move(order, "dispatch", org.dave, lead_unit=unit.pk)
    order = move(order, "acknowledge", handler(org, unit_key))
    order = move(order, "reply", handler(org, unit_key), note="已处理。")
    order = move(order, "accept_reply", org.sue)
    return move(order, "callback", org.carl, rating="satisfied", solved=True)


def history(org: Org, per_matter: int = 6) -> list[WorkOrder]:
    return [closed(org, key, place) for key in MATTERS for place in PLACES[:per_matter]]


LIGHTS = "{p}路灯不亮", "{p}一带的路灯已经连续多个晚上不亮，夜里行人出行很不安全，请尽快维修路灯。"
OTHERS = [
    ("社保卡补办", "请问社保卡丢失以后去哪里补办，需要带什么材料？"),
    ("噪音扰民", "楼下饭店油烟机噪音很大，晚上影响休息。"),
    ("学校收费", "孩子学校额外收取资料费是否合理？"),
    ("医保报销", "异地就医的医保报销流程是怎样的？"),
]
PLACES_ON_STREETS = ["东城路", "西城路", "南关街", "北关街", "河滨路", "新华路", "人民路"]


def lights(org: Org, place: str, days_ago: int) -> WorkOrder:
    title, content = LIGHTS
    return registered(
        org,
        title=title.format(p=place),
        content=content.format(p=place),
        at=timezone.now() - timedelta(days=days_ago, hours=1),
    )
