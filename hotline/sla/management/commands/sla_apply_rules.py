from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from hotline.sla.presets import PRESETS
from hotline.sla.rulesets import RulesetError, RulesetPlan, ruleset_apply, ruleset_plan


class Command(BaseCommand):
    help = gettext(  # argparse needs a str, not a lazy translation
        "将时限规则集应用到时限规则：默认只替换该规则集文件规定的时限类型，"
        "--replace 则停用其余全部规则；被替换的规则停用而不删除"
    )

    def add_arguments(self, parser):
        parser.add_argument("preset", help=gettext("规则集：") + "、".join(PRESETS))
        parser.add_argument(
            "--replace", action="store_true", help=gettext("停用不属于该规则集的全部规则")
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=gettext("只列出将要发生的变化，不写入")
        )

    def handle(self, *args, preset, replace, dry_run, **options):
        try:
            if dry_run:
                plan = ruleset_plan(preset=preset, replace=replace)
            else:
                plan = ruleset_apply(preset=preset, replace=replace)
        except RulesetError as e:
            raise CommandError(str(e)) from e
        self._show(plan)
        for note in plan.notes:
            self.stderr.write(note)
        summary = plan.summary()
        if dry_run:
            summary = gettext("（未写入）") + summary
        self.stdout.write(self.style.SUCCESS(summary))

    def _show(self, plan: RulesetPlan) -> None:
        for label, rules in (
            (gettext("停用"), plan.deactivate),
            (gettext("新增"), plan.create),
            (gettext("重新启用"), plan.activate),
        ):
            for rule in rules:
                self.stdout.write(f"{label}  {_describe(rule)}")


def _describe(rule) -> str:
    scope = "／".join(
        str(x) for x in (rule.request_type, rule.urgency, rule.category, rule.region) if x
    )
    return f"{rule}  {scope or gettext('全部')}  {rule.source}"
