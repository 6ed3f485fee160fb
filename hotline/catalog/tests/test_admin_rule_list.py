"""The dispatch catalogue's admin list reads on a 1366-pixel screen: five columns, the category's
whole path, 全部区划 for a rule of every region, the first assisting units and a count of the
rest, filters and a search; and one query serves a page however many rules it shows."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hotline.accounts.services import user_create
from hotline.catalog.models import Category, DispatchRule
from hotline.core.testing import PASSWORD

URL = reverse("admin:catalog_dispatchrule_changelist")


@pytest.fixture
def admin_client(client, org):
    client.force_login(user_create(username="root", password=PASSWORD, is_superuser=True))
    return client


def _tree(top: str) -> Category:
    one = Category.objects.create(name=top, level=1)
    two = Category.objects.create(name="供水", level=2, parent=one)
    return Category.objects.create(name="停水", level=3, parent=two)


def _rules(org, count: int, start: int = 0) -> list[DispatchRule]:
    units = [org.water, org.housing, org.street_office, org.community]
    rules = []
    for i in range(start, start + count):
        rule = DispatchRule.objects.create(category=_tree(f"城乡建设{i}"), lead_unit=org.water)
        rule.assisting_units.set(units)
        rules.append(rule)
    return rules


def _columns(page: str) -> list[str]:
    head = page[page.index('id="result_list"') :]
    head = head[: head.index("</thead>")]
    return re.findall(r'<th scope="col"\s+class="([^"]*)"', head)


def test_it_lists_a_rule_on_one_readable_line(admin_client, org):
    _rules(org, 1)
    page = admin_client.get(URL).content.decode()
    # The tick box and five columns.
    assert len(_columns(page)) == 6, _columns(page)
    assert "城乡建设0 / 供水 / 停水" in page
    assert "全部区划" in page
    assert "县自来水公司、县住建局 等 4 个" in page
    # All four are named in the tooltip.
    assert 'title="县自来水公司、县住建局、双湖峪街道办、东城社区"' in page


def test_it_filters_by_first_level_and_searches_region_and_units(admin_client, org):
    first, second = _rules(org, 2)
    root = first.category.parent.parent
    page = admin_client.get(URL, {"root": root.pk}).content.decode()
    assert "城乡建设0 / 供水 / 停水" in page and "城乡建设1 / " not in page
    second.region = org.county
    second.save()
    page = admin_client.get(URL, {"q": "子洲县"}).content.decode()
    assert "城乡建设1 / 供水 / 停水" in page and "城乡建设0 / " not in page


def test_a_page_costs_the_same_queries_for_one_rule_or_twenty(
    admin_client, org, django_assert_max_num_queries
):
    _rules(org, 1)
    with CaptureQueriesContext(connection) as one:
        admin_client.get(URL)
    _rules(org, 19, start=1)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = admin_client.get(URL).content.decode()
    assert page.count("/ 供水 / 停水</a>") == 20
