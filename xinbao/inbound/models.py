"""Messages that arrive by email, SMS and WeCom, and what became of each."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinbao.items.models import Channel

#: The channels a message arrives by on its own (the duty phone is a form, the web is the web).
INBOUND_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.WECOM)


class InboundState(models.TextChoices):
    DRAFTED = "drafted", _("Made a draft")
    SUBMITTED = "submitted", _("Submitted")
    THREADED = "threaded", _("Added to its thread")
    QUARANTINED = "quarantined", _("Quarantined")
    RELEASED = "released", _("Released")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Could not be read")


class InboundPolicy(models.Model):
    """The office's choice per channel: a message from a known reporter is submitted at once,
    or (the default) becomes a draft the reporter completes and submits."""

    channel = models.CharField(
        _("channel"),
        max_length=20,
        choices=[(c.value, c.label) for c in INBOUND_CHANNELS],
        unique=True,
    )
    submit_at_once = models.BooleanField(_("submit at once"), default=False)

    class Meta:
        verbose_name = _("inbound policy")
        verbose_name_plural = _("inbound policies")

    def __str__(self) -> str:
        return self.channel


def raw_path(instance: InboundMessage, filename: str) -> str:
    # Never the sender's file name: the source id is data, not a path.
    return f"inbound/{instance.channel}/{filename}"


class InboundMessage(models.Model):
    """One message received by a channel; unique by (channel, source id), so a resend is
    recognised however often it comes."""

    channel = models.CharField(
        _("channel"), max_length=20, choices=[(c.value, c.label) for c in INBOUND_CHANNELS]
    )
    source_id = models.CharField(_("source id"), max_length=200)
    sender = models.CharField(
        _("sender"), max_length=255, help_text=_("Email address, phone or WeCom user id.")
    )
    sender_name = models.CharField(_("sender's name"), max_length=100, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    text = models.TextField(_("text"), blank=True)
    received_at = models.DateTimeField(_("received at"))
    state = models.CharField(_("state"), max_length=20, choices=InboundState.choices)
    item = models.ForeignKey(
        "items.Item",
        verbose_name=_("item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_messages",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("matched person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reply_to = models.ForeignKey(
        "self",
        verbose_name=_("reply to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replies",
    )
    #: An email's Message-ID, which replies name in In-Reply-To and References.
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    raw = models.FileField(_("original message"), upload_to=raw_path, max_length=200, blank=True)
    #: Attachments refused by the upload checks: [{"name": ..., "reason": ...}].
    refused_attachments = models.JSONField(default=list, blank=True)
    #: Why a matched sender's message could not become an item, or why it could not be read.
    problem = models.TextField(_("problem"), blank=True)
    rejection_reason = models.TextField(_("reason of the rejection"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("stored at"), auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        indexes = [models.Index(fields=["state", "-received_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "source_id"], name="inbound_unique_channel_source"
            )
        ]

    def __str__(self) -> str:
        return self.subject or self.text[:40] or self.source_id


class MailboxState(models.Model):
    """Where the mailbox poll stopped: the folder's UIDVALIDITY and the last UID read.

    A changed UIDVALIDITY means the server renumbered the folder: everything is read again,
    and the Message-IDs keep that from making anything twice."""

    mailbox = models.CharField(max_length=255, unique=True)
    uidvalidity = models.BigIntegerField(null=True)
    last_uid = models.BigIntegerField(default=0)
    polled_at = models.DateTimeField(null=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.mailbox
