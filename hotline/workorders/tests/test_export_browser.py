"""The filtered list's export in a real browser: filter, click 导出 XLSX, open the download."""

import openpyxl
import pytest

from hotline.core.testing import make_org
from hotline.workorders.tests import factories
from hotline.workorders.tests.test_browser import _login


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_downloads_the_filtered_list_as_xlsx(browser, live_server, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = make_org()
    wanted = factories.dispatched(org, title="路灯不亮", requester_phone="13912345678")
    factories.registered(org, title="楼道漏水")
    page = _login(browser, live_server, "dave")
    page.goto(f"{live_server.url}/orders/")
    page.select_option("#id_status", ["dispatched"])
    page.click("form.filters button[type=submit]")
    page.wait_for_url(lambda url: "status=dispatched" in url)
    assert page.locator("table.orders tbody tr").count() == 1
    with page.expect_download() as info:
        page.click("text=导出 XLSX")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / "export.xlsx"
    download.save_as(path)
    rows = list(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert rows[0][0] == "工单编号"
    assert [r[0] for r in rows[1:]] == [wanted.number]
    assert "139****5678" in rows[1] and "13912345678" not in repr(rows)
