"""Finding entries for a request's words: the desk's 知识库 card, the search page and API, and
the dispatch suggestions' cold start all ask here.

The live entries (published, within their term) are indexed as character 1–3-grams, TF-IDF
weighted (Chinese needs no segmentation for this, and a caller's "停水了" still meets an entry's
"停水"); a request is scored by cosine similarity against each. The index is built in the
process from the database and rebuilt when the entries change: its stamp (how many entries,
the latest change, today's date, since terms end at midnight) is read again on every search,
or at most every 30 s where a search should not query (the suggestions). No process
holds anything another needs: the database is the truth, the index a cache of it."""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils import timezone
from sklearn.feature_extraction.text import TfidfVectorizer

from hotline.workorders.refcache import RefCache

from .choices import EntryStatus
from .models import Entry

NGRAMS = (1, 3)
TITLE_WEIGHT = 2
ANSWER_CHARS = 200
# Below this a hit shares little more than common characters with the request.
MIN_SCORE = 0.12
MAX_TERMS = 4
# The weight of an entry filed under another request type than the call's.
OTHER_TYPE_WEIGHT = 0.8
# How callers and entries ask, not what about: left out before matching, or "什么时候" would
# join a question on water to every question on dates.
FILLER = (
    "请问一下", "想问一下", "问一下", "请问", "咨询一下", "咨询", "了解一下", "想了解", "想知道",
    "什么时候", "什么地方", "什么原因", "怎么回事", "怎么办理", "怎么办", "怎么样", "怎么", "如何",
    "在哪里", "在哪儿", "哪里", "哪儿", "找谁", "可以", "需要", "是否", "有没有", "能不能",
    "一下", "我们", "我家", "你们", "这边", "那边", "这个", "那个", "还是", "已经", "现在",
)  # fmt: skip


def extra_filler() -> str:
    """The city's own filler, settings.HOTLINE["KNOWLEDGE_FILLER_EXTRA"] (environment
    HOTLINE_KNOWLEDGE_FILLER_EXTRA), as configured: words separated by commas."""
    return str(getattr(settings, "HOTLINE", {}).get("KNOWLEDGE_FILLER_EXTRA") or "")


@functools.lru_cache(maxsize=4)
def _filler(extra: str) -> re.Pattern[str]:
    words = set(FILLER) | {w.strip() for w in extra.replace("，", ",").split(",") if w.strip()}
    return re.compile("|".join([r"[^\w]+", *sorted(map(re.escape, words), key=len, reverse=True)]))


def plain(text: str) -> str:
    """`text` without punctuation and filler (the shipped and the city's), as the index reads
    it."""
    return _filler(extra_filler()).sub(" ", text or "")


@dataclass(frozen=True)
class Row:
    """What a hit shows and what filters it; from the snapshot, not the database."""

    pk: int
    version: int
    title: str
    keywords: str
    answer: str
    category_id: int | None
    request_type_id: int | None
    region_path: str  # "" for everywhere
    unit_id: int
    unit_name: str


@dataclass(frozen=True)
class Hit:
    row: Row
    score: float
    terms: tuple[str, ...]


def entry_text(title: str, keywords: str, answer: str) -> str:
    """What an entry is matched on: the question (weighted), how callers say it, and the start
    of the answer (places and services it names)."""
    return "。".join([title] * TITLE_WEIGHT + [keywords.replace("、", " "), answer[:ANSWER_CHARS]])


