"""Query-plan checks: a page's queries must reach the big tables through an index.

The cost of a page at 10^6 items is in how its queries reach the big tables (items, audit
events, notifications, decisions), not in how many queries it runs. This module captures the
queries a piece of code runs, asks the database for each one's plan and names every query that
reads a big table from end to end or sorts its rows without an index. Tests freeze that no such
plan appears, so a regression (a new filter without an index, an ``icontains`` over bodies, an
OFFSET deep into a list, a COUNT(*) over everything) fails on the small test database long
before it shows at scale.

How to use it in a test::

    from xinbao.lib import plans

    with plans.checked():                      # AssertionError on exit, naming each bad plan
        response = self.client.get(reverse("desk:queue"))

or, to look at them, ``found = plans.explain_all(captured)`` after a
``CaptureQueriesContext(connection)`` and ``plans.problems(found)``.

What counts as a problem:

* SQLite (``EXPLAIN QUERY PLAN``): ``SCAN <big table>`` with no index (but for a walk in
  rowid order under ORDER BY and LIMIT, with no sort step); ``SCAN <big table> USING
  [COVERING] INDEX`` in a query without LIMIT (the whole index is read); ``USE TEMP B-TREE FOR
  ORDER BY`` (or ``RIGHT PART OF ORDER BY``) in a query that reads a big table. A ``SCAN ... USING
  INDEX`` under a LIMIT is accepted: it walks an index in the page's order and stops after a page.
* PostgreSQL (``EXPLAIN (FORMAT JSON)``): run with ``SET LOCAL enable_seqscan = off`` and
  ``enable_sort = off``, so the planner avoids both where any index makes that possible (a small
  test table is otherwise seq-scanned and sorted whatever its indexes); a ``Seq Scan`` of a big
  table that remains means no usable index, a ``Sort`` above a big table (not one looked up by
  its primary key) means no index gives the order (but for an incremental sort under a LIMIT
  that only orders the ties of the index's order by primary key: a page and its ties),
  an index scan of a big table with no condition and no LIMIT reads the whole index.

A query may be exempted with ``allow``: substrings of its SQL, each with the reason in a comment
at the call site (e.g. a bounded sort of one item's decisions).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

#: The tables that grow with the office's work: a full scan of one of them is a page that slows
#: down year after year.
BIG_TABLES: tuple[str, ...] = (
    "items_item",
    "audit_auditevent",
    "notify_notification",
    "desk_decision",
)

_EXPLAINABLE = re.compile(r"^\s*(SELECT|WITH)\b", re.IGNORECASE)
_LIMIT = re.compile(r"\bLIMIT\b", re.IGNORECASE)
_ORDER_BY = re.compile(r"\bORDER BY\b", re.IGNORECASE)
_BY_PRIMARY_KEY = re.compile(r"USING INTEGER PRIMARY KEY \(rowid=\?\)|USING PRIMARY KEY \(id=\?\)")
#: Why the pages' plans are frozen on SQLite only. PostgreSQL costs a plan from the tables'
#: sizes on disk, and on a test database those are whatever earlier tests left: a test's rolled
#: back inserts leave their pages behind, a flush truncates them, VACUUM and ANALYZE change the
#: counts. The same page was planned through its index in one run and through an unrelated one
#: in the next, all on a few rows, where no plan costs anything. SQLite, without statistics,
#: plans from the indexes alone, the same in every run. PostgreSQL's plans are the benchmark's
#: to judge, on the grown city (``bench/pages.py``), where the sizes are real.
FROZEN_ON_SQLITE_ONLY = (
    "PostgreSQL plans a few rows from the test database's leftover sizes, differently from "
    "run to run; its plans are judged at scale by bench/pages.py"
)
#: How much of a query's SQL a failure shows (the plan follows it in full).
_SHOWN_SQL = 600


@dataclass(frozen=True)
class QueryPlan:
    """A query, its plan as lines of text, and what is wrong with it (empty: nothing)."""

    sql: str
    lines: tuple[str, ...]
    problems: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        plan = "\n    ".join(self.lines)
        wrong = "; ".join(self.problems) or "ok"
        sql = self.sql if len(self.sql) <= _SHOWN_SQL else self.sql[:_SHOWN_SQL] + " ..."
        return f"{wrong}\n  {sql}\n    {plan}"


def _sqlite_plan(cursor: Any, sql: str, tables: Sequence[str]) -> QueryPlan:
    cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
    rows = cursor.fetchall()
    lines = tuple(str(row[-1]) for row in rows)
    limited = bool(_LIMIT.search(sql))
    # A table walked in its rowid order (ORDER BY id, no sort step) under a LIMIT stops after a
    # page, though SQLite calls that walk a plain SCAN.
    sorted_apart = any("USE TEMP B-TREE FOR" in line and "ORDER BY" in line for line in lines)
    ordered_walk = bool(_ORDER_BY.search(sql)) and not sorted_apart
    problems: list[str] = []
    touches_big = False
    for line in lines:
        match = re.match(r"^(SCAN|SEARCH) (\w+)(?: AS \w+)?(.*)$", line)
        if match is None:
            continue
        verb, table, rest = match.groups()
        if table not in tables:
            continue
        if verb == "SEARCH" and _BY_PRIMARY_KEY.search(rest):
            continue  # one row per outer row, looked up: the outer table's plan decides
        touches_big = True
        if verb != "SCAN":
            continue
        if "USING" not in rest and not (ordered_walk and limited):
            problems.append(f"full scan of {table}")
        elif not limited:
            problems.append(f"whole index of {table} read without a LIMIT ({line.strip()})")
    if touches_big:
        for line in lines:
            if re.search(r"USE TEMP B-TREE FOR (RIGHT PART OF |LAST TERM OF )?ORDER BY", line):
                problems.append(f"sort without an index ({line.strip()})")
    return QueryPlan(sql=sql, lines=lines, problems=tuple(problems))


def _pg_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _pg_nodes(child)


def _pg_lines(node: dict[str, Any], depth: int = 0) -> Iterator[str]:
    relation = node.get("Relation Name")
    index = node.get("Index Name")
    text = node["Node Type"]
    if relation:
        text += f" on {relation}"
    if index:
        text += f" using {index}"
    yield "  " * depth + text
    for child in node.get("Plans", []):
        yield from _pg_lines(child, depth + 1)


def _pg_plan(cursor: Any, sql: str, tables: Sequence[str]) -> QueryPlan:
    with transaction.atomic(using=cursor.db.alias):
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        (raw,) = cursor.fetchone()
    document = json.loads(raw) if isinstance(raw, str) else raw
    root = document[0]["Plan"]
    problems: list[str] = []
    limited = any(node["Node Type"] == "Limit" for node in _pg_nodes(root))
    for node in _pg_nodes(root):
        relation = node.get("Relation Name")
        if node["Node Type"] == "Seq Scan" and relation in tables:
            problems.append(f"full scan of {relation}")
        walked = node["Node Type"] in ("Index Scan", "Index Only Scan", "Bitmap Index Scan")
        # A list of ids filtered along an ordered index is enable_sort's doing: the real plan
        # looks the ids up by the primary key and sorts those few rows.
        by_ids = "(id = ANY" in str(node.get("Filter", ""))
        unbounded = "Index Cond" not in node and not limited and not by_ids
        if walked and relation in tables and unbounded:
            problems.append(f"whole index of {relation} read without a LIMIT")
        if node["Node Type"] in ("Sort", "Incremental Sort") and not (
            limited and _ties_by_id(node)
        ):
            below = {
                str(n.get("Relation Name"))
                for n in _pg_nodes(node)
                # A big table reached by its primary key, row by row, does not size the sort.
                if not str(n.get("Index Name", "")).endswith("_pkey")
            } & set(tables)
            if below:
                problems.append(f"sort without an index over {', '.join(sorted(below))}")
    return QueryPlan(sql=sql, lines=tuple(_pg_lines(root)), problems=tuple(problems))


def _ties_by_id(node: dict[str, Any]) -> bool:
    """An incremental sort whose index gives every key but the last, the primary key: under a
    LIMIT it reads the page's rows and the few that tie with the last on the other keys."""
    if node["Node Type"] != "Incremental Sort":
        return False
    keys, presorted = node.get("Sort Key", []), node.get("Presorted Key", [])
    rest = keys[len(presorted) :]
    return (
        bool(presorted)
        # The presorted keys are named without their direction.
        and [re.sub(r" (DESC|ASC)\b.*$", "", k) for k in keys[: len(presorted)]] == presorted
        and len(rest) == 1
        and re.fullmatch(r'(?:"?\w+"?\.)?"?id"?(?: DESC)?', rest[0]) is not None
    )


