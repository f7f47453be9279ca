from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from xinbao.accounts.models import ApiToken
from xinbao.accounts.services import create_token, revoke_token
from xinbao.api import api
from xinbao.audit.models import AuditEvent
from xinbao.items.models import Attachment, Channel, IdempotencyKey, Item, ItemStatus, Urgency
from xinbao.test import BaseTestCase

URL = "/api/v1/items"


def new_item(**extra: Any) -> dict[str, Any]:
    return {
        "title": "东城县遭遇强降雨",
        "body": "6月1日夜间，东城县普降暴雨。\n\n全县转移群众300人。",
        "kind": "dynamic",
        "urgency": "important",
        "writer_name": "赵小红",
        "writer_phone": "13800000001",
        "topics": ["防汛"],
        **extra,
    }


class ApiTestCase(BaseTestCase):
    tokens: dict[str, str]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tokens = {
            u.username: create_token(user=u, name="测试")[1]
            for u in (cls.alice, cls.bob, cls.ed, cls.duty, cls.sysadmin)
        }

    def call(
        self,
        method: str,
        path: str,
        user: str = "alice",
        body: Any = None,
        raw: str | bytes | None = None,
        **headers: str,
    ) -> Any:
        """One request with ``user``'s token; the response, its JSON in ``.data``."""
        kwargs: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[user]}"}
        kwargs.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
        if raw is not None or body is not None:
            kwargs["data"] = raw if raw is not None else json.dumps(body)
            kwargs["content_type"] = "application/json"
        r = getattr(self.client, method.lower())(path, **kwargs)
        r.data = r.json() if r.content else None
        return r

    def assert_field_error(
        self, r: Any, loc: Sequence[str | int], type_: str | None = None
    ) -> None:
        assert r.status_code == 422, (r.status_code, r.data)
        errors = r.data["detail"]
        assert isinstance(errors, list)
        for e in errors:
            assert set(e) == {"type", "loc", "msg"}, e
            assert e["msg"], e
        locs = [e["loc"] for e in errors]
        assert list(loc) in locs, (loc, errors)
        if type_ is not None:
            assert type_ in [e["type"] for e in errors if e["loc"] == list(loc)], errors


