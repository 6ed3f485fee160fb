"""manage.py eval_dispatch: the evaluation of dispatch suggestions and repeats (make eval)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hotline.dispatch import evaluation


class Command(BaseCommand):
    help = "评估：分类建议（标注样本交叉验证）、承办单位建议（本库历史）、重复诉求"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--data", type=Path, help="tipdm2020c 数据目录")
        parser.add_argument("--folds", type=int, default=5, help="分层 80/20 划分次数")
        parser.add_argument("--limit", type=int, help="每个文件只读前 N 行（快速检查）")
        parser.add_argument("--skip-history", action="store_true", help="不评估本库历史")

    def handle(self, *args: Any, **opts: Any) -> None:
        data = opts["data"] or evaluation.default_data_dir()
        say = self.stdout.write
        labelled = data / "messages_labeled.csv"
        if labelled.exists():
            try:
                evaluation.evaluate_categories(
                    labelled, folds=opts["folds"], limit=opts["limit"], say=say
                )
            except ValueError as exc:  # a malformed taxonomy.csv: named, nothing half-printed
                raise CommandError(str(exc)) from exc
        else:
            say(f"== 分类建议：跳过，未找到 {labelled}")
        if not opts["skip_history"]:
            evaluation.evaluate_history(say=say)
        votes = data / "messages_with_votes.csv"
        if votes.exists():
            evaluation.evaluate_repeats(votes, limit=opts["limit"], say=say)
        else:
            say(f"== 重复诉求：跳过，未找到 {votes}")
