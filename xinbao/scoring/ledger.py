"""Deriving points from their causes, and reading the ledger (totals, recompute, year).

Every number the ledger holds is derived here from a cause and a rule set; posting
(``services``) stores what these functions say, and ``recompute`` derives it again from the
causes to prove that the stored totals still follow from them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from xinbao.accounts.models import Role
from xinbao.desk.models import Adoption, AdoptionLevel, Decision, DecisionKind
from xinbao.incidents.models import AccountabilityRecord
from xinbao.items.models import Item, ItemKind, ItemStatus
from xinbao.lib.days import office_midnight
from xinbao.org.models import Unit, UnitClass, UnitKind
from xinbao.periodicals.models import Instruction, InstructionFeedback
from xinbao.scoring.models import Cause, Rule, RuleKind, RuleSet, ScoreEntry
from xinbao.scoring.rules import ZERO, ruleset_on, value_in

CENT = Decimal("0.01")

#: Item kinds that count as research (调研类) for the ``multiplier:research`` rule: the
#: analysis, assessment and proposal items that SPEC §6 sets against plain dynamic news.
RESEARCH_KINDS = frozenset({ItemKind.ANALYSIS, ItemKind.ASSESSMENT, ItemKind.PROPOSAL})

#: Roles whose instructions are this office's own leaders' (level ``office``).
OFFICE_LEADER_ROLES = frozenset({Role.LEADER_IN_CHARGE, Role.PRINCIPAL_LEADER})


@dataclass(frozen=True)
class Share:
    """What one unit earns or loses from one cause; ``via`` is set on a county's copy."""

    unit: Unit
    points: Decimal
    rule: Rule | None
    explanation: str
    via: Unit | None = None

    @property
    def key(self) -> tuple[int, int | None]:
        return (self.unit.pk, self.via.pk if self.via is not None else None)


def split(total: Decimal, parts: int) -> list[Decimal]:
    """``total`` shared among ``parts`` to the cent; the remainder goes to the first part.

    ``split(10, 3) == [3.34, 3.33, 3.33]``: the sum is always exactly ``total``.
    """
    if parts <= 0:
        return []
    each = (total / parts).quantize(CENT, rounding=ROUND_DOWN)
    first = total - each * (parts - 1)
    return [first] + [each] * (parts - 1)


def with_counties(shares: Iterable[Share]) -> list[Share]:
    """Each direct point's share, followed by the same share for its county (``via`` it)."""
    out: list[Share] = []
    for share in shares:
        out.append(share)
        unit = share.unit
        if unit.kind == UnitKind.DIRECT_POINT and unit.county is not None:
            out.append(Share(unit.county, share.points, share.rule, share.explanation, via=unit))
    return out


def credited_units(item: Item) -> list[Unit]:
    """The units an adoption of ``item`` credits, the item's own unit first.

    The item's unit and joint units; for a comprehensive item also the units (and joint
    units) of the items merged into it. Each unit once, in that order.
    """
    units: dict[int, Unit] = {item.unit.pk: item.unit}
    for unit in item.joint_units.order_by("pk"):
        units.setdefault(unit.pk, unit)
    if item.kind == ItemKind.COMPREHENSIVE:
        for source in sorted(item.merged_sources(), key=lambda s: s.pk):
            units.setdefault(source.unit.pk, source.unit)
            for unit in source.joint_units.order_by("pk"):
                units.setdefault(unit.pk, unit)
    return list(units.values())


def adoption_key(adoption: Adoption) -> str:
    if adoption.level == AdoptionLevel.OFFICE:
        name = adoption.periodical.name if adoption.periodical is not None else "default"
        return f"office:{name}"
    if adoption.publication:
        return f"{adoption.level}:{adoption.publication}"
    return str(adoption.level)


def derive_adoption(adoption: Adoption, ruleset: RuleSet | None) -> list[Share]:
    """Points of an adoption: rule × multipliers, split evenly among the credited units."""
    rule, points = value_in(ruleset, RuleKind.ADOPTION, adoption_key(adoption))
    if rule is None or not points:
        return []
    item = adoption.item
    notes = [f"{rule.label or rule.key} {points}"]
    if item.kind in RESEARCH_KINDS:
        factor_rule, factor = value_in(ruleset, RuleKind.MULTIPLIER, "research")
        if factor_rule is not None:
            points *= factor
            notes.append(f"×{factor} ({factor_rule.label or 'research'})")
    forwarded = Decision.objects.filter(item=item, kind=DecisionKind.FORWARD).exists()
    if adoption.level != AdoptionLevel.OFFICE and forwarded:
        factor_rule, factor = value_in(ruleset, RuleKind.MULTIPLIER, "forwarded")
        if factor_rule is not None:
            points *= factor
            notes.append(f"×{factor} ({factor_rule.label or 'forwarded'})")
    units = credited_units(item)
    if len(units) > 1:
        notes.append(f"÷{len(units)}")
    explanation = f"{item.title[:100]}: " + " ".join(notes)
    parts = split(points.quantize(CENT), len(units))
    return with_counties(Share(u, p, rule, explanation) for u, p in zip(units, parts, strict=True))


