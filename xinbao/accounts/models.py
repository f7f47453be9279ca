"""People who log in, their roles, and their API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinbao.lib.labels import Sensitivity


class Role(models.TextChoices):
    REPORTER = "reporter", _("Reporter")
    EDITOR = "editor", _("Editor")
    SECTION_CHIEF = "section_chief", _("Section chief")
    LEADER_IN_CHARGE = "leader_in_charge", _("Leader in charge of information")
    PRINCIPAL_LEADER = "principal_leader", _("Principal leader")
    DUTY_OFFICER = "duty_officer", _("Duty officer")
    PARTNER_LIAISON = "partner_liaison", _("Partner-department liaison")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


#: Roles of the office itself, who read every unit's submitted items.
OFFICE_READER_ROLES = frozenset(
    {
        Role.EDITOR,
        Role.SECTION_CHIEF,
        Role.LEADER_IN_CHARGE,
        Role.PRINCIPAL_LEADER,
        Role.DUTY_OFFICER,
    }
)
#: The three separated administrators (三员分立): none of them reads items.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


def role_clearance(role: str) -> Sensitivity:
    """A user's clearance until the security administrator sets one: the office's own staff
    read everything they are shown (敏感), everyone else what is internal (内部)."""
    return Sensitivity.SENSITIVE if role in OFFICE_READER_ROLES else Sensitivity.INTERNAL


class User(AbstractUser):
    """A person who logs in. Reporters belong to a unit; office staff do not."""

    full_name = models.CharField(_("full name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    must_change_password = models.BooleanField(_("must change password"), default=False)
    # Set at creation and at every change of password; the maximum age counts from it.
    password_changed_at = models.DateTimeField(_("password changed at"), default=timezone.now)
    # Empty: the role's default (``role_clearance``); set by the security administrator only.
    clearance = models.PositiveSmallIntegerField(
        _("clearance"), choices=Sensitivity.choices, null=True, blank=True
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="reporter") | models.Q(unit__isnull=False),
                name="reporter_has_unit",
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_reporter(self) -> bool:
        return self.role == Role.REPORTER

    @property
    def is_office_reader(self) -> bool:
        return self.role in OFFICE_READER_ROLES

    @property
    def clearance_level(self) -> Sensitivity:
        """The highest sensitivity label this user may read."""
        if self.clearance is not None:
            return Sensitivity(self.clearance)
        return role_clearance(self.role)

    @property
    def is_system_admin(self) -> bool:
        return self.role == Role.SYSTEM_ADMIN

    @property
    def is_security_admin(self) -> bool:
        return self.role == Role.SECURITY_ADMIN

    @property
    def is_audit_admin(self) -> bool:
        return self.role == Role.AUDIT_ADMIN


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the raw value is shown once."""

    PREFIX = "xb_"

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(_("hint"), max_length=12)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def generate(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class LoginFailureWindow(models.Model):
    """Failed logins counted per client address, and for all addresses together (scope
    ``ALL``), in windows of one minute.

    A table rather than the cache: the default cache lives in one process, and every web
    process must see the same counts; its conditional UPDATEs count correctly under
    concurrency on SQLite and PostgreSQL alike. Rows of closed windows are summarised and
    deleted by the ``accounts.login_floods`` chore.
    """

    ALL = "*"

    scope = models.CharField(max_length=64)
    window = models.DateTimeField()
    failures = models.PositiveIntegerField(default=0)
    #: Attempts answered "try again later" without their password being checked.
    refused = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField()
    #: The window passed its limit and that was audited (once per scope and window).
    flood_recorded = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "window"], name="login_failure_window_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.window:%Y-%m-%d %H:%M}: {self.failures}"
