"""The system's steps on a demand's clock, one test each: the reminder before the deadline, the
chase climbing the unit's chain, the chase notice with its new deadline, a follow-up marked
overdue. Time moves with time-machine; the scanner's chore runs each step; messages go through
the outbox to a loopback SMS gateway and email-to-fax server."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from unittest import mock

import docx
import time_machine
from django.db import connection
from django.test import override_settings

from xinbao.audit.models import AuditEvent
from xinbao.incidents import chase
from xinbao.incidents.chores import DEADLINES, FOLLOW_UPS
from xinbao.incidents.models import (
    AccountabilityRecord,
    ChaseNotice,
    Incident,
    RecordKind,
    Report,
    ReportRequest,
)
from xinbao.incidents.services import LeadData, demand_reports, file_report, record_lead
from xinbao.notify.models import Channel, Dispatch, Message
from xinbao.notify.services import deliver_due
from xinbao.notify.tests.peers import GenericSmsPeer, SmtpPeer
from xinbao.org.models import Person
from xinbao.scheduler.services import run_chore
from xinbao.test import BaseTestCase

T0 = dt.datetime(2026, 7, 3, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai
TOKEN = "gw-secret"
PHONES = {"王建国": "13900000101", "李文华": "13900000102", "赵小红": "13900000103"}


def minutes(n: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


class ChaseCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.sms = GenericSmsPeer(TOKEN)
        self.sms.start()
        self.addCleanup(self.sms.stop)
        self.smtp = SmtpPeer()
        self.enterContext(self.smtp.running())
        self.enterContext(
            override_settings(
                XINBAO_NOTIFY={
                    "http_timeout": 2,
                    "sms": {"provider": "generic", "url": self.sms.url, "token": TOKEN},
                    "email": {
                        "host": "127.0.0.1",
                        "port": self.smtp.port,
                        "security": "none",
                        "from": "xinbao@office.example",
                        "timeout": 2,
                    },
                    "fax": {"address_pattern": "{number}@fax.office.example"},
                }
            )
        )
        self.county_a.fax = "0571-8800 1234"
        self.county_a.save(update_fields=["fax"])
        # The personas share one number per unit; each gets their own so that the gateway
        # shows who was texted.
        for name, phone in PHONES.items():
            Person.objects.filter(name=name).update(phone=phone)
        self.tm = self.enterContext(time_machine.travel(T0, tick=False))
        # Level III (three deaths): phone report in 30 minutes, written in 60.
        self.incident = record_lead(
            user=self.duty,
            lead=LeadData(
                received_at=T0,
                source="市公安局指挥中心",
                place="东城县青石镇",
                what="7月3日8时许，东城县青石镇双河村发生山体滑坡，掩埋民房2间。",
                casualties="造成3人死亡、2人受伤",
                caller_name="刘警官",
                caller_phone="110",
            ),
            title="东城县青石镇山体滑坡",
            category="natural_disaster",
        )
        [self.request] = demand_reports(
            user=self.duty, incident=self.incident, units=[self.county_a], matter="山体滑坡伤亡情况"
        )
        deliver_due()
        self.sms.received.clear()

    def scan(self) -> tuple[str, str]:
        """Run the scanner's two chores (demands, follow-ups) as it would."""
        return run_chore(DEADLINES), run_chore(FOLLOW_UPS)

    def texted(self) -> dict[str, list[str]]:
        """What the gateway was asked to send since the last call, by phone number."""
        deliver_due()
        sent: dict[str, list[str]] = {}
        for request in self.sms.received:
            payload = request.json()
            sent.setdefault(payload["phone"], []).append(payload["text"])
        self.sms.received.clear()
        return sent

    def system_events(self, action: str) -> list[AuditEvent]:
        return list(AuditEvent.objects.filter(action=action).order_by("id"))

    def refreshed(self) -> ReportRequest:
        self.request.refresh_from_db()
        return self.request


