"""Posting points to the ledger, and correcting them. Every write of the scoring app.

Posting is called explicitly (by the period job and the scanners), never from signals.
Each ``post_*`` is idempotent: an entry per (cause, cause id, unit, via) is posted once,
unless it has been reversed — a corrected cause can be posted again, under the rule set
in force on the cause's day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinbao.accounts.models import User
from xinbao.audit.services import record
from xinbao.desk.models import Adoption
from xinbao.incidents.models import AccountabilityRecord
from xinbao.org.models import Person, Unit
from xinbao.periodicals.models import Instruction
from xinbao.scoring import ledger
from xinbao.scoring.ledger import Share
from xinbao.scoring.models import Cause, Rule, RuleKind, RuleSet, ScoreEntry, ScoreReport
from xinbao.scoring.rules import key_examples, known_key, ruleset_on, value_in


class ScoringError(Exception):
    """A posting or correction the ledger refuses."""


def _post(
    *,
    cause: str,
    cause_id: int,
    on: dt.date,
    shares: Sequence[Share],
    user: User | None,
    obj: models.Model,
) -> list[ScoreEntry]:
    """Store the shares not yet posted (and not reversed); audit what was stored."""
    created: list[ScoreEntry] = []
    for share in shares:
        # Posters of one unit's entries queue on its row: one that overlaps this one has then
        # committed before the look below, which sees its entry. Without the lock, on
        # PostgreSQL, both could look first and the second then number its posting after the
        # first's (posting 1), which the unique constraint allows: two live entries.
        Unit.objects.select_for_update(no_key=True).filter(pk=share.unit.pk).first()
        earlier = ScoreEntry.objects.filter(
            cause=cause, cause_id=cause_id, unit=share.unit, via=share.via
        )
        if earlier.filter(reversed_by__isnull=True).exists():
            continue
        try:
            # A poster that overlaps this one may store the same entry first: the unique
            # constraint refuses this one, and the savepoint keeps the caller's transaction.
            with transaction.atomic():
                entry = ScoreEntry.objects.create(
                    unit=share.unit,
                    on=on,
                    points=share.points,
                    cause=cause,
                    cause_id=cause_id,
                    rule=share.rule,
                    explanation=share.explanation[:300],
                    via=share.via,
                    posting=earlier.count(),
                )
        except IntegrityError:
            if not earlier.filter(reversed_by__isnull=True).exists():
                raise
            continue
        created.append(entry)
    if created:
        record(
            actor=user,
            action="scoring_posted",
            obj=obj,
            actor_name="" if user else "scoring",
            summary={
                "cause": cause,
                "cause_id": cause_id,
                "on": on.isoformat(),
                "entries": [e.pk for e in created],
                "points": {str(e.unit_id): str(e.points) for e in created if e.via_id is None},
            },
        )
    return created


@transaction.atomic
def post_adoption(*, adoption: Adoption, user: User | None = None) -> list[ScoreEntry]:
    """Points for every unit an adoption credits (split), and for their counties."""
    adoption = Adoption.objects.select_related("item__unit", "periodical").get(pk=adoption.pk)
    on = adoption.adopted_on
    shares = ledger.derive_adoption(adoption, ruleset_on(on))
    return _post(
        cause=Cause.ADOPTION, cause_id=adoption.pk, on=on, shares=shares, user=user, obj=adoption
    )


@transaction.atomic
def post_instruction(*, instruction: Instruction, user: User | None = None) -> list[ScoreEntry]:
    """A bonus for each unit concerned by a leader's instruction, by the leader's level."""
    instruction = Instruction.objects.select_related("leader").get(pk=instruction.pk)
    on = ledger.instruction_day(instruction)
    shares = ledger.derive_instruction(instruction, ruleset_on(on))
    return _post(
        cause=Cause.INSTRUCTION,
        cause_id=instruction.pk,
        on=on,
        shares=shares,
        user=user,
        obj=instruction,
    )


@transaction.atomic
def post_record(
    *, accountability_record: AccountabilityRecord, user: User | None = None
) -> list[ScoreEntry]:
    """A deduction for a late, missed or concealed urgent report (a bonus for a commended
    one where the rule set has a value for it)."""
    rec = AccountabilityRecord.objects.select_related("unit__county").get(
        pk=accountability_record.pk
    )
    on = ledger.record_day(rec)
    shares = ledger.derive_record(rec, ruleset_on(on))
    return _post(cause=Cause.RECORD, cause_id=rec.pk, on=on, shares=shares, user=user, obj=rec)


@transaction.atomic
def post_quota(
    *, unit: Unit, period_start: dt.date, period_end: dt.date, user: User | None = None
) -> list[ScoreEntry]:
    """Base points for a period whose quota the unit met, else a deduction per missing
    item. Dated on the period's last day; call it once the period is over."""
    if period_end < period_start:
        raise ScoringError(_("The period ends before it starts."))
    unit = Unit.objects.select_related("unit_class", "county").get(pk=unit.pk)
    shares = ledger.derive_quota(unit, period_start, period_end, ruleset_on(period_end))
    return _post(
        cause=Cause.QUOTA,
        cause_id=ledger.quota_cause_id(period_start, period_end),
        on=period_end,
        shares=shares,
        user=user,
        obj=unit,
    )


