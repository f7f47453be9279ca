"""`xinbao resetsecondfactor USERNAME`: remove a user's authenticator and recovery codes.

The security administrator does this on the user's page for everyone else; an administrator's
own account (or the security administrator's) is reset here by the operator on the server.
"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinbao.accounts import second_factor
from xinbao.accounts.models import User


class Command(BaseCommand):
    help = "Remove a user's authenticator and recovery codes; the user enrols again at next login."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']!r}")
        removed = second_factor.reset(actor=None, user=user)
        self.stdout.write(f"{user.username}: {removed} second-factor devices removed")
