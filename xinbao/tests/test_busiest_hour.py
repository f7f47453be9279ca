"""A short run of bench/busiest_hour.py, so that the load test cannot rot (the real runs, 50
users for minutes, stay out of the suite): four people, one of each kind, for 15 seconds
against the real server over the test database with the demo loaded into it."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.test import TransactionTestCase

from xinbao.scheduler.tests.processes import database_url

ROOT = Path(__file__).resolve().parents[2]


class BusiestHourTest(TransactionTestCase):
    @pytest.fixture(autouse=True)
    def _folder(self, tmp_path: Path) -> None:
        self.folder = tmp_path

    def test_it_runs_every_kind_of_person_without_a_failure(self) -> None:
        # A fresh install: an empty database with what its migrations seed. The flush at the
        # end of an earlier TransactionTestCase removes those rows too, and without the sign
        # routes every issue would go to the principal leader.
        call_command("flush", interactive=False, verbosity=0)
        importlib.import_module("xinbao.periodicals.migrations.0002_default_routes").add(
            django_apps, None
        )
        out = self.folder / "busiest_hour.json"
        env = {k: v for k, v in os.environ.items() if not k.startswith("XINBAO_")}
        done = subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "busiest_hour.py"),
                *("--users", "4", "--minutes", "0.25", "--web-workers", "2"),
                *("--database-url", database_url(), "--out", str(out)),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=420,
            check=False,
        )
        if not out.exists():
            pytest.fail(done.stdout[-3000:] + done.stderr[-3000:])
        result = json.loads(out.read_text())
        assert result["failures"] == 0, result["errors"]
        assert result["mix"] == {"reporter": 1, "editor": 1, "leader": 1, "duty": 1}
        got = result["done"]
        # A reporter's item with its picture went in, and the desk opened it afterwards.
        assert got["item submitted"] >= 1
        assert result["desk_check"]["visible_on_desk"] is True
        assert got.get("item adopted", 0) + got.get("item not adopted", 0) >= 1
        assert got["issue signed"] >= 1
        assert got["incident opened"] >= 1
        pages = result["pages"]
        for page in ("reporter: submit item", "desk: queue", "leader: sign", "duty: incident"):
            assert pages[page]["requests"] >= 1
        assert done.returncode == 0
