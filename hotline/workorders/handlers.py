"""What each move does beyond the state change. Called only by `services.workorder_transition`,
inside its transaction with the order row locked. Each handler mutates `ctx.order` (the entry
point saves it), may write assignments, and returns the target state (None: table's target)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.accounts.choices import UnitKind
from hotline.accounts.models import Unit, User
from hotline.core.conf import hotline_int

from .choices import (
    OPEN,
    Action,
    AssignmentRole,
    ContactMethod,
    ExtensionStatus,
    Rating,
    Status,
    TransferTarget,
)
from .errors import IllegalTransition, InvalidInput
from .models import ExtensionRequest, WorkOrder, WorkOrderAssignment, WorkOrderLink
from .permissions import close_refusal
from .transitions import EXTENSION_DECIDABLE, Transition


@dataclass
class Context:
    order: WorkOrder
    actor: User
    actor_unit: Unit
    transition: Transition
    note: str
    params: dict[str, Any]
    at: datetime
    # Filled by handlers for the event row.
    unit: Unit | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    # Events beside the move's own (merge, master closing, a lapsed extension request), as
    # (order, action, payload, note).
    side_events: list[tuple[WorkOrder, str, dict[str, Any], str]] = field(default_factory=list)


def _unit(value: Any, name: str) -> Unit:
    unit: Unit | None
    if isinstance(value, Unit):
        unit = value
    else:
        if value in (None, ""):
            raise InvalidInput(
                _("请指定主办单位") if name == "lead_unit" else _("请指定单位"),
                field=name,
            )
        unit = Unit.objects.filter(pk=value).first() if str(value).isdigit() else None
        unit = unit or Unit.objects.filter(code=str(value)).first()
        if unit is None:
            raise InvalidInput(_("单位「{value}」不存在").format(value=value), field=name)
    if not unit.is_active:
        raise InvalidInput(_("单位「{unit}」已停用").format(unit=unit.name), field=name)
    return unit


def _units(values: Any, name: str) -> list[Unit]:
    if values in (None, ""):
        return []
    if not isinstance(values, list | tuple):
        raise InvalidInput(_("协办单位应为列表"), field=name)
    return [_unit(v, name) for v in values]


def _assign(ctx: Context, lead: Unit, assisting: list[Unit], *, by: Unit) -> None:
    if lead in assisting:
        raise InvalidInput(
            _("「{lead}」不能既主办又协办").format(lead=lead.name), field="assisting_units"
        )
    if lead.kind == UnitKind.CENTRE:
        raise InvalidInput(_("不能派单给热线中心本身"), field="lead_unit")
    order = ctx.order
    WorkOrderAssignment.objects.bulk_create(
        [
            WorkOrderAssignment(
                order=order, unit=u, role=role, dispatched_by=by, dispatched_at=ctx.at
            )
            for u, role in [(lead, AssignmentRole.LEAD)]
            + [(u, AssignmentRole.ASSISTING) for u in dict.fromkeys(assisting)]
        ]
    )
    order.lead_unit = lead
    order.dispatched_at = ctx.at
    order.clock_paused_at = None  # a new round starts its clocks afresh
    ctx.unit = lead
    ctx.payload.update(
        lead_unit=lead.code,
        lead_unit_name=lead.name,
        assisting_units=[u.code for u in assisting],
    )


def _lead(order: WorkOrder) -> WorkOrderAssignment:
    a = (
        order.assignments.filter(is_active=True, role=AssignmentRole.LEAD)
        .select_related("unit", "dispatched_by")
        .first()
    )
    if a is None:  # cannot happen in a state that has a lead; say so rather than crash
        raise IllegalTransition(_("工单 {number} 没有当前主办单位").format(number=order.number))
    return a


def _end_assignments(order: WorkOrder, *, role: str | None = None) -> None:
    qs = order.assignments.filter(is_active=True)
    if role:
        qs = qs.filter(role=role)
    qs.update(is_active=False)


def resolve_at_intake(ctx: Context) -> None:
    ctx.payload["answer"] = ctx.note


def dispatch(ctx: Context) -> None:
    lead = _unit(ctx.params.get("lead_unit"), "lead_unit")
    assisting = _units(ctx.params.get("assisting_units"), "assisting_units")
    if ctx.params.get("category") not in (None, ""):
        _classify(ctx, ctx.params["category"])
    _assign(ctx, lead, assisting, by=ctx.actor_unit)


def _classify(ctx: Context, value: object) -> None:
    """The dispatcher gives an order registered without a category its category (the one the
    suggestions offer, or any active one), so it is not dispatched unclassified. Written in
    the move's transaction, before the time-limit rules read the order's category."""
    from hotline.catalog.models import Category

    order = ctx.order
    raw = str(value)
    category = Category.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if category is None:
        raise InvalidInput(_("诉求分类不存在"), field="category")
    if not category.is_active:
        raise InvalidInput(
            _("诉求分类「{category}」已停用").format(category=category.name), field="category"
        )
    if order.category_id is not None and order.category_id != category.pk:
        raise InvalidInput(_("工单已有诉求分类，派单时不能更改"), field="category")
    if order.category_id is None:
        # Not among the fields the move's version bump writes: written here, under its lock.
        WorkOrder.objects.filter(pk=order.pk).update(category=category)
        order.category = category
        ctx.payload["category"] = category.pk


def redispatch(ctx: Context) -> None:
    current = _lead(ctx.order)
    lead = _unit(ctx.params.get("lead_unit"), "lead_unit")
    if not lead.is_descendant_of(current.unit):
        raise InvalidInput(
            _("「{lead}」不是「{unit}」的下级单位").format(lead=lead.name, unit=current.unit.name),
            field="lead_unit",
        )
    assisting = _units(ctx.params.get("assisting_units"), "assisting_units")
    _end_assignments(ctx.order, role=AssignmentRole.LEAD)
    _assign(ctx, lead, assisting, by=current.unit)


def reassign(ctx: Context) -> None:
    lead = _unit(ctx.params.get("lead_unit"), "lead_unit")
    assisting = _units(ctx.params.get("assisting_units"), "assisting_units")
    previous = _lead(ctx.order)
    _end_assignments(ctx.order)
    _assign(ctx, lead, assisting, by=previous.dispatched_by)
    ctx.payload["previous_unit"] = previous.unit.code


def acknowledge(ctx: Context) -> None:
    a = _lead(ctx.order)
    WorkOrderAssignment.objects.filter(pk=a.pk).update(acknowledged_at=ctx.at)
    ctx.unit = a.unit


def return_(ctx: Context) -> None:
    order = ctx.order
    order.clock_paused_at = None  # the unit gives the order back: its pause ends with it
    limit = hotline_int("RETURN_LIMIT")
    if order.return_count >= limit:
        raise IllegalTransition(
            _(
                "工单 {number} 已退单 {return_count} 次，已达上限 {limit} 次，由热线确定承办单位，不能再退"
            ).format(number=order.number, return_count=order.return_count, limit=limit)
        )
    basis = str(ctx.params.get("legal_basis") or "").strip()
    if not basis:
        raise InvalidInput(_("退单须写明依据（法律法规或职责依据）"), field="legal_basis")
    a = _lead(order)
    WorkOrderAssignment.objects.filter(pk=a.pk).update(returned_at=ctx.at)
    order.return_count += 1
    ctx.unit = a.dispatched_by
    ctx.payload.update(reason=ctx.note, legal_basis=basis, returned_by=a.unit.code)


def reject_return(ctx: Context) -> str:
    a = _lead(ctx.order)
    WorkOrderAssignment.objects.filter(pk=a.pk).update(returned_at=None)
    ctx.unit = a.unit
    return Status.IN_PROGRESS if a.acknowledged_at else Status.DISPATCHED


def reply(ctx: Context) -> None:
    _end_pause(ctx)  # the unit answers: the requester is no longer awaited
    a = _lead(ctx.order)
    WorkOrderAssignment.objects.filter(pk=a.pk).update(replied_at=ctx.at, reply=ctx.note)
    ctx.order.replied_at = ctx.at
    ctx.unit = a.unit
    ctx.payload["reply"] = ctx.note


def assist_reply(ctx: Context) -> None:
    ctx.order.assignments.filter(
        is_active=True, role=AssignmentRole.ASSISTING, unit=ctx.actor_unit
    ).update(replied_at=ctx.at, reply=ctx.note)
    ctx.unit = ctx.order.lead_unit


def accept_reply(ctx: Context) -> None:
    ctx.unit = ctx.order.lead_unit
    ctx.order.callback_attempts = 0


def send_back(ctx: Context) -> None:
    a = _lead(ctx.order)
    WorkOrderAssignment.objects.filter(pk=a.pk).update(replied_at=None)
    ctx.order.replied_at = None
    ctx.unit = a.unit


def request_extension(ctx: Context) -> None:
    days = _int(ctx.params.get("days"), "days", 1, hotline_int("EXTENSION_MAX_DAYS"))
    if ctx.order.extensions.filter(status=ExtensionStatus.PENDING).exists():
        raise IllegalTransition(
            _("工单 {number} 已有待审批的延期申请").format(number=ctx.order.number)
        )
    ext = ExtensionRequest.objects.create(
        order=ctx.order,
        unit=ctx.actor_unit,
        days=days,
        reason=ctx.note,
        requested_by=ctx.actor,
        requested_at=ctx.at,
    )
    ctx.payload.update(extension=ext.pk, days=days)


def _decide_extension(ctx: Context, status: str) -> None:
    ext = ctx.order.extensions.filter(status=ExtensionStatus.PENDING).first()
    if ext is None:
        raise IllegalTransition(
            _("工单 {number} 没有待审批的延期申请").format(number=ctx.order.number)
        )
    ExtensionRequest.objects.filter(pk=ext.pk).update(
        status=status, decided_by=ctx.actor, decided_at=ctx.at, decision_note=ctx.note
    )
    ctx.unit = ext.unit
    ctx.payload.update(extension=ext.pk, days=ext.days)


EXTENSION_MOVES = frozenset(
    {Action.REQUEST_EXTENSION, Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION}
)


def lapse_extension(ctx: Context, target: str) -> None:
    """Settle a pending extension request the move makes moot: the order leaves the states where
    one is decided (replied, returned, merged, closed…), or goes to another lead unit. Left
    pending, it would sit in the supervisor's queue and fail when decided. The request is marked
    lapsed and an event says why, on the move's actor; nothing earlier is rewritten."""
    # A request is only ever pending in the decidable states: moves from elsewhere skip the query.
    if ctx.transition.action in EXTENSION_MOVES or ctx.order.status not in EXTENSION_DECIDABLE:
        return
    ext = ctx.order.extensions.filter(status=ExtensionStatus.PENDING).first()
    if ext is None:
        return
    if target in EXTENSION_DECIDABLE and ctx.order.lead_unit_id == ext.unit_id:
        return
    if ctx.transition.action == Action.REPLY:
        reason = _("工单已答复")
    else:
        reason = _("工单已{action}").format(action=ctx.transition.action.label)
    ExtensionRequest.objects.filter(pk=ext.pk).update(
        status=ExtensionStatus.LAPSED, decided_by=ctx.actor, decided_at=ctx.at, decision_note=reason
    )
    payload = {"extension": ext.pk, "days": ext.days, "cause": ctx.transition.action.value}
    ctx.side_events.append((ctx.order, Action.LAPSE_EXTENSION, payload, reason))


