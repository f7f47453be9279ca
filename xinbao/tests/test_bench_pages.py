"""The pages benchmark (bench/pages.py) in small, so that it cannot rot: the demo grown to
10^3 items, every page of every role opened once."""

from __future__ import annotations

from xinbao.demo.scale import grow
from xinbao.demo.tests.cases import DemoCase
from xinbao.items.models import Item
from xinbao.test import bench_module

bench = bench_module("pages")


class PagesBenchTest(DemoCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        grow(target=1000, out=lambda line: None)

    def test_it_times_every_page_of_every_role_on_a_grown_city(self) -> None:
        assert Item.objects.count() == 1000
        lines: list[str] = []
        result = bench.run(1, out=lines.append)
        rows = result["results"]
        # Every role was walked, every page opened.
        roles = {r["role"] for r in rows}
        assert {"reporter", "editor", "section_chief", "duty_officer", "audit_admin"} <= roles
        assert len(lines) == len(roles) == 10
        assert result["not_ok"] == [], result["not_ok"]
        pages = {(r["role"], r["page"]): r for r in rows}
        queue = pages["editor", "desk queue"]
        assert queue["queries"] > 0 and queue["p95_ms"] > 0 and queue["bytes"] > 0
        assert ("editor", "search 工作") in pages and ("reporter", "own item") in pages
        assert ("editor", "Desk") in pages and ("audit_admin", "Audit log") in pages
        # The table marks the pages over the target.
        text = bench.table(rows)
        assert text.splitlines()[1].startswith("**") == rows[0]["slow"]
        assert "desk queue (/desk/queue/)" in text
        assert result["items"] == 1000 and result["runs"] == 1
