"""`xinbao import_people FILE`: import people from a CSV or XLSX file, every row or none."""

from __future__ import annotations

from xinbao.org.importing import ImportKind
from xinbao.org.management.commands._importing import ImportCommand


class Command(ImportCommand):
    help = "Import people from a CSV (UTF-8 or GB18030) or XLSX file: every row or none."
    kind = ImportKind.PEOPLE
