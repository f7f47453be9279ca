"""Who may do what: small predicates shared by views, the API and services."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from xinbao.accounts.models import Role, User

ORG_MANAGER_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECTION_CHIEF, Role.EDITOR})
USER_MANAGER_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN})


def can_manage_org(user: User) -> bool:
    return user.role in ORG_MANAGER_ROLES


def can_manage_users(user: User) -> bool:
    return user.role in USER_MANAGER_ROLES


def require(allowed: bool) -> None:
    """Refuse with 403 when a role may not use a page at all (objects use 404 instead)."""
    if not allowed:
        raise PermissionDenied(_("Your role may not use this page."))
