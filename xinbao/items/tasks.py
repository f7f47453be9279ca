"""Background work on items. Tasks take ids only and are enqueued on commit."""

from __future__ import annotations

import io
import warnings

from django.core.files.base import ContentFile
from django_tasks import task
from PIL import Image, ImageOps, UnidentifiedImageError

from xinbao.items.attachments import picture_too_large
from xinbao.items.models import Attachment
from xinbao.scheduler.idempotent import idempotent

THUMBNAIL_BOX = (480, 480)


# Idempotent: a thumbnail that exists is kept; the attachment points at a new one only once it
# is written whole, and a file a cut-off run left behind goes with the orphan-file sweep.
@idempotent
@task()
def make_thumbnail(attachment_id: int) -> str:
    """Write a JPEG thumbnail of a picture, upright per its EXIF orientation."""
    attachment = Attachment.objects.filter(pk=attachment_id).first()
    if attachment is None:
        return "gone"
    if attachment.thumbnail:
        return "exists"
    try:
        with warnings.catch_warnings():
            # The limit is ours (checked below, before anything is decoded), not Pillow's.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with attachment.file.open("rb") as fh, Image.open(fh) as original:
                if picture_too_large(*original.size):
                    return "too large"
                upright = ImageOps.exif_transpose(original)
                upright.thumbnail(THUMBNAIL_BOX)
                out = io.BytesIO()
                upright.convert("RGB").save(out, "JPEG", quality=80)
    except Image.DecompressionBombError:
        return "too large"
    except (UnidentifiedImageError, OSError):
        # HEIC and damaged pictures have no thumbnail; the original is still offered.
        return "unsupported"
    attachment.thumbnail.save(
        f"thumbs/{attachment.sha256}.jpg", ContentFile(out.getvalue()), save=False
    )
    Attachment.objects.filter(pk=attachment.pk).update(thumbnail=attachment.thumbnail.name)
    return "made"