def leader_level(instruction: Instruction) -> str | None:
    """The level of the instructing leader: ``office`` for this office's leaders.

    Instructions are entered for this office's leaders only (periodicals app); a higher
    leader's instruction has no level here yet, so it earns nothing until it can be told.
    """
    return "office" if instruction.leader.role in OFFICE_LEADER_ROLES else None


def derive_instruction(instruction: Instruction, ruleset: RuleSet | None) -> list[Share]:
    """A bonus, the full value for each unit concerned, by the leader's level."""
    level = leader_level(instruction)
    if level is None:
        return []
    rule, points = value_in(ruleset, RuleKind.INSTRUCTION, level)
    if rule is None or not points:
        return []
    explanation = f"{rule.label or rule.key} {points}: {instruction.text[:100]}"
    units = instruction.units.select_related("county").order_by("pk")
    return with_counties(Share(u, points, rule, explanation) for u in units)


def derive_record(record: AccountabilityRecord, ruleset: RuleSet | None) -> list[Share]:
    """A deduction for a late, missed or concealed report; a bonus for a commended one
    only if the rule set has a ``deduction:commended`` value (a positive one)."""
    rule, points = value_in(ruleset, RuleKind.DEDUCTION, record.kind)
    if rule is None or not points:
        return []
    explanation = f"{rule.label or rule.key} {points}: {record.reason[:100]}"
    return with_counties([Share(record.unit, points, rule, explanation)])


def quota_cause_id(start: dt.date, end: dt.date) -> int:
    """A period as a cause id: 2026-01-01…2026-01-31 → 2026010120260131."""
    return int(f"{start:%Y%m%d}{end:%Y%m%d}")


def quota_period(cause_id: int) -> tuple[dt.date, dt.date]:
    text = f"{cause_id:016d}"
    return (
        dt.datetime.strptime(text[:8], "%Y%m%d").date(),
        dt.datetime.strptime(text[8:], "%Y%m%d").date(),
    )


