"""Scoped reads of the knowledge base, for the pages and the API alike.

Every signed-in member of a hotline or a unit reads the live entries (published, within their
term). Whoever may write an entry (`scope_of(user).maintains(entry.unit)`) also sees that
unit's drafts, pending, retired and expired entries. An entry one may not see is not found
(404), never forbidden: its existence does not leak."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.accounts.models import User
from hotline.catalog.models import Category
from hotline.workorders.errors import InvalidInput, NotFound
from hotline.workorders.models import WorkOrder

from . import search
from .choices import EntryStatus
from .models import Entry, Revision, Use
from .services import Scope, scope_of

# "Expiring" means the term ends within this many days (today included).
EXPIRING_DAYS = 30
# How many ranked hits a text search pages through: past these the words no longer match.
SEARCH_LIMIT = 200
TERMS = {
    "expiring": gettext_lazy("30 天内到期"),
    "expired": gettext_lazy("已过期"),
}


def live_q(today: date | None = None) -> Q:
    """Published and within the term: what agents read."""
    today = today or timezone.localdate()
    return Q(status=EntryStatus.PUBLISHED) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )


def _any(conditions: list[Q]) -> Q:
    return reduce(or_, conditions, Q(pk__in=[]))


def maintained_q(scope: Scope, unit: str = "unit__") -> Q:
    """The entries of the units `scope` maintains (as Scope.maintains, in SQL); with
    `unit=""`, those units themselves (a query on Unit)."""
    if scope.everything:
        return Q()
    return _any(
        [Q(**{f"{unit}region__path__startswith": p}) for p in scope.publish_regions]
        + [Q(**{f"{unit}path__startswith": p}) for p in scope.maintain_units]
    )


def published_q(scope: Scope) -> Q:
    """The entries of the units `scope` publishes (as Scope.publishes, in SQL)."""
    if scope.everything:
        return Q()
    return _any([Q(unit__region__path__startswith=p) for p in scope.publish_regions])


def reads(user: User) -> bool:
    """Hotline and unit staff read the knowledge base; anyone else sees nothing of it."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.is_hotline_staff or user.is_unit_staff


def entries_visible_to(user: User) -> QuerySet[Entry]:
    if not reads(user):
        return Entry.objects.none()
    scope = scope_of(user)
    where = live_q()
    if scope.writes:
        where |= maintained_q(scope)
    return Entry.objects.filter(where)


def entry_for(user: User, pk: int | str) -> Entry:
    """The entry if `user` may see it; NotFound (404) otherwise, whether or not it exists."""
    raw = str(pk)
    row = None
    if raw.isdigit():
        row = (
            entries_visible_to(user)
            .select_related(
                "category", "request_type", "region", "unit__region", "created_by", "updated_by"
            )
            .filter(pk=int(raw))
            .first()
        )
    if row is None:
        raise NotFound(_("知识条目不存在"))
    return row


@dataclass(frozen=True)
class EntryFilters:
    q: str = ""
    status: str = ""
    category: int | None = None
    request_type: int | None = None
    unit: int | None = None
    # "expiring" (within EXPIRING_DAYS) or "expired"
    term: str = ""
    # 待审核: pending entries of the units the user publishes
    review: bool = False
    # 我单位的条目: every entry of the units the user maintains, whatever its status
    mine: bool = False


def _check(filters: EntryFilters) -> None:
    if filters.status and filters.status not in EntryStatus.values:
        raise InvalidInput(
            _("状态「{value}」不存在，可用：{values}").format(
                value=filters.status, values="、".join(EntryStatus.values)
            ),
            field="status",
        )
    if filters.term and filters.term not in TERMS:
        raise InvalidInput(
            _("有效期筛选「{value}」不存在，可用：{values}").format(
                value=filters.term, values="、".join(TERMS)
            ),
            field="term",
        )
    if len(filters.q) > 100:
        raise InvalidInput(_("搜索内容不能超过 100 个字"), field="q")


def _narrow(qs: QuerySet[Entry], filters: EntryFilters, scope: Scope) -> QuerySet[Entry]:
    today = timezone.localdate()
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.category is not None:
        category = Category.objects.filter(pk=filters.category).first()
        if category is None:
            raise InvalidInput(_("诉求分类不存在"), field="category")
        qs = qs.filter(category__path__startswith=category.path)
    if filters.request_type is not None:
        qs = qs.filter(request_type_id=filters.request_type)
    if filters.unit is not None:
        qs = qs.filter(unit_id=filters.unit)
    if filters.term == "expiring":
        qs = qs.filter(
            valid_until__gte=today, valid_until__lte=today + timedelta(days=EXPIRING_DAYS - 1)
        )
    elif filters.term == "expired":
        qs = qs.filter(valid_until__lt=today)
    if filters.review:
        qs = (
            qs.filter(published_q(scope), status=EntryStatus.PENDING)
            if scope.is_publisher
            else qs.none()
        )
    if filters.mine:
        qs = qs.filter(maintained_q(scope)) if scope.writes else qs.none()
    return qs


@dataclass(frozen=True)
class EntryList:
    """The filtered entries, ranked by the search when there is text, else newest first; with
    each ranked entry's hit (score and the words it matched on)."""

    entries: QuerySet[Entry]
    hits: dict[int, search.Hit]


def entry_list(*, user: User, filters: EntryFilters) -> EntryList:
    _check(filters)
    scope = scope_of(user)
    qs = _narrow(entries_visible_to(user), filters, scope)
    qs = qs.select_related("category", "request_type", "region", "unit")
    text = filters.q.strip()
    if not text:
        return EntryList(qs.order_by("-updated_at", "-id"), {})
    found = search.search(text, limit=SEARCH_LIMIT)
    hits = {h.row.pk: h for h in found}
    # The search ranks the live entries; an entry that holds the words as typed (a writer's
    # draft, which the search does not read; a phone number deep in an answer) follows them.
    words = Q(title__icontains=text) | Q(keywords__icontains=text) | Q(answer__icontains=text)
    where = Q(pk__in=list(hits)) | words
    order: list[Any] = ["-updated_at", "-id"]
    if found:  # (a CASE without a WHEN is a bare constant, which PostgreSQL takes for a column)
        rank = Case(
            *[When(pk=h.row.pk, then=Value(i)) for i, h in enumerate(found)],
            default=Value(len(found)),
            output_field=IntegerField(),
        )
        order.insert(0, rank)
    return EntryList(qs.filter(where).order_by(*order), hits)


def entry_revisions(entry: Entry) -> QuerySet[Revision]:
    """The entry's whole history, newest first."""
    return entry.revisions.select_related(
        "actor", "category", "request_type", "region", "unit"
    ).order_by("-version")


@dataclass(frozen=True)
class Uses:
    count: int
    # The latest uses whose orders `user` may see (never an order they may not).
    recent: list[Use]


def entry_uses(user: User, entry: Entry, *, limit: int = 5) -> Uses:
    visible = WorkOrder.objects.visible_to(user).values("pk")
    recent = list(
        entry.uses.filter(order__in=visible)
        .select_related("order", "used_by")
        .order_by("-used_at", "-id")[:limit]
    )
    return Uses(count=entry.uses.count(), recent=recent)
