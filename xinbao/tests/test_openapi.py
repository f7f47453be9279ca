"""The API contract: the OpenAPI document matches the committed snapshot (docs/openapi.json)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.test import SimpleTestCase
from django.utils import translation

from xinbao.api import openapi_document, openapi_json

SNAPSHOT = Path(settings.BASE_DIR) / "docs" / "openapi.json"
REGENERATE = "run `.venv/bin/python manage.py openapi > docs/openapi.json` and commit the result"


def differences(old: Any, new: Any, at: str = "") -> list[str]:
    """Where two JSON documents differ, as JSON pointers."""
    if isinstance(old, dict) and isinstance(new, dict):
        found: list[str] = []
        for key in sorted(old.keys() | new.keys()):
            where = f"{at}/{str(key).replace('~', '~0').replace('/', '~1')}"
            if key not in old or key not in new:
                found.append(where)
            else:
                found += differences(old[key], new[key], where)
        return found
    return [] if old == new else [at or "/"]


class OpenApiTest(SimpleTestCase):
    """The API contract is docs/openapi.json: a change to it is a reviewed change."""

    def test_it_matches_the_committed_snapshot(self) -> None:
        assert SNAPSHOT.exists(), f"docs/openapi.json is missing: {REGENERATE}"
        committed = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
        changed = differences(committed, openapi_document())
        if changed:
            self.fail(
                f"The API no longer matches docs/openapi.json; it differs at "
                f"{', '.join(changed[:10])}{' …' if len(changed) > 10 else ''}. "
                f"If the change is intended, {REGENERATE}."
            )

    def test_it_writes_the_snapshot_byte_for_byte(self) -> None:
        out = StringIO()
        call_command("openapi", stdout=out)
        assert out.getvalue() == openapi_json()
        assert out.getvalue().endswith("}\n")
        assert "\\u" not in out.getvalue()  # non-ASCII text is written as UTF-8
        # The same text whatever language the request or shell is in.
        with translation.override("zh-hans"):
            assert openapi_json() == out.getvalue()
        assert SNAPSHOT.read_text(encoding="utf-8") == out.getvalue(), REGENERATE

    def test_it_finds_where_documents_differ(self) -> None:
        old = {"paths": {"/a": {"get": {"summary": "A"}}, "/b/{id}": {}}, "openapi": "3.1.0"}
        new = {"paths": {"/a": {"get": {"summary": "B"}}}, "openapi": "3.1.0"}
        assert differences(old, new) == ["/paths/~1a/get/summary", "/paths/~1b~1{id}"]
        assert differences(new, new) == []

    def test_it_describes_every_operation_with_its_refusals(self) -> None:
        document = openapi_document()
        assert document["openapi"].startswith("3.")
        operations = [op for ops in document["paths"].values() for op in ops.values()]
        assert len(operations) >= 5
        for op in operations:
            assert {"401", "403", "422"} <= op["responses"].keys(), op["operationId"]
            assert op["security"] == [{"TokenAuth": []}, {"SessionCsrfAuth": []}]
        assert document["components"]["securitySchemes"]["TokenAuth"] == {
            "type": "http",
            "scheme": "bearer",
        }
