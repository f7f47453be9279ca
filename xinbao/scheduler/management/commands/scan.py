"""The one scanner loop: runs due chores (and, later, deadlines) every few seconds."""

from __future__ import annotations

import argparse
import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from xinbao.scheduler.services import run_due


class Command(BaseCommand):
    help = "Scan for due deadlines and chores and handle them; --once to scan a single time."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--once", action="store_true", help="Scan once and exit.")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between scans.")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while True:
            said = run_due()  # which logs each summary: at DEBUG when the chore was idle
            if options["once"]:
                for line in said:
                    self.stdout.write(line)
            if options["once"] or stopping:
                return
            # A long-running loop must not keep a broken or stale connection between scans.
            close_old_connections()
            deadline = time.monotonic() + options["interval"]
            while time.monotonic() < deadline and not stopping:
                time.sleep(0.2)
            if stopping:
                return
