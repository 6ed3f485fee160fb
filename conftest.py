import pytest

from hotline.core.testing import Org, make_org


@pytest.fixture
def org(db) -> Org:
    return make_org()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 is slow on purpose (~0.5 s a user) and every `org` creates ten users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    # A request leaves its language active in the thread; each test starts from the default.
    yield
    from django.utils import translation

    translation.deactivate()
