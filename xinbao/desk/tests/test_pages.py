"""Desk pages: who may open them, the inbox with its filters, the queue, merging, decisions."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from xinbao.desk import services
from xinbao.desk.models import Adoption, Decision, DecisionKind
from xinbao.desk.tests.test_decisions import make_periodicals
from xinbao.items.models import Item, ItemKind, ItemStatus, Topic, Urgency
from xinbao.periodicals.models import Periodical
from xinbao.test import BaseTestCase

T0 = dt.datetime(2026, 7, 3, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai


class DeskPagesTest(BaseTestCase):
    item: Item
    daily: Periodical
    special: Periodical

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.daily, cls.special = make_periodicals()
        cls.item = cls.make_item(cls.alice, title="东城县防汛会议", submitted_at=T0)

    def _urls(self) -> list[tuple[str, str]]:
        pk = self.item.pk
        get = [reverse("desk:inbox"), reverse("desk:queue"), reverse("desk:merge")]
        get.append(reverse("desk:item", args=[pk]))
        post = [
            reverse(f"desk:{name}", args=[pk])
            for name in (
                "lock",
                "unlock",
                "edit",
                "adopt",
                "return",
                "reject",
                "forward",
                "higher_adoption",
                "archive",
            )
        ]
        return [("get", u) for u in get] + [("post", u) for u in [*post, get[2]]]

    def test_it_refuses_every_role_but_editors_and_section_chiefs(self) -> None:
        for user in (self.alice, self.bob, self.leader, self.principal, self.duty, self.sysadmin):
            self.client.force_login(user)
            for method, url in self._urls():
                response = getattr(self.client, method)(url)
                assert response.status_code == 403, (user, method, url)
                assert "东城县防汛会议" not in response.content.decode()
        self.item.refresh_from_db()
        assert self.item.status == ItemStatus.SUBMITTED
        assert not Decision.objects.exists()

    def test_it_opens_the_desk_for_editors_and_section_chiefs_with_a_nav_entry(self) -> None:
        for user in (self.ed, self.chief):
            self.client.force_login(user)
            response = self.client.get(reverse("desk:inbox"))
            assert response.status_code == 200
            assert ("Desk", reverse("desk:inbox")) in response.context["nav"]
            page = self.client.get(reverse("desk:item", args=[self.item.pk]))
            assert page.status_code == 200
            assert "东城县防汛会议" in page.content.decode()
        self.client.force_login(self.alice)
        response = self.client.get(reverse("home"))
        assert all(href != reverse("desk:inbox") for _, href in response.context["nav"])

    def test_it_hides_drafts_from_the_desk(self) -> None:
        draft = self.make_item(self.alice, status=ItemStatus.DRAFT, title="东城县草稿")
        self.client.force_login(self.ed)
        assert self.client.get(reverse("desk:item", args=[draft.pk])).status_code == 404
        assert "东城县草稿" not in self.client.get(reverse("desk:inbox")).content.decode()

    # --- inbox ------------------------------------------------------------------------------

    def _inbox(self, **params: str) -> str:
        self.client.force_login(self.ed)
        response = self.client.get(reverse("desk:inbox"), params, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        html = response.content.decode()
        assert "<nav class" not in html  # the partial, not the page
        return html

    def test_it_filters_the_inbox(self) -> None:
        topic = Topic.objects.create(name="安全生产")
        with time_machine.travel(T0 + dt.timedelta(days=5), tick=False):
            later = timezone.now()
        b = self.make_item(
            self.bob,
            title="西山县安全生产检查",
            kind=ItemKind.ANALYSIS,
            urgency=Urgency.IMPORTANT,
            status=ItemStatus.RECEIVED,
            submitted_at=later,
        )
        b.topics.add(topic)
        c = self.make_item(self.carol, title="一中开学", submitted_at=T0)
        c.joint_units.add(self.county_b)
        all_three = ("东城县防汛会议", "西山县安全生产检查", "一中开学")
        cases: list[tuple[dict[str, str], set[str]]] = [
            ({}, set(all_three)),
            ({"unit": str(self.county_b.pk)}, {"西山县安全生产检查", "一中开学"}),
            ({"kind": "analysis"}, {"西山县安全生产检查"}),
            ({"urgency": "important"}, {"西山县安全生产检查"}),
            ({"topic": str(topic.pk)}, {"西山县安全生产检查"}),
            ({"state": "received"}, {"西山县安全生产检查"}),
            ({"date_from": "2026-07-05"}, {"西山县安全生产检查"}),
            ({"date_to": "2026-07-04"}, {"东城县防汛会议", "一中开学"}),
            ({"q": "开学"}, {"一中开学"}),
        ]
        for params, expected in cases:
            html = self._inbox(**params)
            shown = {t for t in all_three if t in html}
            assert shown == expected, (params, shown)

    def test_it_keeps_the_inbox_query_count_frozen(self) -> None:
        def count() -> int:
            self.client.force_login(self.ed)
            with CaptureQueriesContext(connection) as ctx:
                response = self.client.get(reverse("desk:inbox"))
            assert response.status_code == 200
            return len(ctx.captured_queries)

        def add(n: int) -> None:
            for i in range(n):
                for user in (self.alice, self.bob):
                    item = self.make_item(user, title=f"信息{i}", urgency=list(Urgency)[i % 4])
                    if i % 3 == 0:
                        services.acquire_lock(user=self.chief, item=item)

        add(3)
        small = count()
        add(17)
        large = count()
        assert large == small, (small, large)

    def test_it_keeps_the_queue_query_count_frozen(self) -> None:
        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                response = self.client.get(reverse("desk:queue"))
            assert response.status_code == 200
            return len(ctx.captured_queries)

        self.client.force_login(self.ed)
        for _ in range(3):
            self.make_item(self.bob, submitted_at=T0)
        small = count()
        for _ in range(20):
            self.make_item(self.bob, submitted_at=T0)
        large = count()
        assert large == small, (small, large)

    # --- queue ------------------------------------------------------------------------------

    def test_it_queues_undecided_items_most_urgent_first(self) -> None:
        routine_old = self.item
        major = self.make_item(
            self.bob,
            title="西山县重大险情",
            urgency=Urgency.MAJOR_EMERGENCY,
            submitted_at=T0 + dt.timedelta(hours=2),
        )
        important = self.make_item(
            self.bob,
            title="西山县重要情况",
            urgency=Urgency.IMPORTANT,
            status=ItemStatus.RECEIVED,
            submitted_at=T0 + dt.timedelta(hours=1),
        )
        decided = self.make_item(self.bob, title="西山县已转报", submitted_at=T0)
        services.forward(user=self.ed, item=decided, to_office="省委办公厅")
        returned = self.make_item(self.bob, title="西山县退回", submitted_at=T0)
        services.return_for_revision(user=self.ed, item=returned, comment="补充")
        self.client.force_login(self.ed)
        response = self.client.get(reverse("desk:queue"))
        assert [i.pk for i in response.context["page"]] == [
            major.pk,
            important.pk,
            routine_old.pk,
        ]
        # Resubmitted, it needs action again: its earlier decision predates the resubmission.
        Item.objects.filter(pk=returned.pk).update(
            status=ItemStatus.SUBMITTED, submitted_at=timezone.now() + dt.timedelta(seconds=1)
        )
        response = self.client.get(reverse("desk:queue"))
        assert returned.pk in [i.pk for i in response.context["page"]]
        assert 'id="queue-count">4<' in response.content.decode()

    # --- decisions through the pages -------------------------------------------------------

    def test_it_adopts_through_the_page_with_a_multi_select(self) -> None:
        self.client.force_login(self.ed)
        page = self.client.get(reverse("desk:item", args=[self.item.pk])).content.decode()
        assert 'name="periodicals"' in page and "multiple" in page
        response = self.client.post(
            reverse("desk:adopt", args=[self.item.pk]),
            {"periodicals": [self.daily.pk, self.special.pk], "comment": ""},
        )
        assert response.status_code == 302
        assert Adoption.objects.filter(item=self.item).count() == 2
        page = self.client.get(response["Location"]).content.decode()
        assert "Adopted; the unit has been told." in page
        # Adopted items may not be returned: the form is no longer offered.
        assert reverse("desk:return", args=[self.item.pk]) not in page

    def test_it_shows_form_errors_and_refusals(self) -> None:
        self.client.force_login(self.ed)
        response = self.client.post(reverse("desk:reject", args=[self.item.pk]), {"reason": ""})
        assert response.status_code == 400
        assert "is-invalid" in response.content.decode()
        services.adopt(user=self.ed, item=self.item, periodicals=[self.daily])
        response = self.client.post(
            reverse("desk:return", args=[self.item.pk]), {"comment": "再改改"}, follow=True
        )
        assert "cannot be returned for revision" in response.content.decode()
        assert not Decision.objects.filter(kind=DecisionKind.RETURN).exists()

    def test_it_records_forward_and_higher_adoption_through_the_pages(self) -> None:
        self.client.force_login(self.chief)
        self.client.post(
            reverse("desk:forward", args=[self.item.pk]), {"to_office": "省委办公厅", "comment": ""}
        )
        response = self.client.post(
            reverse("desk:higher_adoption", args=[self.item.pk]),
            {
                "level": "province",
                "publication": "《每日汇报》",
                "adopted_on": timezone.localdate().isoformat(),
                "comment": "",
            },
        )
        assert response.status_code == 302
        adoption = Adoption.objects.get(item=self.item)
        assert (adoption.level, adoption.publication) == ("province", "《每日汇报》")

    # --- merge ------------------------------------------------------------------------------

    def test_it_merges_from_chosen_inbox_items(self) -> None:
        b = self.make_item(self.bob, title="西山县防汛", body="西山县转移群众120人。")
        b2 = self.make_item(self.bob, title="西山县再报防汛", body="西山县加固堤坝。")
        self.client.force_login(self.ed)
        inbox = self.client.get(reverse("desk:inbox")).content.decode()
        assert 'form="merge-form"' in inbox
        ids = [self.item.pk, b.pk, b2.pk]
        form = self.client.get(reverse("desk:merge"), {"items": ids})
        assert form.status_code == 200
        html = form.content.decode()
        assert "东城县防汛会议" in html and "西山县转移群众120人。" in html  # prefilled
        counts = {row.unit: row.count for row in form.context["unit_counts"]}
        assert counts == {self.county_b: 2, self.county_a: 1}
        response = self.client.post(
            reverse("desk:merge"),
            {
                "items": ids,
                "title": "全市防汛情况",
                "body": "各县认真部署防汛工作。",
                "periodicals": [self.daily.pk],
                "comment": "",
            },
        )
        assert response.status_code == 302
        merged = Item.objects.get(title="全市防汛情况")
        assert response["Location"] == reverse("desk:item", args=[merged.pk])
        assert set(merged.joint_units.all()) == {self.county_b}
        assert set(merged.merged_from.all()) == {self.item, b, b2}
        page = self.client.get(response["Location"]).content.decode()
        assert "西山县再报防汛" in page  # "merged from" list

    def test_it_sends_back_to_the_inbox_with_fewer_than_two_items(self) -> None:
        self.client.force_login(self.ed)
        response = self.client.get(reverse("desk:merge"), {"items": [self.item.pk]})
        assert response.status_code == 302
        assert response["Location"] == reverse("desk:inbox")

    def test_it_never_merges_items_the_editor_cannot_see(self) -> None:
        draft = self.make_item(self.bob, status=ItemStatus.DRAFT)
        self.client.force_login(self.ed)
        response = self.client.post(
            reverse("desk:merge"),
            {"items": [self.item.pk, draft.pk], "title": "综述", "body": "正文。"},
        )
        assert response.status_code == 302
        assert not Item.objects.filter(kind=ItemKind.COMPREHENSIVE).exists()