@transaction.atomic
def post_missed_feedback(
    *, instruction: Instruction, unit: Unit, user: User | None = None
) -> list[ScoreEntry]:
    """A deduction for a unit that did not feed back on an instruction by its due day."""
    instruction = Instruction.objects.get(pk=instruction.pk)
    due = instruction.feedback_due
    if due is None or timezone.localdate() <= due:
        raise ScoringError(_("The feedback is not overdue."))
    unit = Unit.objects.select_related("county").get(pk=unit.pk)
    shares = ledger.derive_missed_feedback(instruction, unit, ruleset_on(due))
    return _post(
        cause=Cause.FEEDBACK,
        cause_id=instruction.pk,
        on=due,
        shares=shares,
        user=user,
        obj=instruction,
    )


@transaction.atomic
def post_missed_commission(
    *,
    assignment: models.Model,
    unit: Unit,
    on: dt.date,
    explanation: str,
    user: User | None = None,
) -> list[ScoreEntry]:
    """The deduction for a unit that missed a research commission (调研/约稿) due ``on``.

    ``assignment`` is the unit's share of the commission (research's row, named only as a
    model here, since research sits above scoring): its pk is the cause id. The value is the
    rule ``deduction:missed_commission`` in force on ``on``; a direct point's county gets its
    copy. Two such entries in a year zero the unit's year (``ledger.year_total``).
    """
    unit = Unit.objects.select_related("county").get(pk=unit.pk)
    rule, points = value_in(ruleset_on(on), RuleKind.DEDUCTION, "missed_commission")
    if rule is None or not points:
        return []
    text = f"{rule.label or rule.key} {points}: {explanation}"
    shares = ledger.with_counties([Share(unit, points, rule, text)])
    return _post(
        cause=Cause.COMMISSION,
        cause_id=int(assignment.pk),
        on=on,
        shares=shares,
        user=user,
        obj=assignment,
    )


@transaction.atomic
def correct(*, entry: ScoreEntry, reason: str, user: User) -> ScoreEntry:
    """Reverse ``entry`` with a new entry of the opposite points; the original stays.

    The reversing entry is dated like the original, so the period it belonged to is
    corrected. A direct point's entry takes its county's copy with it (reversed too).
    """
    reason = reason.strip()
    if not reason:
        raise ScoringError(_("Give the reason for the correction."))
    entry = ScoreEntry.objects.select_for_update(no_key=True).get(pk=entry.pk)
    if entry.reverses_id is not None:
        raise ScoringError(_("A correction cannot itself be corrected; post the cause again."))
    if ScoreEntry.objects.filter(reverses=entry).exists():
        raise ScoringError(_("This entry has already been corrected."))
    targets = [entry]
    if entry.via_id is None:
        targets += list(
            ScoreEntry.objects.filter(
                cause=entry.cause,
                cause_id=entry.cause_id,
                via=entry.unit,
                reversed_by__isnull=True,
            )
        )
    reversals = [
        ScoreEntry.objects.create(
            unit_id=target.unit_id,
            on=target.on,
            points=-target.points,
            cause=Cause.CORRECTION,
            cause_id=target.pk,
            rule=target.rule,
            explanation=reason[:300],
            via_id=target.via_id,
            reverses=target,
        )
        for target in targets
    ]
    record(
        actor=user,
        action="scoring_corrected",
        obj=entry,
        summary={
            "reason": reason,
            "reversed": [t.pk for t in targets],
            "entries": [r.pk for r in reversals],
            "points": str(-entry.points),
        },
    )
    return reversals[0]


# --- rule set versions -------------------------------------------------------------------


@dataclass(frozen=True)
class RuleValue:
    """One row of the rule set form."""

    kind: str
    key: str
    points: Decimal
    label: str = ""


def ruleset_in_use(ruleset: RuleSet) -> bool:
    """True once a ledger entry was posted under one of the set's rules: then it is kept."""
    return ScoreEntry.objects.filter(rule__ruleset=ruleset).exists()


def first_open_day(today: dt.date | None = None) -> dt.date:
    """The first day a rule set may begin: the start of the current quarter (every earlier
    quarter has ended), and after any quarter whose 积分通报 exists."""
    today = today or timezone.localdate()
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    reported = ScoreReport.objects.order_by("-quarter_end").values_list("quarter_end", flat=True)
    last_reported = reported.first()
    if last_reported is not None and last_reported > quarter_start:
        return last_reported
    return quarter_start


