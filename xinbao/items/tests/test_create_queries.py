"""The API's single create costs a frozen number of queries and one audit append.

Raise a number only with its reason in the table. Other apps' creation hooks
(``services.after_create``) count here too: a new hook that adds queries per item shows up.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinbao.audit.models import AuditEvent
from xinbao.audit.services import verify
from xinbao.items.models import Item, ItemStatus, Topic
from xinbao.items.tests.test_api import URL, ApiTestCase, new_item

#: (what is sent, frozen count, where the queries go). Every call: the token (1); the item
#: (1), its topic looked up (1) and linked (1); the audit append: chain head locked (1),
#: events inserted (1), head moved (1); the similarity signature and its bands (2); the
#: search entry inserted (1); the answer's joint units, topics and attachments (3). Inside the
#: test's transaction the service's atomic block is a savepoint (2).
FROZEN: list[tuple[str, dict[str, Any], dict[str, Any], int]] = [
    ("draft", {}, {}, 15),
    ("submitted at once", {"submit": True}, {}, 15),
    (
        "with an Idempotency-Key: the key looked up and stored (2), one more savepoint (2)",
        {"submit": True},
        {"HTTP_IDEMPOTENCY_KEY": "k1"},
        19,
    ),
]


class CreateQueriesTest(ApiTestCase):
    def test_it_keeps_the_single_create_at_its_frozen_count(self) -> None:
        # The token's last use is written at most once a while, a new topic costs two more
        # queries once: both out of the count.
        assert self.call("GET", URL).status_code == 200
        Topic.objects.create(name="防汛")
        wrong = []
        for name, extra, headers, frozen in FROZEN:
            with CaptureQueriesContext(connection) as ctx:
                r = self.client.post(
                    URL,
                    data=json.dumps(new_item(title=name, **extra)),
                    content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {self.tokens['alice']}",
                    **headers,
                )
            assert r.status_code == 201, r.content
            heads = [q for q in ctx.captured_queries if 'FROM "audit_chainhead"' in q["sql"]]
            assert len(heads) == 1, "one audit append per create"
            if len(ctx.captured_queries) != frozen:
                sql = "\n".join(q["sql"][:120] for q in ctx.captured_queries)
                wrong.append(f"{name}: frozen {frozen}, now {len(ctx.captured_queries)}\n{sql}")
        assert not wrong, "\n".join(wrong)

    def test_it_audits_a_create_and_submit_as_two_events_in_one_append(self) -> None:
        r = self.call("POST", URL, body=new_item(submit=True))
        assert r.status_code == 201
        assert r.data["status"] == "submitted"
        item = Item.objects.get(pk=r.data["id"])
        assert item.status == ItemStatus.SUBMITTED and item.submitted_at is not None
        events = AuditEvent.objects.filter(object_type="items.item", object_id=str(item.pk))
        events = events.order_by("seq")
        assert [(e.action, e.summary.get("status")) for e in events] == [
            ("item.create", None),
            ("item.submitted", ["draft", "submitted"]),
        ]
        assert events[1].seq == events[0].seq + 1
        assert verify() == []
        # The answer is what a later read shows.
        assert self.call("GET", f"{URL}/{item.pk}").data == r.data