class CreateTest(ApiTestCase):
    def test_it_creates_a_draft(self) -> None:
        r = self.call(
            "POST", URL, body=new_item(place="东城县城关镇", event_at="2026-06-01T22:00:00+08:00")
        )
        assert r.status_code == 201, r.data
        item = Item.objects.get(pk=r.data["id"])
        assert item.status == ItemStatus.DRAFT
        assert item.channel == Channel.API
        assert item.unit == self.county_a
        assert item.created_by == self.alice
        assert item.body == "6月1日夜间，东城县普降暴雨。\n全县转移群众300人。"
        assert r.data["unit"] == {"id": self.county_a.pk, "code": "C01", "name": "东城县委办公室"}
        assert r.data["topics"] == ["防汛"]
        assert r.data["urgency"] == Urgency.IMPORTANT
        assert r.data["status"] == "draft"
        assert r.data["channel"] == "api"
        assert r.data["event_at"] == "2026-06-01T22:00:00+08:00"
        assert item.event_at == dt.datetime(2026, 6, 1, 14, tzinfo=dt.UTC)
        assert self.call("GET", f"{URL}/{item.pk}").data["event_at"] == r.data["event_at"]
        assert r.data["submitted_at"] is None
        assert AuditEvent.objects.filter(action="item.create", object_id=str(item.pk)).exists()

    def test_it_creates_and_submits_at_once(self) -> None:
        r = self.call("POST", URL, body=new_item(submit=True))
        assert r.status_code == 201, r.data
        assert r.data["status"] == "submitted"
        assert r.data["submitted_at"] is not None

    def test_it_credits_joint_units(self) -> None:
        r = self.call("POST", URL, body=new_item(joint_unit_ids=[self.county_b.pk]))
        assert r.status_code == 201, r.data
        assert [u["code"] for u in r.data["joint_units"]] == ["C02"]

    def test_it_returns_the_same_item_for_a_repeated_key(self) -> None:
        first = self.call("POST", URL, body=new_item(), **{"Idempotency-Key": "k-1"})
        again = self.call("POST", URL, body=new_item(), **{"Idempotency-Key": "k-1"})
        assert first.status_code == 201, first.data
        assert again.status_code == 200, again.data
        assert again.data["id"] == first.data["id"]
        assert Item.objects.count() == 1

    def test_it_returns_the_same_item_for_a_repeated_key_that_submits(self) -> None:
        first = self.call("POST", URL, body=new_item(submit=True), **{"Idempotency-Key": "k-1"})
        again = self.call("POST", URL, body=new_item(submit=True), **{"Idempotency-Key": "k-1"})
        assert first.status_code == 201, first.data
        assert first.data["status"] == "submitted"
        assert again.status_code == 200, again.data
        assert again.data["id"] == first.data["id"]
        # SQLite ignores column lengths; PostgreSQL refuses a longer value.
        stored = IdempotencyKey.objects.get(key="k-1").body_hash
        assert IdempotencyKey._meta.get_field("body_hash").max_length == len(stored) == 64
        r = self.call("POST", URL, body=new_item(), **{"Idempotency-Key": "k-1"})
        self.assert_field_error(r, ["header", "Idempotency-Key"], "idempotency_conflict")

    def test_it_refuses_a_repeated_key_with_another_body(self) -> None:
        first = self.call("POST", URL, body=new_item(), **{"Idempotency-Key": "k-1"})
        assert first.status_code == 201
        r = self.call("POST", URL, body=new_item(title="另一条信息"), **{"Idempotency-Key": "k-1"})
        self.assert_field_error(r, ["header", "Idempotency-Key"], "idempotency_conflict")
        assert Item.objects.count() == 1

    def test_it_keeps_keys_apart_per_user(self) -> None:
        a = self.call("POST", URL, body=new_item(), **{"Idempotency-Key": "k-1"})
        b = self.call("POST", URL, "bob", body=new_item(), **{"Idempotency-Key": "k-1"})
        assert (a.status_code, b.status_code) == (201, 201)
        assert a.data["id"] != b.data["id"]

    def test_it_refuses_classified_text(self) -> None:
        r = self.call("POST", URL, body=new_item(body="机密★1年\n关于防汛工作的部署"))
        self.assert_field_error(r, ["body", "payload"], "classified")
        assert "机密★" in r.data["detail"][0]["msg"]
        assert not Item.objects.exists()

    def test_it_refuses_a_phone_the_web_form_refuses(self) -> None:
        # Arabic-Indic and full-width digits are digits to Python, not to an SMS gateway.
        for phone in (
            "not-a-phone",
            "123",
            "1380000000112345",
            "١٣٨٠٠٠٠٠٠٠١",
            "１３８００００００１",
        ):
            r = self.call("POST", URL, body=new_item(writer_phone=phone))
            self.assert_field_error(r, ["body", "payload", "writer_phone"], "invalid_phone")
            assert "7 to 12 digits" in r.data["detail"][0]["msg"]
        assert not Item.objects.exists()
        r = self.call("POST", URL, body=new_item(writer_phone="+86 0571-8888 1234"))
        assert r.status_code == 201, r.data

    def test_it_refuses_an_overlong_body(self) -> None:
        r = self.call("POST", URL, body=new_item(body="汛" * 20_001))
        self.assert_field_error(r, ["body", "payload", "body"], "too_long")
        assert "at most 20000 characters" in r.data["detail"][0]["msg"]
        assert not Item.objects.exists()
        r = self.call("POST", URL, body=new_item(body="汛" * 20_000))
        assert r.status_code == 201, r.data

    def test_it_requires_office_staff_to_name_the_unit(self) -> None:
        r = self.call("POST", URL, "duty", body=new_item())
        self.assert_field_error(r, ["body", "payload", "unit_id"], "unit")
        r = self.call("POST", URL, "duty", body=new_item(unit_id=10**9))
        self.assert_field_error(r, ["body", "payload", "unit_id"], "unknown_unit")
        r = self.call("POST", URL, "duty", body=new_item(unit_id=self.county_b.pk))
        assert r.status_code == 201, r.data
        assert r.data["unit"]["code"] == "C02"
        assert not Item.objects.exclude(pk=r.data["id"]).exists()

    def test_it_forbids_a_reporter_writing_for_another_unit(self) -> None:
        r = self.call("POST", URL, body=new_item(unit_id=self.county_b.pk))
        assert r.status_code == 403, r.data
        assert r.data["detail"]
        assert not Item.objects.exists()

    def test_it_forbids_roles_that_write_no_items(self) -> None:
        r = self.call("POST", URL, "sysadmin", body=new_item(unit_id=self.county_a.pk))
        assert r.status_code == 403, r.data
        assert not Item.objects.exists()

    def test_it_refuses_the_list_to_administrators(self) -> None:
        # 三员分立: an empty list would look like an office without reports.
        r = self.call("GET", URL, "sysadmin")
        assert r.status_code == 403, r.data
        assert r.data["detail"] == "Administrators do not read items."
        self.client.force_login(self.sysadmin)
        assert self.client.get(reverse("items:list")).status_code == 403


