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