class Index:
    def __init__(self, rows: list[Row], stamp: tuple[Any, ...]) -> None:
        self.rows = rows
        self.stamp = stamp
        self.vectorizer: TfidfVectorizer | None = None
        self.matrix: Any = None
        if rows:
            self.vectorizer = TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=NGRAMS,
                sublinear_tf=True,
                lowercase=True,
                preprocessor=lambda t: plain(t).lower(),
            )
            self.matrix = self.vectorizer.fit_transform(
                [entry_text(r.title, r.keywords, r.answer) for r in rows]
            ).tocsr()
            self.features = self.vectorizer.get_feature_names_out()

    def scores(self, text: str) -> tuple[np.ndarray, Any]:
        """Cosine similarity of `text` with every row (rows and query have unit length)."""
        assert self.vectorizer is not None
        query = self.vectorizer.transform([text])
        return np.asarray((self.matrix @ query.T).todense()).ravel(), query

    def similarities(self, texts: list[str]) -> np.ndarray:
        """Cosine similarity of each text (rows) with each entry (columns), in one product."""
        assert self.vectorizer is not None
        return np.asarray((self.vectorizer.transform(texts) @ self.matrix.T).todense())

    def terms(self, i: int, query: Any, text: str) -> tuple[str, ...]:
        """The words of `text` the match rests on: its spans covered by shared n-grams of two
        characters or more, overlapping ones joined ("高龄补" + "龄补贴" → "高龄补贴"), the
        weightiest first."""
        product = self.matrix[i].multiply(query).tocoo()
        text = plain(text).lower()
        spans: list[tuple[int, int, float]] = []
        for col, weight in zip(product.col, product.data, strict=True):
            gram = str(self.features[col]).strip()
            if len(gram) < 2:
                continue
            start = text.find(gram)
            while start >= 0:
                spans.append((start, start + len(gram), float(weight)))
                start = text.find(gram, start + 1)
        spans.sort()
        merged: list[list[Any]] = []
        for start, end, weight in spans:
            if merged and start < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
                merged[-1][2] += weight
            else:
                merged.append([start, end, weight])
        merged.sort(key=lambda m: -m[2])
        out: list[str] = []
        for start, end, _weight in merged:
            # The title is read three times: the same words at another place, or a part of
            # words already listed, add nothing.
            term = text[start:end].strip()
            if term and not any(term in t for t in out):
                out = [t for t in out if t not in term] + [term]
        return tuple(out[:MAX_TERMS])

    def search(
        self,
        text: str,
        *,
        region_path: str = "",
        request_type_id: int | None = None,
        category_id: int | None = None,
        limit: int = 5,
        min_score: float = MIN_SCORE,
        exclude: int | None = None,
    ) -> list[Hit]:
        text = (text or "").strip()
        if not self.rows or not text:
            return []
        scores, query = self.scores(text)
        # An entry of another request type than the call's is ranked lower, not hidden: the type
        # is set by the agent and often left at its default (咨询) while the caller asks for help.
        if request_type_id:
            scores = scores * np.array(
                [
                    OTHER_TYPE_WEIGHT
                    if r.request_type_id and r.request_type_id != request_type_id
                    else 1.0
                    for r in self.rows
                ]
            )
        out: list[Hit] = []
        for i in np.argsort(-scores, kind="stable"):
            score = float(scores[i])
            if score < min_score or len(out) >= limit:
                break
            row = self.rows[i]
            if row.pk == exclude or not _applies(row, region_path, category_id):
                continue
            # Single characters in common are no reason to show an answer.
            if terms := self.terms(int(i), query, text):
                out.append(Hit(row, round(score, 3), terms))
        return out


def _applies(row: Row, region_path: str, category_id: int | None) -> bool:
    # An entry for a region holds below it; an entry for everywhere holds everywhere. A request
    # with no region yet sees every entry (the agent has not asked where).
    if row.region_path and region_path and not region_path.startswith(row.region_path):
        return False
    return not (category_id and row.category_id and row.category_id != category_id)


def _live(today: date) -> Q:
    return Q(status=EntryStatus.PUBLISHED) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )


def _stamp() -> tuple[Any, ...]:
    today = timezone.localdate()
    agg = Entry.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    # The filler is in the stamp: a changed setting rebuilds the index with it.
    return (agg["n"], agg["last"], today, extra_filler())


def _build(stamp: tuple[Any, ...]) -> Index:
    today = stamp[2]
    rows = [
        Row(
            pk=e.pk,
            version=e.version,
            title=e.title,
            keywords=e.keywords,
            answer=e.answer,
            category_id=e.category_id,
            request_type_id=e.request_type_id,
            region_path=e.region.path if e.region is not None else "",
            unit_id=e.unit_id,
            unit_name=e.unit.name,
        )
        for e in Entry.objects.filter(_live(today)).select_related("region", "unit").order_by("pk")
    ]
    return Index(rows, stamp)


_lock = threading.Lock()
_built: list[Index] = []
# The stamp as last read, for the searches that must not query each time (`cached`): dropped
# when an entry is saved or deleted in this process, and between tests (the root conftest).
_stamps = RefCache(Entry)


def index(*, cached: bool = False) -> Index:
    """The index of the live entries, rebuilt when they changed. Their stamp is read on every
    call, or with `cached` at most every `refcache.TTL` seconds (another process's edit is
    then seen within that time; this process's at once)."""
    stamp = _stamps.get("stamp", _stamp) if cached else _stamp()
    with _lock:
        if _built and _built[0].stamp == stamp:
            return _built[0]
    fresh = _build(stamp)
    with _lock:
        _built[:] = [fresh]
    return fresh


def search(
    text: str,
    *,
    region_path: str = "",
    request_type_id: int | None = None,
    category_id: int | None = None,
    limit: int = 5,
) -> list[Hit]:
    """The live entries most like `text`, best first, that hold in the region (a `Region.path`)
    and fit the category where both sides name one; entries of another request type than
    `request_type_id` rank lower."""
    return index().search(
        text,
        region_path=region_path,
        request_type_id=request_type_id,
        category_id=category_id,
        limit=limit,
    )
