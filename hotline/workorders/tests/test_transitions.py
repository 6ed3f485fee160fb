"""Every move of the transition table: allowed for the right actor in the right state, refused
otherwise, and the event written."""

from __future__ import annotations

import pytest

from hotline.workorders.choices import OPEN, Action, Status
from hotline.workorders.errors import IllegalTransition, InvalidInput, NotPermitted
from hotline.workorders.models import WorkOrderEvent
from hotline.workorders.services import workorder_transition
from hotline.workorders.tests import factories as f
from hotline.workorders.transitions import TRANSITIONS

# action, state builder, actor, params, expected state, an actor who must be refused
CASES = [
    (
        "resolve_at_intake",
        f.registered,
        "alice",
        {"note": "已告知办理流程"},
        Status.AWAITING_CALLBACK,
        "bob",
    ),
    ("dispatch", f.registered, "dave", {"lead_unit": "U-WATER"}, Status.DISPATCHED, "bob"),
    ("acknowledge", f.dispatched, "bob", {}, Status.IN_PROGRESS, "charlie"),
    (
        "return",
        f.in_progress,
        "bob",
        {"note": "非我单位职责", "legal_basis": "三定方案"},
        Status.RETURNED,
        "charlie",
    ),
    ("reassign", f.returned, "dave", {"lead_unit": "U-HOUSING"}, Status.DISPATCHED, "bob"),
    ("reject_return", f.returned, "dave", {"note": "属于你单位职责"}, Status.IN_PROGRESS, "bob"),
    ("reply", f.in_progress, "bob", {"note": "已修复"}, Status.REPLIED, "charlie"),
    ("accept_reply", f.replied, "sue", {}, Status.AWAITING_CALLBACK, "bob"),
    ("send_back", f.replied, "sue", {"note": "答复未说明原因"}, Status.IN_PROGRESS, "carl"),
    (
        "request_extension",
        f.in_progress,
        "bob",
        {"note": "需协调施工", "days": 5},
        Status.IN_PROGRESS,
        "charlie",
    ),
    ("urge", f.in_progress, "dave", {}, Status.IN_PROGRESS, "charlie"),
    ("supervise", f.in_progress, "sue", {"level": 2}, Status.IN_PROGRESS, "dave"),
    (
        "callback",
        f.awaiting_callback,
        "carl",
        {"rating": "satisfied", "solved": True},
        Status.CLOSED,
        "bob",
    ),
    ("callback_unreachable", f.awaiting_callback, "carl", {}, Status.AWAITING_CALLBACK, "alice"),
    (
        "transfer_out",
        f.registered,
        "alice",
        {"note": "涉及人身安全", "target": "110"},
        Status.TRANSFERRED_OUT,
        "bob",
    ),
    ("mark_invalid", f.registered, "alice", {"note": "骚扰电话"}, Status.INVALID, "bob"),
    ("withdraw", f.registered, "alice", {}, Status.WITHDRAWN, "bob"),
    ("add_note", f.in_progress, "bob", {"note": "已联系诉求人"}, Status.IN_PROGRESS, "charlie"),
]


@pytest.mark.parametrize(("action", "build", "who", "params", "expected", "refused"), CASES)
def test_it_allows_the_right_actor_and_writes_the_event(
    org, action, build, who, params, expected, refused
):
    order = build(org)
    before = order.status
    params = dict(params)
    note = params.pop("note", "")
    event = workorder_transition(
        order=order, action=action, actor=getattr(org, who), note=note, **params
    )
    order.refresh_from_db()
    assert order.status == expected
    assert event.action == action
    assert (event.from_status, event.to_status) == (before, expected)
    assert event.actor == getattr(org, who)
    assert event.seq == order.version == order.events.count()
    assert event.note == note


@pytest.mark.parametrize(("action", "build", "who", "params", "expected", "refused"), CASES)
def test_it_refuses_the_wrong_actor_and_writes_nothing(
    org, action, build, who, params, expected, refused
):
    order = build(org)
    before = (order.status, order.version)
    params = dict(params)
    note = params.pop("note", "")
    events = WorkOrderEvent.objects.count()
    with pytest.raises(NotPermitted):
        workorder_transition(
            order=order, action=action, actor=getattr(org, refused), note=note, **params
        )
    order.refresh_from_db()
    assert WorkOrderEvent.objects.count() == events
    assert (order.status, order.version) == before


