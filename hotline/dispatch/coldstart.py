"""Category suggestions before any model is trained (冷启动): the request is matched against the
category names and the knowledge base.

Two degrees of match per leaf category:
- `names`: the share of the leaf's (and its parent's, root's) character bigrams in the text;
- `knowledge`: the similarity of the text with the most similar live knowledge entry filed
  under the leaf (`knowledge.search`: character n-gram TF-IDF, cosine).

Neither is a probability. Two kinds of labelled requests turn them into one:
- the knowledge base itself: each entry's question (title and keywords) is a request whose
  category is known, matched against the other entries and the names (itself left out): a
  matter the knowledge base holds no entry for;
- the orders already registered with a category (agents choose one at intake from the first
  day, long before there is history enough to train a model), the latest `RECENT_ORDERS`,
  matched against the whole knowledge base: requests as callers put them.
Every candidate category of every such request is one example of "these two degrees of match,
right or wrong"; a logistic regression on them gives the calibrated confidence, the share of
such candidates that were right. It is fitted when the knowledge base or the category names
change, or `REFIT_SECONDS` after the last fit (new orders), once per process; and only when
there are enough examples to learn from (`MIN_LABELLED`, `MIN_EACH`). Below that the confidence
stays a degree of match and the page says so."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from sklearn.linear_model import LogisticRegression

from hotline.accounts.models import Region
from hotline.knowledge import search as knowledge

from .catalogue import Catalogue

TOP = 3
NAME_WEIGHTS = (1.0, 0.5, 0.25)  # leaf, parent, root
# Entries looked at per request: their categories are the knowledge candidates.
KNOWLEDGE_HITS = 10
# Labelled live entries (filed under an active leaf) needed to calibrate, and of them how many
# right and wrong candidates at least.
MIN_LABELLED = 20
MIN_EACH = 5
# Candidates per request when calibrating.
CANDIDATES = 5
# The registered orders with a category the calibration also learns from, and how often at most
# it is refitted to take in new ones.
RECENT_ORDERS = 2000
REFIT_SECONDS = 3600


@dataclass
class Candidate:
    category_id: int
    names: float = 0.0
    knowledge: float = 0.0
    matched_names: list[str] = field(default_factory=list)
    entry_title: str = ""
    entry_terms: tuple[str, ...] = ()


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


class NameMatcher:
    """The names of the active leaves (with their parent's and root's), as bigram sets."""

    def __init__(self, snapshot: Catalogue) -> None:
        rows = [(c.pk, c.name, c.parent_id) for c in snapshot.categories.values() if c.is_active]
        self.names = {pk: name for pk, name, _parent in rows}
        parents = {pk: parent for pk, _name, parent in rows}
        has_children = {parent for parent in parents.values() if parent is not None}
        self.grams = {pk: _bigrams(name) for pk, name in self.names.items()}
        # What the calibration depends on: a refit when a name or the tree changes.
        self.stamp = hash(tuple(sorted(rows)))
        self.chains: dict[int, list[int]] = {}
        for pk in self.names:
            if pk in has_children:
                continue
            chain = [pk]
            while (parent := parents.get(chain[-1])) is not None and len(chain) < 3:
                chain.append(parent)
            self.chains[pk] = chain

    def leaves(self) -> set[int]:
        return set(self.chains)

    def match(self, text: str) -> dict[int, tuple[float, list[str]]]:
        """Leaf → (degree of match in 0..1, the names that matched), for leaves whose own or
        parent's name shares a bigram with the text."""
        grams = _bigrams(text)
        hit = {pk: len(own & grams) / len(own) for pk, own in self.grams.items()}
        out = {}
        for pk, chain in self.chains.items():
            if hit[pk] > 0 or (len(chain) > 1 and hit[chain[1]] > 0):
                score = sum(w * hit[c] for w, c in zip(NAME_WEIGHTS, chain, strict=False))
                score /= sum(NAME_WEIGHTS[: len(chain)])
                out[pk] = (score, [self.names[c] for c in chain if hit[c] > 0])
        return out


