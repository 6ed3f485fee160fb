"""Reads of the citizen portal. The requester has no account, so `visible_to(user)` cannot
apply: an order is found only when the number (or query code) and the requester's phone both
match, and what is shown is cut down to what a requester may see (`PortalProgress`)."""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from hotline.accounts.choices import RegionLevel
from hotline.accounts.models import Region, Unit
from hotline.catalog.models import Category
from hotline.workorders.choices import Action, AssignmentRole, Status
from hotline.workorders.models import WorkOrder, WorkOrderAssignment, WorkOrderEvent

QUERY_CODE_RE = re.compile(r"^\d{6}$")

# Each state in the words a requester understands; staff labels ("已派单") mean little to them.
PLAIN_STATUS = {
    Status.REGISTERED: _("已受理，正在安排办理单位"),
    Status.DISPATCHED: _("已转交承办单位，等待办理"),
    Status.IN_PROGRESS: _("承办单位正在办理"),
    Status.RETURNED: _("正在重新确定承办单位"),
    Status.REPLIED: _("承办单位已答复，热线正在审核答复"),
    Status.AWAITING_CALLBACK: _("已答复，等待您的评价"),
    Status.CLOSED: _("已办结"),
    Status.MERGED: _("已与相同诉求合并办理"),
    Status.TRANSFERRED_OUT: _("已转交其他部门或渠道"),
    Status.INVALID: _("未予受理"),
    Status.WITHDRAWN: _("已撤回"),
}

# Public events in plain words. Only the notes of NOTE_SHOWN are answers meant for the requester
# (the answer given at intake, where the request was transferred); any other note stays internal
# (a dispatcher's 派单说明 names whom the unit should call), however public the event itself is.
# The unit's reviewed reply (答复) is the other thing the requester is told, once accepted
# (ANSWERED). This one rule serves the portal, Open311's status_notes and the channels' webhook
# notices: `requester_note`, `requester_notes`, `requester_answers`.
PLAIN_EVENT = {
    Action.REGISTER: _("诉求已受理"),
    Action.RESOLVE_AT_INTAKE: _("热线已当场答复"),
    Action.DISPATCH: _("已转交承办单位"),
    Action.CONTACT_REQUESTER: _("承办单位已与您联系"),
    Action.ACCEPT_REPLY: _("承办单位的答复已通过审核"),
    Action.REDO: _("已安排重新办理"),
    Action.CLOSE: _("诉求已办结"),
    Action.MERGE: _("已与相同诉求合并办理"),
    Action.TRANSFER_OUT: _("已转交其他部门或渠道"),
    Action.WITHDRAW: _("诉求已撤回"),
}
NOTE_SHOWN = frozenset({Action.RESOLVE_AT_INTAKE, Action.TRANSFER_OUT})
# States in which the hotline has accepted an answer, so the requester may read it.
ANSWERED = frozenset({Status.AWAITING_CALLBACK, Status.CLOSED})


def portal_centre() -> Unit | None:
    """The centre that registers portal requests: the one `workorder_register` picks for the
    system user (the first active top-level centre)."""
    return Unit.objects.filter(kind="centre", parent__isnull=True, is_active=True).first()


def service_area_regions() -> QuerySet[Region]:
    """Regions a requester may pick: the portal centre's region and everything below it, down
    to streets and townships (communities are too many for a phone's picker)."""
    centre = portal_centre()
    if centre is None:
        return Region.objects.none()
    return Region.objects.filter(
        path__startswith=centre.region.path, level__lte=RegionLevel.STREET
    ).order_by("path")


def phone_digits(phone: str) -> str:
    """The digits of a phone number: "0912-123 4567" and "09121234567" are one number."""
    return re.sub(r"\D", "", phone or "")


def _stored_forms(phone: str, digits: str) -> set[str]:
    """The ways intake may have stored this number (a landline with or without the dash after
    its area code), so the lookup stays an exact match on the indexed phone column."""
    forms = {phone.strip(), digits}
    if digits.startswith("0"):
        forms |= {f"{digits[:3]}-{digits[3:]}", f"{digits[:4]}-{digits[4:]}"}
    return forms


