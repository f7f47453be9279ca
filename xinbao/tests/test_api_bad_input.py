"""Bad input to the API is refused in the documented JSON shapes, never answered with a 500.

Every refusal here is one the API once answered with a server error or an HTML page: text
that no database stores (a lone surrogate), an offset past a 64-bit integer, JSON nested too
deeply to read, bodies over the size limit, form data that cannot be read.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

from django.test import Client
from django.urls import reverse

from xinbao.items.models import Item
from xinbao.items.tests.test_api import URL, ApiTestCase, new_item

#: A lone surrogate as JSON spells it: valid JSON, but no Unicode text.
SURROGATE = "\\ud800"


def with_raw(field: str, raw_value: str) -> str:
    """A valid item as JSON text, with ``field`` set to ``raw_value`` written verbatim."""
    body = new_item()
    body[field] = "@@"
    return json.dumps(body, ensure_ascii=False).replace('"@@"', raw_value)


class TextTest(ApiTestCase):
    def assert_error_shape(self, r: Any) -> None:
        assert r["Content-Type"] == "application/json; charset=utf-8", r["Content-Type"]
        for error in r.data["detail"]:
            assert set(error) == {"type", "loc", "msg"}, error
            assert error["msg"], error

    def test_it_refuses_a_lone_surrogate_in_a_topic(self) -> None:
        r = self.call("POST", URL, raw=with_raw("topics", f'["防汛", "a{SURROGATE}b"]'))
        self.assert_field_error(r, ["body", "payload", "topics", 1], "surrogate_character")
        self.assert_error_shape(r)
        assert not Item.objects.exists()

    def test_it_refuses_a_lone_surrogate_in_every_text_field(self) -> None:
        for field in ("title", "body", "writer_name", "writer_phone", "approved_by", "place"):
            with self.subTest(field):
                r = self.call("POST", URL, raw=with_raw(field, f'"x{SURROGATE}"'))
                self.assert_field_error(r, ["body", "payload", field], "surrogate_character")
        # The low half alone is no better.
        r = self.call("POST", URL, raw=with_raw("place", '"\\udfff"'))
        self.assert_field_error(r, ["body", "payload", "place"], "surrogate_character")
        assert not Item.objects.exists()

    def test_it_accepts_a_surrogate_pair_which_is_one_character(self) -> None:
        # "\ud83c\udf0a" is U+1F30A (water wave): a pair, valid text, stored as it came.
        r = self.call("POST", URL, raw=with_raw("topics", '["\\ud83c\\udf0a防汛"]'))
        assert r.status_code == 201, r.data
        assert r.data["topics"] == ["\U0001f30a防汛"]

    def test_it_stores_undecodable_form_bytes_as_replacement_characters(self) -> None:
        # The web form never sees a lone surrogate: Django decodes the UTF-8 of one (ED A0 80,
        # which no valid UTF-8 holds) as replacement characters, so the item is stored.
        self.client.force_login(self.alice)
        raw = (
            "title=A%ED%A0%80B&body=x&kind=dynamic&urgency=routine&writer_name=W"
            "&writer_phone=13800000001&topics=t%ED%A0%80"
        )
        r = self.client.post(
            reverse("items:create"), raw, content_type="application/x-www-form-urlencoded"
        )
        assert r.status_code == 302, r.content
        item = Item.objects.get()
        assert item.title == "A\ufffd\ufffd\ufffdB"
        assert [t.name for t in item.topics.all()] == ["t\ufffd\ufffd\ufffd"]

    def test_it_refuses_a_nul_in_the_idempotency_key(self) -> None:
        r = self.call("POST", URL, body=new_item(), **{"Idempotency-Key": "k\x00"})
        self.assert_field_error(r, ["header", "Idempotency-Key"], "null_character")
        assert not Item.objects.exists()


class PagingTest(ApiTestCase):
    def test_it_refuses_a_limit_past_a_64_bit_integer(self) -> None:
        self.make_item(self.alice)
        for value in (2**63, 2**64, 10**30):
            with self.subTest(value):
                r = self.call("GET", f"{URL}?limit={value}")
                self.assert_field_error(r, ["query", "limit"], "less_than_equal")

    def test_it_answers_a_cursor_past_a_64_bit_integer_with_a_page_not_an_error(self) -> None:
        item = self.make_item(self.alice, submitted_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
        for values, expected in (
            ([{"t": "2026-01-01T00:00:00+00:00"}, 10**30], [item.pk]),
            ([{"t": "2026-01-01T00:00:00+00:00"}, -(2**64)], [item.pk]),
            # After the drafts' NULL: where NULLs sort is the database's, the item may follow.
            ([None, 2**64], None),
        ):
            raw = json.dumps(["n", values]).encode()
            cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
            with self.subTest(values):
                r = self.call("GET", f"{URL}?cursor={cursor}")
                assert r.status_code == 200, r.data
                assert r.data["next"] is None
                ids = [i["id"] for i in r.data["items"]]
                assert ids == expected if expected is not None else set(ids) <= {item.pk}


class BodyTest(ApiTestCase):
    def test_it_refuses_json_nested_too_deeply_with_a_field_error(self) -> None:
        depth = 100_000
        for raw in (
            "[" * depth + "]" * depth,
            with_raw("topics", "[" * depth + "]" * depth),
            with_raw("place", '{"a":' * depth + "1" + "}" * depth),
        ):
            with self.subTest(raw[:20]):
                r = self.call("POST", URL, raw=raw)
                self.assert_field_error(r, ["body"], "json_too_deep")
                message = r.data["detail"][0]["msg"]
                assert message == "The request body is nested too deeply to read."
        assert not Item.objects.exists()

    def test_it_refuses_an_oversized_json_body_with_a_json_413(self) -> None:
        body = new_item(body="汛" * 2000)
        with self.settings(DATA_UPLOAD_MAX_MEMORY_SIZE=4096):
            r = self.call("POST", URL, body=body)
            assert r.status_code == 413, r.content
            assert r["Content-Type"] == "application/json; charset=utf-8"
            assert r.data == {
                "detail": "The request body is larger than 4 KB, the most the API accepts."
            }
            # The same body just under the limit is taken.
            r = self.call("POST", URL, body=new_item(body="汛" * 300))
            assert r.status_code == 201, r.data
        assert Item.objects.count() == 1

    def test_it_refuses_an_oversized_body_from_a_signed_in_page_too(self) -> None:
        # Session callers' writes are checked for the CSRF token, which reads the body first.
        client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(self.alice)
        client.cookies["csrftoken"] = "x" * 32
        with self.settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024):
            r = client.post(URL, {"note": "x" * 2048}, HTTP_X_CSRFTOKEN="x" * 32)
        assert r.status_code == 413, r.content
        assert "larger than 1 KB" in r.json()["detail"]

    def test_it_refuses_oversized_and_unreadable_form_data_on_uploads(self) -> None:
        item = self.make_item(self.alice, status="draft")
        path = f"{URL}/{item.pk}/attachments"
        auth = {"HTTP_AUTHORIZATION": f"Bearer {self.tokens['alice']}"}
        with self.settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024):
            r = self.client.post(path, {"note": "x" * 2048}, **auth)  # type: ignore[arg-type]
        assert r.status_code == 413, r.content
        assert "larger than 1 KB" in r.json()["detail"]
        with self.settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=5):
            fields = {f"f{i}": "x" for i in range(10)}
            r = self.client.post(path, fields, **auth)  # type: ignore[arg-type]
        assert r.status_code == 413, r.content
        assert r.json() == {"detail": "The request has too many form fields or files."}
        # No boundary: Django cannot split the body into fields at all.
        r = self.client.post(
            path,
            b"--b\r\n",
            content_type="multipart/form-data",
            **auth,  # type: ignore[arg-type]
        )
        assert r.status_code == 422, r.content
        assert r.json() == {
            "detail": [
                {
                    "type": "body_invalid",
                    "loc": ["body"],
                    "msg": "The request body could not be read as form data.",
                }
            ]
        }
        assert not item.attachments.exists()


class OutsideOperationsTest(ApiTestCase):
    def test_it_answers_an_unknown_path_with_a_json_404(self) -> None:
        for path in ("/api/v1/nothing", f"{URL}/", f"{URL}/1/nothing", "/api/v2/items"):
            with self.subTest(path):
                r = self.call("GET", path)
                assert r.status_code == 404, r.content
                assert r["Content-Type"] == "application/json; charset=utf-8"
                assert r.data == {"detail": "Not found."}

    def test_it_answers_a_method_a_path_does_not_take_with_a_json_405(self) -> None:
        item = self.make_item(self.alice)
        for method, path, allowed in (
            ("PUT", URL, {"GET", "POST"}),
            ("DELETE", f"{URL}/{item.pk}", {"GET"}),
            ("GET", f"{URL}/{item.pk}/submit", {"POST"}),
        ):
            with self.subTest(method=method, path=path):
                r = self.call(method, path)
                assert r.status_code == 405, r.content
                assert r["Content-Type"] == "application/json; charset=utf-8"
                assert {m.strip() for m in r["Allow"].split(",")} == allowed
                assert r.data == {"detail": f"This path does not take the method {method}."}
        # Pages outside the API keep their HTML answers.
        r = self.client.get("/no-such-page/")
        assert r.status_code == 404
        assert r["Content-Type"].startswith("text/html")
