"""Early signals (苗头): a burst of a watch term, a place or a group of reposts, raised once per
burst, then acknowledged, dismissed with a reason or turned into a verification demand."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SignalKind(models.TextChoices):
    TERM = "term", _("Watch term")
    PLACE = "place", _("Place")
    GROUP = "group", _("Similar posts")


class SignalState(models.TextChoices):
    RAISED = "raised", _("Raised")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    DISMISSED = "dismissed", _("Dismissed")
    DEMANDED = "demanded", _("Verification demanded")


#: The states a person still has to act on.
OPEN_STATES = (SignalState.RAISED, SignalState.ACKNOWLEDGED)


class EarlySignal(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=SignalKind.choices)
    #: The series: a watch term's id, a place name, a group's first post id.
    key = models.CharField(max_length=200)
    label = models.CharField(_("what"), max_length=300)
    window_start = models.DateTimeField(_("window from"))
    window_end = models.DateTimeField(_("window to"))
    observed = models.PositiveIntegerField(_("count in the window"))
    baseline = models.FloatField(_("baseline (mean)"))
    baseline_std = models.FloatField(_("baseline (standard deviation)"))
    score = models.FloatField(_("score"))
    urgent = models.BooleanField(_("urgent"), default=False)
    #: Hourly counts of the series up to the window's end (oldest first), for the chart.
    counts = models.JSONField(default=list)
    state = models.CharField(
        _("state"), max_length=16, choices=SignalState.choices, default=SignalState.RAISED
    )
    raised_at = models.DateTimeField(_("raised at"))
    #: True while the burst goes on: no second signal for the series until it ends.
    burst_open = models.BooleanField(default=True)
    burst_last_seen_at = models.DateTimeField()
    burst_ended_at = models.DateTimeField(null=True, blank=True)
    evidence = models.ManyToManyField("monitor.Post", related_name="+", blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    request = models.ForeignKey(
        "incidents.ReportRequest",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = _("early signal")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key"],
                condition=models.Q(burst_open=True),
                name="signals_one_open_burst",
            )
        ]
        indexes = [models.Index(fields=["state", "raised_at"], name="signals_state")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.label}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class PostPlaces(models.Model):
    """The place names read from one collected post (read once, by the burst scan)."""

    post = models.OneToOneField(
        "monitor.Post", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    names = models.JSONField(default=list)
    #: The post's collection time, copied so that counting needs no join.
    at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"places of post {self.post_id}"
