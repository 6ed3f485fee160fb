"""The work-order API. Reads go through the scoped selectors, writes through the services; this
module only translates HTTP to those calls and shapes what the caller may see (masking)."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from hotline.accounts.api import ApiRequest
from hotline.accounts.models import User
from hotline.catalog.models import Category

from .choices import AssignmentRole, ExtensionStatus
from .errors import NotFound
from .exports import XLSX_CONTENT_TYPE, export_filename, workorders_export
from .models import WorkOrder, WorkOrderEvent
from .permissions import actions_for
from .privacy import requester_view, sees_requester
from .schemas import (
    ActionIn,
    ActionOut,
    AttachmentOut,
    EventOut,
    ListFilters,
    OrderDetail,
    OrderListItem,
    OrderPage,
    RegisterIn,
    RevealIn,
    RevealOut,
)
from .selectors import (
    OrderFilters,
    paginate,
    workorder_events,
    workorder_get,
    workorder_list,
    workorders_by_phone,
)
from .services import (
    workorder_attach,
    workorder_register,
    workorder_reveal_phone,
    workorder_transition,
)

router = Router(tags=["工单"])


# ---- shaping: what this user may see of an order ----------------------------------------


def _local(value: Any) -> Any:
    return timezone.localtime(value) if value else None


def _unit(unit: Any) -> dict[str, Any] | None:
    return {"id": unit.pk, "code": unit.code, "name": unit.name} if unit else None


def _requester(order: WorkOrder, user: User, *, detail: bool) -> dict[str, Any]:
    view = requester_view(user, order, detail=detail)
    out = {
        "name": view.name,
        "phone": view.phone,
        "is_anonymous": order.is_anonymous,
        "is_confidential": order.is_confidential,
    }
    if detail:
        out.update(id_number=view.id_number, phone_masked=view.phone != order.requester_phone)
    return out


def _category(order: WorkOrder, names: dict[int, str] | None = None) -> dict[str, Any] | None:
    c = order.category
    if c is None:
        return None
    full = " / ".join(names[i] for i in c.ancestor_ids() if i in names) if names else c.full_name
    return {"id": c.pk, "name": c.name, "full_name": full}


def _list_items(orders: list[WorkOrder], user: User) -> list[dict[str, Any]]:
    # One query for every category path on the page, not one per row.
    ids = {i for o in orders if o.category for i in o.category.ancestor_ids()}
    names = dict(Category.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    return [_list_item(o, user, names) for o in orders]


def _list_item(order: WorkOrder, user: User, names: dict[int, str] | None = None) -> dict[str, Any]:
    return {
        "number": order.number,
        "status": order.status,
        "status_label": order.get_status_display(),
        "version": order.version,
        "channel": order.channel,
        "request_type": {"code": order.request_type.code, "name": order.request_type.name},
        "urgency": {"code": order.urgency.code, "name": order.urgency.name},
        "category": _category(order, names),
        "region": {"code": order.region.code, "name": order.region.name},
        "title": order.title,
        "lead_unit": _unit(order.lead_unit),
        "requester": _requester(order, user, detail=False),
        "created_at": _local(order.created_at),
        "updated_at": _local(order.updated_at),
    }


def _related(orders: Any, notes: dict[int, str] | None = None) -> list[dict[str, Any]]:
    return [
        {
            "number": o.number,
            "title": o.title,
            "status": o.status,
            "note": (notes or {}).get(o.pk, ""),
        }
        for o in orders
    ]


def _visible_master(order: WorkOrder, visible: Any) -> str | None:
    master = order.master
    return master.number if master and visible.filter(pk=master.pk).exists() else None


def _attachment(a: Any, number: str) -> dict[str, Any]:
    return {
        "id": a.pk,
        "name": a.name,
        "size": a.size,
        "content_type": a.content_type,
        "uploaded_by": str(a.uploaded_by),
        "created_at": _local(a.created_at),
        "url": reverse("api:workorder_attachment_download", args=[number, a.pk]),
    }


def _detail(order: WorkOrder, user: User) -> dict[str, Any]:
    visible = WorkOrder.objects.visible_to(user)
    assignments = order.assignments.filter(is_active=True).select_related("unit", "dispatched_by")
    extension = (
        order.extensions.filter(status=ExtensionStatus.PENDING)
        .select_related("unit", "requested_by")
        .first()
    )
    link_notes = dict(order.links.values_list("to_order_id", "note"))
    data = _list_item(order, user)
    data.update(
        channel_label=order.get_channel_display(),
        content=order.content,
        address=order.address,
        requester=_requester(order, user, detail=True),
        centre=_unit(order.centre),
        master=_visible_master(order, visible),
        registered_by=str(order.registered_by),
        dispatched_at=_local(order.dispatched_at),
        replied_at=_local(order.replied_at),
        closed_at=_local(order.closed_at),
        return_count=order.return_count,
        redo_count=order.redo_count,
        urge_count=order.urge_count,
        supervision_level=order.supervision_level,
        callback_attempts=order.callback_attempts,
        rating=order.rating,
        solved=order.solved,
        transfer_target=order.transfer_target,
        assignments=[
            {
                "unit": _unit(a.unit),
                "role": a.role,
                "role_label": str(AssignmentRole(a.role).label),
                "dispatched_by": _unit(a.dispatched_by),
                "dispatched_at": _local(a.dispatched_at),
                "acknowledged_at": _local(a.acknowledged_at),
                "replied_at": _local(a.replied_at),
                "reply": a.reply,
                "returned_at": _local(a.returned_at),
            }
            # The lead first, then assisting units in the order they were sent.
            for a in sorted(assignments, key=lambda a: (a.role != AssignmentRole.LEAD, a.pk))
        ],
        pending_extension={
            "id": extension.pk,
            "unit": _unit(extension.unit),
            "days": extension.days,
            "reason": extension.reason,
            "requested_by": str(extension.requested_by),
            "requested_at": _local(extension.requested_at),
        }
        if extension
        else None,
        links=_related(visible.filter(pk__in=link_notes).order_by("number"), link_notes),
        merged_orders=_related(visible.filter(master=order).order_by("number")),
        attachments=[
            _attachment(a, order.number)
            for a in order.attachments.select_related("uploaded_by").order_by("created_at", "pk")
        ],
        allowed_actions=actions_for(user, order),
    )
    return data


def _event(event: WorkOrderEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "action": event.action,
        "label": event.get_action_display(),
        "from_status": event.from_status,
        "to_status": event.to_status,
        "actor": str(event.actor),
        "actor_unit": _unit(event.actor_unit),
        "unit": _unit(event.unit),
        "note": event.note,
        "payload": event.payload,
        "created_at": _local(event.created_at),
    }


# ---- endpoints ---------------------------------------------------------------------------


@router.post("/workorders", response={201: OrderDetail}, summary="受理：登记新工单")
def workorder_create(request: ApiRequest, payload: RegisterIn) -> Status:
    order = workorder_register(actor=request.auth, **payload.model_dump(mode="json"))
    # The registering desk may lie outside the order's region, so shape the row it was given
    # rather than re-reading it through the scoping rule.
    return Status(201, _detail(order, request.auth))


def _list_filters(filters: ListFilters) -> tuple[OrderFilters, dict[str, Any]]:
    f = filters.model_dump()
    status = [s.strip() for s in (f.pop("status") or "").split(",") if s.strip()]
    paging = {"sort": f.pop("sort"), "cursor": f.pop("cursor"), "size": f.pop("size")}
    return OrderFilters(status=status or None, **f), paging


@router.get("/workorders", response=OrderPage, summary="工单列表（键集分页）")
def workorder_index(request: ApiRequest, filters: Query[ListFilters]) -> dict[str, Any]:
    # workorder_list also keeps confidential orders out of a unit's phone search.
    order_filters, paging = _list_filters(filters)
    qs = workorder_list(user=request.auth, filters=order_filters)
    page = paginate(qs, **paging)
    return {"items": _list_items(page.items, request.auth), "next_cursor": page.next_cursor}


@router.get("/orders/export.xlsx", summary="导出工单列表（XLSX，筛选条件同工单列表）")
def workorder_export(request: ApiRequest, filters: Query[ListFilters]) -> FileResponse:
    order_filters, paging = _list_filters(filters)
    qs = workorder_list(user=request.auth, filters=order_filters)
    file = workorders_export(user=request.auth, qs=qs, sort=paging["sort"])
    return FileResponse(
        file, as_attachment=True, filename=export_filename(), content_type=XLSX_CONTENT_TYPE
    )


@router.get("/workorders/{number}", response=OrderDetail, summary="工单详情")
def workorder_detail(request: ApiRequest, number: str) -> dict[str, Any]:
    return _detail(workorder_get(user=request.auth, number=number), request.auth)


@router.get("/workorders/{number}/events", response=list[EventOut], summary="办理过程")
def workorder_timeline(request: ApiRequest, number: str) -> list[dict[str, Any]]:
    order = workorder_get(user=request.auth, number=number)
    return [_event(e) for e in workorder_events(order)]


@router.post(
    "/workorders/{number}/actions/{action}", response=ActionOut, summary="执行操作（派单、签收等）"
)
def workorder_act(
    request: ApiRequest, number: str, action: str, payload: ActionIn
) -> dict[str, Any]:
    order = workorder_get(user=request.auth, number=number)
    params = payload.model_dump(mode="json", exclude_none=True)
    note = params.pop("note", "")
    expected_version = params.pop("expected_version", None)
    event = workorder_transition(
        order=order,
        action=action,
        actor=request.auth,
        note=note,
        expected_version=expected_version,
        **params,
    )
    return {
        "event": _event(event),
        "status": order.status,
        "status_label": order.get_status_display(),
        "version": order.version,
    }


@router.post("/workorders/{number}/attachments", response={201: AttachmentOut}, summary="上传附件")
def workorder_upload(
    request: ApiRequest,
    number: str,
    file: File[UploadedFile],
    note: Form[str] = "",
) -> Status:
    order = workorder_get(user=request.auth, number=number)
    attachment = workorder_attach(order=order, actor=request.auth, file=file, note=note)
    return Status(201, _attachment(attachment, order.number))


@router.get(
    "/workorders/{number}/attachments/{attachment_id}",
    url_name="workorder_attachment_download",
    summary="下载附件",
)
def workorder_download(request: ApiRequest, number: str, attachment_id: int) -> FileResponse:
    order = workorder_get(user=request.auth, number=number)
    attachment = order.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound(
            _("工单 {number} 没有编号为 {attachment_id} 的附件").format(
                number=number, attachment_id=attachment_id
            )
        )
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


@router.post(
    "/workorders/{number}/reveal-phone", response=RevealOut, summary="查看完整联系方式（留痕）"
)
def workorder_reveal(
    request: ApiRequest, number: str, payload: RevealIn | None = None
) -> dict[str, Any]:
    order = workorder_get(user=request.auth, number=number)
    phone = workorder_reveal_phone(
        order=order, actor=request.auth, reason=payload.reason if payload else ""
    )
    return {"number": order.number, "phone": phone, "id_number": order.requester_id_number}


@router.get(
    "/requesters/{phone}/workorders",
    response=list[OrderListItem],
    summary="同一号码的历史工单",
)
def requester_history(request: ApiRequest, phone: str) -> list[dict[str, Any]]:
    orders = workorders_by_phone(user=request.auth, phone=phone.strip())
    if not sees_requester(request.auth):
        # A match would tell a unit whose number a confidential order hides.
        orders = [o for o in orders if not o.is_confidential]
    return _list_items(orders, request.auth)
