"""Items: what units report, with their attachments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinbao.lib.labels import Sensitivity


class ItemKind(models.TextChoices):
    DYNAMIC = "dynamic", _("Dynamic")
    COMPREHENSIVE = "comprehensive", _("Comprehensive")
    ANALYSIS = "analysis", _("Analysis")
    ASSESSMENT = "assessment", _("Assessment")
    PROPOSAL = "proposal", _("Proposal")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    GENERAL_URGENT = "general_urgent", _("General urgent")
    IMPORTANT = "important", _("Important")
    MAJOR_EMERGENCY = "major_emergency", _("Major emergency")


def urgency_rank() -> models.Case:
    """An expression ordering urgency from routine (1) to major emergency (4)."""
    return models.Case(
        *(models.When(urgency=u, then=models.Value(i)) for i, u in enumerate(Urgency, 1)),
        output_field=models.IntegerField(),
    )


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    RECEIVED = "received", _("Received")
    # The desk's outcomes (xinbao.desk): what became of a received item.
    RETURNED = "returned", _("Returned for revision")
    ADOPTED = "adopted", _("Adopted")
    NOT_ADOPTED = "not_adopted", _("Not adopted")
    MERGED = "merged", _("Merged into a comprehensive item")
    ARCHIVED = "archived", _("Archived")


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    API = "api", _("API")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WECOM = "wecom", _("WeCom / WeChat")
    PHONE = "phone", _("Phone call")
    COLLECTED = "collected", _("Internet collection")


class Topic(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    """One piece of information reported by a unit (or several, jointly)."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    urgency = models.CharField(
        _("urgency"), max_length=20, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.DRAFT
    )
    sensitivity = models.PositiveSmallIntegerField(
        _("sensitivity label"), choices=Sensitivity.choices, default=Sensitivity.ORDINARY
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="items"
    )
    joint_units = models.ManyToManyField(
        "org.Unit",
        verbose_name=_("joint units"),
        blank=True,
        related_name="joint_items",
        help_text=_("Units that reported this jointly; credit is split between all units."),
    )
    writer_name = models.CharField(_("writer"), max_length=50)
    writer_phone = models.CharField(_("writer's phone"), max_length=32)
    approved_by = models.CharField(
        _("approving unit leader"),
        max_length=50,
        blank=True,
        help_text=_("The unit leader who approved sending this item."),
    )
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    event_at = models.DateTimeField(_("time of the event"), null=True, blank=True)
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.WEB
    )
    source_id = models.CharField(_("source id"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="items_created",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_from",
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items_received",
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        indexes = [
            models.Index(fields=["unit", "status", "-submitted_at"]),
            models.Index(fields=["status", "-submitted_at"]),
            # Keyset pages (xinbao.lib.pagination) walk these in the lists' order, (-submitted_at,
            # -id): everything sent, one unit's items, one status; no sort, no scan at 10^6.
            models.Index(fields=["-submitted_at", "-id"], name="item_list_order"),
            models.Index(fields=["unit", "-submitted_at", "-id"], name="item_unit_order"),
            models.Index(fields=["status", "-submitted_at", "-id"], name="item_status_order"),
            # The sources of a comprehensive item. Almost every item has none, so SQLite's
            # statistics of the foreign key's own index (NULLs counted as one key) make it look
            # useless; this one holds only the merged items.
            models.Index(
                fields=["merged_into"],
                condition=Q(merged_into__isnull=False),
                name="item_merged_sources",
            ),
            # The statistics of a period (scoring.statistics): the items submitted in it per
            # unit and kind, one range read from the index alone.
            models.Index(
                fields=["submitted_at", "unit", "status", "kind"], name="item_period_stats"
            ),
        ]
        constraints = [
            # A message resent by its channel must never make a second item.
            models.UniqueConstraint(
                fields=["channel", "source_id"],
                condition=~Q(source_id=""),
                name="item_unique_channel_source",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def merged_sources(self) -> list[Item]:
        """The items merged into this one, latest sent first. Read through the merged_into
        index without an ORDER BY and sorted here (a handful of rows): with one, SQLite walks
        the whole submission-order index of a big table instead."""
        rows = list(Item.objects.filter(merged_into=self).select_related("unit").order_by())
        rows.sort(key=lambda i: (i.submitted_at is not None, i.submitted_at or i.created_at, i.pk))
        return rows[::-1]

    @property
    def is_editable(self) -> bool:
        return self.status in (ItemStatus.DRAFT, ItemStatus.WITHDRAWN, ItemStatus.RETURNED)


class AttachmentKind(models.TextChoices):
    PICTURE = "picture", _("Picture")
    AUDIO = "audio", _("Audio")
    VIDEO = "video", _("Video")
    DOCUMENT = "document", _("Document")


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name never contains the user's file name: it is kept only as data.
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    sensitivity = models.PositiveSmallIntegerField(
        _("sensitivity label"), choices=Sensitivity.choices, default=Sensitivity.ORDINARY
    )
    thumbnail = models.FileField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name

    @property
    def previewable(self) -> bool:
        return self.kind in (AttachmentKind.PICTURE, AttachmentKind.AUDIO, AttachmentKind.VIDEO)


class IdempotencyKey(models.Model):
    """An API ``Idempotency-Key`` seen from one user, with the body it came with."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    body_hash = models.CharField(max_length=64)
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return self.key


class ItemSignature(models.Model):
    """An item's MinHash signature and the facts that tell one event from another
    (``xinbao.items.similarity``), written whenever its text is written."""

    item = models.OneToOneField(
        Item, on_delete=models.CASCADE, primary_key=True, related_name="signature"
    )
    # 128 unsigned 32-bit minima, big-endian.
    minhash = models.BinaryField()
    # The place and event time the item gives (its fields, else read from its text).
    place = models.CharField(max_length=100, blank=True)
    event_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"signature of item {self.item_id}"


class ItemBand(models.Model):
    """One LSH band of an item's signature: items sharing a (band, hash) are candidates."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="bands")
    band = models.PositiveSmallIntegerField()
    hash = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["band", "hash"], name="item_band_lookup")]

    def __str__(self) -> str:
        return f"band {self.band} of item {self.item_id}"


class SearchEntry(models.Model):
    """The words of an item (its title and body, ``attachment`` None) or of one attachment's
    text, space-joined for the full-text index (``xinbao.items.search``).

    The index itself is vendor-specific and made by migration 0005: an FTS5 table kept by
    triggers on SQLite, a generated ``tsvector`` column with a GIN index on PostgreSQL.
    """

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    attachment = models.ForeignKey(
        Attachment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    #: The attachment's label (0 for the item's own text: ``visible_items`` checks that one).
    label = models.PositiveSmallIntegerField(default=0)
    title = models.TextField(blank=True)
    body = models.TextField(blank=True)
    #: An attachment's text as read, for its snippet (the item's own text is on the item).
    source = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["item"], name="items_search_item_idx")]

    def __str__(self) -> str:
        return f"{self.item_id}/{self.attachment_id or '-'}"