class ReminderTest(ChaseCase):
    def test_it_reminds_the_reporters_before_the_deadline(self) -> None:
        assert self.request.next_check_at == minutes(25)
        self.tm.move_to(minutes(25))
        assert self.scan() == ("1 handled", "0 handled")

        request = self.refreshed()
        assert request.reminded_at == minutes(25)
        assert request.next_check_at == minutes(30)  # the deadline is the next check
        [event] = self.system_events("incident.remind")
        assert event.actor is None and event.actor_name == "system"
        assert event.object_id == str(request.pk)
        assert event.summary["due"] == minutes(30).isoformat()
        assert sorted(event.summary["told"]) == ["Alice", "赵小红"]
        dispatches = Dispatch.objects.filter(event="urgent_reminder")
        assert {d.ladder for d in dispatches} == {"urgent"}
        assert sorted(d.recipient_name for d in dispatches) == ["Alice", "赵小红"]
        texts = self.texted()
        assert set(texts) == {PHONES["赵小红"], "13800000001"}  # the roster's and Alice's login
        assert "山体滑坡伤亡情况" in texts[PHONES["赵小红"]][0]
        assert "09:30" in texts[PHONES["赵小红"]][0]
        assert self.incident.timeline.filter(kind="reminder").count() == 1

        # Nothing more is due before the deadline.
        self.tm.move_to(minutes(29))
        assert self.scan() == ("0 handled", "0 handled")
        assert self.texted() == {}


class ChaseLadderTest(ChaseCase):
    def test_it_climbs_from_the_reporters_to_the_deputy_to_the_head(self) -> None:
        self.tm.move_to(minutes(25))
        self.scan()
        self.texted()

        climbed: list[tuple[int, set[str]]] = []
        for at, expect_next in ((30, minutes(40)), (40, minutes(50)), (50, None)):
            self.tm.move_to(minutes(at))
            assert self.scan() == ("1 handled", "0 handled")
            assert self.refreshed().next_check_at == expect_next
            chased = {
                phone
                for phone, texts in self.texted().items()
                if any("山体滑坡伤亡情况" in t and "东城县委办公室" in t for t in texts)
            }
            climbed.append((self.request.chase_step, chased))
        assert climbed[0] == (1, {PHONES["赵小红"], "13800000001", PHONES["王建国"]})
        # (At the first step the head also gets the chase notice's SMS, checked on its own.)
        assert climbed[1] == (2, {PHONES["李文华"]})
        assert climbed[2] == (3, {PHONES["王建国"]})

        events = self.system_events("incident.chase")
        assert [e.actor for e in events] == [None, None, None]
        assert [(e.summary["step"], e.summary["role"]) for e in events] == [
            (1, "reporter"),
            (2, "deputy_in_charge"),
            (3, "head"),
        ]
        assert [e.summary["told"] for e in events] == [["赵小红", "Alice"], ["李文华"], ["王建国"]]
        chases = Dispatch.objects.filter(event="urgent_chase", ladder="urgent").order_by("id")
        assert [d.recipient_name for d in chases] == ["赵小红", "Alice", "李文华", "王建国"]
        assert self.incident.timeline.filter(kind="chase").count() == 3

        # The ladder's top is reached: nothing further is scheduled or sent.
        self.tm.move_to(minutes(70))
        assert self.scan() == ("0 handled", "0 handled")
        assert self.texted() == {}


