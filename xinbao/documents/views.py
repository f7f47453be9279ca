"""The download of a frozen document, served from the cache, and the partial that offers it.

No URLs of its own: each app's download view checks access as before and, for a frozen
subject, returns :func:`offer`. A page shows the partial by asking that same URL with htmx
(``hx-trigger="load"``): "being prepared", polling, until the worker has rendered the file,
then its link.
"""

from __future__ import annotations

from django.db import models
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render

from xinbao.documents import services
from xinbao.documents.models import RenderState
from xinbao.lib.http import document_download

#: Seconds between two polls of a document being prepared.
POLL_SECONDS = 2


def offer(
    request: HttpRequest, *, kind: str, subject: models.Model, fmt: str, filename: str
) -> HttpResponseBase:
    """For htmx, the partial: the link once the file exists, "being prepared" (polling) until
    then, the error when its render failed. Otherwise the file itself, its bytes read from
    storage and named as before (``lib.http.document_download``).

    A file asked for before the worker made it (a link followed at once, the worker behind or
    stopped, a failed render tried again) is rendered here, into the cache, like the worker
    would: the person gets their file, and it is still rendered once per content.
    """
    row = services.prepare(kind=kind, subject=subject, fmt=fmt)
    htmx = bool(getattr(request, "htmx", False))
    if not htmx and not row.ready and services.may_render(row):
        services.render(row.pk)
        row.refresh_from_db()
    if row.ready and not htmx:
        with row.file.open("rb") as stored:
            return document_download(stored.read(), filename, fmt)
    context = {
        "document": row,
        "url": request.get_full_path(),
        "filename": filename,
        "failed": row.state == RenderState.FAILED,
        "may_retry": services.may_render(row),
        "poll_seconds": POLL_SECONDS,
    }
    if htmx:
        return render(request, "documents/partials/_prepare.html", context)
    # Failed, and tried as often as it may be: the error, not a file.
    return render(request, "documents/prepare.html", context, status=503)
