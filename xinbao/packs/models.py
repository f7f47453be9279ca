"""Reference packs (参阅 / 决策参考): what the office assembles on a subject before a leader's
meeting, visit or decision — items, leaders' instructions, figures and its own text — delivered
to the leaders it is for as a page, a DOCX and a PDF.

A pack is edited while a draft and frozen once delivered: its entries keep the title and text
they were added with (``Entry.title`` / ``Entry.text``), so what the leader reads is what was
delivered, whatever happens to the items afterwards. A new version is a copy (``copied_from``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinbao.lib.labels import Sensitivity


class Occasion(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    VISIT = "visit", _("Visit")
    DECISION = "decision", _("Decision")
    OTHER = "other", _("Other")


class PackState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    DELIVERED = "delivered", _("Delivered")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class EntryKind(models.TextChoices):
    ITEM = "item", _("Item")
    INSTRUCTION = "instruction", _("Leader's instruction")
    FIGURE = "figure", _("Figure")
    TEXT = "text", _("Text")


class Pack(models.Model):
    title = models.CharField(_("title"), max_length=200)
    occasion = models.CharField(_("occasion"), max_length=10, choices=Occasion.choices)
    occasion_at = models.DateTimeField(_("occasion at"))
    #: Keywords of the subject, separated by spaces or commas: what the builder offers.
    subject = models.CharField(_("subject"), max_length=200)
    foreword = models.TextField(_("editor's foreword"), blank=True)
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("for"), related_name="packs_received"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=PackState.choices, default=PackState.DRAFT
    )
    #: Numbered by year on delivery ("2026年第3期"); a draft has none.
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("reference pack")
        verbose_name_plural = _("reference packs")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "number"],
                condition=models.Q(number__isnull=False),
                name="pack_number_per_year",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def editable(self) -> bool:
        return self.state == PackState.DRAFT

    def number_text(self) -> str:
        """ "2026年第3期", or "" before delivery."""
        return f"{self.year}年第{self.number}期" if self.number else ""


class Entry(models.Model):
    pack = models.ForeignKey(Pack, on_delete=models.CASCADE, related_name="entries")
    order = models.PositiveIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=12, choices=EntryKind.choices)
    item = models.ForeignKey(
        "items.Item", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    instruction = models.ForeignKey(
        "periodicals.Instruction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    #: The item's title or the instruction's leader when added; a text block's heading.
    title = models.CharField(_("title"), max_length=200, blank=True)
    #: The item's body or the instruction's words, as they were when added.
    text = models.TextField(_("text"), blank=True)
    #: The editor's summary of an item, or their note on any entry.
    note = models.TextField(_("editor's note"), blank=True)
    #: The label of what was added (an item's), checked against every recipient's clearance.
    sensitivity = models.PositiveSmallIntegerField(
        choices=Sensitivity.choices, default=Sensitivity.ORDINARY
    )
    # A figure: "死亡人数" 3 "人", from "据东城县、西山县报送".
    label = models.CharField(_("label"), max_length=100, blank=True)
    value = models.CharField(_("value"), max_length=50, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["pack", "order", "pk"]
        verbose_name = _("pack entry")
        verbose_name_plural = _("pack entries")
        constraints = [
            models.UniqueConstraint(
                fields=["pack", "item"],
                condition=models.Q(item__isnull=False),
                name="pack_item_once",
            ),
            models.UniqueConstraint(
                fields=["pack", "instruction"],
                condition=models.Q(instruction__isnull=False),
                name="pack_instruction_once",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.label


class Receipt(models.Model):
    """When a recipient first opened a delivered pack (its page or a document)."""

    pack = models.ForeignKey(Pack, on_delete=models.CASCADE, related_name="receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pack", "user"], name="pack_read_once"),
        ]

    def __str__(self) -> str:
        return f"{self.pack_id} {self.user_id} {self.read_at:%Y-%m-%d %H:%M}"
