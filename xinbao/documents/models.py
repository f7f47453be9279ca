"""Rendered documents (DOCX, PDF) kept once per content: the cache the download links serve."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import pgettext_lazy


class Format(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "DOCX"


class RenderState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("document", "Being prepared")
    READY = "ready", pgettext_lazy("document", "Ready")
    FAILED = "failed", pgettext_lazy("document", "Failed")


class RenderedDocument(models.Model):
    """One document of one frozen content in one format.

    ``sha256`` digests the renderer's version, the kind, the format and the whole document as
    it will be printed (``services.fingerprint``), so the same content is rendered once and
    its file is shared by every download; a change of content or of renderer is a new row.
    """

    kind = models.CharField(max_length=40)
    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    format = models.CharField(max_length=8, choices=Format.choices)
    sha256 = models.CharField(max_length=64, unique=True)
    #: ``services.renderer_version()`` when the row was made: a frozen subject's row is found
    #: by subject, format and renderer without hashing its content again ("" on older rows).
    renderer = models.CharField(max_length=200, blank=True, default="")
    file = models.FileField(upload_to="documents/", blank=True, max_length=200)
    size = models.PositiveBigIntegerField(default=0)
    state = models.CharField(
        max_length=10, choices=RenderState.choices, default=RenderState.PENDING
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    render_seconds = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField()
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["subject_type", "subject_id", "format"], name="documents_subject_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_id} {self.format} ({self.state})"

    @property
    def ready(self) -> bool:
        return self.state == RenderState.READY and bool(self.file)
