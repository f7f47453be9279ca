"""Leaders' interests (领导关注点) served first, their requests for information (点题/交办)
and their usefulness marks (适逢其盼) on items and issues."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Interest(models.Model):
    """A topic a leader wants to be told about first: matching new items reach them at once."""

    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        on_delete=models.CASCADE,
        related_name="interests",
    )
    name = models.CharField(_("name"), max_length=100)
    keywords = models.JSONField(_("keywords"), default=list)
    exclude = models.JSONField(_("words to leave out"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    urgent_channel = models.BooleanField(
        _("urgent items also by SMS"),
        default=True,
        help_text=_("Urgent items matching this interest also reach your phone at once."),
    )
    digest = models.BooleanField(
        _("daily digest"),
        default=True,
        help_text=_("A summary of the day's matching items every morning at 08:00."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-active", "name", "pk"]
        verbose_name = _("interest")
        verbose_name_plural = _("interests")

    def __str__(self) -> str:
        return self.name


class Hit(models.Model):
    """An item that matched an interest: found once per pair, told to the leader at once."""

    interest = models.ForeignKey(Interest, on_delete=models.CASCADE, related_name="hits")
    item = models.ForeignKey("items.Item", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"))
    reasons = models.JSONField(_("why it matched"), default=list)
    at = models.DateTimeField(_("found at"), db_index=True)
    urgent = models.BooleanField(_("sent on the urgent channel"), default=False)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("match")
        constraints = [
            models.UniqueConstraint(fields=["interest", "item"], name="interests_hit_once")
        ]
        # A leader's served items, newest first, read in this order (no sort on PostgreSQL).
        indexes = [models.Index(fields=["-at", "-id"], name="interests_hit_order")]

    def __str__(self) -> str:
        return f"{self.interest_id}:{self.item_id}"


class Cursor(models.Model):
    """How far the matcher has read the submitted items: (submitted_at, pk) of the last one."""

    name = models.CharField(max_length=50, unique=True)
    at = models.DateTimeField(null=True, blank=True)
    last_pk = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return self.name


class Digest(models.Model):
    """One leader's daily digest: the row is the claim, so it goes out once a day."""

    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    on = models.DateField()
    hits = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["leader", "on"], name="interests_digest_once")
        ]

    def __str__(self) -> str:
        return f"{self.leader_id} {self.on}"


class RequestState(models.TextChoices):
    OPEN = "open", _("Waiting for the office")
    ISSUED = "issued", _("Commissioned to units")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class InfoRequest(models.Model):
    """A leader's request for information on a subject (点题/交办); the office issues it to
    units as a research commission."""

    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        on_delete=models.PROTECT,
        related_name="info_requests",
    )
    subject = models.CharField(_("subject"), max_length=200)
    wanted = models.TextField(_("what is wanted"))
    wanted_by = models.DateField(_("wanted by"))
    units = models.ManyToManyField(
        "org.Unit", verbose_name=_("units suggested"), blank=True, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=12, choices=RequestState.choices, default=RequestState.OPEN
    )
    #: The research commission the office issued for it (named by string: research sits
    #: below and knows nothing of requests).
    commission = models.ForeignKey(
        "research.Commission",
        verbose_name=_("commission"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("leader's request")

    def __str__(self) -> str:
        return self.subject


class Mark(models.Model):
    """A leader's mark on an item or an issue: useful (适逢其盼，正待此件) or not, with a note;
    one per leader and object, changeable."""

    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    item = models.ForeignKey(
        "items.Item", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    issue = models.ForeignKey(
        "periodicals.Issue", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    useful = models.BooleanField(_("useful"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(_("marked at"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("usefulness mark")
        constraints = [
            models.UniqueConstraint(
                fields=["leader", "item"],
                condition=Q(item__isnull=False),
                name="interests_mark_item",
            ),
            models.UniqueConstraint(
                fields=["leader", "issue"],
                condition=Q(issue__isnull=False),
                name="interests_mark_issue",
            ),
            models.CheckConstraint(
                condition=Q(item__isnull=False, issue__isnull=True)
                | Q(item__isnull=True, issue__isnull=False),
                name="interests_mark_one_object",
            ),
        ]
        indexes = [models.Index(fields=["updated_at"])]

    def __str__(self) -> str:
        return f"{self.leader_id} {'+' if self.useful else '-'}"
