"""Sent after a work-order event commits. Apps above `workorders` (sla, dispatch, analytics,
notifications) connect here instead of being called by it."""

from django.dispatch import Signal

# kwargs: event (WorkOrderEvent)
workorder_event = Signal()

# Sent inside the transaction of `services.workorder_transition`, after the move's handler ran
# and the target state is known, while the order row is locked. Receivers (the time-limit rules
# in sla) may set the clock fields listed in `services.CLOCK_FIELDS` on `order` (they are saved
# with the move) and add keys to `payload` (stored on the move's event). Raising an error
# from workorders.errors refuses the move. kwargs: order, action, actor, from_status, at,
# params, payload.
workorder_changing = Signal()

# Sent inside the transaction that wrote events (registration, every move), after they are
# inserted. Receivers write rows that must commit or roll back with the events, such as the
# notices' outbox (webhook deliveries, SMS log), and send nothing: sending waits for the commit.
# kwargs: events (list of WorkOrderEvent, each with its order).
workorder_recorded = Signal()
