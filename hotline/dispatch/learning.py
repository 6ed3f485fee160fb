"""The text classifier behind the suggestions: pure scikit-learn, no database.

One `TextClassifier` is trained per target (category, lead unit). The platform's training
(`training.py`) and the evaluation (`eval_dispatch`) both build it here, so what is evaluated is
what is served. Features are character n-grams of the title (weighted by repetition, because the
title names the matter) and the start of the content; the linear SVM is calibrated by
cross-validation (sigmoid), which also averages several SVMs and so gives probabilities that
mean something and a slightly better top-1 than one SVM."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.svm import LinearSVC

# Chosen on exploration splits (random_state 100) of the labelled sample, never on the
# evaluation's own splits (random_state 0..4); see docs/dispatch.md.
TITLE_WEIGHT = 3
CONTENT_CHARS = 300
NGRAMS = (1, 3)
MIN_DF = 2
SVM_C = 1.0
CALIBRATION_FOLDS = 5
# A label needs this many examples to be learned (calibration splits each class).
MIN_EXAMPLES = 3
# Bounds on memory: the vocabulary, and the weights kept (folds × labels × features).
MAX_FEATURES = 200_000
WEIGHT_BUDGET = 30_000_000
# Past this many examples the platform's history is large enough for a faster fit: one
# linear SVM trained by stochastic gradient descent on 85 % of it, its sigmoids calibrated on
# the other 15 % (one fit instead of one per calibration fold; the exact SVM's coordinate
# descent costs minutes per 10,000 orders and 100 labels, this seconds).
LARGE_HISTORY = 5_000
SGD_ALPHA = 1e-5
SGD_EPOCHS = 5
CALIBRATION_SHARE = 0.15
# The weight of the context columns (region, request type: one-hot, beside the text's TF-IDF,
# whose rows have unit length).
CONTEXT_WEIGHT = 0.5

_SPACE = re.compile(r"\s+")


def order_text(title: str, content: str) -> str:
    """The text the model reads: the title repeated, then the start of the content."""
    title = _SPACE.sub(" ", title or "").strip()
    content = _SPACE.sub(" ", content or "").strip()
    return (title + "。") * TITLE_WEIGHT + content[:CONTENT_CHARS]


# A node of the category tree as the training reads it: (key, name, parent key or None). The
# platform passes its Category rows (pk, name, parent_id); the evaluation the taxonomy file.
TreeNode = tuple[Any, str, Any]


def name_examples(tree: Iterable[TreeNode], labels: Iterable[Any]) -> tuple[list[str], list[Any]]:
    """The category tree as knowledge: each leaf's own name, written as a request that names
    only that matter would read (`order_text(name, "")`), is one more training example of its
    nearest ancestor-or-self among `labels` (in the platform the leaf itself, which orders
    carry; in the labelled sample its first-level class). Leaves under no label teach nothing.

    Only the leaf's name, not its path: with the ancestors' names in every example of a class,
    the SVM separates the names by the ancestor's words, which requests rarely contain, and the
    leaf's words learn nothing (0.831 top-1 on the exploration splits, no better than without
    names; the leaf alone 0.879; docs/dispatch.md)."""
    nodes = list(tree)
    parent = {key: up for key, _name, up in nodes}
    wanted = set(labels)
    texts: list[str] = []
    taught: list[Any] = []
    for key, name in _leaves(nodes):
        node: Any = key
        seen = set()
        while node is not None and node not in wanted and node not in seen:
            seen.add(node)
            node = parent.get(node)
        if node is not None and node in wanted:
            texts.append(order_text(name, ""))
            taught.append(node)
    return texts, taught


def _leaves(tree: list[TreeNode]) -> list[tuple[Any, str]]:
    """(key, name) of the nodes with no child and a name."""
    has_children = {up for _key, _name, up in tree if up is not None}
    return [(key, name) for key, name, _up in tree if key not in has_children and name.strip()]


@dataclass
class Ranked:
    label: Any
    confidence: float


class LinearEnsemble:
    """The calibrated SVMs as plain arrays: per calibration fold a weight matrix, intercepts and
    the sigmoid (a, b) of each class. Computes exactly what CalibratedClassifierCV.predict_proba
    does, without scikit-learn's per-call input checks (about 60 of them per text, which cost
    tens of milliseconds a suggestion); weights are float32 to halve the memory."""

    def __init__(self, calibrated: CalibratedClassifierCV) -> None:
        self.n_classes = len(calibrated.classes_)
        folds = calibrated.calibrated_classifiers_
        # A prefit estimator is wrapped in FrozenEstimator: the weights are the wrapped one's.
        fitted = [getattr(c.estimator, "estimator", c.estimator) for c in folds]
        # Stored transposed (features × classes, C order): a sparse row times it reads only
        # the rows of the text's n-grams. Times `coef_.T` (a strided view) scipy copies the
        # whole matrix first — 36 ms a call for 100 classes × 200,000 features, not 0.1 ms.
        self.coef_t = [np.ascontiguousarray(e.coef_.astype(np.float32).T) for e in fitted]
        self.intercept = [e.intercept_.astype(np.float64) for e in fitted]
        self.a = [np.array([cal.a_ for cal in c.calibrators]) for c in folds]
        self.b = [np.array([cal.b_ for cal in c.calibrators]) for c in folds]
        index = {label: i for i, label in enumerate(calibrated.classes_)}
        self.columns = [np.array([index[label] for label in e.classes_]) for e in fitted]

    def __setstate__(self, state: dict[str, Any]) -> None:
        # Model files written before the weights were stored transposed.
        if "coef" in state:
            state["coef_t"] = [np.ascontiguousarray(c.T) for c in state.pop("coef")]
        self.__dict__.update(state)

    def predict_proba(self, x: Any) -> np.ndarray:
        total = np.zeros((x.shape[0], self.n_classes))
        for coef_t, intercept, a, b, columns in zip(
            self.coef_t, self.intercept, self.a, self.b, self.columns, strict=True
        ):
            decision = np.asarray(x @ coef_t, dtype=np.float64) + intercept
            calibrated = expit(-(a * decision + b))
            proba = np.zeros_like(total)
            if self.n_classes == 2:
                proba[:, 1] = calibrated[:, 0]
                proba[:, 0] = 1.0 - proba[:, 1]
            else:
                proba[:, columns] = calibrated
                denominator = proba.sum(axis=1, keepdims=True)
                uniform = np.full_like(proba, 1 / self.n_classes)
                proba = np.divide(proba, denominator, out=uniform, where=denominator != 0)
            total += proba
        return total / len(self.coef_t)

    def class_weights(self) -> np.ndarray:
        """Mean weight per class over the folds: what the ensemble as a whole rewards."""
        coef = np.mean(self.coef_t, axis=0).T
        if coef.shape[0] == 1:  # two classes: one hyperplane, positive for the second
            coef = np.vstack([-coef[0], coef[0]])
        return coef


Context = tuple[Any, ...]
# A request's columns: (text + context, text alone), sparse rows.
Features = tuple[Any, Any]


def _vectorizer(examples: int) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="char",
        ngram_range=NGRAMS,
        min_df=min(MIN_DF, examples),
        max_features=MAX_FEATURES,
        sublinear_tf=True,
        dtype=np.float32,
    )


@dataclass
class SharedFeatures:
    """One vectorizer (and one set of context columns) for every classifier of a model
    version: fitted once on all the training texts, it lets a suggestion vectorise the request
    once for the category and the unit model (it was twice, the larger part of its time)."""

    vectorizer: TfidfVectorizer
    context: ContextColumns | None

    @classmethod
    def fit(
        cls,
        texts: list[str],
        contexts: list[Context] | None = None,
        *,
        tree: list[TreeNode] | None = None,
    ) -> SharedFeatures:
        """`tree`: the category tree whose leaf names the category model will learn from
        (`name_examples`); their n-grams join the vocabulary."""
        names = [order_text(name, "") for _key, name in _leaves(tree or [])]
        vectorizer = _vectorizer(len(texts) + len(names))
        vectorizer.fit(texts + names)
        return cls(vectorizer, None if contexts is None else ContextColumns(contexts))


class TextClassifier:
    """A calibrated linear classifier over character n-grams (and, when trained with them,
    one-hot context columns such as region and request type), with a ranked answer and the
    terms of a text that speak most for a label (the "reason" shown to the agent)."""

    def __init__(
        self,
        vectorizer: TfidfVectorizer | None,
        ensemble: LinearEnsemble | None,
        labels: list[Any],
        context: ContextColumns | None = None,
    ) -> None:
        self.vectorizer = vectorizer
        self.ensemble = ensemble
        self.labels = labels
        self.context = context
        self._weights: np.ndarray | None = None
        self._vocab: np.ndarray | None = None

    @classmethod
    def fit(
        cls,
        texts: list[str],
        labels: list[Any],
        contexts: list[Context] | None = None,
        *,
        features: SharedFeatures | None = None,
        tree: list[TreeNode] | None = None,
    ) -> TextClassifier:
        """Train on `texts` (and `contexts`). With `features` (fitted once by
        `SharedFeatures.fit` on the texts of every model of a version), the classifier reads
        the columns they define: the category and the unit model then vectorise a request once
        between them (`featurize`), not once each. With `tree` (the category tree, labels being
        its keys), each leaf's name is one more example of the label it falls under
        (`name_examples`); it does not count towards a label's MIN_EXAMPLES."""
        counts: dict[Any, int] = {}
        for label in labels:
            counts[label] = counts.get(label, 0) + 1
        keep = [i for i, label in enumerate(labels) if counts[label] >= MIN_EXAMPLES]
        kept_labels = sorted({labels[i] for i in keep}, key=str)
        if len(kept_labels) < 2:
            # Nothing to choose between: the one label (if any) is always the answer.
            return cls(None, None, kept_labels)
        name_texts, name_labels = name_examples(tree or [], kept_labels)
        kept_texts = [texts[i] for i in keep] + name_texts
        kept_contexts = (
            None if contexts is None else [contexts[i] for i in keep] + [()] * len(name_texts)
        )
        if features is None:
            vectorizer = _vectorizer(len(kept_texts))
            x = vectorizer.fit_transform(kept_texts)
            encoder = None if kept_contexts is None else ContextColumns(kept_contexts)
        else:
            vectorizer, encoder = features.vectorizer, features.context
            x = vectorizer.transform(kept_texts)
        if encoder is not None:
            x = encoder.hstack(x, kept_contexts or [()] * len(kept_texts))
        y = [labels[i] for i in keep] + name_labels
        if len(keep) > LARGE_HISTORY:
            calibrated = _fit_large(x, y)
        else:
            folds = min(CALIBRATION_FOLDS, min(counts[label] for label in kept_labels))
            # One SVM per fold is kept when the weights fit the budget (they average into a
            # better model); past it, one SVM on all the data with calibrators from the folds.
            ensemble = folds * len(kept_labels) * x.shape[1] <= WEIGHT_BUDGET
            calibrated = CalibratedClassifierCV(
                LinearSVC(C=SVM_C, random_state=0), cv=folds, method="sigmoid", ensemble=ensemble
            )
            calibrated.fit(x, y)
        # numpy scalars back to Python values: labels are primary keys and JSON material.
        labels_out = [c.item() if isinstance(c, np.generic) else c for c in calibrated.classes_]
        return cls(vectorizer, LinearEnsemble(calibrated), labels_out, encoder)

    def featurize(self, text: str, context: Context | None = None) -> Features:
        """The columns of one request, for `explain(features=...)`: computed once, they serve
        every classifier that shares this one's vectorizer and context columns."""
        return self._features([text], None if context is None else [context])

    def reads_as(self, other: TextClassifier) -> bool:
        """Whether `other` reads a request through the same columns (fitted with the same
        `SharedFeatures`), so one `featurize` serves both."""
        return (
            self.vectorizer is not None
            and self.vectorizer is other.vectorizer
            and self.context is other.context
        )

    def _features(self, texts: list[str], contexts: list[Context] | None) -> Features:
        """(all columns, the text's columns alone) of `texts`."""
        assert self.vectorizer is not None
        x = self.vectorizer.transform(texts)
        if self.context is None:
            return x, x
        rows = contexts if contexts is not None else [()] * len(texts)
        return self.context.hstack(x, rows), x

    def top(self, text: str, k: int = 3, context: Context | None = None) -> list[Ranked]:
        return self.top_many([text], k, None if context is None else [context])[0]

    def top_many(
        self, texts: list[str], k: int = 3, contexts: list[Context] | None = None
    ) -> list[list[Ranked]]:
        if self.vectorizer is None or self.ensemble is None:
            return [[Ranked(label, 1.0) for label in self.labels[:k]] for _ in texts]
        return self._rank(self._features(texts, contexts)[0], k)

    def _rank(self, x: Any, k: int) -> list[list[Ranked]]:
        assert self.ensemble is not None
        out = []
        for row in self.ensemble.predict_proba(x):
            best = np.argsort(-row)[:k]
            out.append([Ranked(self.labels[i], float(row[i])) for i in best])
        return out

    def explain(
        self,
        text: str,
        k: int = 3,
        n: int = 4,
        context: Context | None = None,
        *,
        features: Features | None = None,
    ) -> list[tuple[Ranked, list[str]]]:
        """The top k labels, each with the terms of `text` that speak most for it (one
        vectorisation for both: this runs on every suggestion). `features`: the request's
        columns from `featurize` of a classifier this one `reads_as`."""
        if self.vectorizer is None or self.ensemble is None:
            return [(r, []) for r in self.top(text, k)]
        if features is None:
            features = self.featurize(text, context)
        x, text_x = features
        return [(r, self._terms(text_x, r.label, n)) for r in self._rank(x, k)[0]]

    def terms(self, text: str, label: Any, n: int = 4) -> list[str]:
        """The n-grams of `text` that weigh most for `label` (longest first when they overlap)."""
        if self.vectorizer is None or self.ensemble is None or label not in self.labels:
            return []
        return self._terms(self.vectorizer.transform([text]), label, n)

    def _terms(self, x: Any, label: Any, n: int) -> list[str]:
        assert self.vectorizer is not None and self.ensemble is not None
        if self._weights is None:
            self._weights = self.ensemble.class_weights()
        if self._vocab is None:
            # Building the name array costs milliseconds per call on a large vocabulary.
            self._vocab = self.vectorizer.get_feature_names_out()
        x = x.tocsr()
        scores = x.data * self._weights[self.labels.index(label)][x.indices]
        picked: list[str] = []
        for j in np.argsort(-scores):
            if scores[j] <= 0 or len(picked) >= n:
                break
            term = str(self._vocab[x.indices[j]]).strip()
            # Terms with punctuation or spaces read as noise to the agent.
            if len(term) < 2 or not term.isalnum() or any(term in p for p in picked):
                continue
            picked = [p for p in picked if p not in term] + [term]
        return picked


