"""Hot topics (热点发现): clusters of similar requests that rise in a region and period.

Requests of the period are character 2–3-grams weighted by TF-IDF (fast: no segmentation of
every request); two requests at least HOT_SIMILARITY alike are linked and a cluster is a
connected group. The previous period of the same length is compared by counting its requests
that are as alike to some member of the cluster. Only a cluster's own members are segmented
(jieba) to name its top terms: words frequent in the cluster and rare in the period, none of
STOP_WORDS. In periods of 200 requests or more, n-grams in more than half of them are dropped
from the clustering (they say nothing about a topic)."""

from __future__ import annotations

import logging
import math
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import jieba
import numpy as np
import stopwordsiso
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer

from hotline.accounts.choices import CENTRE_KINDS, Role
from hotline.accounts.models import Region, Unit, User
from hotline.core.notify import notify
from hotline.workorders.models import WorkOrder

from .conf import dispatch_setting
from .models import HotTopicDay, HotTopicWarning

jieba.setLogLevel(logging.WARNING)
_WORD = re.compile(r"^[\u4e00-\u9fffA-Za-z]{2,}$")
SAMPLES = 5
TERMS = 6
COMMON_WORDS_FROM = 200
# The notification kind of an early warning (sla's NotificationKind.HOT_TOPIC).
HOT_TOPIC_KIND = "hot_topic"


# Words that name no matter: Chinese function words (stopwords-iso's list) and the words nearly
# every request to a hotline uses. A big period's counts push them down on their own, a small
# one's (a county's day) did not: QA saw 哪个、应该、部门, later 一下, among a topic's terms.
HOTLINE_FILLER = frozenset(
    "咨询 反映 部门 问题 请问 希望 相关 有关 处理 情况 解决 应该 谢谢 您好 你好 领导 市民 群众 "
    "目前 现在 已经 一直 能否 是否 怎么 如何 为什么 什么 哪里 哪个 多少 这个 那个 我们 你们 他们 "
    "一下 麻烦 帮忙 非常 比较 感谢".split()
)
STOP_WORDS = frozenset(stopwordsiso.stopwords("zh")) | HOTLINE_FILLER


@lru_cache(maxsize=4)
def _stop_words(extra: str) -> frozenset[str]:
    return STOP_WORDS | {w.strip() for w in extra.replace("，", ",").split(",") if w.strip()}


def stop_words() -> frozenset[str]:
    """STOP_WORDS and the city's own filler: settings.HOTLINE["HOT_FILLER_EXTRA"] (environment
    HOTLINE_HOT_FILLER_EXTRA), words separated by commas."""
    return _stop_words(str(getattr(settings, "HOTLINE", {}).get("HOT_FILLER_EXTRA") or ""))


def words(text: str) -> list[str]:
    """Content words of a text: two or more Chinese characters or letters (no numbers), none
    of the stop words."""
    stop = stop_words()
    return [w for w in jieba.lcut(text, HMM=False) if _WORD.match(w) and w not in stop]


@dataclass
class HotTopic:
    terms: list[str]
    size: int
    previous: int
    region: Region | None
    orders: list[WorkOrder] = field(default_factory=list)

    @property
    def is_new(self) -> bool:
        """Nothing like it in the previous period: shown as 新出现, not as a percentage."""
        return self.previous == 0

    @property
    def trend(self) -> float | None:
        """Growth over the previous period: 1.0 = doubled; None for a new topic (a growth
        from nothing has no ratio)."""
        if self.is_new:
            return None
        return (self.size - self.previous) / self.previous

    @property
    def rising(self) -> bool:
        return self.size > self.previous


def _plain(text: str) -> str:
    """The text without HTML tags (a web form's pasted markup: QA saw "script" as a term)."""
    return strip_tags(text) if "<" in text else text


def _text(order: WorkOrder) -> str:
    return f"{_plain(order.title)}。{_plain(order.content[:300])}"


