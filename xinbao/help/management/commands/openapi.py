"""``manage.py openapi > docs/openapi.json``: the API contract, as committed.

Kept with the manual, at the top of the layers beside the project's API (``xinbao/api.py``)
that it prints: the apps whose routers make up the API sit below it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from xinbao.api import openapi_json


class Command(BaseCommand):
    help = "Print the OpenAPI schema of /api/v1/ (sorted keys, UTF-8) for docs/openapi.json."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(openapi_json(), ending="")
