"""The demo's dispatch catalogue (派单目录): each topic's category mapped to its lead unit, and
for matters handled where they happen (环境卫生, 村务) one rule per street region. Written with
the catalog's import service and read back with its selector, as a real hotline's would be.

Categories come from the tree already in the database (the catalog's default tree); a topic
is matched by the default tree's names, else by the message-board taxonomy's. Only when the
database has no categories at all does the seed import the few it needs."""

from __future__ import annotations

from dataclasses import dataclass, field

from hotline.accounts.models import Region
from hotline.catalog.demo_fields import seed_demo_fields
from hotline.catalog.models import Category, DispatchRule
from hotline.catalog.selectors import dispatch_rule_for
from hotline.catalog.services import category_import, dispatch_rule_import

from .organisation import DemoOrg
from .topics import STREET, TOPICS, Topic

Path = tuple[str, ...]

# Each topic's place in the catalog's default category tree.
DEFAULT_TREE: dict[str, Path] = {
    "water": ("城乡建设", "供水", "停水"),
    "power": ("城乡建设", "供电", "停电"),
    "heating": ("城乡建设", "供暖", "暖气不热"),
    "gas": ("城乡建设", "燃气", "停气"),
    "sanitation": ("环境保护", "固体废物", "生活垃圾清运"),
    "enforcement": ("城乡建设", "城市管理", "占道经营"),
    "facilities": ("城乡建设", "市政设施", "路灯不亮"),
    "property": ("城乡建设", "住房与物业", "物业服务"),
    "realestate": ("城乡建设", "房地产", "办证难"),
    "illegal_building": ("城乡建设", "城市管理", "违章搭建"),
    "noise": ("环境保护", "噪声污染", "社会生活噪声"),
    "air": ("环境保护", "大气污染", "餐饮油烟"),
    "wages": ("劳动和社会保障", "劳动关系", "拖欠工资"),
    "pension": ("劳动和社会保障", "社会保险", "养老保险"),
    "medical_insurance": ("卫生健康", "医疗保障", "医保报销"),
    "school": ("教育文体", "义务教育", "招生入学"),
    "school_fees": ("教育文体", "义务教育", "教育收费"),
    "exam": ("教育文体", "高中与职业教育", "中考招生"),
    "medical": ("卫生健康", "医疗服务", "医德医风"),
    "food": ("市场监管", "食品安全", "过期变质"),
    "consumer": ("市场监管", "消费维权", "预付卡"),
    "traffic": ("交通运输", "道路交通", "乱停乱放"),
    "public_security": ("公共安全", "社会治安", "治安隐患"),
    "hukou": ("公共安全", "户籍与证件", "户口迁移"),
    "bus": ("交通运输", "公共交通", "公交服务"),
    "road": ("交通运输", "公路建设养护", "农村公路"),
    "subsidies": ("农业农村", "惠农政策", "种粮补贴"),
    "village_affairs": ("农业农村", "农村管理", "村务公开"),
    "land": ("农业农村", "农村管理", "宅基地"),
    "social_assistance": ("民政", "社会救助", "最低生活保障"),
    "culture": ("教育文体", "文化旅游体育", "文化活动"),
    "flood": ("公共安全", "应急与防灾", "防汛抗旱"),
    "safety": ("公共安全", "消防安全", "消防通道堵塞"),
    "neighbourhood": ("民政", "社区治理", "社区服务"),
}