class _Spread:
    """How many of the period's texts contain a word (a substring test, as a reader would
    search), counted once per word for all clusters of the period, and the content words of
    a text, segmented once per distinct text (a repeated title is segmented once).

    The texts are searched as one string: `str.find` runs to the next text that holds the
    word and the search goes on from the start of the text after it, so a word costs a step
    per text that holds it, not per text of the period. Words never contain the separator."""

    def __init__(self, texts: list[str]):
        self.total = len(texts)
        self.joined = "\x00".join(texts)
        self.starts: list[int] = []  # where the second, third... text begins
        at = 0
        for text in texts[:-1]:
            at += len(text) + 1
            self.starts.append(at)
        self.counts: dict[str, int] = {}
        self.segmented: dict[str, list[str]] = {}

    def __call__(self, word: str) -> int:
        n = self.counts.get(word)
        if n is None:
            n, find, starts = 0, self.joined.find, self.starts
            at = find(word)
            while at >= 0:
                n += 1
                following = bisect_right(starts, at)  # the index of the next text
                if following == len(starts):
                    break
                at = find(word, starts[following])
            self.counts[word] = n
        return n

    def words(self, text: str) -> list[str]:
        found = self.segmented.get(text)
        if found is None:
            found = self.segmented[text] = words(text)
        return found


def _terms(members: list[WorkOrder], texts: list[str], spread: _Spread) -> list[str]:
    """Words the cluster's requests use most (title words count twice: the title names the
    matter) and the rest of the period rarely: a TF-IDF by hand over the cluster alone.

    `texts` are the members' texts and `spread` counts texts of the whole period, so the
    rest of the period is the difference. Words are weighed in order of their count, and the
    weighing stops when even a word found nowhere else (the highest weight a count can reach)
    could not displace the last of the TERMS best: the ranking is the full one's, without
    searching the period for every word of a big cluster."""
    counts: Counter[str] = Counter()
    for order in members:
        counts.update(
            spread.words(_plain(order.title)) * 2 + spread.words(_plain(order.content[:300]))
        )
    n = spread.total - len(texts)

    def weight(word: str) -> float:
        elsewhere = spread(word) - sum(1 for text in texts if word in text)
        return counts[word] * math.log((2 + n) / (1 + elsewhere))

    ceiling = math.log((2 + n) / 1)
    best: list[tuple[float, str]] = []
    for word in sorted(counts, key=lambda w: (-counts[w], w)):
        if len(best) == TERMS and counts[word] * ceiling < -best[-1][0]:
            break
        best.append((-weight(word), word))
        best.sort()
        del best[TERMS:]
    return [word for _weight, word in best]


