"""Default time limits (editable in admin). Sources, see docs/time-limits.md:
- acknowledge (签收/接收): 天津市政务服务便民热线管理办法实施细则 (2024-12-30): 15 minutes when life or
  property is at risk (特急), 30 minutes for water/power/gas/heating (紧急), both day or night;
  otherwise 1 working day.
- return window (退单): 天津市政务服务便民热线管理办法 (市政府令第39号): within 1 working day.
- reply (办结): Guangdong's figures as recorded in the project's domain rules: inquiry 2 working
  days; help and suggestion 10; complaint and report 15; praise and other 10 (ours).
- callback (回访): 3 working days after the reply is accepted (ours)."""

from django.db import migrations

TIANJIN_RULES = "天津市政务服务便民热线管理办法实施细则（2024）"
TIANJIN_MEASURES = "天津市政务服务便民热线管理办法（市政府令第39号）"
GUANGDONG = "广东省12345热线办理时限（domain.md）"
OURS = "本平台默认"

ACKNOWLEDGE = [("critical", 15, "minutes"), ("urgent", 30, "minutes"), (None, 1, "working_days")]
REPLY = [
    ("inquiry", 2, GUANGDONG),
    ("help", 10, GUANGDONG),
    ("suggestion", 10, GUANGDONG),
    ("complaint", 15, GUANGDONG),
    ("report", 15, GUANGDONG),
    ("praise", 10, OURS),
    ("other", 10, OURS),
]


def create(apps, schema_editor):
    Rule = apps.get_model("sla", "TimeLimitRule")
    RequestType = apps.get_model("catalog", "RequestType")
    Urgency = apps.get_model("catalog", "Urgency")
    if Rule.objects.exists():
        return
    urgencies = {u.code: u for u in Urgency.objects.all()}
    types = {t.code: t for t in RequestType.objects.all()}
    for code, amount, unit in ACKNOWLEDGE:
        if code is not None and code not in urgencies:
            continue
        Rule.objects.create(
            clock="acknowledge",
            urgency=urgencies.get(code) if code else None,
            amount=amount,
            unit=unit,
            source=TIANJIN_RULES,
        )
    for code, days, source in REPLY:
        if code in types:
            Rule.objects.create(
                clock="reply",
                request_type=types[code],
                amount=days,
                unit="working_days",
                source=source,
            )
    # Types an administrator added later still get a deadline.
    Rule.objects.create(clock="reply", amount=10, unit="working_days", source=OURS)
    Rule.objects.create(clock="return", amount=1, unit="working_days", source=TIANJIN_MEASURES)
    Rule.objects.create(clock="callback", amount=3, unit="working_days", source=OURS)


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial"), ("catalog", "0002_default_types_and_urgencies")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
