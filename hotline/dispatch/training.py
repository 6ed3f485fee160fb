"""Training the suggestion model from the platform's own history.

Closed orders teach: their category, and their final lead unit (the unit that really handled
the order, after any return). Returns are negative evidence: the share of a category's
dispatches that a unit returned lowers that unit's confidence for the category."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from tqdm import tqdm

from hotline.catalog.models import Category
from hotline.workorders.choices import AssignmentRole, Status
from hotline.workorders.models import WorkOrder, WorkOrderAssignment

from . import store
from .learning import SharedFeatures, TextClassifier, TreeNode, order_text
from .models import DispatchModel

HOLDOUT_MIN_ORDERS = 50


@dataclass
class Example:
    text: str
    category_id: int | None
    unit_id: int | None
    region_id: int | None = None
    request_type_id: int | None = None

    @property
    def context(self) -> tuple[int | None, int | None]:
        """The request's context the models read beside the text: region and request type."""
        return (self.region_id, self.request_type_id)


def training_examples(*, since: datetime | None = None, progress: bool = False) -> list[Example]:
    """Closed orders (oldest first) as examples. System-wide: training is not a person's read."""
    orders = WorkOrder.objects.filter(status=Status.CLOSED)
    if since is not None:
        orders = orders.filter(created_at__gte=since)
    values = orders.order_by("created_at", "id").values_list(
        "title", "content", "category_id", "lead_unit_id", "region_id", "request_type_id"
    )
    rows: Iterable = values.iterator(chunk_size=2000)
    if progress:
        rows = tqdm(rows, total=orders.count(), desc="读取工单")
    return [
        Example(order_text(t, c), cat, unit, region, kind) for t, c, cat, unit, region, kind in rows
    ]


def category_tree() -> list[TreeNode]:
    """The active categories as the category model's knowledge (`learning.name_examples`):
    each leaf's name is one more example of its category. An inactive category (and what is
    under it) teaches nothing: agents no longer choose it."""
    rows = list(Category.objects.values_list("pk", "name", "parent_id", "is_active"))
    inactive = {pk for pk, _name, _parent, active in rows if not active}
    parent = {pk: up for pk, _name, up, _active in rows}

    def retired(pk: int | None) -> bool:
        seen = set()
        while pk is not None and pk not in seen:
            if pk in inactive:
                return True
            seen.add(pk)
            pk = parent.get(pk)
        return False

    return [(pk, name, up) for pk, name, up, _active in rows if not retired(pk)]


def return_rates(*, since: datetime | None = None) -> dict[tuple[int, int], float]:
    """(category, unit) -> returned lead dispatches ÷ lead dispatches of that category."""
    leads = WorkOrderAssignment.objects.filter(
        role=AssignmentRole.LEAD, order__category__isnull=False
    )
    if since is not None:
        leads = leads.filter(order__created_at__gte=since)
    sent: Counter[tuple[int, int]] = Counter()
    returned: Counter[tuple[int, int]] = Counter()
    for category_id, unit_id, returned_at in leads.values_list(
        "order__category_id", "unit_id", "returned_at"
    ).iterator(chunk_size=5000):
        sent[(category_id, unit_id)] += 1
        if returned_at is not None:
            returned[(category_id, unit_id)] += 1
    return {key: returned[key] / n for key, n in sent.items() if returned[key]}


def fit_model(
    version: int,
    examples: list[Example],
    rates: dict,
    *,
    context: bool = True,
    tree: list[TreeNode] | None = None,
) -> store.TrainedModel:
    """The category and the unit model; with `context`, both read the region and the request
    type beside the text (one-hot columns). Both read the same columns (one vectorizer fitted
    on every example), so a suggestion vectorises the request once for the two. `tree`
    (`category_tree()`): the category model also learns each leaf category's name."""
    with_category = [e for e in examples if e.category_id is not None]
    with_unit = [e for e in examples if e.unit_id is not None]
    taught = [e for e in examples if e.category_id is not None or e.unit_id is not None]
    shared = SharedFeatures.fit(
        [e.text for e in taught], [e.context for e in taught] if context else None, tree=tree
    )
    category = TextClassifier.fit(
        [e.text for e in with_category],
        [e.category_id for e in with_category],
        [e.context for e in with_category] if context else None,
        features=shared,
        tree=tree,
    )
    unit = TextClassifier.fit(
        [e.text for e in with_unit],
        [e.unit_id for e in with_unit],
        [e.context for e in with_unit] if context else None,
        features=shared,
    )
    return store.TrainedModel(version=version, category=category, unit=unit, return_rate=rates)


def holdout_split(
    examples: list[Example], share: float = 0.2
) -> tuple[list[Example], list[Example]]:
    """The evaluation's one split of the history: a random `share` held out (seed 0)."""
    shuffled = examples[:]
    random.Random(0).shuffle(shuffled)
    cut = int(len(shuffled) * (1 - share))
    return shuffled[:cut], shuffled[cut:]


