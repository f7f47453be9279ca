"""The full-text engine under every search: SQLite FTS5 by default, PostgreSQL in production.

An index is a table of entries (``id``, ``title``, ``body``: space-joined words cut by
``xinbao.lib.text.index_words``, so that FTS5's ``unicode61`` tokenizer and PostgreSQL's
``simple`` configuration see one Chinese word per token) plus, per vendor, what makes it
searchable: on SQLite an external-content FTS5 table kept by triggers in the writer's
transaction, on PostgreSQL a generated ``tsvector`` column with a GIN index. An app declares
its ``Index``, creates it in a migration with ``migration_operation`` and asks ``match_sql``
for the newest matches; the items' search and the collected posts' search are the two users.

Also here, app-free: the highlighting of a query's words in a text and its snippet.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, migrations
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from xinbao.lib.text import normalise

#: Characters of a snippet, and of context before the first match.
SNIPPET_CHARS = 120
SNIPPET_LEAD = 30


@dataclass(frozen=True)
class Index:
    """``table``: the entries (an integer ``id`` primary key or ``id_column``, ``title``,
    ``body``); ``fts``: the name of its FTS5 table on SQLite (and the prefix of its triggers);
    ``document_index``: the name of the GIN index on PostgreSQL."""

    table: str
    fts: str
    document_index: str
    id_column: str = "id"

    def sqlite(self) -> tuple[list[str], list[str]]:
        t, f, i = self.table, self.fts, self.id_column
        # Every statement may run twice (a test replays migrations on a flushed database).
        create = [
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {f} USING fts5(title, body, "
            f"content='{t}', content_rowid='{i}', tokenize='unicode61')",
            f"CREATE TRIGGER IF NOT EXISTS {f}_ai AFTER INSERT ON {t} BEGIN "  # noqa: S608  (our names)
            f"INSERT INTO {f}(rowid, title, body) VALUES (new.{i}, new.title, new.body); END",
            f"CREATE TRIGGER IF NOT EXISTS {f}_ad AFTER DELETE ON {t} BEGIN "  # noqa: S608  (our names)
            f"INSERT INTO {f}({f}, rowid, title, body) "
            f"VALUES ('delete', old.{i}, old.title, old.body); END",
            f"CREATE TRIGGER IF NOT EXISTS {f}_au AFTER UPDATE ON {t} BEGIN "  # noqa: S608  (our names)
            f"INSERT INTO {f}({f}, rowid, title, body) "
            f"VALUES ('delete', old.{i}, old.title, old.body); "
            f"INSERT INTO {f}(rowid, title, body) VALUES (new.{i}, new.title, new.body); END",
        ]
        drop = [
            f"DROP TRIGGER IF EXISTS {f}_au",
            f"DROP TRIGGER IF EXISTS {f}_ad",
            f"DROP TRIGGER IF EXISTS {f}_ai",
            f"DROP TABLE IF EXISTS {f}",
        ]
        return create, drop

    def postgresql(self) -> tuple[list[str], list[str]]:
        t = self.table
        create = [
            # The 'simple' configuration only lower-cases: the words are already segmented.
            f"ALTER TABLE {t} ADD COLUMN IF NOT EXISTS document tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('simple', title), 'A') || "
            "setweight(to_tsvector('simple', body), 'B')) STORED",
            f"CREATE INDEX IF NOT EXISTS {self.document_index} ON {t} USING GIN (document)",
        ]
        drop = [
            f"DROP INDEX IF EXISTS {self.document_index}",
            f"ALTER TABLE {t} DROP COLUMN IF EXISTS document",
        ]
        return create, drop


def migration_operation(index: Index) -> migrations.RunPython:
    """The migration step that makes ``index``'s table searchable (and undoes it)."""

    def run(forward: bool) -> Any:
        def apply(apps: Any, schema_editor: Any) -> None:
            vendor = schema_editor.connection.vendor
            if vendor not in ("sqlite", "postgresql"):
                return
            create, drop = getattr(index, vendor)()
            for sql in create if forward else drop:
                schema_editor.execute(sql)

        return apply

    return migrations.RunPython(run(True), run(False))


