"""Keyset pagination: every row once, in order, forward and back, with ties and NULL keys."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

from django.db.models import IntegerField, Value
from django.http import QueryDict
from django.test import TestCase
from django.urls import reverse

from xinbao.items.models import Item, ItemStatus
from xinbao.lib.pagination import CURSOR_PARAM, KeysetPage, bounded_count, paginate
from xinbao.test import Personas

KEYS = ("-submitted_at", "-id")


def _forged(direction: str, values: list[Any]) -> str:
    """A cursor edited by hand: it decodes, but its values are not the keys' types."""
    raw = json.dumps([direction, values]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor(url: str | None) -> str:
    assert url is not None
    return QueryDict(url.removeprefix("?"))[CURSOR_PARAM]


class KeysetPaginationTests(Personas, TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.create_personas()
        moment = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)
        # Ties on submitted_at (three share each minute) and drafts with no submitted_at at all.
        for n in range(17):
            cls.make_item(cls.alice, submitted_at=moment + dt.timedelta(minutes=n // 3))
        for _ in range(5):
            cls.make_item(cls.alice, status=ItemStatus.DRAFT, submitted_at=None)

    def _all(self) -> list[int]:
        return list(Item.objects.order_by(*KEYS).values_list("id", flat=True))

    def _walk_forward(self, per_page: int) -> list[KeysetPage[Item]]:
        pages = [paginate(Item.objects.all(), KEYS, cursor=None, per_page=per_page)]
        while pages[-1].has_next:
            cursor = _cursor(pages[-1].next_url)
            pages.append(paginate(Item.objects.all(), KEYS, cursor=cursor, per_page=per_page))
        return pages

    def test_it_shows_every_row_once_in_order_walking_forward(self) -> None:
        for per_page in (1, 4, 5, 22, 30):
            pages = self._walk_forward(per_page)
            seen = [item.pk for page in pages for item in page]
            assert seen == self._all(), per_page
            assert not pages[0].has_previous
            assert all(page.has_previous for page in pages[1:])

    def test_it_walks_back_to_the_same_pages(self) -> None:
        pages = self._walk_forward(4)
        back = [pages[-1]]
        while back[-1].has_previous:
            cursor = _cursor(back[-1].previous_url)
            back.append(paginate(Item.objects.all(), KEYS, cursor=cursor, per_page=4))
        assert [[i.pk for i in p] for p in reversed(back)] == [[i.pk for i in p] for p in pages]
        assert back[-1].first_url is None

    def test_it_keeps_the_other_parameters_in_its_links(self) -> None:
        params = QueryDict("status=submitted&page=3")
        page = paginate(Item.objects.all(), KEYS, cursor=None, per_page=5, params=params)
        following = QueryDict(page.next_url.removeprefix("?") if page.next_url else "")
        assert following["status"] == "submitted"
        assert "page" not in following
        assert CURSOR_PARAM in following

    def test_it_gives_the_first_page_for_a_cursor_it_cannot_read(self) -> None:
        for bad in ("not-a-cursor", "WyJuIiwgWzFdXQ", "!!!"):
            page = paginate(Item.objects.all(), KEYS, cursor=bad, per_page=5)
            assert [i.pk for i in page] == self._all()[:5]
            assert not page.has_previous

    def test_it_gives_the_first_page_for_a_cursor_with_values_of_the_wrong_type(self) -> None:
        last = Item.objects.exclude(submitted_at=None).order_by(*KEYS)[3]
        assert last.submitted_at is not None
        forged = [
            _forged("n", ["abc", last.pk]),
            _forged("n", [{"t": "2026-07-01T08:00:00"}, last.pk]),  # naive: never written
            _forged("p", [{"t": last.submitted_at.isoformat()}, "abc"]),
            _forged("n", [{"t": last.submitted_at.isoformat()}, {"d": "2026-07-01"}]),
            _forged("n", [{"d": "2026-13-45"}, last.pk]),
        ]
        for bad in forged:
            page = paginate(Item.objects.all(), KEYS, cursor=bad, per_page=5)
            assert [i.pk for i in page] == self._all()[:5], bad
            assert not page.has_previous

    def test_it_checks_an_annotation_keys_value_against_its_output_field(self) -> None:
        ranked = Item.objects.annotate(rank=Value(1, output_field=IntegerField()))
        order = ("-rank", "-id")
        everything = list(ranked.order_by(*order).values_list("id", flat=True))
        page = paginate(ranked, order, cursor=_forged("n", ["abc", everything[2]]), per_page=3)
        assert [i.pk for i in page] == everything[:3]
        page = paginate(ranked, order, cursor=_forged("n", ["1", everything[2]]), per_page=3)
        assert [i.pk for i in page] == everything[3:6]

    def test_it_reads_a_cursor_of_the_right_types_after_checking_them(self) -> None:
        # A sent item (drafts have no submission time; where they sort differs by database).
        sent = Item.objects.exclude(submitted_at=None).order_by(*KEYS)[5]
        assert sent.submitted_at is not None
        at = self._all().index(sent.pk)
        cursor = _forged("n", [{"t": sent.submitted_at.isoformat()}, sent.pk])
        page = paginate(Item.objects.all(), KEYS, cursor=cursor, per_page=5)
        assert [i.pk for i in page] == self._all()[at + 1 : at + 6]

    def test_it_shows_the_item_lists_first_page_for_a_tampered_cursor(self) -> None:
        self.client.force_login(self.alice)
        url = reverse("items:list")
        first = self.client.get(url)
        newest = Item.objects.order_by(*KEYS).first()
        assert newest is not None
        tampered = self.client.get(url, {CURSOR_PARAM: _forged("n", ["abc", newest.pk])})
        assert tampered.status_code == 200
        assert tampered.context["page"].object_list == first.context["page"].object_list
        assert newest.title in tampered.content.decode()

    def test_it_counts_up_to_a_cap_only(self) -> None:
        assert str(bounded_count(Item.objects.all(), cap=10)) == "10+"
        exact = bounded_count(Item.objects.filter(status=ItemStatus.DRAFT), cap=10)
        assert (exact, exact.more, str(exact)) == (5, False, "5")

    def test_it_merges_parts_into_one_list_without_repeats(self) -> None:
        # Drafts and sent items as two parts, plus one overlapping part: the same walk as one list.
        parts = [
            Item.objects.filter(status=ItemStatus.DRAFT),
            Item.objects.exclude(status=ItemStatus.DRAFT),
            Item.objects.filter(pk__in=self._all()[3:9]),
        ]
        seen: list[int] = []
        page = paginate(parts, KEYS, cursor=None, per_page=4)
        seen += [i.pk for i in page]
        while page.has_next:
            page = paginate(parts, KEYS, cursor=_cursor(page.next_url), per_page=4)
            seen += [i.pk for i in page]
        assert seen == self._all()
        back = paginate(parts, KEYS, cursor=_cursor(page.previous_url), per_page=4)
        assert [i.pk for i in back] == self._all()[-4 - len(page) : -len(page)]