def months_in(start: dt.date, end: dt.date) -> int:
    """Calendar months the period touches: January–March is 3."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def submitted_count(unit: Unit, start: dt.date, end: dt.date) -> int:
    """Items the unit submitted in the period (local days), not counting withdrawn ones."""
    since, until = office_midnight(start), office_midnight(end + dt.timedelta(days=1))
    return (
        Item.objects.filter(unit=unit, submitted_at__gte=since, submitted_at__lt=until)
        .exclude(status__in=[ItemStatus.DRAFT, ItemStatus.WITHDRAWN])
        .count()
    )


def derive_quota(unit: Unit, start: dt.date, end: dt.date, ruleset: RuleSet | None) -> list[Share]:
    """Base points (``quota:met`` per month) when the quota of the period was met, else
    ``quota:shortfall`` per missing item."""
    owed = unit.unit_class.quota_per_month * months_in(start, end)
    done = submitted_count(unit, start, end)
    if done >= owed:
        rule, points = value_in(ruleset, RuleKind.QUOTA, "met")
        points *= months_in(start, end)
    else:
        rule, points = value_in(ruleset, RuleKind.QUOTA, "shortfall")
        points *= owed - done
    if rule is None or not points:
        return []
    explanation = f"{start}–{end}: {done}/{owed} ({rule.label or rule.key})"
    return with_counties([Share(unit, points, rule, explanation)])


def derive_missed_feedback(
    instruction: Instruction, unit: Unit, ruleset: RuleSet | None
) -> list[Share]:
    """A deduction unless the unit fed back in time (feedback marked late counts as missed)."""
    if InstructionFeedback.objects.filter(instruction=instruction, unit=unit, late=False).exists():
        return []
    rule, points = value_in(ruleset, RuleKind.DEDUCTION, "missed_feedback")
    if rule is None or not points:
        return []
    explanation = f"{rule.label or rule.key} {points}: {instruction.text[:100]}"
    return with_counties([Share(unit, points, rule, explanation)])


def instruction_day(instruction: Instruction) -> dt.date:
    return timezone.localdate(instruction.created_at)


def record_day(record: AccountabilityRecord) -> dt.date:
    return timezone.localdate(record.at)


# Reading the ledger ----------------------------------------------------------------------


def totals(
    start: dt.date, end: dt.date, unit_class: UnitClass | None = None
) -> list[tuple[Unit, Decimal]]:
    """Every unit (of ``unit_class``) with its points from ``start`` to ``end``, best first.

    One aggregate query; a county's total includes its direct points' entries (``via``).
    """
    units = Unit.objects.all()
    if unit_class is not None:
        units = units.filter(unit_class=unit_class)
    annotated = units.annotate(
        total=Coalesce(
            Sum("score_entries__points", filter=Q(score_entries__on__range=(start, end))),
            Value(ZERO),
            output_field=DecimalField(max_digits=12, decimal_places=2),
        )
    ).order_by("-total", "code")
    return [(unit, Decimal(unit.total).quantize(CENT)) for unit in annotated]


def stored_total(unit: Unit, start: dt.date, end: dt.date) -> Decimal:
    total = ScoreEntry.objects.filter(unit=unit, on__range=(start, end)).aggregate(
        total=Sum("points")
    )["total"]
    return Decimal(total or ZERO).quantize(CENT)


def year_total(unit: Unit, year: int) -> Decimal:
    """The unit's score for ``year``: zero after two missed commissions that year.

    A missed commission is a negative, unreversed COMMISSION entry of the unit itself (a
    county's copies of its points' entries do not count against the county).
    """
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    missed = ScoreEntry.objects.filter(
        unit=unit,
        on__range=(start, end),
        cause=Cause.COMMISSION,
        points__lt=0,
        via__isnull=True,
        reversed_by__isnull=True,
    ).count()
    if missed >= 2:
        return ZERO.quantize(CENT)
    return stored_total(unit, start, end)


@dataclass
class Recomputed:
    """``derived`` − ``stored`` is ``difference``; ``mismatched`` lists the entries whose
    stored points no longer follow from their cause and rule."""

    stored: Decimal
    derived: Decimal
    mismatched: list[int] = field(default_factory=list)

    @property
    def difference(self) -> Decimal:
        return self.derived - self.stored


def _ruleset_of(entry: ScoreEntry) -> RuleSet | None:
    if entry.rule is not None:
        return entry.rule.ruleset
    return ruleset_on(entry.on)


def _shares_of(entry: ScoreEntry) -> Sequence[Share] | None:
    """The shares the entry's cause yields again, or None where it cannot be re-derived."""
    ruleset = _ruleset_of(entry)
    subject = entry.via or entry.unit
    if entry.cause == Cause.ADOPTION:
        adoption = Adoption.objects.select_related("item__unit", "periodical").filter(
            pk=entry.cause_id
        )
        return derive_adoption(adoption[0], ruleset) if adoption else []
    if entry.cause == Cause.INSTRUCTION:
        instruction = Instruction.objects.select_related("leader").filter(pk=entry.cause_id)
        return derive_instruction(instruction[0], ruleset) if instruction else []
    if entry.cause == Cause.RECORD:
        record = AccountabilityRecord.objects.select_related("unit").filter(pk=entry.cause_id)
        return derive_record(record[0], ruleset) if record else []
    if entry.cause == Cause.QUOTA:
        start, end = quota_period(entry.cause_id)
        return derive_quota(subject, start, end, ruleset)
    if entry.cause == Cause.FEEDBACK:
        instruction = Instruction.objects.filter(pk=entry.cause_id)
        return derive_missed_feedback(instruction[0], subject, ruleset) if instruction else []
    return None


Derived = dict[tuple[str, int, int], dict[tuple[int, int | None], Decimal]]

#: Causes whose shares depend on the unit (the period's quota, one unit's feedback).
PER_UNIT_CAUSES = frozenset({Cause.QUOTA, Cause.FEEDBACK})


def derive_entry(entry: ScoreEntry, cache: Derived) -> Decimal:
    """The points ``entry`` should hold, derived again from its cause and rule set.

    A reversing entry is the negation of what it reverses; a COMMISSION entry (no model to
    re-read yet) is its rule's value, or its stored points when it has no rule.
    """
    if entry.reverses is not None:
        return -derive_entry(entry.reverses, cache)
    if entry.cause == Cause.COMMISSION:
        return entry.rule.points if entry.rule is not None else entry.points
    subject = (entry.via or entry.unit).pk if entry.cause in PER_UNIT_CAUSES else 0
    memo = (str(entry.cause), entry.cause_id, subject)
    if memo not in cache:
        cache[memo] = {share.key: share.points for share in _shares_of(entry) or []}
    return cache[memo].get((entry.unit_id, entry.via_id), ZERO)


def recompute(unit: Unit, start: dt.date, end: dt.date) -> Recomputed:
    """Derive every entry of ``unit`` from ``start`` to ``end`` again and compare."""
    entries = ScoreEntry.objects.filter(unit=unit, on__range=(start, end)).select_related(
        "unit", "via", "rule__ruleset", "reverses__unit", "reverses__via", "reverses__rule"
    )
    cache: Derived = {}
    result = Recomputed(stored=ZERO.quantize(CENT), derived=ZERO.quantize(CENT))
    for entry in entries:
        derived = derive_entry(entry, cache)
        result.stored += entry.points
        result.derived += derived
        if derived != entry.points:
            result.mismatched.append(entry.pk)
    return result
