"""The scanner's page, for the system administrator: its chores and the rows that failed."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from xinbao.accounts.http import AuthedRequest
from xinbao.lib.http import require
from xinbao.scheduler import selectors


@login_required
def chores(request: AuthedRequest) -> HttpResponse:
    require(selectors.can_see_chores(request.user))
    return render(
        request,
        "scheduler/chores.html",
        {
            "chores": selectors.chores(),
            "failures": selectors.failures(),
            "stalled_since": selectors.stalled_since(),
            "workers": selectors.workers(),
            "reaped_tasks": selectors.reaped_tasks(),
        },
    )
