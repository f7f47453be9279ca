"""The restore drill: a backup of a working office restored into a new place serves again.

An item with a picture and its audit events are made here; then, with the real commands in
their own processes, `xinbao backup` copies the office, `xinbao restore` puts it into a new
folder (SQLite) or a new database created for the drill (PostgreSQL), `xinbao audit verify`
passes on the copy, and a web server started on the copy lets the reporter log in, open the
picture and load a static file.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import global_settings, settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, TransactionTestCase, override_settings
from django.urls import reverse

from xinbao.audit.models import AuditEvent
from xinbao.items.models import Item
from xinbao.items.tests.test_attachments import form, png_bytes
from xinbao.test import PASSWORD, Personas

BASE_DIR = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_url(name: str | None = None) -> str:
    """The URL of the test database, or of another database on the same PostgreSQL server."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    host, port = s["HOST"] or "127.0.0.1", s["PORT"] or 5432
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{host}:{port}/{name or s['NAME']}"


def environment(var_dir: Path, database: str | None, **extra: str) -> dict[str, str]:
    """The environment of a command run on one copy: nothing of this process's own settings."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("XINBAO_") and k != "DATABASE_URL"
    }
    env["XINBAO_VAR_DIR"] = str(var_dir)
    if database is not None:
        env["DATABASE_URL"] = database
    env.update(extra)
    return env


def xinbao(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "xinbao.cli", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, (done.args, done.stdout, done.stderr)
    return done.stdout


@contextmanager
def web_server(env: dict[str, str]) -> Iterator[str]:
    """gunicorn on a free loopback port, serving the copy ``env`` names."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "xinbao.wsgi:application", "--workers", "1"]
    server = subprocess.Popen(
        [*command, "--bind", f"127.0.0.1:{port}"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/accounts/login/", timeout=2):  # noqa: S310  (loopback)
                    break
            except OSError:
                assert server.poll() is None, "the web server on the restored copy died"
                assert time.monotonic() < deadline, "the web server did not answer in 60 s"
                time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


class Browser:
    """Cookies and the CSRF token, as a browser keeps them."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        try:
            with self.opener.open(self.base + path, timeout=20) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def log_in(self, username: str, password: str) -> str:
        status, _, page = self.get("/accounts/login/")
        assert status == 200
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert match, page[:500]
        data = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": match.group(1).decode(),
                "username": username,
                "password": password,
            }
        ).encode()
        with self.opener.open(self.base + "/accounts/login/", data=data, timeout=20) as r:
            return str(r.url)


class Office(Personas):
    """An office with a reporter's item, its picture and their audit events, committed so that
    the commands in other processes see it; ``source`` is their environment."""

    client: Client
    tmp: Path
    source: dict[str, str]

    def setUp(self) -> None:
        self.create_personas()
        # The restored server hashes as production does, not with the tests' fast hasher.
        with override_settings(PASSWORD_HASHERS=global_settings.PASSWORD_HASHERS):
            self.alice.set_password(PASSWORD)
            self.alice.save(update_fields=["password"])
        self.picture = png_bytes((320, 240))
        self.client.force_login(self.alice)
        upload = SimpleUploadedFile("现场.png", self.picture)
        response = self.client.post(reverse("items:create"), form(uploads=[upload]))
        assert response.status_code == 302
        self.item = Item.objects.get(title="东城县突发山洪")
        self.attachment = self.item.attachments.get()
        self.events = AuditEvent.objects.count()
        assert self.events >= 1
        self.tmp = Path(settings.MEDIA_ROOT).parent
        key = getattr(settings, "XINBAO_AUDIT_KEY_FILE", None)
        self.source = environment(
            self.tmp, database_url(), **({"XINBAO_AUDIT_KEY_FILE": str(key)} if key else {})
        )


class RestoreDrillTest(Office, TransactionTestCase):
    @contextmanager
    def target_database(self) -> Iterator[str | None]:
        """SQLite: none to name (the copy's own folder has it). PostgreSQL: a new, empty
        database made for the drill with the test role, dropped afterwards."""
        if connection.vendor == "sqlite":
            yield None
            return
        name = f"{connection.settings_dict['NAME']}_drill"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            yield database_url(name)
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def test_it_backs_up_restores_verifies_and_serves_the_copy(self) -> None:
        backups = self.tmp / "backups"
        out = ok(xinbao(self.source, "backup", str(backups)))
        (folder,) = backups.iterdir()
        assert f"backup written to {folder}" in out
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        files = {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}
        assert set(files.values()) == {0o600}, files
        manifest = json.loads((folder / "manifest.json").read_text())
        assert manifest["database"] == connection.vendor
        assert manifest["counts"]["items.item"] == 1
        assert manifest["counts"]["items.attachment"] == 1
        assert manifest["audit"]["events"] == self.events
        last = AuditEvent.objects.order_by("-pk")[1]  # the one before the backup's own event
        assert manifest["audit"]["last_hash"] == last.hash
        assert AuditEvent.objects.latest("pk").action == "ops.backup_made"

        restored = self.tmp / "restored"
        with self.target_database() as target_url:
            target = environment(restored, target_url)
            out = ok(xinbao(target, "restore", str(folder)))
            assert f"{self.events} audit events as in its manifest" in out
            assert "audit chain intact" in ok(xinbao(target, "audit", "verify"))

            again = xinbao(target, "restore", str(folder))
            assert again.returncode != 0
            assert "the target is not empty" in again.stderr and "--force" in again.stderr
            ok(xinbao(target, "restore", "--force", str(folder)))
            assert "audit chain intact" in ok(xinbao(target, "audit", "verify"))

            # As a deployment does; without compressing every file, which takes a minute here.
            ok(xinbao(target, "collectstatic", "--no-input", "-v0", "--no-post-process"))
            with web_server(target) as base:
                browser = Browser(base)
                assert browser.log_in("alice", PASSWORD) == base + "/"
                status, headers, body = browser.get(
                    reverse("items:attachment_inline", args=[self.item.pk, self.attachment.pk])
                )
                assert status == 200 and headers["Content-Type"] == "image/png"
                assert body == self.picture
                status, headers, css = browser.get("/static/xinbao/xinbao.css")
                assert status == 200 and b".xb-navbar" in css
