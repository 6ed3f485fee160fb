"""Supervision points in working days (SLA_SUPERVISE_AFTER=1wd,3wd), beside the old hours."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured

from hotline.sla.conf import supervise_after
from hotline.sla.scans import sla_scan

from .test_scans import at, inquiry_in_progress, scan

pytestmark = pytest.mark.usefixtures("golden_rules")


@pytest.fixture
def workdays(settings):
    settings.SLA = {**settings.SLA, "SUPERVISE_AFTER": ["1wd", "3wd"], "URGE_AFTER_HOURS": []}


def test_it_supervises_after_working_days_not_calendar_hours(org, workdays):
    order = inquiry_in_progress(org)  # reply due Wednesday 4 March 2026 17:30
    # One working day overdue: past the end of office hours of Thursday 5 March.
    assert scan(at(2026, 3, 5, 17, 30))["supervise"] == 0
    assert scan(at(2026, 3, 5, 17, 31))["supervise"] == 1
    # 72 hours would have raised level 2 on Saturday; three working days end Monday 9 March.
    assert scan(at(2026, 3, 8, 12, 0))["supervise"] == 0
    assert scan(at(2026, 3, 9, 17, 30))["supervise"] == 0
    assert scan(at(2026, 3, 9, 17, 31))["supervise"] == 1
    order.refresh_from_db()
    assert order.supervision_level == 2
    assert list(
        order.events.filter(action="supervise").values_list("payload__level", flat=True)
    ) == [1, 2]


def test_it_still_reads_the_hours_setting_when_the_new_one_is_empty(settings):
    settings.SLA = {**settings.SLA, "SUPERVISE_AFTER": [], "SUPERVISE_AFTER_HOURS": [24, 72]}
    assert supervise_after() == [(24, "hours"), (72, "hours")]


def test_it_mixes_hours_and_working_days(settings):
    settings.SLA = {**settings.SLA, "SUPERVISE_AFTER": ["12h", "2wd", "36"]}
    assert supervise_after() == [(12, "hours"), (2, "working_days"), (36, "hours")]


@pytest.mark.parametrize("entry", ["3d", "wd", "0wd", "-1h", "1.5wd"])
def test_it_names_an_entry_it_cannot_read(settings, entry):
    settings.SLA = {**settings.SLA, "SUPERVISE_AFTER": ["1wd", entry]}
    with pytest.raises(ImproperlyConfigured, match=f"「{entry}」无法识别"):
        supervise_after()


def test_it_skips_a_working_day_level_the_calendar_cannot_count(org, workdays):
    # In January 2027 counting working days needs 2027, which is not entered: the level is
    # skipped (and logged), the scan goes on.
    with time_machine.travel(at(2027, 1, 6), tick=False):
        assert sla_scan()["supervise"] == 0
