"""Usefulness marks (适逢其盼，正待此件): a leader marks an item or an issue useful or not from
its page; the desk sees them on the item, and the office counts them per unit and editor."""

from __future__ import annotations

import datetime as dt

import time_machine

from xinbao.audit.models import AuditEvent
from xinbao.desk import services as desk
from xinbao.interests import services
from xinbao.interests.models import Mark
from xinbao.periodicals import services as issues
from xinbao.periodicals.models import Periodical
from xinbao.test import BaseTestCase

NOW = dt.datetime(2026, 7, 10, 2, 0, tzinfo=dt.UTC)


class MarkTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.enterContext(time_machine.travel(NOW, tick=False))
        self.periodical = Periodical.objects.create(
            name="每日要情", frequency="daily", issuing_office="中共澜江市委办公室"
        )
        self.periodical.readers.add(self.leader, self.principal)
        self.item = self.make_item(self.alice, title="东城县河长制落实情况")
        desk.adopt(user=self.ed, periodicals=[self.periodical], item=self.item)
        self.other = self.make_item(self.bob, title="西山县秋粮收购进展")
        desk.adopt(user=self.chief, periodicals=[self.periodical], item=self.other)

    def test_it_marks_an_item_from_its_page_and_the_desk_sees_it(self) -> None:
        self.client.force_login(self.leader)
        url = f"/items/{self.item.pk}/"
        page = self.client.get(url)
        self.assertContains(page, "Was this useful to you?")
        response = self.client.post(
            f"/interests/mark/item/{self.item.pk}/",
            {"useful": "1", "note": "正待此件，周五会议用", "next": url},
            follow=True,
        )
        assert response.redirect_chain[-1][0] == url
        self.assertContains(response, "Marked useful.")
        self.assertContains(response, "You marked it useful")
        # Changeable: one mark per leader and item.
        self.client.post(f"/interests/mark/item/{self.item.pk}/", {"useful": "0", "next": url})
        mark = Mark.objects.get()
        assert (mark.leader, mark.item, mark.useful, mark.note) == (
            self.leader,
            self.item,
            False,
            "",
        )
        self.client.post(
            f"/interests/mark/item/{self.item.pk}/", {"useful": "1", "note": "适逢其盼"}
        )
        assert Mark.objects.get().useful
        assert AuditEvent.objects.filter(action="interest.mark").count() == 3
        # Without a choice nothing changes, and the page says why.
        response = self.client.post(
            f"/interests/mark/item/{self.item.pk}/", {"note": "x", "next": url}, follow=True
        )
        self.assertContains(response, "Say whether it was useful.")
        assert Mark.objects.get().note == "适逢其盼"

        # The desk sees the leader's mark on the item.
        self.client.force_login(self.ed)
        page = self.client.get(f"/desk/{self.item.pk}/")
        self.assertContains(page, "Leaders&#x27; marks")
        self.assertContains(page, "适逢其盼")
        # No mark form for the office's editors, and none for the unit.
        self.assertNotContains(self.client.get(url), "Was this useful to you?")
        self.client.force_login(self.alice)
        self.assertNotContains(self.client.get(url), "Was this useful to you?")
        self.assertNotContains(self.client.get(url), "适逢其盼")

    def test_it_marks_an_issue_from_the_reading_room(self) -> None:
        issue = issues.create_issue(user=self.ed, periodical=self.periodical)
        issues.add_items(user=self.ed, issue=issue, items=[self.item, self.other])
        issue = issues.check(user=self.chief, issue=issues.submit(user=self.ed, issue=issue))
        issue = issues.distribute(user=self.ed, issue=issues.sign(user=self.leader, issue=issue))
        self.client.force_login(self.principal)
        url = f"/periodicals/reading/{issue.pk}/"
        self.assertContains(self.client.get(url), "Was this useful to you?")
        response = self.client.post(
            f"/interests/mark/issue/{issue.pk}/",
            {"useful": "1", "note": "这期很及时", "next": url},
            follow=True,
        )
        self.assertContains(response, "You marked it useful")
        mark = Mark.objects.get()
        assert (mark.issue, mark.item, mark.leader) == (issue, None, self.principal)

        # The office's page counts it for both units in the issue and for its compiler.
        self.client.force_login(self.chief)
        menu = dict(self.client.get("/").context["nav_all"])
        page = self.client.get(menu["Leaders' marks"])
        stats = page.context["stats"]
        assert {(t.name, t.useful) for t in stats.units} == {("东城县", 1), ("西山县", 1)}
        assert [(t.name, t.useful) for t in stats.editors] == [("Ed", 1)]
        self.assertContains(page, "这期很及时")

    def test_it_counts_marks_per_unit_and_per_adopting_editor_in_a_period(self) -> None:
        self.client.force_login(self.leader)
        self.client.post(f"/interests/mark/item/{self.item.pk}/", {"useful": "1"})
        self.client.post(f"/interests/mark/item/{self.other.pk}/", {"useful": "0", "note": "旧闻"})
        self.client.force_login(self.principal)
        self.client.post(f"/interests/mark/item/{self.item.pk}/", {"useful": "1"})

        self.client.force_login(self.ed)
        page = self.client.get("/interests/marks/", {"start": "2026-07-01", "end": "2026-07-31"})
        stats = page.context["stats"]
        assert [(t.name, t.useful, t.not_useful) for t in stats.units] == [
            ("东城县", 2, 0),
            ("西山县", 0, 1),
        ]
        assert [(t.name, t.useful, t.not_useful) for t in stats.editors] == [
            ("Ed", 2, 0),
            ("Chief", 0, 1),
        ]
        self.assertContains(page, "旧闻")
        # Another period has none; a period ending before it starts is refused.
        page = self.client.get("/interests/marks/", {"start": "2026-06-01", "end": "2026-06-30"})
        self.assertContains(page, "No leader marked anything in this period.")
        page = self.client.get("/interests/marks/", {"start": "2026-07-31", "end": "2026-07-01"})
        self.assertContains(page, "The period ends before it starts.", status_code=400)

    def test_it_refuses_marks_from_anyone_but_leaders(self) -> None:
        for user in (self.alice, self.ed, self.duty):
            self.client.force_login(user)
            response = self.client.post(f"/interests/mark/item/{self.item.pk}/", {"useful": "1"})
            assert response.status_code == 403, user.role
        self.client.force_login(self.alice)
        assert self.client.get("/interests/marks/").status_code == 403
        self.client.force_login(self.leader)
        assert self.client.get("/interests/marks/").status_code == 403
        assert not Mark.objects.exists()

    def test_the_scores_page_shows_the_marks_per_unit_of_its_period(self) -> None:
        services.set_mark(user=self.leader, useful=True, item=self.item)
        services.set_mark(user=self.principal, useful=True, item=self.item)
        services.set_mark(user=self.principal, useful=False, item=self.other)
        self.client.force_login(self.ed)
        home = self.client.get("/").content.decode()
        assert 'href="/scoring/"' in home
        page = self.client.get("/scoring/", {"period": "month", "day": "2026-07-15"})
        body = page.content.decode()
        marks = body[body.index('id="scoring-marks"') :]
        rows = {
            name: marks[marks.index(name) :].split("</tr>", 1)[0]
            for name in (self.county_a.short_name, self.county_b.short_name)
        }
        assert [c for c in rows[self.county_a.short_name].split("<td") if "text-end" in c] == [
            ' class="text-end">2</td>',
            ' class="text-end">0</td>',
        ]
        assert ' class="text-end">1</td>' in rows[self.county_b.short_name]
        # Another month's scores count none of them.
        other = self.client.get("/scoring/", {"period": "month", "day": "2026-05-15"})
        self.assertContains(other, "None in this period.")
