"""Breadth (思维要广), the office's own mix and proposals followed.

``Placement`` puts one item on the three axes of SPEC §7; ``MixTarget`` is the share of a kind
the office means its own items to reach from a date; ``ProposalFollowUp`` is what became of an
adopted proposal (建议类) item.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinbao.items.models import ItemKind


class Horizon(models.TextChoices):
    TREND = "trend", _("Macro trend")
    EARLY_SIGN = "early_sign", _("Early sign")


class Sphere(models.TextChoices):
    ECONOMY = "economy", _("Economy and society")
    DAILY_LIFE = "daily_life", _("People's daily life")


class Region(models.TextChoices):
    LOCAL = "local", _("Local")
    OUTSIDE = "outside", _("Outside the region")


#: The axes in the order they are shown, each with its two values.
AXES: tuple[tuple[str, type[models.TextChoices]], ...] = (
    ("horizon", Horizon),
    ("sphere", Sphere),
    ("region", Region),
)


class Placement(models.Model):
    """An item's place on the three breadth axes: suggested by the placing chore, corrected by
    an editor. Once corrected (``corrected_at``), nothing automatic changes it again."""

    item = models.OneToOneField(
        "items.Item", on_delete=models.CASCADE, related_name="placement", verbose_name=_("item")
    )
    horizon = models.CharField(_("horizon"), max_length=16, choices=Horizon.choices)
    sphere = models.CharField(_("sphere"), max_length=16, choices=Sphere.choices)
    region = models.CharField(_("region"), max_length=16, choices=Region.choices)
    suggested_horizon = models.CharField(max_length=16, choices=Horizon.choices)
    suggested_sphere = models.CharField(max_length=16, choices=Sphere.choices)
    suggested_region = models.CharField(max_length=16, choices=Region.choices)
    #: Why the suggestion: axis -> the words, figures and places that decided it.
    reasons = models.JSONField(default=dict, blank=True)
    placed_at = models.DateTimeField(_("placed at"))
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("corrected by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    corrected_at = models.DateTimeField(_("corrected at"), null=True, blank=True)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        indexes = [models.Index(fields=["horizon", "sphere", "region"])]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.horizon}/{self.sphere}/{self.region}"

    @property
    def corrected(self) -> bool:
        return self.corrected_at is not None


#: The kinds the office's own mix counts: the four that go beyond news, and news (dynamic).
MIX_KINDS = (
    ItemKind.COMPREHENSIVE,
    ItemKind.ANALYSIS,
    ItemKind.ASSESSMENT,
    ItemKind.PROPOSAL,
    ItemKind.DYNAMIC,
)


class MixTarget(models.Model):
    """The share (percent) of the office's own items of one kind to reach from a date on; the
    target of a month is the latest one set on or before the month's first day."""

    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    share = models.PositiveSmallIntegerField(_("target share (%)"))
    valid_from = models.DateField(_("from"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(_("set at"))

    class Meta:
        ordering = ["-valid_from", "kind"]
        verbose_name = _("mix target")
        verbose_name_plural = _("mix targets")
        constraints = [
            models.UniqueConstraint(fields=["kind", "valid_from"], name="mix_target_once_per_day"),
            models.CheckConstraint(condition=models.Q(share__lte=100), name="mix_share_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.share}% from {self.valid_from}"


class Uptake(models.TextChoices):
    PENDING = "pending", _("Pending")
    TAKEN_UP = "taken_up", _("Taken up")
    PARTLY = "partly", _("Partly taken up")
    NOT_TAKEN_UP = "not_taken_up", _("Not taken up")


#: The outcomes the proposal's unit is told of.
TOLD_UPTAKES = frozenset({Uptake.TAKEN_UP, Uptake.PARTLY})


class ProposalFollowUp(models.Model):
    """What became of an adopted proposal item; none yet means pending."""

    item = models.OneToOneField(
        "items.Item",
        on_delete=models.CASCADE,
        related_name="proposal_follow_up",
        verbose_name=_("item"),
    )
    uptake = models.CharField(
        _("uptake"), max_length=16, choices=Uptake.choices, default=Uptake.PENDING
    )
    note = models.TextField(_("evidence"), blank=True)
    decided_on = models.DateField(_("date"), null=True, blank=True)
    instruction = models.ForeignKey(
        "periodicals.Instruction",
        verbose_name=_("leader's instruction"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"))
    unit_told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("proposal follow-up")
        verbose_name_plural = _("proposal follow-ups")

    def __str__(self) -> str:
        return f"{self.item_id}: {self.uptake}"
