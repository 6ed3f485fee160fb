"""Suggestions of category and lead unit for a request's text.

Order of authority: a category the agent chose plus the dispatch catalogue (派单目录) decides the
unit; otherwise the catalogue's unit for a suggested category that is likely enough (≥ 0.5)
leads; the learned model fills the remaining places. At cold start (no trained model) categories
come from matching the text against the category names and the knowledge base, calibrated on
the knowledge base's own entries once it has enough of them (`coldstart.py`).

A suggestion asks the database nothing: categories, units and the catalogue come from the
process's snapshot (`catalogue.py`, at most `CATALOGUE_SECONDS` old), and the request is
vectorised once for both models when they share their columns (`learning.SharedFeatures`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from hotline.accounts.models import Region, Unit
from hotline.catalog.models import Category, RequestType

from . import store
from .catalogue import Catalogue, catalogue
from .coldstart import cold_categories
from .learning import Features, order_text
from .models import Source

TOP = 3
# A suggested category this likely lets the catalogue decide the unit.
RULE_DECIDES = 0.5


@dataclass
class Choice:
    """One ranked suggestion: a category or a unit, how sure, why."""

    obj: Category | Unit
    confidence: float
    source: str
    reason: str
    # What the page shows: a category's full name, a unit's name (from the snapshot, so the
    # page does not query each category's ancestors).
    name: str = ""
    # False: `confidence` is a degree of match, not a probability (cold start with too small a
    # knowledge base to calibrate on).
    calibrated: bool = True


@dataclass
class Suggestions:
    categories: list[Choice] = field(default_factory=list)
    units: list[Choice] = field(default_factory=list)
    model_version: int | None = None


def suggest(
    *,
    title: str,
    content: str,
    region: Region | None,
    category: Category | None = None,
    request_type: RequestType | None = None,
) -> Suggestions:
    """Top-3 categories and lead units for a request, by the active model (reads only; the
    record of what was served is `services.suggestion_record`)."""
    return suggest_with(
        store.active(),
        title=title,
        content=content,
        region=region,
        category=category,
        request_type=request_type,
    )


def suggest_with(
    model: store.TrainedModel | None,
    *,
    title: str,
    content: str,
    region: Region | None,
    category: Category | None = None,
    request_type: RequestType | None = None,
) -> Suggestions:
    """`suggest` with a given model (None: cold start); benchmarks time this directly."""
    return suggest_text(
        model,
        order_text(title, content),
        region=region,
        category=category,
        request_type=request_type,
    )


def suggest_text(
    model: store.TrainedModel | None,
    text: str,
    *,
    region: Region | None,
    category: Category | None = None,
    request_type: RequestType | None = None,
) -> Suggestions:
    """`suggest_with` on the text the models read (`order_text`): the evaluation scores what
    agents are shown with the history's own texts."""
    # What the models read beside the text (training.Example.context).
    context = (region.pk if region else None, request_type.pk if request_type else None)
    out = Suggestions(model_version=model.version if model else None)
    snapshot = catalogue()
    has_text = bool(text.strip("。 "))
    # One vectorisation for both models when they read the same columns.
    features = None
    if model is not None and has_text and model.category.reads_as(model.unit):
        features = model.category.featurize(text, context)
    if has_text:
        out.categories = (
            _model_categories(model, text, context, snapshot, features)
            if model
            else _cold_categories(text, snapshot, region)
        )
    out.units = _units(model, text, context, region, category, out.categories, snapshot, features)
    return out


def _model_categories(
    model: store.TrainedModel,
    text: str,
    context: tuple[int | None, int | None],
    snapshot: Catalogue,
    features: Features | None,
) -> list[Choice]:
    out = []
    for r, terms in model.category.explain(text, TOP, context=context, features=features):
        if r.confidence > 0 and (found := snapshot.active_category(r.label)) is not None:
            reason = _("匹配词：%s") % "、".join(terms) if terms else _("相似历史工单")
            name = snapshot.full_name(found)
            out.append(Choice(found, r.confidence, Source.MODEL, reason, name))
    return out


def _cold_categories(text: str, snapshot: Catalogue, region: Region | None) -> list[Choice]:
    """Cold start: the category names and the knowledge base (`coldstart.py`)."""
    out = []
    for r in cold_categories(text, snapshot, region=region):
        found = snapshot.categories[r.category_id]
        source = Source.KNOWLEDGE if r.from_knowledge else Source.NAMES
        name = snapshot.full_name(found)
        out.append(Choice(found, r.confidence, source, r.reason, name, calibrated=r.calibrated))
    return out


def _units(
    model: store.TrainedModel | None,
    text: str,
    context: tuple[int | None, int | None],
    region: Region | None,
    category: Category | None,
    categories: list[Choice],
    snapshot: Catalogue,
    features: Features | None = None,
) -> list[Choice]:
    ranked: dict[int, Choice] = {}

    def offer(choice: Choice) -> None:
        if choice.obj.pk not in ranked or ranked[choice.obj.pk].confidence < choice.confidence:
            ranked[choice.obj.pk] = choice

    decided: list[Choice] = []
    if category is not None and (unit := snapshot.rule_unit(category, region)):
        reason = _("派单目录：%s") % snapshot.full_name(category)
        decided.append(Choice(unit, 1.0, Source.RULE, reason))
    for c in categories:
        assert isinstance(c.obj, Category)
        if (unit := snapshot.rule_unit(c.obj, region)) is not None:
            offer(Choice(unit, c.confidence, Source.RULE, _("派单目录：%s") % c.name))
    if model is not None and text.strip("。 "):
        context_category = category.pk if category else None
        if context_category is None and categories:
            context_category = categories[0].obj.pk
        for r, terms in model.unit.explain(text, TOP + 2, context=context, features=features):
            penalty = model.return_rate.get((context_category, r.label), 0.0)  # type: ignore[arg-type]
            reason = (
                _("相似工单由该单位办理，匹配词：%s") % "、".join(terms)
                if terms
                else _("相似历史工单")
            )
            if penalty:
                reason += _("（该分类退单率 %d%%）") % round(penalty * 100)
            unit_obj = Unit(pk=r.label)
            offer(Choice(unit_obj, r.confidence * (1 - penalty), Source.MODEL, reason))
    # Rule units of a likely category come first; then everything by confidence.
    for choice in sorted(ranked.values(), key=lambda c: -c.confidence):
        if choice.source == Source.RULE and choice.confidence >= RULE_DECIDES:
            decided.append(choice)
    rest = sorted((c for c in ranked.values() if c not in decided), key=lambda c: -c.confidence)
    out: list[Choice] = []
    for choice in decided + rest:
        if all(choice.obj.pk != o.obj.pk for o in out):
            out.append(choice)
    return _real_units(out, snapshot)[:TOP]


def _real_units(choices: list[Choice], snapshot: Catalogue) -> list[Choice]:
    # The model knows units by pk; show only those that still exist and take orders.
    out = []
    for c in choices:
        if (unit := snapshot.units.get(c.obj.pk)) is not None:
            c.obj = unit
            c.name = unit.name
            out.append(c)
    return out