def _features(c: Candidate) -> list[float]:
    return [c.knowledge, c.names]


@dataclass
class Calibration:
    """P(candidate is right | its two degrees of match), or None when it cannot be learned."""

    model: LogisticRegression | None
    labelled: int
    stamp: Any
    fitted_at: float = field(default_factory=time.monotonic)

    def confidence(self, candidates: list[Candidate]) -> list[float] | None:
        if self.model is None or not candidates:
            return None
        x = np.array([_features(c) for c in candidates])
        return [float(p) for p in self.model.predict_proba(x)[:, 1]]


def calibration_examples(
    index: knowledge.Index, names: NameMatcher
) -> tuple[list[list[float]], list[int]]:
    """Leave-one-out over the labelled live entries: each entry's question (title and keywords)
    against the other entries and the names; each of its candidates is one example, 1 when it
    is the entry's own category."""
    leaves = names.leaves()
    labelled = [
        (i, r)
        for i, r in enumerate(index.rows)
        if r.category_id is not None and r.category_id in leaves
    ]
    if not labelled:
        return [], []
    questions = [f"{r.title} {r.keywords}" for _i, r in labelled]
    similar = index.similarities(questions)
    x: list[list[float]] = []
    y: list[int] = []
    for row_number, (i, row) in enumerate(labelled):
        sims = similar[row_number].copy()
        sims[i] = 0.0  # the entry itself is left out
        found = _candidates(questions[row_number], index, sims, names, leaves)
        for c in found[:CANDIDATES]:
            x.append(_features(c))
            y.append(int(c.category_id == row.category_id))
    return x, y


def order_examples(
    index: knowledge.Index, names: NameMatcher, orders: list[tuple[str, int]]
) -> tuple[list[list[float]], list[int]]:
    """(text, category) requests against the whole index and the names, as above."""
    leaves = names.leaves()
    orders = [(text, category) for text, category in orders if category in leaves]
    if not orders:
        return [], []
    similar = index.similarities([text for text, _category in orders]) if index.rows else None
    x: list[list[float]] = []
    y: list[int] = []
    for n, (text, category) in enumerate(orders):
        sims = similar[n] if similar is not None else None
        for c in _candidates(text, index, sims, names, leaves)[:CANDIDATES]:
            x.append(_features(c))
            y.append(int(c.category_id == category))
    return x, y


def recent_orders(limit: int = RECENT_ORDERS) -> list[tuple[str, int]]:
    """The latest orders with a category, as (the text the models read, category). System-wide:
    calibration is not a person's read."""
    from hotline.workorders.models import WorkOrder

    from .learning import order_text

    rows = (
        WorkOrder.objects.filter(category__isnull=False)
        .order_by("-created_at", "-id")
        .values_list("title", "content", "category_id")[:limit]
    )
    return [(order_text(title, content), category) for title, content, category in rows]


def labelled_count(index: knowledge.Index, names: NameMatcher) -> int:
    leaves = names.leaves()
    return sum(1 for r in index.rows if r.category_id is not None and r.category_id in leaves)


def fit_calibration(
    index: knowledge.Index,
    names: NameMatcher,
    orders: list[tuple[str, int]] | None = None,
    *,
    stamp: Any = None,
) -> Calibration:
    """The logistic regression on `calibration_examples` and `order_examples`, when there are
    enough of them."""
    x, y = calibration_examples(index, names)
    more_x, more_y = order_examples(index, names, orders or [])
    x, y = x + more_x, y + more_y
    # Requests learned from: the entries, and the orders under an active leaf.
    leaves = names.leaves()
    labelled = labelled_count(index, names) + sum(1 for _t, c in orders or [] if c in leaves)
    if labelled < MIN_LABELLED or not index.rows:
        return Calibration(None, labelled, stamp)
    right = sum(y)
    if right < MIN_EACH or len(y) - right < MIN_EACH:
        return Calibration(None, labelled, stamp)
    model = LogisticRegression(C=1.0)
    model.fit(np.array(x), np.array(y))
    return Calibration(model, labelled, stamp)


