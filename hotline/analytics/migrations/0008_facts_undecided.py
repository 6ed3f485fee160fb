"""The order facts learn the acknowledgement limit and the callback limit of an order awaiting
its callback, so 按时签收率, 响应率 and 回访率 leave out the orders not yet decided. The rows
written before hold neither: forgetting the order mark makes the next refresh rebuild them all
(as the first refresh of a database does)."""

from django.db import migrations, models

ORDER_MARK = 1


def rebuild_on_next_refresh(apps, schema_editor):
    apps.get_model("analytics", "WorkOrderFactsMark").objects.filter(pk=ORDER_MARK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0007_event_facts_dimensions"),
    ]

    operations = [
        migrations.AddField(
            model_name="workorderfacts",
            name="acknowledge_due_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="workorderfacts",
            name="awaiting_callback_until",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(rebuild_on_next_refresh, migrations.RunPython.noop),
    ]
