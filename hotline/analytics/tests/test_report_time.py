from datetime import time

import pytest
from django.core.exceptions import ImproperlyConfigured

from hotline.analytics.apps import daily_report_time
from hotline.core import periodic


def test_the_morning_report_runs_at_the_configured_time(settings):
    settings.HOTLINE_KPI = {**settings.HOTLINE_KPI, "DAILY_REPORT_AT": "06:30"}
    assert daily_report_time() == time(6, 30)


def test_a_malformed_report_time_is_a_configuration_error_naming_the_setting(settings):
    settings.HOTLINE_KPI = {**settings.HOTLINE_KPI, "DAILY_REPORT_AT": "7 点"}
    with pytest.raises(ImproperlyConfigured, match="HOTLINE_DAILY_REPORT_AT"):
        daily_report_time()


def test_the_default_registration_is_seven_in_the_morning():
    job = {j.name: j for j in periodic.jobs()}["analytics.daily_report"]
    assert job.daily_at == time(7, 0)
