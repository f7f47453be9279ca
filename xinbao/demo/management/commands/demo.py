"""`xinbao demo`: load the fictional city 澜江市 with its people, logins, items, the desk's
decisions, periodicals and their issues, instructions and two emergencies."""

from __future__ import annotations

import argparse
import unicodedata
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from xinbao.demo.writer import demo_logins, load_demo


def _width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, ["-" * w for w in widths], *rows]:
        cells = [cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Load the demo city (units, people, logins for every role, a few hundred items, the "
        "desk's decisions, four periodicals with issues in every state, two incidents). "
        "Safe to run again. Only in demo mode (XINBAO_DEMO=1) or with --force."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--logins", action="store_true", help="Only print the table of demo logins."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though XINBAO_DEMO is not set (never on a production database).",
        )
        parser.add_argument(
            "--scale",
            type=int,
            metavar="N",
            help="Grow the demo (loaded first if the database has none) to N items in all, "
            "with proportional decisions, issues, ledger entries and audit events, through "
            "bulk paths (for benchmarks). Run again with a larger N to add the difference.",
        )
        parser.add_argument(
            "--chunk", type=int, default=5000, help="With --scale: items written per transaction."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="With --scale: processes computing the texts' search words and signatures "
            "(default: the cores, at most 4).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEMO_MODE or options["force"]):
            # The demo creates accounts with a published password: never outside demo mode.
            raise CommandError(
                "Refusing to load the demo: it creates logins with a published password. "
                "Set XINBAO_DEMO=1 for a demo installation, or pass --force."
            )
        if options["scale"] is not None:
            self.scale(options)
            return
        if not options["logins"]:
            summary = load_demo()
            created = summary["created"]
            self.stdout.write(
                "Created: " + (", ".join(f"{k} {v}" for k, v in created.items()) or "nothing")
            )
            self.stdout.write("Now: " + ", ".join(f"{k} {v}" for k, v in summary["totals"].items()))
            for reason in summary["skipped"]:
                self.stdout.write(f"Skipped: {reason}")
        self.print_logins()

    def scale(self, options: dict[str, Any]) -> None:
        from xinbao.demo.scale import grow

        if not demo_logins():
            self.stdout.write("Loading the demo city first.")
            load_demo()
        grow(
            target=options["scale"],
            chunk=options["chunk"],
            workers=options["workers"],
            out=self.stdout.write,
        )

    def print_logins(self) -> None:
        logins = demo_logins()
        if not logins:
            self.stdout.write("No demo logins yet: run `xinbao demo` first.")
            return
        rows = [[x.username, x.role, x.unit or "—", x.password] for x in logins]
        self.stdout.write("Demo logins:")
        self.stdout.write(table(["username", "role", "unit", "password"], rows))
        roles = settings.XINBAO_SECOND_FACTOR_ROLES
        if roles:
            self.stdout.write(
                "Second factor: accounts of the roles "
                + ", ".join(roles)
                + " enrol an authenticator app (TOTP) at their first login: scan the QR code "
                "or type the key shown, enter the app's code, and keep the ten recovery codes. "
                "XINBAO_SECOND_FACTOR_ROLES= (empty) turns it off."
            )