def approve_extension(ctx: Context) -> None:
    _decide_extension(ctx, ExtensionStatus.APPROVED)


def reject_extension(ctx: Context) -> None:
    _decide_extension(ctx, ExtensionStatus.REJECTED)


def urge(ctx: Context) -> None:
    ctx.order.urge_count += 1
    ctx.unit = ctx.order.lead_unit
    ctx.payload["count"] = ctx.order.urge_count


def supervise(ctx: Context) -> None:
    level = _int(ctx.params.get("level"), "level", 1, hotline_int("SUPERVISION_LEVELS"))
    if level <= ctx.order.supervision_level:
        raise IllegalTransition(
            _("工单 {number} 已是 {supervision_level} 级督办，只能提级").format(
                number=ctx.order.number, supervision_level=ctx.order.supervision_level
            )
        )
    ctx.order.supervision_level = level
    ctx.unit = ctx.order.lead_unit
    ctx.payload["level"] = level


def callback(ctx: Context) -> str | None:
    rating = ctx.params.get("rating")
    if rating not in Rating.values:
        raise InvalidInput(
            _("评价应为 {values} 之一").format(values=_("、").join(Rating.values)), field="rating"
        )
    solved = ctx.params.get("solved")
    if not isinstance(solved, bool):
        raise InvalidInput(_("请填写是否已解决（true/false）"), field="solved")
    order = ctx.order
    if order.status == Status.CLOSED and order.rating:
        raise IllegalTransition(_("工单 {number} 已有评价").format(number=order.number))
    order.rating = rating
    order.solved = solved
    ctx.unit = order.lead_unit
    ctx.payload.update(rating=rating, solved=solved)
    if order.status == Status.CLOSED:
        # A late rating of an order closed without one (e.g. the requester never answered
        # the callback, then rated on the portal): recorded; the order stays closed as it was.
        return None
    if rating == Rating.DISSATISFIED:
        return None  # waits for redo or a reasoned close
    return _close(ctx)


