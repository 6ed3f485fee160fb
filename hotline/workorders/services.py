"""Every write to a work order. One entry point for moves (`workorder_transition`), one for
intake (`workorder_register`); both lock, check, write an event and notify after commit."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.accounts.choices import CENTRE_KINDS, Role
from hotline.accounts.models import Region, Unit, User
from hotline.catalog.fields import InvalidAttribute, category_attributes_clean, category_fields
from hotline.catalog.models import Category, CategoryField, RequestType, Urgency
from hotline.core.conf import hotline_int

from . import signals
from .choices import Action, Channel, Status
from .errors import ConcurrentUpdate, IllegalTransition, InvalidInput, NotPermitted
from .handlers import HANDLERS, Context, lapse_extension
from .inserts import insert_row
from .models import (
    Attachment,
    ContactReveal,
    WorkOrder,
    WorkOrderEvent,
)
from .numbering import next_number, number_expr, number_expr_failed
from .permissions import actor_unit_for
from .privacy import sees_requester
from .refcache import RefCache
from .transitions import TRANSITIONS, note_label
from .uploads import upload_check

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{7,8}|400\d{7}|95\d{3,6})$")
ID_RE = re.compile(r"^\d{17}[\dXx]$")
INTAKE_ROLES = frozenset({Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})
# Reference rows looked up by code on every registration, and the centre that registers for the
# system user: read once per process and TTL (refcache), dropped when one of them is saved.
_refs = RefCache(RequestType, Urgency, Category, CategoryField, Region, Unit)


def _intake_centre(actor: User) -> Unit:
    if actor.is_system or actor.is_superuser:
        centre = _refs.get(
            ("centre",),
            lambda: (
                Unit.objects.filter(kind="centre", parent__isnull=True, is_active=True)
                .select_related("region")
                .first()
            ),
        )
        if centre is None:
            raise InvalidInput(_("尚未配置热线中心（类型为“热线中心”的顶级单位）"))
        return centre
    for m in actor.active_memberships():
        if m.role in INTAKE_ROLES and m.unit.kind in CENTRE_KINDS:
            return m.unit
    raise NotPermitted(_("只有热线中心的话务员、派单员、督办员可以受理工单"))


def _attributes(category: Category | None, answers: Mapping[str, object] | None) -> dict[str, Any]:
    if answers is None:
        return {}
    # The category's fields are reference data too: most categories have none, and a channel's
    # request would otherwise pay a query to learn it.
    fields = (
        _refs.get(("fields", category.pk), lambda: category_fields(category)) if category else []
    )
    try:
        return category_attributes_clean(category=category, answers=answers, fields=fields)
    except InvalidAttribute as e:
        raise InvalidInput(e.message, field=f"attribute[{e.code}]") from None


def _text(value: str, name: str, label: str, limit: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(_("请填写{label}").format(label=label), field=name)
    if len(value) > limit:
        raise InvalidInput(
            _("{label}不能超过 {limit} 字（现为 {count} 字）").format(
                label=label, limit=limit, count=len(value)
            ),
            field=name,
        )
    return value


def _ref(model: Any, value: Any, name: str, label: str, *, by: str = "code") -> Any:
    if value is None or isinstance(value, model):
        return value

    def load() -> Any:
        found = model.objects.filter(**{by: value}).first()
        if found is None and str(value).isdigit():
            found = model.objects.filter(pk=int(value)).first()
        return found

    obj = _refs.get((model.__name__, by, str(value)), load)
    if obj is None:
        raise InvalidInput(
            _("{label}「{value}」不存在").format(label=label, value=value), field=name
        )
    return obj


def new_query_code() -> str:
    """Six digits, easy to read out on the phone and to type on a phone keypad."""
    return f"{secrets.randbelow(1_000_000):06d}"


def workorder_register(
    *,
    actor: User,
    channel: str,
    request_type: RequestType | str,
    title: str,
    content: str,
    urgency: Urgency | str = "normal",
    category: Category | int | None = None,
    region: Region | str | None = None,
    address: str = "",
    requester_name: str = "",
    requester_phone: str = "",
    requester_id_number: str = "",
    is_anonymous: bool = False,
    is_confidential: bool = False,
    attributes: Mapping[str, object] | None = None,
    at: datetime | None = None,
    guard: tuple[str, list[Any]] | None = None,
) -> WorkOrder:
    """受理: create a registered order with its number and first event.

    `attributes` are the answers to the category's extra fields (附加信息项), checked by the
    catalogue's rules; every way in from a requester passes them (an empty dict when none, so
    a required field is enforced). None (imports, demo data) skips the check.

    `at` back-dates the record (demo data, imports of historical orders); it defaults to now.

    `guard` (PostgreSQL; SQL and params) is a condition checked inside the order's INSERT
    before the number is drawn: if it fails there, the INSERT fails with an IntegrityError and
    no number is consumed (the channel intake's "no request with this idempotency key yet").
    Elsewhere it is not checked: SQLite's numbers roll back with the transaction."""
    at = at or timezone.now()
    if channel not in Channel.values:
        raise InvalidInput(_("渠道「{channel}」不存在").format(channel=channel), field="channel")
    title = _text(title, "title", _("标题"), hotline_int("TITLE_MAX_LENGTH"))
    content = _text(content, "content", _("诉求内容"), hotline_int("CONTENT_MAX_LENGTH"))
    address = _text(address, "address", _("地址"), 200, required=False)
    requester_name = _text(requester_name, "requester_name", _("诉求人姓名"), 50, required=False)
    phone = re.sub(r"[\s()（）]", "", requester_phone or "")
    if phone and not PHONE_RE.match(phone):
        raise InvalidInput(
            _("联系电话「{requester_phone}」格式不正确").format(requester_phone=requester_phone),
            field="requester_phone",
        )
    if not phone and not is_anonymous:
        raise InvalidInput(_("请填写联系电话（匿名诉求除外）"), field="requester_phone")
    if requester_id_number and not ID_RE.match(requester_id_number):
        raise InvalidInput(_("证件号码应为 18 位身份证号"), field="requester_id_number")
    rtype = _ref(RequestType, request_type, "request_type", _("诉求类型"))
    urg = _ref(Urgency, urgency, "urgency", _("紧急程度"))
    cat = _ref(Category, category, "category", _("诉求分类"), by="pk")
    if cat is not None and not cat.is_active:
        raise InvalidInput(
            _("诉求分类「{category}」已停用").format(category=cat.name), field="category"
        )
    answers = _attributes(cat, attributes)
    reg = _ref(Region, region, "region", _("区划"))
    centre = _intake_centre(actor)
    if reg is not None and not reg.path.startswith(centre.region.path):
        raise InvalidInput(
            _("区划「{region}」不在{centre}的受理范围内").format(
                region=reg.name, centre=centre.name
            ),
            field="region",
        )
    # Every check is above: what remains are writes, so no savepoint is needed (two round
    # trips fewer inside a caller's transaction); a database error here fails the caller's
    # transaction as a whole, which is what it must do anyway. The rows are written by
    # insert_row (the INSERT compiled once per process; the same row as save()); on PostgreSQL
    # the number is drawn inside the order's INSERT.
    with transaction.atomic(savepoint=False):
        order = WorkOrder(
            status=Status.REGISTERED,
            version=1,
            channel=channel,
            request_type=rtype,
            urgency=urg,
            category=cat,
            title=title,
            content=content,
            address=address,
            region=reg or centre.region,
            requester_name="" if is_anonymous else requester_name,
            requester_phone=phone,
            requester_id_number="" if is_anonymous else requester_id_number.upper(),
            is_anonymous=is_anonymous,
            is_confidential=is_confidential,
            attributes=answers,
            centre=centre,
            query_code=new_query_code(),
            registered_by=actor,
            created_at=at,
            updated_at=at,
        )
        number = number_expr(at, guard)
        if number is None:
            order.number = next_number(at)
            insert_row(order)
        else:
            try:
                insert_row(order, exprs={"number": number}, returning=("number",))
            except IntegrityError:
                raise  # the guard refused, or a constraint: the sequence is fine
            except DatabaseError:
                number_expr_failed(at)
                raise
        event = WorkOrderEvent(
            order=order,
            seq=1,
            action=Action.REGISTER,
            from_status="",
            to_status=Status.REGISTERED,
            actor=actor,
            actor_unit=centre,
            payload={"channel": channel},
            is_public=True,
            created_at=at,
        )
        insert_row(event)
        _notify_after_commit([event])
    return order


# Fields a handler may change on the order; saved together with the version bump.
_MUTABLE = (
    "status",
    "lead_unit",
    "master",
    "dispatched_at",
    "replied_at",
    "closed_at",
    "return_count",
    "redo_count",
    "urge_count",
    "supervision_level",
    "callback_attempts",
    "rating",
    "solved",
    "transfer_target",
    "clock_paused_at",
    *("acknowledge_due_at", "reply_due_at", "reply_warn_at", "callback_due_at"),
    *("acknowledged_late", "replied_late"),
)
# The clock fields, set by receivers of signals.workorder_changing (the time-limit rules).
CLOCK_FIELDS = _MUTABLE[-6:]


def workorder_transition(
    *,
    order: WorkOrder | int,
    action: str,
    actor: User,
    note: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
    **params: Any,
) -> WorkOrderEvent:
    """The one entry point for every move of a work order.

    Checks the transition table and the actor's role and unit, locks the row, applies the move,
    bumps the version (compare-and-swap), appends the event, and notifies after commit.
    `expected_version` makes a stale client fail with ConcurrentUpdate instead of acting on a
    state it never saw."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise InvalidInput(_("未知的操作「{action}」").format(action=action), field="action")
    note = (note or "").strip()
    if transition.note_required and not note:
        raise InvalidInput(
            _("「{action}」须填写{label}").format(
                action=transition.action.label, label=note_label(action)
            ),
            field="note",
        )
    if len(note) > hotline_int("CONTENT_MAX_LENGTH"):
        raise InvalidInput(_("说明过长"), field="note")
    at = at or timezone.now()
    pk = order.pk if isinstance(order, WorkOrder) else order
    with transaction.atomic():
        # The row lock serialises moves on one order (PostgreSQL); SQLite serialises writers.
        # of=("self",): only the order row is locked; the joined units stay free (and
        # PostgreSQL refuses FOR UPDATE on the nullable side of the lead unit's outer join).
        locked = (
            WorkOrder.objects.select_for_update(of=("self",))
            .select_related("region", "lead_unit", "centre")
            .get(pk=pk)
        )
        if expected_version is not None and locked.version != expected_version:
            raise ConcurrentUpdate(
                _(
                    "工单 {number} 已被他人更新（版本 {expected_version} → {version}），请刷新后重试"
                ).format(
                    number=locked.number, expected_version=expected_version, version=locked.version
                )
            )
        if locked.status not in transition.sources:
            raise IllegalTransition(
                _("工单 {number} 当前状态为「{status}」，不能执行「{action}」").format(
                    number=locked.number,
                    status=locked.get_status_display(),
                    action=transition.action.label,
                )
            )
        actor_unit = actor_unit_for(actor, locked, transition)
        ctx = Context(locked, actor, actor_unit, transition, note, params, at)
        from_status = locked.status
        target = HANDLERS[transition.action](ctx) or transition.target or from_status
        lapse_extension(ctx, target)
        locked.status = target
        # The time-limit rules (sla) set or move the clocks in this same transaction, so no
        # list ever shows a dispatched order without its deadlines.
        signals.workorder_changing.send(
            sender=WorkOrder,
            order=locked,
            action=transition.action,
            actor=actor,
            from_status=from_status,
            at=at,
            params=params,
            payload=ctx.payload,
        )
        version = locked.version
        updated = WorkOrder.objects.filter(pk=locked.pk, version=version).update(
            version=version + 1,
            updated_at=at,
            **{f: getattr(locked, f) for f in _MUTABLE},
        )
        if not updated:  # only reachable where no row lock exists; the CAS still holds
            raise ConcurrentUpdate(
                _("工单 {number} 已被他人更新，请刷新后重试").format(number=locked.number)
            )
        locked.version = version + 1
        event = WorkOrderEvent.objects.create(
            order=locked,
            seq=version + 1,
            action=transition.action,
            from_status=from_status,
            to_status=target,
            actor=actor,
            actor_unit=actor_unit,
            unit=ctx.unit,
            note=note,
            payload=ctx.payload,
            is_public=transition.public,
            created_at=at,
        )
        events = [event]
        for other, other_action, payload, side_note in ctx.side_events:
            events.append(
                _append_event(other, other_action, actor, actor_unit, payload, at, side_note)
            )
        _notify_after_commit(events)
    if isinstance(order, WorkOrder):
        order.refresh_from_db()
    return event


def _append_event(
    order: WorkOrder,
    action: str,
    actor: User,
    actor_unit: Unit,
    payload: dict,
    at: datetime,
    note: str = "",
) -> WorkOrderEvent:
    """An event beside the move's own (a master, a merged order, or the order itself when the
    move lapses its extension request); state unchanged. The caller holds that order's lock."""
    version = WorkOrder.objects.values_list("version", flat=True).get(pk=order.pk)
    WorkOrder.objects.filter(pk=order.pk).update(version=version + 1, updated_at=at)
    return WorkOrderEvent.objects.create(
        order_id=order.pk,
        seq=version + 1,
        action=action,
        from_status=order.status,
        to_status=order.status,
        actor=actor,
        actor_unit=actor_unit,
        payload=payload,
        note=note,
        created_at=at,
    )