def portal_order_find(*, ref: str, phone: str) -> WorkOrder | None:
    """The order numbered `ref` (or whose query code is `ref`) if `phone` is its requester's;
    else None, whether or not the number exists, so a guess learns nothing."""
    ref, digits = (ref or "").strip(), phone_digits(phone)
    if not ref or not digits:
        return None
    orders = WorkOrder.objects.select_related("request_type")
    if QUERY_CODE_RE.match(ref):
        # A code is not unique; with the phone it is, except by a one-in-a-million chance
        # for two orders of one requester, where the newest is the one they mean.
        candidates = orders.filter(
            query_code=ref, requester_phone__in=_stored_forms(phone, digits)
        ).order_by("-created_at", "-id")
    else:
        candidates = orders.filter(number=ref)
    for order in candidates[:5]:
        if hmac.compare_digest(phone_digits(order.requester_phone), digits):
            return order
    return None


@dataclass(frozen=True)
class PortalEvent:
    at: datetime
    label: str
    note: str


@dataclass(frozen=True)
class PortalProgress:
    """What a requester may see of their order: no staff, no internal notes, no other
    requester. The unit's answer appears only once the hotline has accepted it."""

    number: str
    title: str
    request_type: str
    status: str
    plain_status: str
    received_at: datetime
    replied_at: datetime | None
    closed_at: datetime | None
    answer: str
    answer_unit: str
    events: list[PortalEvent]
    rating: str
    solved: bool | None
    may_rate: bool