def callback_unreachable(ctx: Context) -> str | None:
    order = ctx.order
    order.callback_attempts += 1
    ctx.payload["attempt"] = order.callback_attempts
    if order.callback_attempts >= hotline_int("CALLBACK_MAX_ATTEMPTS"):
        ctx.payload["closed_unreachable"] = True
        return _close(ctx)
    return None


def redo(ctx: Context) -> None:
    order = ctx.order
    if order.rating != Rating.DISSATISFIED:
        raise IllegalTransition(
            _("工单 {number} 的回访评价不是不满意，不能重办").format(number=order.number)
        )
    previous = order.assignments.filter(role=AssignmentRole.LEAD).order_by("-id").first()
    chosen = ctx.params.get("lead_unit")
    if previous is None and not chosen:
        # Resolved at intake (直办): there is no original unit; the redo dispatches it afresh.
        raise InvalidInput(
            _("工单 {number} 为热线直办，未曾派单：请选择重办的承办单位").format(
                number=order.number
            ),
            field="lead_unit",
        )
    unit = _unit(chosen or previous.unit, "lead_unit")  # type: ignore[union-attr]
    _end_assignments(order)
    _assign(ctx, unit, [], by=previous.dispatched_by if previous else ctx.actor_unit)
    order.redo_count += 1
    order.rating = ""
    order.solved = None
    order.replied_at = None
    order.callback_attempts = 0


