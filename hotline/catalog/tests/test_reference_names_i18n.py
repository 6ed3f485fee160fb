"""Request types and urgencies are rows holding their Chinese names; in English the shipped
names read in English wherever they are shown, while the stored names and codes stay as they
are (the API and the filters use them)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import openpyxl
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from hotline.analytics.dashboard import ChartCounts, type_mix
from hotline.analytics.kpis import KpiFilters
from hotline.catalog.models import Category, RequestType, Urgency, reference_label
from hotline.workorders.exports import workorders_export
from hotline.workorders.models import WorkOrder
from hotline.workorders.tests import factories as f


def test_it_shows_the_shipped_names_in_the_active_language(db):
    complaint = RequestType.objects.get(code="complaint")
    critical = Urgency.objects.get(code="critical")
    with translation.override("en"):
        assert (complaint.label, str(complaint)) == ("Complaint", "Complaint")
        assert (critical.label, str(critical)) == ("Critical", "Critical")
    with translation.override("zh-hans"):
        assert (complaint.label, str(critical)) == ("投诉", "特急")
    assert complaint.name == "投诉"


def test_it_shows_an_administrators_own_name_as_typed(db):
    own = RequestType.objects.create(code="noise", name="噪声投诉")
    with translation.override("en"):
        assert own.label == "噪声投诉"
        # gettext("") is the catalogue's header, never a label.
        assert reference_label("") == ""


def test_it_shows_the_type_and_urgency_in_english_on_the_order_page_and_desk(org, client):
    order = f.registered(org, urgency="critical")
    client.force_login(org.dave)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for url in (reverse("workorder_detail", args=[order.number]), "/desk/dispatch/"):
        text = client.get(url).content.decode()
        assert "Complaint" in text and "Critical" in text, url
        # Category names are a city's data, shown as typed (the dispatcher's category picker
        # lists 旅游投诉…): only the type's and the urgency's own words must be gone.
        names = Category.objects.values_list("name", flat=True)
        for name in sorted(names, key=len, reverse=True):  # 其他投诉 before 其他
            text = text.replace(name, "")
        assert "投诉" not in text and "特急" not in text, url


def test_it_keeps_the_stored_name_in_the_api(org, client):
    order = f.registered(org)
    client.force_login(org.dave)
    body = client.get(f"/api/workorders/{order.number}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["request_type"] == {"code": "complaint", "name": "投诉"}


def test_it_names_the_types_of_the_dashboard_pie_in_english(db):
    complaint = RequestType.objects.get(code="complaint")
    today = timezone.localdate()
    filters = KpiFilters(start=today - timedelta(days=6), end=today)
    counts = ChartCounts(by_type=Counter({complaint.pk: 3}))
    with translation.override("en"):
        assert [r["name"] for r in type_mix(filters, counts)] == ["Complaint"]


def test_it_writes_the_type_and_urgency_in_english_in_the_export(org):
    order = f.registered(org, urgency="critical")
    with translation.override("en"):
        out = workorders_export(user=org.dave, qs=WorkOrder.objects.filter(pk=order.pk))
    row = list(openpyxl.load_workbook(out, read_only=True).active.iter_rows(values_only=True))[1]
    assert "Complaint" in row and "Critical" in row
