from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hotline.core.testing import PASSWORD
from hotline.dispatch.hot import hot_topic_warnings_raise, hot_topics
from hotline.dispatch.models import HotTopicWarning
from hotline.dispatch.tasks import hot_topic_scan
from hotline.workorders.models import WorkOrder

from .history import PLACES_ON_STREETS as PLACES
from .history import lights

pytestmark = pytest.mark.django_db


def period():
    end = timezone.now() + timedelta(minutes=1)
    return end - timedelta(days=7), end


def test_it_finds_a_rising_cluster_with_size_trend_and_terms(rising):
    start, end = period()
    topics = hot_topics(orders=WorkOrder.objects.all(), start=start, end=end)
    assert len(topics) == 1
    topic = topics[0]
    assert (topic.size, topic.previous, topic.rising) == (7, 1, True)
    assert topic.trend == 6.0
    assert "路灯" in topic.terms
    assert topic.region == rising.street
    assert len(topic.orders) == 5 and all("路灯" in o.title for o in topic.orders)


def test_it_raises_one_warning_per_topic_and_period(rising):
    raised = hot_topic_warnings_raise()
    assert len(raised) == 1
    warning = HotTopicWarning.objects.get()
    assert (warning.size, warning.previous_size, warning.region) == (7, 1, rising.street)
    assert "路灯" in warning.terms and len(warning.sample_orders) == 5
    assert hot_topic_scan() == 0  # the same period again: nothing new
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        assert hot_topic_scan() == 0  # the period slid, the topic is the same
    assert HotTopicWarning.objects.count() == 1


def test_it_raises_no_warning_below_the_threshold(org, settings):
    for place in PLACES[:4]:
        lights(org, place, days_ago=2)
    assert hot_topic_warnings_raise() == []
    settings.DISPATCH = {**settings.DISPATCH, "HOT_WARN_MIN_SIZE": 4}
    assert len(hot_topic_warnings_raise()) == 1


def test_it_shows_topics_and_warnings_on_the_page(client, rising):
    hot_topic_warnings_raise()
    client.login(username="sue", password=PASSWORD)
    response = client.get(reverse("dispatch_hot_topics"), {"days": 7})
    assert response.status_code == 200
    body = response.content.decode()
    assert "路灯" in body and "热点预警" in body and "已知悉" in body
    assert body.count('class="rising"') == 1


def test_it_lets_a_supervisor_acknowledge_a_warning(client, rising):
    [warning] = hot_topic_warnings_raise()
    url = reverse("dispatch_warning_acknowledge", args=[warning.pk])
    client.login(username="ann", password=PASSWORD)
    assert client.post(url).status_code == 403
    client.login(username="sue", password=PASSWORD)
    assert client.post(url).status_code == 302
    warning.refresh_from_db()
    assert warning.acknowledged_by == rising.sue and warning.acknowledged_at is not None


@pytest.mark.parametrize(
    "persona,status", [("ann", 200), ("dave", 200), ("alice", 403), ("bob", 403)]
)
def test_it_opens_the_page_to_supervisors_analysts_and_dispatchers_only(
    client, org, persona, status
):
    client.login(username=persona, password=PASSWORD)
    assert client.get(reverse("dispatch_hot_topics")).status_code == status


def test_it_filters_by_a_region_of_the_centre_and_refuses_others(client, rising):
    client.login(username="ann", password=PASSWORD)
    url = reverse("dispatch_hot_topics")
    body = client.get(url, {"region": rising.other_county.pk}).content.decode()
    assert "本期没有上升的相似诉求" in body
    assert "路灯" in client.get(url, {"region": rising.county.pk}).content.decode()
    response = client.get(url, {"region": 999999})
    assert response.status_code == 400 and "区划" in response.content.decode()


def test_it_shows_the_link_in_the_navigation_for_analysts(client, org):
    client.login(username="ann", password=PASSWORD)
    body = client.get(reverse("dispatch_hot_topics")).content.decode()
    assert f'href="{reverse("dispatch_hot_topics")}"' in body


