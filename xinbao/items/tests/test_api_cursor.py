"""The items API's list is walked by cursor: every item once, in order, no OFFSET, no COUNT(*)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinbao.api import openapi_document
from xinbao.items.models import Item, ItemStatus, Urgency
from xinbao.items.tests.test_api import URL, ApiTestCase

START = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)


def expected_order(items: list[Item]) -> list[int]:
    """Newest submission first, then the highest id; NULLs (drafts) where the database sorts
    them in a descending list: last on SQLite, first on PostgreSQL."""
    nulls_largest = connection.features.nulls_order_largest
    drafts = sorted((i.pk for i in items if i.submitted_at is None), reverse=True)
    sent = [
        i.pk
        for i in sorted(
            (i for i in items if i.submitted_at is not None),
            key=lambda i: (i.submitted_at, i.pk),
            reverse=True,
        )
    ]
    return drafts + sent if nulls_largest else sent + drafts


class CursorListTest(ApiTestCase):
    own: list[Item]
    joint: list[Item]
    others: list[Item]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.own = []
        for n in range(28):
            # Pairs share a submission time: the id breaks the tie across a page boundary.
            cls.own.append(
                cls.make_item(
                    cls.alice,
                    title=f"东城县汛情第{n}报",
                    submitted_at=START + dt.timedelta(hours=n // 2),
                    urgency=Urgency.IMPORTANT if n % 3 == 0 else Urgency.ROUTINE,
                )
            )
        for n in range(5):
            cls.own.append(
                cls.make_item(cls.alice, status=ItemStatus.DRAFT, title=f"东城县草稿{n}")
            )
        cls.joint = []
        cls.others = []
        for n in range(8):
            item = cls.make_item(
                cls.bob,
                title=f"西山县汛情第{n}报",
                submitted_at=START + dt.timedelta(hours=n, minutes=30),
                urgency=Urgency.IMPORTANT if n % 2 else Urgency.ROUTINE,
            )
            if n < 5:
                item.joint_units.add(cls.county_a)
                cls.joint.append(item)
            else:
                cls.others.append(item)
        for n in range(4):
            cls.others.append(
                cls.make_item(
                    cls.carol, title=f"第一中学第{n}报", submitted_at=START + dt.timedelta(hours=n)
                )
            )

    def walk(self, user: str, query: str = "", limit: int = 20) -> list[list[int]]:
        """Every page of the list, following ``next`` until it is null: each page's ids."""
        pages: list[list[int]] = []
        cursor: str | None = None
        while True:
            url = f"{URL}?limit={limit}{query}" + (f"&cursor={cursor}" if cursor else "")
            r = self.call("GET", url, user)
            assert r.status_code == 200, r.data
            assert set(r.data) == {"items", "next"}
            pages.append([i["id"] for i in r.data["items"]])
            cursor = r.data["next"]
            if cursor is None:
                return pages
            assert len(pages) < 50, "the walk does not end"

    def test_it_walks_a_reporters_own_and_joint_items_page_by_page(self) -> None:
        pages = self.walk("alice")
        expected = expected_order(self.own + self.joint)
        assert len(expected) == 38
        assert [len(p) for p in pages] == [20, 18]
        assert [pk for page in pages for pk in page] == expected

    def test_it_walks_every_submitted_item_for_an_editor(self) -> None:
        pages = self.walk("ed")
        submitted = [i for i in self.own + self.joint + self.others if i.submitted_at]
        expected = expected_order(submitted)
        assert len(expected) == 40
        # Exactly two full pages: the second says there is no third.
        assert [len(p) for p in pages] == [20, 20]
        assert [pk for page in pages for pk in page] == expected

    def test_it_keeps_the_filters_on_every_page(self) -> None:
        pages = self.walk("alice", "&urgency=important", limit=4)
        important = [i for i in self.own + self.joint if i.urgency == Urgency.IMPORTANT]
        assert [len(p) for p in pages] == [4, 4, 4]
        assert [pk for page in pages for pk in page] == expected_order(important)
        pages = self.walk("ed", f"&unit_id={self.county_b.pk}", limit=3)
        assert [pk for page in pages for pk in page] == expected_order(self.joint + self.others[:3])

    def test_it_refuses_a_cursor_that_was_altered(self) -> None:
        first = self.call("GET", f"{URL}?limit=5").data
        edited_time = json.dumps(["n", [{"t": "abc"}, 7]]).encode()
        naive_time = json.dumps(["n", [{"t": "2026-07-01T08:00:00"}, 7]]).encode()
        backward = json.dumps(["p", [{"t": "2026-07-01T08:00:00+00:00"}, 7]]).encode()
        for cursor in (
            "not-a-cursor",
            first["next"][:-3],
            first["next"] + "x",
            *(
                base64.urlsafe_b64encode(raw).decode().rstrip("=")
                for raw in (edited_time, naive_time, backward, b'["n",[1]]', b'["x",[null,1]]')
            ),
        ):
            with self.subTest(cursor):
                r = self.call("GET", f"{URL}?limit=5&cursor={cursor}")
                self.assert_field_error(r, ["query", "cursor"], "invalid_cursor")
                assert "This cursor is not one this list handed out." in r.data["detail"][0]["msg"]
        # The cursor handed out still works.
        r = self.call("GET", f"{URL}?limit=5&cursor={first['next']}")
        assert r.status_code == 200 and len(r.data["items"]) == 5

    def test_it_never_shows_another_units_items_through_a_cursor(self) -> None:
        # Bob follows a cursor from Alice's list: he walks his own unit's list from there.
        alices = self.call("GET", f"{URL}?limit=3").data
        r = self.call("GET", f"{URL}?limit=100&cursor={alices['next']}", "bob")
        assert r.status_code == 200, r.data
        bobs = {i.pk for i in self.joint + self.others[:3]}
        assert r.data["items"] and {i["id"] for i in r.data["items"]} <= bobs

    def test_it_reads_a_page_without_offset_or_count(self) -> None:
        first = self.call("GET", f"{URL}?limit=5", "ed").data
        with CaptureQueriesContext(connection) as queries:
            r = self.call("GET", f"{URL}?limit=5&cursor={first['next']}", "ed")
        assert r.status_code == 200, r.data
        item_queries = [q["sql"] for q in queries if 'FROM "items_item"' in q["sql"]]
        assert item_queries
        for sql in item_queries:
            assert "COUNT(" not in sql.upper() and "OFFSET" not in sql.upper(), sql

    def test_it_documents_the_cursor_in_the_schema(self) -> None:
        operation: dict[str, Any] = openapi_document()["paths"][URL]["get"]
        names = {p["name"] for p in operation["parameters"]}
        assert {"limit", "cursor"} <= names and "offset" not in names
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert "$ref" in schema and schema["$ref"].endswith("PagedItemOut")
