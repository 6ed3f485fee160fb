"""The transition table: every move of a work order, from which states, by whom.

This is data, read by the one entry point `services.workorder_transition`. A move whose target
is None leaves the state as it is (it is still an event); handlers may pick the target where the
domain says it depends (e.g. a callback that is satisfied closes, a dissatisfied one waits)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from hotline.accounts.choices import Role

from .choices import OPEN, Action, Status

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

S = Status
R = Role


class Scope(StrEnum):
    """Whose move it is, relative to the order."""

    HOTLINE = "hotline"  # hotline staff of a centre whose region holds the order
    LEAD_UNIT = "lead_unit"  # staff of the unit currently holding the order as lead
    ASSISTING_UNIT = "assisting_unit"  # staff of a unit currently assisting
    DISPATCHER = "dispatcher"  # the hotline, or the manager of the unit that dispatched it
    VISIBLE = "visible"  # anyone who may see the order


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[str]
    target: str | None
    roles: frozenset[str]
    scope: Scope
    note_required: bool = False
    # The requester may see this event (portal, notifications).
    public: bool = False


HOTLINE_DESK = frozenset({R.AGENT, R.DISPATCHER, R.SUPERVISOR, R.ADMIN})
DISPATCH_DESK = frozenset({R.DISPATCHER, R.SUPERVISOR, R.ADMIN})
REVIEW_DESK = frozenset({R.SUPERVISOR, R.DISPATCHER, R.ADMIN})
CALLBACK_DESK = frozenset({R.CALLBACK_AGENT, R.SUPERVISOR, R.ADMIN})
UNIT_STAFF = frozenset({R.UNIT_HANDLER, R.UNIT_MANAGER})
EVERYONE = frozenset(R)
WITH_LEAD = frozenset({S.DISPATCHED, S.IN_PROGRESS})
HELD = frozenset({S.DISPATCHED, S.IN_PROGRESS, S.RETURNED, S.REPLIED})
# An extension is asked for and decided while the unit still works on the order; leaving these
# states settles a pending request (handlers.lapse_extension).
EXTENSION_DECIDABLE = WITH_LEAD
MERGEABLE = frozenset(OPEN)

_TABLE = [
    Transition(
        Action.RESOLVE_AT_INTAKE,
        frozenset({S.REGISTERED}),
        S.AWAITING_CALLBACK,
        HOTLINE_DESK,
        Scope.HOTLINE,
        note_required=True,
        public=True,
    ),
    Transition(
        Action.DISPATCH,
        frozenset({S.REGISTERED}),
        S.DISPATCHED,
        DISPATCH_DESK | {R.AGENT},
        Scope.HOTLINE,
        public=True,
    ),
    Transition(
        Action.REDISPATCH,
        WITH_LEAD,
        S.DISPATCHED,
        frozenset({R.UNIT_MANAGER, R.DISPATCHER}),
        Scope.LEAD_UNIT,
    ),
    Transition(
        Action.REASSIGN,
        frozenset({S.RETURNED, S.DISPATCHED, S.IN_PROGRESS}),
        S.DISPATCHED,
        DISPATCH_DESK | {R.UNIT_MANAGER},
        Scope.DISPATCHER,
    ),
    Transition(
        Action.ACKNOWLEDGE, frozenset({S.DISPATCHED}), S.IN_PROGRESS, UNIT_STAFF, Scope.LEAD_UNIT
    ),
    Transition(
        Action.RETURN, WITH_LEAD, S.RETURNED, UNIT_STAFF, Scope.LEAD_UNIT, note_required=True
    ),
    Transition(
        Action.REJECT_RETURN,
        frozenset({S.RETURNED}),
        None,
        DISPATCH_DESK | {R.UNIT_MANAGER},
        Scope.DISPATCHER,
        note_required=True,
    ),
    Transition(
        Action.REPLY,
        frozenset({S.IN_PROGRESS}),
        S.REPLIED,
        UNIT_STAFF,
        Scope.LEAD_UNIT,
        note_required=True,
    ),
    Transition(
        Action.ASSIST_REPLY, WITH_LEAD, None, UNIT_STAFF, Scope.ASSISTING_UNIT, note_required=True
    ),
    Transition(
        Action.ACCEPT_REPLY,
        frozenset({S.REPLIED}),
        S.AWAITING_CALLBACK,
        REVIEW_DESK,
        Scope.HOTLINE,
        public=True,
    ),
    Transition(
        Action.SEND_BACK,
        frozenset({S.REPLIED}),
        S.IN_PROGRESS,
        REVIEW_DESK,
        Scope.HOTLINE,
        note_required=True,
    ),
    Transition(
        Action.REQUEST_EXTENSION, WITH_LEAD, None, UNIT_STAFF, Scope.LEAD_UNIT, note_required=True
    ),
    Transition(Action.APPROVE_EXTENSION, EXTENSION_DECIDABLE, None, REVIEW_DESK, Scope.HOTLINE),
    Transition(
        Action.REJECT_EXTENSION,
        EXTENSION_DECIDABLE,
        None,
        REVIEW_DESK,
        Scope.HOTLINE,
        note_required=True,
    ),
    Transition(
        Action.URGE,
        frozenset({S.DISPATCHED, S.IN_PROGRESS, S.RETURNED}),
        None,
        HOTLINE_DESK | {R.UNIT_MANAGER},
        Scope.DISPATCHER,
    ),
    Transition(Action.SUPERVISE, HELD, None, frozenset({R.SUPERVISOR, R.ADMIN}), Scope.HOTLINE),
    # From closed only for an order closed without a rating (the handler refuses a second one;
    # `action_possible` keeps it off the desks' menus): the requester may still rate it.
    Transition(
        Action.CALLBACK,
        frozenset({S.AWAITING_CALLBACK, S.CLOSED}),
        None,
        CALLBACK_DESK,
        Scope.HOTLINE,
    ),
    Transition(
        Action.CALLBACK_UNREACHABLE,
        frozenset({S.AWAITING_CALLBACK}),
        None,
        CALLBACK_DESK,
        Scope.HOTLINE,
    ),
    Transition(
        Action.REDO,
        frozenset({S.AWAITING_CALLBACK}),
        S.DISPATCHED,
        REVIEW_DESK | {R.CALLBACK_AGENT},
        Scope.HOTLINE,
        note_required=True,
        public=True,
    ),
    Transition(
        Action.CLOSE,
        frozenset({S.AWAITING_CALLBACK}),
        S.CLOSED,
        REVIEW_DESK | {R.CALLBACK_AGENT},
        Scope.HOTLINE,
        note_required=True,
        public=True,
    ),
    Transition(Action.MERGE, MERGEABLE, S.MERGED, HOTLINE_DESK, Scope.HOTLINE, public=True),
    Transition(
        Action.TRANSFER_OUT,
        frozenset({S.REGISTERED}),
        S.TRANSFERRED_OUT,
        HOTLINE_DESK,
        Scope.HOTLINE,
        note_required=True,
        public=True,
    ),
    Transition(
        Action.MARK_INVALID,
        frozenset({S.REGISTERED}),
        S.INVALID,
        HOTLINE_DESK,
        Scope.HOTLINE,
        note_required=True,
    ),
    Transition(
        Action.WITHDRAW,
        frozenset({S.REGISTERED}),
        S.WITHDRAWN,
        HOTLINE_DESK,
        Scope.HOTLINE,
        public=True,
    ),
    Transition(
        Action.PAUSE_CLOCK,
        frozenset({S.IN_PROGRESS}),
        None,
        UNIT_STAFF,
        Scope.LEAD_UNIT,
        note_required=True,
        public=True,
    ),
    Transition(Action.RESUME_CLOCK, frozenset({S.IN_PROGRESS}), None, UNIT_STAFF, Scope.LEAD_UNIT),
    # Public: the requester's progress page says the unit has been in touch (not what was said).
    Transition(Action.CONTACT_REQUESTER, WITH_LEAD, None, UNIT_STAFF, Scope.LEAD_UNIT, public=True),
    Transition(Action.ADD_NOTE, frozenset(S), None, EVERYONE, Scope.VISIBLE, note_required=True),
    Transition(Action.ATTACH, frozenset(OPEN), None, EVERYONE, Scope.VISIBLE),
    Transition(Action.LINK, frozenset(S), None, HOTLINE_DESK, Scope.HOTLINE),
]

TRANSITIONS: dict[str, Transition] = {t.action: t for t in _TABLE}


# What the note of each move is called on forms and in errors ("说明" where not named here).
NOTE_LABELS: dict[str, StrOrPromise] = {
    Action.RESOLVE_AT_INTAKE: _("答复内容"),
    Action.RETURN: _("退单理由"),
    Action.REPLY: _("答复内容"),
    Action.ASSIST_REPLY: _("协办意见"),
    Action.SEND_BACK: _("退回理由"),
    Action.REQUEST_EXTENSION: _("延期理由"),
    Action.REJECT_EXTENSION: _("驳回理由"),
    Action.REJECT_RETURN: _("驳回理由"),
    Action.REDO: _("重办理由"),
    Action.CLOSE: _("办结说明"),
    Action.MARK_INVALID: _("作废理由"),
    Action.TRANSFER_OUT: _("转出说明"),
    Action.CALLBACK: _("回访记录"),
    Action.CONTACT_REQUESTER: _("联系情况"),
}


def note_label(action: str) -> str:
    return str(NOTE_LABELS.get(action, _("说明")))


def allowed_actions(status: str) -> list[str]:
    """Actions the table allows from `status`, whoever asks."""
    return [t.action for t in _TABLE if status in t.sources]
