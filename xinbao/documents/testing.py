"""For tests that run in one transaction (``TestCase``), where nothing is committed and the
worker cannot run: render a frozen subject's documents now, as the worker's task would."""

from __future__ import annotations

from django.db import models

from xinbao.documents.tasks import prepare_documents


def render_documents(kind: str, subject: models.Model) -> str:
    """Run the task that a freeze queues (``services.schedule``), in this process."""
    return prepare_documents.call(kind, subject.pk, ["pdf", "docx"])
