"""The reproducible evaluation printed by `manage.py eval_dispatch` (`make eval`).

Category suggestion on the labelled sample of ../shared/data (stratified 5 × 80/20, splits
random_state 0..4, through `learning.TextClassifier` exactly as the platform trains it); unit
suggestion on this database's own history (held-out 20 % of closed orders); repeats on the
unlabelled messages. Every part is skipped, with the reason, when its data is absent."""

from __future__ import annotations

import csv
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedShuffleSplit

from .conf import dispatch_setting
from .learning import TextClassifier, TreeNode, name_examples, order_text
from .repeats import near_pairs, repeat_text
from .training import (
    HOLDOUT_MIN_ORDERS,
    Example,
    category_tree,
    holdout_metrics,
    holdout_split,
    training_examples,
)

Say = Callable[[str], None]


def default_data_dir() -> Path:
    return Path(settings.BASE_DIR).parent / "shared" / "data" / "tipdm2020c"


def _read(path: Path, limit: int | None) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    return rows[:limit] if limit else rows


def _spread(values: list[float]) -> str:
    return f"{statistics.mean(values):.3f} ± {statistics.pstdev(values):.3f}"


def taxonomy_tree(path: Path) -> list[TreeNode]:
    """taxonomy.csv (一级分类, 二级分类, 三级分类 per leaf) as the tree the platform's training
    reads from its Category table: (key, name, parent key). A first-level node's key is its name,
    which is the labelled sample's label; deeper keys are the names' paths."""
    nodes: dict[tuple[str, ...], TreeNode] = {}
    for line, row in enumerate(_read(path, None), start=2):
        names = [(row.get(column) or "").strip() for column in ("一级分类", "二级分类", "三级分类")]
        if not all(names):
            raise ValueError(f"{path.name} 第 {line} 行：一级、二级、三级分类名称须齐全")
        for depth in range(1, 4):
            key = tuple(names[:depth])
            parent = None if depth == 1 else (names[0] if depth == 2 else key[:-1])
            nodes.setdefault(key, (names[0] if depth == 1 else key, names[depth - 1], parent))
    return list(nodes.values())


@dataclass
class FoldResult:
    top1: float
    top3: float
    macro_f1: float
    train_seconds: float
    suggest_ms: list[float]


def _fold(
    texts: list[str],
    labels: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    tree: list[TreeNode] | None,
) -> FoldResult:
    t0 = time.perf_counter()
    clf = TextClassifier.fit([texts[i] for i in train], list(labels[train]), tree=tree)
    train_seconds = time.perf_counter() - t0
    ranked, timings = [], []
    for i in test:
        t = time.perf_counter()
        # As served: the top 3 with the terms that are their reason.
        top = clf.explain(texts[i], 3)
        timings.append((time.perf_counter() - t) * 1000)
        ranked.append([r.label for r, _terms in top])
    truth = labels[test]
    predicted = [r[0] for r in ranked]
    return FoldResult(
        top1=float(np.mean([p == t for p, t in zip(predicted, truth, strict=True)])),
        top3=float(np.mean([t in r for r, t in zip(ranked, truth, strict=True)])),
        macro_f1=float(f1_score(truth, predicted, average="macro")),
        train_seconds=train_seconds,
        suggest_ms=timings,
    )


def evaluate_categories(path: Path, *, folds: int, limit: int | None, say: Say) -> None:
    rows = _read(path, limit)
    texts = [order_text(r["留言主题"], r["留言详情"]) for r in rows]
    labels = np.array([r["一级分类"] for r in rows])
    say(f"== 分类建议：{path.name}（{len(rows)} 条，{len(set(labels))} 类，分层 {folds}×80/20）")
    say("  （该文件没有区划和诉求类型：此处只用文本，区划与诉求类型的作用见本库历史一节）")
    taxonomy = path.parent / "taxonomy.csv"
    tree = taxonomy_tree(taxonomy) if taxonomy.exists() else None
    if tree is None:
        say(f"  （未找到 {taxonomy.name}：不用分类树的名称）")
    else:
        names = len(name_examples(tree, set(labels))[0])
        say(
            f"  （分类树 {taxonomy.name}：所标注各类下 {names} 个末级分类的名称作为训练样本，"
            "与平台训练相同）"
        )
    results = []
    for seed in range(folds):
        split = StratifiedShuffleSplit(n_splits=1, test_size=0.2, random_state=seed)
        train, test = next(split.split(texts, labels))
        r = _fold(texts, labels, train, test, tree)
        results.append(r)
        say(
            f"  第 {seed + 1} 折：top-1 {r.top1:.3f}  top-3 {r.top3:.3f}  "
            f"macro-F1 {r.macro_f1:.3f}  训练 {r.train_seconds:.2f} s"
        )
    timings = sorted(t for r in results for t in r.suggest_ms)
    say(f"  top-1 准确率  {_spread([r.top1 for r in results])}")
    say(f"  top-3 准确率  {_spread([r.top3 for r in results])}")
    say(f"  macro-F1      {_spread([r.macro_f1 for r in results])}")
    say(f"  训练时间      {_spread([r.train_seconds for r in results])} s（{len(train)} 条）")
    say(
        f"  单条建议      p50 {timings[len(timings) // 2]:.1f} ms  "
        f"p95 {timings[int(len(timings) * 0.95)]:.1f} ms（含理由词）"
    )