class MalformedInputTest(ApiTestCase):
    """Bad input is a 422 with field errors, never a 500 (and never an item)."""

    def test_it_answers_bad_bodies_with_field_errors(self) -> None:
        cases: list[tuple[str, Any, list[str | int]]] = [
            ("bad JSON", "{title: 1", ["body"]),
            ("not UTF-8", b'{"title": "\xff\xfe"}', ["body"]),
            ("a list", [1, 2], ["body", "payload"]),
            ("missing fields", {"title": "标题"}, ["body", "payload", "body"]),
            ("no kind", new_item(kind=None), ["body", "payload", "kind"]),
            ("unknown kind", new_item(kind="rumour"), ["body", "payload", "kind"]),
            ("unknown urgency", new_item(urgency="asap"), ["body", "payload", "urgency"]),
            ("long title", new_item(title="标" * 300), ["body", "payload", "title"]),
            ("long phone", new_item(writer_phone="1" * 40), ["body", "payload", "writer_phone"]),
            ("title a number", new_item(title=12), ["body", "payload", "title"]),
            ("topics a string", new_item(topics="防汛"), ["body", "payload", "topics"]),
            ("long topic", new_item(topics=["题" * 51]), ["body", "payload", "topics", 0]),
            (
                "joint ids text",
                new_item(joint_unit_ids=["东城"]),
                ["body", "payload", "joint_unit_ids", 0],
            ),
            ("huge unit id", new_item(unit_id=10**30), ["body", "payload", "unit_id"]),
            (
                "naive time",
                new_item(event_at="2026-06-01T22:00:00"),
                ["body", "payload", "event_at"],
            ),
            ("no time", new_item(event_at="昨天"), ["body", "payload", "event_at"]),
            ("NUL", new_item(title="东城\x00"), ["body", "payload", "title"]),
            ("unknown field", new_item(titel="东城"), ["body", "payload", "titel"]),
            ("blank title", new_item(title="   "), ["body", "payload", "title"]),
            ("blank body", new_item(body="\n \n"), ["body", "payload", "body"]),
            ("submit text", new_item(submit="maybe"), ["body", "payload", "submit"]),
        ]
        for name, body, loc in cases:
            with self.subTest(name):
                if isinstance(body, (str, bytes)):
                    r = self.call("POST", URL, raw=body)
                else:
                    r = self.call("POST", URL, body=body)
                self.assert_field_error(r, loc)
        assert not Item.objects.exists()

    def test_it_answers_an_empty_body_with_field_errors(self) -> None:
        r = self.client.post(
            URL,
            HTTP_AUTHORIZATION=f"Bearer {self.tokens['alice']}",
            content_type="application/json",
        )
        assert r.status_code == 422, r.content
        assert r.json()["detail"]

    def test_it_answers_a_too_long_key_with_a_field_error(self) -> None:
        r = self.call("POST", URL, body=new_item(), **{"Idempotency-Key": "k" * 201})
        self.assert_field_error(r, ["header", "Idempotency-Key"])

    def test_it_answers_bad_parameters_with_field_errors(self) -> None:
        item = self.make_item(self.alice)
        for path, loc in [
            (f"{URL}?limit=1000", ["query", "limit"]),
            (f"{URL}?limit=0", ["query", "limit"]),
            (f"{URL}?cursor={'c' * 1001}", ["query", "cursor"]),
            (f"{URL}?status=lost", ["query", "status"]),
            (f"{URL}?unit_id=abc", ["query", "unit_id"]),
            (f"{URL}?unit_id={10**30}", ["query", "unit_id"]),
            (f"{URL}/{10**30}", ["path", "item_id"]),
            (f"{URL}/0", ["path", "item_id"]),
        ]:
            with self.subTest(path):
                self.assert_field_error(self.call("GET", path), loc)
        assert self.call("GET", f"{URL}/{item.pk}").status_code == 200


