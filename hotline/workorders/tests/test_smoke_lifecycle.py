from hotline.workorders.choices import Status
from hotline.workorders.services import workorder_register, workorder_transition


def test_it_runs_the_closed_loop(org):
    o = workorder_register(
        actor=org.alice,
        channel="phone",
        request_type="complaint",
        title="停水",
        content="小区停水两天",
        requester_phone="13800138000",
    )
    assert o.status == Status.REGISTERED and len(o.number) == 14
    workorder_transition(order=o, action="dispatch", actor=org.dave, lead_unit=org.water.pk)
    workorder_transition(order=o, action="acknowledge", actor=org.bob)
    workorder_transition(order=o, action="reply", actor=org.bob, note="已修复")
    workorder_transition(order=o, action="accept_reply", actor=org.sue)
    workorder_transition(
        order=o, action="callback", actor=org.carl, rating="satisfied", solved=True
    )
    o.refresh_from_db()
    assert o.status == Status.CLOSED
    assert list(o.events.values_list("seq", flat=True)) == [1, 2, 3, 4, 5, 6]