def explain(
    sql: str, *, using: str = "default", tables: Sequence[str] = BIG_TABLES
) -> QueryPlan | None:
    """The plan of one query (its parameters already in the text); None where it is not a read."""
    if not _EXPLAINABLE.match(sql):
        return None
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            return _sqlite_plan(cursor, sql, tables)
        if connection.vendor == "postgresql":
            return _pg_plan(cursor, sql, tables)
    raise NotImplementedError(f"no plan check for {connection.vendor}")


def explain_all(
    queries: Iterable[dict[str, Any] | str],
    *,
    using: str = "default",
    tables: Sequence[str] = BIG_TABLES,
) -> list[QueryPlan]:
    """The plans of captured queries (``CaptureQueriesContext.captured_queries`` or SQL text)."""
    found = []
    for query in queries:
        sql = query if isinstance(query, str) else query["sql"]
        plan = explain(sql, using=using, tables=tables)
        if plan is not None:
            found.append(plan)
    return found


def problems(found: Iterable[QueryPlan], *, allow: Sequence[str] = ()) -> list[QueryPlan]:
    """The plans with a problem, leaving out queries whose SQL contains an ``allow`` string."""
    return [plan for plan in found if plan.problems and not any(text in plan.sql for text in allow)]


@contextmanager
def checked(
    *,
    using: str = "default",
    tables: Sequence[str] = BIG_TABLES,
    allow: Sequence[str] = (),
) -> Iterator[CaptureQueriesContext]:
    """Capture the queries run inside the block; on exit, fail naming every bad plan."""
    context = CaptureQueriesContext(connections[using])
    with context:
        yield context
    bad = problems(explain_all(context.captured_queries, using=using, tables=tables), allow=allow)
    if bad:
        listed = "\n".join(str(plan) for plan in bad)
        raise AssertionError(f"{len(bad)} queries read a big table without an index:\n{listed}")
