"""`xinbao createadmin`: the only way to make an administrator account (三员分立).

No account exists in a fresh install outside demo mode; the operator runs this on the server.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from xinbao.accounts.models import ADMIN_ROLES, Role, User
from xinbao.accounts.services import save_user


class Command(BaseCommand):
    help = "Create a system, security or audit administrator (each role is a separate account)."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(str(r) for r in ADMIN_ROLES))
        parser.add_argument("--full-name", default="")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from standard input instead of prompting.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        if User.objects.filter(username=username).exists():
            raise CommandError(f"user {username!r} exists already")
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("the passwords differ")
        user = User(
            username=username,
            role=Role(options["role"]),
            full_name=options["full_name"] or username,
        )
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        save_user(actor=None, user=user, password=password, changed={"role": True})
        # The operator chose this password on the server; no forced change is needed.
        User.objects.filter(pk=user.pk).update(must_change_password=False)
        self.stdout.write(f"created {user.get_role_display()} {username}")