def close(ctx: Context) -> str:
    """The reasoned close by hand (the table requires the note). A satisfied rating and the last
    unreachable attempt close by themselves, so no order reaches 已办结 without its callback."""
    refusal = close_refusal(ctx.order)
    if refusal:
        raise IllegalTransition(refusal)
    return _close(ctx)


def _close(ctx: Context) -> str:
    ctx.order.closed_at = ctx.at
    for child in ctx.order.merged_orders.select_for_update().order_by("pk"):
        ctx.side_events.append((child, Action.MASTER_CLOSED, {"master": ctx.order.number}, ""))
    return Status.CLOSED


def _visible_pk(ctx: Context, number: Any) -> int | None:
    """The id of the order numbered `number`, if the actor may see it."""
    return (
        WorkOrder.objects.visible_to(ctx.actor)
        .filter(number=str(number or ""))
        .values_list("pk", flat=True)
        .first()
    )


def merge(ctx: Context) -> None:
    order = ctx.order
    ref = ctx.params.get("master")
    # Only an order the actor may see: anything else "does not exist" (existence never leaks).
    visible = _visible_pk(ctx, ref)
    master = WorkOrder.objects.select_for_update().filter(pk=visible).first() if visible else None
    if master is None:
        raise InvalidInput(_("主单「{ref}」不存在").format(ref=ref), field="master")
    if master.pk == order.pk:
        raise InvalidInput(_("不能并入自身"), field="master")
    if master.status not in OPEN or master.status == Status.MERGED:
        raise InvalidInput(
            _("主单 {number} 状态为「{status}」，不能并入").format(
                number=master.number, status=master.get_status_display()
            ),
            field="master",
        )
    order.master = master
    _end_assignments(order)
    ctx.payload["master"] = master.number
    ctx.side_events.append((master, Action.MERGE, {"merged": order.number}, ""))


def transfer_out(ctx: Context) -> None:
    target = ctx.params.get("target")
    if target not in TransferTarget.values:
        raise InvalidInput(
            _("转出去向应为 {values} 之一").format(values=_("、").join(TransferTarget.values)),
            field="target",
        )
    ctx.order.transfer_target = target
    ctx.order.closed_at = ctx.at
    ctx.payload["target"] = target


def terminal(ctx: Context) -> None:
    ctx.order.closed_at = ctx.at


def link(ctx: Context) -> None:
    ref = str(ctx.params.get("other") or "")
    visible = _visible_pk(ctx, ref)
    other = WorkOrder.objects.filter(pk=visible).first() if visible else None
    if other is None or other.pk == ctx.order.pk:
        raise InvalidInput(_("关联工单「{ref}」不存在").format(ref=ref), field="other")
    for a, b in ((ctx.order, other), (other, ctx.order)):
        WorkOrderLink.objects.get_or_create(
            from_order=a, to_order=b, defaults={"note": ctx.note, "created_at": ctx.at}
        )
    ctx.payload["other"] = other.number


def attach(ctx: Context) -> None:
    attachment = ctx.params.get("attachment")
    if attachment is None:
        raise InvalidInput(_("请上传文件"), field="file")
    ctx.payload.update(attachment=attachment.pk, name=attachment.name)


def _end_pause(ctx: Context) -> None:
    """A paused clock runs again: the event says since when it stood still, so the time-limit
    rules move the deadlines on by that much."""
    if ctx.order.clock_paused_at is not None:
        ctx.payload["paused_from"] = ctx.order.clock_paused_at.isoformat()
        ctx.order.clock_paused_at = None


