"""Classified material never enters the system: detect the markings that say it is."""

from __future__ import annotations

import re

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
