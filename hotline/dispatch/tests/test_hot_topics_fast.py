"""Hot topics on a busy day: the clustering gives what the direct computation gives (each
cluster compared with the previous period on its own, every word weighed against every other
request), and a day that is over is computed once and read back after that."""

import math
from collections import Counter
from datetime import date, datetime, timedelta

import numpy as np
import pytest
import time_machine
from django.utils import timezone
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer

from hotline.dispatch.hot import TERMS, _text, day_hot_topics, hot_topics, words
from hotline.dispatch.models import HotTopicDay
from hotline.workorders.models import WorkOrder
from hotline.workorders.tests.factories import registered

from .history import MATTERS, OTHERS, PLACES, PLACES_ON_STREETS

pytestmark = pytest.mark.django_db
TZ = timezone.get_default_timezone()
DAY = date(2026, 3, 3)


def direct(orders, start, end, min_size=3, threshold=0.45):
    """The clustering computed the plain way: per cluster, its previous-period count from a
    product with its own members and its terms weighed against the texts of every other
    request of the period."""
    current = list(orders.filter(created_at__gte=start, created_at__lt=end).order_by("-created_at"))
    previous = list(
        orders.filter(created_at__gte=start - (end - start), created_at__lt=start).order_by(
            "-created_at"
        )
    )
    docs = current + previous
    texts = [_text(o) for o in docs]
    m = TfidfVectorizer(
        analyzer="char",
        ngram_range=(2, 3),
        lowercase=False,
        max_df=0.5 if len(docs) >= 200 else 1.0,
        sublinear_tf=True,
    ).fit_transform(texts)
    now_m, before_m = m[: len(current)], m[len(current) :]
    links = now_m @ now_m.T
    links.data = (links.data >= threshold).astype(np.int8)
    links.eliminate_zeros()
    _n, labels = connected_components(links, directed=False)
    out = []
    for label, size in Counter(labels).items():
        if size < min_size:
            continue
        members = np.flatnonzero(labels == label)
        alike = (before_m @ now_m[members].T).max(axis=1).toarray().ravel()
        prior = int((alike >= threshold).sum())
        others = [texts[i] for i in range(len(current)) if i not in set(members.tolist())]
        counts = Counter()
        for i in members:
            counts.update(words(current[i].title) * 2 + words(current[i].content[:300]))

        def weight(word, counts=counts, others=others):
            elsewhere = sum(1 for text in others if word in text)
            return counts[word] * math.log((2 + len(others)) / (1 + elsewhere))

        terms = sorted(counts, key=lambda w: (-weight(w), w))[:TERMS]
        out.append((terms, int(size), prior))
    out.sort(key=lambda t: (-(t[1] - t[2]), -t[1], t[0]))
    return out


@pytest.fixture
def busy_day(org):
    """Three matters at eight places each, street lights at seven streets, and a few lone
    requests on the day; the day before has some of the same matters and lights."""
    at = datetime(2026, 3, 3, 8, tzinfo=TZ)
    for i, place in enumerate(PLACES):
        for key, (_names, title, content) in MATTERS.items():
            if key == "street_office" and i % 2:
                continue
            registered(
                org,
                title=title.format(p=place),
                content=content.format(p=place),
                at=at + timedelta(minutes=7 * i),
            )
        if i < 3:  # the day before: a little water and housing
            for key in ("water", "housing"):
                _names, title, content = MATTERS[key]
                registered(
                    org,
                    title=title.format(p=place),
                    content=content.format(p=place),
                    at=at - timedelta(hours=10, minutes=i),
                )
    for i, place in enumerate(PLACES_ON_STREETS):
        registered(
            org,
            title=f"{place}路灯不亮",
            content=f"{place}一带的路灯已经连续多个晚上不亮，夜里行人出行很不安全，请尽快维修。",
            at=at + timedelta(hours=3, minutes=i),
        )
    for i, (title, content) in enumerate(OTHERS):
        registered(org, title=title, content=content, at=at + timedelta(hours=5, minutes=i))
    return org


def test_it_clusters_a_busy_day_as_the_direct_computation(busy_day):
    start = datetime(2026, 3, 3, tzinfo=TZ)
    end = start + timedelta(days=1)
    got = hot_topics(orders=WorkOrder.objects.all(), start=start, end=end)
    expected = direct(WorkOrder.objects.all(), start, end)
    assert [(t.terms, t.size, t.previous) for t in got] == expected
    assert len(expected) >= 4 and any(previous for _terms, _size, previous in expected)


def test_it_keeps_a_past_day_and_reads_it_back(busy_day, django_assert_num_queries):
    with time_machine.travel(datetime(2026, 3, 4, 7, tzinfo=TZ), tick=False):
        computed = day_hot_topics(DAY)
        stored = HotTopicDay.objects.get(day=DAY)
        assert stored.topics == computed and computed
        start = datetime(2026, 3, 3, tzinfo=TZ)
        direct_topics = hot_topics(
            orders=WorkOrder.objects.all(), start=start, end=start + timedelta(days=1)
        )
        assert [(t["terms"], t["size"], t["previous"]) for t in computed] == [
            (t.terms, t.size, t.previous) for t in direct_topics
        ]
        assert computed[0]["samples"] == [o.number for o in direct_topics[0].orders]
        with django_assert_num_queries(1):
            assert day_hot_topics(DAY) == computed
        # A request registered late with an earlier time shows after a refresh.
        registered(busy_day, title="幸福小区停水", content="幸福小区又停水了", at=start)
        assert day_hot_topics(DAY) == computed
        assert day_hot_topics(DAY, refresh=True) != computed


def test_it_does_not_keep_a_day_that_is_not_over(busy_day):
    with time_machine.travel(datetime(2026, 3, 3, 18, tzinfo=TZ), tick=False):
        assert day_hot_topics(DAY)
    assert not HotTopicDay.objects.exists()


def test_it_counts_the_texts_that_hold_a_word_as_a_plain_search_does():
    from hotline.dispatch.hot import _Spread

    texts = ["路灯路灯不亮", "不亮的路灯", "停水\x00路灯", "", "路", "灯路灯", "停水"]
    spread = _Spread(texts)
    for word in ("路灯", "不亮", "停水", "灯路", "水路", "路灯不亮", "没有"):
        assert spread(word) == sum(1 for text in texts if word in text), word
    assert spread.words("东城路路灯不亮") == words("东城路路灯不亮")


def test_topic_terms_leave_out_words_that_name_no_matter():
    """QA: 哪个、应该、部门、多少、咨询 were among a small period's terms."""
    from hotline.dispatch.hot import words

    found = words("请问应该找哪个部门咨询小区停水多少天的问题")
    assert "停水" in found and "小区" in found
    assert not {"哪个", "应该", "部门", "多少", "咨询", "问题", "请问"} & set(found)


def test_a_city_adds_its_own_filler_words(settings):
    """HOTLINE_HOT_FILLER_EXTRA: a city's own filler leaves the terms; the shipped list stays."""
    text = "市长热线：小区停水，咨询何时恢复"
    assert {"市长", "热线", "小区"} <= set(words(text))
    settings.HOTLINE = {**settings.HOTLINE, "HOT_FILLER_EXTRA": "市长， 热线,小区"}
    found = words(text)
    assert "停水" in found and not {"市长", "热线", "小区", "咨询"} & set(found)
