"""Same-event groups on the desk: the group panel's reads and the comprehensive draft's text.

The draft is written from the group's items that may still be merged: the facts they share
(event time, place), one line of figures per unit, and one representative sentence per unit,
the one most central to what the other units wrote. ``services.merge`` then stores it, crediting
every source unit and auditing the merge.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xinbao.accounts.models import User
from xinbao.desk.access import UNSENT
from xinbao.desk.selectors import merge_sources
from xinbao.items.models import Item
from xinbao.items.similarity import Group, group_of
from xinbao.lib.facts import Count, Facts, extract_facts
from xinbao.lib.text import sentences, words

TITLE_MAX = 200


@dataclass(frozen=True)
class Panel:
    group: Group
    #: The group's items the desk may still merge (submitted or received), oldest first.
    mergeable: list[Item]


def panel(user: User, item: Item) -> Panel:
    found = group_of(item, user)
    # The desk's view of it: what units withdrew is theirs again, as in the inbox.
    group = Group(item, [s for s in found.similar if s.item.status not in UNSENT])
    ids = [i.pk for i in group.items]
    return Panel(group, merge_sources(user, ids) if len(ids) > 1 else [])


# --- the draft -----------------------------------------------------------------------------


def _facts(item: Item) -> Facts:
    return extract_facts(
        f"{item.body}\n{item.title}", reference_time=item.submitted_at or item.created_at
    )


def _unit_name(item: Item) -> str:
    return item.unit.short_name or item.unit.name


def _join(parts: Sequence[str]) -> str:
    return pgettext("list of names", ", ").join(parts)


def _when(value: dt.datetime, *, clock: bool = True) -> str:
    local = timezone.localtime(value)
    # Translators: a date format of Django's date filter ("7月3日 10:00").
    fmt = _("M j, H:i") if clock else _("M j")
    return str(dateformat.format(local, fmt))


def _count(c: Count) -> str:
    if c.bound == "at_least":
        return _("at least %(n)s") % {"n": c.value}
    if c.bound == "about":
        return _("about %(n)s") % {"n": c.value}
    return str(c.value)


def _figures(facts: list[Facts]) -> list[str]:
    """What a unit's reports state, the largest of each figure (totals are restated, rising)."""

    def largest(name: str) -> Count | None:
        counts = [c for f in facts if (c := getattr(f, name)) is not None]
        return max(counts, key=lambda c: c.value, default=None)

    labels = (
        ("deaths", _("%(n)s dead")),
        ("injuries", _("%(n)s injured")),
        ("missing", _("%(n)s missing")),
        ("trapped", _("%(n)s trapped")),
        ("evacuated", _("%(n)s evacuated")),
    )
    out = [label % {"n": _count(c)} for name, label in labels if (c := largest(name)) is not None]
    losses = [f.direct_loss.yuan for f in facts if f.direct_loss is not None]
    if losses:
        out.append(_("direct losses of %(yuan)s yuan") % {"yuan": f"{max(losses):,.0f}"})
    return out


def _word_set(text: str) -> set[str]:
    return {w for w in words(text) if any(ch.isalnum() for ch in w)}


def _central_sentence(own: Sequence[Item], others: Sequence[Item], taken: set[str]) -> str:
    """The sentence of ``own`` that shares the most of its words with the other items.

    Sentences of fewer than four words are passed over while longer ones exist, and so are
    those ``taken`` by another unit already (a sentence copied from one report to another
    would otherwise stand for both); with no other items, the first long sentence wins.
    """
    others_words = [_word_set(f"{o.title}\n{o.body}") for o in others]
    best, best_score = "", -1.0
    for item in own:
        for sentence in sentences(item.body):
            ws = _word_set(sentence)
            if not ws:
                continue
            overlap = (
                sum(len(ws & other) / len(ws) for other in others_words) / len(others_words)
                if others_words
                else 0.0
            )
            score = overlap + (1.0 if len(ws) >= 4 else 0.0) + (0.0 if sentence in taken else 2.0)
            if score > best_score:
                best, best_score = sentence, score
    taken.add(best)
    if best and best[-1] not in "。！？!?；;":
        best += pgettext("sentence end", ".")
    return best


@dataclass(frozen=True)
class Draft:
    title: str
    body: str


def comprehensive_draft(items: Sequence[Item]) -> Draft:
    """A comprehensive item's title and text from reports of one event by several units,
    written in the office's language whatever the editor's screen shows: the draft goes into
    the office's periodicals."""
    with translation.override(settings.LANGUAGE_CODE):
        return _comprehensive_draft(items)


def _comprehensive_draft(items: Sequence[Item]) -> Draft:
    ordered = sorted(items, key=lambda i: i.submitted_at or i.created_at)
    facts = {i.pk: _facts(i) for i in ordered}
    by_unit: dict[str, list[Item]] = {}
    for i in ordered:
        by_unit.setdefault(_unit_name(i), []).append(i)
    names = list(by_unit)
    first, latest = ordered[0], ordered[-1]

    # The title of the report closest to all others stands for the event.
    def centrality(item: Item) -> int:
        mine = _word_set(item.title)
        return sum(len(mine & _word_set(o.title)) for o in ordered if o is not item)

    lead = max(ordered, key=centrality)
    title = _("%(title)s (reports of %(n)s units)") % {"title": lead.title, "n": len(names)}

    paragraphs = [
        _("From %(first)s to %(latest)s, %(n)s units reported this: %(units)s.")
        % {
            "first": _when(first.submitted_at or first.created_at),
            "latest": _when(latest.submitted_at or latest.created_at),
            "n": len(names),
            "units": _join(names),
        }
    ]
    shared = []
    places = Counter(f.place.text for f in facts.values() if f.place is not None)
    times = Counter(
        (f.event_time.value, f.event_time.has_clock)
        for f in facts.values()
        if f.event_time is not None
    )
    if times:
        (value, clock), _n = times.most_common(1)[0]
        shared.append(_("Time of the event: %(time)s.") % {"time": _when(value, clock=clock)})
    if places:
        shared.append(_("Place: %(place)s.") % {"place": places.most_common(1)[0][0]})
    if shared:
        paragraphs.append("".join(shared))

    lines = [_("Figures reported by each unit:")]
    for name, own in by_unit.items():
        figures = _figures([facts[i.pk] for i in own])
        if figures:
            lines.append(
                _("%(unit)s: %(figures)s.")
                % {"unit": name, "figures": pgettext("list of figures", ", ").join(figures)}
            )
        else:
            lines.append(_("%(unit)s: no figures reported.") % {"unit": name})
    paragraphs.append("\n".join(lines))

    lines = [_("What each unit reported:")]
    taken: set[str] = set()
    for name, own in by_unit.items():
        others = [i for i in ordered if _unit_name(i) != name]
        sentence = _central_sentence(own, others, taken)
        if sentence:
            lines.append(_("%(unit)s: %(sentence)s") % {"unit": name, "sentence": sentence})
    paragraphs.append("\n".join(lines))
    return Draft(title[:TITLE_MAX], "\n\n".join(paragraphs))
