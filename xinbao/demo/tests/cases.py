"""The base of the tests that read the demo city as `xinbao demo` loads it."""

from __future__ import annotations

import io
import shutil
import tempfile

from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from xinbao.accounts.models import User
from xinbao.demo.office import Book
from xinbao.test import EnglishClient

_MEDIA = tempfile.mkdtemp(prefix="xinbao-demo-case-")
_STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": _MEDIA},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def book() -> Book:
    """A fresh ``Book`` over the loaded city, for running a part of the demo again."""
    return Book(
        now=timezone.now(),
        items={},
        users={user.username: user for user in User.objects.all()},
    )


@override_settings(STORAGES=_STORAGES, MEDIA_ROOT=_MEDIA)
class DemoCase(TestCase):
    """The whole demo loaded once per class, its files in a folder of their own."""

    client_class = EnglishClient  # assertions read the English source strings

    @classmethod
    def setUpTestData(cls) -> None:
        call_command("demo", "--force", stdout=io.StringIO())

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        shutil.rmtree(_MEDIA, ignore_errors=True)
