"""manage.py find_repeats: likely repeat requests registered in a period, for review (并单)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from hotline.accounts.models import Region
from hotline.dispatch.repeats import repeats_in_period

REASONS = {"phone": "同一来电号码", "address": "同一地址", "text": "内容几乎相同"}


def _day(value: str) -> datetime:
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise CommandError(f"日期格式应为 年-月-日：{value}") from None
    return timezone.make_aware(datetime.combine(day, time.min))


class Command(BaseCommand):
    help = "找出某一时段内疑似重复的诉求（同一号码、同一地址且内容相似，或内容几乎相同）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--from", dest="start", help="起始日期（含），年-月-日")
        parser.add_argument("--to", dest="end", help="截止日期（含），年-月-日")
        parser.add_argument("--days", type=int, default=7, help="未给起止日期时：最近 N 天")
        parser.add_argument("--region", help="区划代码（含下级）")
        parser.add_argument("--limit", type=int, default=200, help="最多列出的对数")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["end"]:
            end = _day(opts["end"]) + timedelta(days=1)
        else:
            end = timezone.now()
        start = _day(opts["start"]) if opts["start"] else end - timedelta(days=opts["days"])
        if start >= end:
            raise CommandError("起始日期应早于截止日期")
        region = None
        if opts["region"]:
            region = Region.objects.filter(code=opts["region"]).first()
            if region is None:
                raise CommandError(f"区划不存在：{opts['region']}")
        pairs, seconds = repeats_in_period(start=start, end=end, region=region)
        merged = sum(1 for p in pairs if p.merged)
        self.stdout.write(
            f"{len(pairs) - merged} 对疑似重复待核对，{merged} 对已并单（{seconds:.2f} 秒）"
        )
        for p in pairs[: opts["limit"]]:
            self.stdout.write(
                f"{p.first.number}\t{p.second.number}\t{p.similarity:.2f}\t{REASONS[p.reason]}"
                f"{'（已并单）' if p.merged else ''}"
                f"\t{p.first.title[:30]} | {p.second.title[:30]}"
            )
