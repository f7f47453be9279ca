"""The office's dictionary (词库): kept on a screen, used by segmentation without a restart."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse

from xinbao.audit.models import AuditEvent
from xinbao.lib import text
from xinbao.lib.text import segment
from xinbao.org.models import Term, TermKind
from xinbao.test import BaseTestCase

START = dt.datetime(2026, 7, 1, 2, 0, tzinfo=dt.UTC)


class DictionaryTest(BaseTestCase):
    def setUp(self) -> None:
        text.reload_dictionary()

    def test_it_keeps_unit_names_from_the_org_tree_whole(self) -> None:
        assert segment("东城县委办公室召开会议")[0] == "东城县委办公室"
        assert "市应急管理局" in segment("据市应急管理局通报")

    def test_it_lets_the_section_chief_add_a_word_that_segmentation_then_keeps_whole(
        self,
    ) -> None:
        with time_machine.travel(START, tick=False) as traveller:
            assert "河长制巡河" not in segment("推进河长制巡河工作")
            self.client.force_login(self.chief)
            page = self.client.get(reverse("org:term_list"))
            assert "Dictionary" in page.content.decode()
            done = self.client.post(
                reverse("org:term_list"), {"text": "河长制巡河", "kind": TermKind.POLICY}
            )
            assert done.status_code == 302
            assert AuditEvent.objects.filter(action="term.create").exists()
            # Another process checks again within a minute, with no restart.
            traveller.shift(dt.timedelta(seconds=61))
            assert "河长制巡河" in segment("推进河长制巡河工作")
            term = Term.objects.get(text="河长制巡河")
            self.client.post(reverse("org:term_delete", args=[term.pk]))
            traveller.shift(dt.timedelta(seconds=61))
            assert "河长制巡河" not in segment("推进河长制巡河工作")

    def test_it_keeps_what_was_typed_and_says_what_is_wrong(self) -> None:
        Term.objects.create(text="一网通办", kind=TermKind.POLICY)
        self.client.force_login(self.sysadmin)
        page = self.client.post(
            reverse("org:term_list"), {"text": "一网通办", "kind": TermKind.POLICY, "note": "x"}
        )
        assert page.status_code == 200
        body = page.content.decode()
        assert "This word is already in the dictionary." in body
        assert 'value="x"' in body

    def test_it_edits_a_word(self) -> None:
        term = Term.objects.create(text="一网统管", kind=TermKind.POLICY)
        self.client.force_login(self.chief)
        self.client.post(
            reverse("org:term_edit", args=[term.pk]),
            {"text": "一网统管", "kind": TermKind.OTHER, "note": "城市治理"},
        )
        term.refresh_from_db()
        assert (term.kind, term.note) == (TermKind.OTHER, "城市治理")

    def test_it_refuses_others_and_shows_the_menu_entry_to_the_keepers_only(self) -> None:
        for user in (self.ed, self.alice, self.secadmin):
            self.client.force_login(user)
            assert self.client.get(reverse("org:term_list")).status_code == 403
        self.client.force_login(self.chief)
        home = self.client.get("/").content.decode()
        assert reverse("org:term_list") in home
        self.client.force_login(self.ed)
        assert reverse("org:term_list") not in self.client.get("/").content.decode()
