"""Checking uploads: the type is sniffed from the content, never trusted from the name."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import filetype
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from xinbao.items.models import AttachmentKind

MB = 1024 * 1024

#: Largest accepted file per kind. Video from a phone is large; documents are not.
SIZE_LIMITS: dict[str, int] = {
    AttachmentKind.PICTURE: 20 * MB,
    AttachmentKind.AUDIO: 50 * MB,
    AttachmentKind.VIDEO: 200 * MB,
    AttachmentKind.DOCUMENT: 30 * MB,
}
MAX_ATTACHMENT_BYTES = max(SIZE_LIMITS.values())

#: Accepted content types, by kind. Anything else is refused.
ACCEPTED: dict[str, str] = {
    "image/jpeg": AttachmentKind.PICTURE,
    "image/png": AttachmentKind.PICTURE,
    "image/gif": AttachmentKind.PICTURE,
    "image/webp": AttachmentKind.PICTURE,
    "image/heic": AttachmentKind.PICTURE,
    "image/heif": AttachmentKind.PICTURE,
    "audio/mpeg": AttachmentKind.AUDIO,
    "audio/mp4": AttachmentKind.AUDIO,
    "audio/m4a": AttachmentKind.AUDIO,
    "audio/x-wav": AttachmentKind.AUDIO,
    "audio/ogg": AttachmentKind.AUDIO,
    "audio/amr": AttachmentKind.AUDIO,
    "audio/aac": AttachmentKind.AUDIO,
    "video/mp4": AttachmentKind.VIDEO,
    "video/quicktime": AttachmentKind.VIDEO,
    "video/webm": AttachmentKind.VIDEO,
    "video/3gpp": AttachmentKind.VIDEO,
    "application/pdf": AttachmentKind.DOCUMENT,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        AttachmentKind.DOCUMENT
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": AttachmentKind.DOCUMENT,
    "application/msword": AttachmentKind.DOCUMENT,
    "application/vnd.ms-excel": AttachmentKind.DOCUMENT,
    "application/x-ofd": AttachmentKind.DOCUMENT,
    "text/plain": AttachmentKind.DOCUMENT,
}

#: Container formats the sniffer reports as a zip or OLE file; told apart by extension.
_OFFICE_BY_EXTENSION = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ofd": "application/x-ofd",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
}


class UploadRefused(ValueError):
    """The upload is not stored; the message says why, in the user's language."""


@dataclass(frozen=True)
class CheckedUpload:
    kind: str
    content_type: str
    size: int
    sha256: str


def sniff(head: bytes, name: str) -> str | None:
    """The content type, from the first bytes (and the extension for zip/OLE containers)."""
    guess = filetype.guess(head)
    lower = name.lower()
    ext = lower[lower.rfind(".") :] if "." in lower else ""
    if guess is None:
        if ext == ".txt" and _looks_like_text(head):
            return "text/plain"
        return None
    mime: str = guess.mime
    if mime in ("application/zip", "application/x-ole-storage", "application/msword") or (
        mime.startswith("application/vnd.openxmlformats")
    ):
        return _OFFICE_BY_EXTENSION.get(ext)
    if mime == "audio/x-m4a":
        return "audio/mp4"
    if mime == "image/jpg":
        return "image/jpeg"
    return mime


def _looks_like_text(head: bytes) -> bool:
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError:
            continue
        return b"\x00" not in head
    return False


def check_upload(upload: UploadedFile) -> CheckedUpload:
    """Sniff and size-check an upload before anything is stored.

    Raises ``UploadRefused`` naming the limit or the reason.
    """
    name = upload.name or ""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    content_type = sniff(head, name)
    if content_type is None or content_type not in ACCEPTED:
        raise UploadRefused(
            _(
                "“%(name)s” is not a picture, audio, video or document type we accept "
                "(JPEG, PNG, GIF, WebP, HEIC; MP3, M4A, WAV, OGG, AMR; MP4, MOV, WebM, 3GP; "
                "PDF, OFD, Word, Excel, plain text)."
            )
            % {"name": name}
        )
    kind = ACCEPTED[content_type]
    limit = SIZE_LIMITS[kind]
    size = upload.size or 0
    if size > limit:
        raise UploadRefused(
            _("“%(name)s” is %(size)s; a %(kind)s may be at most %(limit)s.")
            % {
                "name": name,
                "size": human_size(size),
                "kind": AttachmentKind(kind).label,
                "limit": human_size(limit),
            }
        )
    if size == 0:
        raise UploadRefused(_("“%(name)s” is empty.") % {"name": name})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(kind=kind, content_type=content_type, size=size, sha256=digest.hexdigest())


def human_size(n: int) -> str:
    if n >= MB:
        return f"{n / MB:.0f} MB" if n % MB == 0 else f"{n / MB:.1f} MB"
    return f"{max(n // 1024, 1)} KB"
