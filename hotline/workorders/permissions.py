"""Who may make a move on an order: the role from the table, held in the right unit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _

from hotline.accounts.choices import CENTRE_KINDS, HOTLINE_ROLES, UNIT_ROLES, Role
from hotline.core.conf import hotline_int

from .choices import Action, AssignmentRole, ExtensionStatus, Rating, Status
from .errors import NotPermitted
from .transitions import TRANSITIONS, Scope, Transition, allowed_actions

if TYPE_CHECKING:
    from hotline.accounts.models import Membership, Unit, User

    from .models import WorkOrder


def _covers(centre: Unit, order: WorkOrder) -> bool:
    return order.region.path.startswith(centre.region.path)


def hotline_unit(user: User, order: WorkOrder, roles: frozenset[str]) -> Unit | None:
    """The centre through which `user` holds one of `roles` over the order's region."""
    for m in user.active_memberships():
        if m.role in roles and m.unit.kind in CENTRE_KINDS and _covers(m.unit, order):
            return m.unit
    return None


def _unit_membership(user: User, unit: Unit, roles: frozenset[str]) -> Membership | None:
    for m in user.active_memberships():
        if m.role in roles and m.unit_id == unit.pk:
            return m
    return None


def active_assignments(order: WorkOrder, role: str | None = None) -> list:
    qs = order.assignments.filter(is_active=True).select_related("unit", "dispatched_by")
    if role:
        qs = qs.filter(role=role)
    return list(qs)


def actor_unit_for(user: User, order: WorkOrder, transition: Transition) -> Unit:
    """The unit `user` acts for in this move, or NotPermitted naming what is missing."""
    if user.is_system or user.is_superuser:
        return order.centre
    roles = transition.roles
    scope = transition.scope
    if scope in (Scope.HOTLINE, Scope.DISPATCHER, Scope.VISIBLE):
        unit = hotline_unit(user, order, roles & HOTLINE_ROLES)
        if unit:
            return unit
    lead_unit = order.lead_unit
    if scope == Scope.LEAD_UNIT and lead_unit is not None:
        if _unit_membership(user, lead_unit, roles):
            return lead_unit
    if scope == Scope.ASSISTING_UNIT:
        for a in active_assignments(order, AssignmentRole.ASSISTING):
            if _unit_membership(user, a.unit, roles):
                return a.unit
    if scope == Scope.DISPATCHER:
        lead = active_assignments(order, AssignmentRole.LEAD)
        if lead and _unit_membership(user, lead[0].dispatched_by, roles):
            return lead[0].dispatched_by
    if scope == Scope.VISIBLE:
        for a in order.assignments.select_related("unit"):
            for m in user.active_memberships():
                if m.role in UNIT_ROLES and (
                    m.unit_id == a.unit_id
                    or (m.role == Role.UNIT_MANAGER and a.unit.path.startswith(m.unit.path))
                ):
                    return m.unit
    labels = _("、").join(str(Role(r).label) for r in sorted(roles))
    raise NotPermitted(
        _("您没有对工单 {number} 执行「{action}」的权限（需要：{labels}，且属于相应单位）").format(
            number=order.number, action=transition.action.label, labels=labels
        )
    )


def close_allowed(order: WorkOrder) -> bool:
    """Closing by hand follows a dissatisfied rating (domain: redo or close with a reason), or
    concerns a requester who cannot be called back at all (anonymous, or no number); otherwise
    the callback closes the order (a rating, or the last unreachable attempt)."""
    return order.rating == Rating.DISSATISFIED or order.is_anonymous or not order.requester_phone


def close_refusal(order: WorkOrder) -> str:
    """Why this order may not be closed by hand yet ("" when it may): said the same way by the
    service, the API and the callback desk."""
    if close_allowed(order):
        return ""
    return _(
        "工单 {number} 尚未回访（未接通 {n}/{m} 次，无评价），不能办结：请先回访并记录评价，"
        "或记录未接通满 {m} 次"
    ).format(number=order.number, n=order.callback_attempts, m=hotline_int("CALLBACK_MAX_ATTEMPTS"))


def action_possible(order: WorkOrder, action: str) -> bool:
    """Conditions beyond the state that decide whether offering a move makes sense (the
    handler refuses them anyway; this keeps them off the menu)."""
    if action in (Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION):
        return order.extensions.filter(status=ExtensionStatus.PENDING).exists()
    if action == Action.REQUEST_EXTENSION:
        return not order.extensions.filter(status=ExtensionStatus.PENDING).exists()
    if action == Action.CALLBACK:
        # Staff call back while the order awaits it; a closed one is rated only by its requester.
        return order.status != Status.CLOSED
    if action == Action.REDO:
        return order.rating == Rating.DISSATISFIED
    if action == Action.CLOSE:
        return close_allowed(order)
    if action == Action.RETURN:
        return order.return_count < hotline_int("RETURN_LIMIT")
    if action == Action.SUPERVISE:
        return order.supervision_level < hotline_int("SUPERVISION_LEVELS")
    if action == Action.REDISPATCH:
        return order.lead_unit_id is not None
    if action == Action.PAUSE_CLOCK:
        paused_allowed = bool(settings.HOTLINE.get("PAUSE_WAITING_REQUESTER"))
        return paused_allowed and order.clock_paused_at is None
    if action == Action.RESUME_CLOCK:
        return order.clock_paused_at is not None
    return True


def user_may(user: User, order: WorkOrder, action: str) -> bool:
    try:
        actor_unit_for(user, order, TRANSITIONS[action])
    except NotPermitted:
        return False
    return True


def actions_for(user: User, order: WorkOrder) -> list[str]:
    """The moves this user may make on this order now: the table, the order's own conditions,
    then role and unit. Pages and API offer exactly these."""
    return [
        str(a)
        for a in allowed_actions(order.status)
        if action_possible(order, a) and user_may(user, order, a)
    ]
