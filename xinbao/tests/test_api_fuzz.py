"""Schema fuzzing: every operation of the committed contract (docs/openapi.json), in-process.

schemathesis generates requests from the schema (its examples, coverage and fuzzing phases,
valid and invalid input) and sends them through Django's WSGI handler, the whole middleware
stack included, with a reporter's real API token. Every answer must be no server error and
exactly as documented: a documented status, content type, headers and body schema; invalid
input refused; the token required.

Not checked: that every schema-valid request is accepted ("positive data acceptance"). The
schema cannot say which unit ids exist or which a reporter may name, nor every rule of the
services (a phone number's digits, classified markings), and those refusals are documented
422s. Examples are bounded and seeded, so a run is repeatable and takes seconds per operation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.config import SchemathesisConfig
from schemathesis.hooks import HookContext

from xinbao.accounts.services import create_token
from xinbao.items.models import ItemStatus
from xinbao.test import Personas

SNAPSHOT = Path(settings.BASE_DIR) / "docs" / "openapi.json"

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20261207,
        "generation": {"max-examples": 25, "database": "none"},
        "checks": {"positive_data_acceptance": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_path(SNAPSHOT, config=CONFIG)
schema.app = WSGIHandler()


#: Ids of the items the fixture made, for the path parameters 1, 2, 3.
ITEMS: list[int] = []


@schema.hook
def map_path_parameters(
    context: HookContext, path_parameters: dict[str, Any] | None
) -> dict[str, Any] | None:
    item_id = (path_parameters or {}).get("item_id")
    if path_parameters is not None and isinstance(item_id, int) and 1 <= item_id <= len(ITEMS):
        path_parameters["item_id"] = ITEMS[item_id - 1]
    return path_parameters


class Cast(Personas):
    """The personas, made inside each operation's test so that its writes are rolled back."""


@pytest.fixture
def token(db: None) -> Iterator[str]:
    """A reporter's real API token; the database connection stays open across requests.

    Django closes the connection at the end of every request, which would end the test's
    transaction; its own test client keeps it open the same way.
    """
    Cast.create_personas()
    raw = create_token(user=Cast.alice, name="fuzz")[1]
    # Small generated ids stand for these (see the hook), so that operations on one item
    # reach their success paths too: the reporter's draft, her submitted item, another
    # unit's item (a 404 for her).
    ITEMS[:] = [
        Cast.make_item(Cast.alice, status=ItemStatus.DRAFT).pk,
        Cast.make_item(Cast.alice, event_at=dt.datetime(1900, 5, 1, tzinfo=dt.UTC)).pk,
        Cast.make_item(Cast.bob).pk,
    ]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield raw
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_it_answers_every_generated_request_as_documented(case: Any, token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