class ChaseNoticeTest(ChaseCase):
    def test_it_sends_the_chase_notice_with_a_new_deadline(self) -> None:
        self.tm.move_to(minutes(25))
        self.scan()
        self.texted()
        # The scanner comes late, five minutes after the phone deadline: the new written
        # deadline is 30 minutes from then.
        self.tm.move_to(minutes(35))
        self.scan()

        request = self.refreshed()
        assert request.written_due_at == minutes(65)
        notice = ChaseNotice.objects.get(request=request)
        assert notice.number == "2026-001"
        assert notice.original_due_at == minutes(60)
        assert notice.new_due_at == minutes(65)
        with notice.docx.open("rb") as fh:
            document = docx.Document(io.BytesIO(fh.read()))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        assert "7月3日10:00" in cells and "7月3日10:05" in cells  # the old and the new deadline
        assert "催报〔2026〕1号" in "\n".join(p.text for p in document.paragraphs)

        [event] = self.system_events("incident.chase_notice")
        assert event.actor is None and event.actor_name == "system"
        assert event.summary["number"] == "2026-001"
        assert event.summary["new_due"] == minutes(65).isoformat()
        [chase] = self.system_events("incident.chase")
        assert chase.summary["written_due"] == minutes(65).isoformat()
        # The office learned of it from the police: the county missed its report.
        missed = AccountabilityRecord.objects.get(unit=self.county_a, kind=RecordKind.MISSED)
        [recorded] = self.system_events("incident.record")
        assert recorded.actor is None and recorded.object_id == str(missed.pk)

        [dispatch] = Dispatch.objects.filter(event="chase_notice")
        assert dispatch.recipient_name == "王建国" and dispatch.ladder == "urgent"
        fax = Message.objects.get(channel=Channel.FAX)
        assert fax.dispatch == dispatch and fax.document == notice.pdf.name
        texts = self.texted()
        assert any("2026-001" in t and "07-03 10:05" in t for t in texts[PHONES["王建国"]])
        [mail] = [m for m in self.smtp.received if "fax" in m.rcpt_tos[0]]
        assert mail.rcpt_tos == ["057188001234@fax.office.example"]
        [pdf] = list(mail.parsed().iter_attachments())
        assert pdf.get_content_type() == "application/pdf"
        assert pdf.get_content()[:5] == b"%PDF-"
        assert self.incident.timeline.filter(kind="chase_notice").count() == 1

        # Later steps of the chase issue no second notice.
        self.tm.move_to(minutes(45))
        self.scan()
        assert ChaseNotice.objects.count() == 1
        assert self.refreshed().written_due_at == minutes(65)

    def test_it_draws_the_notice_outside_any_scanner_transaction(self) -> None:
        # Drawing the PDF takes a while: the database must not be held meanwhile. The test
        # case's own transactions are the baseline; the scanner adds none around the drawing.
        baseline = len(connection.atomic_blocks)
        depths: list[int] = []
        draw = chase.draw

        def spy(*args: Any, **kwargs: Any) -> chase.Drawn:
            depths.append(len(connection.atomic_blocks))
            return draw(*args, **kwargs)

        with mock.patch.object(chase, "draw", spy):
            self.tm.move_to(minutes(25))
            self.scan()
            self.tm.move_to(minutes(35))
            self.scan()
        assert depths == [baseline]
        assert ChaseNotice.objects.get(request=self.request).number == "2026-001"


class FollowUpOverdueTest(ChaseCase):
    def test_it_marks_a_follow_up_overdue_once(self) -> None:
        Incident.objects.filter(pk=self.incident.pk).update(follow_up_hours=2)
        self.incident.refresh_from_db()
        self.tm.move_to(minutes(10))
        item = self.make_item(
            self.alice,
            title="东城县青石镇发生山体滑坡",
            body="7月3日8时许，东城县青石镇双河村发生山体滑坡，造成3人死亡。县应急局已组织救援。",
        )
        report = file_report(user=self.alice, incident=self.incident, item=item)
        due = minutes(10 + 120)
        assert report.next_due_at == due
        self.texted()

        self.tm.move_to(due + dt.timedelta(minutes=1))
        assert self.scan() == ("0 handled", "1 handled")
        report = Report.objects.get(pk=report.pk)
        assert report.next_due_at is None
        [event] = self.system_events("incident.follow_up_overdue")
        assert event.actor is None and event.actor_name == "system"
        assert event.object_id == str(report.pk)
        assert event.summary["due"] == due.isoformat()
        assert sorted(event.summary["told"]) == ["Alice", "赵小红"]
        dispatches = Dispatch.objects.filter(event="follow_up_due", ladder="urgent")
        assert sorted(d.recipient_name for d in dispatches) == ["Alice", "赵小红"]
        texts = self.texted()
        assert "东城县青石镇山体滑坡" in texts[PHONES["赵小红"]][0]
        assert self.incident.timeline.filter(kind="follow_up_due").count() == 1

        # Marked once: the next scan finds nothing.
        self.tm.move_to(due + dt.timedelta(minutes=5))
        assert self.scan() == ("0 handled", "0 handled")
        assert len(self.system_events("incident.follow_up_overdue")) == 1
