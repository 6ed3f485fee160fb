import pytest

from hotline.accounts.services import user_create
from hotline.core.testing import PASSWORD


@pytest.fixture
def admin_client(client, org):
    root = user_create(username="root", password=PASSWORD, is_superuser=True)
    client.force_login(root)
    client.root = root
    return client
