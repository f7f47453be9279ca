"""``manage.py openapi > docs/openapi.json``: the API contract, as committed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from xinbao.api import openapi_json


class Command(BaseCommand):
    help = "Print the OpenAPI schema of /api/v1/ (sorted keys, UTF-8) for docs/openapi.json."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(openapi_json(), ending="")