class AuthTest(ApiTestCase):
    def test_it_refuses_requests_without_a_valid_token(self) -> None:
        cases = {
            "no header": {},
            "unknown token": {"HTTP_AUTHORIZATION": "Bearer xb_nothing"},
            "empty token": {"HTTP_AUTHORIZATION": "Bearer "},
            "basic auth": {"HTTP_AUTHORIZATION": "Basic YWxpY2U6eA=="},
        }
        for name, headers in cases.items():
            with self.subTest(name):
                r = self.client.get(URL, **headers)  # type: ignore[arg-type]
                assert r.status_code == 401, r.content
                assert r["WWW-Authenticate"] == "Bearer"
                assert r.json()["detail"]

    def test_it_refuses_a_revoked_token(self) -> None:
        assert self.call("GET", URL).status_code == 200
        token = ApiToken.objects.get(user=self.alice)
        revoke_token(user=self.alice, token=token)
        assert self.call("GET", URL).status_code == 401
        # A write with a dead token and no session is 401 too, not a CSRF refusal.
        assert self.call("POST", URL, body=new_item()).status_code == 401
        assert not Item.objects.exists()

    def test_it_refuses_the_token_of_an_inactive_user(self) -> None:
        self.alice.is_active = False
        self.alice.save()
        assert self.call("GET", URL).status_code == 401

    def test_it_stores_only_the_hash_and_notes_the_use(self) -> None:
        token = ApiToken.objects.get(user=self.alice)
        assert self.tokens["alice"] not in (token.key_hash, token.hint)
        assert token.last_used_at is None
        self.call("GET", URL)
        token.refresh_from_db()
        assert token.last_used_at is not None

    def test_it_shows_the_interactive_docs_only_to_signed_in_users(self) -> None:
        r = self.client.get("/api/v1/docs")
        assert r.status_code == 302
        assert r["Location"].startswith("/accounts/login/")
        self.client.force_login(self.alice)
        assert self.client.get("/api/v1/docs").status_code == 200

    def test_it_accepts_a_session_but_writes_need_the_csrf_token(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.alice)
        assert client.get(URL).status_code == 200
        body = json.dumps(new_item())
        r = client.post(URL, body, content_type="application/json")
        assert r.status_code == 403, r.content
        assert not Item.objects.exists()
        client.cookies["csrftoken"] = "x" * 32
        r = client.post(URL, body, content_type="application/json", HTTP_X_CSRFTOKEN="x" * 32)
        assert r.status_code == 201, r.content


