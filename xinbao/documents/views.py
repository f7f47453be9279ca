"""The download of a frozen document, served from the cache, and the partial that offers it.

No URLs of its own: each app's download view checks access as before and, for a frozen
subject, returns :func:`offer`. A page shows the partial by asking that same URL with htmx
(``hx-trigger="load"``): "being prepared", polling, until the worker has rendered the file,
then its link.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import models
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

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

    A POST (the failed partial's "Retry") asks once more for a render that failed as often as
    it may be tried (``services.retry_document``, audited): whoever may download the file may
    ask, since the app's view has checked that before calling this. Then, for htmx, the
    partial (being prepared); otherwise back to the download itself.
    """
    row = services.prepare(kind=kind, subject=subject, fmt=fmt)
    htmx = bool(getattr(request, "htmx", False))
    if request.method == "POST":
        if request.user.is_authenticated and services.retry_document(
            actor=request.user, document=row
        ):
            row.refresh_from_db()
            if not htmx:
                messages.info(request, _("The document is being prepared once more."))
        if not htmx:
            return redirect(request.get_full_path())
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
