"""Pictures for official documents: upright, in a format every office suite reads, not huge.

A phone photo is often a 5–20 MB JPEG turned by its EXIF orientation, or a WebP; Word and WPS
read JPEG and PNG, and a document of several such photos would be too large to mail. A picture
is therefore turned upright, scaled to at most :data:`MAX_PIXELS` on its long side (about 300 dpi
across the 156 mm text width) and stored as JPEG, or PNG when it has transparency.
"""

from __future__ import annotations

import io
from typing import Final

from PIL import Image, ImageOps, UnidentifiedImageError

from xinbao.lib.officedoc.model import Figure

MAX_PIXELS: Final = 1800


def figure(data: bytes, caption: str) -> Figure:
    """A :class:`Figure` of the picture ``data``; one that cannot be read prints its caption only
    (HEIC without a decoder, a damaged file)."""
    try:
        with Image.open(io.BytesIO(data)) as original:
            picture = ImageOps.exif_transpose(original)
            picture.thumbnail((MAX_PIXELS, MAX_PIXELS))
            out = io.BytesIO()
            if picture.mode in ("RGBA", "LA", "P") and _has_alpha(picture):
                picture.convert("RGBA").save(out, "PNG", optimize=True)
                content_type = "image/png"
            else:
                picture.convert("RGB").save(out, "JPEG", quality=85)
                content_type = "image/jpeg"
            width, height = picture.size
    except (UnidentifiedImageError, OSError, ValueError):
        return Figure(image=None, caption=caption)
    return Figure(
        image=out.getvalue(),
        width=width,
        height=height,
        caption=caption,
        content_type=content_type,
    )


def _has_alpha(picture: Image.Image) -> bool:
    if picture.mode == "P":
        return "transparency" in picture.info
    return True


#: A tall picture is kept shorter than the type area (225 mm), leaving room for its caption
#: and a few lines of text on its page.
MAX_HEIGHT_MM: Final = 170.0


def size_mm(block: Figure, text_width_mm: float) -> tuple[float, float]:
    """The printed width and height: the width of the text, or less for a tall picture."""
    if not block.width or not block.height:
        return 0.0, 0.0
    width = text_width_mm
    height = width * block.height / block.width
    if height > MAX_HEIGHT_MM:
        height = MAX_HEIGHT_MM
        width = height * block.width / block.height
    return round(width, 2), round(height, 2)
