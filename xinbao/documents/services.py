"""Every write of the document cache: rows made, renders recorded, failures kept.

A frozen subject's document is rendered once per content by the worker
(``tasks.render_document``) and kept in storage under its SHA-256; the request only reads the
row. Rendering happens outside any transaction: the row is claimed before and updated after,
each in its own short transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import time
from importlib.metadata import version
from typing import Any, Final

from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from xinbao.audit.services import record
from xinbao.documents import registry
from xinbao.documents.models import Format, RenderedDocument, RenderState
from xinbao.lib.officedoc import OfficialDocument, render_docx, render_pdf

#: Changes whenever the printed result of the same content may change: our layout code (bump
#: ``LAYOUT``) or the libraries that draw it.
LAYOUT: Final = 1
#: A render is tried this many times in all (the first run and the retries asked for).
MAX_ATTEMPTS: Final = 3
#: A row still pending this long after it was queued lost its task (a worker's queue reset):
#: asking for it queues it again.
LOST_AFTER: Final = dt.timedelta(minutes=10)
#: The worker's name in the audit log.
WORKER: Final = "document worker"


@functools.cache
def renderer_version() -> str:
    """Read once per process: the installed libraries do not change under a running one."""
    return f"officedoc {LAYOUT}; weasyprint {version('weasyprint')}; docx {version('python-docx')}"


def fingerprint(*, kind: str, fmt: str, document: OfficialDocument) -> str:
    """SHA-256 of everything the file is made of: the renderer's version, the kind, the format
    and the document (its dataclasses' ``repr``: every text, date, label and picture's bytes)."""
    digest = hashlib.sha256()
    for part in (renderer_version(), kind, fmt):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(repr(document).encode())
    return digest.hexdigest()


def render_bytes(document: OfficialDocument, fmt: str) -> bytes:
    return render_pdf(document) if fmt == Format.PDF else render_docx(document)


def storage_name(sha256: str, fmt: str) -> str:
    return f"documents/{sha256[:2]}/{sha256}.{fmt}"


def _enqueue(document_id: int) -> None:
    # Imported here: the task module imports this one.
    from xinbao.documents.tasks import render_document

    render_document.enqueue(document_id)


@transaction.atomic
def prepare(
    *, kind: str, subject: models.Model, fmt: str, enqueue: bool = True
) -> RenderedDocument:
    """The cache row of ``subject``'s current document in ``fmt``, made (and its render queued
    on commit) when there is none; a pending one whose task was lost is queued again.
    ``enqueue=False``: the caller renders it itself (the worker, already in a task).

    A frozen subject's content does not change again, so its row made by this renderer is
    found by subject and format (``documents_subject_idx``) without building the document:
    a page polling the partial costs a query, not a render's worth of reading. Any other
    subject is built and hashed each time: its content may have changed since."""
    registered = registry.get(kind)
    subject_type = ContentType.objects.get_for_model(subject)
    if registered.frozen(subject):
        row = (
            RenderedDocument.objects.filter(
                subject_type=subject_type,
                subject_id=subject.pk,
                format=fmt,
                kind=kind,
                renderer=renderer_version(),
            )
            .order_by("-pk")
            .first()
        )
        if row is not None:
            if enqueue:
                requeue_lost(row)
            return row
    document = registered.build(subject)
    sha256 = fingerprint(kind=kind, fmt=fmt, document=document)
    row = RenderedDocument.objects.filter(sha256=sha256).first()
    if row is None:
        try:
            with transaction.atomic():
                row = RenderedDocument.objects.create(
                    kind=kind,
                    subject_type=subject_type,
                    subject_id=subject.pk,
                    format=fmt,
                    sha256=sha256,
                    renderer=renderer_version(),
                    queued_at=timezone.now(),
                )
        except IntegrityError:
            # Another request made it a moment ago; its render is queued already.
            return RenderedDocument.objects.get(sha256=sha256)
        if enqueue:
            pk = row.pk
            transaction.on_commit(lambda: _enqueue(pk))
        return row
    if row.renderer != renderer_version():
        # A row made before the renderer was kept on it: the same hash is the same renderer.
        RenderedDocument.objects.filter(pk=row.pk).update(renderer=renderer_version())
        row.renderer = renderer_version()
    if enqueue:
        requeue_lost(row)
    return row


def requeue_lost(row: RenderedDocument) -> bool:
    """Queue again, on commit, a pending row whose task was lost (queued longer ago than
    ``LOST_AFTER``). Guarded on the state and queue time read: of two requests that found it
    lost at once, one re-queues it (audited) and the other does nothing. Whether it did."""
    now = timezone.now()
    if row.state != RenderState.PENDING or row.queued_at >= now - LOST_AFTER:
        return False
    with transaction.atomic():
        changed = RenderedDocument.objects.filter(
            pk=row.pk, state=RenderState.PENDING, queued_at=row.queued_at
        ).update(queued_at=now)
        if not changed:
            return False
        row.queued_at = now
        record(
            actor=None,
            actor_name=WORKER,
            action="document.requeued",
            obj=row,
            summary=_summary(row, attempts=row.attempts),
        )
        pk = row.pk
        transaction.on_commit(lambda: _enqueue(pk))
    return True


def _summary(row: RenderedDocument, **more: Any) -> dict[str, Any]:
    """An audit event's summary of a rendered document: which one, and what happened to it."""
    return {"kind": row.kind, "format": row.format, "sha256": row.sha256, **more}


