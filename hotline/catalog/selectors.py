"""Reads of reference data."""

from __future__ import annotations

from django.db.models import Q

from hotline.accounts.models import Region

from .models import Category, DispatchRule


def dispatch_rule_for(*, category: Category, region: Region | None) -> DispatchRule | None:
    """The most specific active rule of the dispatch catalogue (派单目录) for an order.

    Walks from the order's category up to the root; at each category a rule for the order's
    region or its nearest ancestor wins, then a rule with no region (all regions). A deeper
    category always beats a closer region: the catalogue is written per duty, and a duty named
    for a narrow category is meant to override the broad one. Rules whose lead unit is disabled
    are skipped, since an order cannot be sent there."""
    category_depth = {pk: depth for depth, pk in enumerate(category.ancestor_ids())}
    region_ids = region.ancestor_ids() if region is not None else []
    # 0 for "all regions", otherwise 1 + depth, so a nearer region ranks higher.
    region_rank: dict[int | None, int] = {None: 0}
    region_rank.update({pk: depth + 1 for depth, pk in enumerate(region_ids)})
    candidates = list(
        DispatchRule.objects.filter(
            is_active=True,
            lead_unit__is_active=True,
            category_id__in=list(category_depth),
        )
        .filter(Q(region__isnull=True) | Q(region_id__in=region_ids))
        .select_related("lead_unit", "region", "category")
    )
    if not candidates:
        return None
    return max(candidates, key=lambda r: (category_depth[r.category_id], region_rank[r.region_id]))
