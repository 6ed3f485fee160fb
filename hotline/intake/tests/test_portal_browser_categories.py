"""A citizen picks a category on a phone and answers its extra fields: with script the fields
come at once, without script through the 选择类别 step; a missing answer is shown beside its
field. Debian's Chromium driven by Playwright."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotline.catalog.models import Category
from hotline.core.testing import make_org
from hotline.workorders.models import WorkOrder

from .noise import noise_leaf
from .test_portal_support import DB_CACHE

PHONE_VIEWPORT = {"width": 390, "height": 844}
SCREENSHOT = Path("/tmp/portal_category_fields.png")


def _noise() -> Category:
    return noise_leaf("环境（浏览器）", "噪声（浏览器）", periods=False)


def _fill(page, org) -> None:
    page.get_by_label("投诉").check()
    page.fill("#id_content", "楼下广场舞每晚十点后还在放音乐。")
    page.select_option("#id_region", org.street.code)
    page.fill("#id_address", "双湖峪街道幸福小区 3 号楼")
    page.fill("#id_phone", "13912345678")


@pytest.fixture
def portal(settings):
    from django.core.cache import cache
    from django.core.management import call_command

    settings.CACHES = DB_CACHE
    call_command("createcachetable", verbosity=0)
    cache.clear()
    settings.PORTAL_MIN_FILL_SECONDS = 0


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("script", [True, False], ids=["script", "no-script"])
def test_a_citizen_picks_a_category_and_answers_its_fields(browser, live_server, portal, script):
    org = make_org()
    leaf = _noise()
    context = browser.new_context(
        locale="zh-CN",
        viewport=PHONE_VIEWPORT,
        is_mobile=True,
        has_touch=True,
        java_script_enabled=script,
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/portal/submit/")
    _fill(page, org)
    assert page.locator("#category-fields legend").count() == 0
    page.select_option("#id_category", str(leaf.pk))
    if script:
        # The button is only the fallback: the fields come with the choice.
        assert not page.locator("#choose-category").is_visible()
    else:
        page.click("#choose-category")
        page.wait_for_load_state()
        # The page comes back scrolled to the fields that just appeared.
        assert page.url.endswith("/portal/submit/#category-fields")
        # Posted back: what was typed is still there, and nothing was written.
        assert page.input_value("#id_content") == "楼下广场舞每晚十点后还在放音乐。"
        assert page.input_value("#id_phone") == "13912345678"
        assert not WorkOrder.objects.exists()
    page.wait_for_selector("#attr-source")
    assert "附加信息" in page.locator("#category-fields legend").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]

    # The required answer left out: refused beside its field, nothing written.
    page.fill("#attr-floor", "3")
    page.click("#submit-request")
    page.wait_for_selector("#attr-source-error")
    assert "请填写附加信息「噪声来源」" in page.locator("#attr-source-error").inner_text()
    assert page.input_value("#attr-floor") == "3"
    assert not WorkOrder.objects.exists()
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    page.select_option("#attr-source", "dance")
    page.click("#submit-request")
    page.wait_for_url("**/portal/submit/done/")
    order = WorkOrder.objects.get()
    assert order.category == leaf
    assert order.attributes == {"source": "dance", "floor": "3"}
    context.close()
