"""The KPI page and API: who may read them, the filters, numerators and denominators shown."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .test_kpis import history  # noqa: F401 - the shared known history

pytestmark = pytest.mark.django_db

WEEK = {"start": "2026-03-02", "end": "2026-03-08"}


def test_it_shows_each_figure_with_numerator_and_denominator(client, history):  # noqa: F811
    client.force_login(history.ann)
    page = client.get(reverse("analytics_kpis"), WEEK)
    text = page.content.decode()
    assert page.status_code == 200
    row = text[text.index('id="kpi-on_time_reply"') :]
    row = row[: row.index("</tr>")]
    assert "按时办结率" in row and "33.33 %" in row
    assert '<td class="num">1</td><td class="num">3</td>' in row
    assert "接通率" in text  # the centre's analyst sees call figures


def test_it_scopes_a_unit_manager_to_the_unit_and_hides_call_figures(client, history):  # noqa: F811
    client.force_login(history.bella)  # water utility manager
    text = client.get(reverse("analytics_kpis"), WEEK).content.decode()
    row = text[text.index('id="kpi-registered"') :]
    assert '受理量</th><td class="num">4</td>' in row[: row.index("</tr>")]  # o2..o5 only
    assert 'id="kpi-answer_rate"' not in text


def test_it_refuses_unit_handlers(client, history):  # noqa: F811
    for person in (history.bob, history.charlie):
        client.force_login(person)
        assert client.get(reverse("analytics_kpis"), WEEK).status_code == 403


def test_it_names_a_bad_period(client, history):  # noqa: F811
    client.force_login(history.ann)
    page = client.get(reverse("analytics_kpis"), {"start": "2026-03-08", "end": "2026-03-01"})
    assert "结束日期不能早于开始日期" in page.content.decode()


def test_it_answers_the_api_with_the_same_figures(client, history):  # noqa: F811
    client.force_login(history.ann)
    r = client.get("/api/analytics/kpis", WEEK)
    assert r.status_code == 200
    figures = {k["code"]: k for k in r.json()}
    assert figures["satisfaction"]["numerator"] == 2
    assert figures["satisfaction"]["denominator"] == 3
    assert figures["registered"]["denominator"] is None
    assert figures["answer_rate"]["value"] == pytest.approx(0.8)


def test_it_slices_the_api_by_unit_code(client, history):  # noqa: F811
    client.force_login(history.ann)
    r = client.get("/api/analytics/kpis", {**WEEK, "unit": "U-WATER", "unit_subtree": "false"})
    figures = {k["code"]: k for k in r.json()}
    assert figures["return_rate"]["numerator"] == 1
    assert figures["return_rate"]["denominator"] == 4


def test_it_answers_bad_api_filters_with_the_field(client, history):  # noqa: F811
    client.force_login(history.ann)
    r = client.get("/api/analytics/kpis", {"start": "2026-03-02", "end": "yesterday"})
    assert r.status_code == 400
    assert r.json()["field"] == "end"
    r = client.get("/api/analytics/kpis", {**WEEK, "unit": "NOPE"})
    assert r.status_code == 400 and r.json()["field"] == "unit"


def test_it_refuses_the_api_to_a_handler(client, history):  # noqa: F811
    client.force_login(history.bob)
    assert client.get("/api/analytics/kpis", WEEK).status_code == 403
