"""Recurring chores, as rows with an indexed due time claimed by the scanner."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Chore(models.Model):
    """A job that runs every ``interval``; ``due_at`` says when next.

    The scanner claims a due chore with a conditional UPDATE on ``due_at``: when several
    scanners run against one database, exactly one of them wins each run.
    """

    name = models.CharField(_("name"), max_length=64, unique=True)
    interval = models.DurationField(_("interval"))
    due_at = models.DateTimeField(_("next run"), db_index=True)
    last_started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    runs = models.PositiveIntegerField(_("runs"), default=0)

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("chore")
        verbose_name_plural = _("chores")

    def __str__(self) -> str:
        return self.name
