"""Index for search the items that are not yet (``--all``: rebuild the whole index)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from xinbao.items.search import index_missing, reindex_all


class Command(BaseCommand):
    help = "Index for search the items that are not yet; --all rebuilds the whole index."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Rebuild the whole index.")

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            if options["all"]:
                done = reindex_all()
            else:
                done = 0
                while count := index_missing():
                    done += count
        self.stdout.write(f"{done} items indexed for search")