class ContextColumns:
    """One-hot columns for the request's context (e.g. region, request type), each value seen
    in training one column, weighted CONTEXT_WEIGHT; a value not seen in training (or None)
    adds nothing. A dictionary look-up per value: cheap on every suggestion."""

    def __init__(self, contexts: list[Context]) -> None:
        self.index: list[dict[Any, int]] = []
        width = 0
        for position in range(max((len(c) for c in contexts), default=0)):
            values = sorted({c[position] for c in contexts if len(c) > position} - {None}, key=str)
            self.index.append({v: width + i for i, v in enumerate(values)})
            width += len(values)
        self.width = width

    def hstack(self, x: Any, contexts: list[Context]) -> Any:
        rows, cols = [], []
        for row, context in enumerate(contexts):
            for position, value in enumerate(tuple(context)[: len(self.index)]):
                if (column := self.index[position].get(value)) is not None:
                    rows.append(row)
                    cols.append(column)
        extra = sp.csr_matrix(
            (np.full(len(rows), CONTEXT_WEIGHT, dtype=np.float32), (rows, cols)),
            shape=(x.shape[0], self.width),
        )
        return sp.hstack([x, extra], format="csr", dtype=np.float32)


def _fit_large(x: Any, y: list[Any]) -> CalibratedClassifierCV:
    """A large history: one SGD-trained linear SVM on 85 %, sigmoids fitted on the other 15 %
    (stratified, so every label is calibrated)."""
    fit_rows, calibration_rows = train_test_split(
        np.arange(x.shape[0]), test_size=CALIBRATION_SHARE, stratify=y, random_state=0
    )
    labels = np.array(y)
    svm = SGDClassifier(
        loss="hinge", alpha=SGD_ALPHA, max_iter=SGD_EPOCHS, tol=None, random_state=0
    )
    svm.fit(x[fit_rows], labels[fit_rows])
    # The SVM is frozen: one "split" that predicts every calibration row (no folds to refit).
    everything = np.arange(len(calibration_rows))
    calibrated = CalibratedClassifierCV(
        FrozenEstimator(svm), method="sigmoid", cv=[(everything, everything)]
    )
    calibrated.fit(x[calibration_rows], labels[calibration_rows])
    return calibrated
