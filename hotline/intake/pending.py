"""待确认留言: the agent's page for message-board posts (网络问政) that arrived through the channel
API and wait for a person. Each post shows its content, channel, time and possible repeats; the
agent confirms it (确认受理: a registered order, event and SMS as any registration), merges it
into an open order (并入), or declines it with a reason (不予受理).

Agents and dispatchers of a hotline centre only (others get the 403 page). A centre sees the
posts placed in its region; posts that name no region go to the top-level centre."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hotline.accounts.choices import CENTRE_KINDS, Role
from hotline.accounts.models import Region, Unit, User
from hotline.catalog.models import Category
from hotline.core.repeats import find_repeats
from hotline.workorders.choices import Action
from hotline.workorders.errors import InvalidInput, WorkOrderError
from hotline.workorders.models import WorkOrder
from hotline.workorders.services import workorder_transition

from .channel_services import channel_request_confirm, channel_request_reject
from .models import ChannelRequest

PAGE_SIZE = 100
PENDING_ROLES = frozenset({Role.AGENT, Role.DISPATCHER})


class PendingRequest(HttpRequest):
    user: User
    centre: Unit


def pending_centre(user: User) -> Unit | None:
    """The hotline centre where `user` is an agent or a dispatcher, or None."""
    for m in user.active_memberships():
        if m.role in PENDING_ROLES and m.unit.kind in CENTRE_KINDS:
            return m.unit
    return None


def pending_desk(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: PendingRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        centre = pending_centre(request.user)
        if centre is None:
            return render(request, "intake/pending_forbidden.html", status=403)
        request.centre = centre
        return view(request, *args, **kwargs)

    return wrapper


@dataclass
class PendingPost:
    request: ChannelRequest
    fields: dict[str, Any]
    category: Category | None
    region: Region | None
    # dispatch.repeats.Repeat items (order, similarity, same_phone/address/matter, mergeable).
    repeats: list[Any]

    @property
    def master(self) -> str:
        """The number the merge form offers: the most similar repeat still open."""
        return next((r.order.number for r in self.repeats if r.mergeable), "")


def _in_scope(centre: Unit, region_code: str, regions: dict[str, Region]) -> bool:
    if not region_code:
        return centre.parent_id is None  # no region named: the top-level centre's
    region = regions.get(region_code)
    return region is not None and region.path.startswith(centre.region.path)


def pending_posts(*, user: User, centre: Unit) -> list[PendingPost]:
    """The centre's pending posts, oldest first, each with the orders it may repeat: the
    platform's one repeat search (the agent desk's, registered by dispatch in `core.repeats`),
    by phone or address, with similarity and reasons, open or recently closed."""
    reqs = list(
        ChannelRequest.objects.filter(state=ChannelRequest.State.PENDING)
        .select_related("channel")
        .order_by("created_at", "id")[: PAGE_SIZE * 5]
    )
    codes = {str((r.data or {}).get("fields", {}).get("region") or "") for r in reqs}
    regions = {r.code: r for r in Region.objects.filter(code__in=codes - {""})}
    cat_ids = {(r.data or {}).get("fields", {}).get("category") for r in reqs}
    categories = Category.objects.in_bulk([c for c in cat_ids if isinstance(c, int)])
    posts = []
    for req in reqs:
        fields = (req.data or {}).get("fields", {})
        code = str(fields.get("region") or "")
        if not _in_scope(centre, code, regions):
            continue
        category = categories.get(fields.get("category"))  # type: ignore[arg-type]
        region = regions.get(code)
        repeats = find_repeats(
            user=user,
            title=str(fields.get("title") or "")[:200],
            content=str(fields.get("content") or "")[:2000],
            phone=str(fields.get("requester_phone") or ""),
            address=str(fields.get("address") or "")[:200],
            region=region,
            category=category,
        )
        posts.append(PendingPost(req, fields, category, region, repeats))
        if len(posts) == PAGE_SIZE:
            break
    return posts


def _post(request: PendingRequest, token: str) -> ChannelRequest:
    """A pending post of this centre, else 404 (also for one already decided)."""
    req = ChannelRequest.objects.filter(token=token, state=ChannelRequest.State.PENDING).first()
    if req is None:
        raise Http404
    fields = (req.data or {}).get("fields", {})
    code = str(fields.get("region") or "")
    regions = {r.code: r for r in Region.objects.filter(code=code)} if code else {}
    if not _in_scope(request.centre, code, regions):
        raise Http404
    return req


def channel_request_merge(*, request: ChannelRequest, actor: User, master: str) -> WorkOrder:
    """并入: confirm the post (a registered order) and merge it into the open order `master`, in
    one transaction: if the merge is refused, the post stays pending and no order is made."""
    master = (master or "").strip()
    if not master:
        raise InvalidInput(_("请填写要并入的主单编号"), field="master")
    with transaction.atomic():
        order = channel_request_confirm(request=request, actor=actor)
        workorder_transition(
            order=order,
            action=Action.MERGE,
            actor=actor,
            master=master,
            note=_("网络问政留言与主单 {master} 为同一诉求，并入处理").format(master=master),
        )
    return order


def _render(
    request: PendingRequest, *, status: int = 200, error: str = "", token: str = ""
) -> HttpResponse:
    """The list; after a refused decision, the refused post's forms keep what the agent typed
    (the master's number, the reason) beside the error instead of the defaults."""
    posts = pending_posts(user=request.user, centre=request.centre)
    typed = {}
    if token:
        typed = {k: request.POST[k] for k in ("master", "note") if k in request.POST}
    context = {"posts": posts, "error": error, "error_token": token, "typed": typed}
    return render(request, "intake/pending.html", context, status=status)


@pending_desk
@require_GET
def pending_list(request: PendingRequest) -> HttpResponse:
    return _render(request)


@pending_desk
@require_POST
def pending_decide(request: PendingRequest, token: str) -> HttpResponse:
    """确认受理 / 并入 / 不予受理 one post; errors come back as a message naming the problem."""
    req = _post(request, token)
    action = request.POST.get("action", "")
    try:
        if action == "confirm":
            order = channel_request_confirm(request=req, actor=request.user)
            messages.success(
                request, _("已确认受理，工单编号 {number}").format(number=order.number)
            )
        elif action == "merge":
            order = channel_request_merge(
                request=req, actor=request.user, master=request.POST.get("master", "")
            )
            messages.success(
                request,
                _("已登记工单 {number} 并入主单 {master}").format(
                    number=order.number, master=order.master.number if order.master else ""
                ),
            )
        elif action == "reject":
            channel_request_reject(
                request=req, actor=request.user, note=request.POST.get("note", "")
            )
            messages.success(request, _("已不予受理"))
        else:
            raise InvalidInput(_("未知的操作「{action}」").format(action=action[:20]))
    except WorkOrderError as e:
        return _render(request, status=e.http_status, error=e.message, token=token)
    # Post/redirect/get: a reload does not decide the post twice.
    return redirect("intake_pending")
