"""pytest configuration shared by every test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.utils import translation


@pytest.fixture(autouse=True)
def _media_in_tmp(tmp_path: Path) -> Iterator[None]:
    """Uploads of each test go to a fresh folder, never to the real var/media."""
    storages = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages, MEDIA_ROOT=tmp_path / "media"):
        yield


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    """Tests log in hundreds of times; a deliberately slow hash would dominate the run."""
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with override_settings(PASSWORD_HASHERS=hashers):
        yield


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Service messages raised outside a request are in English too (see EnglishClient)."""
    with translation.override("en"):
        yield


@pytest.fixture
def client() -> Client:
    """pytest-django's client, asking for English like the personas' client."""
    from xinbao.test import EnglishClient

    return EnglishClient()


# The browser tests' fixtures (Debian's Chromium through Playwright).
from xinbao.browser import browser, screenshots  # noqa: E402, F401
