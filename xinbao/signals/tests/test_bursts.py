"""Burst detection over collected posts: a week of ordinary traffic then a spike raises exactly
one signal, which reaches the editors and the duty officer; a flat series raises none; a burst
that goes on raises no second signal, and a new one after it has ended does."""

from __future__ import annotations

import datetime as dt
import hashlib

import time_machine
from django.test import override_settings

from xinbao.accounts.models import User
from xinbao.monitor.models import Hit, PostAlias, TermKind
from xinbao.notify.models import Notification
from xinbao.notify.services import deliver_due
from xinbao.notify.tests.peers import GenericSmsPeer
from xinbao.scheduler.services import run_chore
from xinbao.signals.chores import SCAN
from xinbao.signals.conf import params
from xinbao.signals.detect import hourly_counts, judge
from xinbao.signals.models import EarlySignal, SignalKind, SignalState
from xinbao.signals.tests import factory
from xinbao.test import BaseTestCase

NOW = dt.datetime(2026, 7, 10, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
TOKEN = "gw-secret"


def minutes(n: int) -> dt.datetime:
    return NOW + dt.timedelta(minutes=n)


class BurstTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.src = factory.source(self.ed)
        self.term = factory.term(self.ed, "物业费")
        self.tm = self.enterContext(time_machine.travel(NOW, tick=False))

    def scan(self) -> str:
        return run_chore(SCAN)

    def inbox_titles(self, user: User) -> list[str]:
        """What reached the user's in-app inbox: subjects in the office's language."""
        deliver_due()
        return list(
            Notification.objects.filter(user=user).values_list("message__subject", flat=True)
        )

    def test_it_raises_exactly_one_signal_for_a_spike_after_a_flat_week(self) -> None:
        factory.flat_week(self.src, NOW, hit=self.term)
        factory.posts(self.src, minutes(-20), 8, hit=self.term)

        summary = self.scan()

        [signal] = EarlySignal.objects.all()
        assert "1 signal(s) raised" in summary
        assert (signal.kind, signal.key, signal.label) == (
            SignalKind.TERM,
            str(self.term.pk),
            "物业费",
        )
        assert signal.observed == 8
        assert signal.state == SignalState.RAISED
        assert signal.score >= params().z
        assert 0.9 < signal.baseline < 1.1  # 0, 1, 2 posts an hour in turn
        assert signal.evidence.count() == 8
        assert len(signal.counts) == 169 and signal.counts[-1] == 8
        # The editors and the duty officer find it in their inbox; nobody else is told.
        for user in (self.ed, self.duty):
            assert self.inbox_titles(user) == ["苗头预警：物业费"]
        assert self.inbox_titles(self.alice) == []
        # The page shows the evidence and the chart's data.
        self.client.force_login(self.ed)
        page = self.client.get(f"/signals/{signal.pk}/")
        assert page.status_code == 200
        self.assertContains(page, "8 posts in 1 h against a normal 1.0")
        self.assertContains(page, "网民讨论物业收费")
        self.assertContains(page, 'id="signal-data"')
        listing = self.client.get("/signals/")
        self.assertContains(listing, f"/signals/{signal.pk}/")
        home = self.client.get("/")
        self.assertContains(home, "Early signals to look at")
        self.assertContains(home, f"/signals/{signal.pk}/")

    def test_it_counts_a_post_naming_the_term_again_and_again_once(self) -> None:
        factory.flat_week(self.src, NOW, hit=self.term)
        spike = factory.posts(self.src, minutes(-20), 8, hit=self.term)
        # Each post of the spike names the term twice more: still eight posts, not 24.
        Hit.objects.bulk_create(
            Hit(post=p, term=self.term, start=s, end=s + 3, context="物业费")
            for p in spike
            for s in (10, 20)
        )
        self.scan()
        [signal] = EarlySignal.objects.all()
        assert signal.observed == 8

    def test_it_raises_none_for_a_flat_series(self) -> None:
        factory.flat_week(self.src, minutes(60), hit=self.term)
        for step in range(0, 60, 10):
            self.tm.move_to(minutes(step))
            self.scan()
        assert not EarlySignal.objects.exists()
        assert self.inbox_titles(self.ed) == []

    def test_it_raises_no_second_signal_while_the_burst_goes_on(self) -> None:
        factory.flat_week(self.src, NOW, hit=self.term)
        factory.posts(self.src, minutes(-20), 8, hit=self.term)
        self.scan()
        # More posts keep coming for the next two hours: the same burst.
        for step in range(10, 120, 10):
            self.tm.move_to(minutes(step))
            factory.posts(self.src, minutes(step - 1), 2, hit=self.term)
            assert "0 signal(s) raised" in self.scan()
        assert EarlySignal.objects.count() == 1
        assert self.inbox_titles(self.ed) == ["苗头预警：物业费"]

        # Quiet for hours: the burst ends; a new spike later is a new signal.
        self.tm.move_to(minutes(240))
        assert "1 ended" in self.scan()
        assert not EarlySignal.objects.get().burst_open
        self.tm.move_to(minutes(600))
        factory.posts(self.src, minutes(590), 9, hit=self.term)
        self.scan()
        assert EarlySignal.objects.count() == 2
        assert self.inbox_titles(self.ed) == ["苗头预警：物业费"] * 2

    def test_it_counts_a_place_named_in_posts(self) -> None:
        factory.flat_week(self.src, NOW, text="青石镇今天举行了农产品展销活动。")
        factory.posts(
            self.src,
            minutes(-30),
            7,
            title="网民反映停水",
            text="青石镇多个小区停水，居民意见较大。",
        )

        self.scan()

        [signal] = EarlySignal.objects.all()
        assert (signal.kind, signal.label, signal.observed) == (SignalKind.PLACE, "青石镇", 7)

    def test_it_counts_a_group_of_reposts_of_one_post(self) -> None:
        [first] = factory.posts(self.src, minutes(-50), 1, title="网帖：某地菜价上涨")
        for n in range(6):
            url = f"http://127.0.0.1:9/repost/{n}"
            PostAlias.objects.create(
                post=first,
                source=self.src,
                url=url,
                url_hash=hashlib.sha256(url.encode()).hexdigest(),
                reason=PostAlias.Reason.NEAR_DUPLICATE,
                similarity=0.9,
                seen_at=minutes(-40 + n),
            )

        self.scan()

        [signal] = EarlySignal.objects.all()
        assert (signal.kind, signal.key, signal.observed) == (SignalKind.GROUP, str(first.pk), 7)
        assert list(signal.evidence.all()) == [first]

    def test_it_alerts_a_sensitive_burst_on_the_urgent_ladder(self) -> None:
        sms = GenericSmsPeer(TOKEN)
        sms.start()
        self.addCleanup(sms.stop)
        self.enterContext(
            override_settings(
                XINBAO_NOTIFY={
                    "http_timeout": 2,
                    "sms": {"provider": "generic", "url": sms.url, "token": TOKEN},
                }
            )
        )
        self.duty.phone = "13900000777"
        self.duty.save(update_fields=["phone"])
        sensitive = factory.term(self.ed, "聚集", kind=TermKind.SENSITIVE)
        factory.flat_week(self.src, NOW, hit=sensitive)
        factory.posts(self.src, minutes(-15), 6, hit=sensitive)

        self.scan()
        deliver_due()

        assert EarlySignal.objects.get().urgent
        texts = [r.json() for r in sms.received]
        assert [t["phone"] for t in texts] == ["13900000777"]
        assert "聚集" in texts[0]["text"]


class ModelTest(BaseTestCase):
    def test_it_scores_against_the_series_own_baseline(self) -> None:
        p = params()
        end = NOW
        times = [end - dt.timedelta(hours=h, minutes=30) for h in range(169) for _ in range(3)]
        counts = hourly_counts(times, end=end, hours=p.span_hours)
        # A busy series: 3 an hour is its normal; 3 in the last hour is no burst.
        assert counts[-1] == 3 and not judge(counts, p).bursting
        # The floor: a series with a constant count has no deviation, the floor stands in.
        counts[-1] = 3 + int(p.z * p.std_floor) + 1
        verdict = judge(counts, p)
        assert verdict.bursting and verdict.std == 0
        # Below the minimum count nothing is a burst, however rare the series.
        quiet = [0] * p.span_hours
        quiet[-1] = p.min_count - 1
        assert not judge(quiet, p).bursting
