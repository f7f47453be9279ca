"""Recurring chores, as rows with an indexed due time claimed by the scanner, and the rows
that failed in them."""

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


class ChoreFailure(models.Model):
    """A row of a per-row chore that raised: rolled back alone, retried after a backoff.

    ``key`` is the row's id, or null when a chore of one unit of work failed as a whole. A
    retry that passes deletes the failure; one that fails again counts an attempt and waits
    twice as long (up to a limit) before the next.
    """

    chore = models.ForeignKey(
        Chore, verbose_name=_("chore"), on_delete=models.CASCADE, related_name="failures"
    )
    key = models.BigIntegerField(_("row"), null=True, blank=True)
    error = models.TextField(_("error"))
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    first_failed_at = models.DateTimeField(_("first failed"))
    last_failed_at = models.DateTimeField(_("last failed"))
    next_retry_at = models.DateTimeField(_("next retry"), db_index=True)

    class Meta:
        ordering = ["chore__name", "key"]
        verbose_name = _("chore failure")
        verbose_name_plural = _("chore failures")
        constraints = [
            models.UniqueConstraint(fields=["chore", "key"], name="chore_failure_once_per_row"),
            models.UniqueConstraint(
                fields=["chore"],
                condition=models.Q(key__isnull=True),
                name="chore_failure_once_per_chore",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.chore.name} {self.key}" if self.key is not None else self.chore.name

    @property
    def summary(self) -> str:
        """The error's last line (the exception and its message), for a table."""
        lines = [line for line in self.error.splitlines() if line.strip()]
        return lines[-1] if lines else ""


class WorkerHeartbeat(models.Model):
    """A task worker (``xinbao worker``) that is alive, or was: it refreshes ``last_seen_at``
    every few seconds while it runs and deletes its row when it stops cleanly.

    A row not refreshed for ``XINBAO_WORKER_STALE_SECONDS``, or one whose process is gone from
    this machine (same ``scope``, no such ``pid``), is a dead worker: the reaper re-queues or
    fails the tasks it left RUNNING.
    """

    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    host = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    scope = models.CharField(
        _("process scope"),
        max_length=255,
        help_text=_("The host and process namespace in which the process id means something."),
    )
    started_at = models.DateTimeField(_("started"))
    last_seen_at = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        ordering = ["started_at"]
        verbose_name = _("task worker")
        verbose_name_plural = _("task workers")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}, pid {self.pid})"