def holdout_metrics(
    examples: list[Example],
    share: float = 0.2,
    *,
    context: bool = True,
    tree: list[TreeNode] | None = None,
    served: bool = False,
) -> dict[str, float]:
    """Top-1 / top-3 of category and unit on a random 20 % of the history, trained on the rest
    (as `fit_model` trains: with `tree`, the category model also learns the leaves' names).

    With `served`, also what an agent is shown (`suggest.suggest_text`: the dispatch
    catalogue's rules first, then the model): `served_*` at intake, before anyone has chosen a
    category, and `served_dispatch_unit_*` on the dispatcher's page, where the order carries
    its category (here its final one) and the catalogue may decide the unit. The hold-out
    model has no return rates (they would be learned from the held-out orders too)."""
    if len(examples) < HOLDOUT_MIN_ORDERS:
        return {}
    train, test = holdout_split(examples, share)
    model = fit_model(0, train, {}, context=context, tree=tree)
    out: dict[str, float] = {"holdout_orders": float(len(test))}
    for name, clf in (("category", model.category), ("unit", model.unit)):
        cases = [e for e in test if getattr(e, f"{name}_id") is not None]
        if not cases:
            continue
        ranked = clf.top_many([e.text for e in cases], 3, [e.context for e in cases])
        truth = [getattr(e, f"{name}_id") for e in cases]
        out[f"{name}_top1"] = sum(
            r[:1] != [] and r[0].label == t for r, t in zip(ranked, truth, strict=True)
        ) / len(cases)
        out[f"{name}_top3"] = sum(
            t in [x.label for x in r] for r, t in zip(ranked, truth, strict=True)
        ) / len(cases)
    if served:
        out.update(_served_metrics(model, test))
    return out


def _served_metrics(model: store.TrainedModel, test: list[Example]) -> dict[str, float]:
    from hotline.accounts.models import Region
    from hotline.catalog.models import RequestType

    from .suggest import suggest_text

    regions = Region.objects.in_bulk()
    kinds = RequestType.objects.in_bulk()
    categories = Category.objects.in_bulk()
    hits: dict[str, list[float]] = {}

    def score(name: str, choices: list, truth: int | None) -> None:
        if truth is None:
            return
        pks = [c.obj.pk for c in choices]
        hits.setdefault(f"{name}_top1", []).append(float(pks[:1] == [truth]))
        hits.setdefault(f"{name}_top3", []).append(float(truth in pks[:3]))

    for e in test:
        where = regions.get(e.region_id) if e.region_id else None
        kind = kinds.get(e.request_type_id) if e.request_type_id else None
        intake = suggest_text(model, e.text, region=where, request_type=kind)
        score("served_category", intake.categories, e.category_id)
        score("served_unit", intake.units, e.unit_id)
        if e.category_id is not None:
            chosen = categories.get(e.category_id)
            dispatch = suggest_text(model, e.text, region=where, category=chosen, request_type=kind)
            score("served_dispatch_unit", dispatch.units, e.unit_id)
    return {key: sum(v) / len(v) for key, v in hits.items()}


def dispatch_train(
    *,
    since: datetime | None = None,
    holdout: bool = True,
    activate: bool = True,
    progress: bool = False,
    say: Callable[[str], None] = lambda _: None,
) -> DispatchModel:
    """Train a new version from the history, write its file and its row, and (by default)
    make it the active version. Returns the new row."""
    started = time.perf_counter()
    examples = training_examples(since=since, progress=progress)
    say(f"{len(examples)} closed orders")
    stages = tqdm(total=3 if holdout else 2, desc="训练", disable=not progress)
    tree = category_tree()
    metrics: dict[str, float] = {}
    if holdout:
        metrics = holdout_metrics(examples, tree=tree)
        stages.update()
    rates = return_rates(since=since)
    stages.update()
    version = (DispatchModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    model = fit_model(version, examples, rates, tree=tree)
    stages.update()
    stages.close()
    metrics["train_seconds"] = round(time.perf_counter() - started, 2)
    model.info = {"orders": len(examples), **metrics}
    file_name = store.save(model)
    return _record(version, file_name, len(examples), metrics, activate)


def _record(
    version: int, file_name: str, orders: int, metrics: dict, activate: bool
) -> DispatchModel:
    try:
        with transaction.atomic():
            if activate:
                # The partial unique index allows one active row: switch in one transaction.
                DispatchModel.objects.select_for_update().filter(is_active=True).update(
                    is_active=False
                )
            return DispatchModel.objects.create(
                version=version,
                file_name=file_name,
                trained_at=timezone.now(),
                orders=orders,
                metrics=metrics,
                is_active=activate,
            )
    except IntegrityError as exc:
        raise RuntimeError(f"another training wrote version {version} first; run again") from exc


def dispatch_activate(*, version: int) -> DispatchModel:
    """Make `version` the model that serves suggestions (roll back or forward)."""
    with transaction.atomic():
        row = DispatchModel.objects.select_for_update().get(version=version)
        DispatchModel.objects.filter(is_active=True).exclude(pk=row.pk).update(is_active=False)
        row.is_active = True
        row.save(update_fields=["is_active"])
    return row
