from __future__ import annotations

from xinbao.audit.models import AuditEvent
from xinbao.incidents.models import DeadlineRule
from xinbao.incidents.services import deadline_minutes
from xinbao.test import BaseTestCase


class DeadlineRulesTest(BaseTestCase):
    URL = "/incidents/rules/"

    def _post(self, **cells: str) -> dict[str, str]:
        data = {}
        for rule in DeadlineRule.objects.all():
            data[f"r{rule.pk}-minutes"] = str(rule.minutes or "")
            data[f"r{rule.pk}-source"] = rule.source
        data.update(cells)
        return data

    def test_it_ships_the_documented_defaults(self) -> None:
        table = {(r.level, r.mode): r.minutes for r in DeadlineRule.objects.all()}
        assert table == {
            (1, "phone"): 15,
            (1, "written"): 30,
            (2, "phone"): 15,
            (2, "written"): 30,
            (3, "phone"): 30,
            (3, "written"): 60,
            (4, "phone"): None,
            (4, "written"): 1440,
        }
        assert all(r.source for r in DeadlineRule.objects.all())

    def test_it_lets_the_section_chief_edit_the_table(self) -> None:
        rule = DeadlineRule.objects.get(level=3, mode="phone")
        self.client.force_login(self.chief)
        response = self.client.post(self.URL, self._post(**{f"r{rule.pk}-minutes": "20"}))
        assert response.status_code == 302
        assert deadline_minutes(3, "phone") == 20
        assert AuditEvent.objects.filter(action="incident.deadline_rule").count() == 1

    def test_it_keeps_the_table_when_a_cell_is_wrong(self) -> None:
        rule = DeadlineRule.objects.get(level=3, mode="phone")
        self.client.force_login(self.chief)
        response = self.client.post(self.URL, self._post(**{f"r{rule.pk}-minutes": "-5"}))
        assert response.status_code == 200
        assert 'value="-5"' in response.content.decode()
        assert deadline_minutes(3, "phone") == 30

    def test_it_shows_the_table_to_editors_and_refuses_reporters(self) -> None:
        self.client.force_login(self.ed)
        assert self.client.get(self.URL).status_code == 200
        assert self.client.post(self.URL, self._post()).status_code == 403
        self.client.force_login(self.alice)
        assert self.client.get(self.URL).status_code == 403
