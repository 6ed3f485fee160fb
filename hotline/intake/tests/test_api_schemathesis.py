"""Schemathesis over the WHOLE OpenAPI document (/api/openapi.json): every operation, generated
requests valid and not, must never get a server error, and every documented answer must match
its schema. Bounded in time: a few examples an operation, no deadline per example.

Credentials: a staff bearer token of a centre user holding every hotline role (so role checks
let most operations through to their real work) and a channel key with every operation."""

from __future__ import annotations

import json

import pytest

schemathesis = pytest.importorskip("schemathesis")
from django.core.signals import request_finished, request_started  # noqa: E402
from django.db import close_old_connections  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error, response_schema_conformance  # noqa: E402

from hotline.accounts.choices import HOTLINE_ROLES  # noqa: E402
from hotline.accounts.models import ApiToken  # noqa: E402
from hotline.accounts.services import user_create  # noqa: E402
from hotline.intake.channel_testing import make_channel  # noqa: E402
from hotline.intake.models import Operation  # noqa: E402
from hotline.wsgi import application  # noqa: E402

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
# Enough to reach each operation's validation and its work, small enough for `make test`.
EXAMPLES = 4


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
    """At the end of each operation's run, at least one generated request must have got past
    authentication, so the run exercised the operation and not only the key check."""
    roles = [(org.centre, role) for role in sorted(HOTLINE_ROLES)]
    omni = user_create(username="omni", password=None, memberships=roles)
    _channel, key = make_channel(rate_limit=0, operations=list(Operation.values))
    _token, bearer = ApiToken.issue(user=omni, name="schemathesis")
    statuses: list[int] = []
    yield {"X-Channel-Key": key, "Authorization": f"Bearer {bearer}"}, statuses
    assert any(s != 401 for s in statuses), statuses


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_it_never_answers_a_server_error_nor_off_schema(case, credentials):
    headers, statuses = credentials
    response = case.call_and_validate(
        headers=headers, checks=[not_a_server_error, response_schema_conformance]
    )
    statuses.append(response.status_code)


HUGE = str(2**70)  # beyond any database integer: what schemathesis found as a 500 on SQLite


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", f"/api/categories?parent={HUGE}", None),
        ("get", f"/api/regions?parent={HUGE}", None),
        ("get", f"/api/units?parent={HUGE}", None),
        ("get", f"/api/dispatch-catalogue/suggest?category={HUGE}", None),
        ("get", f"/api/workorders?category={HUGE}", None),
        ("get", f"/api/workorders?unit={HUGE}", None),
        ("get", f"/api/workorders?region={HUGE}", None),
        ("get", f"/api/orders/export.xlsx?category={HUGE}", None),
        ("get", f"/api/dispatch/suggest?category={HUGE}", None),
        ("post", f"/api/notifications/{HUGE}/read", None),
        ("post", f"/api/telephony/missed-calls/{HUGE}/callback", {"outcome": "reached"}),
        ("get", f"/api/workorders/1/attachments/{HUGE}", None),
        ("post", "/api/channel/requests", {"title": "t", "content": "c", "category": 2**70}),
        ("post", "/api/workorders", {"title": "t", "content": "c", "category": 2**70}),
    ],
)
def test_it_refuses_ids_too_big_for_the_database(credentials, client, method, path, body):
    headers, statuses = credentials
    statuses.append(0)
    extra = {"HTTP_X_CHANNEL_KEY": headers["X-Channel-Key"]}
    extra["HTTP_AUTHORIZATION"] = headers["Authorization"]
    if body is None:
        response = getattr(client, method)(path, **extra)
    else:
        response = getattr(client, method)(
            path, data=json.dumps(body), content_type="application/json", **extra
        )
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
