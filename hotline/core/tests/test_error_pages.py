"""A refused page is a page of the platform: the header, the reason in Chinese, a way back."""

import pytest

from hotline.core.testing import make_org

pytestmark = pytest.mark.django_db


def test_a_refused_desk_says_why_inside_the_platform_page(client):
    org = make_org()
    client.force_login(org.alice)  # an agent opening the supervisor's desk
    r = client.get("/desk/supervise/")
    assert r.status_code == 403
    page = r.content.decode()
    assert "只有督办员可以使用此工作台" in page
    assert 'class="top"' in page and 'aria-label="主导航"' in page


def test_a_refused_htmx_request_gets_the_reason_alone(client):
    org = make_org()
    client.force_login(org.alice)
    r = client.get("/desk/supervise/", HTTP_HX_REQUEST="true")
    assert r.status_code == 403
    page = r.content.decode()
    assert "只有督办员可以使用此工作台" in page and 'class="top"' not in page


def test_pages_load_htmx_without_the_debug_handler_that_would_swap_a_refused_row_in_as_the_page(
    client, settings
):
    # With DEBUG on (the default of `make run`), django-htmx's debug script replaces the whole
    # document with any 4xx answer, while the desks answer a refused move with 400 and its row.
    settings.DEBUG = True
    org = make_org()
    client.force_login(org.alice)
    page = client.get("/intake/desk/").content.decode()
    assert "htmx-2.min.js" in page
    assert "django-htmx.js" not in page