def requester_answers(order_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """The answer each order's requester is told, as (text, unit name): the lead unit's latest
    reply the hotline accepted, or the answer given at intake. Two queries for any number of
    orders; the caller passes only orders in an ANSWERED state (a reply under review, or sent
    back, is not the requester's to read)."""
    ids = set(order_ids)
    answers: dict[int, tuple[str, str]] = {}
    if not ids:
        return answers
    replies = (
        WorkOrderAssignment.objects.filter(
            order_id__in=ids, role=AssignmentRole.LEAD, replied_at__isnull=False
        )
        .exclude(reply="")
        .order_by("order_id", "-replied_at", "-id")
        .values_list("order_id", "reply", "unit__name")
    )
    for order_id, reply, unit in replies:
        answers.setdefault(order_id, (reply, unit))
    rest = ids - answers.keys()
    if rest:
        resolved = (
            WorkOrderEvent.objects.filter(order_id__in=rest, action=Action.RESOLVE_AT_INTAKE)
            .order_by("order_id", "-seq")
            .values_list("order_id", "note")
        )
        for order_id, note in resolved:
            answers.setdefault(order_id, (note, ""))
    return answers


def _answer(order: WorkOrder) -> tuple[str, str]:
    if order.status not in ANSWERED:
        return "", ""
    return requester_answers([order.pk]).get(order.pk, ("", ""))


def requester_note(event: WorkOrderEvent) -> str:
    """What the requester may read with `event` (a channel's webhook notice): its note if it is
    an answer meant for them (NOTE_SHOWN), the accepted answer when the event leaves the order
    answered (审核通过; 办结 by the callback, whose own note stays internal), else nothing."""
    if event.action in NOTE_SHOWN:
        return event.note if event.is_public else ""
    if event.to_status in ANSWERED:
        return requester_answers([event.order_id]).get(event.order_id, ("", ""))[0]
    return ""


@dataclass(frozen=True)
class RequesterNote:
    """The latest thing an order's requester may read: `text` (an answer or a NOTE_SHOWN note,
    may be empty) and `label`, its state in the plain words the portal uses."""

    text: str
    label: str


def requester_notes(orders: list[WorkOrder]) -> dict[int, RequesterNote]:
    """`RequesterNote` of each order (Open311's status_notes), in three queries at most: the
    accepted answer while the order is answered, else the note of the NOTE_SHOWN event that
    brought it into its present state (a transfer out), else no text."""
    answered = [o.pk for o in orders if o.status in ANSWERED]
    answers = requester_answers(answered)
    shown: dict[int, tuple[str, str]] = {}
    rest = [o.pk for o in orders if o.status not in ANSWERED]
    if rest:
        rows = (
            WorkOrderEvent.objects.filter(order_id__in=rest, action__in=NOTE_SHOWN, is_public=True)
            .order_by("order_id", "-seq")
            .values_list("order_id", "to_status", "note")
        )
        for order_id, to_status, note in rows:
            shown.setdefault(order_id, (to_status, note))
    notes: dict[int, RequesterNote] = {}
    for order in orders:
        if order.pk in answers:
            text = answers[order.pk][0]
        else:
            to_status, note = shown.get(order.pk, ("", ""))
            text = note if to_status == order.status else ""
        label = str(PLAIN_STATUS.get(Status(order.status), order.get_status_display()))
        notes[order.pk] = RequesterNote(text=text, label=label)
    return notes


def portal_progress(order: WorkOrder) -> PortalProgress:
    """The requester's view of `order` (found by `portal_order_find`)."""
    status = order.effective_status()
    plain = str(PLAIN_STATUS.get(Status(status), order.get_status_display()))
    if order.status == Status.MERGED and status != Status.MERGED:
        plain = _("已与相同诉求合并办理：{status}").format(status=plain)
    events = [
        PortalEvent(
            at=e.created_at,
            label=str(PLAIN_EVENT.get(Action(e.action), e.get_action_display())),
            note=e.note if e.action in NOTE_SHOWN else "",
        )
        for e in order.events.filter(is_public=True).order_by("seq")
    ]
    answer, unit = _answer(order)
    return PortalProgress(
        number=order.number,
        title=order.title,
        request_type=order.request_type.label,
        status=order.status,
        plain_status=plain,
        received_at=order.created_at,
        replied_at=order.replied_at if order.status in ANSWERED else None,
        closed_at=order.closed_at,
        answer=answer,
        answer_unit=unit,
        events=events,
        rating=order.get_rating_display() if order.rating else "",
        solved=order.solved if order.rating else None,
        may_rate=may_rate(order),
    )


def may_rate(order: WorkOrder) -> bool:
    """The requester may rate once, after the hotline accepted the answer: while the order
    awaits its callback, or once closed without a rating (the callback never reached them).
    A reply still under review (已答复) is not theirs to rate yet: review may send it back."""
    return order.status in ANSWERED and not order.rating


@dataclass
class CategoryGroup:
    """One top-level category and the leaves under it, for an <optgroup>."""

    name: str
    leaves: list[tuple[int, str]]  # (id, the names below the top level, joined by " / ")


def portal_categories() -> list[CategoryGroup]:
    """The categories a requester may pick, grouped by top-level category: the leaves (no
    active child) whose every ancestor is active, as the agent desk and Open311 offer them.
    One query over the tree (a few hundred rows), in the tree's order."""
    nodes = {
        pk: (parent, name, active, path)
        for pk, parent, name, active, path in Category.objects.order_by("path").values_list(
            "pk", "parent_id", "name", "is_active", "path"
        )
    }
    has_active_child = {parent for parent, _name, active, _path in nodes.values() if active}
    groups: dict[int, CategoryGroup] = {}
    for pk, (_parent, _name, active, path) in nodes.items():
        if not active or pk in has_active_child:
            continue
        chain = [int(i) for i in path.strip("/").split("/") if i]
        if not all(i in nodes and nodes[i][2] for i in chain):
            continue
        root = chain[0]
        group = groups.setdefault(root, CategoryGroup(nodes[root][1], []))
        names = [nodes[i][1] for i in chain[1:]] or [nodes[root][1]]
        group.leaves.append((pk, " / ".join(names)))
    return list(groups.values())
