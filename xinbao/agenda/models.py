"""The committee's priorities (中心工作 / 重大决策部署), their milestones, the items matched to
them and the flags of a priority that information has stopped following."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinbao.items.matching import Profile, describe, profile, split_terms


class PriorityKind(models.TextChoices):
    CENTRAL_TASK = "central_task", _("Central task")
    DECISION = "decision", _("Major decision")


class Priority(models.Model):
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=PriorityKind.choices)
    description = models.TextField(_("description"), blank=True)
    keywords = models.TextField(
        _("keywords"), help_text=_("One a line, or separated by 、 or commas.")
    )
    exclude = models.TextField(
        _("exclude words"),
        blank=True,
        help_text=_("A text with any of these is not about the priority."),
    )
    starts_on = models.DateField(_("period start"))
    ends_on = models.DateField(_("period end"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader in charge"),
        on_delete=models.PROTECT,
        related_name="owned_priorities",
    )
    units = models.ManyToManyField(
        "org.Unit", verbose_name=_("units concerned"), blank=True, related_name="priorities"
    )
    stale_weeks = models.PositiveSmallIntegerField(
        _("weeks without information before a flag"), default=2
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        ordering = ["-starts_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    def keyword_list(self) -> list[str]:
        return split_terms(self.keywords)

    def exclude_list(self) -> list[str]:
        return split_terms(self.exclude)

    def profile(self) -> Profile:
        return profile(self.keyword_list(), self.exclude_list())

    def in_period(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


class Milestone(models.Model):
    """A step of a priority's implementation, followed until it is done."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title

    def is_late(self, today: dt.date) -> bool:
        return self.done_on is None and self.due_on < today


class MatchHow(models.TextChoices):
    AUTO = "auto", _("Automatic")
    MANUAL = "manual", _("By hand")


class PriorityMatch(models.Model):
    """An item about a priority. One row per pair: a removed match keeps its row (``removed_at``)
    so that no automatic pass adds it again."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="matches")
    item = models.ForeignKey("items.Item", on_delete=models.CASCADE, related_name="+")
    how = models.CharField(max_length=10, choices=MatchHow.choices)
    score = models.FloatField(default=0.0)
    reasons = models.JSONField(default=list, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["priority", "item"], name="agenda_match_once")
        ]
        indexes = [models.Index(fields=["priority", "removed_at"], name="agenda_match_live")]

    def __str__(self) -> str:
        return f"{self.priority_id} ← {self.item_id}"

    @property
    def said_reasons(self) -> list[str]:
        """Why it matched, in the reader's language (the reasons are stored as data)."""
        return describe(self.reasons)


class StaleFlag(models.Model):
    """A priority with no matched item for its ``stale_weeks``; resolved by a new match."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="stale_flags")
    raised_at = models.DateTimeField()
    since = models.DateTimeField(help_text="the last matched item's time, or the period start")
    resolved_at = models.DateTimeField(null=True, blank=True)
    commission = models.ForeignKey(
        "research.Commission",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("commission"),
    )

    class Meta:
        indexes = [models.Index(fields=["resolved_at", "priority"], name="agenda_flag_open")]

    def __str__(self) -> str:
        return f"{self.priority_id} since {self.since:%Y-%m-%d}"


class MatchCursor(models.Model):
    """How far the automatic pass has read the submitted items: (submitted_at, item id)."""

    name = models.CharField(max_length=40, unique=True)
    submitted_at = models.DateTimeField(null=True)
    item_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return self.name
