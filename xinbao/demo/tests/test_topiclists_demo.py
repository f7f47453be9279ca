"""The demo city's monthly topic lists: last month's and this month's published, answered by
units and confirmed by the editor, one topic nobody answered; a second run skips."""

from __future__ import annotations

import io
import shutil
import tempfile

from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from xinbao.accounts.models import Role, User
from xinbao.demo.office import Book
from xinbao.demo.topiclists import topiclists
from xinbao.notify.models import Notification
from xinbao.test import EnglishClient
from xinbao.topiclists.models import AnswerHow, ListState, TopicAnswer, TopicList

_MEDIA = tempfile.mkdtemp(prefix="xinbao-demo-topiclists-")
_STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": _MEDIA},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def book() -> Book:
    return Book(
        now=timezone.now(),
        items={},
        users={user.username: user for user in User.objects.all()},
    )


@override_settings(STORAGES=_STORAGES, MEDIA_ROOT=_MEDIA)
class TopicListsDemoTest(TestCase):
    client_class = EnglishClient  # assertions read the English source strings

    @classmethod
    def setUpTestData(cls) -> None:
        call_command("demo", "--force", stdout=io.StringIO())
        if not TopicList.objects.exists():  # until the demo's loader runs the story itself
            topiclists(book())

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        shutil.rmtree(_MEDIA, ignore_errors=True)

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
