"""Search over items in Chinese: what a person expects to find, and nothing they may not see."""

from __future__ import annotations

import datetime as dt
import io

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from xinbao.accounts.services import create_token
from xinbao.desk import services as desk_services
from xinbao.items import services
from xinbao.items.chores import index_unsearchable_items
from xinbao.items.models import Item, ItemKind, ItemStatus, Urgency
from xinbao.items.search import SearchFilters, search
from xinbao.items.services import ItemData
from xinbao.lib import text
from xinbao.lib.labels import Sensitivity
from xinbao.lib.text import query_words
from xinbao.periodicals import services as periodical_services
from xinbao.periodicals.tests.factories import PeriodicalCase
from xinbao.test import BaseTestCase

T0 = dt.datetime(2026, 7, 10, 2, 0, tzinfo=dt.UTC)


def titles(user: object, query: str, **filters: object) -> list[str]:
    found = search(user, query, filters=SearchFilters(**filters))  # type: ignore[arg-type]  # a test persona
    return [hit.item.title for hit in found.hits]


class SearchTest(BaseTestCase):
    def data(self, title: str, body: str) -> ItemData:
        return ItemData(
            title=title,
            body=body,
            kind=ItemKind.DYNAMIC,
            urgency=Urgency.ROUTINE,
            writer_name="赵小红",
            writer_phone="13800000001",
        )

    def test_it_finds_a_word_inside_a_longer_phrase_and_marks_it(self) -> None:
        self.make_item(self.alice, title="东城县召开会议", body="县委部署全县防汛工作。")
        self.make_item(self.alice, title="东城县植树", body="春季植树造林。")
        found = search(self.ed, "防汛")
        assert [h.item.title for h in found.hits] == ["东城县召开会议"]
        assert "<mark>防汛</mark>工作" in found.hits[0].snippet
        # Traditional characters and full-width forms find the same words.
        assert titles(self.ed, "全縣防汛") == titles(self.ed, "全县防汛") == ["东城县召开会议"]
        assert titles(self.ed, "造林") == ["东城县植树"]
        assert titles(self.ed, "台风") == []

    def test_it_takes_a_units_name_from_the_org_tree_as_one_word(self) -> None:
        # As a process would within a minute of the units being made (a test before this one
        # may have cut words for another city's units).
        text.reload_dictionary()
        assert query_words("东城县委办公室") == ["东城县委办公室"]
        self.make_item(self.alice, title="情况通报", body="东城县委办公室印发通知。")
        self.make_item(self.alice, title="另一通报", body="东城的县委在办公室开会。")
        assert titles(self.ed, "东城县委办公室") == ["情况通报"]

    def test_it_finds_an_edited_item_by_its_new_text_and_not_its_old(self) -> None:
        item = services.create_item(user=self.alice, data=self.data("防汛会议", "部署防汛工作。"))
        assert titles(self.alice, "防汛") == ["防汛会议"]
        services.update_item(
            user=self.alice, item=item, data=self.data("抗旱保苗", "组织抗旱保苗。")
        )
        assert titles(self.alice, "抗旱") == ["抗旱保苗"]
        assert titles(self.alice, "防汛") == []

    def test_it_finds_neither_merged_nor_deleted_items_but_the_merged_one(self) -> None:
        a = self.make_item(self.alice, title="东城县防汛", body="东城县加固堤坝。")
        b = self.make_item(self.bob, title="西山县防汛", body="西山县转移群众。")
        gone = self.make_item(self.bob, title="西山县抗旱", body="西山县抗旱。")
        desk_services.merge(
            user=self.ed, items=[a, b], title="全市汛情综述", body="各地加固堤坝、转移群众。"
        )
        assert titles(self.ed, "堤坝") == ["全市汛情综述"]
        assert titles(self.ed, "防汛") == []
        Item.objects.filter(pk=gone.pk).delete()
        assert titles(self.ed, "抗旱") == []

    def test_it_never_shows_another_units_or_an_above_clearance_item(self) -> None:
        self.make_item(self.alice, title="东城县防汛")
        self.make_item(self.bob, title="西山县防汛")
        self.make_item(self.alice, title="东城县防汛敏感情况", sensitivity=Sensitivity.SENSITIVE)
        assert titles(self.alice, "防汛") == ["东城县防汛"]
        assert titles(self.bob, "防汛") == ["西山县防汛"]
        assert sorted(titles(self.ed, "防汛")) == ["东城县防汛", "东城县防汛敏感情况", "西山县防汛"]

    def test_it_finds_the_text_of_an_attached_document(self) -> None:
        item = self.make_item(self.alice, title="情况报告", body="详见附件。")
        upload = SimpleUploadedFile(
            "详细情况.txt", "全县转移安置群众一千二百人。".encode(), content_type="text/plain"
        )
        services.add_attachment(user=self.alice, item=item, upload=upload)
        found = search(self.ed, "转移安置")
        assert [h.item.title for h in found.hits] == ["情况报告"]
        assert found.hits[0].found_in == "详细情况.txt"
        assert "<mark>转移</mark><mark>安置</mark>" in found.hits[0].snippet

    def test_it_filters_and_puts_the_recent_first_among_equals(self) -> None:
        with time_machine.travel(T0, tick=False):
            old = self.make_item(self.alice, title="防汛一", submitted_at=timezone.now())
            self.make_item(
                self.bob,
                title="防汛二",
                kind=ItemKind.ANALYSIS,
                urgency=Urgency.IMPORTANT,
                submitted_at=timezone.now() + dt.timedelta(days=20),
            )
            assert titles(self.ed, "防汛") == ["防汛二", "防汛一"]
            assert titles(self.ed, "防汛", kind=ItemKind.ANALYSIS) == ["防汛二"]
            assert titles(self.ed, "防汛", urgency=Urgency.IMPORTANT) == ["防汛二"]
            assert titles(self.ed, "防汛", unit=self.county_a.pk) == ["防汛一"]
            assert titles(self.ed, "防汛", status=ItemStatus.SUBMITTED) == ["防汛二", "防汛一"]
            assert titles(self.ed, "防汛", unit_class=self.class_one.pk) == ["防汛二", "防汛一"]
            day = dt.date(2026, 7, 10)
            assert titles(self.ed, "防汛", date_from=day, date_to=day) == [old.title]

    def test_it_answers_the_api_within_the_callers_unit(self) -> None:
        self.make_item(self.alice, title="东城县防汛", body="县委部署防汛工作。")
        self.make_item(self.bob, title="西山县防汛")
        token = create_token(user=self.alice, name="测试")[1]
        answer = self.client.get(
            "/api/v1/search", {"q": "防汛"}, HTTP_AUTHORIZATION=f"Bearer {token}"
        )
        assert answer.status_code == 200
        body = answer.json()
        assert body["total"] == 1 and body["words"] == ["防汛"]
        hit = body["hits"][0]
        assert hit["title"] == "东城县防汛"
        assert hit["title_html"] == "东城县<mark>防汛</mark>"
        assert hit["unit"]["name"] == "东城县委办公室"
        admin = create_token(user=self.sysadmin, name="测试")[1]
        refused = self.client.get(
            "/api/v1/search", {"q": "防汛"}, HTTP_AUTHORIZATION=f"Bearer {admin}"
        )
        assert refused.status_code == 403

    def test_it_searches_the_desk_inbox_and_the_reporters_list_by_words(self) -> None:
        self.make_item(self.alice, title="东城县召开防汛工作会议", status=ItemStatus.RECEIVED)
        self.make_item(self.alice, title="东城县植树", body="春季植树造林。")
        self.client.force_login(self.ed)
        inbox = self.client.get(reverse("desk:inbox"), {"q": "防汛會議"}).content.decode()
        assert "东城县召开防汛工作会议" in inbox and "东城县植树" not in inbox
        self.client.force_login(self.alice)
        listing = self.client.get(reverse("items:list"), {"q": "造林"}).content.decode()
        assert "东城县植树" in listing and "防汛工作会议" not in listing


