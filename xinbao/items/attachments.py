"""Checking uploads: the type is sniffed from the content, never trusted from the name."""

from __future__ import annotations

import hashlib
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from xinbao.items.markings import UnreadableDocument, marking_in_file
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

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Container formats the sniffer reports as a zip or OLE file; the extension names the
#: candidate, the content must then bear it out (see ``_check_container``).
_OFFICE_BY_EXTENSION = {
    ".docx": DOCX,
    ".xlsx": XLSX,
    ".ofd": "application/x-ofd",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
}

#: ZIP-based formats: the parts their archive must hold.
_ZIP_PARTS: dict[str, tuple[str, ...]] = {
    DOCX: ("[Content_Types].xml", "word/document.xml"),
    XLSX: ("[Content_Types].xml", "xl/workbook.xml"),
    "application/x-ofd": ("OFD.xml",),
}

#: Old Office formats are OLE compound files. Without an OLE parser we check the
#: signature (and the extension); a Word file named .xls is not told apart.
_OLE_TYPES = ("application/msword", "application/vnd.ms-excel")
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_SIGNATURE = b"PK\x03\x04"

#: The extension a download takes, from the sniffed type.
EXTENSIONS: dict[str, str] = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "image/heif": ".heif",
    "audio/mpeg": ".mp3",
    "audio/mp4": ".m4a",
    "audio/m4a": ".m4a",
    "audio/x-wav": ".wav",
    "audio/ogg": ".ogg",
    "audio/amr": ".amr",
    "audio/aac": ".aac",
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
    "video/webm": ".webm",
    "video/3gpp": ".3gp",
    "application/pdf": ".pdf",
    DOCX: ".docx",
    XLSX: ".xlsx",
    "application/msword": ".doc",
    "application/vnd.ms-excel": ".xls",
    "application/x-ofd": ".ofd",
    "text/plain": ".txt",
}


def download_name(original_name: str, content_type: str) -> str:
    """The file name a download is offered under: the sniffed type's extension, not the
    uploader's (an "x.pdf" that is a PNG downloads as "x.png")."""
    extension = EXTENSIONS.get(content_type)
    if extension is None:
        return original_name
    stem = PurePath(original_name).stem if "." in original_name else original_name
    return f"{stem or 'file'}{extension}"


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
    _check_container(upload, name, content_type)
    _check_markings(upload, name, content_type)
    if kind == AttachmentKind.PICTURE:
        _check_pixels(upload, name)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(kind=kind, content_type=content_type, size=size, sha256=digest.hexdigest())


def _container_label(content_type: str) -> str:
    labels = {
        DOCX: _("a Word document"),
        "application/msword": _("a Word document"),
        XLSX: _("an Excel workbook"),
        "application/vnd.ms-excel": _("an Excel workbook"),
        "application/x-ofd": _("an OFD document"),
    }
    return labels[content_type]


def _check_container(upload: UploadedFile, name: str, content_type: str) -> None:
    """A ZIP or OLE container must be what its extension says, by its content."""
    if content_type not in _ZIP_PARTS and content_type not in _OLE_TYPES:
        return
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    matches = False
    if content_type in _OLE_TYPES:
        matches = head.startswith(_OLE_SIGNATURE)
    elif head.startswith(_ZIP_SIGNATURE):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            names = set()
        finally:
            upload.seek(0)
        matches = all(part in names for part in _ZIP_PARTS[content_type])
    if not matches:
        raise UploadRefused(
            _("“%(name)s” is not %(kind)s: its content does not match its name.")
            % {"name": name, "kind": _container_label(content_type)}
        )


def _check_markings(upload: UploadedFile, name: str, content_type: str) -> None:
    """A document whose text carries a classified marking is refused, like an item's text."""
    try:
        marking = marking_in_file(upload, content_type)
    except UnreadableDocument:
        raise UploadRefused(
            _(
                "“%(name)s” is encrypted, so it cannot be checked for classified markings. "
                "Attach it without a password."
            )
            % {"name": name}
        ) from None
    if marking:
        raise UploadRefused(
            _(
                "“%(name)s” carries the classified marking “%(marking)s”. Classified material "
                "must never be sent through this system; send it through the classified "
                "channel instead."
            )
            % {"name": name, "marking": marking}
        )


def max_picture_pixels() -> int:
    limit: int = settings.XINBAO_MAX_PICTURE_PIXELS
    return limit


def picture_too_large(width: int, height: int) -> bool:
    return width * height > max_picture_pixels()


def _check_pixels(upload: UploadedFile, name: str) -> None:
    """Refuse a picture by its pixel count, read from its header: nothing is decoded."""
    limit = max_picture_pixels()
    megapixels = f"{limit / 1_000_000:g}"
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload) as picture:
                width, height = picture.size
    except Image.DecompressionBombError:
        # Pillow's own ceiling (twice its limit) refuses even to read the header.
        raise UploadRefused(
            _(
                "“%(name)s” has far too many pixels; "
                "a picture may have at most %(limit)s megapixels."
            )
            % {"name": name, "limit": megapixels}
        ) from None
    except (UnidentifiedImageError, OSError, ValueError):
        # A type Pillow cannot read (HEIC): kept, without a thumbnail.
        return
    finally:
        upload.seek(0)
    if width * height > limit:
        raise UploadRefused(
            _(
                "“%(name)s” is %(width)s × %(height)s pixels; "
                "a picture may have at most %(limit)s megapixels."
            )
            % {"name": name, "width": width, "height": height, "limit": megapixels}
        )


def human_size(n: int) -> str:
    if n >= MB:
        return f"{n / MB:.0f} MB" if n % MB == 0 else f"{n / MB:.1f} MB"
    return f"{max(n // 1024, 1)} KB"
