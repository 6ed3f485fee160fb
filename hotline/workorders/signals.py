"""Sent after a work-order event commits. Apps above `workorders` (sla, dispatch, analytics,
notifications) connect here instead of being called by it."""

from django.dispatch import Signal

# kwargs: event (WorkOrderEvent)
workorder_event = Signal()
