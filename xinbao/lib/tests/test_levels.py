"""Level suggestion by the thresholds of State Council decree 493, with sensitivity overrides."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from xinbao.lib.levels import Category, Level, SensitivityRule, suggest_level


def level_for(
    *,
    deaths: int | None = None,
    serious: int | None = None,
    loss: int | None = None,
) -> Level:
    return suggest_level(
        deaths=deaths,
        serious_injuries=serious,
        direct_loss_yuan=loss,
        category=Category.ACCIDENT,
    ).level


@pytest.mark.parametrize(
    ("deaths", "level"),
    [(0, Level.IV), (2, Level.IV), (3, Level.III), (9, Level.III), (10, Level.II),
     (29, Level.II), (30, Level.I), (300, Level.I)],
)  # fmt: skip
def test_it_grades_deaths_with_the_number_included(deaths: int, level: Level) -> None:
    assert level_for(deaths=deaths) == level


@pytest.mark.parametrize(
    ("serious", "level"),
    [(9, Level.IV), (10, Level.III), (49, Level.III), (50, Level.II), (99, Level.II),
     (100, Level.I)],
)  # fmt: skip
def test_it_grades_serious_injuries_with_the_number_included(serious: int, level: Level) -> None:
    assert level_for(serious=serious) == level


@pytest.mark.parametrize(
    ("loss", "level"),
    [(9_999_999, Level.IV), (10_000_000, Level.III), (49_999_999, Level.III),
     (50_000_000, Level.II), (99_999_999, Level.II), (100_000_000, Level.I)],
)  # fmt: skip
def test_it_grades_direct_loss_with_the_number_included(loss: int, level: Level) -> None:
    assert level_for(loss=loss) == level


def test_it_takes_the_highest_level_any_measure_reaches() -> None:
    assert level_for(deaths=2, serious=12, loss=60_000_000) == Level.II
    assert level_for(deaths=31, serious=0, loss=0) == Level.I


def test_it_reads_nothing_reported_as_no_level_reached() -> None:
    suggestion = suggest_level(
        deaths=None, serious_injuries=None, direct_loss_yuan=None, category="natural_disaster"
    )
    assert suggestion.level == Level.IV
    assert suggestion.reasons


def test_it_accepts_a_decimal_loss() -> None:
    suggestion = suggest_level(
        deaths=None,
        serious_injuries=None,
        direct_loss_yuan=Decimal("10000000.00"),
        category=Category.ACCIDENT,
    )
    assert suggestion.level == Level.III


def test_it_raises_a_sensitive_incident_by_one_level() -> None:
    suggestion = suggest_level(
        deaths=1,
        serious_injuries=0,
        direct_loss_yuan=None,
        category=Category.SOCIAL_SECURITY,
        sensitive=True,
    )
    assert suggestion.base_level == Level.IV
    assert suggestion.level == Level.III


def test_it_raises_once_however_many_factors_apply() -> None:
    suggestion = suggest_level(
        deaths=12,
        serious_injuries=None,
        direct_loss_yuan=None,
        category=Category.PUBLIC_HEALTH,
        sensitive=True,
        crowd=300,
    )
    assert suggestion.level == Level.I


def test_it_never_raises_above_level_one() -> None:
    suggestion = suggest_level(
        deaths=40,
        serious_injuries=None,
        direct_loss_yuan=None,
        category=Category.ACCIDENT,
        sensitive=True,
    )
    assert suggestion.level == Level.I
    assert len(suggestion.reasons) >= 3


def test_it_follows_a_configured_rule() -> None:
    rule = SensitivityRule(raise_by=1, ceiling=Level.II, crowd_threshold=100)
    small = suggest_level(
        deaths=0, serious_injuries=0, direct_loss_yuan=0, category="social_security", crowd=99,
        rule=rule,
    )  # fmt: skip
    large = suggest_level(
        deaths=0, serious_injuries=0, direct_loss_yuan=0, category="social_security", crowd=100,
        rule=rule,
    )  # fmt: skip
    capped = suggest_level(
        deaths=10, serious_injuries=0, direct_loss_yuan=0, category="accident", sensitive=True,
        rule=rule,
    )  # fmt: skip
    top = suggest_level(
        deaths=30, serious_injuries=0, direct_loss_yuan=0, category="accident", sensitive=True,
        rule=rule,
    )  # fmt: skip
    assert small.level == Level.IV
    assert large.level == Level.III
    assert capped.level == Level.II
    assert top.level == Level.I


def test_it_explains_the_suggestion_in_translatable_reasons() -> None:
    suggestion = suggest_level(
        deaths=3,
        serious_injuries=None,
        direct_loss_yuan=None,
        category=Category.ACCIDENT,
        sensitive=True,
    )
    with translation.override("en"):
        reasons = [str(reason) for reason in suggestion.reasons]
    assert any("3 deaths" in reason for reason in reasons)
    assert any("Sensitive" in reason for reason in reasons)
    assert suggestion.level == Level.II
