"""Chinese text helpers: normalisation, sentences, words with the office's own dictionary, and
diffs by words rather than by characters.

Two segmenters live here. Diffs (``tokens``, ``words``, ``word_diff``) use Python jieba, as they
always have. Search and analysis (``segment``, ``index_words``, ``query_words``) use rjieba, a
binding of jieba-rs with the same dictionary and about 20 times the speed (bench/segment.py,
docs/architecture.md), extended with the office's words: apps register providers with
``register_words`` (org gives its unit names and its dictionary of terms). The segmenter checks
at most once every ``CHECK_SECONDS`` whether a provider's version changed and rebuilds itself
(about 0.1 s) when one did, so an edited term is used without a restart.

Both dictionaries load on first use, not on import: a process that never segments never pays
for it. jieba's startup chatter ("Building prefix dict ...") is silenced; warnings come through.
"""

from __future__ import annotations

import difflib
import functools
import logging
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

OpName = Literal["equal", "insert", "delete", "replace"]


@functools.cache
def _jieba() -> Any:
    """The jieba module, imported on first use with its own DEBUG logging turned down.

    jieba sets its logger to DEBUG when imported, over whatever the settings said, so the
    level is set again here, after the import.
    """
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def tokens(text: str) -> list[str]:
    """Every token of ``text`` in accurate mode, whitespace included: they join back to it."""
    if not text:
        return []
    return list(_jieba().lcut(text, cut_all=False, HMM=True))


def words(text: str) -> list[str]:
    """The words of ``text`` in jieba's accurate mode; punctuation kept, whitespace dropped."""
    return [t for t in tokens(text) if not t.isspace()]


@dataclass(frozen=True)
class DiffOp:
    """One step from the old text to the new: ``old`` is what goes, ``new`` what comes.

    For ``equal`` both are the same text; ``insert`` has no ``old``, ``delete`` no ``new``.
    """

    op: OpName
    old: str
    new: str


def word_diff(old: str, new: str) -> list[DiffOp]:
    """The edit from ``old`` to ``new`` in Chinese words, so 300→320 is one replaced word.

    Joining the ``old`` parts gives ``old`` back, the ``new`` parts ``new``.
    """
    a, b = tokens(old), tokens(new)
    # autojunk would treat frequent tokens (的, ，) in long texts as noise and misalign them.
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    ops: list[DiffOp] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        ops.append(DiffOp(tag, "".join(a[i1:i2]), "".join(b[j1:j2])))
    return ops


def diff_html(old: str, new: str) -> SafeString:
    """The diff as HTML: deletions in ``<del>``, insertions in ``<ins>``, every text escaped.

    Line breaks are kept as they are; show the result in a ``white-space: pre-wrap`` block.
    """
    parts: list[SafeString] = []
    for op in word_diff(old, new):
        if op.op == "equal":
            parts.append(format_html("{}", op.old))
            continue
        if op.old:
            parts.append(format_html("<del>{}</del>", op.old))
        if op.new:
            parts.append(format_html("<ins>{}</ins>", op.new))
    return format_html_join("", "{}", ((p,) for p in parts))


# --- Normalisation --------------------------------------------------------------------------

#: Full-width forms of ASCII (！ to ～) lie at a fixed offset from their half-width forms.
_FULL_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULL_WIDTH[0x3000] = 0x20  # the ideographic space


@functools.cache
def _t2s() -> Any:
    """OpenCC's traditional-to-simplified converter (phrase-aware: 頭髮 → 头发, not 头发/头發)."""
    import opencc

    return opencc.OpenCC("t2s")


def to_half_width(text: str) -> str:
    """Full-width letters, digits, signs and the ideographic space as their ASCII forms."""
    return text.translate(_FULL_WIDTH)


def to_simplified(text: str) -> str:
    """Traditional characters as simplified ones; simplified text comes back unchanged."""
    return str(_t2s().convert(text)) if text else text


def normalise(text: str, *, simplified: bool = True) -> str:
    """Text as search and comparison see it: NFC, half-width ASCII forms, and (by default)
    simplified characters. Stored text is never rewritten with it: it is for matching."""
    text = to_half_width(unicodedata.normalize("NFC", text))
    return to_simplified(text) if simplified else text


# --- Sentences ------------------------------------------------------------------------------

_SENTENCE = re.compile(r".*?(?:[。！？!?]+[”’」』）)\"']*|[\r\n]+|$)", re.S)


def sentences(text: str) -> list[str]:
    """The sentences of ``text``: ended by 。！？ (closing quotes stay with them) or a line break.

    A semicolon does not end a sentence; empty pieces are dropped, each sentence is stripped.
    """
    found = (m.group(0).strip() for m in _SENTENCE.finditer(text))
    return [s for s in found if s]


# --- The office's dictionary ----------------------------------------------------------------

WordsProvider = Callable[[], Iterable[str]]
VersionProvider = Callable[[], Hashable]

