"""An append-only, hash-chained record of every state change and every login attempt."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditError(Exception):
    """Raised when an audit row would be changed or removed."""


class ChainHead(models.Model):
    """A single row locked while appending, so that two writers never fork the chain.

    The database refuses to delete it and lets an update only move it one event forward
    (``guard.py``): a reset head would hide a truncated chain.
    """

    last_hash = models.CharField(max_length=64, default="0" * 64)
    count = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.count} events, last {self.last_hash[:12]}"


class AuditEvent(models.Model):
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        "accounts.User",
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("who"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=32, blank=True)
    unit_name = models.CharField(_("unit"), max_length=100, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    summary = models.JSONField(_("change"), default=dict)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    #: The event's place in the chain, 1 for the first: taken under the locked chain head.
    seq = models.BigIntegerField(unique=True)
    #: The canonical form the hashes cover: 1 (before the keyed signature, the primary key
    #: hashed; rows of that time keep verifying as they were written), 2 (the place in the
    #: chain hashed, so that the hash is known before the insert, and ``mac`` set).
    version = models.PositiveSmallIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    #: HMAC-SHA256 of the canonical form under the key kept outside the database (version 2).
    mac = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AuditError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditError("audit events are append-only")

    def canonical(self) -> str:
        """The text that is hashed and signed: every recorded field, in a fixed order."""
        payload: dict[str, Any] = {
            "at": self.at.astimezone(dt.UTC).isoformat(),
            "actor": self.actor_id,
            "actor_name": self.actor_name,
            "role": self.role,
            "unit_name": self.unit_name,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "summary": self.summary,
            "address": self.address,
            "prev": self.prev_hash,
        }
        if self.version == 1:
            payload["id"] = self.pk
        else:
            payload["seq"] = self.seq
            payload["v"] = self.version
        return json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical().encode()).hexdigest()

    def compute_mac(self, key: bytes) -> str:
        return hmac.new(key, self.canonical().encode(), hashlib.sha256).hexdigest()
