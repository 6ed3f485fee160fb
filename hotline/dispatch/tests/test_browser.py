"""采用 in a real browser (Debian's Chromium driven by Playwright): one click on a suggestion
fills the agent's category, or the dispatcher's unit picker of the row."""

import pytest

from hotline.catalog.models import DispatchRule
from hotline.core.testing import PASSWORD, make_org
from hotline.workorders.tests import factories

from .history import MATTERS, category


def _login(browser, live_server, username, landing):
    page = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900}).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#main button[type=submit]")
    page.wait_for_url(landing)
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_adopts_a_category_at_intake_with_one_click(browser, live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    make_org()
    stop = category(MATTERS["water"][0])
    page = _login(browser, live_server, "alice", "**/intake/desk/")
    page.fill("#id_title", "幸福小区停水")
    # Chinese arrives through the input method (no key events); the key after it triggers.
    page.fill("#id_content", "幸福小区从昨晚开始停水，一直没有来水。")
    page.press("#id_content", "End")
    button = page.locator(f".dispatch-adopt-category[data-category='{stop.pk}']")
    button.wait_for()
    page.wait_for_function("window.hotlineDispatchSuggest === true")
    button.click()
    assert page.input_value("#id_category") == str(stop.pk)
    assert page.input_value("#id_category_search") == "城乡建设 / 供水 / 停水"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_adopts_a_unit_in_the_dispatch_queue_with_one_click(browser, live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = make_org()
    stop = category(MATTERS["water"][0])
    DispatchRule.objects.create(category=stop, lead_unit=org.housing)  # deliberately odd
    order = factories.registered(org, title="幸福小区停水", category=stop.pk)
    page = _login(browser, live_server, "dave", "**/desk/dispatch/**")
    button = page.locator(
        f".dispatch-adopt-unit[data-order='{order.number}'][data-unit='{org.housing.pk}']"
    )
    button.wait_for()
    page.wait_for_function("window.hotlineDispatchSuggest === true")
    button.click()
    picker = f"select[name=lead_unit][data-order='{order.number}']"
    assert page.input_value(picker) == str(org.housing.pk)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_dispatcher_adopts_a_category_and_the_order_is_dispatched_with_it(
    browser, live_server, settings
):
    from hotline.workorders.models import WorkOrder

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = make_org()
    stop = category(MATTERS["water"][0])
    order = factories.registered(org, title="幸福小区停水", content="幸福小区从昨晚开始停水。")
    page = _login(browser, live_server, "dave", "**/desk/dispatch/**")
    button = page.locator(
        f".dispatch-adopt-category[data-order='{order.number}'][data-category='{stop.pk}']"
    )
    button.wait_for()
    # The fragment's script (suggest.js, loaded by htmx after the swap) installs the click
    # handler; on a loaded machine the button can be there before it runs.
    page.wait_for_function("window.hotlineDispatchSuggest === true")
    button.click()
    chosen = page.locator(f".dispatch-category-chosen[data-order='{order.number}']")
    chosen.wait_for()
    assert chosen.is_visible() and "城乡建设 / 供水 / 停水" in chosen.inner_text()
    page.select_option(f"select[name=lead_unit][data-order='{order.number}']", str(org.water.pk))
    page.click(f"button[form='dispatch-{order.number}']")
    page.locator(f"#row-{order.number}.done").wait_for()
    order = WorkOrder.objects.get(pk=order.pk)
    assert (order.status, order.category, order.lead_unit) == ("dispatched", stop, org.water)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_desk_ties_the_suggestion_it_showed_to_the_order(browser, live_server, settings):
    from hotline.dispatch.models import Suggestion
    from hotline.workorders.models import WorkOrder

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = make_org()
    stop = category(MATTERS["water"][0])
    page = _login(browser, live_server, "alice", "**/intake/desk/")
    page.fill("#id_requester_phone", "13912345678")
    page.fill("#id_requester_name", "李女士")
    page.select_option("#id_region", org.street.code)
    page.fill("#id_title", "幸福小区停水")
    page.press("#id_title", "End")
    page.fill("#id_content", "幸福小区从昨晚开始停水，一直没有来水。")
    page.press("#id_content", "End")
    page.wait_for_function("window.hotlineDispatchSuggest === true")
    page.locator(f".dispatch-adopt-category[data-category='{stop.pk}']").click()
    page.wait_for_timeout(1500)  # the fragment asks again after the category's change
    page.locator("#dispatch-suggest input[name=dispatch_suggestion]").wait_for(state="attached")
    page.click("#submit-dispatch")
    page.locator("#intake-result").wait_for()
    order = WorkOrder.objects.get()
    rows = list(Suggestion.objects.values_list("order_id", "context"))
    assert rows == [(order.pk, "intake")], rows
