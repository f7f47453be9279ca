"""Matching a text against what someone asked to follow: a priority's or an interest's keywords.

One matcher for every app above items (agenda, interests, topic lists ...), so that "this item
is about that" means the same thing everywhere and is measured in one place (bench/matching.py,
its labelled set written from the demo's texts).

A :class:`Profile` is built once (``profile(keywords, exclude)``) and reused for many texts.
Terms and texts are compared on their normalised forms (``lib.text.normalise``: NFC,
half-width, simplified characters; ASCII lower-cased), so 防汛 finds 防汛 in a traditional or
full-width text. A term may be a phrase (河长制, 高效办成一件事); a Chinese term of parts
separated by spaces (汛期 安全) asks for every part in the same text, anywhere; a term of ASCII
letters and digits only matches as a whole word (AI does not match in MAIL, "5g base" as it is).

``match`` scores what it found: each keyword found gives a strength, more in the title than in
the body, more for a body that mentions it again; the strengths combine so that every further
distinct keyword raises the score towards 1. A text with an ``exclude`` term is no match at all,
and neither is one scoring under ``MIN_SCORE``. The reasons say, in the user's language, which
terms were found where.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from xinbao.lib.text import normalise

#: What one keyword found in the title counts for (0..1).
TITLE_WEIGHT = 0.6
#: What one keyword mentioned once in the body counts for.
BODY_WEIGHT = 0.3
#: What each further mention in the body adds, up to ``BODY_REPEAT_CAP`` further mentions.
BODY_REPEAT = 0.1
BODY_REPEAT_CAP = 3
#: Below this score a text is not a match. 0.5 takes a keyword in the title, two keywords in
#: the body, or one mentioned three times; a single passing mention in the body is not enough.
#: Chosen on the labelled demo set (bench/matching.py, six profiles, 300 items): at 0.3
#: precision 0.84 and recall 0.94, at 0.5 precision 0.98 and recall 0.89 (F1 0.89 → 0.93).
MIN_SCORE = 0.5

#: Separators of keywords written in one line: the enumeration comma, commas, semicolons.
_SEPARATORS = re.compile(r"[、,，;；\n\r]+")
_ASCII_WORD = re.compile(r"[0-9a-z]+(?:[ .\-_][0-9a-z]+)*")


def clean(term: str) -> str:
    """A term as the matcher compares it: normalised, lower-cased, inner spaces squeezed."""
    return " ".join(normalise(term).lower().split())


def split_terms(text: str) -> list[str]:
    """Terms typed in one field, one a line or separated by 、 , ， ; ；; order kept, empty and
    repeated ones dropped (as the matcher compares them)."""
    seen: dict[str, str] = {}
    for piece in _SEPARATORS.split(text or ""):
        term = " ".join(piece.split())
        if term and clean(term) not in seen:
            seen[clean(term)] = term
    return list(seen.values())


@dataclass(frozen=True)
class Profile:
    """What to look for: built once, reused for many texts."""

    keywords: tuple[str, ...]
    exclude: tuple[str, ...] = ()


def profile(keywords: Iterable[str], exclude: Iterable[str] = ()) -> Profile:
    """A profile of the normalised, distinct, non-empty ``keywords`` and ``exclude`` terms."""
    return Profile(
        keywords=tuple(dict.fromkeys(c for k in keywords if (c := clean(k)))),
        exclude=tuple(dict.fromkeys(c for k in exclude if (c := clean(k)))),
    )


#: One reason a match was made, kept as data so that it is said in each reader's language:
#: ``{"where": "title", "term": t}``, ``{"where": "body", "term": t, "count": n}`` or
#: ``{"where": "manual", "name": who}``.
Reason = dict[str, Any]


def describe(reasons: Iterable[Reason | str]) -> list[str]:
    """The reasons as sentences in the active language (a sentence stored as text, from
    before reasons were kept as data, is shown as it is)."""
    said: list[str] = []
    for reason in reasons:
        if isinstance(reason, str):
            said.append(reason)
        elif reason.get("where") == "title":
            said.append(_("the title contains “%(term)s”") % {"term": reason["term"]})
        elif reason.get("where") == "body":
            count = int(reason.get("count", 1))
            said.append(
                ngettext(
                    "the text mentions “%(term)s” once",
                    "the text mentions “%(term)s” %(count)d times",
                    count,
                )
                % {"term": reason["term"], "count": count}
            )
        elif reason.get("where") == "manual":
            said.append(_("added by %(name)s") % {"name": reason.get("name", "")})
    return said


@dataclass(frozen=True)
class Match:
    score: float
    """0..1: higher for more distinct keywords, for a title hit, for repeated mentions."""
    facts: tuple[Reason, ...]
    """Which term was found where, as data (stored as it is)."""

    @property
    def reasons(self) -> tuple[str, ...]:
        """The facts as sentences in the active language."""
        return tuple(describe(self.facts))


@functools.lru_cache(maxsize=4096)
def _pattern(term: str) -> re.Pattern[str]:
    if _ASCII_WORD.fullmatch(term):
        # A Latin word or number matches whole, not inside a longer one.
        return re.compile(r"(?<![0-9a-z])" + re.escape(term) + r"(?![0-9a-z])")
    return re.compile(re.escape(term))


def _count(term: str, text: str) -> int:
    """How often ``term`` occurs in ``text``; for a term of parts (汛期 安全), how often the
    rarest part does (0 when one is missing)."""
    if " " in term and not _ASCII_WORD.fullmatch(term):
        return min(_count(part, text) for part in term.split(" "))
    return len(_pattern(term).findall(text)) if term in text else 0


def match(profile: Profile, *, title: str, body: str, min_score: float = MIN_SCORE) -> Match | None:
    """How well the text matches ``profile``; None when it does not (no keyword found, an
    excluded term found, or a score under ``min_score``: the bench measures other bars)."""
    if not profile.keywords:
        return None
    head, text = clean(title), clean(body)
    for term in profile.exclude:
        if _count(term, head) or _count(term, text):
            return None
    missing = 1.0
    facts: list[Reason] = []
    for term in profile.keywords:
        in_title, in_body = _count(term, head), _count(term, text)
        if not in_title and not in_body:
            continue
        strength = 0.0
        if in_title:
            strength = TITLE_WEIGHT
            facts.append({"where": "title", "term": term})
        if in_body:
            repeats = min(in_body - 1, BODY_REPEAT_CAP)
            strength = max(strength, BODY_WEIGHT + BODY_REPEAT * repeats)
            if in_title:
                strength = min(strength + BODY_REPEAT, 1.0)
            facts.append({"where": "body", "term": term, "count": in_body})
        missing *= 1.0 - strength
    score = round(1.0 - missing, 4)
    if not facts or score < min_score:
        return None
    return Match(score=score, facts=tuple(facts))
