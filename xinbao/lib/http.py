"""Small HTTP helpers shared by views."""

from __future__ import annotations

import hashlib
import hmac

from django.core.exceptions import PermissionDenied
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _


def pick_template(request: HttpRequest, full: str, partial: str) -> str:
    """The partial for an htmx request that targets it, the whole page otherwise."""
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.boosted:
        return partial
    return full


def require(allowed: bool) -> None:
    """Refuse with 403 when a role may not use a page at all (objects use 404 instead)."""
    if not allowed:
        raise PermissionDenied(_("Your role may not use this page."))


def signature(body: bytes, secret: str) -> str:
    """The hex HMAC-SHA256 of a request body with a shared secret (``X-Signature``)."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def authentic(request: HttpRequest, secret: str) -> bool:
    """Whether a gateway's callback carries the secret: its ``X-Signature`` signs the body, or
    (for a gateway that cannot sign) ``?token=`` is the secret itself. No secret: refused."""
    if not secret:
        return False
    given = request.headers.get("X-Signature", "").strip().lower()
    if given and hmac.compare_digest(given, signature(request.body, secret)):
        return True
    token = request.GET.get("token", "")
    return bool(token) and hmac.compare_digest(token.encode(), secret.encode())


#: The content types of the office documents the pages hand out.
DOCUMENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def document_download(data: bytes, filename: str, kind: str) -> HttpResponse:
    """A rendered DOCX or PDF as a download (``kind``: "docx" or "pdf"): its name encoded for
    any browser, and never sniffed as something else. The bytes are in memory already, so the
    answer is an ordinary response, not a stream."""
    download = HttpResponse(data, content_type=DOCUMENT_TYPES[kind])
    disposition = content_disposition_header(True, filename)
    assert disposition is not None  # an attachment always has one
    download["Content-Disposition"] = disposition
    download["X-Content-Type-Options"] = "nosniff"
    return download


def stored_download(
    field: FieldFile, filename: str, content_type: str, *, inline: bool = False
) -> FileResponse:
    """A file kept in storage (a model's ``FileField``), streamed under ``filename`` as an
    attachment (``inline``: shown in the browser, still named), never sniffed as something
    else. 404 when the field holds no file or its file is gone from storage."""
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    download = FileResponse(
        handle, as_attachment=not inline, filename=filename, content_type=content_type
    )
    download["X-Content-Type-Options"] = "nosniff"
    return download
