"""Scoring: rules as data (versioned by effective date) and an append-only points ledger."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleSet(models.Model):
    """One version of the scoring rules, in force from ``effective_from`` until the next."""

    name = models.CharField(_("name"), max_length=100)
    effective_from = models.DateField(_("in force from"), unique=True)
    source = models.TextField(
        _("source"), blank=True, help_text=_("The published rule these values come from.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("scoring rules")
        verbose_name_plural = _("scoring rules")

    def __str__(self) -> str:
        return f"{self.name} ({self.effective_from})"


class RuleKind(models.TextChoices):
    ADOPTION = "adoption", _("Adoption")
    INSTRUCTION = "instruction", _("Leader's instruction")
    MULTIPLIER = "multiplier", _("Multiplier")
    QUOTA = "quota", _("Quota")
    DEDUCTION = "deduction", _("Deduction")


class Rule(models.Model):
    """One value of a rule set, addressed by ``kind`` and ``key``.

    Keys, by kind: adoption — ``office:<periodical name>``, ``city``, ``province``,
    ``central``; instruction — the leader's level (``office``, ``city``, ``province``,
    ``central``); multiplier — ``research``, ``forwarded``; quota — ``met`` (base points for
    a period whose quota was met), ``shortfall`` (points per missing item); deduction —
    ``late``, ``missed``, ``concealed``, ``missed_commission``, ``missed_feedback``.
    """

    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(_("kind"), max_length=16, choices=RuleKind.choices)
    key = models.CharField(_("key"), max_length=100)
    points = models.DecimalField(_("points or factor"), max_digits=8, decimal_places=2)
    label = models.CharField(_("label"), max_length=200, blank=True)

    class Meta:
        ordering = ["ruleset", "kind", "key"]
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        constraints = [
            models.UniqueConstraint(fields=["ruleset", "kind", "key"], name="one_value_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key} = {self.points}"


class Cause(models.TextChoices):
    ADOPTION = "adoption", _("Adoption")
    INSTRUCTION = "instruction", _("Leader's instruction")
    RECORD = "record", _("Urgent-information record")
    QUOTA = "quota", _("Quota of the period")
    COMMISSION = "commission", _("Commission")
    FEEDBACK = "feedback", _("Instruction feedback")
    CORRECTION = "correction", _("Correction")


class ScoreEntry(models.Model):
    """One line of the ledger. Never changed: a correction is a new, reversing entry.

    ``cause`` and ``cause_id`` name what earned or lost the points (an Adoption, an
    Instruction, an AccountabilityRecord…); ``rule`` the value applied, in its rule set.
    ``via`` is set on a county's entry that comes from one of its direct points.
    ``posting`` counts the earlier postings of the same cause to the same unit (and via),
    each reversed since: the database then refuses a second live posting of a cause, even
    from two posters that overlap.
    """

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="score_entries"
    )
    on = models.DateField(_("date"))
    points = models.DecimalField(_("points"), max_digits=10, decimal_places=2)
    cause = models.CharField(_("cause"), max_length=16, choices=Cause.choices)
    cause_id = models.PositiveBigIntegerField(_("cause id"))
    rule = models.ForeignKey(
        Rule, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    explanation = models.CharField(_("explanation"), max_length=300)
    via = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    posting = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("score entry")
        verbose_name_plural = _("score entries")
        indexes = [
            models.Index(fields=["on", "unit"], name="score_on_unit"),
            models.Index(fields=["unit", "on"], name="score_unit_on"),
            models.Index(fields=["cause", "cause_id"], name="score_cause"),
            # Covering indexes for the statistics (bench/scoring_ledger.py): sums of points
            # per unit over a period, and per day over a year, read the index alone.
            models.Index(fields=["on", "unit", "points"], name="score_on_unit_points"),
            models.Index(fields=["unit", "on", "points"], name="score_unit_on_points"),
            # The ledger's pages (keyset, newest first): all units, or one unit's.
            models.Index(fields=["-on", "-id"], name="score_ledger_order"),
            models.Index(fields=["unit", "-on", "-id"], name="score_unit_ledger_order"),
            # The ledger page joins each line to its reversal. Few lines are reversed, so
            # SQLite's statistics of the unique key's own index (NULLs counted as one key)
            # made it scan the table per line instead; this one holds only reversals.
            models.Index(
                fields=["reverses"],
                condition=models.Q(reverses__isnull=False),
                name="score_reversals",
            ),
        ]
        # A correction is unique by ``reverses``; every other cause is posted once per
        # (unit, via) and posting number. Two constraints, as NULLs are distinct in one.
        constraints = [
            models.UniqueConstraint(
                fields=["cause", "cause_id", "unit", "posting"],
                condition=models.Q(via__isnull=True) & ~models.Q(cause="correction"),
                name="score_posted_once",
            ),
            models.UniqueConstraint(
                fields=["cause", "cause_id", "unit", "via", "posting"],
                condition=models.Q(via__isnull=False) & ~models.Q(cause="correction"),
                name="score_posted_once_via",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.on} {self.points:+}"


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Awaiting the section chief's check")
    CHECKED = "checked", _("Checked")
    SENT = "sent", _("Sent")


class ScoreReport(models.Model):
    """The quarterly score report (积分通报), made once by the scanner when a quarter ends."""

    quarter_start = models.DateField(_("quarter from"), unique=True)
    quarter_end = models.DateField(_("quarter until"))
    state = models.CharField(
        _("state"), max_length=16, choices=ReportState.choices, default=ReportState.DRAFT
    )
    docx = models.FileField(max_length=200)
    pdf = models.FileField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-quarter_start"]
        verbose_name = _("score report")
        verbose_name_plural = _("score reports")

    def __str__(self) -> str:
        return f"{self.quarter_start}–{self.quarter_end}"


class ReminderKind(models.TextChoices):
    LETTER = "letter", _("Reminder letter")
    SMS = "sms", _("SMS to the head")


class Reminder(models.Model):
    """A reminder sent to a unit; ``period`` (a month, or a silence streak's first month)
    makes it once only."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=ReminderKind.choices)
    period = models.DateField(_("period"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("sent at"))
    # The printed letter (提醒信) of a LETTER reminder; an SMS has none.
    docx = models.FileField(max_length=200, blank=True)
    pdf = models.FileField(max_length=200, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "period"], name="one_reminder_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.kind} {self.period}"
