"""The demo's dispatch catalogue (派单目录): each topic's category mapped to its lead unit, and
for matters handled where they happen (环境卫生, 村务) one rule per street region.

Categories come from the tree already in the database (the catalog's default data); a topic
whose category path is not there falls back to the nearest node with the same names. Only when
the database has no categories at all does the seed create the few it needs."""

from __future__ import annotations

from dataclasses import dataclass, field

from hotline.catalog.models import Category, DispatchRule

from .organisation import DemoOrg
from .topics import STREET, TOPICS, Topic

Path = tuple[str, ...]


@dataclass
class Catalogue:
    """Routes a topic in a street's area to (category id, lead unit code, assisting codes)."""

    categories: dict[str, int | None] = field(default_factory=dict)
    # (category id, region id or None) → (lead unit code, assisting unit codes)
    rules: dict[tuple[int, int | None], tuple[str, tuple[str, ...]]] = field(default_factory=dict)

    def route(
        self, topic: Topic, street_code: str, street_region_id: int
    ) -> tuple[int | None, str, tuple[str, ...]]:
        cat = self.categories.get(topic.key)
        rule = None
        if cat is not None:
            rule = self.rules.get((cat, street_region_id)) or self.rules.get((cat, None))
        if rule is None:
            lead = street_code if topic.lead == STREET else topic.lead
            return cat, lead, _assisting(topic, street_code, lead)
        lead, assisting = rule
        # Street-level assistance cannot be written county-wide: it is the order's own street.
        if STREET in topic.assisting and street_code != lead:
            assisting = (*assisting, street_code)
        return cat, lead, assisting


def _assisting(topic: Topic, street_code: str, lead: str) -> tuple[str, ...]:
    codes = (street_code if c == STREET else c for c in topic.assisting)
    return tuple(c for c in codes if c != lead)


def _category_paths() -> dict[Path, int]:
    nodes = {
        c.pk: c for c in Category.objects.filter(is_active=True).only("name", "path", "parent")
    }
    paths: dict[Path, int] = {}
    for node in nodes.values():
        names = tuple(nodes[i].name for i in node.ancestor_ids() if i in nodes)
        paths.setdefault(names, node.pk)
    return paths


def _create_categories() -> None:
    for topic in TOPICS:
        parent = None
        for level, name in enumerate(topic.category, start=1):
            node = Category.objects.filter(parent=parent, name=name).first()
            if node is None:
                node = Category.objects.create(parent=parent, name=name, level=level)
            parent = node


def _resolve(path: Path, paths: dict[Path, int]) -> int | None:
    """The category with exactly these names, else the deepest node matching a prefix, else a
    third-level node of the same name anywhere in the tree."""
    for depth in (3, 2):
        if path[:depth] in paths:
            return paths[path[:depth]]
        if depth == 3:
            same_leaf = sorted(v for k, v in paths.items() if len(k) == 3 and k[2] == path[2])
            if same_leaf:
                return same_leaf[0]
    return paths.get(path[:1])


def build_catalogue(org: DemoOrg) -> Catalogue:
    """Find the topics' categories and write the dispatch rules the demo routes by."""
    if not Category.objects.exists():
        _create_categories()
    paths = _category_paths()
    catalogue = Catalogue()
    for topic in TOPICS:
        cat = _resolve(topic.category, paths)
        catalogue.categories[topic.key] = cat
        if cat is None:
            continue
        if topic.lead == STREET:
            for code, (region, _) in org.streets.items():
                _rule(catalogue, org, topic, cat, region.pk, code)
        else:
            _rule(catalogue, org, topic, cat, None, topic.lead)
    return catalogue


def _rule(
    catalogue: Catalogue, org: DemoOrg, topic: Topic, cat: int, region: int | None, lead: str
) -> None:
    if (cat, region) in catalogue.rules:  # two topics on one category: the first one's rule
        return
    rule = DispatchRule.objects.filter(category_id=cat, region_id=region).first()
    if rule is None:
        unit = org.units[lead]
        rule = DispatchRule.objects.create(
            category_id=cat,
            region_id=region,
            lead_unit=unit,
            duties=f"{unit.name}负责辖区内{topic.name}类诉求的办理（演示派单目录）",
        )
        rule.assisting_units.set([org.units[c] for c in topic.assisting if c != STREET])
    # A rule made before the seed may name units outside the demo: route those by the topic.
    codes = tuple(rule.assisting_units.values_list("code", flat=True))
    if rule.lead_unit.code in org.units and all(c in org.units for c in codes):
        catalogue.rules[(cat, region)] = (rule.lead_unit.code, codes)