class RevisedInAnIssueTest(PeriodicalCase):
    def test_it_finds_an_item_a_leader_revised_by_its_new_text(self) -> None:
        item = self.adopted("东城县防汛工作情况", body="全县转移群众三百人。")
        issue = self.awaiting(item)
        periodical_services.revise_item(
            user=self.leader,
            issue=issue,
            entry=issue.entries.get(),
            title=item.title,
            body="全县安置群众三百二十人。",
        )
        assert titles(self.ed, "安置") == ["东城县防汛工作情况"]
        assert titles(self.ed, "转移") == []


class LateIndexTest(BaseTestCase):
    def test_it_indexes_items_written_past_the_services_by_chore_and_command(self) -> None:
        raw = Item.objects.create(
            title="西山县森林防火",
            body="西山县开展森林防火检查。",
            kind=ItemKind.DYNAMIC,
            status=ItemStatus.SUBMITTED,
            unit=self.county_b,
            writer_name="孙明",
            writer_phone="13800000002",
            created_by=self.bob,
        )
        assert titles(self.ed, "森林防火") == []
        assert index_unsearchable_items() == "1 items indexed for search"
        assert titles(self.ed, "森林防火") == [raw.title]
        out = io.StringIO()
        call_command("search_reindex", "--all", stdout=out)
        assert out.getvalue().strip() == "1 items indexed for search"
        assert titles(self.ed, "防火") == [raw.title]
