"""From a database with nothing but the personas and the units' reports, an editor reaches the
packs through the menu, builds one from search hits and an item's same-event group, adds a
leader's instruction offered on the subject and a figure summed from the items' facts, and
delivers it; the leader is told, finds it in their packs, reads the page and the PDF, and the
office sees when they opened it. A delivered pack is frozen; a new version is a copy."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import time_machine
from django.urls import reverse

from xinbao.accounts.models import User
from xinbao.audit.models import AuditEvent
from xinbao.desk import services as desk
from xinbao.desk.models import AdoptionLevel
from xinbao.items.models import Item
from xinbao.items.services import create_item, submit_item
from xinbao.items.tests.test_similarity import FLOOD_A, FLOOD_B, FLOOD_OTHER, data
from xinbao.notify.models import Notification
from xinbao.notify.services import deliver_due
from xinbao.packs.models import Entry, EntryKind, Pack, PackState, Receipt
from xinbao.periodicals.services import give_instruction
from xinbao.test import BaseTestCase

T0 = dt.datetime(2026, 7, 3, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai


def told(user: User) -> list[tuple[str, str]]:
    """(subject, link) of what reached the user's in-app inbox."""
    deliver_due()
    return list(
        Notification.objects.filter(user=user)
        .order_by("pk")
        .values_list("message__subject", "message__link")
    )