@pytest.mark.parametrize(
    "action", sorted(a for a, t in TRANSITIONS.items() if Status.INVALID not in t.sources)
)
def test_it_refuses_every_move_from_a_terminal_state_but_notes(org, action):
    order = f.move(f.registered(org), "mark_invalid", org.alice, note="重复来电")
    with pytest.raises(IllegalTransition) as err:
        workorder_transition(order=order, action=action, actor=org.sue, note="x")
    assert (
        "无效" in err.value.message and str(TRANSITIONS[action].action.label) in err.value.message
    )


def test_it_names_the_state_and_the_move_when_illegal(org):
    order = f.registered(org)
    with pytest.raises(IllegalTransition) as err:
        workorder_transition(order=order, action="reply", actor=org.bob, note="x")
    assert err.value.message == f"工单 {order.number} 当前状态为「已受理」，不能执行「答复」"
    assert err.value.http_status == 409


def test_it_requires_a_note_where_the_move_needs_one(org):
    order = f.in_progress(org)
    with pytest.raises(InvalidInput) as err:
        workorder_transition(order=order, action="reply", actor=org.bob, note="  ")
    assert err.value.field == "note"


def test_it_dispatches_with_assisting_units_who_reply_to_the_lead(org):
    order = f.registered(org)
    f.move(order, "dispatch", org.dave, lead_unit=org.water.pk, assisting_units=[org.housing.pk])
    lead, assisting = order.assignments.order_by("role").values_list("unit__code", "role")
    assert {lead, assisting} == {("U-WATER", "lead"), ("U-HOUSING", "assisting")}
    f.move(order, "acknowledge", org.bob)
    f.move(order, "assist_reply", org.charlie, note="已协调管网图纸")
    a = order.assignments.get(unit=org.housing)
    assert a.reply == "已协调管网图纸" and a.replied_at is not None
    assert order.status == Status.IN_PROGRESS
    with pytest.raises(NotPermitted):  # an assisting unit does not give the answer
        workorder_transition(order=order, action="reply", actor=org.charlie, note="x")


def test_it_refuses_the_same_unit_as_lead_and_assisting(org):
    order = f.registered(org)
    with pytest.raises(InvalidInput) as err:
        workorder_transition(
            order=order,
            action="dispatch",
            actor=org.dave,
            lead_unit="U-WATER",
            assisting_units=["U-WATER"],
        )
    assert err.value.field == "assisting_units"
    assert order.events.count() == 1


def test_it_lets_a_street_redispatch_only_below_itself(org):
    order = f.move(f.registered(org), "dispatch", org.dave, lead_unit=org.street_office.pk)
    with pytest.raises(InvalidInput) as err:
        workorder_transition(order=order, action="redispatch", actor=org.mia, lead_unit="U-WATER")
    assert err.value.field == "lead_unit"
    f.move(order, "redispatch", org.mia, lead_unit=org.community.pk)
    assert order.lead_unit == org.community and order.status == Status.DISPATCHED
    current = order.assignments.get(is_active=True)
    assert current.dispatched_by == org.street_office
    f.move(order, "acknowledge", org.cora)
    f.move(order, "return", org.cora, note="不属社区职责", legal_basis="职责清单")
    # The return goes back to the street that dispatched it, whose manager decides.
    f.move(order, "reject_return", org.mia, note="属网格内事务，请办理")
    assert order.status == Status.IN_PROGRESS


def test_it_stops_returns_after_the_limit(org, settings):
    settings.HOTLINE = {**settings.HOTLINE, "RETURN_LIMIT": 1}
    order = f.returned(org)
    f.move(order, "reassign", org.dave, lead_unit=org.housing.pk)
    f.move(order, "acknowledge", org.charlie)
    with pytest.raises(IllegalTransition) as err:
        workorder_transition(
            order=order, action="return", actor=org.charlie, note="x", legal_basis="y"
        )
    assert "已达上限" in err.value.message


def test_it_requires_the_legal_basis_of_a_return(org):
    order = f.in_progress(org)
    with pytest.raises(InvalidInput) as err:
        workorder_transition(order=order, action="return", actor=org.bob, note="不归我管")
    assert err.value.field == "legal_basis"


def test_it_rejects_a_return_back_to_dispatched_when_never_acknowledged(org):
    order = f.move(f.dispatched(org), "return", org.bob, note="x", legal_basis="y")
    f.move(order, "reject_return", org.dave, note="请办理")
    assert order.status == Status.DISPATCHED


