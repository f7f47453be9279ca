from __future__ import annotations

from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from xinbao.audit.guard import lifted
from xinbao.audit.models import AuditError, AuditEvent
from xinbao.audit.services import record, verify
from xinbao.items.models import Item
from xinbao.items.services import ItemData, create_item
from xinbao.test import BaseTestCase


def _data() -> ItemData:
    return ItemData(
        title="西山县开展安全生产大检查",
        body="西山县组织12个检查组，对全县危化品企业开展拉网式检查。",
        kind="dynamic",
        urgency="routine",
        writer_name="孙明",
        writer_phone="13800000002",
    )


class AuditChainTest(BaseTestCase):
    def _three_events(self) -> list[AuditEvent]:
        return [
            record(actor=self.alice, action=f"test.{n}", summary={"n": n, "文字": "中文"})
            for n in range(3)
        ]

    def test_it_links_each_event_to_the_one_before(self) -> None:
        events = self._three_events()
        assert events[1].prev_hash == events[0].hash
        assert events[2].prev_hash == events[1].hash
        assert verify() == []
        assert events[0].role == "reporter"
        assert events[0].unit_name == "东城县委办公室"

    def test_it_refuses_to_update_or_delete_through_the_model(self) -> None:
        event = self._three_events()[0]
        with pytest.raises(AuditError):
            event.save()
        with pytest.raises(AuditError):
            event.delete()

    def test_it_detects_an_edited_row(self) -> None:
        events = self._three_events()
        # An intruder with the tables' owner's rights, past the database's triggers.
        with lifted(connection):
            AuditEvent.objects.filter(pk=events[1].pk).update(summary={"n": 99})
        problems = verify()
        assert [p.event_id for p in problems] == [events[1].pk]
        assert "edited" in problems[0].reason

    def test_it_detects_a_removed_row(self) -> None:
        events = self._three_events()
        with lifted(connection), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
        problems = verify()
        assert problems[0].event_id == events[2].pk
        assert "removed" in problems[0].reason
        # The chain head still counts the removed row.
        assert problems[-1].event_id is None

    def test_it_detects_a_removed_last_row(self) -> None:
        events = self._three_events()
        with lifted(connection), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])
        problems = verify()
        assert len(problems) == 1
        assert problems[0].event_id is None

    def test_it_verifies_from_the_command_line(self) -> None:
        events = self._three_events()
        out = StringIO()
        call_command("audit", "verify", stdout=out)
        assert "intact" in out.getvalue()
        with lifted(connection):
            AuditEvent.objects.filter(pk=events[0].pk).update(action="test.forged")
        err = StringIO()
        with pytest.raises(CommandError, match="broken"):
            call_command("audit", "verify", stdout=StringIO(), stderr=err)
        assert f"event {events[0].pk}" in err.getvalue()

    def test_it_rolls_back_the_action_when_the_audit_write_fails(self) -> None:
        before = Item.objects.count()
        with (
            mock.patch.object(AuditEvent, "compute_hash", side_effect=RuntimeError("disk full")),
            pytest.raises(RuntimeError),
        ):
            create_item(user=self.alice, data=_data())
        assert Item.objects.count() == before
        assert verify() == []

    def test_it_records_who_what_and_from_where(self) -> None:
        self.client.force_login(self.alice)
        self.client.post(
            "/items/new/",
            {
                "title": "东城县召开防汛会议",
                "body": "会议部署防汛工作。",
                "kind": "dynamic",
                "urgency": "routine",
                "writer_name": "赵小红",
                "writer_phone": "13800000001",
                "action": "submit",
            },
            REMOTE_ADDR="10.1.2.3",
        )
        item = Item.objects.get(title="东城县召开防汛会议")
        actions = list(
            AuditEvent.objects.filter(object_id=str(item.pk), object_type="items.item")
            .order_by("id")
            .values_list("action", "actor_name", "address")
        )
        assert actions == [
            ("item.create", "Alice", "10.1.2.3"),
            ("item.submitted", "Alice", "10.1.2.3"),
        ]
