from datetime import timedelta

import pytest
from django.utils import timezone

from hotline.dispatch import catalogue, coldstart, store
from hotline.workorders.tests.factories import registered

from .history import OTHERS, PLACES_ON_STREETS, lights


@pytest.fixture(autouse=True)
def model_dir(settings, tmp_path):
    """Each test writes its models to its own directory and starts with empty caches (the
    models, and the catalogue snapshot: a rolled-back test's rows are not the next one's)."""
    settings.DISPATCH = {"MODEL_DIR": str(tmp_path / "models")}
    store.clear_cache()
    catalogue.forget()
    coldstart.forget_calibration()
    yield tmp_path / "models"
    store.clear_cache()
    catalogue.forget()
    coldstart.forget_calibration()


@pytest.fixture
def rising(org):
    """Seven street-light complaints this week, one the week before, and unrelated noise."""
    for place in PLACES_ON_STREETS:
        lights(org, place, days_ago=2)
    lights(org, "解放路", days_ago=9)
    for i, (title, content) in enumerate(OTHERS):
        registered(org, title=title, content=content, at=timezone.now() - timedelta(days=i % 3))
    return org
