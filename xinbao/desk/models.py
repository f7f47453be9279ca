"""The editorial desk: edit locks, versions, decisions, adoptions and upward forwarding."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemVersion(models.Model):
    """One version of an item's text. Every edit (editor's or leader's) makes a new one."""

    item = models.ForeignKey("items.Item", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=32)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["item", "number"]
        verbose_name = _("item version")
        verbose_name_plural = _("item versions")
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="one_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} v{self.number}"


class EditLock(models.Model):
    """Who is editing an item, until when. An expired lock is free for anyone to take."""

    item = models.OneToOneField("items.Item", on_delete=models.CASCADE, related_name="edit_lock")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    acquired_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("edit lock")
        verbose_name_plural = _("edit locks")

    def __str__(self) -> str:
        return f"{self.item_id} → {self.user_id}"


class DecisionKind(models.TextChoices):
    ADOPT = "adopt", _("Adopted")
    MERGE = "merge", _("Merged into a comprehensive item")
    RETURN = "return", _("Returned for revision")
    REJECT = "reject", _("Not adopted")
    FORWARD = "forward", _("Forwarded upward")
    HIGHER_ADOPTION = "higher_adoption", _("Adopted by a higher office")
    ARCHIVE = "archive", _("Archived")


class Decision(models.Model):
    """What the desk decided about an item, with the comment the unit is shown."""

    item = models.ForeignKey("items.Item", on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(_("decision"), max_length=20, choices=DecisionKind.choices)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["item", "at", "id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.item_id} {self.kind}"


class AdoptionLevel(models.TextChoices):
    OFFICE = "office", _("This office")
    CITY = "city", _("City")
    PROVINCE = "province", _("Province")
    CENTRAL = "central", _("General Office of the CPC Central Committee / State Council")


class Adoption(models.Model):
    """An item taken into use: by this office into a periodical, or by a higher office.

    Scoring counts adoptions; ``units`` credited are the item's unit and joint units (and,
    for a comprehensive item, the units of the items merged into it).
    """

    item = models.ForeignKey("items.Item", on_delete=models.CASCADE, related_name="adoptions")
    level = models.CharField(_("level"), max_length=16, choices=AdoptionLevel.choices)
    periodical = models.ForeignKey(
        "periodicals.Periodical",
        verbose_name=_("periodical"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adoptions",
    )
    publication = models.CharField(
        _("publication"),
        max_length=100,
        blank=True,
        help_text=_("For a higher office: the name of its publication."),
    )
    adopted_on = models.DateField(_("adopted on"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    #: Placed in an issue of ``periodical`` (kept by the periodicals' services): the adoptions
    #: still waiting for an issue are read through ``adoption_waiting``, not all of them.
    in_issue = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-adopted_on", "-id"]
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")
        indexes = [
            # The proposals followed (analysis) walk a period's adoptions newest first in
            # keyset pages: this order, no sort, no scan of every adoption.
            models.Index(fields=["-adopted_on", "-id"], name="adoption_list_order"),
            # A periodical's adoptions not yet in one of its issues ("waiting for an issue").
            models.Index(
                fields=["periodical", "item"],
                condition=models.Q(in_issue=False),
                name="adoption_waiting",
            ),
            # The adoptions of a period per level and unit (scoring.statistics), one range
            # read from the index alone.
            models.Index(fields=["adopted_on", "level", "item"], name="adoption_period_stats"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "periodical"],
                condition=models.Q(periodical__isnull=False),
                name="adopted_once_per_periodical",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.level} {self.periodical or self.publication}"