def test_it_decides_extensions(org):
    order = f.in_progress(org)
    f.move(order, "request_extension", org.bob, note="需要施工", days=5)
    with pytest.raises(IllegalTransition):
        workorder_transition(
            order=order, action="request_extension", actor=org.bob, note="再延", days=3
        )
    f.move(order, "approve_extension", org.sue)
    assert order.extensions.get().status == "approved"
    with pytest.raises(IllegalTransition):
        workorder_transition(order=order, action="reject_extension", actor=org.sue, note="x")
    f.move(order, "request_extension", org.bob, note="材料未到", days=3)
    f.move(order, "reject_extension", org.sue, note="不符合延期条件")
    assert sorted(order.extensions.values_list("status", flat=True)) == ["approved", "rejected"]


@pytest.mark.parametrize("days", [0, 61, "abc", None, True])
def test_it_refuses_bad_extension_days(org, days):
    order = f.in_progress(org)
    with pytest.raises(InvalidInput) as err:
        workorder_transition(
            order=order, action="request_extension", actor=org.bob, note="x", days=days
        )
    assert err.value.field == "days"


def test_it_only_raises_supervision(org):
    order = f.in_progress(org)
    f.move(order, "supervise", org.sue, level=2)
    with pytest.raises(IllegalTransition):
        workorder_transition(order=order, action="supervise", actor=org.sue, level=1)
    f.move(order, "supervise", org.sue, level=3)
    assert order.supervision_level == 3


def test_it_counts_urges(org):
    order = f.in_progress(org)
    f.move(order, "urge", org.dave)
    f.move(order, "urge", org.alice)
    assert order.urge_count == 2
    assert order.events.filter(action="urge").count() == 2


def test_it_closes_after_n_unreachable_callbacks(org, settings):
    settings.HOTLINE = {**settings.HOTLINE, "CALLBACK_MAX_ATTEMPTS": 3}
    order = f.awaiting_callback(org)
    for attempt in (1, 2):
        f.move(order, "callback_unreachable", org.carl)
        assert (order.status, order.callback_attempts) == (Status.AWAITING_CALLBACK, attempt)
    f.move(order, "callback_unreachable", org.carl)
    assert order.status == Status.CLOSED and order.closed_at is not None
    assert order.events.last().payload == {"attempt": 3, "closed_unreachable": True}


def test_it_waits_after_dissatisfaction_then_redoes(org):
    order = f.awaiting_callback(org)
    f.move(order, "callback", org.carl, rating="dissatisfied", solved=False)
    assert order.status == Status.AWAITING_CALLBACK and order.rating == "dissatisfied"
    f.move(order, "redo", org.sue, note="诉求人反映仍未供水")
    assert order.status == Status.DISPATCHED and order.redo_count == 1
    assert order.lead_unit == org.water and order.rating == ""
    assert order.assignments.filter(is_active=True).count() == 1
    f.move(order, "acknowledge", org.bob)
    f.move(order, "reply", org.bob, note="已更换水表")
    f.move(order, "accept_reply", org.sue)
    f.move(order, "callback", org.carl, rating="fairly_satisfied", solved=True)
    assert order.status == Status.CLOSED


def test_it_refuses_redo_unless_dissatisfied(org):
    order = f.awaiting_callback(org)
    with pytest.raises(IllegalTransition):
        workorder_transition(order=order, action="redo", actor=org.sue, note="x")


def test_it_closes_a_dissatisfied_order_with_a_reason(org):
    order = f.awaiting_callback(org)
    f.move(order, "callback", org.carl, rating="dissatisfied", solved=False)
    f.move(order, "close", org.sue, note="诉求超出政策范围，已解释")
    assert order.status == Status.CLOSED and order.rating == "dissatisfied"


@pytest.mark.parametrize(
    ("params", "field"),
    [({"rating": "great", "solved": True}, "rating"), ({"rating": "satisfied"}, "solved")],
)
def test_it_refuses_a_bad_callback(org, params, field):
    order = f.awaiting_callback(org)
    with pytest.raises(InvalidInput) as err:
        workorder_transition(order=order, action="callback", actor=org.carl, **params)
    assert err.value.field == field


def test_it_merges_a_repeat_which_follows_the_master(org):
    master = f.in_progress(org)
    repeat = f.dispatched(org)
    f.move(repeat, "merge", org.alice, master=master.number)
    assert repeat.status == Status.MERGED and repeat.master == master
    assert not repeat.assignments.filter(is_active=True).exists()
    assert master.events.last().payload == {"merged": repeat.number}
    f.move(master, "reply", org.bob, note="已修复")
    f.move(master, "accept_reply", org.sue)
    f.move(master, "callback", org.carl, rating="satisfied", solved=True)
    repeat.refresh_from_db()
    assert repeat.effective_status() == Status.CLOSED
    assert repeat.events.last().action == Action.MASTER_CLOSED
    # Events on the repeat stay contiguous although the master's moves wrote them.
    assert list(repeat.events.values_list("seq", flat=True)) == list(range(1, repeat.version + 1))