def evaluate_history(*, say: Say) -> None:
    examples = training_examples()
    say(f"== 承办单位建议：本库历史（已办结 {len(examples)} 件，随机留出 20%）")
    if len(examples) < HOLDOUT_MIN_ORDERS:
        say("  跳过：已办结工单不足 50 件（先 seed_demo 或积累历史）")
        return
    # The platform's model reads region and request type beside the text; the same split
    # without them shows what they add.
    tree = category_tree()
    for context, title in ((True, "文本+区划+诉求类型（平台所用）"), (False, "仅文本")):
        t0 = time.perf_counter()
        metrics = holdout_metrics(examples, context=context, tree=tree, served=context)
        say(f"  {title}：训练与评估 {time.perf_counter() - t0:.1f} s")
        shown = (
            ("unit", "承办单位（模型）"),
            ("category", "诉求分类（模型）"),
            ("served_unit", "承办单位（受理时所见：派单目录在前）"),
            ("served_category", "诉求分类（受理时所见）"),
            ("served_dispatch_unit", "承办单位（派单页所见：工单已有分类）"),
        )
        for name, label in shown:
            if f"{name}_top1" in metrics:
                say(
                    f"    {label}：top-1 {metrics[f'{name}_top1']:.3f}  "
                    f"top-3 {metrics[f'{name}_top3']:.3f}"
                    f"（留出 {int(metrics['holdout_orders'])} 件）"
                )
    evaluate_cold_start(examples, say=say)


def evaluate_cold_start(examples: list[Example], *, say: Say) -> None:
    """What an agent is shown before any model is trained, on the same held-out orders: the
    category names alone, and with the knowledge base (calibrated on the training split's
    orders and the entries, as the platform calibrates on its latest orders)."""
    from hotline.knowledge import search as knowledge

    from . import coldstart
    from .catalogue import catalogue

    train, test = holdout_split(examples)
    cases = [e for e in test if e.category_id is not None]
    if not cases:
        return
    snapshot = catalogue()
    index = knowledge.index()
    names = coldstart.name_matcher(snapshot)
    fitted = coldstart.fit_calibration(
        index, names, [(e.text, e.category_id) for e in train if e.category_id is not None]
    )
    say(
        f"  冷启动（无模型）诉求分类：知识库在用条目 {len(index.rows)} 条，"
        f"校准{'用' if fitted.model is not None else '未成（样本不足），按匹配度排序；'}"
        f"条目与训练集工单 {fitted.labelled} 件"
    )
    for use_knowledge, label in ((False, "仅分类名称"), (True, "分类名称+知识库（平台所用）")):
        top1 = top3 = 0
        t0 = time.perf_counter()
        for e in cases:
            ranked = coldstart.cold_categories(
                e.text, snapshot, region=None, use_knowledge=use_knowledge, fitted=fitted
            )
            pks = [r.category_id for r in ranked]
            top1 += pks[:1] == [e.category_id]
            top3 += e.category_id in pks[:3]
        ms = (time.perf_counter() - t0) * 1000 / len(cases)
        say(
            f"    {label}：top-1 {top1 / len(cases):.3f}  top-3 {top3 / len(cases):.3f}"
            f"（留出 {len(cases)} 件，每件 {ms:.1f} ms）"
        )


def evaluate_repeats(path: Path, *, limit: int | None, say: Say, sample: int = 8) -> None:
    rows = _read(path, limit)
    t0 = time.perf_counter()
    texts = [repeat_text(r["留言主题"], r["留言详情"]) for r in rows]
    first_seen: dict[str, int] = {}
    exact = []
    for i, text in enumerate(texts):
        if text in first_seen:
            exact.append((first_seen[text], i))
        else:
            first_seen[text] = i
    threshold = dispatch_setting("NEAR_REPEAT_SIMILARITY")
    exact_set = set(exact)
    near = [
        (i, j, s)
        for i, j, s in near_pairs(texts, threshold)
        if (i, j) not in exact_set and texts[i] != texts[j]
    ]
    seconds = time.perf_counter() - t0
    same_user = sum(1 for i, j, _s in near if rows[i]["留言用户"] == rows[j]["留言用户"])
    say(f"== 重复诉求：{path.name}（{len(rows)} 条）")
    say(f"  完全相同（去空白标点后标题+内容前 300 字相同）：{len(exact)} 条重复")
    say(f"  近似重复（字二元组余弦 ≥ {threshold}）：{len(near)} 对，其中同一用户 {same_user} 对")
    say(f"  用时 {seconds:.2f} s")
    say("  抽样（相似度，编号，标题）：")
    step = max(1, len(near) // sample)
    for i, j, s in sorted(near, key=lambda p: -p[2])[::step][:sample]:
        say(f"    {s:.2f}  {rows[i]['留言编号']} {rows[i]['留言主题'][:28]}")
        say(f"          {rows[j]['留言编号']} {rows[j]['留言主题'][:28]}")
