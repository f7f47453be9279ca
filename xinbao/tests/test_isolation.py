"""Walk every page that takes an object id: another unit's object is never shown."""

from __future__ import annotations

from collections.abc import Iterator

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from xinbao.accounts.models import ApiToken
from xinbao.accounts.services import create_token
from xinbao.desk.models import Adoption, AdoptionLevel
from xinbao.incidents.models import (
    AccountabilityRecord,
    ChaseNotice,
    Incident,
    Notice,
    RecordKind,
    ReportRequest,
    Verification,
)
from xinbao.items.models import Attachment, Item, ItemStatus
from xinbao.items.services import add_attachment
from xinbao.items.tests.test_attachments import png_bytes
from xinbao.notify.models import Channel, Notification, PhoneCall
from xinbao.notify.services import Recipient, deliver_due, queue
from xinbao.periodicals import services as issues
from xinbao.periodicals.models import Instruction, Issue, IssueItem, Periodical
from xinbao.test import BaseTestCase

SKIPPED_NAMESPACES = {"api"}  # the API walks its own routes in test_api


def walk(
    patterns: list[URLPattern | URLResolver], namespace: str = ""
) -> Iterator[tuple[str, list[str]]]:
    """Yield (url name with namespace, names of its path arguments) for every route."""
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            if ns in SKIPPED_NAMESPACES:
                continue
            inner = walk(p.url_patterns, full)
            outer = list(getattr(p.pattern, "converters", {}))
            for name, args in inner:
                yield name, outer + args
        elif p.name:
            name = f"{namespace}:{p.name}" if namespace else p.name
            yield name, list(getattr(p.pattern, "converters", {}))


