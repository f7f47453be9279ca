"""Leads exchanged with the partner department (宣传/网信): shared into the office's inbox by
its liaison, or sent to it by the office with a question and a deadline for the answer."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    IN = "in", _("Shared with the office")
    OUT = "out", _("Sent to the department")


class LeadState(models.TextChoices):
    SHARED = "shared", _("New")
    TAKEN = "taken", _("Taken in")
    REQUESTED = "requested", _("Awaiting answer")
    ANSWERED = "answered", _("Answered")


class Lead(models.Model):
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    source_url = models.URLField(_("source address"), max_length=1000, blank=True)
    post = models.ForeignKey(
        "monitor.Post",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("collected post"),
    )
    signal = models.ForeignKey(
        "signals.EarlySignal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("early signal"),
    )
    #: The department's side: who shared it, or to whom the office sent it. A liaison sees
    #: the leads where this is them, and nothing else.
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("liaison"),
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    shared_at = models.DateTimeField(_("shared at"))
    state = models.CharField(_("state"), max_length=10, choices=LeadState.choices)
    question = models.TextField(_("answer requested"), blank=True)
    due_at = models.DateTimeField(_("answer due"), null=True, blank=True)
    #: When the scanner next looks at the lead (the overdue reminder); empty: never.
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    taken_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-shared_at", "-pk"]
        verbose_name = _("partner lead")

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, now: dt.datetime) -> bool:
        return self.state == LeadState.REQUESTED and self.due_at is not None and self.due_at < now
