"""The classifier alone (no database)."""

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from hotline.dispatch.learning import LinearEnsemble, TextClassifier, name_examples, order_text

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


def test_the_context_decides_where_the_text_cannot():
    # The same complaint goes to a different unit in each street: only the region tells them.
    texts = ["路灯不亮很危险", "路灯坏了没人修", "晚上路灯全黑", "路灯一直不亮"] * 4
    streets = [1] * 8 + [2] * 8
    units = ["east"] * 8 + ["west"] * 8
    contexts = [(s, "complaint") for s in streets]
    clf = TextClassifier.fit(texts, units, contexts)
    assert clf.top("路灯不亮", context=(1, "complaint"))[0].label == "east"
    assert clf.top("路灯不亮", context=(2, "complaint"))[0].label == "west"
    # An unseen region adds nothing; the terms (reasons) are the text's own.
    assert len(clf.top("路灯不亮", context=(99, None))) == 2
    reasons = clf.explain("路灯不亮", context=(1, "complaint"))[0][1]
    assert all(term in "路灯不亮" for term in reasons)
    # Text alone (no context columns trained) cannot tell the streets apart.
    text_only = TextClassifier.fit(texts, units)
    probs = [r.confidence for r in text_only.top("路灯不亮")]
    assert abs(probs[0] - probs[1]) < 0.2


def test_a_large_history_is_fitted_once_and_calibrated_on_a_held_out_share(monkeypatch):
    import hotline.dispatch.learning as learning

    monkeypatch.setattr(learning, "LARGE_HISTORY", 20)
    groups = (WATER, ROADS, SCHOOL)
    texts = [t for g in groups for t in g] * 5
    labels = [i for i, g in enumerate(groups) for _ in g] * 5
    clf = TextClassifier.fit(texts, labels)
    assert clf.ensemble is not None and len(clf.ensemble.coef_t) == 1  # one SVM, not one per fold
    top = clf.top("我们小区停水了")
    assert top[0].label == 0 and sum(r.confidence for r in top) == pytest.approx(1.0)


TREE = [
    ("water", "供水", None),
    (("water", "停水"), "停水", "water"),
    (("water", "水压"), "水压不足", "water"),
    ("roads", "市政设施", None),
    (("roads", "井盖"), "井盖", "roads"),
    (("roads", "井盖", "缺失"), "井盖缺失", ("roads", "井盖")),
    (("roads", "井盖", "破损"), "井盖破损", ("roads", "井盖")),
    ("other", "其他事项", None),
    (("other", "噪音"), "噪音扰民", "other"),
]


def test_the_tree_teaches_each_leaf_name_as_its_nearest_label():
    texts, labels = name_examples(TREE, ["water", "roads", "school"])
    # Leaves only (not 井盖, which has children), each under its nearest label; 噪音扰民 is under
    # no label and teaches nothing.
    assert texts == [order_text(n, "") for n in ("停水", "水压不足", "井盖缺失", "井盖破损")]
    assert labels == ["water", "water", "roads", "roads"]
    # A leaf that is itself a label teaches itself.
    assert name_examples(TREE, ["water", ("water", "停水")])[1] == [("water", "停水"), "water"]
    assert name_examples(TREE, []) == ([], [])


def test_a_leaf_name_teaches_words_no_order_used():
    texts = WATER + ROADS + SCHOOL
    labels = ["water"] * 4 + ["roads"] * 4 + ["school"] * 4
    plain = TextClassifier.fit(texts, labels)
    taught = TextClassifier.fit(texts, labels, tree=TREE)
    assert taught.labels == plain.labels == ["roads", "school", "water"]  # names add no label

    def roads(clf):
        return {r.label: r.confidence for r in clf.top("路口的井盖没了", 3)}["roads"]

    assert taught.top("路口的井盖没了")[0].label == "roads"
    assert roads(taught) > roads(plain) + 0.1
    assert "井盖" in taught.terms("路口的井盖没了", "roads")  # the reason names the word
