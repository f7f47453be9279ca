"""`xinbao serve`: web, task worker and scanner together; Ctrl-C stops all three."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from django.core.management.base import BaseCommand
from honcho.manager import Manager


class Command(BaseCommand):
    help = "Run the web server (gunicorn), the task worker (db_worker) and the scanner (scan)."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--web-workers", type=int, default=3)

    def handle(self, *args: Any, **options: Any) -> None:
        python = sys.executable
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        processes = {
            "web": (
                f"{python} -m gunicorn xinbao.wsgi:application --bind {options['bind']} "
                f"--workers {options['web_workers']} --timeout 120 --access-logfile -"
            ),
            "worker": f"{python} -m xinbao.cli db_worker",
            "scanner": f"{python} -m xinbao.cli scan",
        }
        manager = Manager()
        for name, command in processes.items():
            manager.add_process(name, command, env=env)
        # Honcho stops every process when one exits or on Ctrl-C, and returns its status.
        manager.loop()
        sys.exit(manager.returncode)
