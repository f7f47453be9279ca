"""The shared body of ``import_units`` and ``import_people``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinbao.org.importing import ImportPlan, ImportRefused, import_file, plan_file


class ImportCommand(BaseCommand):
    kind: str

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV (UTF-8 or GB18030) or XLSX file")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check every row and show what would change; write nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        try:
            if options["dry_run"]:
                plan = plan_file(self.kind, content, path.name)
            else:
                plan = import_file(
                    user=None,
                    kind=self.kind,
                    content=content,
                    filename=path.name,
                    actor_name=f"manage.py import_{self.kind}",
                )
        except ImportRefused as refused:
            raise CommandError(
                "nothing imported:\n" + "\n".join(str(e) for e in refused.errors)
            ) from None
        self.report(plan, dry_run=options["dry_run"], verbose=options["verbosity"] > 1)

    def report(self, plan: ImportPlan, *, dry_run: bool, verbose: bool) -> None:
        if verbose:
            for row in plan.rows:
                details = "; ".join([*row.changes, *row.notes])
                self.stdout.write(f"line {row.line}: {row.action} {row.label} {details}".rstrip())
        counts = ", ".join(f"{k} {v}" for k, v in plan.counts.items())
        prefix = "would import" if dry_run else "imported"
        self.stdout.write(f"{prefix} {len(plan.rows)} rows: {counts}")
        if plan.ignored_columns:
            self.stdout.write("ignored columns: " + ", ".join(plan.ignored_columns))
