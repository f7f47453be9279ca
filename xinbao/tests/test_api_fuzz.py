"""Schema fuzzing: every operation of the committed contract (docs/openapi.json), in-process.

schemathesis generates requests from the schema (its examples, coverage and fuzzing phases,
valid and invalid input) and sends them through Django's WSGI handler, the whole middleware
stack included, with a reporter's real API token. Every answer must be no server error and
exactly as documented: a documented status, content type, headers and body schema; invalid
input refused; the token required.

Not checked: that every schema-valid request is accepted ("positive data acceptance"). The
schema cannot say which unit ids exist or which a reporter may name, nor every rule of the
services (a phone number's digits, classified markings), and those refusals are documented
422s. Examples are bounded (50 per operation in the fuzzing phase) and seeded, so a run is
repeatable: about 20 s for all operations on 2 cores, the test database aside.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis import Case, GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.hooks import HookContext

from xinbao.accounts.services import create_token
from xinbao.items.models import ItemStatus
from xinbao.items.services import validate_writer_phone
from xinbao.test import Personas

SNAPSHOT = Path(settings.BASE_DIR) / "docs" / "openapi.json"

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20261207,
        "generation": {"max-examples": 50, "database": "none"},
        "checks": {"positive_data_acceptance": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_path(SNAPSHOT, config=CONFIG)
schema.app = WSGIHandler()


#: Ids of the items and units the fixture made: generated ids 1, 2, … stand for them, so
#: that operations reach their success paths too (on PostgreSQL real ids grow from test to
#: test; Hypothesis tries small numbers first).
ITEMS: list[int] = []
UNITS: list[int] = []


def _real(ids: list[int], value: Any) -> Any:
    is_small_id = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= len(ids)
    return ids[value - 1] if is_small_id else value


@schema.hook
def map_path_parameters(
    context: HookContext, path_parameters: dict[str, Any] | None
) -> dict[str, Any] | None:
    if path_parameters is not None and "item_id" in path_parameters:
        path_parameters["item_id"] = _real(ITEMS, path_parameters["item_id"])
    return path_parameters


def complete_valid_item(case: Case[Any]) -> None:
    """Give a schema-valid new item what the schema cannot say, so that it can be created.

    A unit id names a real unit, and a phone number has 7 to 12 digits (the schema only
    describes that rule). Invalid input is left as generated: it must be refused.
    """
    if (
        case.operation.label != "POST /api/v1/items"
        or not isinstance(case.body, dict)
        or case.meta is None
        or case.meta.generation.mode != GenerationMode.POSITIVE
    ):
        return
    body: dict[str, Any] = case.body
    if "unit_id" in body:
        body["unit_id"] = _real(UNITS, body["unit_id"])
    if isinstance(body.get("joint_unit_ids"), list):
        body["joint_unit_ids"] = [_real(UNITS, v) for v in body["joint_unit_ids"]]
    try:
        validate_writer_phone(body.get("writer_phone", ""))
    except ValidationError:
        body["writer_phone"] = "0571-87000000"


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
    UNITS[:] = [u.pk for u in (Cast.county_a, Cast.county_b, Cast.dept, Cast.point)]
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
def test_it_answers_every_generated_request_as_documented(case: Case[Any], token: str) -> None:
    complete_valid_item(case)
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