def _check_ruleset(
    *, effective_from: dt.date, rules: Sequence[RuleValue], exclude: RuleSet | None = None
) -> None:
    first = first_open_day()
    if effective_from < first:
        raise ScoringError(
            _(
                "Rules cannot begin on %(day)s: that quarter is closed. A new version can "
                "begin on %(first)s at the earliest."
            )
            % {"day": effective_from.isoformat(), "first": first.isoformat()}
        )
    taken = RuleSet.objects.filter(effective_from=effective_from)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise ScoringError(
            _("A version of the rules already begins on %(day)s.")
            % {"day": effective_from.isoformat()}
        )
    seen: set[tuple[str, str]] = set()
    for rule in rules:
        if (rule.kind, rule.key) in seen:
            raise ScoringError(
                _("The rule %(kind)s “%(key)s” is given twice.")
                % {"kind": RuleKind(rule.kind).label, "key": rule.key}
            )
        seen.add((rule.kind, rule.key))
        if not known_key(rule.kind, rule.key):
            raise ScoringError(
                _("The rule %(kind)s “%(key)s” is never used by the ledger; use one of: %(keys)s.")
                % {
                    "kind": RuleKind(rule.kind).label,
                    "key": rule.key,
                    "keys": key_examples(rule.kind),
                }
            )
    if not rules:
        raise ScoringError(_("A version of the rules needs at least one rule."))


def _store_rules(ruleset: RuleSet, rules: Sequence[RuleValue]) -> None:
    Rule.objects.bulk_create(
        Rule(ruleset=ruleset, kind=r.kind, key=r.key.strip(), points=r.points, label=r.label)
        for r in rules
    )


def _values(ruleset: RuleSet | None) -> dict[str, str]:
    if ruleset is None:
        return {}
    return {f"{r.kind}:{r.key}": str(r.points) for r in ruleset.rules.all()}


def _changes(before: dict[str, str], after: dict[str, str]) -> dict[str, list[str | None]]:
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(before.keys() | after.keys())
        if before.get(key) != after.get(key)
    }


@transaction.atomic
def create_ruleset(
    *,
    name: str,
    effective_from: dt.date,
    source: str,
    rules: Sequence[RuleValue],
    user: User,
) -> RuleSet:
    """A new version of the rules, in force from ``effective_from`` (never in a closed
    quarter); the set it follows keeps scoring the days before."""
    _check_ruleset(effective_from=effective_from, rules=rules)
    previous = ruleset_on(effective_from)
    ruleset = RuleSet.objects.create(
        name=name.strip(), effective_from=effective_from, source=source, created_by=user
    )
    _store_rules(ruleset, rules)
    record(
        actor=user,
        action="scoring.ruleset_created",
        obj=ruleset,
        summary={
            "effective_from": effective_from.isoformat(),
            "follows": previous.pk if previous else None,
            "changed": _changes(_values(previous), _values(ruleset)),
        },
    )
    return ruleset


@transaction.atomic
def update_ruleset(
    *,
    ruleset: RuleSet,
    name: str,
    effective_from: dt.date,
    source: str,
    rules: Sequence[RuleValue],
    user: User,
) -> RuleSet:
    """Edit a version nothing was posted under yet; a used one is refused (add a new one)."""
    ruleset = RuleSet.objects.select_for_update(no_key=True).get(pk=ruleset.pk)
    if ruleset_in_use(ruleset):
        raise ScoringError(
            _(
                "Points have been posted under this version, so it cannot be changed; "
                "create a new version from a later date."
            )
        )
    if ruleset.effective_from < first_open_day():
        raise ScoringError(_("This version began in a closed quarter and cannot be changed."))
    _check_ruleset(effective_from=effective_from, rules=rules, exclude=ruleset)
    before = _values(ruleset)
    old_day = ruleset.effective_from
    ruleset.name, ruleset.effective_from, ruleset.source = name.strip(), effective_from, source
    ruleset.save(update_fields=["name", "effective_from", "source"])
    ruleset.rules.all().delete()
    _store_rules(ruleset, rules)
    record(
        actor=user,
        action="scoring.ruleset_changed",
        obj=ruleset,
        summary={
            "effective_from": [old_day.isoformat(), effective_from.isoformat()],
            "changed": _changes(before, _values(ruleset)),
        },
    )
    return ruleset


# --- signed links ------------------------------------------------------------------------


@transaction.atomic
def record_document_opened(*, document: models.Model, kind: str, person_id: int | None) -> None:
    """Audit one opening of a report or letter through its signed link (no login)."""
    person = Person.objects.filter(pk=person_id).first() if person_id else None
    record(
        actor=None,
        actor_name=person.name if person else "link",
        action="scoring.document_opened",
        obj=document,
        summary={"kind": kind, "person": person_id},
    )