@transaction.atomic
def retry_document(*, actor: AbstractUser, document: RenderedDocument) -> bool:
    """Ask once more for a render that failed as often as it may be tried: it is pending
    again, queued on commit, with one try left (failing again leaves it failed, to be asked
    for again). The caller has checked that ``actor`` may download it. Whether it changed
    anything (a second click, or a row no longer failed, does nothing)."""
    changed = RenderedDocument.objects.filter(
        pk=document.pk, state=RenderState.FAILED, attempts__gte=MAX_ATTEMPTS
    ).update(state=RenderState.PENDING, queued_at=timezone.now(), attempts=MAX_ATTEMPTS - 1)
    if not changed:
        return False
    document.refresh_from_db()
    record(
        actor=actor,
        action="document.retried",
        obj=document,
        summary=_summary(document, error=document.error),
    )
    pk = document.pk
    transaction.on_commit(lambda: _enqueue(pk))
    return True


def schedule(*, kind: str, subject_id: int, formats: tuple[str, ...] = ("pdf", "docx")) -> None:
    """Queue, on commit, the documents of a subject that was just frozen: the worker builds
    them (``tasks.prepare_documents``), so the request that froze it pays nothing."""
    from xinbao.documents.tasks import prepare_documents

    transaction.on_commit(lambda: prepare_documents.enqueue(kind, subject_id, list(formats)))


def may_render(row: RenderedDocument) -> bool:
    """Not ready, and not failed as often as it may be tried."""
    return row.state == RenderState.PENDING or (
        row.state == RenderState.FAILED and row.attempts < MAX_ATTEMPTS
    )


def render(document_id: int) -> str:
    """Render one row's document and keep it; outside any transaction (WeasyPrint takes a
    while). Idempotent: a ready row is left as it is, the file's name is its SHA-256 (a
    second writer writes the same bytes), and the row turns ready once. Returns what happened."""
    row = RenderedDocument.objects.filter(pk=document_id).first()
    if row is None:
        return "gone"
    if row.state == RenderState.READY and row.file and default_storage.exists(row.file.name):
        return "exists"
    kind = registry.get(row.kind)
    subject = kind.model._default_manager.filter(pk=row.subject_id).first()
    started = time.perf_counter()
    try:
        if subject is None:
            raise LookupError("the document's subject no longer exists")
        document = kind.build(subject)
        if fingerprint(kind=row.kind, fmt=row.format, document=document) != row.sha256:
            raise ValueError("the content changed after it was frozen")
        data = render_bytes(document, row.format)
        seconds = time.perf_counter() - started
        name = storage_name(row.sha256, row.format)
        _store(name, data)
    except Exception as exc:
        # Any error of a builder, the renderer or the storage is kept on the row and shown;
        # the worker goes on with its other tasks.
        _failed(row, f"{type(exc).__name__}: {exc}")
        return "failed"
    return _ready(row, name=name, size=len(data), seconds=seconds)


def _store(name: str, data: bytes) -> None:
    """Write ``data`` under ``name`` unless the same bytes are there: a file a run cut off
    half-way left behind (a worker killed mid-write) is replaced."""
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as stored:
            if stored.read() == data:
                return
        default_storage.delete(name)
    saved = default_storage.save(name, ContentFile(data))
    if saved != name:
        # Another writer stored it between the check and the save: the same bytes.
        default_storage.delete(saved)


@transaction.atomic
def _ready(row: RenderedDocument, *, name: str, size: int, seconds: float) -> str:
    done = (
        RenderedDocument.objects.filter(pk=row.pk)
        .exclude(state=RenderState.READY, file=name)
        .update(
            state=RenderState.READY,
            file=name,
            size=size,
            error="",
            attempts=models.F("attempts") + 1,
            render_seconds=round(seconds, 4),
            rendered_at=timezone.now(),
        )
    )
    if not done:
        return "exists"
    record(
        actor=None,
        actor_name=WORKER,
        action="document.rendered",
        obj=row,
        summary=_summary(row, size=size),
    )
    row.refresh_from_db()
    _hook(row, "on_ready")
    return "rendered"


def _hook(row: RenderedDocument, name: str) -> None:
    """The kind's ``on_ready`` / ``on_failed``, with the row's subject."""
    kind = registry.get(row.kind)
    hook = getattr(kind, name)
    if hook is None:
        return
    subject = kind.model._default_manager.filter(pk=row.subject_id).first()
    if subject is not None:
        hook(subject, row)


@transaction.atomic
def _failed(row: RenderedDocument, error: str) -> None:
    failed = (
        RenderedDocument.objects.filter(pk=row.pk)
        .exclude(state=RenderState.READY)
        .update(state=RenderState.FAILED, error=error[:2000], attempts=models.F("attempts") + 1)
    )
    if not failed:
        # Made ready meanwhile by another writer: nothing failed that anyone will see.
        return
    record(
        actor=None,
        actor_name=WORKER,
        action="document.failed",
        obj=row,
        summary=_summary(row, error=error),
    )
    row.refresh_from_db()
    _hook(row, "on_failed")
