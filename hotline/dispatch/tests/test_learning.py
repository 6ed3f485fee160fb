"""The classifier alone (no database)."""

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from hotline.dispatch.learning import LinearEnsemble, TextClassifier, order_text

WATER = ["小区停水没有通知", "自来水停水三天", "停水了什么时候来水", "水管爆裂停水"]
ROADS = ["路灯不亮很危险", "路灯坏了没人修", "晚上路灯全黑", "路灯一直不亮"]
SCHOOL = ["学校乱收费", "学校收取资料费", "学校补课收费", "幼儿园乱收费"]


@pytest.mark.parametrize("groups", [(WATER, ROADS), (WATER, ROADS, SCHOOL)])
def test_it_computes_the_same_probabilities_as_scikit_learn(groups):
    texts = [t for g in groups for t in g]
    labels = [i for i, g in enumerate(groups) for _ in g]
    x = TfidfVectorizer(analyzer="char", ngram_range=(1, 2)).fit_transform(texts)
    calibrated = CalibratedClassifierCV(LinearSVC(random_state=0), cv=2).fit(x, labels)
    ours = LinearEnsemble(calibrated).predict_proba(x)
    assert np.allclose(ours, calibrated.predict_proba(x), atol=1e-5)


def test_it_ranks_labels_and_names_the_terms_that_decided():
    texts = WATER + ROADS + SCHOOL
    labels = ["water"] * 4 + ["roads"] * 4 + ["school"] * 4
    clf = TextClassifier.fit(texts, labels)
    top = clf.top("我们小区停水了", 3)
    assert top[0].label == "water"
    assert sum(r.confidence for r in top) == pytest.approx(1.0)
    assert any("停水" in t for t in clf.terms("我们小区停水了", "water"))


def test_it_drops_labels_with_too_few_examples_and_answers_a_lone_label():
    clf = TextClassifier.fit([*WATER, "路灯不亮"], [*(["water"] * 4), "roads"])
    assert clf.labels == ["water"]
    assert [r.label for r in clf.top("随便什么")] == ["water"]


def test_it_weights_the_title_in_the_text():
    assert order_text("停水", "内容") == "停水。停水。停水。内容"
