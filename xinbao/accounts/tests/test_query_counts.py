"""The accounts' list pages cost a frozen number of queries, however many users and tokens."""

from __future__ import annotations

from xinbao.accounts.models import Role, User
from xinbao.accounts.services import create_token
from xinbao.test import BaseTestCase, Frozen, FrozenQueryCounts, make_user

#: Every page: session and user (2), the session's save (savepoint, update, release: 3); for
#: roles that may read a periodical, the menu's reading-room check (1); then what the table says.
#: Raise a number only with a reason.
FROZEN = (
    Frozen(
        "accounts:user_list",
        "sysadmin",
        8,
        "the paginator's count, the locked-out usernames, the page's users with their units",
    ),
    Frozen("accounts:user_list", "secadmin", 8, "as for the system administrator"),
    Frozen("accounts:token_list", "alice", 8, "the reporter's unit, the user's tokens"),
)


class AccountsQueryCountTest(FrozenQueryCounts, BaseTestCase):
    frozen = FROZEN

    def add_rows(self, n: int) -> None:
        """Per row: a reporter of county A and an API token of Alice's."""
        start = User.objects.count()
        for i in range(start, start + n):
            make_user(f"reporter{i}", Role.REPORTER, self.county_a)
            create_token(user=self.alice, name=f"令牌{i}")
