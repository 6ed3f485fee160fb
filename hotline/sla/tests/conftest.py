from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _sla_defaults(settings):
    # Tests state the city settings they rely on, whatever the environment says.
    settings.SLA = {
        "COUNTING": "next_day",
        "OFFICE_END": "17:30",
        "WARN_PERCENT": 80,
        "WARN_WORKDAYS_LEFT": 0,
        "URGE_AFTER_HOURS": [0],
        "SUPERVISE_AFTER_HOURS": [24, 72, 168],
        "URGE_UNACKNOWLEDGED": True,
        "REFUSE_LATE_RETURN": False,
        "CHANNELS": ["sms", "email"],
    }
