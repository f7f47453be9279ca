"""What makes a fetched entry a post, before any transaction: its canonical URL and hashes, its
text as the watchlist sees it, its MinHash signature and bands (``xinbao.items.similarity``'s
pure functions over ``xinbao.lib.text.clauses``), and its watchlist matches.

``near_duplicate`` finds a stored post with nearly the same text through ``PostBand``'s
(band, hash) index: one query for the candidates sharing a band, one for their signatures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q

from xinbao.items.similarity import band_hashes, jaccard, shingles, signature, unpack
from xinbao.lib.text import clauses
from xinbao.monitor import search
from xinbao.monitor.models import PostBand, PostSignature, SourceKind
from xinbao.monitor.parse import Entry, canonical_url, content_hash, sha256
from xinbao.monitor.watch import Automaton, Match, text_key

#: The most candidates one lookup reads.
MAX_CANDIDATES = 200


@dataclass(frozen=True)
class Prepared:
    entry: Entry
    url: str
    url_hash: str
    content_hash: str
    normalised: str
    signature: tuple[int, ...] | None
    bands: list[tuple[int, int]]
    matches: list[Match]
    #: The title's and the text's words for full-text search (``monitor.search``).
    words: tuple[str, str] = ("", "")


def prepare(entry: Entry, *, kind: str, automaton: Automaton) -> Prepared:
    url = canonical_url(entry.url)
    digest = content_hash(entry.title, entry.text)
    # A page keeps its address while its text changes: each version is a post of its own.
    url_hash = sha256(f"{url}\n{digest}") if kind == SourceKind.PAGE else sha256(url)
    normalised = text_key(entry.title, entry.text)
    sig = signature(shingles(entry.title, entry.text, clauses=clauses(normalised)))
    return Prepared(
        entry=entry,
        url=url,
        url_hash=url_hash,
        content_hash=digest,
        normalised=normalised,
        signature=sig,
        bands=band_hashes(sig) if sig is not None else [],
        matches=automaton.find(normalised),
        words=search.words_of(entry.title, entry.text),
    )


def near_duplicate(
    sig: Sequence[int] | None, bands: list[tuple[int, int]], threshold: float
) -> tuple[int, float] | None:
    """The stored post most similar to ``sig`` at or above ``threshold``, with its similarity."""
    if sig is None or not bands:
        return None
    match = Q()
    for band, value in bands:
        match |= Q(band=band, hash=value)
    ids = list(
        PostBand.objects.filter(match).values_list("post_id", flat=True).distinct()[:MAX_CANDIDATES]
    )
    best: tuple[int, float] | None = None
    for pk, packed in PostSignature.objects.filter(post_id__in=ids).values_list(
        "post_id", "minhash"
    ):
        score = jaccard(sig, unpack(packed))
        if score >= threshold and (best is None or score > best[1]):
            best = (pk, score)
    return best
