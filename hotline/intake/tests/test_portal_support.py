"""Helpers shared by the portal tests (no tests here): a clean shared cache for the rate
limits, and a valid submission to start from."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command

from hotline.core.testing import Org
from hotline.intake.portal_forms import fill_token

DB_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "hotline_cache",
    }
}


@pytest.fixture
def portal_cache(db, settings):
    """The database cache, emptied: counters of one test never reach the next (and a shared
    Redis, if the environment names one, is never flushed by these tests)."""
    settings.CACHES = DB_CACHE
    call_command("createcachetable", verbosity=0)
    cache.clear()
    yield cache
    cache.clear()


def submission(org: Org, **overrides: Any) -> dict[str, Any]:
    data = {
        "request_type": "complaint",
        "title": "",
        "content": "幸福小区 3 号楼门前路灯坏了一个月，晚上很黑，老人出行不便。",
        "region": org.street.code,
        "address": "双湖峪街道幸福小区 3 号楼",
        "phone": "13912345678",
        "name": "李女士",
        "website": "",
        # Rendered a minute ago: a person's pace, past the minimum fill time.
        "started": fill_token(time.time() - 60),
    }
    data.update(overrides)
    return data
