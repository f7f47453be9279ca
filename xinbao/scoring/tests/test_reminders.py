"""Reminder letters to units behind their quota; the SMS after two silent months."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import override_settings

from xinbao.notify.models import Dispatch, Message
from xinbao.scoring.chores import scan_reminders
from xinbao.scoring.models import Reminder, ReminderKind
from xinbao.scoring.tests.factories import ScoringCase, noon


def run_on(day: dt.date) -> None:
    with time_machine.travel(noon(day), tick=False):
        scan_reminders()


class LetterTests(ScoringCase):
    def setUp(self) -> None:
        # County A meets its quota of 6 in April; county B submits 2.
        for n in range(6):
            self.item(self.alice, title=f"东城县信息{n}", submitted_at=noon(dt.date(2026, 4, 2)))
        for n in range(2):
            self.item(self.bob, title=f"西山县信息{n}", submitted_at=noon(dt.date(2026, 4, 2)))

    def letters_to(self) -> list[str]:
        return sorted(
            Dispatch.objects.filter(event="scoring_reminder").values_list(
                "recipient_name", flat=True
            )
        )

    def test_it_sends_letters_on_the_20th_only_to_units_behind(self) -> None:
        run_on(dt.date(2026, 4, 19))
        self.assertEqual(self.letters_to(), [])
        run_on(dt.date(2026, 4, 20))
        # The head and the deputy in charge of county B; county A met its quota.
        self.assertEqual(self.letters_to(), ["刘海燕", "陈志强"])
        letters = Reminder.objects.filter(kind=ReminderKind.LETTER, period=dt.date(2026, 4, 1))
        self.assertIn(self.county_b.pk, letters.values_list("unit_id", flat=True))
        self.assertNotIn(self.county_a.pk, letters.values_list("unit_id", flat=True))

    def test_it_does_not_send_a_letter_twice_in_a_month(self) -> None:
        run_on(dt.date(2026, 4, 20))
        run_on(dt.date(2026, 4, 21))
        run_on(dt.date(2026, 4, 28))
        self.assertEqual(self.letters_to(), ["刘海燕", "陈志强"])
        self.assertEqual(
            Reminder.objects.filter(unit=self.county_b, kind=ReminderKind.LETTER).count(), 1
        )

    @override_settings(XINBAO_SCORING={"reminder_day": 25})
    def test_it_waits_for_the_configured_day(self) -> None:
        run_on(dt.date(2026, 4, 20))
        self.assertEqual(self.letters_to(), [])
        run_on(dt.date(2026, 4, 25))
        self.assertEqual(self.letters_to(), ["刘海燕", "陈志强"])


class SilenceTests(ScoringCase):
    def sms_to(self, name: str) -> int:
        return Message.objects.filter(
            event="scoring_silence", channel="sms", recipient_name=name
        ).count()

    def work(self, day: dt.date) -> None:
        """County A submits an item that is adopted the same month; county B stays silent."""
        item = self.item(self.alice, submitted_at=noon(day))
        self.adopt(item, day)

    def test_it_sends_one_sms_per_streak(self) -> None:
        self.work(dt.date(2026, 1, 10))
        run_on(dt.date(2026, 2, 1))
        self.assertEqual(self.sms_to("王建国"), 0)
        self.work(dt.date(2026, 2, 10))
        run_on(dt.date(2026, 3, 1))
        run_on(dt.date(2026, 3, 2))
        run_on(dt.date(2026, 4, 1))
        # County B has been silent all along: one SMS whatever the months.
        self.assertEqual(self.sms_to("陈志强"), 1)
        # County A worked in January and February, then fell silent in March and April.
        self.assertEqual(self.sms_to("王建国"), 0)
        run_on(dt.date(2026, 5, 1))
        run_on(dt.date(2026, 5, 15))
        self.assertEqual(self.sms_to("王建国"), 1)
        streak = Reminder.objects.get(unit=self.county_a, kind=ReminderKind.SMS)
        self.assertEqual(streak.period, dt.date(2026, 3, 1))
        run_on(dt.date(2026, 6, 1))
        self.assertEqual(self.sms_to("王建国"), 1)
        # Work in June breaks the streak; July and August silent make a new one.
        self.work(dt.date(2026, 6, 10))
        run_on(dt.date(2026, 7, 1))
        run_on(dt.date(2026, 8, 1))
        self.assertEqual(self.sms_to("王建国"), 1)
        run_on(dt.date(2026, 9, 1))
        self.assertEqual(self.sms_to("王建国"), 2)
        self.assertEqual(
            sorted(
                Reminder.objects.filter(unit=self.county_a, kind=ReminderKind.SMS).values_list(
                    "period", flat=True
                )
            ),
            [dt.date(2026, 3, 1), dt.date(2026, 7, 1)],
        )
        self.assertEqual(self.sms_to("陈志强"), 1)

    def test_it_counts_nothing_adopted_as_silence(self) -> None:
        for day in (dt.date(2026, 2, 10), dt.date(2026, 3, 10)):
            self.item(self.bob, title=f"西山县信息{day.month}", submitted_at=noon(day))
        for day in (dt.date(2026, 2, 10), dt.date(2026, 3, 10)):
            self.work(day)
        run_on(dt.date(2026, 4, 1))
        self.assertEqual(self.sms_to("陈志强"), 1)
        self.assertEqual(self.sms_to("王建国"), 0)
        body = Message.objects.get(event="scoring_silence", recipient_name="陈志强").body
        # Messages go out in the office's language: Chinese where the catalogue is compiled.
        self.assertTrue("adopted" in body or "被采用" in body, body)
