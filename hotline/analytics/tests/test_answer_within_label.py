"""The N-second answer rate is named by its configured N ("20 秒接通率"), never a literal "N",
wherever it is shown: the KPI page, the API, the report and its Word file, indicator sources."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from docx import Document

from hotline.analytics.choices import ReportKind
from hotline.analytics.reports import report_generate, report_localized
from hotline.evaluation.services import source_choices

from .test_kpis import history  # noqa: F401 - the shared known history

pytestmark = pytest.mark.django_db
PERIOD = {"start": "2026-03-02", "end": "2026-03-08"}


@pytest.fixture(autouse=True)
def twenty_seconds(settings):
    settings.HOTLINE_KPI = {**settings.HOTLINE_KPI, "ANSWER_WITHIN_SECONDS": 20}


def test_it_names_the_configured_n_on_the_kpi_page(client, history):  # noqa: F811
    client.force_login(history.ann)
    text = client.get(reverse("analytics_kpis"), PERIOD).content.decode()
    row = text[text.index('id="kpi-answer_within"') :]
    row = row[: row.index("</tr>")]
    assert "20 秒接通率" in row and "20 秒内人工接听" in row
    assert "N 秒" not in text


def test_it_names_the_configured_n_in_the_api(client, history):  # noqa: F811
    client.force_login(history.ann)
    figures = {k["code"]: k for k in client.get("/api/analytics/kpis", PERIOD).json()}
    assert figures["answer_within"]["name"] == "20 秒接通率"


def test_it_names_the_configured_n_in_the_report_and_its_word_file(client, history):  # noqa: F811
    report = report_generate(kind=ReportKind.WEEK, day=date(2026, 3, 4))
    assert "20 秒接通率" in [k["name"] for k in report_localized(report)["kpis"]]
    client.force_login(history.sue)
    r = client.get(reverse("analytics_report_docx", args=[report.pk]))
    document = Document(io.BytesIO(r.content))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "20 秒接通率" in cells


def test_it_names_the_configured_n_among_indicator_sources():
    assert ("answer_within", "20 秒接通率") in source_choices()
