"""The office's side of commissions: drafts chosen by unit class, changed and sent later, the
yearly numbering, closing and cancelling (nobody is reminded or scored after)."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse

from xinbao.notify.models import Message, Notification
from xinbao.notify.services import deliver_due
from xinbao.research.chores import DEADLINES
from xinbao.research.models import Assignment, Commission, CommissionState
from xinbao.scheduler.services import run_chore
from xinbao.scoring.models import ScoreEntry
from xinbao.test import BaseTestCase

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI)


class OfficeCommissionTest(BaseTestCase):
    def values(self, **extra: object) -> dict[str, object]:
        return {
            "subject": "城市更新中的群众诉求",
            "source": "grassroots_hot",
            "form": "stationed",
            "requirements": "情况、分析、对策",
            "due_on": "2026-06-12",
            **extra,
        }

    def test_it_keeps_a_draft_by_class_changes_it_and_sends_it_numbered(self) -> None:
        self.client.force_login(self.chief)
        with time_machine.travel(START, tick=False):
            past = self.client.post(
                reverse("research:create"),
                self.values(due_on="2026-05-30", unit_classes=[self.class_one.pk], draft="1"),
            )
            assert past.status_code == 400
            assert "The due day must be after today." in past.content.decode()
            assert "城市更新中的群众诉求" in past.content.decode()

            self.client.post(
                reverse("research:create"),
                self.values(unit_classes=[self.class_one.pk], draft="1"),
            )
            draft = Commission.objects.get()
            assert draft.state == CommissionState.DRAFT and draft.number == ""
            units = set(draft.assignments.values_list("unit", flat=True))
            assert units == {self.county_a.pk, self.county_b.pk, self.dept.pk, self.point.pk}
            assert not Message.objects.exists()
            # Leaders do not see the section's drafts.
            self.client.force_login(self.leader)
            assert self.client.get(reverse("research:detail", args=[draft.pk])).status_code == 404

            self.client.force_login(self.ed)
            self.client.post(
                reverse("research:edit", args=[draft.pk]),
                self.values(subject="老旧小区改造中的群众诉求", units=[self.county_b.pk]),
            )
            draft.refresh_from_db()
            assert draft.subject == "老旧小区改造中的群众诉求"
            assert list(draft.assignments.values_list("unit", flat=True)) == [self.county_b.pk]
            self.client.post(reverse("research:send", args=[draft.pk]))
            draft.refresh_from_db()
            assert (draft.state, draft.number) == (CommissionState.SENT, "约稿〔2026〕1号")
            deliver_due()
            told = Notification.objects.filter(message__event="research_commission")
            assert [n.user for n in told] == [self.bob]

            self.client.post(
                reverse("research:create"),
                self.values(units=[self.county_a.pk], send="1"),
            )
            second = Commission.objects.exclude(pk=draft.pk).get()
            assert second.number == "约稿〔2026〕2号"
            page = self.client.get(reverse("research:plan")).content.decode()
            assert "约稿〔2026〕2号" in page and "Grassroots hot issues" in page

    def test_it_stops_checking_a_closed_or_cancelled_commission(self) -> None:
        self.client.force_login(self.chief)
        with time_machine.travel(START, tick=False):
            for subject in ("义务教育阶段学位供给", "基层减负落实情况"):
                self.client.post(
                    reverse("research:create"),
                    self.values(subject=subject, units=[self.county_b.pk], send="1"),
                )
            closed, cancelled = Commission.objects.order_by("pk")
            self.client.post(reverse("research:close", args=[closed.pk]))
            self.client.post(reverse("research:cancel", args=[cancelled.pk]))
        assert set(Commission.objects.values_list("state", flat=True)) == {
            CommissionState.CLOSED,
            CommissionState.CANCELLED,
        }
        assert not Assignment.objects.filter(next_check_at__isnull=False).exists()
        with time_machine.travel(dt.datetime(2026, 6, 20, 9, tzinfo=SHANGHAI), tick=False):
            run_chore(DEADLINES)
            self.client.force_login(self.bob)
            item = self.make_item(self.bob, title="西山县基层减负情况")
            answer = self.client.post(
                reverse("research:answer", args=[closed.pk]), {"item": item.pk}, follow=True
            )
        assert "This commission is Closed: it takes no more answers." in answer.content.decode()
        assert not ScoreEntry.objects.exists()
