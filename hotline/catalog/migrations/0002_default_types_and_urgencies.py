from django.db import migrations

REQUEST_TYPES = [
    ("inquiry", "咨询"),
    ("help", "求助"),
    ("complaint", "投诉"),
    ("report", "举报"),
    ("suggestion", "建议"),
    ("praise", "表扬"),
    ("other", "其他"),
]
URGENCIES = [("normal", "一般", 0), ("urgent", "紧急", 1), ("critical", "特急", 2)]


def create(apps, schema_editor):
    RequestType = apps.get_model("catalog", "RequestType")
    Urgency = apps.get_model("catalog", "Urgency")
    for i, (code, name) in enumerate(REQUEST_TYPES):
        RequestType.objects.get_or_create(code=code, defaults={"name": name, "sort_order": i})
    for code, name, rank in URGENCIES:
        Urgency.objects.get_or_create(code=code, defaults={"name": name, "rank": rank})


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
