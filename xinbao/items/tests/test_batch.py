"""The batch intake: many items in one call, all or nothing, idempotent, one audit append."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinbao.audit.models import AuditEvent, ChainHead
from xinbao.audit.services import Event, record, record_many, verify
from xinbao.items.models import Item, ItemBand, ItemSignature, ItemStatus
from xinbao.items.search import search
from xinbao.items.similarity import BANDS, band_hashes, unpack
from xinbao.items.tests.test_api import ApiTestCase, new_item
from xinbao.lib.labels import Sensitivity

URL = "/api/v1/items/batch"


def batch(n: int, prefix: str = "k", **extra: Any) -> dict[str, Any]:
    return {
        "items": [
            new_item(key=f"{prefix}{i}", title=f"东城县汛情第{i}报", **extra) for i in range(n)
        ]
    }


def chain_updates(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if "audit_chainhead" in q["sql"]]


class BatchTest(ApiTestCase):
    def test_it_creates_500_items_in_one_call_with_one_chain_append(self) -> None:
        before = ChainHead.objects.get(pk=1).count if ChainHead.objects.exists() else 0
        with CaptureQueriesContext(connection) as ctx:
            r = self.call("POST", URL, body=batch(500, submit=True))
        assert r.status_code == 201, r.data
        assert r.data["created"] == 500
        assert [i["index"] for i in r.data["items"]] == list(range(500))
        items = Item.objects.filter(unit=self.county_a, title__startswith="东城县汛情第")
        assert items.count() == 500
        assert set(items.values_list("status", flat=True)) == {ItemStatus.SUBMITTED}
        assert {t.name for t in items[0].topics.all()} == {"防汛"}
        # One lock of the head and one statement moving it: not one append per event.
        head_queries = chain_updates(ctx)
        assert len(head_queries) == 2, head_queries
        assert ChainHead.objects.get(pk=1).count == before + 1000
        actions = AuditEvent.objects.filter(object_id=str(r.data["items"][7]["id"]))
        assert sorted(actions.values_list("action", flat=True)) == [
            "item.create",
            "item.submitted",
        ]
        assert verify() == []
        # Every item is signed, its bands stored (by COPY on PostgreSQL) as its signature says.
        assert ItemBand.objects.filter(item__in=items).count() == BANDS * 500
        one = items.order_by("pk")[7]
        stored = {(b.band, b.hash) for b in ItemBand.objects.filter(item=one)}
        assert stored == set(band_hashes(unpack(ItemSignature.objects.get(item=one).minhash)))
        assert ItemSignature.objects.filter(item__in=items).count() == 500
        # Their search entries (by COPY on PostgreSQL too) find them.
        found = search(self.ed, "汛情")
        assert found.total == 500
        # The items are read like any other: the office's list finds them.
        listed: list[int] = []
        url: str | None = "/api/v1/items?limit=100"
        while url:
            page = self.call("GET", url, user="ed")
            assert page.status_code == 200
            listed += [i["id"] for i in page.data["items"]]
            url = page.data["next"] and f"/api/v1/items?limit=100&cursor={page.data['next']}"
        assert sorted(listed) == sorted(items.values_list("pk", flat=True))

    def test_it_creates_nothing_twice_when_a_batch_is_resent(self) -> None:
        first = self.call("POST", URL, body=batch(20))
        assert first.status_code == 201
        body = batch(25)  # the same 20 and five more
        again = self.call("POST", URL, body=body)
        assert again.status_code == 201, again.data
        assert again.data["created"] == 5
        assert [i["id"] for i in again.data["items"][:20]] == [i["id"] for i in first.data["items"]]
        assert not any(i["created"] for i in again.data["items"][:20])
        third = self.call("POST", URL, body=body)
        assert third.status_code == 200
        assert third.data["created"] == 0
        assert Item.objects.filter(title__startswith="东城县汛情第").count() == 25
        assert verify() == []

    def test_it_refuses_the_whole_batch_naming_each_bad_items_index(self) -> None:
        body = batch(10)
        body["items"][3]["writer_phone"] = "12"
        body["items"][7]["body"] = "绝密★\n内容"
        events = AuditEvent.objects.count()
        r = self.call("POST", URL, body=body)
        assert r.status_code == 422, r.data
        locs = [e["loc"] for e in r.data["detail"]]
        assert ["body", "payload", "items", 3, "writer_phone"] in locs
        assert any(loc[:4] == ["body", "payload", "items", 7] for loc in locs), locs
        assert {loc[3] for loc in locs} == {3, 7}
        assert Item.objects.filter(title__startswith="东城县汛情第").count() == 0
        assert AuditEvent.objects.count() == events
        # The good ones go through once the bad ones are mended.
        body["items"][3]["writer_phone"] = "13800000001"
        body["items"][7]["body"] = "内容"
        assert self.call("POST", URL, body=body).status_code == 201
        assert Item.objects.filter(title__startswith="东城县汛情第").count() == 10

    def test_it_refuses_a_key_reused_with_other_content(self) -> None:
        assert self.call("POST", URL, body=batch(2)).status_code == 201
        body = batch(2)
        body["items"][1]["title"] = "另一条信息"
        r = self.call("POST", URL, body=body)
        self.assert_field_error(r, ["body", "payload", "items", 1, "key"], "idempotency_conflict")
        dup = {"items": [new_item(key="same"), new_item(key="same", title="二")]}
        r = self.call("POST", URL, body=dup)
        assert r.status_code == 422
        assert not Item.objects.filter(title="二").exists()

    def test_it_refuses_a_reporter_batching_for_another_unit(self) -> None:
        body = batch(3)
        body["items"][2]["unit_id"] = self.county_b.pk
        r = self.call("POST", URL, body=body)
        assert r.status_code == 403, r.data
        assert "Item 2" in r.data["detail"]
        assert "A reporter writes only for their own unit." in r.data["detail"]
        assert not Item.objects.filter(title__startswith="东城县汛情第").exists()
        # Bob's list shows nothing of Alice's batch once it goes through for her own unit.
        body["items"][2].pop("unit_id")
        assert self.call("POST", URL, body=body).status_code == 201
        bobs = self.call("GET", "/api/v1/items", user="bob")
        assert bobs.data["items"] == []
        # The office names the unit for each item.
        office = batch(2, prefix="o", unit_id=self.county_b.pk)
        r = self.call("POST", URL, user="ed", body=office)
        assert r.status_code == 201, r.data
        assert len(self.call("GET", "/api/v1/items", user="bob").data["items"]) == 2
        assert self.call("POST", URL, user="sysadmin", body=batch(1)).status_code == 403

    def test_it_respects_labels(self) -> None:
        body = batch(2, submit=True)
        body["items"][1]["sensitivity"] = "sensitive"  # above a reporter's clearance
        r = self.call("POST", URL, body=body)
        self.assert_field_error(r, ["body", "payload", "items", 1, "sensitivity"])
        body["items"][1]["sensitivity"] = "internal"
        assert self.call("POST", URL, body=body).status_code == 201
        internal = Item.objects.get(title="东城县汛情第1报")
        assert internal.sensitivity == Sensitivity.INTERNAL
        ids = [i["id"] for i in self.call("GET", "/api/v1/items", user="ed").data["items"]]
        assert internal.pk in ids
        self.ed.clearance = Sensitivity.ORDINARY
        self.ed.save()
        ids = [i["id"] for i in self.call("GET", "/api/v1/items", user="ed").data["items"]]
        assert internal.pk not in ids

    def test_it_refuses_more_than_500_items(self) -> None:
        r = self.call("POST", URL, body=batch(501))
        assert r.status_code == 422
        assert Item.objects.count() == 0


class RecordManyTest(ApiTestCase):
    def test_it_appends_events_with_consecutive_places_that_verify(self) -> None:
        record(actor=self.alice, action="test.one")
        rows = record_many(
            [Event(actor=self.alice, action=f"test.many.{i}", summary={"i": i}) for i in range(5)]
        )
        record(actor=self.ed, action="test.after")
        seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
        assert seqs == list(range(1, len(seqs) + 1))
        assert [r.seq for r in rows] == list(range(rows[0].seq, rows[0].seq + 5))
        stored = AuditEvent.objects.get(seq=rows[2].seq)
        assert stored.summary == {"i": 2}
        assert stored.mac and stored.hash == stored.compute_hash()
        assert verify() == []
        assert record_many([]) == []

    def test_it_appends_a_large_append_as_it_was_given(self) -> None:
        # Enough events for PostgreSQL's COPY path (lib.bulk): stored exactly as hashed.
        summaries = [
            {"i": i, "标题": f"第{i}报", "nested": {"a": [1, None, "乙"]}} for i in range(100)
        ]
        rows = record_many(
            [Event(actor=self.alice, action="test.large", summary=s) for s in summaries]
        )
        stored = list(AuditEvent.objects.filter(action="test.large").order_by("seq"))
        assert [e.summary for e in stored] == summaries
        assert [e.hash for e in stored] == [r.hash for r in rows]
        assert all(e.hash == e.compute_hash() and e.mac for e in stored)
        assert stored[0].unit_name == str(self.alice.unit)
        assert verify() == []
