"""What a suggestion looks up besides the model, as one snapshot per process: the category tree
(names, full names, which are active), the units that take orders, and the dispatch catalogue
(派单目录). A suggestion runs while the agent types; with the snapshot it asks the database
nothing (it asked five to eight queries, most of its wall time on a busy machine).

The snapshot is a copy, never a source: it is reloaded after `CATALOGUE_SECONDS` (60 s), and at
once in a process that saves or deletes a category, unit or rule (signals). So an edit in the
admin reaches the suggestions of every other process within that time; the dispatch itself
(`catalog.selectors.dispatch_rule_for` in the work-order moves) always reads the database."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from django.db.models.signals import post_delete, post_save

from hotline.accounts.models import Region, Unit
from hotline.catalog.models import Category, DispatchRule

from .conf import dispatch_setting


@dataclass
class Catalogue:
    # Every category (active or not: an inactive one still names its place in the tree).
    categories: dict[int, Category]
    # Units that take orders (active).
    units: dict[int, Unit]
    # category pk -> [(region pk or None for all regions, lead unit)], active rules whose
    # lead unit is active: exactly the candidates of `dispatch_rule_for`.
    rules: dict[int, list[tuple[int | None, Unit]]]
    loaded_at: float

    @classmethod
    def load(cls) -> Catalogue:
        categories = Category.objects.in_bulk()
        units = Unit.objects.filter(is_active=True).in_bulk()
        rules: dict[int, list[tuple[int | None, Unit]]] = {}
        for category_id, region_id, unit_id in DispatchRule.objects.filter(
            is_active=True, lead_unit__is_active=True
        ).values_list("category_id", "region_id", "lead_unit_id"):
            rules.setdefault(category_id, []).append((region_id, units[unit_id]))
        return cls(categories, units, rules, time.monotonic())

    def active_category(self, pk: Any) -> Category | None:
        category = self.categories.get(pk)
        return category if category is not None and category.is_active else None

    def full_name(self, category: Category) -> str:
        """`Category.full_name` without its query: the names from the root down."""
        return " / ".join(
            self.categories[pk].name for pk in category.ancestor_ids() if pk in self.categories
        )

    def rule_unit(self, category: Category, region: Region | None) -> Unit | None:
        """The lead unit of `dispatch_rule_for(category=, region=)`, by the same rule: the
        deepest category up the tree wins, then the nearest region, then "all regions"."""
        region_rank: dict[int | None, int] = {None: 0}
        if region is not None:
            region_rank.update({pk: depth + 1 for depth, pk in enumerate(region.ancestor_ids())})
        best: tuple[tuple[int, int], Unit] | None = None
        for depth, category_id in enumerate(category.ancestor_ids()):
            for region_id, unit in self.rules.get(category_id, ()):
                if region_id in region_rank:
                    key = (depth, region_rank[region_id])
                    if best is None or key > best[0]:
                        best = (key, unit)
        return best[1] if best is not None else None


_LOCK = threading.Lock()
_CURRENT: list[Catalogue] = []


def catalogue() -> Catalogue:
    """The snapshot, reloaded when older than `CATALOGUE_SECONDS`."""
    with _LOCK:
        if _CURRENT and time.monotonic() - _CURRENT[0].loaded_at < dispatch_setting(
            "CATALOGUE_SECONDS"
        ):
            return _CURRENT[0]
    fresh = Catalogue.load()
    with _LOCK:
        _CURRENT[:] = [fresh]
    return fresh


def forget(**_kwargs: Any) -> None:
    """Drop the snapshot: the next suggestion reloads it (connected to the models' saves)."""
    with _LOCK:
        _CURRENT.clear()


def connect() -> None:
    for model in (Category, Unit, DispatchRule):
        post_save.connect(forget, sender=model, dispatch_uid=f"dispatch-catalogue-{model.__name__}")
        post_delete.connect(
            forget, sender=model, dispatch_uid=f"dispatch-catalogue-del-{model.__name__}"
        )