@dataclass
class Catalogue:
    """Routes a topic in a region to (category, lead unit code, assisting unit codes)."""

    org: DemoOrg
    categories: dict[str, Category | None] = field(default_factory=dict)
    # (category id, region id) → (lead unit code, assisting unit codes), or None: no rule.
    _rules: dict[tuple[int, int], tuple[str, list[str]] | None] = field(default_factory=dict)

    def route(
        self, topic: Topic, street_code: str, region: Region
    ) -> tuple[Category | None, str, tuple[str, ...]]:
        category = self.categories.get(topic.key)
        rule = self._rule(category, region) if category is not None else None
        if rule is None or not all(c in self.org.units for c in [rule[0], *rule[1]]):
            # No rule, or one naming units outside the demo: the topic's own routing.
            lead = street_code if topic.lead == STREET else topic.lead
            codes = [c for c in topic.assisting if c != STREET]
        else:
            lead, codes = rule[0], list(rule[1])
        # Street-level help cannot be written county-wide: it is the order's own street.
        if STREET in topic.assisting:
            codes.append(street_code)
        return category, lead, tuple(dict.fromkeys(c for c in codes if c != lead))

    def _rule(self, category: Category, region: Region) -> tuple[str, list[str]] | None:
        key = (category.pk, region.pk)
        if key not in self._rules:  # one lookup per category and region, not per order
            rule = dispatch_rule_for(category=category, region=region)
            self._rules[key] = (
                (rule.lead_unit.code, [u.code for u in rule.assisting_units.all()])
                if rule
                else None
            )
        return self._rules[key]


def _paths() -> dict[Path, Category]:
    nodes = {c.pk: c for c in Category.objects.filter(is_active=True)}
    paths: dict[Path, Category] = {}
    for node in nodes.values():
        names = tuple(nodes[i].name for i in node.ancestor_ids() if i in nodes)
        paths.setdefault(names, node)
    return paths


def _resolve(candidates: list[Path], paths: dict[Path, Category]) -> Category | None:
    """The first candidate present in full, else the first present to its second level."""
    for depth in (3, 2):
        for path in candidates:
            if path[:depth] in paths:
                return paths[path[:depth]]
    return None


def build_catalogue(org: DemoOrg) -> Catalogue:
    """Find the topics' categories and import the dispatch rules the demo routes by. Rules
    that already exist for a category and region are kept as they are."""
    if not Category.objects.exists():
        category_import(rows=[list(DEFAULT_TREE[t.key]) for t in TOPICS], source="演示数据")
    paths = _paths()
    catalogue = Catalogue(org)
    existing: set[tuple[int, int | None]] = set(
        DispatchRule.objects.values_list("category_id", "region_id")
    )
    rows: list[dict[str, str]] = []
    for topic in TOPICS:
        category = _resolve([DEFAULT_TREE[topic.key], topic.category], paths)
        catalogue.categories[topic.key] = category
        if category is None:
            continue
        targets: list[tuple[Region | None, str]]
        if topic.lead == STREET:
            targets = [(r, code) for code, (r, _) in org.streets.items()]
        else:
            targets = [(None, topic.lead)]
        for region, lead in targets:
            key = (category.pk, region.pk if region else None)
            if key in existing:  # two topics on one category: the first one's rule
                continue
            existing.add(key)
            rows.append(_row(org, topic, category, region, lead))
    result = dispatch_rule_import(rows=rows, source="演示数据")
    if not result.ok:
        raise RuntimeError("演示派单目录导入失败：" + "；".join(map(str, result.errors[:5])))
    seed_demo_fields(catalogue.categories)  # 附加信息项 of a few common categories
    return catalogue


def _row(
    org: DemoOrg, topic: Topic, category: Category, region: Region | None, lead: str
) -> dict[str, str]:
    names = [Category.objects.get(pk=pk).name for pk in category.ancestor_ids()]
    assisting = [c for c in topic.assisting if c not in (STREET, lead)]
    unit = org.units[lead]
    return {
        "一级分类": names[0],
        "二级分类": names[1] if len(names) > 1 else "",
        "三级分类": names[2] if len(names) > 2 else "",
        "区划代码": region.code if region else "",
        "主办单位": unit.code,
        "协办单位": "、".join(assisting),
        "职责依据": f"{unit.name}负责辖区内{topic.name}类诉求的办理（演示派单目录）",
    }
