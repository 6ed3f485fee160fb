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
