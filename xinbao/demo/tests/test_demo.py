from __future__ import annotations

import datetime as dt
import io
import shutil
import tempfile
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models
from django.test import RequestFactory, TestCase, override_settings
from django.utils import timezone

from xinbao.accounts.models import Role, User
from xinbao.audit.models import AuditEvent
from xinbao.demo.data import DEMO_PASSWORD, build_people
from xinbao.demo.office import FLASH, READERS, REVISION
from xinbao.demo.urgent import EXPLOSION, LANDSLIDE
from xinbao.demo.writer import plan_items
from xinbao.desk.models import Adoption, AdoptionLevel, Decision, DecisionKind, ItemVersion
from xinbao.incidents.models import (
    AccountabilityRecord,
    ChaseNotice,
    Incident,
    Notice,
    RecordKind,
    Report,
    ReportRequest,
    ReportStage,
    Verification,
)
from xinbao.items.models import Attachment, Item, ItemKind, ItemStatus, Topic, Urgency
from xinbao.notify.models import Notification
from xinbao.org.models import (
    DirectPointType,
    Person,
    Position,
    RosterEntry,
    Unit,
    UnitClass,
    UnitKind,
)
from xinbao.periodicals.models import (
    Instruction,
    InstructionStatus,
    Issue,
    IssueState,
    Periodical,
    ReadReceipt,
)
from xinbao.periodicals.selectors import is_overdue, section_check_queue, sign_queue
from xinbao.scoring.models import ScoreEntry

_MEDIA = tempfile.mkdtemp(prefix="xinbao-demo-test-")
_STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": _MEDIA},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, Any]:
    return {
        "classes": UnitClass.objects.count(),
        "units": sorted(Unit.objects.values_list("code", "name")),
        "people": Person.objects.count(),
        "roster": RosterEntry.objects.count(),
        "users": sorted(User.objects.values_list("username", "password")),
        "items": sorted(Item.objects.values_list("source_id", "status", "title")),
        "topics": Item.topics.through.objects.count(),
        "joint": Item.joint_units.through.objects.count(),
        "topic_names": Topic.objects.count(),
        "attachments": Attachment.objects.count(),
        "decisions": sorted(Decision.objects.values_list("item__source_id", "kind", "comment")),
        "adoptions": Adoption.objects.count(),
        "versions": ItemVersion.objects.count(),
        "periodicals": sorted(Periodical.objects.values_list("name", "copies")),
        "issues": sorted(Issue.objects.values_list("periodical__name", "number", "state", "title")),
        "receipts": ReadReceipt.objects.count(),
        "instructions": Instruction.objects.count(),
        "incidents": sorted(Incident.objects.values_list("title", "status")),
        "demands": ReportRequest.objects.count(),
        "reports": Report.objects.count(),
        "records": AccountabilityRecord.objects.count(),
        "verifications": Verification.objects.count(),
        "notices": Notice.objects.count(),
        "score_entries": ScoreEntry.objects.count(),
        "notifications": Notification.objects.count(),
    }