class ReadTest(ApiTestCase):
    def test_it_lists_only_the_own_units_items_for_reporters(self) -> None:
        mine = self.make_item(self.alice)
        draft = self.make_item(self.alice, status=ItemStatus.DRAFT)
        joint = self.make_item(self.bob, title="两县联合开展防汛演练")
        joint.joint_units.add(self.county_a)
        self.make_item(self.bob, title="西山县召开会议")
        self.make_item(self.carol, title="第一中学开展安全教育")
        r = self.call("GET", URL)
        assert r.status_code == 200, r.data
        assert {i["id"] for i in r.data["items"]} == {mine.pk, draft.pk, joint.pk}
        assert len(r.data["items"]) == 3 and r.data["next"] is None

    def test_it_keeps_a_draft_from_its_joint_units(self) -> None:
        draft = self.make_item(self.alice, status=ItemStatus.DRAFT, title="两县联合开展防汛演练")
        draft.joint_units.add(self.county_b)
        assert self.call("GET", f"{URL}/{draft.pk}", "bob").status_code == 404
        assert self.call("GET", URL, "bob").data["items"] == []
        assert self.call("POST", f"{URL}/{draft.pk}/submit", "bob").status_code == 404
        assert self.call("POST", f"{URL}/{draft.pk}/submit").status_code == 200
        r = self.call("GET", f"{URL}/{draft.pk}", "bob")
        assert r.status_code == 200, r.data
        assert r.data["title"] == "两县联合开展防汛演练"
        assert [i["id"] for i in self.call("GET", URL, "bob").data["items"]] == [draft.pk]

    def test_it_lists_submitted_items_of_every_unit_for_editors(self) -> None:
        a = self.make_item(self.alice)
        b = self.make_item(self.bob, status=ItemStatus.RECEIVED)
        self.make_item(self.alice, status=ItemStatus.DRAFT)
        self.make_item(self.bob, status=ItemStatus.DRAFT)
        r = self.call("GET", URL, "ed")
        assert {i["id"] for i in r.data["items"]} == {a.pk, b.pk}
        assert "draft" not in {i["status"] for i in r.data["items"]}

    def test_it_filters_and_pages(self) -> None:
        now = timezone.now()
        items = [
            self.make_item(self.alice, submitted_at=now - dt.timedelta(hours=i)) for i in range(5)
        ]
        urgent = self.make_item(self.alice, urgency=Urgency.MAJOR_EMERGENCY, submitted_at=now)
        b = self.make_item(self.bob, submitted_at=now)
        r = self.call("GET", f"{URL}?urgency=major_emergency", "ed")
        assert [i["id"] for i in r.data["items"]] == [urgent.pk]
        r = self.call("GET", f"{URL}?unit_id={self.county_b.pk}", "ed")
        assert [i["id"] for i in r.data["items"]] == [b.pk]
        r = self.call("GET", f"{URL}?unit_id={self.county_a.pk}&limit=2", "ed")
        assert [i["id"] for i in r.data["items"]] == [urgent.pk, items[0].pk]
        r = self.call(
            "GET", f"{URL}?unit_id={self.county_a.pk}&limit=2&cursor={r.data['next']}", "ed"
        )
        assert [i["id"] for i in r.data["items"]] == [items[1].pk, items[2].pk]
        r = self.call("GET", f"{URL}?status=draft", "ed")
        assert r.data == {"items": [], "next": None}

    def test_it_reads_an_item_with_its_attachments(self) -> None:
        item = self.make_item(self.alice)
        att = Attachment.objects.create(
            item=item,
            kind="document",
            file="attachments/ab/" + "ab" * 32,
            original_name="现场情况.pdf",
            content_type="application/pdf",
            size=1234,
            sha256="ab" * 32,
            uploaded_by=self.alice,
        )
        r = self.call("GET", f"{URL}/{item.pk}")
        assert r.status_code == 200, r.data
        assert r.data["attachments"] == [
            {
                "id": att.pk,
                "kind": "document",
                "name": "现场情况.pdf",
                "content_type": "application/pdf",
                "size": 1234,
                "sensitivity": "ordinary",
                "url": f"http://testserver/items/{item.pk}/files/{att.pk}/",
            }
        ]

    def test_it_lists_without_a_query_per_item(self) -> None:
        def queries() -> int:
            with CaptureQueriesContext(connection) as ctx:
                assert self.call("GET", URL, "ed").status_code == 200
            return len(ctx.captured_queries)

        self.make_item(self.alice).topics.create(name="防汛")
        queries()  # the first use of a token also notes the time it was used
        one = queries()
        for _ in range(5):
            item = self.make_item(self.bob)
            item.joint_units.add(self.county_a)
        assert queries() == one


