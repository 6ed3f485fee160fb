"""manage.py train_dispatch: train a new version of the suggestion model from closed orders."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from hotline.dispatch.models import DispatchModel
from hotline.dispatch.training import dispatch_train


class Command(BaseCommand):
    help = "从已办结工单训练派单模型（分类与承办单位），写入新版本并启用"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, help="只用最近 N 天受理的工单")
        parser.add_argument(
            "--no-holdout", action="store_true", help="不留出 20%% 工单评估（训练更快）"
        )
        parser.add_argument("--no-activate", action="store_true", help="训练后不启用新版本")
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="已有启用中的模型时什么也不做（供 make run 使用）",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["if_missing"] and DispatchModel.objects.filter(is_active=True).exists():
            self.stdout.write("已有启用中的派单模型，跳过训练（--if-missing）。")
            return
        since: datetime | None = None
        if opts["days"] is not None:
            if opts["days"] < 1:
                raise CommandError("--days 应为正整数")
            start = timezone.localdate() - timedelta(days=opts["days"])
            since = timezone.make_aware(datetime.combine(start, time.min))
        row = dispatch_train(
            since=since,
            holdout=not opts["no_holdout"],
            activate=not opts["no_activate"],
            progress=True,
            say=self.stdout.write,
        )
        state = "active" if row.is_active else "inactive"
        self.stdout.write(f"model v{row.version} ({state}): {row.orders} orders, {row.metrics}")