def _candidates(
    text: str,
    index: knowledge.Index,
    sims: np.ndarray | None,
    names: NameMatcher,
    leaves: set[int],
    region: Region | None = None,
) -> list[Candidate]:
    """Every leaf the names or the knowledge base point to, by raw degree of match."""
    out: dict[int, Candidate] = {}
    for pk, (score, matched) in names.match(text).items():
        out[pk] = Candidate(pk, names=score, matched_names=matched)
    if index.rows:
        if sims is None:
            hits = index.search(
                text,
                region_path=region.path if region is not None else "",
                limit=KNOWLEDGE_HITS,
            )
            scored = [(h.score, h.row, h.terms) for h in hits]
        else:
            top = np.argsort(-sims)[:KNOWLEDGE_HITS]
            scored = [(float(sims[j]), index.rows[j], ()) for j in top if sims[j] > 0]
        for score, row, terms in scored:
            if row.category_id is None or row.category_id not in leaves:
                continue
            c = out.setdefault(row.category_id, Candidate(row.category_id))
            if score > c.knowledge:
                c.knowledge, c.entry_title, c.entry_terms = score, row.title, terms
    return sorted(out.values(), key=lambda c: (-max(c.knowledge, c.names), c.category_id))


_calibrations: dict[str, Calibration] = {}
_matchers: dict[str, tuple[float, NameMatcher]] = {}


def name_matcher(snapshot: Catalogue) -> NameMatcher:
    """The names of the catalogue snapshot, built once per snapshot."""
    current = _matchers.get("current")
    if current is None or current[0] != snapshot.loaded_at:
        current = (snapshot.loaded_at, NameMatcher(snapshot))
        _matchers["current"] = current
    return current[1]


def calibration(index: knowledge.Index, names: NameMatcher) -> Calibration:
    """The calibration of the current index and names (refitted when either changed, and
    `REFIT_SECONDS` after the last fit)."""
    stamp = (index.stamp, names.stamp)
    current = _calibrations.get("current")
    if (
        current is None
        or current.stamp != stamp
        or time.monotonic() - current.fitted_at > REFIT_SECONDS
    ):
        current = fit_calibration(index, names, recent_orders(), stamp=stamp)
        _calibrations["current"] = current
    return current


def forget_calibration() -> None:
    """Refit at the next cold-start suggestion (tests; after a bulk import of orders)."""
    _calibrations.clear()


@dataclass
class Ranked:
    category_id: int
    confidence: float
    calibrated: bool
    from_knowledge: bool
    reason: str


def cold_categories(
    text: str,
    snapshot: Catalogue,
    *,
    region: Region | None,
    use_knowledge: bool = True,
    fitted: Calibration | None = None,
) -> list[Ranked]:
    """The top categories for `text` with no trained model. `use_knowledge=False`: the names
    alone (the evaluation's baseline); `fitted`: this calibration instead of the process's
    (the evaluation fits it on its training split)."""
    names = name_matcher(snapshot)
    index = knowledge.index(cached=True) if use_knowledge else knowledge.Index([], ())
    candidates = _candidates(text, index, None, names, names.leaves(), region)
    cal = (fitted or calibration(index, names)) if use_knowledge else None
    probabilities = cal.confidence(candidates) if cal is not None else None
    if probabilities is not None:
        scored = list(zip(probabilities, candidates, strict=True))
    else:
        scored = [(max(c.knowledge, c.names), c) for c in candidates]
    scored.sort(key=lambda s: (-s[0], s[1].category_id))
    out = []
    for confidence, c in scored[:TOP]:
        reasons = []
        if c.knowledge > 0:
            reasons.append(_("知识库：%s") % c.entry_title)
            if c.entry_terms:
                reasons.append(_("匹配词：%s") % "、".join(c.entry_terms))
        if c.matched_names:
            reasons.append(_("名称匹配：%s") % "、".join(c.matched_names))
        out.append(
            Ranked(
                c.category_id,
                round(confidence, 3),
                probabilities is not None,
                c.knowledge >= c.names,
                "；".join(reasons),
            )
        )
    return out