#: How often (seconds) a process asks the providers whether their words changed.
CHECK_SECONDS = 60.0

_providers: list[tuple[WordsProvider, VersionProvider | None]] = []


def register_words(
    provider: WordsProvider, *, version: VersionProvider | None = None
) -> WordsProvider:
    """Add words to the segmenter's dictionary: ``provider()`` returns them.

    ``version()`` returns a cheap value that changes whenever the provider's words do (a
    counter, say); without it the words are read once per process. Registering the same
    provider twice is a no-op. Usable as a decorator.
    """
    if all(p is not provider for p, _v in _providers):
        _providers.append((provider, version))
        _state.checked_at = None
    return provider


def unregister_words(provider: WordsProvider) -> None:
    """Take a provider out again (tests that register their own)."""
    _providers[:] = [(p, v) for p, v in _providers if p is not provider]
    _state.checked_at = None
    _state.versions = None


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.segmenter: Any = None
        self.versions: tuple[Hashable, ...] | None = None
        self.checked_at: float | None = None
        self.words: frozenset[str] = frozenset()


_state = _State()


def _versions() -> tuple[Hashable, ...]:
    return tuple(v() if v is not None else None for _p, v in _providers)


def office_words() -> frozenset[str]:
    """Every word the providers give now (stripped, non-empty)."""
    found: set[str] = set()
    for provider, _v in _providers:
        found.update(w.strip() for w in provider() if w and w.strip())
    return frozenset(found)


def _build() -> Any:
    import rjieba

    seg = rjieba.Jieba()
    words = office_words()
    for word in sorted(words):
        # A frequency high enough that the whole name wins over its parts (西湖区 + 防汛 ...).
        seg.add_word(normalise(word), max(seg.suggest_freq(normalise(word)), 1000), None)
    _state.words = words
    return seg


def segmenter() -> Any:
    """The rjieba segmenter with the office's words, rebuilt when a provider's version moved
    (asked at most once every ``CHECK_SECONDS``)."""
    now = time.time()
    with _state.lock:
        # A clock set back (a test's time travel, an NTP step) makes the last check due too.
        elapsed = None if _state.checked_at is None else now - _state.checked_at
        due = elapsed is None or not 0 <= elapsed < CHECK_SECONDS
        if _state.segmenter is not None and not due:
            return _state.segmenter
        versions = _versions()
        if _state.segmenter is None or versions != _state.versions:
            _state.segmenter = _build()
            _state.versions = versions
        _state.checked_at = now
        return _state.segmenter


def reload_dictionary() -> None:
    """Ask the providers again on the next segmentation, whatever ``CHECK_SECONDS`` says."""
    with _state.lock:
        _state.checked_at = None
        _state.versions = None


# A letter or a digit of any script (``\w`` without the underscore): what ``str.isalnum`` and
# the Unicode categories L* and N* accept, tested in C rather than character by character.
_WORD_CHAR = re.compile(r"[^\W_]")
# Clause ends: a token of these alone separates clauses (see ``clauses``).
_CLAUSE_MARK = re.compile(r"[。！？!?；;，,、：:\s]+")


def _is_word(token: str) -> bool:
    """A token that carries meaning: not whitespace, not only punctuation or symbols."""
    # isalnum answers most tokens (all letters or digits) faster than the pattern.
    return token.isalnum() or _WORD_CHAR.search(token) is not None


def segment(text: str) -> list[str]:
    """The words of the normalised ``text`` (accurate mode, office dictionary), punctuation and
    whitespace dropped, ASCII lower-cased."""
    if not text:
        return []
    cut = segmenter().cut(normalise(text), True)
    return [t.lower() for t in cut if _is_word(t)]


def clauses(text: str) -> list[list[str]]:
    """The words of each clause of ``text`` (as ``segment``), clauses split at 。，、；：, their
    ASCII forms and line breaks; clauses without a word are left out.

    One cut of the whole text: the segmenter never joins characters across punctuation, so
    this gives what cutting each clause alone would, in one call.
    """
    if not text:
        return []
    out: list[list[str]] = []
    current: list[str] = []
    for token in segmenter().cut(normalise(text), True):
        if _is_word(token):
            current.append(token.lower())
        elif current and _CLAUSE_MARK.search(token):
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def index_words(text: str) -> list[str]:
    """Words to index ``text`` under: search mode, so a long word also gives its known parts
    (西湖区防汛指挥部 → 西湖, 湖区, 西湖区, 防汛, 指挥, 指挥部 and the whole), and a query for
    any of them finds it."""
    if not text:
        return []
    cut = segmenter().cut_for_search(normalise(text), True)
    return [t.lower() for t in cut if _is_word(t)]


def query_words(text: str) -> list[str]:
    """The distinct words of a search query, in order (accurate mode, as ``segment``)."""
    return list(dict.fromkeys(segment(text)))
