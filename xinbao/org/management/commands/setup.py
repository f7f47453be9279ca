"""`xinbao setup`: the first run of a new office, asked for or given by flags.

The office's name and city, the first unit classes and the leaders (a login each, with a
one-time password printed once), then what is still missing before the office can work.
Everything goes through the org services, so it is audited as the screens are.
"""

from __future__ import annotations

import argparse
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from xinbao.lib.readiness import missing_steps
from xinbao.org import services
from xinbao.org.models import UnitClass
from xinbao.org.selectors import current_office

ROLE_NAMES = ", ".join(sorted(str(r) for r in services.FIRST_RUN_ROLES))


def parse_class(raw: str) -> services.UnitClassData:
    """``NAME:QUOTA:ADOPTIONS``, the last two optional (defaults 4 and 0)."""
    parts = raw.split(":")
    if not parts[0].strip() or len(parts) > 3:
        raise argparse.ArgumentTypeError(f"a class is NAME:QUOTA:ADOPTIONS, not {raw!r}")
    try:
        quota = int(parts[1]) if len(parts) > 1 and parts[1] else 4
        adoptions = int(parts[2]) if len(parts) > 2 and parts[2] else 0
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"quotas are whole numbers: {raw!r}") from exc
    return services.UnitClassData(
        name=parts[0].strip(), quota_per_month=quota, adoptions_per_month=adoptions
    )


def parse_leader(raw: str) -> services.OfficeUserData:
    """``NAME:ROLE:USERNAME:PHONE``, the phone optional."""
    parts = raw.split(":")
    if len(parts) not in (3, 4) or not all(p.strip() for p in parts[:3]):
        raise argparse.ArgumentTypeError(f"a leader is NAME:ROLE:USERNAME:PHONE, not {raw!r}")
    return services.OfficeUserData(
        name=parts[0].strip(),
        role=parts[1].strip(),
        username=parts[2].strip(),
        phone=parts[3].strip() if len(parts) == 4 else "",
    )


def _problems(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{k}: {' '.join(m)}" for k, m in exc.message_dict.items())
    return " ".join(exc.messages)


class Command(BaseCommand):
    help = "Set up a new office: its name and city, unit classes, leaders; then check readiness."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--office", help="The office's name as documents print it.")
        parser.add_argument("--city", help="The city.")
        parser.add_argument("--contact", help="The contact line printed on chase notices.")
        parser.add_argument("--fax", help="The office's fax number.")
        parser.add_argument(
            "--class",
            dest="classes",
            action="append",
            type=parse_class,
            default=[],
            metavar="NAME:QUOTA:ADOPTIONS",
            help="A unit class with its monthly quotas (repeat for several).",
        )
        parser.add_argument(
            "--leader",
            dest="leaders",
            action="append",
            type=parse_leader,
            default=[],
            metavar="NAME:ROLE:USERNAME:PHONE",
            help=f"A login to create (repeat for several); ROLE is one of {ROLE_NAMES}.",
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Ask nothing: use the flags only.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interactive: bool = options["interactive"]
        classes: list[services.UnitClassData] = options["classes"]
        leaders: list[services.OfficeUserData] = options["leaders"]
        office = current_office()
        name = options["office"] or (self._ask("Office name", office.name) if interactive else "")
        city = options["city"] or (self._ask("City", office.city) if interactive else "")
        contact = options["contact"]
        if contact is None:
            contact = self._ask("Contact line", office.contact) if interactive else office.contact
        fax = options["fax"] if options["fax"] is not None else office.fax
        if interactive:
            classes += self._ask_classes()
            leaders += self._ask_leaders()
        try:
            with transaction.atomic():
                if name or city:
                    if not (name and city):
                        raise CommandError("give both the office's name and its city")
                    services.save_office(
                        user=None,
                        data=services.OfficeData(name=name, city=city, contact=contact, fax=fax),
                    )
                    self.stdout.write(f"office: {name} ({city})")
                for data in classes:
                    self._save_class(data)
                made = [services.create_office_user(actor=None, data=data) for data in leaders]
        except ValidationError as exc:
            raise CommandError(_problems(exc)) from exc
        for user, password in made:
            self.stdout.write(
                f"login: {user.username} ({user.get_role_display()}, {user.full_name}) "
                f"one-time password: {password}"
            )
        self._report()

    def _save_class(self, data: services.UnitClassData) -> None:
        existing = UnitClass.objects.filter(name=data.name).first()
        if existing is None:
            data.rank = (
                UnitClass.objects.order_by("-rank").values_list("rank", flat=True).first() or 0
            ) + 1
            services.create_unit_class(user=None, data=data)
            self.stdout.write(f"class: {data.name} created")
        else:
            data.rank = existing.rank
            services.update_unit_class(user=None, unit_class=existing, data=data)
            self.stdout.write(f"class: {data.name} updated")

    def _report(self) -> None:
        steps = missing_steps()
        if not steps:
            self.stdout.write(self.style.SUCCESS("ready: the office can work."))
            return
        site = settings.XINBAO_SITE_URL.rstrip("/")
        self.stdout.write(self.style.WARNING(f"still missing ({len(steps)}):"))
        for step in steps:
            self.stdout.write(f"- [{step.key}] {step.message} → {site}{step.url}")

    def _ask(self, prompt: str, default: str = "") -> str:
        shown = f"{prompt} [{default}]: " if default else f"{prompt}: "
        return input(shown).strip() or default

    def _ask_classes(self) -> list[services.UnitClassData]:
        found = []
        while raw := self._ask("Unit class NAME:QUOTA:ADOPTIONS (empty to go on)"):
            try:
                found.append(parse_class(raw))
            except argparse.ArgumentTypeError as exc:
                self.stderr.write(str(exc))
        return found

    def _ask_leaders(self) -> list[services.OfficeUserData]:
        found = []
        while raw := self._ask(
            f"Leader NAME:ROLE:USERNAME:PHONE, ROLE {ROLE_NAMES} (empty to go on)"
        ):
            try:
                found.append(parse_leader(raw))
            except argparse.ArgumentTypeError as exc:
                self.stderr.write(str(exc))
        return found
