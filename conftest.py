import pytest

from hotline.core.testing import Org, make_org


@pytest.fixture
def org(db) -> Org:
    return make_org()
