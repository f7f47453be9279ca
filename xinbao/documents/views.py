"""The download of a frozen document, served from the cache; "being prepared" until then.

No URLs of its own: each app's download view checks access as before and, for a frozen
subject, returns :func:`offer`. The poll asks the same URL again with htmx.
"""

from __future__ import annotations

from django.db import models
from django.http import FileResponse, HttpRequest, HttpResponseBase
from django.shortcuts import render

from xinbao.documents import services
from xinbao.documents.models import RenderState
from xinbao.lib.http import DOCUMENT_TYPES

#: Seconds between two polls of a document being prepared.
POLL_SECONDS = 2


def offer(
    request: HttpRequest, *, kind: str, subject: models.Model, fmt: str, filename: str
) -> HttpResponseBase:
    """The cached file as a download once it exists (a stream from storage, named as today);
    until then a page, or for htmx its partial, that says it is being prepared and polls this
    URL until it shows the link. A failed render is shown with its error; asking for the file
    again (not a poll) queues it once more while attempts are left."""
    htmx = bool(getattr(request, "htmx", False))
    row = services.prepare(kind=kind, subject=subject, fmt=fmt, retry=not htmx)
    if row.ready and not htmx:
        download = FileResponse(
            row.file.open("rb"),
            as_attachment=True,
            filename=filename,
            content_type=DOCUMENT_TYPES[fmt],
        )
        download["X-Content-Type-Options"] = "nosniff"
        return download
    context = {
        "document": row,
        "url": request.get_full_path(),
        "filename": filename,
        "failed": row.state == RenderState.FAILED,
        "exhausted": row.attempts >= services.MAX_ATTEMPTS,
        "poll_seconds": POLL_SECONDS,
    }
    if htmx:
        return render(request, "documents/partials/_prepare.html", context)
    return render(request, "documents/prepare.html", context)