class TransitionTest(ApiTestCase):
    def test_it_withdraws_and_submits_again(self) -> None:
        item = self.make_item(self.alice)
        r = self.call("POST", f"{URL}/{item.pk}/withdraw")
        assert r.status_code == 200, r.data
        assert r.data["status"] == "withdrawn"
        r = self.call("POST", f"{URL}/{item.pk}/withdraw")
        assert r.status_code == 409, r.data
        assert "cannot" in r.data["detail"] or "不能" in r.data["detail"]
        r = self.call("POST", f"{URL}/{item.pk}/submit")
        assert r.status_code == 200, r.data
        assert r.data["status"] == "submitted"
        item.refresh_from_db()
        assert item.status == ItemStatus.SUBMITTED
        assert AuditEvent.objects.filter(action="item.withdrawn").count() == 1

    def test_it_refuses_to_withdraw_a_received_item(self) -> None:
        item = self.make_item(self.alice, status=ItemStatus.RECEIVED)
        r = self.call("POST", f"{URL}/{item.pk}/withdraw")
        assert r.status_code == 409, r.data
        item.refresh_from_db()
        assert item.status == ItemStatus.RECEIVED

    def test_it_forbids_an_editor_to_withdraw_a_units_item(self) -> None:
        item = self.make_item(self.alice)
        r = self.call("POST", f"{URL}/{item.pk}/withdraw", "ed")
        assert r.status_code == 403, r.data
        item.refresh_from_db()
        assert item.status == ItemStatus.SUBMITTED

    def test_it_refuses_to_submit_classified_text(self) -> None:
        item = self.make_item(self.alice, status=ItemStatus.DRAFT, body="秘密★\n内容")
        r = self.call("POST", f"{URL}/{item.pk}/submit")
        self.assert_field_error(r, [], "classified")
        item.refresh_from_db()
        assert item.status == ItemStatus.DRAFT


class IsolationTest(ApiTestCase):
    """Every route that takes an object's id answers another unit's object with 404."""

    def test_it_hides_other_units_items_on_every_route(self) -> None:
        item = self.make_item(self.alice)
        draft = self.make_item(self.alice, status=ItemStatus.DRAFT)
        before = list(Item.objects.order_by("pk").values())
        ids = {"item_id": item.pk}
        paths = api.get_openapi_schema()["paths"]
        walked = 0
        for template, operations in paths.items():
            names = re.findall(r"{(\w+)}", template)
            if not names:
                continue
            unknown = set(names) - ids.keys()
            assert not unknown, f"add an object of another unit for {unknown} to this test"
            for method in operations:
                for user, obj_ids in (("bob", ids), ("ed", {"item_id": draft.pk})):
                    path = template.format(**obj_ids)
                    with self.subTest(method=method, path=template, user=user):
                        body: dict[str, Any] | None = None if method == "get" else {}
                        r = self.call(method, path, user, body=body)
                        assert r.status_code == 404, (r.status_code, r.data)
                        assert r.data == {"detail": r.data["detail"]}
                        walked += 1
        assert walked >= 6  # read, submit and withdraw, each as bob and ed
        assert list(Item.objects.order_by("pk").values()) == before
