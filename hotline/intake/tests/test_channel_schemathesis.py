"""Schemathesis runs of the OpenAPI document over the channel, SMS opt-out and missed-call operations:
generated requests (valid and not) never get a server error. Bounded: a few examples each."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from django.core.signals import request_finished, request_started  # noqa: E402
from django.db import close_old_connections  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

from hotline.accounts.models import ApiToken  # noqa: E402
from hotline.intake.channel_testing import make_channel  # noqa: E402
from hotline.wsgi import application  # noqa: E402

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application).include(
    path_regex=r"^/api/(channel|telephony|sms)/"
)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Schemathesis calls the WSGI app directly, which closes the database connection when a
    request finishes; the test's transaction lives on it. Django's test client does the same."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def credentials(org):
    """A channel key for the channel operations and an agent's token for the telephony ones;
    at the end, at least one generated request must have got past authentication, so the run
    exercised the operation and not only the key check (some cases drop the credentials)."""
    _channel, key = make_channel(rate_limit=0)
    _token, bearer = ApiToken.issue(user=org.alice, name="schemathesis")
    statuses: list[int] = []
    yield {"X-Channel-Key": key, "Authorization": f"Bearer {bearer}"}, statuses
    assert any(s != 401 for s in statuses), statuses


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_it_never_answers_a_server_error(case, credentials):
    headers, statuses = credentials
    response = case.call_and_validate(headers=headers, checks=[not_a_server_error])
    statuses.append(response.status_code)
