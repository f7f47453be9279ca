"""Monthly topic lists (报送要点): the section chief writes and publishes a month's list from an
empty office; the units' reporters are told, open it from their menu and link their items; the
office confirms an item the matcher suggests; coverage shows the topic nobody answered."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import time_machine

from xinbao.accounts.models import User
from xinbao.audit.models import AuditEvent
from xinbao.documents.models import RenderedDocument, RenderState
from xinbao.items.models import ItemStatus
from xinbao.notify.models import Notification
from xinbao.notify.services import deliver_due
from xinbao.test import BaseTestCase
from xinbao.topiclists.models import AnswerHow, ListState, TopicAnswer, TopicList

NOW = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
TITLE = "2026年12月信息报送要点"


def told(user: User) -> list[str]:
    """What reached the user's in-app inbox."""
    deliver_due()
    return list(
        Notification.objects.filter(user=user).order_by("pk").values_list("title", flat=True)
    )


class TopicListTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.enterContext(time_machine.travel(NOW, tick=False))

    def menu(self, label: str) -> str:
        """The menu entry's address, as the signed-in user's menu shows it."""
        menu = dict(self.client.get("/").context["nav_all"])
        assert label in menu, sorted(menu)
        return str(menu[label])

    def write_and_publish(self) -> TopicList:
        """The section chief, from the menu, writes a list of two topics and publishes it."""
        self.client.force_login(self.chief)
        index = self.menu("Reporting topics")
        self.assertContains(self.client.get(index), "No topic list yet.")
        response = self.client.post(
            "/topiclists/new/",
            {"month": "2026-12", "title": TITLE, "foreword": "请各单位围绕以下要点报送信息。"},
            follow=True,
        )
        self.assertContains(response, "Topic list created.")
        topic_list = TopicList.objects.get()
        for title, keywords in (
            ("冬季安全生产", "安全生产、隐患排查"),
            ("乡村振兴典型经验", "乡村振兴"),
        ):
            response = self.client.post(
                f"/topiclists/{topic_list.pk}/topics/new/",
                {
                    "title": title,
                    "wanted": f"重点反映{title}方面的新情况。",
                    "keywords": keywords,
                    "suggested_kind": "analysis",
                    "unit_classes": [self.class_one.pk],
                },
                follow=True,
            )
            self.assertContains(response, "Topic saved.")
        response = self.client.post(f"/topiclists/{topic_list.pk}/publish/", follow=True)
        self.assertContains(response, "Topic list published: the units&#x27; reporters are told.")
        topic_list.refresh_from_db()
        assert topic_list.state == ListState.PUBLISHED
        return topic_list

    def test_it_publishes_a_list_a_reporter_is_told_of_and_answers(self) -> None:
        topic_list = self.write_and_publish()
        safety, _rural = topic_list.topics.order_by("order")
        assert [n for n in told(self.alice) if TITLE in n], told(self.alice)
        assert [n for n in told(self.bob) if TITLE in n]

        mine = self.make_item(self.alice, title="东城县开展冬季安全生产隐患排查", submitted_at=NOW)
        self.client.force_login(self.alice)
        inbox = self.client.get("/notify/")
        self.assertContains(inbox, TITLE)
        note = Notification.objects.get(user=self.alice)
        opened = self.client.post(f"/notify/{note.pk}/read/")
        assert opened.status_code == 302 and opened["Location"] == f"/topiclists/{topic_list.pk}/"
        index = self.client.get(self.menu("Reporting topics"))
        self.assertContains(index, TITLE)
        page = self.client.get(f"/topiclists/{topic_list.pk}/")
        self.assertContains(page, "冬季安全生产")
        self.assertContains(page, "Nobody answered yet")
        topic_page = self.client.get(f"/topiclists/topics/{safety.pk}/")
        self.assertContains(topic_page, "东城县开展冬季安全生产隐患排查")  # offered in the select
        response = self.client.post(
            f"/topiclists/topics/{safety.pk}/link/", {"item": mine.pk}, follow=True
        )
        self.assertContains(response, "Item linked to the topic.")
        answer = TopicAnswer.objects.get()
        assert (answer.item, answer.how, answer.by) == (mine, AnswerHow.UNIT, self.alice)

        # The item's own page says which topic it answers.
        self.assertContains(self.client.get(f"/items/{mine.pk}/"), "Answers topic")

        coverage = self.client.get(f"/topiclists/{topic_list.pk}/coverage/")
        self.assertContains(coverage, "东城县开展冬季安全生产隐患排查")
        assert [(r.topic.title, r.items) for r in coverage.context["cover"].topics] == [
            ("冬季安全生产", 1),
            ("乡村振兴典型经验", 0),
        ]
        assert [u.unit for u in coverage.context["cover"].units] == [self.county_a]

    def test_it_refuses_a_reporter_another_units_item(self) -> None:
        topic_list = self.write_and_publish()
        topic = topic_list.topics.first()
        assert topic is not None
        theirs = self.make_item(self.bob, title="西山县安全生产检查", submitted_at=NOW)
        self.client.force_login(self.alice)
        response = self.client.post(f"/topiclists/topics/{topic.pk}/link/", {"item": theirs.pk})
        assert response.status_code == 404
        response = self.client.post(f"/topiclists/items/{theirs.pk}/link/", {"topic": topic.pk})
        assert response.status_code == 404
        assert not TopicAnswer.objects.exists()

    def test_it_offers_a_matching_item_the_office_confirms(self) -> None:
        topic_list = self.write_and_publish()
        safety = topic_list.topics.order_by("order").first()
        assert safety is not None
        found = self.make_item(
            self.bob,
            title="西山县全面开展安全生产大检查",
            body="全县组织安全生产隐患排查，整改隐患42处。",
            submitted_at=NOW,
        )
        self.make_item(self.bob, title="西山县举办农民丰收节", submitted_at=NOW)
        self.client.force_login(self.ed)
        page = self.client.get(f"/topiclists/topics/{safety.pk}/")
        assert [s.item for s in page.context["suggestions"]] == [found]
        self.assertContains(page, "安全生产")  # a reason names the keyword
        # A suggestion is not counted before the office confirms it.
        coverage = self.client.get(f"/topiclists/{topic_list.pk}/coverage/")
        assert coverage.context["cover"].unanswered == 2

        response = self.client.post(
            f"/topiclists/topics/{safety.pk}/link/",
            {"item": found.pk, "suggested": "1"},
            follow=True,
        )
        self.assertContains(response, "Suggestion confirmed: the item answers the topic.")
        assert TopicAnswer.objects.get().how == AnswerHow.SUGGESTED
        assert self.client.get(f"/topiclists/topics/{safety.pk}/").context["suggestions"] == []

        coverage = self.client.get(f"/topiclists/{topic_list.pk}/coverage/")
        cover = coverage.context["cover"]
        assert cover.unanswered == 1
        unanswered = [r.topic.title for r in cover.topics if r.unanswered]
        assert unanswered == ["乡村振兴典型经验"]
        self.assertContains(coverage, "Nobody answered yet")
        first = cover.topics[0]
        # Four active units of class one: county B answered.
        assert (first.answered_aimed, len(first.aimed), first.share) == (1, 4, 25)
        assert {u.unit.pk: u.topics for u in cover.units}[self.county_b.pk] == [1]

    def test_it_forgets_a_dismissed_suggestion(self) -> None:
        topic_list = self.write_and_publish()
        safety = topic_list.topics.order_by("order").first()
        assert safety is not None
        item = self.make_item(self.bob, title="西山县安全生产工作会议", submitted_at=NOW)
        self.client.force_login(self.ed)
        response = self.client.post(
            f"/topiclists/topics/{safety.pk}/dismiss/", {"item": item.pk}, follow=True
        )
        self.assertContains(response, "Suggestion dismissed.")
        assert response.context["suggestions"] == []
        assert not TopicAnswer.objects.exists()

    def test_it_copies_last_months_list_and_reorders_its_topics(self) -> None:
        november = self.write_and_publish()
        self.client.force_login(self.ed)
        response = self.client.post(
            "/topiclists/new/",
            {"month": "2027-01", "title": "", "copy_from": november.pk},
            follow=True,
        )
        self.assertContains(response, "Topic list created.")
        january = TopicList.objects.get(month=dt.date(2027, 1, 1))
        assert january.title == "2027-01 information reporting topics"
        assert january.foreword == november.foreword
        titles = list(january.topics.order_by("order").values_list("title", flat=True))
        assert titles == ["冬季安全生产", "乡村振兴典型经验"]
        second = january.topics.get(title="乡村振兴典型经验")
        assert list(second.unit_classes.all()) == [self.class_one]
        self.client.post(f"/topiclists/topics/{second.pk}/move/", {"to": "up"})
        titles = list(january.topics.order_by("order").values_list("title", flat=True))
        assert titles == ["乡村振兴典型经验", "冬季安全生产"]
        # A unit does not see the draft.
        self.client.force_login(self.alice)
        assert self.client.get(f"/topiclists/{january.pk}/").status_code == 404
        self.assertNotContains(self.client.get("/topiclists/"), "2027-01")

    def test_it_keeps_what_was_typed_when_a_topic_is_refused(self) -> None:
        self.client.force_login(self.chief)
        self.client.post("/topiclists/new/", {"month": "2026-12", "title": TITLE})
        topic_list = TopicList.objects.get()
        response = self.client.post(
            f"/topiclists/{topic_list.pk}/topics/new/",
            {"title": "", "wanted": "反映基层治理新做法", "keywords": "基层治理"},
        )
        self.assertContains(response, "反映基层治理新做法", status_code=400)
        self.assertContains(response, "This field is required.", status_code=400)
        response = self.client.post("/topiclists/new/", {"month": "2026-12", "title": "另一份"})
        self.assertContains(response, "There is already a list for this month.", status_code=400)
        self.assertContains(response, "另一份", status_code=400)
        response = self.client.post(f"/topiclists/{topic_list.pk}/publish/", follow=True)
        self.assertContains(response, "Add at least one topic before publishing the list.")

    def test_it_refuses_roles_that_do_not_write_lists(self) -> None:
        topic_list = self.write_and_publish()
        for user in (self.alice, self.leader, self.duty):
            self.client.force_login(user)
            assert self.client.get("/topiclists/new/").status_code == 403
            response = self.client.post(f"/topiclists/{topic_list.pk}/withdraw/")
            assert response.status_code == 403
        for user in (self.sysadmin, self.liaison):
            self.client.force_login(user)
            assert self.client.get("/topiclists/").status_code == 403

    def test_it_withdraws_a_list_and_refuses_new_answers(self) -> None:
        topic_list = self.write_and_publish()
        topic = topic_list.topics.first()
        assert topic is not None
        self.client.force_login(self.chief)
        self.assertContains(
            self.client.post(f"/topiclists/{topic_list.pk}/withdraw/", follow=True),
            "Topic list withdrawn.",
        )
        item = self.make_item(self.alice, submitted_at=NOW)
        self.client.force_login(self.alice)
        response = self.client.post(f"/topiclists/topics/{topic.pk}/link/", {"item": item.pk})
        self.assertContains(
            response, "Only a published list&#x27;s topics take answers.", status_code=409
        )
        actions = set(AuditEvent.objects.values_list("action", flat=True))
        assert {"topiclists.create", "topiclists.publish", "topiclists.withdraw"} <= actions

    def test_it_links_from_the_items_page_and_refuses_a_draft(self) -> None:
        topic_list = self.write_and_publish()
        topic = topic_list.topics.order_by("order").last()
        assert topic is not None
        item = self.make_item(self.alice, title="东城县乡村振兴的三点做法", submitted_at=NOW)
        draft = self.make_item(self.alice, status=ItemStatus.DRAFT)
        self.client.force_login(self.alice)
        page = self.client.get(f"/items/{item.pk}/")
        self.assertContains(page, "Link to the topic")
        response = self.client.post(
            f"/topiclists/items/{item.pk}/link/", {"topic": topic.pk}, follow=True
        )
        self.assertContains(response, "Item linked to the topic.")
        self.assertContains(response, "乡村振兴典型经验")
        response = self.client.post(
            f"/topiclists/items/{draft.pk}/link/", {"topic": topic.pk}, follow=True
        )
        self.assertContains(response, "A draft or withdrawn item cannot answer a topic.")
        answer = TopicAnswer.objects.get()
        # The unit takes its own link off again.
        response = self.client.post(f"/topiclists/answers/{answer.pk}/unlink/", follow=True)
        self.assertContains(response, "Link taken off.")
        assert not TopicAnswer.objects.exists()

    def test_it_prints_the_list_as_docx_and_pdf(self) -> None:
        topic_list = self.write_and_publish()
        self.client.force_login(self.alice)
        docx = self.client.get(f"/topiclists/{topic_list.pk}/list.docx")
        assert docx["Content-Type"].startswith("application/vnd.openxmlformats")
        body = docx.content
        document = zipfile.ZipFile(io.BytesIO(body)).read("word/document.xml").decode()
        assert "冬季安全生产" in document and TITLE in document
        pdf = self.client.get(f"/topiclists/{topic_list.pk}/list.pdf")
        assert pdf.content.startswith(b"%PDF")

    def test_it_refuses_to_edit_a_published_list_until_it_is_withdrawn(self) -> None:
        topic_list = self.write_and_publish()
        safety = topic_list.topics.get(title="冬季安全生产")
        # What the units read stays as published: the form keeps what was typed and says why.
        typed = {"title": "冬季安全生产和消防", "wanted": "隐患整改", "keywords": "消防"}
        response = self.client.post(f"/topiclists/topics/{safety.pk}/edit/", typed)
        self.assertContains(
            response,
            "This list is published: withdraw it to change it, then publish it again.",
            status_code=400,
        )
        self.assertContains(response, "冬季安全生产和消防", status_code=400)
        response = self.client.post(
            f"/topiclists/{topic_list.pk}/edit/", {"title": "改过的标题", "foreword": ""}
        )
        self.assertContains(response, "withdraw it to change it", status_code=400)
        self.assertNotContains(self.client.get(f"/topiclists/{topic_list.pk}/"), "/remove/")
        # Withdrawn, corrected, published again: the download is the corrected list.
        self.client.post(f"/topiclists/{topic_list.pk}/withdraw/")
        response = self.client.post(f"/topiclists/topics/{safety.pk}/edit/", typed, follow=True)
        self.assertContains(response, "Topic saved.")
        response = self.client.post(f"/topiclists/{topic_list.pk}/publish/", follow=True)
        self.assertContains(response, "Topic list published")
        self.client.force_login(self.alice)
        docx = self.client.get(f"/topiclists/{topic_list.pk}/list.docx")
        text = zipfile.ZipFile(io.BytesIO(docx.content)).read("word/document.xml").decode()
        assert "冬季安全生产和消防" in text and TITLE in text
        assert not RenderedDocument.objects.filter(state=RenderState.FAILED).exists()
