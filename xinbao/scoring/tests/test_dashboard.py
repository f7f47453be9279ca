"""The statistics pages: who sees what, the charts' data, the XLSX export."""

from __future__ import annotations

import json
from io import BytesIO
from typing import Any

from django.urls import reverse
from openpyxl import load_workbook

from xinbao.scoring.tests.test_statistics import ScoringData

Q3_QUERY = {"period": "quarter", "day": "2026-08-15"}


def chart_data(html: str) -> dict[str, Any]:
    """The json_script payload of a page."""
    start = html.index('<script id="scoring-data" type="application/json">')
    body = html[start:].split(">", 1)[1].split("</script>", 1)[0]
    data: dict[str, Any] = json.loads(body)
    return data


class DashboardTest(ScoringData):
    def test_it_lets_the_office_roles_in(self) -> None:
        for user in (self.ed, self.chief, self.leader, self.principal):
            self.client.force_login(user)
            response = self.client.get(reverse("scoring:dashboard"))
            assert response.status_code == 200, user.role
            assert reverse("scoring:dashboard") in response.content.decode()  # the nav entry

    def test_it_keeps_other_roles_out(self) -> None:
        for user in (self.duty, self.liaison, self.sysadmin, self.secadmin, self.auditor):
            self.client.force_login(user)
            assert self.client.get(reverse("scoring:dashboard")).status_code == 403, user.role
            assert self.client.get(reverse("scoring:export")).status_code == 403, user.role
            url = reverse("scoring:unit", args=[self.county_a.pk])
            assert self.client.get(url).status_code == 404, user.role

    def test_it_shows_a_reporter_only_their_own_unit(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(reverse("scoring:dashboard"))
        assert response.status_code == 302
        assert response["Location"] == reverse("scoring:unit", args=[self.county_a.pk])
        own = self.client.get(reverse("scoring:unit", args=[self.county_a.pk]), Q3_QUERY)
        assert own.status_code == 200
        html = own.content.decode()
        assert "东城县委办公室" in html
        assert "33.3%" in html  # 1 of 3 demands reported on time
        assert self.client.get(reverse("scoring:unit", args=[self.county_b.pk])).status_code == 404
        assert self.client.get(reverse("scoring:export")).status_code == 403

    def test_it_renders_the_ranking_and_the_chart_data(self) -> None:
        self.client.force_login(self.leader)
        query = {**Q3_QUERY, "unit_class": str(self.class_one.pk)}
        response = self.client.get(reverse("scoring:dashboard"), query)
        html = response.content.decode()
        data = chart_data(html)
        assert data["ranking"]["units"] == ["东城县", "应急局", "东城县第一中学", "西山县"]
        assert data["ranking"]["points"] == [8.0, 1.5, 0.0, -8.0]
        assert data["ranking"]["adoption"][0] == 75.0
        assert data["trend"]["months"][-3:] == ["2026-07", "2026-08", "2026-09"]
        assert data["trend"]["points"][-3:] == [5.0, -8.0, 4.5]
        mix = {m["kind"]: m["value"] for m in data["mix"]}
        assert mix["dynamic"] == 3 and mix["proposal"] == 1
        # The same figures are there as tables for a browser without JavaScript.
        table = html[html.index('id="ranking-table"') :]
        assert table.index("东城县委办公室") < table.index("西山县委办公室")
        assert "75.0%" in table
        assert "市教育局" not in table  # another class
        assert "vendor/echarts/echarts.min.js" in html

    def test_it_falls_back_to_this_quarter_on_a_bad_query(self) -> None:
        self.client.force_login(self.ed)
        response = self.client.get(reverse("scoring:dashboard"), {"period": "x", "day": "nope"})
        assert response.status_code == 200
        assert response.context["period"].kind == "quarter"

    def test_it_exports_the_period_to_xlsx(self) -> None:
        self.client.force_login(self.chief)
        response = self.client.get(reverse("scoring:export"), Q3_QUERY)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert "scores-20260701-20260930.xlsx" in response["Content-Disposition"]
        sheet = load_workbook(BytesIO(response.content)).active
        assert sheet is not None
        rows = list(sheet.iter_rows(values_only=True))
        assert "2026年第3季度" in str(rows[0][0])
        assert rows[1][:7] == ("名次", "单位", "类别", "报送条数", "采用条数", "采用率", "积分")
        assert "紧急信息及时率" in rows[1]
        first = rows[2]
        assert first[:5] == (1, "东城县委办公室", "一类", 4, 3)
        assert first[5] == 0.75 and first[6] == 8
        assert rows[-1][1] == "合计"
        assert len(rows) == 2 + 5 + 1  # title, headers, five units, totals
