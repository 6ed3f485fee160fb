"""Cold start (no trained model): categories from the category names and the knowledge base,
calibrated on the knowledge base's own entries once it has enough of them."""

from __future__ import annotations

import numpy as np
import pytest
from django.urls import reverse

from hotline.catalog.models import Category, RequestType
from hotline.core.demo.knowledge import KNOWLEDGE
from hotline.core.demo.knowledge_base import generalise
from hotline.core.demo.topics import TOPIC_BY_KEY
from hotline.core.testing import PASSWORD, Org
from hotline.dispatch import coldstart
from hotline.dispatch.catalogue import catalogue, forget
from hotline.dispatch.models import Source, Suggestion
from hotline.dispatch.suggest import suggest
from hotline.knowledge import search
from hotline.knowledge.choices import EntryStatus
from hotline.knowledge.models import Entry
from hotline.knowledge.services import knowledge_entry_create, knowledge_entry_retire
from hotline.workorders.tests.factories import registered

pytestmark = pytest.mark.django_db


def leaf(path: tuple[str, str, str]) -> Category:
    node = None
    for name in path:
        node, _ = Category.objects.get_or_create(name=name, parent=node)
    assert node is not None
    return node


def entry(org: Org, path: tuple[str, str, str], title: str, answer: str, **kw) -> Entry:
    return knowledge_entry_create(
        actor=org.sue,
        unit=kw.pop("unit", org.water),
        title=title,
        answer=answer,
        category=leaf(path),
        status=EntryStatus.PUBLISHED,
        **kw,
    )


def demo_knowledge(org: Org) -> int:
    """The demo's knowledge base (81 entries), with the demo seed's wording
    (`knowledge_base.generalise`), filed under its topics' leaves in the test's organisation."""
    n = 0
    for topic, entries in KNOWLEDGE.items():
        for e in entries:
            entry(
                org,
                TOPIC_BY_KEY[topic].category,
                generalise(e.title),
                generalise(e.answer),
                request_type=RequestType.objects.get(code=e.kind),
            )
            n += 1
    forget()
    return n


# A leaf whose names share no bigram with the requests below.
MANHOLE = ("城乡建设", "市政设施", "窨井盖")


def test_a_knowledge_entry_brings_a_category_whose_name_the_request_does_not_use(org):
    text = "马路上的下水道盖子丢了"
    leaf(MANHOLE)
    forget()
    assert coldstart.cold_categories(text, catalogue(), region=None, use_knowledge=False) == []
    entry(org, MANHOLE, "下水道盖子丢失找谁处理", "道路上的雨污水井盖由县市政管理所负责补装。")
    forget()
    result = suggest(title="下水道盖子丢了", content=text, region=org.street)
    top = result.categories[0]
    assert top.obj == leaf(MANHOLE)
    assert top.source == Source.KNOWLEDGE
    assert "知识库：下水道盖子丢失找谁处理" in top.reason and "下水道盖子" in top.reason
    # One entry cannot calibrate anything: the page must not call the figure a probability.
    assert top.calibrated is False


def test_entries_of_another_region_or_retired_are_not_matched(org):
    leaf(MANHOLE)
    ask = {"title": "下水道盖子丢了", "content": "", "region": org.street}
    far = entry(org, MANHOLE, "下水道盖子丢失找谁处理", "由区市政所补装。", region=org.other_county)
    forget()
    assert suggest(**ask).categories == []
    # An entry for everywhere is matched; retired, it no longer is (the next suggestion sees it).
    near = entry(org, MANHOLE, "下水道盖子丢失找谁处理", "由县市政管理所补装。")
    assert suggest(**ask).categories[0].obj.pk == near.category_id
    knowledge_entry_retire(actor=org.sue, entry=near, version=near.version, note="职能调整")
    assert suggest(**ask).categories == []
    assert far.status == EntryStatus.PUBLISHED


def test_with_enough_entries_the_confidence_is_calibrated_on_the_knowledge_base(org):
    demo_knowledge(org)
    index = search.index()
    names = coldstart.name_matcher(catalogue())
    cal = coldstart.fit_calibration(index, names)
    assert cal.model is not None and cal.labelled == 81
    # Calibrated in the large: over the leave-one-out candidates it learned from, the mean
    # confidence is the share that were right (within a point or two; the fit is regularised).
    x, y = coldstart.calibration_examples(index, names)
    predicted = cal.model.predict_proba(np.array(x))[:, 1]
    assert abs(predicted.mean() - np.mean(y)) < 0.02
    # More knowledge-base similarity never lowers the confidence.
    low, high = cal.model.predict_proba(np.array([[0.1, 0.0], [0.5, 0.0]]))[:, 1]
    assert high > low
    result = suggest(title="高龄补贴怎么领", content="家里老人80岁了怎么申请", region=org.street)
    top = result.categories[0]
    assert top.calibrated and 0 < top.confidence < 1
    assert top.obj == leaf(TOPIC_BY_KEY["social_assistance"].category)
    assert "高龄补贴" in top.reason


def test_orders_registered_with_a_category_calibrate_it_too(org):
    """Requests as callers put them (here the demo's own callers' words), each registered
    under its entry's category: the matches that were right now weigh in."""
    demo_knowledge(org)
    index = search.index()
    names = coldstart.name_matcher(catalogue())
    entries_only = coldstart.fit_calibration(index, names)
    for topic, entries in KNOWLEDGE.items():
        for e in entries:
            registered(
                org,
                title=e.title.replace("{place}", "幸福小区"),
                content=e.content.replace("{place}", "幸福小区"),
                category=leaf(TOPIC_BY_KEY[topic].category),
                request_type=e.kind,
            )
    orders = coldstart.recent_orders()
    assert len(orders) == 81
    both = coldstart.fit_calibration(index, names, orders)
    assert both.labelled == 162
    _x, y = coldstart.order_examples(index, names, orders)
    # Requests that match their own entry are right far more often than the left-out entries
    # are; the calibration that has seen them says so where it matters, at a close match.
    assert np.mean(y) > np.mean(coldstart.calibration_examples(index, names)[1])
    assert entries_only.model is not None and both.model is not None
    close = np.array([[0.45, 0.0]])
    assert both.model.predict_proba(close)[0, 1] > entries_only.model.predict_proba(close)[0, 1]
    # The suggestions use it (fitted on the latest orders at the first cold-start suggestion).
    top = suggest(title="高龄补贴怎么领", content="家里老人80岁了怎么申请", region=org.street)
    assert top.categories[0].confidence > 0.5


def test_the_fragment_labels_an_uncalibrated_figure_as_a_degree_of_match(client, org):
    entry(org, MANHOLE, "下水道盖子丢失找谁处理", "由县市政管理所补装。")
    forget()
    client.login(username="alice", password=PASSWORD)
    body = client.get(reverse("dispatch_suggest"), {"title": "下水道盖子丢了"}).content.decode()
    assert "知识库：下水道盖子丢失找谁处理" in body
    assert "匹配度（知识库条目不足，未校准）" in body
    assert "未训练模型：按分类名称和知识库匹配" in body
    assert Suggestion.objects.get().category == leaf(MANHOLE)


def test_the_api_says_whether_a_confidence_is_calibrated(client, org):
    demo_knowledge(org)
    client.login(username="alice", password=PASSWORD)
    response = client.get(
        "/api/dispatch/suggest", {"title": "高龄补贴怎么领", "content": "家里老人80岁了怎么申请"}
    )
    assert response.status_code == 200, response.content
    first = response.json()["categories"][0]
    assert first["calibrated"] is True and first["source"] == "knowledge"