# Setup writes pictures before pytest's per-test media folder exists: send them to our own.
@override_settings(STORAGES=_STORAGES, MEDIA_ROOT=_MEDIA)
class DemoTest(TestCase):
    output: str

    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = run_demo("--force")

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        shutil.rmtree(_MEDIA, ignore_errors=True)

    def test_it_builds_the_reporting_network(self) -> None:
        assert Unit.objects.filter(kind=UnitKind.COUNTY).count() >= 12
        assert Unit.objects.filter(kind=UnitKind.MUNICIPAL_DEPARTMENT).count() >= 30
        points = Unit.objects.filter(kind=UnitKind.DIRECT_POINT)
        assert points.count() >= 15
        assert set(points.values_list("direct_point_type", flat=True)) == set(DirectPointType)
        assert points.filter(county__kind=UnitKind.COUNTY).count() >= 5
        assert set(Unit.objects.values_list("unit_class__name", flat=True)) == {
            "一类",
            "二类",
            "三类",
        }

    def test_it_staffs_every_unit_and_keeps_roster_history(self) -> None:
        for unit in Unit.objects.all():
            positions = [e.position for e in unit.roster_on()]
            assert positions.count("head") == 1, unit
            assert positions.count("deputy_in_charge") == 1, unit
            assert 1 <= positions.count("reporter") <= 2, unit
        ended = RosterEntry.objects.filter(ended_on__isnull=False)
        assert ended.filter(position="head").count() >= 3
        first = ended.filter(position="head").select_related("unit").first()
        assert first is not None
        assert first.ended_on is not None
        before = first.ended_on - dt.timedelta(days=1)
        assert first.unit.holders(Position.HEAD, before) == [first.person]
        assert all(p.email.endswith(".example") for p in Person.objects.all())

    def test_it_has_a_user_for_every_role(self) -> None:
        roles = set(User.objects.values_list("role", flat=True))
        assert roles == set(Role)
        reporters = User.objects.filter(role=Role.REPORTER)
        assert reporters.filter(unit__kind=UnitKind.COUNTY).count() >= 12
        assert reporters.filter(unit__kind=UnitKind.MUNICIPAL_DEPARTMENT).count() >= 3
        assert reporters.filter(unit__kind=UnitKind.DIRECT_POINT).count() >= 3
        assert not User.objects.filter(must_change_password=True).exists()
        linked = Person.objects.filter(user__in=reporters)
        assert sorted(linked.values_list("user__username", flat=True)) == sorted(
            reporters.values_list("username", flat=True)
        )
        assert not linked.exclude(unit=models.F("user__unit")).exists()

    def test_it_writes_a_few_hundred_varied_items(self) -> None:
        items = Item.objects.all()
        assert items.count() >= 250
        assert set(items.values_list("kind", flat=True)) == set(ItemKind)
        assert set(items.values_list("urgency", flat=True)) == set(Urgency)
        intake = {ItemStatus.DRAFT, ItemStatus.SUBMITTED, ItemStatus.WITHDRAWN, ItemStatus.RECEIVED}
        assert intake <= set(items.values_list("status", flat=True))
        assert items.filter(urgency=Urgency.ROUTINE).count() > items.count() // 2
        assert items.filter(status=ItemStatus.WITHDRAWN).count() == 2
        assert {"web", "api", "phone"} <= set(items.values_list("channel", flat=True))
        assert items.filter(joint_units__isnull=False).exists()
        # Only the drafts made of inbound messages wait for their reporter to choose topics.
        untopiced = items.filter(topics__isnull=True)
        assert not untopiced.exclude(inbound_messages__isnull=False).exists()
        assert set(untopiced.values_list("status", flat=True)) == {ItemStatus.DRAFT}
        assert not items.filter(body__contains="{").exists()
        assert not items.filter(title__contains="}").exists()
        for item in items.filter(kind__in=[ItemKind.ANALYSIS, ItemKind.PROPOSAL]):
            assert "一、" in item.body and "三、" in item.body, item.title
        received = items.filter(status=ItemStatus.RECEIVED)
        assert not received.filter(received_by__isnull=True).exists()
        assert not items.exclude(status=ItemStatus.DRAFT).filter(submitted_at__isnull=True).exists()
        for item in items.exclude(event_at__isnull=True).exclude(submitted_at__isnull=True):
            assert item.created_at >= item.event_at, item.source_id  # type: ignore[operator]
            assert item.submitted_at >= item.created_at, item.source_id  # type: ignore[operator]

    def test_it_attaches_pictures_to_some_items(self) -> None:
        pictures = Attachment.objects.filter(kind="picture")
        assert 3 <= pictures.count() <= 20
        picture = pictures.first()
        assert picture is not None
        # The per-test media folder is not where setup wrote: read from the class's folder.
        with FileSystemStorage(location=_MEDIA).open(picture.file.name) as fh:
            assert fh.read(3) == b"\xff\xd8\xff"

    def test_it_decides_on_about_two_fifths_of_the_received_items(self) -> None:
        decided = Item.objects.filter(decisions__isnull=False, source_id__startswith="demo-")
        decided = decided.exclude(report__isnull=False).distinct()
        received = decided.count() + Item.objects.filter(status=ItemStatus.RECEIVED).count()
        assert 0.3 <= decided.count() / received <= 0.5
        kinds = set(Decision.objects.values_list("kind", flat=True))
        assert kinds == set(DecisionKind)
        for kind in (DecisionKind.RETURN, DecisionKind.REJECT, DecisionKind.ARCHIVE):
            assert 3 <= Decision.objects.filter(kind=kind).count() <= 10, kind
        assert not Decision.objects.filter(kind=DecisionKind.RETURN, comment="").exists()
        assert not Decision.objects.filter(kind=DecisionKind.REJECT, comment="").exists()
        assert Item.objects.filter(status=ItemStatus.ADOPTED).count() >= 40

    def test_it_merges_three_items_and_forwards_two_upward(self) -> None:
        merged = Item.objects.filter(status=ItemStatus.MERGED)
        assert merged.count() == 3
        comprehensive = Item.objects.filter(merged_from__isnull=False).distinct().get()
        assert set(merged.values_list("merged_into", flat=True)) == {comprehensive.pk}
        credited = {comprehensive.unit_id, *comprehensive.joint_units.values_list("pk", flat=True)}
        assert set(merged.values_list("unit", flat=True)) <= credited
        assert comprehensive.adoptions.filter(periodical__name="综合信息").exists()
        assert Decision.objects.filter(kind=DecisionKind.FORWARD).count() == 2
        province = Adoption.objects.filter(level=AdoptionLevel.PROVINCE)
        assert province.count() == 2
        assert all(a.adopted_on <= timezone.localdate() for a in province)

    def test_it_has_one_returned_item_revised_and_sent_again(self) -> None:
        again = Item.objects.get(status=ItemStatus.SUBMITTED, decisions__kind=DecisionKind.RETURN)
        assert again.body.endswith(REVISION)
        assert again.created_by.role == Role.REPORTER
        assert Item.objects.filter(status=ItemStatus.RETURNED).count() >= 3

    def test_it_publishes_four_periodicals_in_every_state(self) -> None:
        periodicals = {p.name: p for p in Periodical.objects.all()}
        assert set(periodicals) == {"每日要情", "信息专报", "综合信息", FLASH}
        flash = periodicals[FLASH]
        assert not flash.section_check and flash.countersign
        for p in periodicals.values():
            assert p.issuing_office == "中共澜江市委办公室"
            assert p.distribution.startswith("报：") and p.copies > 0
            assert set(p.readers.values_list("username", flat=True)) == set(READERS)
        issues = Issue.objects.all()
        states = set(issues.values_list("state", flat=True))
        assert states == set(IssueState) - {IssueState.ARCHIVED}
        assert issues.filter(state=IssueState.DISTRIBUTED).count() >= 10
        daily = issues.filter(periodical__name="每日要情")
        assert sorted(daily.values_list("number", flat=True)) == list(range(1, daily.count() + 1))
        assert not issues.filter(entries__isnull=True).exists()
        for issue in issues.filter(state__in=[IssueState.SIGNED, IssueState.DISTRIBUTED]):
            assert issue.content_hash and issue.signed_by is not None, issue
        assert ReadReceipt.objects.count() >= 20
        leader = User.objects.get(username="leader")
        principal = User.objects.get(username="principal")
        assert sign_queue(leader).exists()
        assert sign_queue(principal).count() >= 2
        assert sign_queue(principal).first().direct_route  # type: ignore[union-attr]
        assert section_check_queue().exists()

    def test_it_has_an_answered_instruction_and_an_overdue_one(self) -> None:
        closed = Instruction.objects.get(status=InstructionStatus.CLOSED)
        assert closed.feedback.count() == 1
        open_ = Instruction.objects.get(status=InstructionStatus.OPEN)
        assert is_overdue(open_)

    def test_it_tells_the_story_of_a_closed_landslide(self) -> None:
        incident = Incident.objects.get(title=LANDSLIDE)
        assert incident.status == "closed" and incident.level == 3
        assert incident.leads.count() == 1
        requests = incident.requests.all()
        assert requests.count() == 2
        assert not requests.filter(received_at__isnull=True).exists()
        assert not requests.filter(reported_at__isnull=True).exists()
        stages = set(incident.reports.values_list("stage", flat=True))
        assert stages == set(ReportStage)
        kinds = set(incident.records.values_list("kind", flat=True))
        assert {RecordKind.LATE, RecordKind.COMMENDED} <= kinds
        assert ChaseNotice.objects.filter(request__incident=incident).count() == 1
        assert Notice.objects.get().records.get().kind == RecordKind.COMMENDED
        assert not incident.verifications.exists()

    def test_it_has_an_open_explosion_on_the_direct_route(self) -> None:
        incident = Incident.objects.get(title=EXPLOSION)
        assert incident.status == "open" and incident.level == 2 and incident.direct_route
        assert incident.verifications.filter(outcome="").count() == 1
        now = timezone.now()
        waiting = incident.requests.filter(phoned_at__isnull=True, phone_due_at__gt=now)
        assert waiting.get().unit.code == "C04"
        reporter = User.objects.get(username="reporter_xingang")
        self.client.force_login(reporter)
        page = self.client.get("/")
        assert "临港化工园区" in page.content.decode()

    def test_it_leaves_notifications_for_the_demo_users(self) -> None:
        users = set(Notification.objects.values_list("user__username", flat=True))
        assert {"leader", "principal", "chief", "reporter_yunling"} <= users

    def test_it_posts_the_ledger_from_what_the_office_did(self) -> None:
        causes = set(ScoreEntry.objects.values_list("cause", flat=True))
        assert {"adoption", "instruction", "record", "quota"} <= causes
        from xinbao.scoring.ledger import recompute

        unit = Unit.objects.get(name="云岭县委办公室")
        start, end = dt.date(2000, 1, 1), dt.date(2100, 1, 1)
        result = recompute(unit, start, end)
        assert result.stored != 0
        assert result.difference == 0
        assert result.mismatched == []

    def test_it_records_the_load_in_the_audit_chain(self) -> None:
        event = AuditEvent.objects.get(action="demo.load")
        assert event.actor_name == "demo"
        assert event.summary["totals"]["items"] == Item.objects.count()

    def test_it_prints_a_summary_and_the_logins(self) -> None:
        assert "Created:" in self.output
        assert "reporter_lancheng" in self.output
        assert "principal" in self.output
        assert DEMO_PASSWORD in self.output

    def test_it_changes_nothing_the_second_time(self) -> None:
        before = snapshot()
        output = run_demo("--force")
        assert snapshot() == before
        assert "Created: nothing" in output
        assert AuditEvent.objects.filter(action="demo.load").count() == 2

    def test_it_lets_a_reporter_log_in_with_the_printed_password(self) -> None:
        user = authenticate(
            request=RequestFactory().post("/"), username="reporter_yunling", password=DEMO_PASSWORD
        )
        assert user is not None
        assert user.username == "reporter_yunling"
        assert user.person.unit == user.unit

    def test_it_uses_a_password_the_policy_accepts(self) -> None:
        for user in User.objects.all():
            validate_password(DEMO_PASSWORD, user)
            assert user.check_password(DEMO_PASSWORD)

    @override_settings(DEMO_MODE=True)
    def test_it_prints_only_the_logins_with_logins(self) -> None:
        output = run_demo("--logins")
        assert "Created" not in output
        assert "reporter_lancheng" in output
        assert DEMO_PASSWORD in output


@pytest.mark.django_db
@override_settings(DEMO_MODE=False)
def test_it_refuses_outside_demo_mode() -> None:
    with pytest.raises(CommandError, match="XINBAO_DEMO"):
        run_demo()
    with pytest.raises(CommandError):
        run_demo("--logins")
    assert not User.objects.exists()
    assert not Unit.objects.exists()


def test_it_plans_the_same_items_every_time() -> None:
    now = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)
    first, second = plan_items(now), plan_items(now)
    assert first == second
    assert len({s.source_id for s in first}) == len(first) >= 250
    assert all(s.event_at is None or s.event_at < now for s in first)
    assert all(s.submitted_at is None or s.submitted_at < now for s in first)
    assert all(s.created_at < now for s in first)


def test_it_names_people_without_repeats() -> None:
    people = build_people().people
    assert len({p.name for p in people}) == len(people)
    assert len({p.phone for p in people}) == len(people)
