"""The search page (信息检索): a person finds items by Chinese words, with the words marked, and
never an item they may not see."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import docx
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xinbao.accounts.models import User
from xinbao.accounts.services import set_clearance
from xinbao.items import services
from xinbao.items.models import Item, ItemKind, ItemStatus, Urgency
from xinbao.items.search_views import PAGE_SIZE
from xinbao.items.services import ItemData
from xinbao.lib.labels import Sensitivity
from xinbao.org.models import Unit
from xinbao.test import BaseTestCase, Frozen, FrozenQueryCounts

URL = reverse("items:search")
#: 10:00 in Beijing on 10 July 2026.
T0 = dt.datetime(2026, 7, 10, 2, 0, tzinfo=dt.UTC)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def word_file(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


class SearchPageTest(BaseTestCase):
    def send(
        self,
        user: User,
        title: str,
        body: str,
        *,
        unit: Unit | None = None,
        submit: bool = True,
        **extra: Any,
    ) -> Item:
        """An item written and sent through the services, so that it is indexed the real way."""
        data = ItemData(
            title=title,
            body=body,
            kind=extra.pop("kind", ItemKind.DYNAMIC),
            urgency=extra.pop("urgency", Urgency.ROUTINE),
            writer_name="赵小红",
            writer_phone="13800000001",
            **extra,
        )
        return services.create_item(user=user, data=data, unit=unit, submit=submit)

    def page(self, user: User, **params: str) -> str:
        self.client.force_login(user)
        response = self.client.get(URL, params)
        assert response.status_code == 200, response.status_code
        return response.content.decode()

    def hits(self, html: str) -> list[str]:
        """The titles of the hits, as a person reads them (the marks taken off)."""
        found = re.findall(r'<a class="fw-semibold" href="[^"]*">(.*?)</a>', html)
        return [re.sub(r"</?mark>", "", title) for title in found]

    def test_it_finds_an_item_by_a_word_of_its_body_and_marks_it(self) -> None:
        with time_machine.travel(T0, tick=False):
            item = self.send(
                self.alice, "东城县召开专题会议", "县委部署全县防汛工作，转移群众三百人。"
            )
        self.send(self.alice, "东城县植树", "春季植树造林。")
        html = self.page(self.ed, q="防汛")
        assert "1 matching item" in html
        assert self.hits(html) == ["东城县召开专题会议"]
        assert "<mark>防汛</mark>工作" in html
        # The editor opens it at the desk, as from the inbox; sent at 10:00 Beijing time.
        assert f'href="{reverse("desk:item", args=[item.pk])}"' in html
        assert "2026-07-10 10:00" in html
        assert "东城县" in html and "Dynamic" in html and "Routine" in html
        assert 'data-label="1"' in html  # the sensitivity badge (普通)
        desk = self.client.get(reverse("desk:item", args=[item.pk]))
        assert desk.status_code == 200 and "东城县召开专题会议" in desk.content.decode()

    def test_it_finds_the_text_of_an_attached_word_document_and_names_it(self) -> None:
        item = self.send(self.alice, "情况报告", "详见附件。", submit=False)
        upload = SimpleUploadedFile(
            "安置情况.docx", word_file("全县转移安置受灾群众一千二百人。"), content_type=DOCX
        )
        services.add_attachment(user=self.alice, item=item, upload=upload)
        services.submit_item(user=self.alice, item=item)
        html = self.page(self.ed, q="安置")
        assert self.hits(html) == ["情况报告"]
        assert "Found in the attachment “安置情况.docx”" in html
        assert "<mark>安置</mark>" in html
        # The reporter finds it too, and opens it on the item's own page.
        html = self.page(self.alice, q="安置")
        assert f'href="{reverse("items:detail", args=[item.pk])}"' in html
        assert self.client.get(reverse("items:detail", args=[item.pk])).status_code == 200

    def test_it_never_shows_a_reporter_another_units_item(self) -> None:
        self.send(self.alice, "东城县防汛工作", "东城县加固堤坝。")
        self.send(self.bob, "西山县防汛工作", "西山县转移群众。")
        alice = self.page(self.alice, q="防汛")
        assert self.hits(alice) == ["东城县防汛工作"] and "西山县" not in alice
        bob = self.page(self.bob, q="防汛")
        assert self.hits(bob) == ["西山县防汛工作"] and "东城县防汛" not in bob
        # A unit in the address does not take a reporter out of their own unit.
        across = self.page(self.alice, q="防汛", unit=str(self.county_b.pk))
        assert "西山县防汛工作" not in across
        assert 'name="unit"' not in across

    def test_it_never_shows_an_item_labelled_above_the_readers_clearance(self) -> None:
        self.send(self.alice, "东城县防汛工作", "东城县加固堤坝。")
        self.send(
            self.ed,
            "东城县防汛敏感情况",
            "东城县防汛物资短缺。",
            unit=self.county_a,
            sensitivity=Sensitivity.SENSITIVE,
        )
        assert sorted(self.hits(self.page(self.ed, q="防汛"))) == [
            "东城县防汛工作",
            "东城县防汛敏感情况",
        ]
        alice = self.page(self.alice, q="防汛")
        assert self.hits(alice) == ["东城县防汛工作"] and "敏感情况" not in alice
        set_clearance(actor=self.secadmin, user=self.leader, clearance=Sensitivity.INTERNAL)
        leader = self.page(self.leader, q="物资短缺")
        assert "Nothing matches “物资短缺”" in leader and "敏感情况" not in leader

    def test_it_narrows_by_the_filters(self) -> None:
        with time_machine.travel(T0, tick=False):
            self.send(self.alice, "东城县防汛一", "东城县防汛。")
        with time_machine.travel(T0 + dt.timedelta(days=20), tick=False):
            self.send(
                self.bob,
                "西山县防汛二",
                "西山县防汛。",
                kind=ItemKind.ANALYSIS,
                urgency=Urgency.IMPORTANT,
                topics=["汛期"],
            )
        assert sorted(self.hits(self.page(self.ed, q="防汛"))) == ["东城县防汛一", "西山县防汛二"]
        topic = Item.objects.get(title="西山县防汛二").topics.get()
        for params, expected in (
            ({"kind": ItemKind.ANALYSIS}, ["西山县防汛二"]),
            ({"urgency": Urgency.ROUTINE}, ["东城县防汛一"]),
            ({"unit": str(self.county_a.pk)}, ["东城县防汛一"]),
            ({"unit_class": str(self.class_one.pk)}, ["西山县防汛二", "东城县防汛一"]),
            ({"topic": str(topic.pk)}, ["西山县防汛二"]),
            ({"status": ItemStatus.SUBMITTED}, ["西山县防汛二", "东城县防汛一"]),
            ({"status": ItemStatus.ADOPTED}, []),
            ({"date_from": "2026-07-10", "date_to": "2026-07-10"}, ["东城县防汛一"]),
            ({"date_from": "2026-07-11"}, ["西山县防汛二"]),
        ):
            html = self.page(self.ed, q="防汛", **params)
            assert sorted(self.hits(html)) == sorted(expected), params
            if not expected:
                assert "Try fewer words, or a wider date range" in html

    def test_it_keeps_what_was_typed_and_says_what_is_wrong(self) -> None:
        self.send(self.alice, "东城县防汛工作", "东城县加固堤坝。")
        html = self.page(self.ed, q="防汛", date_from="2026-13-40")
        assert 'value="防汛"' in html and 'value="2026-13-40"' in html
        assert "Enter a valid date." in html
        assert "Nothing was searched" in html and self.hits(html) == []
        html = self.page(self.ed, q="防汛", unit="99999")
        assert "Select a valid choice." in html and 'value="防汛"' in html
        html = self.page(self.ed, q="防汛", date_from="2026-07-10", date_to="2026-07-01")
        assert "The last day comes before the first" in html
        assert 'value="2026-07-01"' in html
        # In the office's own language.
        self.client.force_login(self.ed)
        chinese = self.client.get(
            URL, {"q": "防汛", "date_from": "2026-13-40"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
        ).content.decode()
        assert "输入一个有效的日期" in chinese

    def test_it_gives_a_hint_before_the_first_search(self) -> None:
        self.send(self.alice, "东城县防汛工作", "东城县加固堤坝。")
        html = self.page(self.alice)
        assert 'id="search-hint"' in html and 'id="search-total"' not in html
        # Blanks are no words: the hint again, not every item.
        blank = self.page(self.alice, q="   ", kind=ItemKind.DYNAMIC)
        assert 'id="search-hint"' in blank and self.hits(blank) == []

    def test_it_pages_twenty_at_a_time_keeping_the_words_and_filters(self) -> None:
        for i in range(PAGE_SIZE + 5):
            self.send(self.alice, f"东城县防汛简报第{i}期", "东城县防汛。")
        first = self.page(self.ed, q="防汛", kind=ItemKind.DYNAMIC)
        assert f"{PAGE_SIZE + 5} matching items" in first and len(self.hits(first)) == PAGE_SIZE
        next_link = re.search(r'<a class="page-link" href="([^"]+)"[^>]*>Next</a>', first)
        assert next_link is not None
        href = next_link.group(1).replace("&amp;", "&")
        assert "q=%E9%98%B2%E6%B1%9B" in href and "kind=dynamic" in href
        second = self.client.get(URL + href).content.decode()
        assert len(self.hits(second)) == 5 and "Page 2 of 2" in second
        assert not set(self.hits(second)) & set(self.hits(first))

    def test_it_swaps_only_the_results_for_htmx(self) -> None:
        self.send(self.alice, "东城县防汛工作", "东城县加固堤坝。")
        self.client.force_login(self.ed)
        response = self.client.get(URL, {"q": "堤坝"}, HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert self.hits(html) == ["东城县防汛工作"]
        assert "navbar" not in html  # the partial, not the page
        assert 'id="search-form"' in html and 'hx-swap-oob="true"' in html

    def test_it_refuses_the_administrators_as_the_item_list_does(self) -> None:
        for admin in (self.sysadmin, self.secadmin, self.auditor):
            self.client.force_login(admin)
            assert self.client.get(URL, {"q": "防汛"}).status_code == 403
            assert self.client.get(reverse("items:list")).status_code == 403

    def test_it_is_in_the_menu_of_reporters_and_office_readers(self) -> None:
        self.send(self.alice, "东城县防汛工作", "东城县加固堤坝。")
        for user in (self.alice, self.ed, self.leader, self.duty):
            self.client.force_login(user)
            menu = dict(self.client.get("/").context["nav_all"])
            assert menu.get("Search") == URL, user.role
            html = self.page(user, q="堤坝")
            assert self.hits(html) == ["东城县防汛工作"], user.role
        self.client.force_login(self.sysadmin)
        assert "Search" not in dict(self.client.get("/").context["nav_all"])


#: Session and user (2), the menu's reading-room check (1), the session's save (3), then what
#: the row says. Raise a number only with a reason.
FROZEN = (
    Frozen(
        "items:search",
        "alice",
        14,
        "the search (the engine's matches, the visible ones, the best ones' times, the page's "
        "items with their units, the attachments' texts), the header's unit, the form's unit "
        "classes and topics",
        query="q=防汛",
    ),
    Frozen(
        "items:search",
        "ed",
        14,
        "the search as for a reporter, the form's units (no unit in the header), unit classes "
        "and topics",
        query="q=防汛",
    ),
)


class SearchQueryCountTest(FrozenQueryCounts, BaseTestCase):
    frozen = FROZEN

    def add_rows(self, n: int) -> None:
        for i in range(n):
            for user in (self.alice, self.bob):
                self.make_item(user, title=f"防汛简报{i}", urgency=list(Urgency)[i % 4])
