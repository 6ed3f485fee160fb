"""The header in a real browser (Debian's Chromium through Playwright) on a 1366 × 768 screen, the
commonest office display: for every role, in Chinese and in English, the brand, the links, the
user's name and units and the language switch sit on one row, the page in use is marked, and the
secondary links open from 更多 with the keyboard alone."""

from __future__ import annotations

import pytest

from hotline.accounts.choices import Role
from hotline.accounts.services import user_create
from hotline.core.testing import PASSWORD, make_org

# Everything on one row: the centres of the header's items differ by a few pixels at most.
SAME_ROW = 6

_ITEMS = """header => {
  const els = [header.querySelector('.brand'), header.querySelector('.lang'),
               ...header.querySelectorAll('nav > a, nav > details > summary, .who > *')];
  return els.filter(e => e && e.getClientRects().length).map(e => {
    const r = e.getBoundingClientRect();
    return [e.textContent.trim().slice(0, 30), Math.round(r.top + r.height / 2), r.height];
  });
}"""


def _login(browser, live_server, username, language):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#main button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_roles_header_fits_one_row_at_1366_in_both_languages(browser, live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = make_org()
    hub_roles = {Role.AGENT, Role.DISPATCHER, Role.CALLBACK_AGENT, Role.SUPERVISOR}
    hub_roles |= {Role.ANALYST, Role.INSPECTOR, Role.ADMIN}
    users = []
    for role in Role:
        unit = org.centre if role in hub_roles else org.water
        users.append(
            user_create(
                username=f"u-{role}",
                password=PASSWORD,
                display_name="欧阳晓明",
                memberships=[(unit, role)],
                is_superuser=role == Role.ADMIN,
            )
        )
    # The longest headers: an analyst who also supervises, and a supervisor who is also staff.
    both = user_create(
        username="u-both",
        password=PASSWORD,
        display_name="欧阳晓明",
        memberships=[(org.centre, Role.ANALYST), (org.centre, Role.SUPERVISOR)],
    )
    staff = user_create(
        username="u-staff",
        password=PASSWORD,
        display_name="欧阳晓明",
        memberships=[(org.centre, Role.SUPERVISOR)],
        is_superuser=True,
    )
    users += [both, staff]

    two_rows = {}
    for language in ("zh-hans", "en"):
        for user in users:
            page = _login(browser, live_server, user.username, language)
            assert page.locator("html").get_attribute("lang") == language
            header = page.locator("header.top")
            items = header.evaluate(_ITEMS)
            centres = [centre for _, centre, _ in items]
            if max(centres) - min(centres) > SAME_ROW:
                two_rows[(language, user.username)] = items
            # Nothing runs off the right edge of the screen instead.
            assert page.evaluate("document.documentElement.scrollWidth") <= 1366, user.username
            # The page the user landed on is marked, in the row or inside 更多.
            current = header.locator("nav a[aria-current=page]")
            assert current.count() == 1, (language, user.username)
            page.context.close()
    assert two_rows == {}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_more_menu_opens_from_the_keyboard_and_marks_the_current_page(
    browser, live_server, settings
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = make_org()
    org.sue.is_staff = True
    org.sue.save(update_fields=["is_staff"])
    page = _login(browser, live_server, "sue", "zh-hans")
    more = page.locator("header.top nav details.more")
    menu_links = more.locator("a")
    assert more.get_attribute("open") is None
    assert not menu_links.first.is_visible()

    # Tab from the skip link to 更多's summary, open it with Enter, walk into its links.
    page.keyboard.press("Tab")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "SUMMARY":
            break
    assert page.evaluate("document.activeElement.textContent.trim()").startswith("更多")
    page.keyboard.press("Enter")
    assert more.get_attribute("open") is not None
    assert menu_links.first.is_visible()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == menu_links.first.get_attribute("href")
    # Escape closes it again and gives the focus back to 更多.
    page.keyboard.press("Escape")
    assert more.get_attribute("open") is None

    # A page reached from 更多 is marked there, and 更多 says it holds the page in use.
    labels = [label.strip() for label in menu_links.all_text_contents()]
    assert "系统管理" in labels
    target = menu_links.nth(0)
    href = target.get_attribute("href")
    page.goto(f"{live_server.url}{href}")
    marked = page.locator("header.top nav details.more a[aria-current=page]")
    assert marked.count() == 1
    assert marked.get_attribute("href") == href
    assert "current" in (page.locator("header.top nav details.more").get_attribute("class") or "")
