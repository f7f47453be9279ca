"""The ledger corrections screen: a unit's entries over a period, one reversed with a reason."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import time_machine
from django.urls import reverse

from xinbao.audit.models import AuditEvent
from xinbao.scoring import ledger, services
from xinbao.scoring.models import Cause, ScoreEntry
from xinbao.scoring.selectors import LEDGER_LINES
from xinbao.scoring.tests.factories import ScoringCase, noon
from xinbao.test import next_link


def shown(page: str) -> list[int]:
    """The ledger lines a page shows, in its order."""
    return [int(pk) for pk in re.findall(r'id="entry-(\d+)"', page)]


class CorrectionScreenTests(ScoringCase):
    def setUp(self) -> None:
        self.enterContext(time_machine.travel(noon(dt.date(2026, 5, 12)), tick=False))
        item = self.item(self.alice, title="东城县防汛信息")
        [self.entry] = services.post_adoption(adoption=self.adopt(item, dt.date(2026, 4, 3)))
        other = self.item(self.bob, title="西山县春耕信息")
        [self.other] = services.post_adoption(adoption=self.adopt(other, dt.date(2026, 4, 7)))
        self.client.force_login(self.chief)

    def ledger_page(self, **query: str) -> str:
        response = self.client.get(reverse("scoring:ledger"), query)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_it_filters_the_ledger_by_unit_and_period(self) -> None:
        page = self.ledger_page(unit=str(self.county_a.pk), period="quarter", day="2026-04-15")
        self.assertIn(f'id="entry-{self.entry.pk}"', page)
        self.assertNotIn(f'id="entry-{self.other.pk}"', page)
        self.assertIn("From 2026-04-01 to 2026-06-30.", page)
        page = self.ledger_page(unit=str(self.county_a.pk), period="month", day="2026-05-01")
        self.assertNotIn(f'id="entry-{self.entry.pk}"', page)
        self.assertIn("No ledger entry in this period.", page)
        page = self.ledger_page(period="quarter", day="2026-04-15")
        self.assertIn(f'id="entry-{self.other.pk}"', page)

    def test_it_corrects_an_entry_with_a_reason(self) -> None:
        query = f"unit={self.county_a.pk}&period=quarter&day=2026-04-15"
        url = (
            reverse("scoring:correct", args=[self.entry.pk]) + "?back=" + query.replace("&", "%26")
        )
        page = self.client.get(url)
        self.assertContains(page, "东城县委办公室")
        response = self.client.post(url, {"reason": "采用记录录错了刊物"})
        self.assertRedirects(response, reverse("scoring:ledger") + "?" + query)
        reversal = ScoreEntry.objects.get(reverses=self.entry)
        self.assertEqual(reversal.cause, Cause.CORRECTION)
        self.assertEqual(reversal.points, -self.entry.points)
        self.assertEqual(reversal.explanation, "采用记录录错了刊物")
        totals = dict(ledger.totals(dt.date(2026, 4, 1), dt.date(2026, 7, 1)))
        self.assertEqual(totals[self.county_a], Decimal(0))
        self.assertEqual(totals[self.county_b], self.other.points)
        event = AuditEvent.objects.get(action="scoring_corrected")
        self.assertEqual(event.actor, self.chief)
        self.assertEqual(event.summary["reason"], "采用记录录错了刊物")
        after = self.ledger_page(unit=str(self.county_a.pk), period="quarter", day="2026-04-15")
        self.assertIn("Corrected", after)
        self.assertNotIn(reverse("scoring:correct", args=[self.entry.pk]), after)

    def test_it_refuses_the_same_entry_twice(self) -> None:
        url = reverse("scoring:correct", args=[self.entry.pk])
        self.client.post(url, {"reason": "第一次更正"})
        response = self.client.post(url, {"reason": "第二次更正"})
        self.assertContains(response, "This entry has already been corrected.", status_code=400)
        self.assertContains(response, "第二次更正", status_code=400)  # what was typed stays
        self.assertEqual(ScoreEntry.objects.filter(reverses=self.entry).count(), 1)
        reversal = ScoreEntry.objects.get(reverses=self.entry)
        response = self.client.post(
            reverse("scoring:correct", args=[reversal.pk]), {"reason": "更正的更正"}
        )
        self.assertContains(response, "A correction cannot itself be corrected", status_code=400)

    def test_it_refuses_without_a_reason(self) -> None:
        url = reverse("scoring:correct", args=[self.entry.pk])
        for reason in ("", "   "):
            response = self.client.post(url, {"reason": reason})
            self.assertContains(response, "This field is required.", status_code=400)
        self.assertFalse(ScoreEntry.objects.filter(reverses=self.entry).exists())
        with self.assertRaisesMessage(services.ScoringError, "Give the reason"):
            services.correct(entry=self.entry, reason=" ", user=self.chief)

    def test_it_is_the_section_chiefs_screen(self) -> None:
        for user in (self.ed, self.alice, self.leader):
            self.client.force_login(user)
            self.assertEqual(self.client.get(reverse("scoring:ledger")).status_code, 403)
            response = self.client.post(
                reverse("scoring:correct", args=[self.entry.pk]), {"reason": "x"}
            )
            self.assertEqual(response.status_code, 403)
        self.assertFalse(ScoreEntry.objects.filter(reverses=self.entry).exists())

    def test_it_pages_a_long_ledger_newest_first_without_losing_an_entry(self) -> None:
        item = self.item(self.alice, title="东城县防汛信息续报")
        adoption = self.adopt(item, dt.date(2026, 5, 2))
        older = [
            ScoreEntry.objects.create(
                unit=self.county_a,
                on=dt.date(2026, 5, 1),
                points=Decimal(1),
                cause=Cause.ADOPTION,
                cause_id=adoption.pk,
                posting=n + 1,
                explanation=f"续报{n}",
            )
            for n in range(LEDGER_LINES + 4)
        ]
        url = reverse("scoring:ledger") + "?period=quarter&day=2026-05-01"
        first = self.client.get(url).content.decode()
        # The newest line first: the lines of 2026-05-01, highest id first; the April ones later.
        assert shown(first) == [e.pk for e in reversed(older)][:LEDGER_LINES]
        following = next_link(first, url)
        assert following is not None
        second = self.client.get(following).content.decode()
        assert shown(first) + shown(second) == [e.pk for e in reversed(older)] + [
            self.other.pk,
            self.entry.pk,
        ]
        assert next_link(second) is None
