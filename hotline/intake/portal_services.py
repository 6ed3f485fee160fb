"""Writes of the citizen portal. Both go through the work-order services with the platform's
own actor (`system_user`): the portal never writes an order itself."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from hotline.accounts.models import Region
from hotline.accounts.services import system_user
from hotline.catalog.models import Category, RequestType
from hotline.workorders.choices import Action, Channel
from hotline.workorders.errors import ConcurrentUpdate, IllegalTransition
from hotline.workorders.models import WorkOrder, WorkOrderEvent
from hotline.workorders.services import workorder_register, workorder_transition

from .portal_selectors import may_rate

# A title is optional on the portal; the order needs one, so the content's start stands in.
DERIVED_TITLE_LENGTH = 30


def portal_submit(
    *,
    request_type: RequestType,
    content: str,
    address: str,
    region: Region,
    phone: str,
    name: str = "",
    title: str = "",
    is_confidential: bool = False,
    category: Category | None = None,
    attributes: Mapping[str, object] | None = None,
) -> WorkOrder:
    """市民端提交: register the request as a web-channel order (number and query code included),
    acted by the system user, so the hotline receives it like any other intake.

    `category` is the requester's own choice, stored on the order as the desk and the channel
    API store one chosen at intake; the dispatcher sees it and may change it. `attributes` are
    the answers to its extra fields, checked by `workorder_register` (an empty dict when none,
    so a required field is enforced)."""
    content = content.strip()
    title = title.strip() or " ".join(content.split())[:DERIVED_TITLE_LENGTH]
    return workorder_register(
        actor=system_user(),
        channel=Channel.WEB,
        request_type=request_type,
        title=title,
        content=content,
        address=address,
        region=region,
        requester_name=name,
        requester_phone=phone,
        is_confidential=is_confidential,
        category=category,
        attributes=dict(attributes or {}),
    )


def portal_rate(*, order: WorkOrder, rating: str, solved: bool) -> WorkOrderEvent:
    """市民评价: the requester's own rating recorded as the callback (回访) by the system user.

    Refused once rated: the version read here is the one checked under the row lock, so of two
    ratings sent at once only the first is recorded (the second fails as a concurrent update)."""
    if order.rating:
        raise IllegalTransition(_("您已评价过该工单，不能重复评价"))
    if not may_rate(order):
        raise IllegalTransition(_("该工单还没有经审核的答复，暂不能评价"))
    try:
        return workorder_transition(
            order=order,
            action=Action.CALLBACK,
            actor=system_user(),
            note=_("诉求人通过市民端评价"),
            expected_version=order.version,
            rating=rating,
            solved=solved,
        )
    except ConcurrentUpdate as exc:
        raise IllegalTransition(_("您已评价过该工单，不能重复评价")) from exc
