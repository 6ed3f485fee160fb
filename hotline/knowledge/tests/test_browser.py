"""The knowledge base in a real browser (Debian's Chromium driven by Playwright): a publisher
searches with a caller's words, opens the entry, copies and edits its answer, then publishes a
unit's entry waiting for review."""

import pytest

from hotline.core.testing import PASSWORD, make_org
from hotline.knowledge.choices import EntryStatus
from hotline.knowledge.models import Entry

from .factories import entry, water_stop


def _login(browser, live_server, username):
    page = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#main button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_publisher_searches_edits_and_publishes(browser, live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = make_org()
    live = water_stop(org)
    pending = entry(org, actor=org.bella, status=EntryStatus.PENDING, title="水表更换流程")
    page = _login(browser, live_server, "sue")

    # 知识库 is in the header (in the row or under 更多).
    link = page.locator("header.top nav a", has_text="知识库")
    if not link.is_visible():
        page.click("header.top details.more summary")
    link.click()
    page.wait_for_url("**/knowledge/")
    page.fill("input[name=q]", "我家停水了，什么时候能来水")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/knowledge/?*q=*")
    rows = page.locator(".kb-results tbody tr")
    assert rows.count() == 1 and "停水" in rows.first.locator(".terms").inner_text()

    rows.first.locator("a").click()
    page.wait_for_url(f"**/knowledge/{live.pk}/")
    assert "96116" in page.inner_text("#entry-answer")
    page.click("button[data-copy]")
    page.locator("button[data-copy]", has_text="已复制").wait_for()

    page.click("#entry-edit")
    page.wait_for_url(f"**/knowledge/{live.pk}/edit/")
    page.fill("#id_answer", "抢修一般在 6 小时内恢复供水，可拨打 96116 查询。")
    page.fill("#id_note", "抢修时限缩短")
    page.click("#knowledge-form button[type=submit].primary")
    page.wait_for_url(f"**/knowledge/{live.pk}/")
    assert "已保存（第 2 版）" in page.inner_text(".messages")
    assert "6 小时内" in page.inner_text("#entry-answer")
    assert "抢修时限缩短" in page.inner_text(".kb-history")

    page.click("#knowledge-entry a[href='/knowledge/']")
    page.wait_for_url("**/knowledge/")
    page.click(".kb-tabs a[href='?tab=review']")
    page.wait_for_url("**/knowledge/?tab=review")
    page.click(f"#entry-{pending.pk} a")
    page.wait_for_url(f"**/knowledge/{pending.pk}/")
    page.click("#move-publish button")
    page.wait_for_url(f"**/knowledge/{pending.pk}/")
    assert "已发布" in page.inner_text("h1")
    pending.refresh_from_db()
    live.refresh_from_db()
    assert (pending.status, pending.version) == (EntryStatus.PUBLISHED, 2)
    assert (live.status, live.version) == (EntryStatus.PUBLISHED, 2)
    assert Entry.objects.count() == 2
