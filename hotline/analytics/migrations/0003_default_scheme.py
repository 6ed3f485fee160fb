from django.db import migrations

DEFAULT = [
    ("on_time_acknowledge", 20),
    ("on_time_reply", 30),
    ("satisfaction", 30),
    ("return_rate", 10),
    ("redo_rate", 10),
]


def create(apps, schema_editor):
    Scheme = apps.get_model("analytics", "AssessmentScheme")
    Indicator = apps.get_model("analytics", "AssessmentIndicator")
    if Scheme.objects.exists():
        return
    scheme = Scheme.objects.create(name="承办单位月度考核（默认）", is_active=True)
    Indicator.objects.bulk_create(
        [Indicator(scheme=scheme, kpi=kpi, weight=weight) for kpi, weight in DEFAULT]
    )


class Migration(migrations.Migration):
    dependencies = [("analytics", "0002_assessment")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
