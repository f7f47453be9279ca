"""Urgent information: incidents, demands with deadlines, reports, verification, records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinbao.lib.levels import Category, Level


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Incident(models.Model):
    """An emergency event (突发事件), from the first lead to the final report."""

    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    suggested_level = models.PositiveSmallIntegerField(_("suggested level"), choices=Level.choices)
    level_reasons = models.JSONField(_("why this level"), default=list)
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_("A sensitive person, time or place is involved."),
    )
    crowd = models.PositiveIntegerField(_("people gathered"), null=True, blank=True)
    occurred_at = models.DateTimeField(_("when it happened"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    summary = models.TextField(_("what happened"))
    deaths = models.PositiveIntegerField(_("deaths"), null=True, blank=True)
    serious_injuries = models.PositiveIntegerField(_("seriously injured"), null=True, blank=True)
    injuries = models.PositiveIntegerField(_("injured"), null=True, blank=True)
    missing = models.PositiveIntegerField(_("missing"), null=True, blank=True)
    direct_loss_yuan = models.DecimalField(
        _("direct loss (yuan)"), max_digits=16, decimal_places=0, null=True, blank=True
    )
    units = models.ManyToManyField(
        "org.Unit", verbose_name=_("units concerned"), blank=True, related_name="incidents"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=IncidentStatus.choices, default=IncidentStatus.OPEN
    )
    direct_route = models.BooleanField(
        _("direct route"),
        default=False,
        help_text=_("Major emergency: goes straight to the principal leader (首接直报)."),
    )
    follow_up_hours = models.PositiveSmallIntegerField(
        _("follow-up report every (hours)"),
        null=True,
        blank=True,
        help_text=_("Empty: follow-up reports when there is news."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self) -> str:
        return self.title


class Lead(models.Model):
    """A duty-phone record: what a caller said, as the duty officer wrote it down."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, null=True, blank=True, related_name="leads"
    )
    received_at = models.DateTimeField(_("call received at"))
    source = models.CharField(
        _("source"), max_length=100, help_text=_("Who reported it: a unit, the police, a citizen…")
    )
    occurred_at = models.DateTimeField(_("when it happened"), null=True, blank=True)
    place = models.CharField(_("where"), max_length=200)
    what = models.TextField(_("what happened"))
    casualties = models.CharField(_("casualties"), max_length=300, blank=True)
    measures = models.TextField(_("measures taken"), blank=True)
    caller_name = models.CharField(_("caller"), max_length=50)
    caller_phone = models.CharField(_("caller's phone"), max_length=32)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("duty-phone lead")
        verbose_name_plural = _("duty-phone leads")

    def __str__(self) -> str:
        return f"{self.received_at:%m-%d %H:%M} {self.source}"


class ReportMode(models.TextChoices):
    PHONE = "phone", _("By phone")
    WRITTEN = "written", _("In writing")


class DeadlineRule(models.Model):
    """How long a unit has to report, by incident level and mode; editable by the office."""

    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    mode = models.CharField(_("mode"), max_length=10, choices=ReportMode.choices)
    minutes = models.PositiveIntegerField(
        _("minutes"), null=True, blank=True, help_text=_("Empty: no deadline for this mode.")
    )
    source = models.CharField(_("source of the rule"), max_length=300, blank=True)

    class Meta:
        ordering = ["level", "mode"]
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        constraints = [models.UniqueConstraint(fields=["level", "mode"], name="one_rule_per_cell")]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.get_mode_display()}: {self.minutes}"


class RequestStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    RECEIVED = "received", _("Receipt confirmed")
    REPORTED = "reported", _("Reported")
    CANCELLED = "cancelled", _("Cancelled")


#: A demand still waiting for the unit: sent, or its receipt confirmed, but not reported.
OPEN_REQUEST_STATUSES = (RequestStatus.SENT, RequestStatus.RECEIVED)


class Visit(StrEnum):
    """What the scanner does with a demand whose check is due."""

    REMIND = "remind"
    CHASE = "chase"


class ReportRequestQuerySet(models.QuerySet["ReportRequest"]):
    def due(self, now: dt.datetime) -> ReportRequestQuerySet:
        """Demands whose next check (reminder, deadline or chase step) has come."""
        return self.filter(next_check_at__lte=now)

    def outstanding(self) -> ReportRequestQuerySet:
        """Demands of open incidents still waiting for the unit's report."""
        return self.filter(status__in=OPEN_REQUEST_STATUSES, incident__status=IncidentStatus.OPEN)

    def overdue(self, now: dt.datetime) -> ReportRequestQuerySet:
        """Outstanding demands past a deadline: the written one, or the phone one unanswered."""
        return self.outstanding().filter(
            Q(written_due_at__lt=now) | Q(phone_due_at__lt=now, phoned_at__isnull=True)
        )


