"""Classified material never enters the system: detect the markings that say it is."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The marking of a classified document puts ★ between the level and the term, e.g.
# "机密★1年" or "秘密★", and the level alone in a title block ("绝密 ★"). The marking
# "涉密" in a header does the same job. A bare word like "秘密" in prose is not a marking.
_MARKING = re.compile(r"(绝密|机密|秘密)\s*[★☆*＊]|[★☆]\s*(绝密|机密|秘密)")


def classified_marking(*texts: str) -> str | None:
    """The first classified marking found in the texts, or None."""
    for text in texts:
        match = _MARKING.search(text or "")
        if match:
            return match.group(0)
    return None


def classified_message(marking: str) -> str:
    """What the user is told when a text carries a marking, in their language."""
    return _(
        "This text carries the classified marking “%(marking)s”. Classified material must "
        "never be sent through this system; send it through the classified channel instead."
    ) % {"marking": marking}


def refuse_classified(*texts: str, field: str | None = None) -> None:
    """Raise a ``ValidationError`` (code ``classified``) when any text carries a marking.

    ``field`` names the form field the error belongs to, so that a form shows it there.
    """
    marking = classified_marking(*texts)
    if marking is None:
        return
    error = ValidationError(classified_message(marking), code="classified")
    raise ValidationError({field: [error]}) if field else error