def pdf_text(pdf: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode()


class BuildAndDeliverTest(BaseTestCase):
    a: Item
    b: Item
    other: Item
    drill: Item

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        with time_machine.travel(T0, tick=False):
            cls.a = submit_item(
                user=cls.alice,
                item=create_item(user=cls.alice, data=data("东城县青石镇遭遇强降雨", FLOOD_A)),
            )
        with time_machine.travel(T0 + dt.timedelta(hours=3), tick=False):
            cls.b = submit_item(
                user=cls.bob,
                item=create_item(user=cls.bob, data=data("青石镇灾情续报", FLOOD_B)),
            )
            cls.other = submit_item(
                user=cls.alice,
                item=create_item(user=cls.alice, data=data("白沙镇遭遇强降雨", FLOOD_OTHER)),
            )
            give_instruction(
                user=cls.principal, item=cls.a, text="请全力搜救失联人员，妥善安置受灾群众。"
            )
        # Last month the province adopted the town's account of its flood drills.
        with time_machine.travel(T0 - dt.timedelta(days=30), tick=False):
            cls.drill = submit_item(
                user=cls.alice,
                item=create_item(
                    user=cls.alice,
                    data=data(
                        "青石镇开展防汛应急演练", "青石镇组织防汛应急演练，检验强降雨转移预案。"
                    ),
                ),
            )
            desk.forward(user=cls.ed, item=cls.drill, to_office="省委办公厅")
            desk.record_higher_adoption(
                user=cls.ed,
                item=cls.drill,
                level=AdoptionLevel.PROVINCE,
                publication="《每日汇报》",
                adopted_on=(T0 - dt.timedelta(days=30)).date(),
            )

    def setUp(self) -> None:
        super().setUp()
        self.tm = self.enterContext(time_machine.travel(T0 + dt.timedelta(hours=5), tick=False))

    def _create_through_the_menu(self) -> Pack:
        self.client.force_login(self.ed)
        home = self.client.get("/").content.decode()
        assert f'href="{reverse("packs:list")}"' in home, "Reference packs is in the menu"
        listing = self.client.get(reverse("packs:list"))
        self.assertContains(listing, "No pack yet.")
        self.assertContains(listing, reverse("packs:create"))
        response = self.client.post(
            reverse("packs:create"),
            {
                "title": "青石镇强降雨灾情参阅",
                "occasion": "meeting",
                "occasion_at": "2026-07-04T09:00",
                "subject": "青石镇 强降雨",
                "recipients": [self.leader.pk],
                "foreword": "供市委常委会研究防汛救灾工作参阅。",
            },
        )
        pack = Pack.objects.get()
        self.assertRedirects(response, reverse("packs:build", args=[pack.pk]))
        return pack

    def test_it_builds_a_pack_from_hits_and_a_group_and_delivers_it(self) -> None:
        pack = self._create_through_the_menu()
        build = reverse("packs:build", args=[pack.pk])

        # The search box: the search page's hits, swapped in by htmx.
        hits = self.client.get(
            build, {"q": "强降雨"}, headers={"HX-Request": "true"}
        ).content.decode()
        assert '<div id="builder">' in hits and "<html" not in hits
        assert "东城县青石镇遭遇<mark>强降雨</mark>" in hits
        assert "白沙镇遭遇<mark>强降雨</mark>" in hits

        # One click adds a hit; its same-event group is offered next.
        response = self.client.post(
            reverse("packs:add_item", args=[pack.pk]),
            {"item": self.a.pk, "q": "强降雨"},
            headers={"HX-Request": "true"},
        )
        html = response.content.decode()
        assert "Added: 东城县青石镇遭遇强降雨" in html
        assert "Same event as “东城县青石镇遭遇强降雨”" in html
        group = html.split('id="group"')[1].split("</ul>")[0]
        assert "青石镇灾情续报" in group and "白沙镇" not in group
        # The subject's leaders' instructions and earlier adoptions are offered.
        assert "请全力搜救失联人员" in html
        adopted = html.split('id="adopted"')[1].split("</ul>")[0]
        assert "青石镇开展防汛应急演练" in adopted and "白沙镇" not in adopted

        # The group's item, added without htmx: back on the builder with a message.
        response = self.client.post(
            reverse("packs:add_item", args=[pack.pk]), {"item": self.b.pk}, follow=True
        )
        self.assertContains(response, "Added: 青石镇灾情续报")
        assert [e.item for e in pack.entries.all()] == [self.a, self.b]

        instruction = self.a.instructions.get()
        response = self.client.post(
            reverse("packs:add_instruction", args=[pack.pk]),
            {"instruction": instruction.pk},
            follow=True,
        )
        self.assertContains(response, "Instruction added.")

        # Figures from the items' facts, summed, with the units they came from.
        page = self.client.get(build).content.decode()
        figures = page.split('id="figures"')[1].split("</ul>")[0]
        assert "死亡人数</span> 6人" in figures
        assert "东城县: 3人" in figures and "西山县: 3人" in figures
        response = self.client.post(
            reverse("packs:add_figure", args=[pack.pk]),
            {"label": "死亡人数", "value": "6", "unit": "人", "source": "据东城县、西山县报送"},
            follow=True,
        )
        self.assertContains(response, "Figure added.")
        # A figure typed by the editor; a rejected one keeps what was typed.
        response = self.client.post(
            reverse("packs:add_figure", args=[pack.pk]), {"label": "转移群众", "value": ""}
        )
        self.assertContains(response, "This field is required.", status_code=400)
        self.assertContains(response, 'value="转移群众"', status_code=400)

        # Reorder and annotate: the instruction first, a summary on an item.
        entry = pack.entries.get(kind=EntryKind.INSTRUCTION)
        for _ in range(2):
            self.client.post(
                reverse("packs:entry_move", args=[pack.pk, entry.pk]), {"direction": "up"}
            )
        item_entry = pack.entries.get(item=self.a)
        self.client.post(
            reverse("packs:entry_note", args=[pack.pk, item_entry.pk]),
            {"note": "青石镇受灾最重，已转移群众1200人。"},
        )
        assert [e.kind for e in pack.entries.all()] == ["instruction", "item", "item", "figure"]
        assert pack.entries.get(item=self.a).note == "青石镇受灾最重，已转移群众1200人。"

        response = self.client.post(reverse("packs:deliver", args=[pack.pk]), follow=True)
        self.assertContains(response, "Delivered as 2026年第1期: the leaders have been told.")
        self.assertContains(response, "not opened yet")
        pack.refresh_from_db()
        assert pack.state == PackState.DELIVERED

        # The leader is told, with the link, and finds the pack in the menu's "my packs".
        [(subject, link)] = told(self.leader)
        assert "青石镇强降雨灾情参阅" in subject
        assert link.endswith(reverse("packs:read", args=[pack.pk]))
        assert told(self.principal) == []
        self.client.force_login(self.leader)
        home = self.client.get("/").content.decode()
        assert f'href="{reverse("packs:mine")}"' in home
        # The home page says it waits to be read, until it is.
        assert "Reference packs for you to read" in home
        assert f'href="{reverse("packs:read", args=[pack.pk])}"' in home
        mine = self.client.get(reverse("packs:mine"))
        self.assertContains(mine, "青石镇强降雨灾情参阅")
        self.assertContains(mine, "New")
        reading = self.client.get(reverse("packs:read", args=[pack.pk]))
        self.assertContains(reading, "青石镇强降雨灾情参阅")
        self.assertContains(reading, "Instruction of Principal")
        self.assertContains(reading, "请全力搜救失联人员，妥善安置受灾群众。")
        self.assertContains(reading, "死亡人数")
        self.assertContains(reading, "青石镇受灾最重")
        receipt = Receipt.objects.get(pack=pack, user=self.leader)
        self.assertNotContains(self.client.get("/"), "Reference packs for you to read")
        assert receipt.read_at == T0 + dt.timedelta(hours=5)

        pdf = self.client.get(reverse("packs:pdf", args=[pack.pk]))
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        if shutil.which("pdftotext"):
            text = pdf_text(pdf.content)
            for expected in ("决策参考", "青石镇强降雨灾情参阅", "死亡人数", "Principal同志批示"):
                assert expected in text, expected

        # The office sees when the leader opened it.
        self.client.force_login(self.ed)
        builder = self.client.get(reverse("packs:build", args=[pack.pk]))
        self.assertContains(builder, "opened 2026-07-03 15:00")
        assert AuditEvent.objects.filter(action="pack.read").count() == 1

    def test_it_freezes_a_delivered_pack_and_copies_it_for_a_new_version(self) -> None:
        pack = self._create_through_the_menu()
        self.client.post(reverse("packs:add_item", args=[pack.pk]), {"item": self.a.pk})
        self.client.post(reverse("packs:deliver", args=[pack.pk]))
        response = self.client.post(
            reverse("packs:add_item", args=[pack.pk]), {"item": self.b.pk}, follow=True
        )
        self.assertContains(response, "This pack is Delivered: it can no longer be changed.")
        assert pack.entries.count() == 1

        response = self.client.post(reverse("packs:copy", args=[pack.pk]), follow=True)
        self.assertContains(response, "A new version to edit, copied from this pack.")
        new = Pack.objects.exclude(pk=pack.pk).get()
        assert (new.state, new.copied_from, new.number) == (PackState.DRAFT, pack, None)
        assert list(new.recipients.all()) == [self.leader]
        assert [e.item for e in new.entries.all()] == [self.a]
        self.client.post(reverse("packs:add_item", args=[new.pk]), {"item": self.b.pk})
        assert Entry.objects.filter(pack=new).count() == 2

        response = self.client.post(reverse("packs:withdraw", args=[pack.pk]), follow=True)
        self.assertContains(response, "Withdrawn: the leaders no longer find it.")
        self.client.force_login(self.leader)
        assert self.client.get(reverse("packs:read", args=[pack.pk])).status_code == 404
        self.assertNotContains(self.client.get(reverse("packs:mine")), "青石镇强降雨灾情参阅")

    def test_it_refuses_delivering_an_empty_pack(self) -> None:
        pack = self._create_through_the_menu()
        response = self.client.post(reverse("packs:deliver", args=[pack.pk]), follow=True)
        self.assertContains(response, "The pack is empty")
        pack.refresh_from_db()
        assert pack.state == PackState.DRAFT

    def test_it_keeps_the_form_when_no_leader_is_chosen(self) -> None:
        self.client.force_login(self.chief)
        response = self.client.post(
            reverse("packs:create"),
            {
                "title": "防汛工作参阅",
                "occasion": "visit",
                "occasion_at": "2026-07-04T09:00",
                "subject": "防汛",
            },
        )
        self.assertContains(
            response, "Choose at least one leader the pack is for.", status_code=400
        )
        self.assertContains(response, 'value="防汛工作参阅"', status_code=400)
        assert not Pack.objects.exists()


class PackRolesTest(BaseTestCase):
    def test_it_shows_a_leader_only_their_own_delivered_packs(self) -> None:
        from xinbao.packs import services

        pack = services.create_pack(
            user=self.ed,
            title="调研参阅",
            occasion="visit",
            occasion_at=T0,
            subject="调研",
            recipients=[self.leader],
        )
        services.add_text(user=self.ed, pack=pack, title="背景", text="东城县基本情况。")
        self.client.force_login(self.leader)
        # A draft is not the leader's yet.
        assert self.client.get(reverse("packs:read", args=[pack.pk])).status_code == 404
        services.deliver(user=self.ed, pack=pack)
        self.assertContains(
            self.client.get(reverse("packs:read", args=[pack.pk])), "东城县基本情况"
        )
        docx = self.client.get(reverse("packs:docx", args=[pack.pk]))
        assert docx.status_code == 200
        # Another leader's pack: as if it did not exist.
        self.client.force_login(self.principal)
        for name in ("packs:read", "packs:pdf", "packs:docx"):
            assert self.client.get(reverse(name, args=[pack.pk])).status_code == 404, name
        assert self.client.get(reverse("packs:build", args=[pack.pk])).status_code == 403
        # Reporters and the duty officer have no packs at all.
        for user in (self.alice, self.duty):
            self.client.force_login(user)
            assert self.client.get(reverse("packs:list")).status_code == 403
            assert self.client.get(reverse("packs:read", args=[pack.pk])).status_code == 403
