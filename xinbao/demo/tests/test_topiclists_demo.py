"""The demo city's monthly topic lists: last month's and this month's published, answered by
units and confirmed by the editor, one topic nobody answered; a second run skips."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from xinbao.accounts.models import Role, User
from xinbao.demo.tests.cases import DemoCase, book
from xinbao.demo.topiclists import topiclists
from xinbao.notify.models import Notification
from xinbao.topiclists.models import AnswerHow, ListState, TopicAnswer, TopicList


class TopicListsDemoTest(DemoCase):
    def test_it_publishes_two_months_answered_by_units_and_the_office(self) -> None:
        this_month = timezone.localdate().replace(day=1)
        current = TopicList.objects.get(month=this_month)
        assert current.state == ListState.PUBLISHED
        assert TopicList.objects.filter(state=ListState.PUBLISHED).count() == 2
        hows = set(TopicAnswer.objects.values_list("how", flat=True))
        assert {AnswerHow.UNIT, AnswerHow.SUGGESTED} <= hows

        self.client.force_login(User.objects.get(username="chief"))
        page = self.client.get(reverse("topiclists:coverage", args=[current.pk]))
        cover = page.context["cover"]
        unanswered = [row.topic.title for row in cover.topics if row.unanswered]
        assert "人工智能赋能社会治理" in unanswered
        assert cover.answered_units > 0
        self.assertContains(page, "Nobody answered yet")

    def test_it_told_the_reporters_who_open_the_list(self) -> None:
        current = TopicList.objects.get(month=timezone.localdate().replace(day=1))
        reporter = User.objects.filter(role=Role.REPORTER, is_active=True).order_by("pk").first()
        assert reporter is not None
        assert Notification.objects.filter(user=reporter, title__contains=current.title).exists()
        self.client.force_login(reporter)
        self.assertContains(
            self.client.get(reverse("topiclists:detail", args=[current.pk])), current.title
        )

    def test_it_skips_a_second_run(self) -> None:
        answers = TopicAnswer.objects.count()
        again = book()
        topiclists(again)
        assert again.skipped == ["topic lists: this month's list exists"]
        assert TopicAnswer.objects.count() == answers
