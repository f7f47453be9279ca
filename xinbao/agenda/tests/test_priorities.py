"""Priorities from an empty office: the section chief sets one up through the menu, the items of
its period and those sent later are matched, coverage is shown to a leader, a wrong match taken
off stays off, a priority left without information is flagged and becomes a commission."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
from django.utils import timezone, translation

from xinbao.accounts.models import User
from xinbao.agenda.chores import MATCH, STALE
from xinbao.agenda.models import MatchHow, Priority, PriorityMatch, StaleFlag
from xinbao.audit.models import AuditEvent
from xinbao.items.models import Item
from xinbao.notify.models import Notification
from xinbao.notify.services import deliver_due
from xinbao.research.models import Assignment, CommissionSource
from xinbao.scheduler.services import run_chore
from xinbao.test import BaseTestCase

NOW = dt.datetime(2026, 7, 6, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai


def told(user: User) -> list[str]:
    deliver_due()
    return list(
        Notification.objects.filter(user=user)
        .order_by("pk")
        .values_list("message__subject", flat=True)
    )


class PriorityTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.tm = self.enterContext(time_machine.travel(NOW, tick=False))

    def sent(self, user: User, title: str, body: str, *, at: dt.datetime) -> Item:
        return self.make_item(user, title=title, body=body, submitted_at=at)

    def create_through_the_menu(self) -> Priority:
        self.client.force_login(self.chief)
        home = self.client.get("/").content.decode()
        link = re.search(r'href="(/agenda/)"', home)
        assert link is not None, "the menu offers the priorities"
        page = self.client.get(link.group(1))
        self.assertContains(page, "New priority")
        response = self.client.post(
            "/agenda/new/",
            {
                "title": "汛期安全度汛",
                "kind": "decision",
                "description": "市委部署汛期防汛救灾工作。",
                "keywords": "防汛、山洪\n转移群众",
                "exclude": "演练",
                "starts_on": "2026-06-01",
                "ends_on": "2026-09-30",
                "owner": self.leader.pk,
                "units": [self.county_a.pk, self.county_b.pk],
                "stale_weeks": "2",
                "active": "on",
            },
        )
        priority = Priority.objects.get()
        self.assertRedirects(response, f"/agenda/{priority.pk}/")
        return priority

    def test_it_matches_items_and_shows_coverage_from_an_empty_office(self) -> None:
        before = self.sent(
            self.alice,
            "东城县部署防汛工作",
            "县委召开会议，部署防汛工作，转移群众1200人。",
            at=NOW - dt.timedelta(days=3),
        )
        self.sent(self.bob, "西山县举行防汛演练", "开展防汛演练。", at=NOW - dt.timedelta(days=2))
        self.sent(self.bob, "西山县招商引资签约", "签约项目12个。", at=NOW - dt.timedelta(days=1))
        priority = self.create_through_the_menu()
        # The period's items so far are matched when the priority is made; a drill is excluded.
        assert [m.item_id for m in PriorityMatch.objects.all()] == [before.pk]

        self.tm.move_to(NOW + dt.timedelta(hours=2))
        later = self.sent(
            self.alice, "青石镇突发山洪", "青石镇突发山洪，已转移群众300人。", at=timezone.now()
        )
        self.tm.shift(dt.timedelta(seconds=10))  # past the pass's settling time
        run_chore(MATCH)
        found = PriorityMatch.objects.get(item=later)
        assert found.how == MatchHow.AUTO
        # Kept as data, said in each reader's language.
        assert {"where": "title", "term": "山洪"} in found.reasons
        assert "the title contains “山洪”" in found.said_reasons
        with translation.override("zh-hans"):
            assert "标题含“山洪”" in found.said_reasons

        self.client.force_login(self.leader)
        page = self.client.get(f"/agenda/{priority.pk}/")
        self.assertContains(page, "the title contains “山洪”")
        self.assertContains(page, "东城县部署防汛工作")
        self.assertContains(page, "青石镇突发山洪")
        self.assertNotContains(page, "招商引资")
        self.assertContains(page, '<div class="display-6" id="matched-count">2</div>', html=False)
        # County A reported on it, county B did not.
        reported = re.search(r'id="units-reported">(.*?)</div>', page.content.decode(), re.S)
        silent = re.search(r'id="units-silent">(.*?)</div>', page.content.decode(), re.S)
        assert reported and "东城县" in reported.group(1) and "西山县" not in reported.group(1)
        assert silent and "西山县" in silent.group(1)
        self.assertContains(page, 'id="agenda-data"')
        self.assertNotContains(page, "Not about this priority")  # a leader reads, not edits
        listing = self.client.get("/agenda/")
        self.assertContains(listing, "汛期安全度汛")

    def test_it_reads_a_submission_once_it_has_settled_and_never_skips_it(self) -> None:
        self.create_through_the_menu()
        self.tm.move_to(NOW + dt.timedelta(hours=2))
        fresh = self.sent(self.alice, "东城县防汛会商", "会商防汛形势。", at=timezone.now())
        run_chore(MATCH)
        # Too fresh: a transaction committing late could still bring an earlier submission.
        assert not PriorityMatch.objects.filter(item=fresh).exists()
        self.tm.shift(dt.timedelta(seconds=10))
        run_chore(MATCH)
        assert PriorityMatch.objects.filter(item=fresh, how=MatchHow.AUTO).exists()

    def test_it_keeps_a_removed_match_removed(self) -> None:
        item = self.sent(
            self.alice, "东城县防汛检查", "检查防汛物资。", at=NOW - dt.timedelta(days=1)
        )
        priority = self.create_through_the_menu()
        found = PriorityMatch.objects.get(item=item)
        response = self.client.post(f"/agenda/matches/{found.pk}/remove/")
        self.assertRedirects(response, f"/agenda/{priority.pk}/")
        assert AuditEvent.objects.filter(action="agenda.match_remove").count() == 1

        # Neither the scanner nor an edit of the keywords brings it back.
        self.client.post(
            f"/agenda/{priority.pk}/edit/",
            {
                "title": "汛期安全度汛",
                "kind": "decision",
                "keywords": "防汛、山洪、防汛物资",
                "starts_on": "2026-06-01",
                "ends_on": "2026-09-30",
                "owner": self.leader.pk,
                "units": [self.county_a.pk],
                "stale_weeks": "2",
                "active": "on",
            },
        )
        run_chore(MATCH)
        page = self.client.get(f"/agenda/{priority.pk}/")
        self.assertContains(page, "No matched item in this period.")
        self.assertContains(page, "Removed by hand")

        # An editor adds it again by search, on purpose.
        self.client.force_login(self.ed)
        page = self.client.get(f"/agenda/{priority.pk}/", {"q": "防汛检查"})
        self.assertContains(page, "Add to the priority")
        self.client.post(f"/agenda/{priority.pk}/matches/", {"item": item.pk})
        found.refresh_from_db()
        assert found.removed_at is None and found.how == MatchHow.MANUAL
        self.assertContains(self.client.get(f"/agenda/{priority.pk}/"), "东城县防汛检查")

    def test_it_flags_a_stale_priority_and_turns_it_into_a_commission(self) -> None:
        priority = self.create_through_the_menu()
        run_chore(STALE)
        assert not StaleFlag.objects.exists()  # just made: nothing owed yet

        self.tm.move_to(NOW + dt.timedelta(weeks=2, hours=1))
        run_chore(STALE)
        run_chore(STALE)
        flag = StaleFlag.objects.get()
        assert any("汛期安全度汛" in s for s in told(self.ed))
        assert any("汛期安全度汛" in s for s in told(self.chief))
        self.client.force_login(self.ed)
        self.assertContains(self.client.get("/"), "Priorities without information lately")
        listing = self.client.get("/agenda/")
        self.assertContains(listing, "No information lately")

        response = self.client.post(
            f"/agenda/flags/{flag.pk}/commission/",
            {"due_on": "2026-07-31", "requirements": "请报送汛期防汛工作落实情况。"},
        )
        self.assertRedirects(response, f"/agenda/{priority.pk}/")
        flag.refresh_from_db()
        assert flag.commission is not None
        assert flag.commission.source == CommissionSource.STALE_PRIORITY
        assert set(
            Assignment.objects.filter(commission=flag.commission).values_list("unit", flat=True)
        ) == {
            self.county_a.pk,
            self.county_b.pk,
        }
        self.assertContains(self.client.get(f"/agenda/{priority.pk}/"), "Commission sent")

        # A new matched item resolves the flag.
        self.sent(self.bob, "西山县防汛工作情况", "全县防汛工作有序。", at=timezone.now())
        self.tm.shift(dt.timedelta(seconds=10))  # past the pass's settling time
        run_chore(MATCH)
        flag.refresh_from_db()
        assert flag.resolved_at is not None
        self.assertNotContains(self.client.get("/"), "Priorities without information lately")

    def test_it_matches_the_period_again_when_the_keywords_change(self) -> None:
        grain = self.sent(self.bob, "西山县秋粮收购过半", "秋粮收购进度过半。", at=NOW)
        flood = self.sent(self.alice, "东城县防汛会商", "防汛会商。", at=NOW)
        priority = self.create_through_the_menu()
        assert set(PriorityMatch.objects.values_list("item", flat=True)) == {flood.pk}
        self.client.post(
            f"/agenda/{priority.pk}/edit/",
            {
                "title": "秋粮收购",
                "kind": "central_task",
                "keywords": "秋粮",
                "starts_on": "2026-06-01",
                "ends_on": "2026-09-30",
                "owner": self.leader.pk,
                "stale_weeks": "2",
                "active": "on",
            },
        )
        # Found through search at once; the automatic match that no longer fits is dropped.
        assert set(PriorityMatch.objects.values_list("item", flat=True)) == {grain.pk}
        assert AuditEvent.objects.filter(action="agenda.priority_update").count() == 1

    def test_it_keeps_what_was_typed_when_the_form_is_refused(self) -> None:
        self.client.force_login(self.chief)
        response = self.client.post(
            "/agenda/new/",
            {
                "title": "优化营商环境",
                "kind": "central_task",
                "keywords": "营商环境",
                "starts_on": "2026-09-01",
                "ends_on": "2026-06-01",
                "owner": self.leader.pk,
                "stale_weeks": "2",
            },
        )
        self.assertContains(response, "The period ends before it starts.", status_code=400)
        self.assertContains(response, "优化营商环境", status_code=400)
        assert not Priority.objects.exists()

    def test_it_lets_leaders_read_and_refuses_reporters(self) -> None:
        priority = self.create_through_the_menu()
        self.client.force_login(self.principal)
        assert self.client.get(f"/agenda/{priority.pk}/").status_code == 200
        assert self.client.get("/agenda/new/").status_code == 403
        for reporter in (self.alice, self.bob):
            self.client.force_login(reporter)
            assert self.client.get("/agenda/").status_code == 403
            assert self.client.get(f"/agenda/{priority.pk}/").status_code == 403

    def test_it_adds_and_removes_an_item_from_the_desk_page(self) -> None:
        priority = self.create_through_the_menu()
        item = self.sent(self.alice, "东城县秋粮收购", "秋粮收购进度过半。", at=NOW)
        self.client.force_login(self.ed)
        page = self.client.get(f"/desk/{item.pk}/")
        self.assertContains(page, "Not matched to any priority.")
        self.client.post(
            f"/agenda/items/{item.pk}/",
            {"priority": priority.pk, "next": f"/desk/{item.pk}/"},
        )
        page = self.client.get(f"/desk/{item.pk}/")
        self.assertContains(page, "汛期安全度汛")
        self.assertContains(page, "Not about this priority")

    def test_it_adds_a_milestone_and_marks_it_done(self) -> None:
        priority = self.create_through_the_menu()
        self.client.post(
            f"/agenda/{priority.pk}/milestones/",
            {"title": "完成水库隐患排查", "due_on": "2026-07-01"},
        )
        page = self.client.get(f"/agenda/{priority.pk}/")
        self.assertContains(page, "完成水库隐患排查")
        self.assertContains(page, "Late")
        milestone = priority.milestones.get()
        self.client.post(
            f"/agenda/milestones/{milestone.pk}/",
            {"title": "完成水库隐患排查", "due_on": "2026-07-01", "done_on": "2026-07-03"},
        )
        self.assertContains(self.client.get(f"/agenda/{priority.pk}/"), "Done")

    def test_it_shows_a_leader_the_priorities_an_item_follows_and_a_reporter_nothing(self) -> None:
        item = self.sent(self.alice, "东城县部署防汛工作", "部署防汛。", at=NOW)
        self.create_through_the_menu()
        self.client.force_login(self.leader)
        page = self.client.get(f"/items/{item.pk}/")
        self.assertContains(page, "Follows the priorities")
        self.assertContains(page, "汛期安全度汛")
        self.client.force_login(self.alice)
        page = self.client.get(f"/items/{item.pk}/")
        assert page.status_code == 200
        self.assertNotContains(page, "汛期安全度汛")
