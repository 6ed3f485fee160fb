"""The one scoping rule for reading work orders (architecture.md): pages and API both use it."""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Exists, OuterRef, Q

from hotline.accounts.choices import CENTRE_KINDS, HOTLINE_ROLES, Role

if TYPE_CHECKING:
    from hotline.accounts.models import User


def _prefix_q(field: str, paths: set[str]) -> Q:
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in sorted(paths)))


class WorkOrderQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> WorkOrderQuerySet:
        """Orders `user` may see: a centre sees its region, a unit what was sent to it (a
        manager: to its subtree). Everything else is invisible (and answered with 404)."""
        from hotline.accounts.models import Region, Unit

        from .models import WorkOrderAssignment

        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or getattr(user, "is_system", False):
            return self.all()
        region_paths: set[str] = set()
        own_units: set[int] = set()
        subtree_paths: set[str] = set()
        for m in user.active_memberships():
            if m.role in HOTLINE_ROLES and m.unit.kind in CENTRE_KINDS:
                region_paths.add(m.unit.region.path)
            elif m.role == Role.UNIT_MANAGER:
                subtree_paths.add(m.unit.path)
            elif m.role == Role.UNIT_HANDLER:
                own_units.add(m.unit_id)
        conditions = []
        if region_paths:
            regions = Region.objects.filter(_prefix_q("path", region_paths)).values("id")
            conditions.append(Q(region_id__in=regions))
        if subtree_paths or own_units:
            unit_q = Q(pk__in=own_units)
            if subtree_paths:
                unit_q |= _prefix_q("path", subtree_paths)
            units = Unit.objects.filter(unit_q).values("id")
            sent = WorkOrderAssignment.objects.filter(order=OuterRef("pk"), unit_id__in=units)
            conditions.append(Q(Exists(sent)))
        if not conditions:
            return self.none()
        return self.filter(reduce(or_, conditions))
