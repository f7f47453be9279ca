"""Reading the rules: which rule set is in force on a day, and the value of one rule.

Rules are data (``RuleSet`` / ``Rule``); nothing here holds a number. A key that a rule set
lacks falls back to its generic key (``office:<periodical>`` → ``office:default``,
``city:<publication>`` → ``city``…); a key with no value at all is worth nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from xinbao.scoring.models import Rule, RuleKind, RuleSet

#: The levels of an adoption or an instruction, as the ledger names them.
LEVELS = ("office", "city", "province", "central")
#: The keys the ledger asks for, by kind (adoption keys are checked by ``known_key``).
KEYS: dict[str, tuple[str, ...]] = {
    RuleKind.INSTRUCTION: LEVELS,
    RuleKind.MULTIPLIER: ("research", "forwarded"),
    RuleKind.QUOTA: ("met", "shortfall"),
    RuleKind.DEDUCTION: ("late", "missed", "concealed", "missed_commission", "missed_feedback"),
}

ZERO = Decimal("0")
ONE = Decimal("1")


def ruleset_on(day: dt.date) -> RuleSet | None:
    """The rule set in force on ``day``: the latest whose ``effective_from`` is not after it."""
    return RuleSet.objects.filter(effective_from__lte=day).order_by("-effective_from").first()


def fallback_keys(kind: str, key: str) -> list[str]:
    """The keys tried, most specific first: ``office:每日要情`` then ``office:default``."""
    keys = [key]
    if ":" in key:
        level = key.split(":", 1)[0]
        keys.append("office:default" if level == "office" else level)
    return keys


def value_in(ruleset: RuleSet | None, kind: str, key: str) -> tuple[Rule | None, Decimal]:
    """The rule of ``ruleset`` for (kind, key), with its points; ``(None, 0)`` when none.

    A missing multiplier is worth 1, not 0: an office that deletes the multiplier means
    "no multiplier", not "no points".
    """
    missing = ONE if kind == RuleKind.MULTIPLIER else ZERO
    if ruleset is None:
        return None, missing
    keys = fallback_keys(kind, key)
    found = {r.key: r for r in Rule.objects.filter(ruleset=ruleset, kind=kind, key__in=keys)}
    for candidate in keys:
        if candidate in found:
            return found[candidate], found[candidate].points
    return None, missing


def value(kind: str, key: str, day: dt.date) -> tuple[Rule | None, Decimal]:
    """The rule for (kind, key) in force on ``day``, with its points (see ``value_in``)."""
    return value_in(ruleset_on(day), kind, key)


def known_key(kind: str, key: str) -> bool:
    """Whether the ledger ever asks for (kind, key): a rule under another key is worth nothing.

    Adoption keys are ``office:<periodical>`` (or ``office:default``), a higher level
    (``city``…) or a higher level with its publication (``city:<publication>``).
    """
    if kind != RuleKind.ADOPTION:
        return key in KEYS.get(kind, ())
    level, sep, name = key.partition(":")
    if level == "office":
        return bool(name.strip())
    return level in LEVELS and (not sep or bool(name.strip()))


def key_examples(kind: str) -> str:
    if kind == RuleKind.ADOPTION:
        return "office:<periodical>, office:default, city, city:<publication>, province, central"
    return ", ".join(KEYS.get(kind, ()))
