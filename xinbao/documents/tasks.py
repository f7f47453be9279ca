"""Documents rendered by the worker. Tasks take ids only and are enqueued on commit."""

from __future__ import annotations

from django_tasks import task

from xinbao.documents import registry, services
from xinbao.scheduler.idempotent import idempotent


# Idempotent: a ready row is left alone and the file is named by its SHA-256, so a run cut off
# anywhere (the worker died) is simply run again by the reaper's re-queue.
@idempotent
@task()
def render_document(document_id: int) -> str:
    return services.render(document_id)


@idempotent
@task()
def prepare_documents(kind: str, subject_id: int, formats: list[str]) -> str:
    """The documents of a subject just frozen: their rows made and rendered, here, in turn."""
    subject = registry.get(kind).model._default_manager.filter(pk=subject_id).first()
    if subject is None:
        return "gone"
    outcomes = []
    for fmt in formats:
        row = services.prepare(kind=kind, subject=subject, fmt=fmt, enqueue=False)
        outcomes.append(f"{fmt}: {services.render(row.pk)}")
    return "; ".join(outcomes)
