"""The instruction ledger in keyset pages, newest first (no longer cut at 200 lines)."""

from __future__ import annotations

import re

from django.urls import reverse

from xinbao.lib import plans
from xinbao.periodicals import services
from xinbao.periodicals.models import Instruction, InstructionStatus
from xinbao.periodicals.tests.factories import PeriodicalCase
from xinbao.test import next_link


class InstructionPagesTest(PeriodicalCase):
    def shown(self, body: str) -> list[int]:
        return [int(pk) for pk in re.findall(r'data-instruction="(\d+)"', body)]

    def test_it_walks_the_ledger_page_by_page_to_the_oldest_instruction(self) -> None:
        first = services.give_instruction(user=self.leader, text="最早的批示", item=self.adopted())
        copies = []
        for n in range(54):
            copy = Instruction.objects.get(pk=first.pk)
            copy.pk = None
            copy.text = f"批示{n}"
            copies.append(copy)
        Instruction.objects.bulk_create(copies)
        closed = Instruction.objects.exclude(pk=first.pk).order_by("pk")[:3]
        Instruction.objects.filter(pk__in=[i.pk for i in closed]).update(
            status=InstructionStatus.CLOSED
        )
        self.client.force_login(self.chief)
        ledger = reverse("periodicals:instructions")
        url: str | None = ledger + "?state=all"
        seen: list[int] = []
        pages = 0
        while url:
            with plans.checked(tables=("periodicals_instruction",)):
                response = self.client.get(url)
            assert response.status_code == 200
            seen += self.shown(response.content.decode())
            url = next_link(response.content.decode(), url)
            pages += 1
        newest_first = list(
            Instruction.objects.order_by("-created_at", "-id").values_list("pk", flat=True)
        )
        assert pages == 2 and seen == newest_first and seen[-1] == first.pk
        # Open ones only: the three closed are left out, the filter kept from page to page.
        response = self.client.get(ledger + "?state=open")
        following = next_link(response.content.decode(), ledger + "?state=open")
        assert following is not None and "state=open" in following
        second = self.client.get(following)
        opened = self.shown(response.content.decode()) + self.shown(second.content.decode())
        assert len(opened) == 52 and not {i.pk for i in closed} & set(opened)
