"""Requests that channels submit: idempotent intake into a registered order, or a pending
message-board post that an agent confirms or rejects."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.accounts.models import User
from hotline.accounts.services import system_user
from hotline.core.conf import hotline_int
from hotline.workorders.errors import InvalidInput, WorkOrderError
from hotline.workorders.inserts import insert_row
from hotline.workorders.models import WorkOrder
from hotline.workorders.refcache import RefCache
from hotline.workorders.services import workorder_attach, workorder_register
from hotline.workorders.uploads import upload_check

from .models import Channel, ChannelRequest
from .webhooks import registering, webhook_dispatch, webhook_rejection_row

MAX_ATTACHMENTS = 5
# The system user registers every channel's order: read once per process (refcache).
_users = RefCache(User)
# What a channel may set on the order; the rest (centre, number, query code) is the platform's.
ORDER_FIELDS = (
    "request_type",
    "title",
    "content",
    "urgency",
    "category",
    "region",
    "address",
    "requester_name",
    "requester_phone",
    "is_anonymous",
    "is_confidential",
    "attributes",
)


@dataclass
class Submission:
    """A channel's request, already parsed from its wire format (JSON API or Open311 form)."""

    fields: dict[str, Any]
    # (name, content type, base64 data): kept encoded so a pending post can store them.
    attachments: list[dict[str, str]] = field(default_factory=list)
    external_id: str = ""
    lat: Decimal | None = None
    long: Decimal | None = None
    # What the channel says about the request that the order has no field for (Open311's
    # email, media_url, device_id, account_id): kept with the channel request (`data.channel`).
    metadata: dict[str, str] = field(default_factory=dict)