def _fts5_query(words: Sequence[str]) -> str:
    # Each word a quoted string (a double quote doubled), all of them required.
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def match_sql(
    index: Index,
    words: Sequence[str],
    window: int,
    *,
    columns: Sequence[str] = (),
    where: str = "",
    params: Sequence[Any] = (),
) -> tuple[str, list[Any]]:
    """SQL for (the entry's ``columns``..., relevance) of the newest ``window`` entries
    matching every word (a higher relevance is better; the title counts more).

    ``where`` (with ``params``) narrows the entries, on the alias ``e``. On SQLite it applies
    to the window of newest matches; on PostgreSQL before the window.
    """
    cols = "".join(f"e.{c}, " for c in columns)
    extra = f" AND {where}" if where else ""
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT {cols}ts_rank(e.document, q) AS relevance "  # noqa: S608  (names are ours)
            f"FROM {index.table} e, plainto_tsquery('simple', %s) q "
            f"WHERE e.document @@ q{extra} ORDER BY e.{index.id_column} DESC LIMIT %s"
        )
        return sql, [" ".join(words), *params, window]
    # bm25 is lower for a better match; the title counts three times the body.
    sql = (
        f"SELECT {cols}-f.score AS relevance FROM ("  # noqa: S608  (names are ours)
        f"SELECT rowid AS id, bm25({index.fts}, 3.0, 1.0) AS score "
        f"FROM {index.fts} WHERE {index.fts} MATCH %s "
        f"ORDER BY rowid DESC LIMIT %s) f "
        f"JOIN {index.table} e ON e.{index.id_column} = f.id{(' WHERE ' + where) if where else ''}"
    )
    return sql, [_fts5_query(words), window, *params]


def matches(
    index: Index,
    words: Sequence[str],
    window: int,
    *,
    columns: Sequence[str] = (),
    where: str = "",
    params: Sequence[Any] = (),
) -> list[tuple[Any, ...]]:
    """The rows of ``match_sql``: each entry's ``columns`` and its relevance last."""
    sql, bound = match_sql(index, words, window, columns=columns, where=where, params=params)
    with connection.cursor() as cursor:
        cursor.execute(sql, bound)
        return [tuple(row) for row in cursor.fetchall()]


# --- Snippets -------------------------------------------------------------------------------


def has_mark(html: str) -> bool:
    return "<mark>" in html


def _spans(text: str, words: Sequence[str]) -> list[tuple[int, int]]:
    """Where the words occur in ``text`` (matched on its normalised form), longest first."""
    if not words or not text:
        return []
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    spans = [m.span() for m in pattern.finditer(text.lower())]
    if spans:
        return spans
    # Only a text in traditional characters or full-width forms needs converting (slower).
    folded = normalise(text).lower()
    if len(folded) != len(text):  # a conversion changed the length: nothing to mark safely
        return []
    return [m.span() for m in pattern.finditer(folded)]


def highlight(text: str, words: Sequence[str]) -> SafeString:
    """``text`` escaped, each occurrence of a word in ``<mark>``."""
    out: list[str] = []
    at = 0
    for start, end in _spans(text, words):
        out.append(escape(text[at:start]))
        out.append("<mark>" + escape(text[start:end]) + "</mark>")
        at = end
    out.append(escape(text[at:]))
    return mark_safe("".join(out))  # noqa: S308  (every piece escaped above)


def snippet_for(text: str, words: Sequence[str]) -> SafeString:
    """About ``SNIPPET_CHARS`` characters of ``text`` around its first match, highlighted."""
    spans = _spans(text, words)
    start = max(spans[0][0] - SNIPPET_LEAD, 0) if spans else 0
    piece = text[start : start + SNIPPET_CHARS]
    lead = "…" if start > 0 else ""
    tail = "…" if start + SNIPPET_CHARS < len(text) else ""
    return mark_safe(lead + highlight(piece, words) + escape(tail))  # noqa: S308  (escaped)
