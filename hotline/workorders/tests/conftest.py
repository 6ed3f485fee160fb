import pytest


@pytest.fixture
def register(org):
    """Register an order as alice; keyword arguments override the defaults."""
    from hotline.workorders.services import workorder_register

    def make(**kw):
        values = {
            "channel": "phone",
            "request_type": "complaint",
            "title": "小区停水",
            "content": "幸福小区 3 号楼停水两天",
            "requester_name": "张三",
            "requester_phone": "13800138000",
        }
        values.update(kw)
        return workorder_register(actor=org.alice, **values)

    return make


@pytest.fixture
def water_order(org, register):
    """An order dispatched to the water utility (bob's unit)."""
    from hotline.workorders.services import workorder_transition

    order = register()
    workorder_transition(order=order, action="dispatch", actor=org.dave, lead_unit=org.water.pk)
    return order
