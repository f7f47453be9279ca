"""Time moved through a whole incident, from the duty phone to the records."""

from __future__ import annotations

import datetime as dt
import io

import docx
import time_machine
from django.test import override_settings

from xinbao.incidents.chores import DEADLINES, scan_deadlines
from xinbao.incidents.models import (
    AccountabilityRecord,
    ChaseNotice,
    Incident,
    RecordKind,
    ReportRequest,
    ReportStage,
    RequestStatus,
    Verification,
)
from xinbao.incidents.services import (
    LeadData,
    close_incident,
    confirm_receipt,
    demand_reports,
    file_report,
    record_lead,
)
from xinbao.incidents.verification import close_verification
from xinbao.items.models import ItemStatus
from xinbao.lib.levels import Level
from xinbao.notify.models import Channel, Message
from xinbao.notify.services import deliver_due
from xinbao.notify.tests.peers import SmtpPeer
from xinbao.scheduler.services import run_chore
from xinbao.test import BaseTestCase

T0 = dt.datetime(2026, 7, 3, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai


def minutes(n: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


class WholeIncidentTest(BaseTestCase):
    def _open(self) -> Incident:
        lead = LeadData(
            received_at=T0,
            source="市公安局指挥中心",
            place="东城县青石镇",
            what="7月3日8时许，东城县青石镇双河村发生山体滑坡，掩埋民房2间。",
            casualties="造成3人死亡、2人受伤",
            caller_name="刘警官",
            caller_phone="110",
        )
        return record_lead(
            user=self.duty,
            lead=lead,
            title="东城县青石镇山体滑坡",
            category="natural_disaster",
            units=[self.county_a],
        )

    def test_it_runs_an_incident_from_lead_to_records(self) -> None:
        self.county_a.fax = "0571-8800 1234"
        self.county_a.save(update_fields=["fax"])
        with time_machine.travel(T0, tick=False) as tm:
            incident = self._open()
            # Three deaths reach level III (较大); no direct route below level II.
            assert incident.level == Level.III
            assert incident.deaths == 3 and not incident.direct_route
            [request, dept_request] = demand_reports(
                user=self.duty, incident=incident, units=[self.county_a, self.dept]
            )
            assert request.phone_due_at == minutes(30)
            assert request.written_due_at == minutes(60)
            assert request.next_check_at == minutes(25)
            sms = Message.objects.filter(channel=Channel.SMS, event="urgent_demand")
            assert {m.recipient_name for m in sms} >= {"赵小红", "李文华"}

            tm.move_to(minutes(5))
            confirm_receipt(request=request, by="赵小红")
            request.refresh_from_db()
            assert request.status == RequestStatus.RECEIVED
            assert request.reported_at is None  # receipt is not a report

            tm.move_to(minutes(25))
            scan_deadlines()
            request.refresh_from_db()
            assert request.reminded_at == minutes(25)
            assert request.next_check_at == minutes(30)
            assert run_chore(DEADLINES) == "0 handled"

            # The department reports in time, with the figures of the police.
            tm.move_to(minutes(28))
            dept_item = self.make_item(
                self.ed,
                unit=self.dept,
                title="青石镇山体滑坡情况",
                body="7月3日8时许，东城县青石镇双河村发生山体滑坡，造成3人死亡、2人受伤。"
                "市应急管理局已组织力量开展救援。",
            )
            file_report(user=self.ed, incident=incident, item=dept_item)

            # The county misses its phone deadline: the chase notice goes out.
            tm.move_to(minutes(30))
            scan_deadlines()
            notice = ChaseNotice.objects.get(request=request)
            assert notice.original_due_at == minutes(60)
            assert notice.new_due_at == minutes(60)
            # (The notice gives 30 more minutes from now; lateness still counts from 60.)
            with notice.docx.open("rb") as fh:
                text = "\n".join(p.text for p in docx.Document(io.BytesIO(fh.read())).paragraphs)
            assert "重要紧急信息催报通知单" in text
            assert "东城县委办公室" in text and "东城县青石镇山体滑坡" in text
            with notice.pdf.open("rb") as fh:
                assert fh.read(5) == b"%PDF-"
            fax = Message.objects.get(channel=Channel.FAX)
            assert fax.recipient_name == "王建国"
            assert fax.document == notice.pdf.name
            missed = AccountabilityRecord.objects.get(unit=self.county_a, kind=RecordKind.MISSED)
            assert "另" in missed.reason or "another" in missed.reason

            # The chase climbs the chain: deputy after 10 minutes, head after 20.
            tm.move_to(minutes(40))
            scan_deadlines()
            tm.move_to(minutes(50))
            scan_deadlines()
            request.refresh_from_db()
            assert request.chase_step == 3
            chased = Message.objects.filter(event="urgent_chase", channel=Channel.SMS)
            assert [m.recipient_name for m in chased.order_by("id")] == [
                "赵小红",
                "Alice",
                "李文华",
                "王建国",
            ]

            # The county reports late, and says fewer died than the others know.
            tm.move_to(minutes(70))
            item = self.make_item(
                self.alice,
                title="东城县青石镇发生山体滑坡",
                body="7月3日8时许，东城县青石镇双河村发生山体滑坡，造成1人死亡。",
            )
            report = file_report(user=self.alice, incident=incident, item=item)
            assert report.stage == ReportStage.FIRST and report.late
            late = AccountabilityRecord.objects.get(unit=self.county_a, kind=RecordKind.LATE)
            assert "10" in late.reason  # minutes after the original deadline
            assert report.missing == ["measures"]
            verification = Verification.objects.get(incident=incident, unit=self.county_a)
            assert verification.discrepancies[0]["fact"] == "deaths"
            assert verification.discrepancies[0]["unit_says"] == 1

            # A follow-up supplies the measures the first report lacked.
            tm.move_to(minutes(90))
            follow = self.make_item(
                self.alice,
                title="续报",
                status=ItemStatus.SUBMITTED,
                body="县应急局已组织救援力量转移群众50人。",
            )
            follow_up = file_report(user=self.alice, incident=incident, item=follow)
            assert follow_up.stage == ReportStage.FOLLOW_UP and follow_up.number == 1
            assert follow_up.missing == []

            tm.move_to(minutes(180))
            close_verification(
                user=self.chief,
                verification=verification,
                outcome="concealed",
                findings="现场核实死亡3人，县里少报2人。",
            )
            close_incident(user=self.chief, incident=incident)

        kinds = {
            (r.unit.code, r.kind)
            for r in AccountabilityRecord.objects.filter(incident=incident).select_related("unit")
        }
        assert kinds == {
            ("C01", RecordKind.MISSED),
            ("C01", RecordKind.LATE),
            ("C01", RecordKind.CONCEALED),
            ("D01", RecordKind.COMMENDED),
        }
        steps = list(incident.timeline.values_list("kind", flat=True))
        for kind in (
            "lead",
            "level",
            "demand",
            "receipt",
            "reminder",
            "report_first",
            "chase_notice",
            "chase",
            "verification",
            "record_late",
            "report_follow_up",
            "verification_closed",
            "record_concealed",
            "record_commended",
            "closed",
        ):
            assert kind in steps, kind
        assert steps.index("receipt") < steps.index("reminder") < steps.index("chase_notice")
        assert ReportRequest.objects.get(pk=dept_request.pk).status == RequestStatus.REPORTED

    def test_it_faxes_the_chase_notice_through_the_gateway(self) -> None:
        self.county_a.fax = "0571-8800 1234"
        self.county_a.save(update_fields=["fax"])
        peer = SmtpPeer()
        notify = {
            "email": {"host": "127.0.0.1", "port": peer.port, "from": "xinbao@office.example"},
            "fax": {"address_pattern": "{number}@fax.office.example"},
        }
        with (
            peer.running(),
            override_settings(XINBAO_NOTIFY=notify),
            time_machine.travel(T0, tick=False) as tm,
        ):
            incident = self._open()
            demand_reports(user=self.duty, incident=incident, units=[self.county_a])
            tm.move_to(minutes(31))
            scan_deadlines()
            deliver_due()
        [mail] = [m for m in peer.received if "fax" in m.rcpt_tos[0]]
        assert mail.rcpt_tos == ["057188001234@fax.office.example"]
        parts = [p for p in mail.parsed().iter_attachments()]
        assert parts[0].get_content_type() == "application/pdf"
        assert parts[0].get_content()[:5] == b"%PDF-"

    def test_it_sends_a_major_incident_straight_to_the_principal_leader(self) -> None:
        lead = LeadData(
            received_at=T0,
            source="东城县委办公室",
            place="东城县化工园区",
            what="东城县化工园区一企业发生爆炸，造成12人死亡。",
            caller_name="王建国",
            caller_phone="13900000000",
        )
        incident = record_lead(
            user=self.ed, lead=lead, title="东城县化工园区爆炸", category="accident"
        )
        assert incident.level == Level.II
        assert incident.direct_route
        to_principal = Message.objects.filter(event="incident_direct", user=self.principal)
        assert to_principal.filter(channel=Channel.IN_APP).exists()
        assert incident.timeline.filter(kind="direct_route").exists()
