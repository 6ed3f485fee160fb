"""`manage.py seed_demo`: a county hotline with a year of work orders, for demos and trials."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

from hotline.core.demo import DEMO_PASSWORD
from hotline.core.demo.bulk import seed_bulk
from hotline.core.demo.runner import seed_demo
from hotline.workorders.models import WorkOrder


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            gettext("--end-date 应为 YYYY-MM-DD，收到「{value}」").format(value=value)
        ) from None


class Command(BaseCommand):
    help = gettext(  # argparse needs a str, not a lazy translation
        "生成演示数据：子洲县 12345 热线的组织机构、派单目录和一年的工单（全部经由工单服务写入）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--orders", type=int, default=20000, help=gettext("工单数（默认 20000）")
        )
        parser.add_argument(
            "--seed", type=int, default=12345, help=gettext("随机种子（默认 12345）")
        )
        parser.add_argument("--days", type=int, default=365, help=gettext("覆盖天数（默认 365）"))
        parser.add_argument(
            "--end-date", type=_date, default=None, help=gettext("最后一天，默认今天")
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=gettext("已有工单时什么也不做（供 make run 使用）"),
        )
        parser.add_argument(
            "--bulk",
            type=int,
            default=None,
            metavar="N",
            help=gettext(
                "批量模式：用 bulk_create 直接写入 N 件工单（含派单记录和事件），用于百万级压测库"
            ),
        )
        parser.add_argument(
            "--builtin-texts", action="store_true", help=gettext("不读共享语料，只用内置样例文本")
        )

    def handle(self, *args, **opts) -> None:
        if opts["orders"] < 0:
            raise CommandError(gettext("--orders 不能为负数"))
        if opts["days"] < 1:
            raise CommandError(gettext("--days 至少为 1"))
        if opts["if_empty"] and WorkOrder.objects.exists():
            self.stdout.write(gettext("已有工单，跳过演示数据生成（--if-empty）。"))
            return
        if opts["bulk"] is not None:
            self._bulk(opts)
            return
        report = seed_demo(
            orders=opts["orders"],
            seed=opts["seed"],
            days=opts["days"],
            end_date=opts["end_date"],
            use_corpus=not opts["builtin_texts"],
            progress=self.stdout.write,
        )
        statuses = gettext("，").join(f"{k} {v}" for k, v in report.statuses.most_common())
        self.stdout.write(
            gettext(
                "完成：规划 {planned} 件，写入 {created} 件工单、{steps} 步，用时 {seconds:.1f} 秒。"
            ).format(
                planned=report.planned,
                created=report.created,
                steps=report.steps,
                seconds=report.seconds,
            )
        )
        self.stdout.write(gettext("状态分布：{statuses}").format(statuses=statuses))
        if report.failures:
            self.stderr.write(
                gettext("{count} 件工单的步骤被拒绝（前 5 条）：").format(
                    count=len(report.failures)
                )
            )
            for line in report.failures[:5]:
                self.stderr.write(f"  {line}")
        self.stdout.write(
            gettext("演示账号密码均为 {password}；运行 manage.py demo_logins 查看账号。").format(
                password=DEMO_PASSWORD
            )
        )

    def _bulk(self, opts: dict) -> None:
        if opts["bulk"] < 1:
            raise CommandError(gettext("--bulk 至少为 1"))
        report = seed_bulk(
            orders=opts["bulk"],
            seed=opts["seed"],
            days=opts["days"],
            end_date=opts["end_date"],
            use_corpus=not opts["builtin_texts"],
            progress=self.stdout.write,
        )
        statuses = gettext("，").join(f"{k} {v}" for k, v in report.statuses.most_common())
        self.stdout.write(
            gettext(
                "完成：批量写入 {created} 件工单、{events} 个事件、{assignments} 条派单记录，"
                "用时 {seconds:.1f} 秒。"
            ).format(
                created=report.created,
                events=report.events,
                assignments=report.assignments,
                seconds=report.seconds,
            )
        )
        self.stdout.write(gettext("状态分布：{statuses}").format(statuses=statuses))