class ReportRequest(models.Model):
    """A demand (催报) that one unit report on an incident by a deadline.

    ``next_check_at`` is the scanner's due time: the next reminder, deadline or chase step.
    The deadline arithmetic (which deadlines are still open, when the next check falls, what
    is due at a check) is here and nowhere else: services and the scanner both ask the row.
    """

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="requests")
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="report_requests"
    )
    matter = models.CharField(_("matter"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.SENT
    )
    sent_at = models.DateTimeField(_("sent at"))
    phone_due_at = models.DateTimeField(_("phone report due"), null=True, blank=True)
    written_due_at = models.DateTimeField(_("written report due"), null=True, blank=True)
    received_at = models.DateTimeField(_("receipt confirmed at"), null=True, blank=True)
    received_by = models.CharField(_("confirmed by"), max_length=100, blank=True)
    phoned_at = models.DateTimeField(_("phone report at"), null=True, blank=True)
    reported_at = models.DateTimeField(_("written report at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    chase_step = models.PositiveSmallIntegerField(_("chase step"), default=0)
    next_check_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = ReportRequestQuerySet.as_manager()

    class Meta:
        ordering = ["incident", "unit"]
        verbose_name = _("report request")
        verbose_name_plural = _("report requests")
        indexes = [
            models.Index(
                fields=["next_check_at"],
                name="incident_request_due",
                condition=Q(next_check_at__isnull=False),
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["incident", "unit"], name="one_request_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.matter}"

    @property
    def open_phone_due(self) -> dt.datetime | None:
        """The phone deadline while neither a phone nor a written report has come."""
        if self.phoned_at is None and self.reported_at is None:
            return self.phone_due_at
        return None

    @property
    def open_written_due(self) -> dt.datetime | None:
        """The written deadline while the written report has not come."""
        return self.written_due_at if self.reported_at is None else None

    def earliest_open_due(self) -> dt.datetime | None:
        """The first deadline still open, or ``None`` when the unit owes nothing."""
        dues = [d for d in (self.open_phone_due, self.open_written_due) if d is not None]
        return min(dues) if dues else None

    def original_written_due(self) -> dt.datetime | None:
        """The written deadline first set: a chase notice extends it, but lateness counts
        from the first. Uses prefetched ``notices`` when there are."""
        notices = list(self.notices.all())
        return min((n.original_due_at for n in notices), default=self.written_due_at)

    def first_check(self, remind_before: dt.timedelta) -> dt.datetime | None:
        """The scanner's next visit: the reminder before the earliest open deadline, or it.

        No reminder when one was sent already, or when it would fall before the demand.
        """
        due = self.earliest_open_due()
        if due is None:
            return None
        remind = due - remind_before
        if self.reminded_at is None and remind > self.sent_at:
            return remind
        return due

    def visit_due(self, now: dt.datetime) -> Visit | None:
        """What a check at ``now`` does: remind before the deadline, chase from it, or nothing."""
        due = self.earliest_open_due()
        if due is None:
            return None
        return Visit.REMIND if now < due else Visit.CHASE

    def next_chase_at(
        self, now: dt.datetime, ladder: Sequence[tuple[int, str]]
    ) -> dt.datetime | None:
        """When the chase after the current step is due (``ladder``: minutes after, role)."""
        following = self.chase_step + 1
        if following >= len(ladder):
            return None
        return now + dt.timedelta(minutes=ladder[following][0] - ladder[self.chase_step][0])


class ReportStage(models.TextChoices):
    FIRST = "first", _("First report")
    FOLLOW_UP = "follow_up", _("Follow-up report")
    FINAL = "final", _("Final report")


class ReportQuerySet(models.QuerySet["Report"]):
    def follow_ups_due(self, now: dt.datetime) -> ReportQuerySet:
        """Reports whose follow-up clock has run out (a final report ends the clock)."""
        return self.filter(next_due_at__lte=now).exclude(stage=ReportStage.FINAL)


class Report(models.Model):
    """A unit's report on an incident: first, numbered follow-ups, final; each an item."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="reports")
    item = models.OneToOneField("items.Item", on_delete=models.PROTECT, related_name="report")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(_("stage"), max_length=16, choices=ReportStage.choices)
    number = models.PositiveSmallIntegerField(
        _("number"), default=0, help_text=_("续报一 is 1, 续报二 is 2…")
    )
    received_at = models.DateTimeField(_("received at"))
    facts = models.JSONField(_("extracted facts"), default=dict)
    missing = models.JSONField(_("missing elements"), default=list)
    late = models.BooleanField(_("late"), default=False)
    next_due_at = models.DateTimeField(_("next report due"), null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["incident", "received_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"{self.unit} {self.get_stage_display()}"

    def follow_up_owed(self) -> bool:
        """Whether the unit still owes the follow-up this report's clock asks for: the
        incident is open, the clock is not a final report's, and no later report came."""
        if self.stage == ReportStage.FINAL or self.incident.status != IncidentStatus.OPEN:
            return False
        return not Report.objects.filter(
            incident_id=self.incident_id, unit_id=self.unit_id, received_at__gt=self.received_at
        ).exists()


class ChaseNotice(models.Model):
    """The 重要紧急信息催报通知单 sent when a demand is overdue."""

    request = models.ForeignKey(ReportRequest, on_delete=models.CASCADE, related_name="notices")
    number = models.CharField(_("number"), max_length=32, unique=True)
    original_due_at = models.DateTimeField(_("original deadline"))
    new_due_at = models.DateTimeField(_("new deadline"))
    docx = models.FileField(max_length=200)
    pdf = models.FileField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("chase notice")
        verbose_name_plural = _("chase notices")

    def __str__(self) -> str:
        return self.number


class VerificationOutcome(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    CORRECTED = "corrected", _("Corrected")
    CONCEALED = "concealed", _("Concealed")


class Verification(models.Model):
    """A check (核查) opened when reports on one incident disagree seriously."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="verifications")
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit checked"), on_delete=models.PROTECT, related_name="+"
    )
    discrepancies = models.JSONField(_("disagreements"), default=list)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    findings = models.TextField(_("on-site findings"), blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=VerificationOutcome.choices, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")

    def __str__(self) -> str:
        return f"{self.incident} · {self.unit}"


class RecordKind(models.TextChoices):
    LATE = "late", _("Late report")
    MISSED = "missed", _("Missed report")
    CONCEALED = "concealed", _("Concealed facts")
    COMMENDED = "commended", _("Timely and accurate")


class AccountabilityRecord(models.Model):
    """One case of a unit's urgent-information performance; scoring consumes these."""

    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="accountability_records",
    )
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="records")
    kind = models.CharField(_("kind"), max_length=16, choices=RecordKind.choices)
    reason = models.TextField(_("reason"))
    at = models.DateTimeField(_("recorded at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    notice = models.ForeignKey(
        "Notice", on_delete=models.SET_NULL, null=True, blank=True, related_name="records"
    )

    class Meta:
        ordering = ["-at"]
        verbose_name = _("accountability record")
        verbose_name_plural = _("accountability records")
        constraints = [
            models.UniqueConstraint(fields=["unit", "incident", "kind"], name="one_record_per_case")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_kind_display()}"


class NoticeKind(models.TextChoices):
    COMMEND = "commend", _("Commendation (通报表扬)")
    CRITICISE = "criticise", _("Criticism (通报批评)")


class Notice(models.Model):
    """A 通报: commendation or criticism, for one case or a period."""

    kind = models.CharField(_("kind"), max_length=16, choices=NoticeKind.choices)
    number = models.CharField(_("number"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    docx = models.FileField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self) -> str:
        return self.title


class TimelineEntry(models.Model):
    """One step in an incident's history, shown on its timeline."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(_("time"))
    kind = models.CharField(_("kind"), max_length=32)
    text = models.CharField(_("what"), max_length=500)
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline")

    def __str__(self) -> str:
        return self.text


class NumberSeries(models.Model):
    """The last serial given in one yearly series of numbered documents ("2026-003").

    Its row is locked while the next number is taken, so two writers at once cannot take
    the same number (PostgreSQL waits on the row lock; SQLite's IMMEDIATE transactions queue).
    """

    name = models.CharField(max_length=64)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "year"], name="one_series_per_year")]

    def __str__(self) -> str:
        return f"{self.name} {self.year}: {self.last}"
