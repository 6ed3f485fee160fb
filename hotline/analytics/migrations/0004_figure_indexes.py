"""Indexes the figures need on the tables they read (issue #7, a million orders).

The KPI passes (analytics.kpi_batch) find the orders of a period by three dates: registered
(created_at, indexed by the work-order app), dispatched (dispatched_at) and due (reply_due_at).
Without an index on the last two, every month's figures read the whole order table. The indexes
belong to the figures, so they live here; they do not change the work-order model, so they are
plain SQL (the same statement on PostgreSQL and SQLite) and invisible to the model state."""

from django.db import migrations

INDEXES = {
    "an_wo_dispatched_at": "workorders_workorder (dispatched_at)",
    "an_wo_reply_due_at": "workorders_workorder (reply_due_at)",
}


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0003_default_scheme"),
        ("workorders", "0005_clock_pause"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON {target}",
            f"DROP INDEX IF EXISTS {name}",
        )
        for name, target in INDEXES.items()
    ]
