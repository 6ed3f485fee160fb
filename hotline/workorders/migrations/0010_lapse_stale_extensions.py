"""Settle extension requests left pending on orders that had already moved on before requests
lapsed with the move (0009): each is marked lapsed and its order gets an event by the system
user saying why, as a move would have written; no earlier row is changed."""

from django.db import migrations
from django.utils import timezone

DECIDABLE = ("dispatched", "in_progress")
REASON = "工单已离开可审批延期的状态"


def lapse(apps, schema_editor):
    ExtensionRequest = apps.get_model("workorders", "ExtensionRequest")
    WorkOrder = apps.get_model("workorders", "WorkOrder")
    WorkOrderEvent = apps.get_model("workorders", "WorkOrderEvent")
    User = apps.get_model("accounts", "User")
    stale = ExtensionRequest.objects.filter(status="pending").exclude(order__status__in=DECIDABLE)
    if not stale.exists():
        return
    system, _created = User.objects.get_or_create(
        username="system",
        defaults={"display_name": "系统", "is_system": True, "is_active": True, "password": "!"},
    )
    now = timezone.now()
    for ext in stale.select_related("order"):
        order = WorkOrder.objects.select_for_update().get(pk=ext.order_id)
        ExtensionRequest.objects.filter(pk=ext.pk).update(
            status="lapsed", decided_by=system, decided_at=now, decision_note=REASON
        )
        WorkOrder.objects.filter(pk=order.pk).update(version=order.version + 1, updated_at=now)
        WorkOrderEvent.objects.create(
            order=order,
            seq=order.version + 1,
            action="lapse_extension",
            from_status=order.status,
            to_status=order.status,
            actor=system,
            note=REASON,
            payload={"extension": ext.pk, "days": ext.days, "cause": "migration"},
            created_at=now,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_alter_membership_role"),
        ("workorders", "0009_extension_lapsed"),
    ]

    operations = [migrations.RunPython(lapse, migrations.RunPython.noop)]
