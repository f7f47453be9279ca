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


@pytest.fixture(autouse=True)
def _audit_checkpoints_in_tmp(tmp_path: Path) -> Iterator[None]:
    """Audit checkpoints of each test's chain go to a fresh folder: one left by another test (or
    by the real var/) describes another chain, and verify would report it as truncated."""
    with override_settings(XINBAO_AUDIT_CHECKPOINT_DIR=tmp_path / "audit-checkpoints"):
        yield


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    """Tests log in hundreds of times; a deliberately slow hash would dominate the run."""
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with override_settings(PASSWORD_HASHERS=hashers):
        yield


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "second_factor: the second factor is required as in production (XINBAO_SECOND_FACTOR_ROLES "
        "at its default); without the marker tests run with it turned off",
    )


@pytest.fixture(autouse=True)
def _second_factor(request: pytest.FixtureRequest) -> Iterator[None]:
    """Most tests log in with ``force_login`` and are about something else: they run with the
    second factor off. Tests marked ``second_factor`` (its own tests, the fresh-office browser
    test) run with the production default, every office role and administrator asked."""
    roles: list[str] = []
    if request.node.get_closest_marker("second_factor") is not None:
        from xinbao.accounts.models import ADMIN_ROLES, OFFICE_READER_ROLES

        roles = sorted(OFFICE_READER_ROLES | ADMIN_ROLES)
    with override_settings(XINBAO_SECOND_FACTOR_ROLES=roles):
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


@pytest.fixture(autouse=True, scope="session")
def _no_session_left_open(django_db_setup: None, django_db_blocker: object) -> Iterator[None]:
    """On PostgreSQL, a connection a test's thread left open keeps the test database from being
    dropped at the end. Any left is named (a warning) and closed before the teardown."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    import warnings

    with django_db_blocker.unblock(), connection.cursor() as cursor:  # type: ignore[attr-defined]  # pytest-django's blocker
        cursor.execute(
            "SELECT pid, application_name, state, left(query, 200) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        left = cursor.fetchall()
        for pid, *_rest in left:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    if left:
        warnings.warn(f"sessions left open on the test database: {left}", stacklevel=1)
