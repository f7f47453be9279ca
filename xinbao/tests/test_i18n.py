"""The zh_Hans catalogue is complete: every string the code marks is translated."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
CATALOGUE = ROOT / "xinbao" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def fresh_catalogue(tmp: Path) -> polib.POFile:
    """Run makemessages on a copy of the code, so the real catalogue is not touched."""
    shutil.copytree(
        ROOT / "xinbao",
        tmp / "xinbao",
        ignore=shutil.ignore_patterns("vendor", "__pycache__", "*.mo", "media"),
    )
    shutil.copy(ROOT / "manage.py", tmp / "manage.py")
    env = dict(os.environ, XINBAO_VAR_DIR=str(tmp / "var"), PYTHONPATH=str(tmp))
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-location", "-v0"],
        cwd=tmp,
        env=env,
        check=True,
        timeout=300,
    )
    return polib.pofile(str(tmp / "xinbao" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_it_translates_every_marked_string(tmp_path: Path) -> None:
    committed = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(CATALOGUE)) if not e.obsolete}
    missing: list[str] = []
    for entry in fresh_catalogue(tmp_path):
        if entry.obsolete:
            continue
        have = committed.get((entry.msgctxt, entry.msgid))
        translated = (
            have is not None
            and "fuzzy" not in have.flags
            and (have.msgstr or (have.msgstr_plural and all(have.msgstr_plural.values())))
        )
        if not translated:
            missing.append(entry.msgid)
    assert not missing, (
        f"{len(missing)} strings lack a zh_Hans translation; run `make messages-update`, "
        f"translate them in {CATALOGUE.relative_to(ROOT)}: " + "; ".join(missing[:30])
    )


@pytest.mark.django_db
def test_it_speaks_chinese_by_default() -> None:
    response = Client().get(reverse("accounts:login"))
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    with translation.override("zh-hans"):
        assert translation.gettext("Log in") != "Log in"
        assert translation.gettext("Log in") in page
