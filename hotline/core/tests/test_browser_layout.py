"""Layout of the shared stylesheet in a real browser (Debian's Chromium through Playwright): Chinese
labels stay whole on a 1400-pixel screen — header links, the dispatch button, the reply on the
order page are never broken one character per line."""

import pytest

from hotline.core.testing import make_org
from hotline.workorders.choices import Action
from hotline.workorders.tests import factories
from hotline.workorders.tests.test_browser import _login

# One line of 14-pixel text is about 20 pixels high; a label broken over two lines is 35 or more.
ONE_LINE = 28


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_chinese_labels_are_not_broken_one_character_per_line(browser, live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = make_org()
    # An analyst who also supervises sees the longest header: a dozen links.
    org.ann.memberships.create(unit=org.centre, role="supervisor")
    factories.registered(org, title="幸福小区停水", content="3 号楼停水两天。")
    answered = factories.registered(org, title="路灯不亮", content="南关路路灯不亮。")
    factories.move(answered, Action.DISPATCH, org.dave, lead_unit=org.water.pk)
    factories.move(answered, Action.ACKNOWLEDGE, org.bob)
    factories.move(
        answered,
        Action.REPLY,
        org.bob,
        note="经查，该路段路灯线路老化，已于当日更换线路并恢复照明，并电话告知诉求人。" * 2,
    )

    # Nothing a page asks for is missing (the browser's /favicon.ico request was a 404 on every
    # page, in the console and the server log).
    first = browser.new_context(locale="zh-CN").new_page()
    missing = []
    first.on("console", lambda m: missing.append(m.text) if m.type == "error" else None)
    first.goto(f"{live_server.url}/accounts/login/")
    first.wait_for_load_state("networkidle")
    first.wait_for_timeout(300)
    assert missing == []

    page = _login(browser, live_server, "ann")
    heights = page.eval_on_selector_all(
        "header.top nav a, header.top .brand",
        "els => els.map(e => [e.textContent.trim(), e.getBoundingClientRect().height])",
    )
    assert len(heights) > 10
    assert [label for label, h in heights if h > ONE_LINE] == [], heights

    page = _login(browser, live_server, "dave")
    button = page.get_by_role("button", name="派发", exact=True).first
    assert button.bounding_box()["height"] < ONE_LINE
    cells = page.locator("#main tbody tr").first.locator("td")
    narrow = cells.evaluate_all(
        "tds => tds.filter(td => { const r = document.createRange(); r.selectNodeContents(td);"
        f" return td.textContent.trim().length === 2 && r.getBoundingClientRect().height > {ONE_LINE}; }})"
        ".map(td => td.textContent.trim())"
    )
    assert narrow == []

    page.goto(f"{live_server.url}/orders/{answered.number}/")
    reply = page.locator("section[aria-labelledby=h-assign] tbody tr td").last
    assert "路灯线路老化" in reply.inner_text()
    # The reply reads as lines of text, not a column of single characters.
    assert reply.bounding_box()["width"] > 150
