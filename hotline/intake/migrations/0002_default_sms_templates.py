from django.db import migrations

# The centre edits these in admin; placeholders are listed on SmsTemplate.
TEMPLATES = {
    "registered": "您的诉求已受理，工单号{number}，查询码{query_code}，可凭工单号和查询码查询办理进度。回复TD退订",
    "dispatched": "您的诉求（工单号{number}）已转交{unit}办理，请耐心等待。回复TD退订",
    "replied": "您的诉求（工单号{number}）已有办理结果，近期将有回访，请留意接听{hotline}来电。回复TD退订",
    "callback_request": "我们未能联系到您进行回访。请致电{hotline}，对工单{number}的办理结果进行评价。回复TD退订",
}


def create(apps, schema_editor):
    SmsTemplate = apps.get_model("intake", "SmsTemplate")
    for kind, text in TEMPLATES.items():
        SmsTemplate.objects.get_or_create(kind=kind, defaults={"text": text})


class Migration(migrations.Migration):
    dependencies = [("intake", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
