"""The dashboard in a real browser: ECharts from our own static files draws every chart, nothing
is fetched from outside, and a ranking row opens the orders behind it."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from hotline.workorders.tests.test_browser import _login

from .test_kpis import history  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WEEK = "start=2026-03-02&end=2026-03-08"


def test_it_draws_the_charts_from_local_files(browser, live_server, history):  # noqa: F811
    page = _login(browser, live_server, "ann")
    hosts = set()
    page.on("request", lambda r: hosts.add(urlparse(r.url).netloc))
    page.goto(f"{live_server.url}/analytics/?{WEEK}")
    for chart in ("volume", "types", "categories", "regions"):
        page.wait_for_selector(f"#chart-{chart} canvas")
    assert page.inner_text("#headline-registered .kpi-value") == "6"
    assert page.inner_text("#headline-on_time_reply .kpi-value") == "33.33 %"
    assert hosts == {urlparse(live_server.url).netloc}
    page.click(f"#unit-ranking a:text('{history.water.name}')")
    page.wait_for_url(lambda url: "/orders/" in url)
    assert "unit=" in page.url


def test_it_shows_the_wall_display_full_screen(browser, live_server, history):  # noqa: F811
    page = _login(browser, live_server, "sue")
    page.goto(f"{live_server.url}/analytics/wall/?{WEEK}")
    page.wait_for_selector("#chart-volume canvas")
    assert page.evaluate("document.body.classList.contains('wall')")