@pytest.mark.parametrize("master", ["", "nope", "self", "closed"])
def test_it_refuses_a_bad_master(org, master):
    order = f.registered(org)
    if master == "self":
        master = order.number
    elif master == "closed":
        master = f.move(f.registered(org), "mark_invalid", org.alice, note="x").number
    with pytest.raises(InvalidInput) as err:
        workorder_transition(order=order, action="merge", actor=org.alice, master=master)
    assert err.value.field == "master"


def test_it_refuses_an_unknown_transfer_target(org):
    with pytest.raises(InvalidInput) as err:
        workorder_transition(
            order=f.registered(org),
            action="transfer_out",
            actor=org.alice,
            note="x",
            target="999",
        )
    assert err.value.field == "target"


def test_it_links_related_orders_both_ways(org):
    a, b = f.registered(org), f.registered(org)
    f.move(a, "link", org.alice, other=b.number, note="同一小区")
    assert list(a.links.values_list("to_order", flat=True)) == [b.pk]
    assert list(b.links.values_list("to_order", flat=True)) == [a.pk]


def test_it_refuses_an_unknown_action(org):
    with pytest.raises(InvalidInput) as err:
        workorder_transition(order=f.registered(org), action="teleport", actor=org.sue)
    assert err.value.field == "action"


def test_it_lets_the_system_user_act(org):
    from hotline.accounts.services import system_user

    order = f.registered(org)
    event = workorder_transition(order=order, action="withdraw", actor=system_user())
    assert event.actor.is_system and event.actor_unit == org.centre


def test_every_open_state_has_a_way_out():
    from hotline.workorders.transitions import allowed_actions

    for status in OPEN:
        moves = [a for a in allowed_actions(status) if TRANSITIONS[a].target]
        assert moves, status


def test_it_lets_a_sub_centre_dispatcher_redispatch_below_it(org):
    from hotline.accounts.choices import Role, UnitKind
    from hotline.accounts.models import Unit
    from hotline.accounts.services import user_create

    below = Unit.objects.create(
        code="U-YY-ST",
        name="榆阳区某街道",
        kind=UnitKind.STREET,
        region=org.other_county,
        parent=org.sub_centre,
    )
    sub_dispatcher = user_create(
        username="subd", password="x", memberships=[(org.sub_centre, Role.DISPATCHER)]
    )
    order = f.move(
        f.registered(org, region=org.other_county.code),
        "dispatch",
        org.dave,
        lead_unit=org.sub_centre.pk,
    )
    f.move(order, "redispatch", sub_dispatcher, lead_unit=below.pk)
    assert order.lead_unit == below
    assert order.assignments.get(is_active=True).dispatched_by == org.sub_centre
    with pytest.raises(NotPermitted):  # the county's street office is not the sub-centre's
        workorder_transition(order=order, action="redispatch", actor=org.mia, lead_unit=below.pk)


def test_it_takes_supervision_levels_and_extension_cap_from_settings(org, settings):
    settings.HOTLINE = {**settings.HOTLINE, "SUPERVISION_LEVELS": 5, "EXTENSION_MAX_DAYS": 10}
    order = f.in_progress(org)
    f.move(order, "supervise", org.sue, level=5)
    assert order.supervision_level == 5
    with pytest.raises(InvalidInput) as err:
        workorder_transition(
            order=order, action="request_extension", actor=org.bob, note="x", days=11
        )
    assert err.value.field == "days"
    f.move(order, "request_extension", org.bob, note="需协调", days=10)


def test_it_merges_and_links_only_with_orders_the_actor_may_see(org):
    from hotline.accounts.choices import Role
    from hotline.accounts.services import user_create

    sub_agent = user_create(
        username="subagent", password="x", memberships=[(org.sub_centre, Role.AGENT)]
    )
    outside = f.registered(org)  # in the county, outside the sub-centre's district
    mine = f.registered(org, region=org.other_county.code)
    for action, key in (("merge", "master"), ("link", "other")):
        with pytest.raises(InvalidInput) as err:
            workorder_transition(
                order=mine, action=action, actor=sub_agent, **{key: outside.number}
            )
        assert err.value.field == key and "不存在" in err.value.message
    assert outside.events.count() == 1 and mine.events.count() == 1