class IsolationTest(BaseTestCase):
    secret_title = "东城县内部情况不应被他人看到"
    item: Item
    draft: Item
    attachment: Attachment
    token: ApiToken
    notification: Notification
    call: PhoneCall
    incident: Incident
    request: ReportRequest
    chase_notice: ChaseNotice
    verification: Verification
    notice: Notice
    periodical: Periodical
    issue: Issue
    entry: IssueItem
    instruction: Instruction

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.item = cls.make_item(cls.alice, title=cls.secret_title)
        cls.draft = cls.make_item(cls.alice, title="东城县草稿", status=ItemStatus.DRAFT)
        cls.attachment = add_attachment(
            user=cls.alice, item=cls.item, upload=SimpleUploadedFile("p.png", png_bytes())
        )
        cls.token, _raw = create_token(user=cls.alice, name="东城OA")
        message = queue(
            channel=Channel.IN_APP,
            to=Recipient.of_user(cls.alice),
            event="item_received",
            context={"title": cls.secret_title, "unit": "东城县"},
        )
        deliver_due()
        cls.notification = Notification.objects.get(message=message)
        cls.call = PhoneCall.objects.create(message=message)
        cls._create_incident()
        cls._create_issue()

    @classmethod
    def _create_incident(cls) -> None:
        """County A's incident, demand, chase notice, verification and notice."""
        now = timezone.now()
        cls.incident = Incident.objects.create(
            title=cls.secret_title,
            category="accident",
            level=3,
            suggested_level=3,
            summary=cls.secret_title,
            created_by=cls.duty,
        )
        cls.request = ReportRequest.objects.create(
            incident=cls.incident,
            unit=cls.county_a,
            matter=cls.secret_title,
            sent_at=now,
            written_due_at=now,
            created_by=cls.duty,
        )
        cls.chase_notice = ChaseNotice.objects.create(
            request=cls.request,
            number="2026-901",
            original_due_at=now,
            new_due_at=now,
            docx="chase/2026-901.docx",
            pdf="chase/2026-901.pdf",
        )
        cls.verification = Verification.objects.create(incident=cls.incident, unit=cls.county_a)
        cls.notice = Notice.objects.create(
            kind="criticise", number="2026-901", title=cls.secret_title, created_by=cls.ed
        )
        AccountabilityRecord.objects.create(
            unit=cls.county_a,
            incident=cls.incident,
            kind=RecordKind.LATE,
            reason=cls.secret_title,
            at=now,
            notice=cls.notice,
        )

    @classmethod
    def _create_issue(cls) -> None:
        """County A's item in a distributed issue that bob does not read, and an instruction."""
        cls.periodical = Periodical.objects.create(
            name="每日要情", frequency="daily", issuing_office="中共澜江市委办公室"
        )
        cls.periodical.readers.add(cls.leader)
        adopted = cls.make_item(cls.alice, title=cls.secret_title, status=ItemStatus.ADOPTED)
        Adoption.objects.create(
            item=adopted,
            level=AdoptionLevel.OFFICE,
            periodical=cls.periodical,
            adopted_on=timezone.localdate(),
            by=cls.ed,
        )
        issue = issues.create_issue(user=cls.ed, periodical=cls.periodical)
        (cls.entry,) = issues.add_items(user=cls.ed, issue=issue, items=[adopted])
        issue = issues.check(user=cls.chief, issue=issues.submit(user=cls.ed, issue=issue))
        cls.issue = issues.distribute(user=cls.ed, issue=issues.sign(user=cls.leader, issue=issue))
        cls.instruction = issues.give_instruction(
            user=cls.leader, text=cls.secret_title, item=adopted
        )

    def _args_for(self, name: str, params: list[str]) -> list[int | str]:
        """Ids of county A's objects for each parameter of a route."""
        values: dict[str, int | str] = {
            "pk": self.item.pk,
            "att": self.attachment.pk,
            "token": "not-a-real-token-0000",
        }
        if name.startswith("accounts:token"):
            values["pk"] = self.token.pk
        if name.startswith("accounts:user"):
            values["pk"] = self.alice.pk
        if name.startswith("org:"):
            values["pk"] = self.county_a.pk
        if name == "notify:read":
            values["pk"] = self.notification.pk
        if name.startswith("notify:delivery"):
            values["pk"] = self.notification.message_id
        if name.startswith("notify:call"):
            values["pk"] = self.call.pk
        if name.startswith("incidents:"):
            values["pk"] = self.incident.pk
        if name.startswith("incidents:request"):
            values["pk"] = self.request.pk
        if name.startswith("incidents:chase"):
            values["pk"] = self.chase_notice.pk
        if name.startswith("incidents:verification"):
            values["pk"] = self.verification.pk
        if name.startswith("incidents:notice"):
            values["pk"] = self.notice.pk
        if name.startswith("periodicals:"):
            values["pk"] = self.issue.pk
            values["entry"] = self.entry.pk
        if name in ("periodicals:periodical", "periodicals:issue_create"):
            values["pk"] = self.periodical.pk
        if name.startswith("periodicals:instruction"):
            values["pk"] = self.instruction.pk
        if name.startswith("scoring:"):
            values["pk"] = self.county_a.pk
        return [values.get(p, self.item.pk) for p in params]

    def test_it_walks_routes_with_ids(self) -> None:
        routes = [(n, a) for n, a in walk(get_resolver().url_patterns) if a]
        assert any(n == "items:detail" for n, _ in routes)
        assert any(n == "periodicals:sign_revise" for n, _ in routes)
        assert any(n == "desk:adopt" for n, _ in routes)
        assert len(routes) >= 8

    def test_it_never_shows_another_units_object(self) -> None:
        self.client.force_login(self.bob)
        checked = 0
        for name, params in walk(get_resolver().url_patterns):
            if not params:
                continue
            url = reverse(name, args=self._args_for(name, params))
            statuses = set()
            for method in ("get", "post"):
                response = getattr(self.client, method)(url)
                body = response.content.decode(errors="replace") if not response.streaming else ""
                assert response.status_code in (403, 404, 405), (name, method, response.status_code)
                assert self.secret_title not in body, (name, method)
                statuses.add(response.status_code)
                checked += 1
            if name.startswith(("items:", "notify:read", "notify:ack", "incidents:request")):
                # 405 only says which methods a route takes; the other method must be 404.
                assert 404 in statuses, name
        assert checked >= 16
        # Nothing changed hands: the item, its attachment and the token are as they were.
        self.item.refresh_from_db()
        assert self.item.status == ItemStatus.SUBMITTED
        assert self.item.attachments.count() == 1
        assert ApiToken.objects.get(pk=self.token.pk).revoked_at is None
        assert Notification.objects.get(pk=self.notification.pk).read_at is None
        assert PhoneCall.objects.get(pk=self.call.pk).outcome == ""
        demand = ReportRequest.objects.get(pk=self.request.pk)
        assert demand.received_at is None and demand.status == "sent"
        assert Incident.objects.get(pk=self.incident.pk).status == "open"
        assert Verification.objects.get(pk=self.verification.pk).outcome == ""

    def test_it_hides_drafts_from_the_office(self) -> None:
        self.client.force_login(self.ed)
        assert self.client.get(reverse("items:detail", args=[self.draft.pk])).status_code == 404
        assert self.client.get(reverse("items:detail", args=[self.item.pk])).status_code == 200
        listing = self.client.get(reverse("items:list")).content.decode()
        assert self.secret_title in listing
        assert "东城县草稿" not in listing

    def test_it_lists_only_the_reporters_own_unit(self) -> None:
        self.make_item(self.bob, title="西山县信息")
        self.client.force_login(self.bob)
        listing = self.client.get(reverse("items:list")).content.decode()
        assert "西山县信息" in listing
        assert self.secret_title not in listing

    def test_it_keeps_administrators_away_from_items(self) -> None:
        for admin in (self.sysadmin, self.secadmin, self.auditor):
            self.client.force_login(admin)
            url = reverse("items:detail", args=[self.item.pk])
            assert self.client.get(url).status_code == 404
