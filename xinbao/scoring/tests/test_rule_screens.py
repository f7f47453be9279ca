"""The section chief's rule set screens: versions by date, a new one prefilled, used ones
read-only, no back-dating into a closed quarter, forms that keep what was typed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import time_machine
from django.urls import reverse

from xinbao.audit.models import AuditEvent
from xinbao.scoring import services
from xinbao.scoring.models import Rule, RuleSet, ScoreReport
from xinbao.scoring.rules import ruleset_on
from xinbao.scoring.tests.factories import ScoringCase, noon

TODAY = dt.date(2026, 5, 12)  # in the second quarter: the first is closed


def form_data(
    *, name: str, effective_from: str, rules: list[tuple[str, str, str]], **extra: Any
) -> dict[str, Any]:
    """The POST of the rule set form: the head and one formset row per rule."""
    data: dict[str, Any] = {
        "name": name,
        "effective_from": effective_from,
        "source": extra.pop("source", ""),
        "rules-TOTAL_FORMS": str(len(rules)),
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
    }
    for n, (kind, key, points) in enumerate(rules):
        data[f"rules-{n}-kind"] = kind
        data[f"rules-{n}-key"] = key
        data[f"rules-{n}-points"] = points
        data[f"rules-{n}-label"] = ""
    data.update(extra)
    return data


class RuleScreenTests(ScoringCase):
    def setUp(self) -> None:
        self.enterContext(time_machine.travel(noon(TODAY), tick=False))
        self.client.force_login(self.chief)
        self.default = RuleSet.objects.get(effective_from=dt.date(2000, 1, 1))

    def current_rules(self) -> list[tuple[str, str, str]]:
        return [(r.kind, r.key, str(r.points)) for r in self.default.rules.all()]

    def test_it_lists_the_versions_for_the_chief_only(self) -> None:
        page = self.client.get(reverse("scoring:rulesets"))
        self.assertContains(page, "2000-01-01")
        self.assertContains(page, "In force")
        self.assertContains(page, "can begin on 2026-04-01 at the earliest")
        for user in (self.ed, self.alice, self.leader):
            self.client.force_login(user)
            self.assertEqual(self.client.get(reverse("scoring:rulesets")).status_code, 403)
            self.assertEqual(self.client.get(reverse("scoring:ruleset_new")).status_code, 403)

    def test_it_prefills_a_new_version_with_the_rules_in_force(self) -> None:
        page = self.client.get(reverse("scoring:ruleset_new"))
        self.assertContains(page, 'value="office:每日要情"')
        self.assertContains(page, 'value="2026-05-13"')  # tomorrow
        self.assertEqual(page.context["formset"].total_form_count(), self.default.rules.count() + 3)

    def test_it_creates_a_version_that_scores_from_its_date(self) -> None:
        rules = [
            (k, key, "8.00" if key == "office:每日要情" else p)
            for k, key, p in self.current_rules()
        ]
        response = self.client.post(
            reverse("scoring:ruleset_new"),
            form_data(name="2026年修订", effective_from="2026-06-01", rules=rules),
        )
        ruleset = RuleSet.objects.get(effective_from=dt.date(2026, 6, 1))
        self.assertRedirects(response, reverse("scoring:ruleset", args=[ruleset.pk]))
        self.assertEqual(ruleset.created_by, self.chief)
        self.assertEqual(ruleset.rules.count(), self.default.rules.count())
        self.assertEqual(ruleset_on(dt.date(2026, 5, 31)), self.default)
        self.assertEqual(ruleset_on(dt.date(2026, 6, 1)), ruleset)
        event = AuditEvent.objects.get(action="scoring.ruleset_created")
        self.assertEqual(event.summary["changed"], {"adoption:office:每日要情": ["5.00", "8.00"]})

    def test_it_refuses_a_date_in_a_closed_quarter_and_keeps_the_form(self) -> None:
        rules = [*self.current_rules(), ("deduction", "late_twice", "-7.50")]
        response = self.client.post(
            reverse("scoring:ruleset_new"),
            form_data(name="追溯修订", effective_from="2026-03-15", rules=rules),
        )
        self.assertContains(
            response,
            "Rules cannot begin on 2026-03-15: that quarter is closed. A new version can "
            "begin on 2026-04-01 at the earliest.",
            status_code=400,
        )
        self.assertContains(response, 'value="追溯修订"', status_code=400)
        self.assertContains(response, 'value="late_twice"', status_code=400)
        self.assertContains(response, 'value="-7.50"', status_code=400)
        self.assertFalse(RuleSet.objects.filter(name="追溯修订").exists())

    def test_it_refuses_a_date_in_a_quarter_whose_report_exists(self) -> None:
        ScoreReport.objects.create(
            quarter_start=dt.date(2026, 4, 1), quarter_end=dt.date(2026, 7, 1)
        )
        with self.assertRaisesMessage(services.ScoringError, "2026-07-01 at the earliest"):
            services.create_ruleset(
                name="x",
                effective_from=dt.date(2026, 6, 1),
                source="",
                rules=[services.RuleValue("quota", "met", Decimal("10"))],
                user=self.chief,
            )

    def test_it_refuses_a_key_twice_and_a_bad_number(self) -> None:
        response = self.client.post(
            reverse("scoring:ruleset_new"),
            form_data(
                name="重复",
                effective_from="2026-06-01",
                rules=[("quota", "met", "10"), ("quota", "met", "12"), ("quota", "shortfall", "x")],
            ),
        )
        self.assertContains(response, "Enter a number.", status_code=400)
        response = self.client.post(
            reverse("scoring:ruleset_new"),
            form_data(name="重复", effective_from="2026-06-01", rules=[("quota", "met", "10")] * 2),
        )
        self.assertContains(response, "is given twice", status_code=400)
        self.assertFalse(RuleSet.objects.filter(name="重复").exists())

    def test_it_refuses_a_key_the_ledger_never_asks_for_and_keeps_the_form(self) -> None:
        for kind, key in [("quota", "mett"), ("deduction", "tardy"), ("adoption", "county")]:
            response = self.client.post(
                reverse("scoring:ruleset_new"),
                form_data(name="拼错", effective_from="2026-06-01", rules=[(kind, key, "10")]),
            )
            self.assertContains(response, "is never used by the ledger", status_code=400)
            self.assertContains(response, f'value="{key}"', status_code=400)
        self.assertFalse(RuleSet.objects.filter(name="拼错").exists())
        good = [("adoption", "office:紧急信息快报", "12"), ("adoption", "city:浙江信息", "40")]
        response = self.client.post(
            reverse("scoring:ruleset_new"),
            form_data(name="新增刊物", effective_from="2026-06-01", rules=good),
        )
        assert response.status_code == 302
        assert RuleSet.objects.get(name="新增刊物").rules.count() == 2

    def test_it_edits_an_unused_version_and_drops_a_row(self) -> None:
        ruleset = services.create_ruleset(
            name="六月",
            effective_from=dt.date(2026, 6, 1),
            source="",
            rules=[
                services.RuleValue("quota", "met", Decimal("10")),
                services.RuleValue("quota", "shortfall", Decimal("-1")),
            ],
            user=self.chief,
        )
        page = self.client.get(reverse("scoring:ruleset", args=[ruleset.pk]))
        self.assertContains(page, 'value="shortfall"')
        data = form_data(
            name="六月（改）",
            effective_from="2026-07-01",
            rules=[("quota", "met", "12"), ("quota", "shortfall", "-1")],
            **{"rules-1-DELETE": "on"},
        )
        response = self.client.post(reverse("scoring:ruleset", args=[ruleset.pk]), data)
        self.assertRedirects(response, reverse("scoring:ruleset", args=[ruleset.pk]))
        ruleset.refresh_from_db()
        self.assertEqual(ruleset.effective_from, dt.date(2026, 7, 1))
        self.assertEqual(
            list(ruleset.rules.values_list("key", "points")), [("met", Decimal("12.00"))]
        )
        self.assertTrue(AuditEvent.objects.filter(action="scoring.ruleset_changed").exists())

    def test_it_shows_a_used_version_read_only_and_refuses_to_change_it(self) -> None:
        item = self.item(self.alice)
        services.post_adoption(adoption=self.adopt(item, dt.date(2026, 4, 3)))
        page = self.client.get(reverse("scoring:ruleset", args=[self.default.pk]))
        self.assertContains(page, "Read-only")
        self.assertContains(page, "Points have been posted under this version")
        self.assertNotContains(page, "rules-TOTAL_FORMS")
        before = list(Rule.objects.filter(ruleset=self.default).values_list("key", "points"))
        response = self.client.post(
            reverse("scoring:ruleset", args=[self.default.pk]),
            form_data(name="改", effective_from="2026-06-01", rules=[("quota", "met", "99")]),
        )
        self.assertEqual(response.status_code, 409)
        self.default.refresh_from_db()
        self.assertEqual(self.default.effective_from, dt.date(2000, 1, 1))
        self.assertEqual(
            list(Rule.objects.filter(ruleset=self.default).values_list("key", "points")), before
        )
        with self.assertRaisesMessage(services.ScoringError, "cannot be changed"):
            services.update_ruleset(
                ruleset=self.default,
                name="改",
                effective_from=dt.date(2026, 6, 1),
                source="",
                rules=[services.RuleValue("quota", "met", Decimal("99"))],
                user=self.chief,
            )
