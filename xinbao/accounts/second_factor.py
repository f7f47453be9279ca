"""The second factor: an authenticator app's time-based codes (TOTP) with recovery codes.

Which roles need it is the setting ``XINBAO_SECOND_FACTOR_ROLES``. After the password, a user
of such a role enters a code from the app, or one of ten recovery codes (each works once); a
user without an authenticator enrols one first. Until then every page but the second-factor
pages, logout and static files redirects there (``SecondFactorRequiredMiddleware``), and the
API ignores the session (an API token still works: tokens are made only on a verified page).

Devices are django-otp's: one confirmed ``TOTPDevice`` and one ``StaticDevice`` holding the
recovery codes per user. Wrong codes are refused by django-otp's growing delay per device and
count as failed logins of the account in django-axes, so the account locks after
``XINBAO_LOCKOUT_FAILURES`` wrong passwords or codes in a row and the session ends.
"""

from __future__ import annotations

import datetime as dt
import time
from base64 import b32encode
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from xinbao.accounts.models import User
from xinbao.audit.services import record

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

#: Pages a user who still owes the second factor may open (besides logout and static files).
PREFIX = "/accounts/second-factor/"
RECOVERY_CODES = 10
AUTHENTICATOR = "authenticator"
RECOVERY = "recovery"