def _decoded(attachments: list[dict[str, str]]) -> list[SimpleUploadedFile]:
    if len(attachments) > MAX_ATTACHMENTS:
        raise InvalidInput(_("附件最多 {n} 个").format(n=MAX_ATTACHMENTS), field="attachments")
    limit = hotline_int("ATTACHMENT_MAX_BYTES")
    files = []
    for i, a in enumerate(attachments):
        try:
            data = base64.b64decode(a.get("data", ""), validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput(
                _("第 {n} 个附件的内容不是有效的 Base64").format(n=i + 1),
                field=f"attachments.{i}.data",
            ) from None
        if not data or len(data) > limit:
            raise InvalidInput(
                _("第 {n} 个附件为空或超过 {mb} MB").format(n=i + 1, mb=limit // (1024 * 1024)),
                field=f"attachments.{i}.data",
            )
        name = (a.get("name") or "file").replace("/", "_").replace("\\", "_")[-200:]
        upload = SimpleUploadedFile(name, data, a.get("content_type") or "")
        # Refused before a pending post is stored, not only when an agent confirms it.
        upload_check(name=name, size=len(data), file=upload, field=f"attachments.{i}.name")
        files.append(upload)
    return files


def _order_kwargs(channel: Channel, sub: Submission) -> dict[str, Any]:
    kwargs = {k: v for k, v in sub.fields.items() if k in ORDER_FIELDS and v is not None}
    kwargs.setdefault("request_type", channel.request_type)
    return kwargs


def _refuse_nul(sub: Submission) -> None:
    """PostgreSQL cannot store NUL in text; no person types one: refuse it, naming the field."""
    values = {**sub.fields, "external_id": sub.external_id}
    for name, value in values.items():
        if isinstance(value, str) and "\x00" in value:
            raise InvalidInput(
                _("{field} 含有不允许的控制字符（NUL）").format(field=name), field=name
            )


def _system_user() -> User:
    # Created on first use: only kept once it is committed (outside any transaction).
    return _users.get("system", system_user, store=not connection.in_atomic_block)


class _DryRun(Exception):
    pass


def _validate(channel: Channel, sub: Submission, actor: User) -> None:
    """Check a pending post by the very rules of registration: register it in a transaction that
    is rolled back, so a post an agent will confirm later cannot fail on input then."""
    _decoded(sub.attachments)
    try:
        with transaction.atomic():
            workorder_register(actor=actor, channel=channel.kind, **_order_kwargs(channel, sub))
            raise _DryRun
    except _DryRun:
        pass


# A request's order is numbered only while no request of its channel holds its idempotency key:
# checked inside the order's INSERT (PostgreSQL), so a retry of a committed request fails there
# without drawing a number (no gap in the day's numbers) and finds the first. The model's own
# table and columns; the values are parameters.
_KEY_FREE_SQL = (
    f"NOT EXISTS (SELECT 1 FROM {ChannelRequest._meta.db_table}"
    " WHERE channel_id = %s AND idempotency_key = %s)"
)


def _register(
    req: ChannelRequest,
    sub: Submission,
    actor: User,
    files: list[SimpleUploadedFile],
    stored: list[str],
) -> WorkOrder:
    """Register and attach; `stored` collects the names of files written to storage, which is
    not transactional: if the surrounding transaction rolls back, the caller deletes them.
    `registering` tells the notices which channel request the new order is (its row points at
    the order only once this returns)."""
    channel = req.channel
    guard = None
    if req.idempotency_key and req.pk is None:
        guard = (_KEY_FREE_SQL, [channel.pk, req.idempotency_key])
    token = registering.set(req)
    try:
        order = workorder_register(
            actor=actor, channel=channel.kind, guard=guard, **_order_kwargs(channel, sub)
        )
    finally:
        registering.reset(token)
    for f in files:
        attachment = workorder_attach(order=order, actor=actor, file=f)
        if attachment.file.name:
            stored.append(attachment.file.name)
    return order


def _response(req: ChannelRequest) -> dict[str, Any]:
    order = req.order
    return {
        "token": req.token,
        "state": req.state,
        "number": order.number if order else None,
        "query_code": order.query_code if order else None,
        "status": order.status if order else None,
    }


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


class IdempotencyKeyReused(WorkOrderError):
    """A key already used for a different request (422): replaying the first answer would tell
    the channel its second request was taken in when it was not."""

    code = "idempotency_key_reused"
    http_status = 422


def body_hash(sub: Submission) -> str:
    """SHA-256 of what the request asks for (fields, attachments, external id, point)."""
    data = {
        "fields": sub.fields,
        "attachments": sub.attachments,
        "external_id": sub.external_id,
        "point": [str(sub.lat), str(sub.long)],
        "metadata": sub.metadata,
    }
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _first(channel: Channel, key: str, digest: str) -> ChannelRequest | None:
    """The request that first used `key`; refused if it asked for something else."""
    if not key:
        return None
    first = ChannelRequest.objects.filter(channel=channel, idempotency_key=key).first()
    if first is not None and first.body_hash and first.body_hash != digest:
        raise IdempotencyKeyReused(
            _("Idempotency-Key「{key}」已用于另一内容不同的请求；新的请求请使用新的键").format(
                key=key[:100]
            ),
            field="Idempotency-Key",
        )
    return first


def channel_submit(
    *, channel: Channel, submission: Submission, idempotency_key: str = ""
) -> tuple[ChannelRequest, bool]:
    """Take a channel's request in: a registered order (actor: the system user), or a pending
    record for a message-board post. Returns (request, created); a retry with the same
    idempotency key returns the first request and created=False, and never makes a second order.

    The (channel, key) row is inserted last, in the order's transaction, with its final state:
    one INSERT instead of a claim and an update. A retry of a committed request fails inside
    the order's INSERT, before a number is drawn (PostgreSQL: `_KEY_FREE_SQL`), rolls back and
    finds the first. A concurrent retry (the first not yet committed) registers its own order,
    then blocks on the unique index until the first commits, fails on it, rolls back (its order
    with it: a number is skipped, as any rolled-back registration skips one) and finds the
    first. A first request is not looked up beforehand: that would cost every new request a
    query to spare a rare retry one."""
    key = (idempotency_key or "").strip()
    if len(key) > 100 or any(not c.isprintable() for c in key):
        raise InvalidInput(
            _("Idempotency-Key 应为不超过 100 个可打印字符"), field="Idempotency-Key"
        )
    digest = body_hash(submission)
    try:
        _refuse_nul(submission)
        files = _decoded(submission.attachments)
    except InvalidInput:
        first = _first(channel, key, digest)  # a retry of an accepted request gets the first answer
        if first is not None:
            return first, False
        raise
    stored: list[str] = []
    actor = _system_user()
    req = ChannelRequest(
        channel=channel,
        idempotency_key=key,
        body_hash=digest if key else "",
        token=ChannelRequest.new_token(),
        external_id=submission.external_id[:64],
        lat=submission.lat,
        long=submission.long,
    )
    try:
        with transaction.atomic():
            if channel.creates_pending:
                _validate(channel, submission, actor)
                req.state = ChannelRequest.State.PENDING
                req.data = {"fields": submission.fields, "attachments": submission.attachments}
            else:
                req.order = _register(req, submission, actor, files, stored)
                req.state = ChannelRequest.State.CREATED
            if submission.metadata:
                req.data = {**req.data, "channel": submission.metadata}
            req.response = _response(req)
            insert_row(req)
    except IntegrityError:
        _delete_files(stored)
        first = _first(
            channel, key, digest
        )  # the key was claimed by an earlier or concurrent request
        if first is not None:
            return first, False
        raise
    except Exception:
        _delete_files(stored)
        raise
    return req, True


def channel_request_confirm(*, request: ChannelRequest, actor: User) -> WorkOrder:
    """An agent confirms a pending message-board post: it becomes a registered order, with the
    agent as the registering actor (their centre's rules apply)."""
    with transaction.atomic():
        req = (
            ChannelRequest.objects.select_for_update().select_related("channel").get(pk=request.pk)
        )
        if req.state != ChannelRequest.State.PENDING:
            raise InvalidInput(_("该诉求已处理，不能重复确认"), field="state")
        sub = Submission(
            fields=req.data.get("fields", {}), attachments=req.data.get("attachments", [])
        )
        stored: list[str] = []
        try:
            order = _register(req, sub, actor, _decoded(sub.attachments), stored)
        except Exception:
            _delete_files(stored)
            raise
        req.order = order
        req.state = ChannelRequest.State.CREATED
        req.decided_by = actor
        req.data = {}
        req.response = _response(req)
        req.save()
    return order


def channel_request_reject(*, request: ChannelRequest, actor: User, note: str) -> None:
    """An agent declines a pending post (spam, duplicate, not a request): no order is made. The
    channel is told through its webhook (a requester-visible outcome), by an outbox row written
    in the decision's transaction."""
    note = (note or "").strip()
    if not note:
        raise InvalidInput(_("请填写不予受理的理由"), field="note")
    with transaction.atomic():
        updated = ChannelRequest.objects.filter(
            pk=request.pk, state=ChannelRequest.State.PENDING
        ).update(
            state=ChannelRequest.State.REJECTED,
            decided_by=actor,
            decision_note=note[:200],
            data={},
            response={
                "token": request.token,
                "state": "rejected",
                "number": None,
                "query_code": None,
                "status": None,
            },
        )
        if not updated:
            raise InvalidInput(_("该诉求已处理，不能重复操作"), field="state")
        req = ChannelRequest.objects.select_related("channel").get(pk=request.pk)
        delivery = webhook_rejection_row(req=req, note=note[:200])
        if delivery is not None:
            delivery.save()
            transaction.on_commit(lambda: webhook_dispatch(delivery.pk))


def response_of(req: ChannelRequest) -> dict[str, Any]:
    """The current answer about a channel request (state and order as they are now)."""
    if req.order_id:
        req.order = WorkOrder.objects.get(pk=req.order_id)
    return _response(req) | {
        "updated_at": timezone.localtime(
            req.order.updated_at if req.order else req.created_at
        ).isoformat()
    }
