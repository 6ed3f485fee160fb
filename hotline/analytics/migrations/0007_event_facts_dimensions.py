"""The event facts carry their order's dimensions (region, channel, request type, category), so
a sliced event pass needs no look-up of the orders. The rows copied so far lack them: they are
dropped with the event mark, and the next refresh copies every counted event again (about 80 s
at a million orders; `manage.py kpi_facts`)."""

import django.db.models.deletion
from django.db import migrations, models


def forget_copied_events(apps, schema_editor):
    apps.get_model("analytics", "WorkOrderEventFacts").objects.all().delete()
    apps.get_model("analytics", "WorkOrderFactsMark").objects.filter(pk=2).delete()


def fk(to: str, *, null: bool = False) -> models.ForeignKey:
    return models.ForeignKey(
        db_constraint=False,
        null=null,
        on_delete=django.db.models.deletion.DO_NOTHING,
        related_name="+",
        to=to,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_alter_membership_role"),
        ("analytics", "0006_event_facts"),
        ("catalog", "0004_categoryfield"),
    ]

    operations = [
        migrations.RunPython(forget_copied_events, migrations.RunPython.noop),
        migrations.AddField(
            model_name="workordereventfacts",
            name="region",
            field=fk("accounts.region"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="workordereventfacts",
            name="channel",
            field=models.CharField(max_length=20, default=""),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="workordereventfacts",
            name="request_type",
            field=fk("catalog.requesttype"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="workordereventfacts",
            name="category",
            field=fk("catalog.category", null=True),
        ),
    ]
