"""Suggested level (I–IV) of an incident from its casualties and losses.

The thresholds are those of the State Council decree 493, 《生产安全事故报告和调查处理条例》
(2007), article 3:

    （一）特别重大事故，是指造成30人以上死亡，或者100人以上重伤（包括急性工业中毒，下同），
          或者1亿元以上直接经济损失的事故；
    （二）重大事故，是指造成10人以上30人以下死亡，或者50人以上100人以下重伤，
          或者5000万元以上1亿元以下直接经济损失的事故；
    （三）较大事故，是指造成3人以上10人以下死亡，或者10人以上50人以下重伤，
          或者1000万元以上5000万元以下直接经济损失的事故；
    （四）一般事故，是指造成3人以下死亡，或者10人以下重伤，或者1000万元以下直接经济损失的事故。
    本条第一款所称的“以上”包括本数，所称的“以下”不包括本数。

So a level is reached at its number ("30人以上" is 30 or more) and the level below ends just
before it ("10人以上30人以下" is 10 to 29). Any one of the three measures is enough: the level is
the highest that deaths, serious injuries or direct loss reach.

The decree grades production-safety accidents. The office applies the same thresholds to every
category as a first suggestion (natural disasters, public-health and social-security incidents
have their own plans, whose criteria are mostly not casualty counts); the duty officer confirms or
changes the level, and the reasons say where the suggestion came from.

Sensitivity overrides (敏感): a sensitive person, time or place, or a crowd gathering, raises the
suggestion by one level, not above I. That is this office's default, not the decree's; it is a
``SensitivityRule`` that a caller may replace.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Level(models.IntegerChoices):
    """Incident levels; a smaller number is more severe."""

    I = 1, _("Level I (especially serious)")  # noqa: E741 - the level's official name
    II = 2, _("Level II (serious)")
    III = 3, _("Level III (relatively serious)")
    IV = 4, _("Level IV (ordinary)")


class Category(models.TextChoices):
    NATURAL_DISASTER = "natural_disaster", _("Natural disaster")
    ACCIDENT = "accident", _("Accident")
    PUBLIC_HEALTH = "public_health", _("Public health")
    SOCIAL_SECURITY = "social_security", _("Social security")


@dataclass(frozen=True)
class Thresholds:
    """The least deaths, serious injuries and direct loss (yuan) that reach a level ("以上")."""

    deaths: int
    serious_injuries: int
    direct_loss_yuan: Decimal


DECREE_493: dict[Level, Thresholds] = {
    Level.I: Thresholds(30, 100, Decimal(100_000_000)),
    Level.II: Thresholds(10, 50, Decimal(50_000_000)),
    Level.III: Thresholds(3, 10, Decimal(10_000_000)),
}


@dataclass(frozen=True)
class SensitivityRule:
    """How sensitivity raises a suggestion.

    ``raise_by`` levels (once, however many factors apply), never above ``ceiling``. A crowd counts
    from ``crowd_threshold`` people gathered ("以上": the number included).
    """

    raise_by: int = 1
    ceiling: Level = Level.I
    crowd_threshold: int = 1


DEFAULT_RULE = SensitivityRule()


@dataclass(frozen=True)
class LevelSuggestion:
    level: Level
    # What led to the level, in order, for the duty officer to read.
    reasons: list[StrOrPromise] = field(default_factory=list)
    # The level from the numbers alone, before any sensitivity override.
    base_level: Level = Level.IV

    @property
    def label(self) -> str:
        return str(self.level.label)


def _level_from(measure: int | Decimal | None, attribute: str) -> tuple[Level, Thresholds | None]:
    if measure is None:
        return Level.IV, None
    for level in (Level.I, Level.II, Level.III):
        thresholds = DECREE_493[level]
        if measure >= getattr(thresholds, attribute):
            return level, thresholds
    return Level.IV, None


def suggest_level(
    *,
    deaths: int | None,
    serious_injuries: int | None,
    direct_loss_yuan: Decimal | int | None,
    category: Category | str,
    sensitive: bool = False,
    crowd: int | None = None,
    rule: SensitivityRule = DEFAULT_RULE,
) -> LevelSuggestion:
    """The level that the reported numbers reach, raised by sensitivity per ``rule``.

    ``None`` means "not reported" and reaches no level. ``sensitive`` stands for a sensitive
    person, time or place; ``crowd`` is the number of people gathered, if any.
    """
    reasons: list[StrOrPromise] = []
    base = Level.IV
    loss = Decimal(direct_loss_yuan) if direct_loss_yuan is not None else None
    measures = (
        (deaths, "deaths", _("{count} deaths: {threshold} or more reach {level}")),
        (
            serious_injuries,
            "serious_injuries",
            _("{count} seriously injured: {threshold} or more reach {level}"),
        ),
        (
            loss,
            "direct_loss_yuan",
            _("Direct loss of {count} yuan: {threshold} or more reach {level}"),
        ),
    )
    for measure, attribute, message in measures:
        level, thresholds = _level_from(measure, attribute)
        if thresholds is None:
            continue
        reasons.append(
            format_lazy(
                message,
                count=measure,
                threshold=getattr(thresholds, attribute),
                level=level.label,
            )
        )
        base = min(base, level)
    if base == Level.IV:
        reasons.append(
            _("Below every threshold of decree 493 (3 deaths, 10 seriously injured, 10M yuan)")
        )
    category_label = Category(category).label
    reasons.append(
        format_lazy(_("Thresholds of State Council decree 493 applied to: {}"), category_label)
    )

    factors: list[StrOrPromise] = []
    if sensitive:
        factors.append(_("Sensitive person, time or place"))
    if crowd is not None and crowd >= rule.crowd_threshold:
        factors.append(format_lazy(_("Crowd of {} people"), crowd))
    level = base
    if factors and rule.raise_by > 0:
        reasons.extend(factors)
        # Never above the ceiling, but never below the numbers' own level either.
        level = Level(min(int(base), max(int(rule.ceiling), int(base) - rule.raise_by)))
        if level == base:
            reasons.append(_("Already at the highest level sensitivity may reach: not raised"))
        else:
            reasons.append(format_lazy(_("Sensitivity raises the level to {}"), level.label))
    return LevelSuggestion(level=level, reasons=reasons, base_level=base)
