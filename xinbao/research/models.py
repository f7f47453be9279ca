"""Research commissions (调研 / 约稿 / 点题 / 交办): a topic the office assigns to units with a
deadline, each unit's assignment, and the items that answer it.

A commission is numbered when it is sent (约稿〔2026〕3号: one series per year). Each unit it
goes to gets an ``Assignment`` that the scanner watches (``next_check_at``): a reminder one
working day before ``due_on``, then, once ``due_on`` has passed in Asia/Shanghai, a miss and its
deduction. An ``Answer`` links one of the unit's items to its assignment.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CommissionSource(models.TextChoices):
    """Where the topic comes from: the four planning sources, then requests from elsewhere."""

    CENTRAL_WORK = "central_work", _("Central work")
    LEADER_CONCERN = "leader_concern", _("Leaders' concerns")
    DIFFICULT_PROBLEM = (
        "difficult_problem",
        _("Difficult problems of reform, development and stability"),
    )
    GRASSROOTS_HOT = "grassroots_hot", _("Grassroots hot issues")
    LEADER_REQUEST = "leader_request", _("Leader's request")
    STALE_PRIORITY = "stale_priority", _("Decision without news")


#: The sources the office plans research from (the planning page's groups).
PLANNING_SOURCES = (
    CommissionSource.CENTRAL_WORK,
    CommissionSource.LEADER_CONCERN,
    CommissionSource.DIFFICULT_PROBLEM,
    CommissionSource.GRASSROOTS_HOT,
)


class CommissionForm(models.TextChoices):
    STATIONED = "stationed", _("Stationed research")
    JOINT = "joint", _("Joint research")
    COMMISSIONED = "commissioned", _("Commissioned article")


class CommissionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Commission(models.Model):
    number_year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    number_serial = models.PositiveIntegerField(_("serial"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    requirements = models.TextField(_("requirements"))
    source = models.CharField(_("source"), max_length=20, choices=CommissionSource.choices)
    form = models.CharField(_("form"), max_length=20, choices=CommissionForm.choices)
    due_on = models.DateField(_("due on"))
    state = models.CharField(
        _("state"), max_length=10, choices=CommissionState.choices, default=CommissionState.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("commission")
        verbose_name_plural = _("commissions")
        constraints = [
            models.UniqueConstraint(
                fields=["number_year", "number_serial"], name="research_number_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}" if self.number else self.subject

    @property
    def number(self) -> str:
        """约稿〔2026〕3号 once sent; empty for a draft."""
        if self.number_year is None or self.number_serial is None:
            return ""
        return f"约稿〔{self.number_year}〕{self.number_serial}号"


class AssignmentState(models.TextChoices):
    PENDING = "pending", _("Awaiting answer")
    ANSWERED = "answered", _("Answered")
    LATE = "late", _("Answered late")
    MISSED = "missed", _("Missed")


class Assignment(models.Model):
    """One unit's share of a commission."""

    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=AssignmentState.choices, default=AssignmentState.PENDING
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    missed_at = models.DateTimeField(_("missed at"), null=True, blank=True)
    #: The deduction of a miss was posted to the scoring ledger.
    missed_posted = models.BooleanField(default=False)
    #: When the scanner next looks at it (the reminder, then the miss); empty: never.
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["commission", "unit__kind", "unit__code"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(fields=["commission", "unit"], name="research_unit_once")
        ]

    def __str__(self) -> str:
        return f"{self.commission_id}:{self.unit_id}"


class Answer(models.Model):
    """An item of the unit that answers its assignment (several allowed)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(
        "items.Item", verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("linked at"))
    late = models.BooleanField(_("late"), default=False)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "item"], name="research_answer_once")
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id}:{self.item_id}"
