"""The outbox: every message the system sends, every attempt, and what came back."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In-app")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WECOM_ROBOT = "wecom_robot", _("WeCom group robot")
    WECOM_APP = "wecom_app", _("WeCom application message")
    DINGTALK = "dingtalk", _("DingTalk robot")
    FAX = "fax", _("Fax")
    PHONE_CALL = "phone_call", _("Phone call by the duty officer")


class MessageState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    WAITING = "waiting", _("Waiting for a person")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class Endpoint(models.Model):
    """A configured destination that is not a person: a group robot's webhook."""

    name = models.CharField(_("name"), max_length=100)
    channel = models.CharField(
        _("channel"),
        max_length=20,
        choices=[
            (Channel.WECOM_ROBOT.value, Channel.WECOM_ROBOT.label),
            (Channel.DINGTALK.value, Channel.DINGTALK.label),
        ],
    )
    url = models.URLField(_("webhook address"), max_length=500)
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk's “加签” secret (SEC…); empty for WeCom robots."),
    )
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="endpoints",
        help_text=_("The unit whose group chat this robot posts to."),
    )
    per_minute = models.PositiveSmallIntegerField(
        _("messages per minute"),
        default=20,
        help_text=_("The provider's rate limit; more messages wait, none is dropped."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("robot endpoint")
        verbose_name_plural = _("robot endpoints")

    def __str__(self) -> str:
        return self.name


class Message(models.Model):
    """One message to one address over one channel: the outbox row.

    Written in the same transaction as the business change that caused it, so a rollback
    removes it too. The sender claims it with a lease (``lease_until``); a sender that dies
    leaves the lease to expire and another one claims the message again.
    """

    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    event = models.CharField(_("event"), max_length=64)
    state = models.CharField(
        _("state"), max_length=16, choices=MessageState.choices, default=MessageState.QUEUED
    )
    # Who: a person or user of the roster, or a robot endpoint; the address is resolved
    # at send time (``address`` keeps what was used).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    person = models.ForeignKey(
        "org.Person",
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    endpoint = models.ForeignKey(
        Endpoint,
        verbose_name=_("robot"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    recipient_name = models.CharField(_("recipient"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    link = models.CharField(_("link"), max_length=300, blank=True)
    document = models.FileField(_("document"), max_length=200, blank=True)
    #: The attachment's file name in mail (the stored file's own name where empty).
    document_name = models.CharField(_("document's name"), max_length=200, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    dispatch = models.ForeignKey(
        "Dispatch", on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=64, blank=True)
    attempt_count = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    provider_id = models.CharField(_("provider's id"), max_length=200, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    delivery_status = models.CharField(_("delivery report"), max_length=100, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="notify_msg_due",
                condition=Q(state__in=["queued", "sending"]),
            ),
            models.Index(fields=["state", "channel"]),
            models.Index(fields=["endpoint", "sent_at"]),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_channel_display()} → {self.recipient_name or self.address}: {self.subject}"
        )


class Attempt(models.Model):
    """One try to send a message, successful or not."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attempts")
    started_at = models.DateTimeField(_("started at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    ok = models.BooleanField(_("succeeded"))
    permanent = models.BooleanField(_("permanent failure"), default=False)
    response = models.TextField(_("response"), blank=True)
    error = models.TextField(_("error"), blank=True)
    by = models.CharField(_("by"), max_length=100, blank=True)

    class Meta:
        ordering = ["message", "id"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")

    def __str__(self) -> str:
        return f"{self.message_id} {'ok' if self.ok else 'failed'} {self.started_at:%H:%M:%S}"


class Notification(models.Model):
    """An in-app notification: what the bell shows. Reading it is the read receipt."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="notification")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["user", "read_at"]),
            # One user's notifications newest first, a keyset page at a time.
            models.Index(fields=["user", "-id"], name="notification_user_order"),
        ]

    def __str__(self) -> str:
        return self.title


class CallOutcome(models.TextChoices):
    REACHED = "reached", _("Reached, message given")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class PhoneCall(models.Model):
    """A call the duty officer must make; its outcome is the message's attempt."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="calls")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallOutcome.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("phone call")
        verbose_name_plural = _("phone calls")

    def __str__(self) -> str:
        return f"{self.message.recipient_name} {self.message.address}"


class Dispatch(models.Model):
    """One notice to one recipient on a ladder of channels, escalating while unread."""

    ladder = models.CharField(_("ladder"), max_length=20)
    event = models.CharField(_("event"), max_length=64)
    recipient_name = models.CharField(_("recipient"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        "org.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    context = models.JSONField(default=dict)
    step = models.PositiveSmallIntegerField(default=0)
    next_step_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    ack_token = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["next_step_at"],
                name="notify_dispatch_due",
                condition=Q(read_at__isnull=True, next_step_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient_name}"


class Preference(models.Model):
    """A user's choice of channels. Urgent SMS and calls cannot be turned off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_preference"
    )
    email_digest = models.BooleanField(
        _("daily email digest of unread notifications"), default=True
    )
    wecom = models.BooleanField(_("WeCom messages"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)
