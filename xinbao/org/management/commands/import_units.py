"""`xinbao import_units FILE`: import units from a CSV or XLSX file, every row or none."""

from __future__ import annotations

from xinbao.org.importing import ImportKind
from xinbao.org.management.commands._importing import ImportCommand


class Command(ImportCommand):
    help = "Import units from a CSV (UTF-8 or GB18030) or XLSX file: every row or none."
    kind = ImportKind.UNITS