def _notify_after_commit(events: list[WorkOrderEvent]) -> None:
    """Receivers of `workorder_recorded` write their rows (the notices' outbox) now, in the
    move's transaction; receivers of `workorder_event` run once it has committed."""
    signals.workorder_recorded.send(sender=WorkOrderEvent, events=events)

    def send() -> None:
        for event in events:
            signals.workorder_event.send(sender=WorkOrderEvent, event=event)

    transaction.on_commit(send)


def workorder_attach(
    *, order: WorkOrder, actor: User, file: UploadedFile, note: str = ""
) -> Attachment:
    """Attach a file to an order; the attachment is an event like any other change."""
    name = (file.name or "file")[-200:]
    content_type = upload_check(name=name, size=file.size, file=file)
    transition = TRANSITIONS[Action.ATTACH]
    # Refuse before the file is written to storage: a refused upload must leave nothing behind.
    if order.status not in transition.sources:
        raise IllegalTransition(
            _("工单 {number} 当前状态为「{status}」，不能上传附件").format(
                number=order.number, status=order.get_status_display()
            )
        )
    actor_unit_for(actor, order, transition)
    attachment = Attachment(
        order=order,
        name=name,
        size=file.size or 0,
        content_type=content_type,
        uploaded_by=actor,
        created_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            attachment.file = file
            attachment.save()
            workorder_transition(
                order=order, action=Action.ATTACH, actor=actor, note=note, attachment=attachment
            )
    except Exception:
        # The row rolled back; the stored file must go too (storage is not transactional).
        if attachment.file and attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


def workorder_reveal_phone(*, order: WorkOrder, actor: User, reason: str = "") -> str:
    """Show the requester's number in full and record who saw it."""
    if order.is_confidential and not sees_requester(actor):
        raise NotPermitted(_("诉求人要求保密，承办单位不能查看其联系方式"))
    ContactReveal.objects.create(order=order, user=actor, reason=reason[:200])
    return order.requester_phone


__all__ = [
    "ConcurrentUpdate",
    "IllegalTransition",
    "InvalidInput",
    "NotPermitted",
    "workorder_attach",
    "workorder_register",
    "workorder_reveal_phone",
    "workorder_transition",
]
