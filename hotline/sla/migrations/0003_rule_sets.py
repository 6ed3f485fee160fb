"""Rule sets: every rule records the preset (规则集) that wrote it, and the shipped default
becomes one published rule set, Shandong's (sla.presets.SHANDONG, frozen here as it was).

0002 shipped a mix (Tianjin's acknowledge and return limits, Guangdong's reply limits). Only
rows still exactly as 0002 created them are replaced: an administrator's edited or added rows
stay, and a Shandong row is not added where another rule of the same scope remains (an edited
one, or one an administrator switched off). Replaced rows are deactivated (events of deadlines
they gave name their ids); on a database with no work order yet nothing can name them, so they
are deleted. Reverse: nothing to undo in the data (the Shandong rows stay; the preset column
goes)."""

from django.db import migrations, models

WD = "working_days"

# What 0002 created: (clock, request type, urgency, amount, unit, source).
TIANJIN_RULES = "天津市政务服务便民热线管理办法实施细则（2024）"
TIANJIN_MEASURES = "天津市政务服务便民热线管理办法（市政府令第39号）"
GUANGDONG = "广东省12345热线办理时限（domain.md）"
OURS = "本平台默认"
SHIPPED_0002 = [
    ("acknowledge", None, "critical", 15, "minutes", TIANJIN_RULES),
    ("acknowledge", None, "urgent", 30, "minutes", TIANJIN_RULES),
    ("acknowledge", None, None, 1, WD, TIANJIN_RULES),
    ("reply", "inquiry", None, 2, WD, GUANGDONG),
    ("reply", "help", None, 10, WD, GUANGDONG),
    ("reply", "suggestion", None, 10, WD, GUANGDONG),
    ("reply", "complaint", None, 15, WD, GUANGDONG),
    ("reply", "report", None, 15, WD, GUANGDONG),
    ("reply", "praise", None, 10, WD, OURS),
    ("reply", "other", None, 10, WD, OURS),
    ("reply", None, None, 10, WD, OURS),
    ("return", None, None, 1, WD, TIANJIN_MEASURES),
    ("callback", None, None, 3, WD, OURS),
]

SHANDONG_DOC = "《山东省政务服务热线管理办法》（经省政府同意，2020年1月印发）"
SHANDONG = [
    ("reply", 5, f"{SHANDONG_DOC}：承办单位应在接到热线事项5个工作日内办理完毕并回复"),
    ("return", 2, f"{SHANDONG_DOC}：不属于本单位职责的应在2个工作日内回退"),
    ("acknowledge", 1, "平台默认：山东办法未规定签收时限"),
    ("callback", 3, "平台默认：山东办法未规定回访时限"),
]


def _key(rule):
    return (
        rule.clock,
        rule.request_type.code if rule.request_type_id else None,
        rule.urgency.code if rule.urgency_id else None,
        rule.amount,
        rule.unit,
        rule.source,
    )


def to_shandong(apps, schema_editor):
    Rule = apps.get_model("sla", "TimeLimitRule")
    WorkOrder = apps.get_model("workorders", "WorkOrder")
    shipped = set(SHIPPED_0002)
    untouched = [
        r.pk
        for r in Rule.objects.filter(
            is_active=True, category__isnull=True, region__isnull=True
        ).select_related("request_type", "urgency")
        if _key(r) in shipped
    ]
    replaced = Rule.objects.filter(pk__in=untouched)
    if WorkOrder.objects.exists():
        replaced.update(is_active=False)
    else:
        replaced.delete()
    for clock, amount, source in SHANDONG:
        # An administrator's row of this scope wins, even one switched off on purpose.
        same_scope = Rule.objects.exclude(pk__in=untouched).filter(
            clock=clock,
            request_type__isnull=True,
            urgency__isnull=True,
            category__isnull=True,
            region__isnull=True,
        )
        if not same_scope.exists():
            Rule.objects.create(
                clock=clock, amount=amount, unit=WD, source=source, preset="shandong_2020"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0002_default_rules"),
        ("workorders", "0003_callback_clock"),
    ]

    operations = [
        migrations.AddField(
            model_name="timelimitrule",
            name="preset",
            field=models.CharField(
                blank=True,
                help_text="写入本规则的规则集；管理员新增或修改的规则为空",
                max_length=40,
                verbose_name="规则集",
            ),
        ),
        migrations.RunPython(to_shandong, migrations.RunPython.noop, elidable=False),
    ]