def required_for(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether the user's role needs a second factor (``XINBAO_SECOND_FACTOR_ROLES``)."""
    roles: list[str] = settings.XINBAO_SECOND_FACTOR_ROLES
    return bool(roles) and getattr(user, "role", None) in roles


def has_authenticator(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def gate(request: HttpRequest) -> HttpResponse | None:
    """What the middleware answers a request of a user who owes the second factor, if anything.

    Pages redirect to the code page (or to enrolment when there is no authenticator yet),
    keeping where the user was going; API requests lose the session's user, so that only an
    API token can authenticate them.
    """
    user = request.user
    if not user.is_authenticated or not required_for(user):
        return None
    path = request.path
    if path.startswith((PREFIX, reverse("accounts:logout"), settings.STATIC_URL or "/static/")):
        return None
    # django-otp's OTPMiddleware gives the user is_verified().
    if getattr(user, "is_verified")():  # noqa: B009  (an attribute the type does not declare)
        return None
    if path.startswith("/api/"):
        request.user = AnonymousUser()
        return None
    assert isinstance(user, User)
    target = "accounts:second_factor" if has_authenticator(user) else "accounts:second_factor_enrol"
    if request.headers.get("HX-Request"):
        # A partial (the bell polls on every page, these included) must not swap the code
        # page into the page: the whole page goes there instead, unless it is there already.
        response = HttpResponse(status=204)
        if PREFIX not in request.headers.get("HX-Current-URL", ""):
            response["HX-Redirect"] = reverse(target)
        return response
    query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
    return redirect(reverse(target) + (f"?{query}" if query else ""))


# --- enrolment ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Enrolment:
    """What the enrolment page shows for a key not yet confirmed (kept in the session)."""

    key: str  # hex, as django-otp stores it
    secret: str  # base32 in groups of four, for typing into the app by hand
    url: str  # the otpauth:// URL the QR code carries


def new_key() -> str:
    return str(random_hex(20))


def enrolment(*, user: User, key: str) -> Enrolment:
    device = TOTPDevice(user=user, key=key, name=AUTHENTICATOR)
    secret = b32encode(device.bin_key).decode()
    return Enrolment(
        key=key,
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        url=str(device.config_url),
    )


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as an inline SVG element (no script, no style attribute)."""
    import segno

    svg: str = segno.make(url, error="m").svg_inline(scale=5, border=2, light="#fff")
    return svg


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _totp_step(device: TOTPDevice, code: str) -> TOTP | None:
    """The TOTP state that accepts ``code`` now (one step either side), or None."""
    if not (code.isdigit() and len(code) == device.digits):
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return totp if totp.verify(int(code), device.tolerance, device.last_t + 1) else None


class SecondFactorError(Exception):
    """A second-factor action refused; the message is for the user."""


@transaction.atomic
def enrol(
    *, user: User, key: str, code: str, request: HttpRequest | None = None
) -> tuple[TOTPDevice, list[str]] | None:
    """Confirm the authenticator holding ``key`` with a code it shows and make ten recovery
    codes. Returns the device and the codes (shown once, stored by django-otp), or None when
    the code does not match. Refuses a user who already has an authenticator."""
    User.objects.select_for_update(no_key=True).filter(pk=user.pk).first()
    if has_authenticator(user):
        raise SecondFactorError("already enrolled")
    device = TOTPDevice(user=user, key=key, name=AUTHENTICATOR, confirmed=True)
    totp = _totp_step(device, _normalise(code))
    if totp is None:
        return None
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    device.last_t, device.drift = totp.t(), totp.drift
    device.save()
    recovery = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=c) for c in codes)
    record(
        actor=user,
        action="second_factor.enrol",
        obj=user,
        summary={"recovery_codes": len(codes)},
        request=request,
    )
    return device, codes


# --- verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """The outcome of one code: the device that accepted it, or why none did."""

    device: TOTPDevice | StaticDevice | None = None
    #: When a device refused to check the code because of earlier wrong ones.
    wait_until: dt.datetime | None = None
    #: The account is now locked (too many wrong passwords or codes): the session must end.
    locked: bool = False
    recovery_left: int | None = None


@transaction.atomic
def verify(*, user: User, code: str, request: HttpRequest | None = None) -> Verification:
    """Check a code from the authenticator, or a recovery code (which is then used up).

    Every outcome is audited. A wrong code also counts as a failed login of the account in
    django-axes; when that locks the account, ``locked`` says so.
    """
    code = _normalise(code)
    kind = AUTHENTICATOR if code.isdigit() else RECOVERY
    model: type[TOTPDevice] | type[StaticDevice] = (
        TOTPDevice if kind == AUTHENTICATOR else StaticDevice
    )
    device = model.objects.select_for_update(no_key=True).filter(user=user, confirmed=True).first()
    wait_until = None
    if device is not None:
        allowed, info = device.verify_is_allowed()
        if not allowed:
            wait_until = (info or {}).get("locked_until")
        elif device.verify_token(code):
            return _verified(user=user, device=device, kind=kind, request=request)
    record(
        actor=user,
        action="second_factor.failed",
        obj=user,
        summary={"kind": kind, "throttled": wait_until is not None},
        request=request,
    )
    return Verification(wait_until=wait_until, locked=_count_failure(user, request))


def _verified(
    *, user: User, device: TOTPDevice | StaticDevice, kind: str, request: HttpRequest | None
) -> Verification:
    left = None
    if isinstance(device, StaticDevice):
        left = device.token_set.count()
        record(
            actor=user,
            action="second_factor.recovery_used",
            obj=user,
            summary={"left": left},
            request=request,
        )
    record(
        actor=user, action="second_factor.verify", obj=user, summary={"kind": kind}, request=request
    )
    return Verification(device=device, recovery_left=left)


def _count_failure(user: User, request: HttpRequest | None) -> bool:
    """Count a wrong code as a failed login of the account; whether it is now locked."""
    if request is None:
        return False
    from axes.handlers.proxy import AxesProxyHandler

    credentials: dict[str, Any] = {"username": user.username}
    AxesProxyHandler.user_login_failed(sender=verify, credentials=credentials, request=request)
    return bool(AxesProxyHandler.is_locked(request, credentials))


# --- reset ----------------------------------------------------------------------------------


def can_reset(actor: User) -> bool:
    """Only the security administrator resets another person's second factor."""
    return actor.is_security_admin


@transaction.atomic
def reset(*, actor: User | None, user: User, request: HttpRequest | None = None) -> int:
    """Remove the user's authenticator and recovery codes: at the next login the user enrols
    again. Returns the number of devices removed. ``actor`` None is the operator on the server
    (``xinbao resetsecondfactor``), the only way for an administrator's own account."""
    if actor is not None and (not can_reset(actor) or actor.pk == user.pk):
        raise SecondFactorError("not allowed")
    removed: int = TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0)
    removed += StaticDevice.objects.filter(user=user).delete()[1].get(StaticDevice._meta.label, 0)
    record(
        actor=actor,
        actor_name="" if actor else "system",
        action="second_factor.reset",
        obj=user,
        summary={"username": user.username, "devices_removed": removed},
        request=request,
    )
    return removed