def hot_topics(
    *, orders: QuerySet[WorkOrder], start: datetime, end: datetime, min_size: int | None = None
) -> list[HotTopic]:
    """Clusters of similar requests registered in [start, end) among `orders` (already scoped
    by the caller), biggest rise first, with the count of like requests in the period before."""
    limit = dispatch_setting("HOT_MAX_ORDERS")
    threshold = dispatch_setting("HOT_SIMILARITY")
    min_size = min_size or dispatch_setting("HOT_MIN_SIZE")
    fields = ("pk", "number", "title", "content", "region_id", "created_at", "status")
    current = list(
        orders.filter(created_at__gte=start, created_at__lt=end)
        .only(*fields)
        .order_by("-created_at")[:limit]
    )
    if len(current) < min_size:
        return []
    previous = list(
        orders.filter(created_at__gte=start - (end - start), created_at__lt=start)
        .only(*fields)
        .order_by("-created_at")[:limit]
    )
    docs = current + previous
    # In a small set the topic itself may be in half the requests: drop common words only
    # where there are enough requests for "common" to mean "says nothing".
    max_df = 0.5 if len(docs) >= COMMON_WORDS_FROM else 1.0
    vectorizer = TfidfVectorizer(
        analyzer="char", ngram_range=(2, 3), lowercase=False, max_df=max_df, sublinear_tf=True
    )
    texts = [_text(o) for o in docs]
    try:
        m = vectorizer.fit_transform(texts)
    except ValueError:  # no content words at all
        return []
    now_m, before_m = m[: len(current)], m[len(current) :]
    links = now_m @ now_m.T
    links.data = (links.data >= threshold).astype(np.int8)
    links.eliminate_zeros()
    _n, labels = connected_components(links, directed=False)
    sizes = Counter(labels.tolist())
    clusters = {
        label: np.flatnonzero(labels == label) for label, size in sizes.items() if size >= min_size
    }
    prior = _previous_alike(before_m, now_m, labels, clusters, threshold)
    regions = Region.objects.in_bulk({o.region_id for o in current})
    spread = _Spread(texts[: len(current)])
    topics = []
    for label, members in clusters.items():
        terms = _terms([current[i] for i in members], [texts[i] for i in members], spread)
        region_id = Counter(current[i].region_id for i in members).most_common(1)[0][0]
        sample = sorted((current[i] for i in members), key=lambda o: o.created_at, reverse=True)
        topics.append(
            HotTopic(terms, len(members), prior[label], regions.get(region_id), sample[:SAMPLES])
        )
    topics.sort(key=lambda t: (-(t.size - t.previous), -t.size, t.terms))
    return topics


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[the day's local midnight, the next one): the report's period of a day."""
    tz = timezone.get_default_timezone()
    return (
        datetime.combine(day, time.min, tzinfo=tz),
        datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz),
    )


def topic_record(topic: HotTopic) -> dict[str, Any]:
    """A topic as plain JSON (stored, and read by the reports)."""
    return {
        "terms": topic.terms,
        "size": topic.size,
        "previous": topic.previous,
        "region": topic.region.pk if topic.region else None,
        "samples": [o.number for o in topic.orders],
    }


def day_hot_topics(day: date, *, refresh: bool = False) -> list[dict[str, Any]]:
    """The hot topics of `day` over all orders, as stored by `HotTopicDay`: computed the first
    time a day that is over is asked for (the morning report of the day before) and read
    after that. A day not yet over is computed and not stored; `refresh` recomputes a stored
    day (orders registered late with an earlier time)."""
    start, end = day_bounds(day)
    if not refresh:
        stored = HotTopicDay.objects.filter(day=day).values_list("topics", flat=True).first()
        if stored is not None:
            return list(stored)
    topics = [
        topic_record(t) for t in hot_topics(orders=WorkOrder.objects.all(), start=start, end=end)
    ]
    if end <= timezone.now():
        HotTopicDay.objects.update_or_create(
            day=day, defaults={"topics": topics, "computed_at": timezone.now()}
        )
    return topics


def _previous_alike(
    before_m: Any, now_m: Any, labels: Any, clusters: dict[int, Any], threshold: float
) -> dict[int, int]:
    """For each cluster, the requests of the previous period at least `threshold` alike to
    some member: one product of the two periods, read per cluster (the similarities are the
    same numbers as a product with the members alone: each is summed in the same order)."""
    if not clusters:
        return {}
    if not before_m.shape[0]:
        return dict.fromkeys(clusters, 0)
    if threshold <= 0:  # every earlier request is "alike"
        return dict.fromkeys(clusters, before_m.shape[0])
    alike = (before_m @ now_m.T).tocsr()
    alike.data = (alike.data >= threshold).astype(np.int8)
    alike.eliminate_zeros()
    # A previous request links to a cluster when it is alike to at least one member.
    order = list(clusters)
    column = {label: j for j, label in enumerate(order)}
    rows = np.concatenate([clusters[label] for label in order])
    cols = np.concatenate([np.full(len(clusters[label]), column[label]) for label in order])
    member_of = csr_matrix(
        (np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(now_m.shape[0], len(order))
    )
    hits = (alike.astype(np.int32) @ member_of).tocsc()
    hits.eliminate_zeros()
    counts = np.diff(hits.indptr)
    return {label: int(counts[column[label]]) for label in order}


def hot_topic_warnings_raise(*, now: datetime | None = None) -> list[HotTopicWarning]:
    """Scan the last HOT_WARN_DAYS days of all orders and record a warning (预警) for every
    cluster at least HOT_WARN_MIN_SIZE strong and HOT_WARN_GROWTH times the previous period.
    A warning already raised for the same region and terms within the period is not raised
    again, so the hourly scan of a sliding period does not repeat itself."""
    end = (now or timezone.now()).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(days=dispatch_setting("HOT_WARN_DAYS"))
    min_size = dispatch_setting("HOT_WARN_MIN_SIZE")
    growth = dispatch_setting("HOT_WARN_GROWTH")
    raised = []
    for topic in hot_topics(
        orders=WorkOrder.objects.all(), start=start, end=end, min_size=min_size
    ):
        if topic.region is None or topic.size < growth * max(topic.previous, 1):
            continue
        signature = "/".join(topic.terms[:3])[:200]
        # The scan runs hourly over a sliding period: a topic already warned about within
        # the period is the same topic, not a new warning.
        if HotTopicWarning.objects.filter(
            region=topic.region, signature=signature, raised_at__gte=start
        ).exists():
            continue
        try:
            with transaction.atomic():
                warning = HotTopicWarning.objects.create(
                    region=topic.region,
                    period_start=start,
                    period_end=end,
                    signature=signature,
                    terms=topic.terms,
                    size=topic.size,
                    previous_size=topic.previous,
                    sample_orders=[o.number for o in topic.orders],
                    raised_at=timezone.now(),
                )
                # In the warning's transaction: a warning is announced once, with its row.
                hot_topic_warning_notify(warning)
        except IntegrityError:
            continue  # raised by an earlier scan of the same period
        raised.append(warning)
    return raised


def warning_supervisors(region: Region) -> list[User]:
    """Supervisors (值班长) of the hotline centres whose region covers `region`: the people
    `selectors.warnings_for` shows the warning to."""
    centres = [
        u.pk
        for u in Unit.objects.filter(kind__in=CENTRE_KINDS, is_active=True).select_related("region")
        if region.path.startswith(u.region.path)
    ]
    return list(
        User.objects.filter(
            is_active=True,
            is_system=False,
            memberships__is_active=True,
            memberships__role=Role.SUPERVISOR,
            memberships__unit__in=centres,
        )
        .distinct()
        .order_by("pk")
    )


def hot_topic_warning_notify(warning: HotTopicWarning) -> list[Any]:
    """Tell the region's supervisors of a new warning: one inbox notification each (kind
    "hot_topic", linked to the hot-topic page) and the platform's other channels (e-mail,
    SMS: SLA["CHANNELS"]) after commit, through the notifier `sla` registers in core."""
    terms = "、".join(warning.terms[:3])
    title = _("热点预警：{region}「{terms}」{size} 件（上期 {previous} 件）").format(
        region=warning.region.name, terms=terms, size=warning.size, previous=warning.previous_size
    )
    body = _("{start} 至 {end}，示例工单 {orders}。请到“热点发现”页查看并确认：{url}").format(
        start=timezone.localtime(warning.period_start).strftime("%Y-%m-%d %H:%M"),
        end=timezone.localtime(warning.period_end).strftime("%Y-%m-%d %H:%M"),
        orders="、".join(warning.sample_orders),
        url=reverse("dispatch_hot_topics"),
    )
    return notify(
        warning_supervisors(warning.region),
        kind=HOT_TOPIC_KIND,
        title=title[:200],
        body=body,
        at=warning.raised_at,
    )
