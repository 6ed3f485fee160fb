"""What makes a suggestion cheap, checked for not changing its answer: the catalogue snapshot
(no query per suggestion, the same unit as `dispatch_rule_for`) and the one vectorisation the
category and the unit model share."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hotline.accounts.choices import UnitKind
from hotline.accounts.models import Unit
from hotline.catalog.models import DispatchRule
from hotline.catalog.selectors import dispatch_rule_for
from hotline.dispatch import catalogue
from hotline.dispatch.learning import TextClassifier
from hotline.dispatch.suggest import suggest_with
from hotline.dispatch.training import fit_model, training_examples

from .history import MATTERS, category, history

pytestmark = pytest.mark.django_db

TEXTS = [
    ("锦绣华庭停水", "锦绣华庭今天早上开始停水，没有任何通知。"),
    ("路灯不亮", "解放路一带路灯连续几晚不亮，出行不安全。"),
    ("小区物业不作为", "小区物业不打扫卫生，电梯坏了也不修。"),
    ("占道经营", "菜市场门口小摊贩占用人行道。"),
]


def test_the_snapshot_finds_the_unit_dispatch_rule_for_finds(org):
    stop = category(MATTERS["water"][0])
    middle = stop.parent
    assert middle is not None
    other = Unit.objects.create(
        code="U-OTHER", name="县水务局", kind=UnitKind.DEPARTMENT, region=org.county
    )
    retired = Unit.objects.create(
        code="U-OLD", name="旧单位", kind=UnitKind.DEPARTMENT, region=org.county, is_active=False
    )
    cases = []

    def check() -> None:
        catalogue.forget()
        snapshot = catalogue.catalogue()
        for cat in (stop, middle):
            for region in (None, org.city, org.county, org.street, org.other_county):
                rule = dispatch_rule_for(category=cat, region=region)
                expected = rule.lead_unit if rule is not None else None
                assert snapshot.rule_unit(cat, region) == expected, (cat, region)
                cases.append(expected)

    check()  # no rules
    DispatchRule.objects.create(category=middle, lead_unit=other)  # all regions, broader
    check()
    DispatchRule.objects.create(category=middle, region=org.street, lead_unit=org.housing)
    check()  # the nearer region wins at the same depth
    DispatchRule.objects.create(category=stop, region=org.county, lead_unit=org.water)
    check()  # the deeper category wins over the nearer region
    DispatchRule.objects.filter(category=stop).update(lead_unit=retired)
    check()  # a retired lead unit is skipped
    DispatchRule.objects.filter(category=middle, region=None).update(is_active=False)
    check()  # an inactive rule is skipped
    assert {None, other, org.housing, org.water} <= set(cases)


def test_a_suggestion_asks_the_database_nothing_and_sees_an_edit_at_once(org):
    history(org, per_matter=4)
    model = fit_model(1, training_examples(), {})
    stop = category(MATTERS["water"][0])
    suggest_with(model, title=TEXTS[0][0], content=TEXTS[0][1], region=org.street)  # loads
    with CaptureQueriesContext(connection) as queries:
        first = suggest_with(
            model, title=TEXTS[0][0], content=TEXTS[0][1], region=org.street, category=stop
        )
    assert len(queries) == 0
    assert first.categories[0].obj == stop and first.categories[0].name == stop.full_name
    assert first.units[0].obj == org.water and first.units[0].source == "model"
    # A new rule (saved in this process) is used by the next suggestion.
    DispatchRule.objects.create(category=stop, lead_unit=org.housing)
    after = suggest_with(
        model, title=TEXTS[0][0], content=TEXTS[0][1], region=org.street, category=stop
    )
    assert (after.units[0].obj, after.units[0].source) == (org.housing, "rule")


def test_the_two_models_share_one_vectorisation_without_changing_the_answer(org):
    history(org, per_matter=4)
    examples = training_examples()
    model = fit_model(1, examples, {})
    assert model.category.reads_as(model.unit) and model.unit.reads_as(model.category)
    for title, content in TEXTS:
        text = f"{title}。{content}"
        context = (org.street.pk, None)
        features = model.category.featurize(text, context)
        for clf in (model.category, model.unit):
            alone = clf.explain(text, 3, context=context)
            shared = clf.explain(text, 3, context=context, features=features)
            assert [(r.label, r.confidence, terms) for r, terms in shared] == [
                (r.label, r.confidence, terms) for r, terms in alone
            ]
    # Classifiers fitted apart (model files of earlier versions) read through their own.
    apart = TextClassifier.fit(
        [e.text for e in examples], [e.category_id for e in examples], [e.context for e in examples]
    )
    assert not apart.reads_as(model.unit)