def pause_clock(ctx: Context) -> None:
    if not settings.HOTLINE.get("PAUSE_WAITING_REQUESTER"):
        raise IllegalTransition(_("本地未启用“等待诉求人期间暂停计时”"))
    if ctx.order.clock_paused_at is not None:
        raise IllegalTransition(
            _("工单 {number} 已在等待诉求人，计时已暂停").format(number=ctx.order.number)
        )
    ctx.order.clock_paused_at = ctx.at
    ctx.unit = ctx.order.lead_unit


def resume_clock(ctx: Context) -> None:
    if ctx.order.clock_paused_at is None:
        raise IllegalTransition(_("工单 {number} 的计时没有暂停").format(number=ctx.order.number))
    _end_pause(ctx)
    ctx.unit = ctx.order.lead_unit


def contact_requester(ctx: Context) -> None:
    """联系诉求人: how and when the lead unit reached the requester. The round's first contact is
    kept on the lead assignment (响应率 reads it); later ones are events only."""
    method = ctx.params.get("method")
    if method not in ContactMethod.values:
        raise InvalidInput(
            _("联系方式应为 {values} 之一").format(
                values=_("、").join(str(label) for label in ContactMethod.labels)
            ),
            field="method",
        )
    a = _lead(ctx.order)
    when = _moment(ctx.params.get("contacted_at"), "contacted_at") or ctx.at
    if when > ctx.at:
        raise InvalidInput(_("联系时间不能晚于现在"), field="contacted_at")
    if when < a.dispatched_at:
        raise InvalidInput(
            _("联系时间不能早于本轮派单时间 {at}").format(
                at=timezone.localtime(a.dispatched_at).strftime("%Y-%m-%d %H:%M")
            ),
            field="contacted_at",
        )
    first = a.contacted_at is None
    if first:
        WorkOrderAssignment.objects.filter(pk=a.pk).update(contacted_at=when)
    ctx.unit = a.unit
    ctx.payload.update(method=method, contacted_at=when.isoformat(), first=first)


def _moment(value: Any, name: str) -> datetime | None:
    """A moment given as a datetime or an ISO 8601 string (naive: local time), or None."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidInput(
                _("时间「{value}」格式不正确（应为 2026-03-02T10:30）").format(value=value),
                field=name,
            ) from None
    if not isinstance(value, datetime):
        raise InvalidInput(_("时间格式不正确"), field=name)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def nothing(ctx: Context) -> None:
    return None


def _int(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidInput(
            _("{name} 应为 {low}–{high} 的整数").format(name=name, low=low, high=high), field=name
        )
    try:
        number = int(value)
    except ValueError:
        raise InvalidInput(
            _("{name} 应为 {low}–{high} 的整数").format(name=name, low=low, high=high), field=name
        ) from None
    if not low <= number <= high:
        raise InvalidInput(
            _("{name} 应为 {low}–{high} 的整数").format(name=name, low=low, high=high), field=name
        )
    return number


HANDLERS: dict[str, Callable[[Context], str | None]] = {
    Action.RESOLVE_AT_INTAKE: resolve_at_intake,
    Action.DISPATCH: dispatch,
    Action.REDISPATCH: redispatch,
    Action.REASSIGN: reassign,
    Action.ACKNOWLEDGE: acknowledge,
    Action.RETURN: return_,
    Action.REJECT_RETURN: reject_return,
    Action.REPLY: reply,
    Action.ASSIST_REPLY: assist_reply,
    Action.ACCEPT_REPLY: accept_reply,
    Action.SEND_BACK: send_back,
    Action.REQUEST_EXTENSION: request_extension,
    Action.APPROVE_EXTENSION: approve_extension,
    Action.REJECT_EXTENSION: reject_extension,
    Action.URGE: urge,
    Action.SUPERVISE: supervise,
    Action.CALLBACK: callback,
    Action.CALLBACK_UNREACHABLE: callback_unreachable,
    Action.REDO: redo,
    Action.CLOSE: close,
    Action.MERGE: merge,
    Action.TRANSFER_OUT: transfer_out,
    Action.MARK_INVALID: terminal,
    Action.WITHDRAW: terminal,
    Action.ADD_NOTE: nothing,
    Action.PAUSE_CLOCK: pause_clock,
    Action.RESUME_CLOCK: resume_clock,
    Action.CONTACT_REQUESTER: contact_requester,
    Action.ATTACH: attach,
    Action.LINK: link,
}