def test_a_warning_notifies_the_supervisors_of_its_region_once(
    rising, settings, mailoutbox, django_capture_on_commit_callbacks
):
    from hotline.accounts.choices import Role
    from hotline.accounts.services import user_create
    from hotline.sla.models import Notification

    settings.SLA = {"CHANNELS": ["email"]}
    rising.sue.email = "sue@example.org"
    rising.sue.save(update_fields=["email"])
    # A supervisor of the other county's sub-centre does not oversee the street.
    elsewhere = user_create(
        username="otto",
        password=PASSWORD,
        display_name="otto",
        memberships=[(rising.sub_centre, Role.SUPERVISOR)],
    )
    with django_capture_on_commit_callbacks(execute=True):
        [warning] = hot_topic_warnings_raise()
    [note] = Notification.objects.all()
    assert (note.recipient, note.kind, note.order) == (rising.sue, "hot_topic", None)
    assert rising.street.name in note.title and "路灯" in note.title and "7" in note.title
    assert reverse("dispatch_hot_topics") in note.body
    assert warning.sample_orders[0] in note.body
    assert not Notification.objects.filter(recipient=elsewhere).exists()
    [mail] = mailoutbox
    assert mail.to == ["sue@example.org"] and mail.subject == note.title
    # The inbox links the notification to the hot-topic page.
    client = Client()
    client.login(username="sue", password=PASSWORD)
    inbox = client.get(reverse("sla_notifications")).content.decode()
    assert f'href="{reverse("dispatch_hot_topics")}"' in inbox
    # The next scan finds the same topic: no second notification.
    with django_capture_on_commit_callbacks(execute=True):
        assert hot_topic_warnings_raise() == []
    assert Notification.objects.count() == 1 and len(mailoutbox) == 1


def _topics():
    start, end = period()
    return hot_topics(orders=WorkOrder.objects.all(), start=start, end=end)


def _api(client, user):
    from hotline.accounts.models import ApiToken

    _, key = ApiToken.issue(user=user, name="test")
    response = client.get(
        "/api/dispatch/hot-topics", {"days": 7}, HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert response.status_code == 200
    return response.json()


def test_a_new_topic_reads_new_not_a_percentage(client, org):
    """QA: 0 → 3 showed "↑ 300%"."""
    for place in PLACES[:3]:
        lights(org, place, days_ago=2)
    [topic] = _topics()
    assert (topic.size, topic.previous, topic.is_new, topic.trend) == (3, 0, True, None)
    client.login(username="sue", password=PASSWORD)
    body = client.get(reverse("dispatch_hot_topics"), {"days": 7}).content.decode()
    assert "新出现" in body and "300%" not in body
    [row] = _api(client, org.sue)
    assert (row["new"], row["trend"], row["size"]) == (True, None, 3)


def test_only_rising_clusters_are_listed_as_hot_topics(client, org):
    """QA: a cluster as big as the week before ("→ 0%") was listed as a hot topic."""
    for place in PLACES[:3]:
        lights(org, place, days_ago=2)
    for place in PLACES[3:6]:
        lights(org, place, days_ago=9)
    [topic] = _topics()
    assert (topic.size, topic.previous, topic.rising) == (3, 3, False)
    client.login(username="sue", password=PASSWORD)
    body = client.get(reverse("dispatch_hot_topics"), {"days": 7}).content.decode()
    assert "本期没有上升的相似诉求" in body and "另有 1 组相似诉求数量未上升" in body
    assert "0%" not in body
    assert _api(client, org.sue) == []
    lights(org, PLACES[6], days_ago=1)  # 4 against 3: rising
    [row] = _api(client, org.sue)
    assert (row["new"], row["trend"], row["size"], row["previous"]) == (False, 0.333, 4, 3)


def test_topic_terms_leave_out_html_tags_and_filler(org):
    """QA: "script" (a pasted tag) and 一下 were among a topic's terms."""
    from hotline.dispatch.hot import words
    from hotline.workorders.tests.factories import registered

    for place in PLACES[:4]:
        registered(
            org,
            title=f"<b>{place}</b>路灯不亮",
            content=f"<script>麻烦看一下</script><p>{place}一带的路灯已经连续多个晚上不亮，"
            "<br>夜里行人出行很不安全，请尽快维修路灯。</p>",
            at=timezone.now() - timedelta(days=1),
        )
    [topic] = _topics()
    assert "路灯" in topic.terms
    assert not {"script", "br", "p", "b", "一下", "麻烦"} & set(topic.terms)
    assert not {"一下", "麻烦"} & set(words("麻烦问一下路灯的事"))
