"""Chinese text helpers: words by jieba, and diffs by words rather than by characters.

jieba builds its dictionary (about a second) on the first segmentation, not on import: a
process that never segments never pays for it, and one that does pays once. Its startup
chatter ("Building prefix dict ...") is silenced; warnings still come through.
"""

from __future__ import annotations

import difflib
import functools
import logging
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
