"""Decisions through the item page: adopting with a multi-select, form errors and refusals,
forwarding and higher adoption."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from xinbao.desk import services
from xinbao.desk.models import Adoption, Decision, DecisionKind
from xinbao.desk.tests.cases import DeskPageCase


class DecisionPagesTest(DeskPageCase):
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
