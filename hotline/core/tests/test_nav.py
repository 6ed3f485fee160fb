"""The navigation registry: each role sees its pages; administrators also reach Django admin."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _links(client, user):
    client.force_login(user)
    page = client.get(reverse("workorder_list")).content.decode()
    return page[page.index('aria-label="主导航"') : page.index("</nav>")]


def test_it_shows_admin_only_to_staff(client, org):
    org.ann.is_staff = True
    org.ann.save()
    assert 'href="/admin/"' in _links(client, org.ann)
    assert 'href="/admin/"' not in _links(client, org.bob)


def test_it_shows_each_role_its_own_desk(client, org):
    assert 'href="/intake/desk/"' in _links(client, org.alice)
    assert 'href="/desk/dispatch/"' in _links(client, org.dave)
    bob = _links(client, org.bob)
    assert 'href="/desk/unit/"' in bob and 'href="/desk/dispatch/"' not in bob


def test_an_administrator_starts_on_the_figures_and_an_inspector_on_the_sample(org):
    from hotline.accounts.choices import Role
    from hotline.accounts.models import Membership, User
    from hotline.core import nav

    def person(username, role):
        user = User.objects.create_user(username=username, password="x")
        Membership.objects.create(user=user, unit=org.centre, role=role)
        return user

    assert nav.landing_for(person("admin2", Role.ADMIN)) == reverse("analytics_dashboard")
    assert nav.landing_for(person("inspector2", Role.INSPECTOR)) == reverse("quality_queue")


def test_a_supervisors_first_links_stay_in_the_row_and_the_rest_open_from_more(client, org):
    org.sue.is_staff = True
    org.sue.save()
    client.force_login(org.sue)
    page = client.get(reverse("desk_supervise")).content.decode()
    nav = page[page.index('aria-label="主导航"') : page.index("</nav>")]
    row, more = nav.split('<details class="menu more')
    # The desk in use is marked; 我的工作台 would only lead back to it.
    assert '<a href="/desk/supervise/" aria-current="page">' in row
    assert "我的工作台" not in row
    # The unread count stays in sight; administration waits under 更多.
    assert "sla-unread" in row and "sla-unread" not in more
    assert 'href="/admin/"' in more and 'href="/admin/"' not in row
    assert more.startswith('">')  # not marked current: the page in use is in the row
    assert row.count("<a ") == 1 + 4 + 1  # 工单列表, the first four, 通知


def test_a_page_under_more_marks_more(client, org):
    client.force_login(org.ann)
    url = reverse("evaluation_projects")
    nav = client.get(url).content.decode()
    nav = nav[nav.index('<details class="menu more') : nav.index("</nav>")]
    assert nav.startswith('<details class="menu more current">')
    assert f'<a href="{url}" aria-current="page">' in nav


def test_a_user_without_a_desk_keeps_my_workbench(client, db):
    from hotline.accounts.models import User

    user = User.objects.create_user(username="nobody", password="x")
    client.force_login(user)
    page = client.get(reverse("workorder_list")).content.decode()
    nav = page[page.index('aria-label="主导航"') : page.index("</nav>")]
    assert "我的工作台" in nav and "更多" not in nav
