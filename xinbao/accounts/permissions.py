"""Who may do what: small predicates shared by views, the API and services."""

from __future__ import annotations

from xinbao.accounts.models import Role, User
from xinbao.lib.http import require as require  # the 403 every app's pages use, kept here too

ORG_MANAGER_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECTION_CHIEF, Role.EDITOR})
USER_MANAGER_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN})
#: Roles that edit and decide at the desk (its pages; the item page links there for them).
DESK_ROLES = frozenset({Role.EDITOR, Role.SECTION_CHIEF})


def can_manage_org(user: User) -> bool:
    return user.role in ORG_MANAGER_ROLES


def can_manage_users(user: User) -> bool:
    return user.role in USER_MANAGER_ROLES


def can_use_desk(user: User) -> bool:
    return user.is_authenticated and user.role in DESK_ROLES
