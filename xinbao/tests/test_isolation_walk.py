"""The isolation walk: every route, with real parameters, as each persona who must be refused.

Every route of the site and of the API is either in ``WALK`` (how to fill its parameters from
county A's objects, who may open it, what a POST sends) or in ``PUBLIC`` (with the reason it
needs no login); a route in neither fails the suite, so a new page cannot skip the walk.

Each walked route is requested with GET and POST by every persona outside its ``allowed`` set.
Such a persona must be refused (403, or 404 as for a missing object; 405 answers the method a
route does not take, and then the other method must refuse) and the answer, a page or a file
(XLSX, DOCX, PDF, CSV), must not contain county A's titles. A route marked ``own`` is one
every user opens for their own rows (lists, dashboards, search, their notifications): there
the walked persona may get 200, and the walk asserts only that A's titles are absent.

The matrix, read from the access modules and the views (``allowed`` below, by route):

============================  =============================================================
who                           may see county A's objects
============================  =============================================================
alice (reporter, county A)    A's items and drafts, A's demands (催报), chase notices and
                              instructions addressed to A, A's own scores; never walked
bob (reporter, county B)      nothing of A: every route with A's object is refused to him
carol (reporter, a direct     nothing of A either: a direct point is its own unit, although
point in county A)            it belongs to county A
ed, chief (information        every submitted item (never a draft), the desk, incidents,
section)                      issues, instructions, scores; chief also the rules and setup
leader, principal (signers)   submitted items, incidents, issues from awaiting signature on,
                              instructions, scores; never the desk, settings or the outbox
duty (duty officer)           submitted items, incidents, issues (the direct route), calls;
                              not the desk, scores or settings
liaison (partner department)  only what they wrote themselves: refused every item of A
sysadmin, secadmin, auditor   no item, incident, issue or score (三员分立): sysadmin keeps
(三员分立)                     units, users, calendar, chores and the outbox; secadmin users,
                              clearances and the outbox; auditor the audit log. Their own
                              pages quote no item either, but for ``ADMIN_QUOTES``
============================  =============================================================

Who may open a list, a dashboard or an export never sees A's draft there, the office included.
The API is walked twice: with the session and with county B's token.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponseBase
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from xinbao.accounts.models import ApiToken, User
from xinbao.accounts.services import create_token
from xinbao.agenda.models import (
    MatchHow,
    Milestone,
    Priority,
    PriorityKind,
    PriorityMatch,
    StaleFlag,
)
from xinbao.analysis.models import MixTarget
from xinbao.api import openapi_document
from xinbao.calendar.models import CalendarDay
from xinbao.desk import services as desk
from xinbao.desk.models import Adoption, AdoptionLevel
from xinbao.inbound.models import InboundMessage, InboundState
from xinbao.incidents.models import (
    AccountabilityRecord,
    ChaseNotice,
    Incident,
    Notice,
    RecordKind,
    ReportRequest,
    Verification,
)
from xinbao.interests import services as interests
from xinbao.interests.models import InfoRequest, Interest
from xinbao.items.models import Attachment, Item, ItemStatus
from xinbao.items.services import add_attachment
from xinbao.items.tests.test_attachments import png_bytes
from xinbao.liaison.models import Direction, Lead, LeadState
from xinbao.monitor.models import Post, Source, WatchTerm
from xinbao.notify.models import Channel, Message, Notification, PhoneCall
from xinbao.notify.services import Recipient, deliver_due, queue
from xinbao.org.models import Person, RosterEntry, Term, TermKind
from xinbao.packs import services as packs
from xinbao.packs.models import Entry, Pack
from xinbao.periodicals import services as issues
from xinbao.periodicals.models import DistributionEntry, Instruction, Issue, IssueItem, Periodical
from xinbao.research.models import Commission, CommissionForm, CommissionSource
from xinbao.research.services import create_commission, link_answer
from xinbao.scoring.models import Cause, Reminder, ReminderKind, RuleSet, ScoreEntry, ScoreReport
from xinbao.signals.models import EarlySignal, SignalKind
from xinbao.test import BaseTestCase
from xinbao.topiclists import services as topiclists
from xinbao.topiclists.models import ListedTopic, TopicAnswer, TopicList

#: County A's item, incident, demand, notice, instruction and letter all carry this title.
SECRET = "东城县内部情况不应被他人看到"
#: County A's draft: nobody but A's reporters sees it, the office included.
DRAFT = "东城县草稿尚未报送"

#: Every persona of ``xinbao.test.Personas``.
EVERYONE = frozenset(
    {
        "alice",
        "bob",
        "carol",
        "ed",
        "chief",
        "leader",
        "principal",
        "duty",
        "liaison",
        "sysadmin",
        "secadmin",
        "auditor",
    }
)
OWNER = frozenset({"alice"})
REPORTERS = frozenset({"alice", "bob", "carol"})
SECTION = frozenset({"ed", "chief"})
SIGNERS = frozenset({"leader", "principal"})
#: The office's readers of every submitted item (``OFFICE_READER_ROLES``).
OFFICE = SECTION | SIGNERS | {"duty"}
HANDLERS = SECTION | {"duty"}
SCORE_VIEWERS = SECTION | SIGNERS
ORG_MANAGERS = SECTION | {"sysadmin"}
SETUP = frozenset({"chief", "sysadmin"})
USER_MANAGERS = frozenset({"sysadmin", "secadmin"})
OUTBOX = USER_MANAGERS
NOBODY: frozenset[str] = frozenset()
NO_HEADERS: Mapping[str, str] = {}


@dataclass(frozen=True)
class Walk:
    """How one route is walked.

    ``args`` fills each path parameter from an attribute of the test case (its primary key,
    or the value itself for strings and numbers). ``allowed`` may open the route with county
    A's objects and is not walked; every other persona is. ``open`` are walked personas who
    may open the route for their own rows (200), where A's titles must be absent.
    ``query`` (with ``{name}`` filled as the arguments are) searches or filters a list for A.
    """

    allowed: frozenset[str]
    args: Mapping[str, str] = field(default_factory=dict)
    open: frozenset[str] = NOBODY
    query: str = ""


def W(allowed: frozenset[str], **args: str) -> Walk:
    return Walk(allowed=allowed, args=args)


ITEM = OWNER | OFFICE
ADMINS = frozenset({"sysadmin", "secadmin", "auditor"})

WALK: dict[str, Walk] = {
    # --- the home page and one's own account --------------------------------------------------
    "home": Walk(allowed=ITEM, open=EVERYONE),
    "accounts:password_change": Walk(allowed=NOBODY, open=EVERYONE),
    "accounts:token_list": Walk(allowed=NOBODY, open=EVERYONE),
    "accounts:token_revoke": W(OWNER, pk="token"),
    "accounts:user_list": Walk(allowed=USER_MANAGERS),
    "accounts:user_create": Walk(allowed=USER_MANAGERS),
    "accounts:user_edit": W(USER_MANAGERS, pk="alice"),
    "accounts:user_unlock": W(USER_MANAGERS, pk="alice"),
    "accounts:user_enable": W(USER_MANAGERS, pk="alice"),
    "accounts:clearance_list": Walk(allowed=frozenset({"secadmin"})),
    "accounts:clearance_set": W(frozenset({"secadmin"}), pk="alice"),
    # One's own second factor (the tests run with it off: each answer is a redirect).
    "accounts:second_factor": Walk(allowed=NOBODY, open=EVERYONE),
    "accounts:second_factor_enrol": Walk(allowed=NOBODY, open=EVERYONE),
    "accounts:second_factor_reset": W(frozenset({"secadmin"}), pk="alice"),
    "audit:list": Walk(allowed=frozenset({"auditor"})),
    "calendar:calendar": Walk(allowed=frozenset({"sysadmin"})),
    "calendar:calendar_year": W(frozenset({"sysadmin"}), year="=2026"),
    "calendar:calendar_year_complete": W(frozenset({"sysadmin"}), year="=2026"),
    "calendar:calendar_day_remove": W(frozenset({"sysadmin"}), pk="day"),
    "scheduler:chores": Walk(allowed=frozenset({"sysadmin"})),
    "help:index": Walk(allowed=NOBODY, open=EVERYONE),
    "help:page": Walk(allowed=NOBODY, args={"slug": "=reporter"}, open=EVERYONE),
    "help:image": Walk(allowed=NOBODY, args={"name": "=admin-import.png"}, open=EVERYONE),
    # --- the reporting network ----------------------------------------------------------------
    "org:unit_list": Walk(allowed=ORG_MANAGERS),
    "org:unit_create": Walk(allowed=ORG_MANAGERS),
    "org:unit_detail": W(ORG_MANAGERS, pk="county_a"),
    "org:unit_edit": W(ORG_MANAGERS, pk="county_a"),
    "org:roster_assign": W(ORG_MANAGERS, pk="county_a"),
    "org:roster_end": W(ORG_MANAGERS, pk="roster"),
    "org:person_list": Walk(allowed=ORG_MANAGERS),
    "org:person_create": Walk(allowed=ORG_MANAGERS),
    "org:person_edit": W(ORG_MANAGERS, pk="person"),
    "org:import": Walk(allowed=ORG_MANAGERS),
    "org:import_confirm": Walk(allowed=ORG_MANAGERS),
    "org:class_list": Walk(allowed=ORG_MANAGERS),
    "org:class_create": Walk(allowed=ORG_MANAGERS),
    "org:class_edit": W(ORG_MANAGERS, pk="class_one"),
    "org:class_retire": W(ORG_MANAGERS, pk="class_one"),
    "org:class_delete": W(ORG_MANAGERS, pk="class_one"),
    "org:office": Walk(allowed=frozenset({"sysadmin"})),
    "org:setup": Walk(allowed=frozenset({"sysadmin"})),
    "org:term_list": Walk(allowed=SETUP),
    "org:term_edit": W(SETUP, pk="term"),
    "org:term_delete": W(SETUP, pk="term"),
    # --- intake ------------------------------------------------------------------------------
    # Everyone lists what they may see; an administrator's list is empty (they write nothing).
    "items:list": Walk(allowed=ITEM, open=EVERYONE - ADMINS, query="q=东城县"),
    "items:create": Walk(allowed=NOBODY, open=REPORTERS | OFFICE | {"liaison"}),
    # The search page: everyone who reads items finds within what they may see.
    "items:search": Walk(allowed=ITEM, open=EVERYONE - ADMINS, query="q=东城县"),
    # The advice on typed text, for every role that writes items: it never quotes another
    # unit's item (the similar-items advice gives reporters a count of units, not titles).
    "items:quality_check": Walk(allowed=NOBODY, open=REPORTERS | {"duty", "ed"}),
    "items:quality": W(OWNER, pk="item"),
    "items:detail": W(ITEM, pk="item"),
    "items:edit": W(ITEM, pk="item"),
    "items:submit": W(ITEM, pk="item"),
    "items:withdraw": W(ITEM, pk="item"),
    "items:receive": W(ITEM, pk="item"),
    "items:label": W(SECTION, pk="item"),
    "items:attachment": W(ITEM, pk="item", att="attachment"),
    "items:attachment_inline": W(ITEM, pk="item", att="attachment"),
    "items:attachment_thumb": W(ITEM, pk="item", att="attachment"),
    "items:attachment_remove": W(ITEM, pk="item", att="attachment"),
    "api:list_items": Walk(allowed=ITEM, open=EVERYONE, query="unit_id={county_a}"),
    # The same address as the list: a GET lists.
    "api:create_item": Walk(allowed=ITEM, open=EVERYONE),
    # Everyone's batch is their own unit's (or refused): an empty one is invalid input.
    "api:create_batch": Walk(allowed=ITEM, open=EVERYONE),
    "api:get_item": W(ITEM, item_id="item"),
    "api:submit_item": W(ITEM, item_id="item"),
    "api:withdraw_item": W(ITEM, item_id="item"),
    "api:add_attachment": W(ITEM, item_id="item"),
    "api:search_items": Walk(allowed=ITEM, open=EVERYONE - ADMINS, query="q=东城县"),
    "api:openapi-json": Walk(allowed=NOBODY, open=EVERYONE),
    "api:openapi-view": Walk(allowed=NOBODY, open=EVERYONE),
    "api:api-root": Walk(allowed=NOBODY, open=EVERYONE),
    # --- the desk ----------------------------------------------------------------------------
    "desk:inbox": Walk(allowed=SECTION),
    "desk:queue": Walk(allowed=SECTION),
    "desk:merge": Walk(allowed=SECTION),
    **{
        f"desk:{name}": W(SECTION, pk="item")
        for name in (
            "item",
            "lock",
            "unlock",
            "edit",
            "adopt",
            "return",
            "reject",
            "forward",
            "higher_adoption",
            "archive",
            "group",
            "group_draft",
        )
    },
    # --- periodicals -------------------------------------------------------------------------
    "periodicals:list": Walk(allowed=HANDLERS),
    "periodicals:periodical": W(HANDLERS, pk="periodical"),
    "periodicals:issue_create": W(HANDLERS, pk="periodical"),
    **{
        f"periodicals:{name}": W(HANDLERS | SIGNERS, pk="issue")
        for name in (
            "issue",
            "issue_add_items",
            "issue_title",
            "issue_submit",
            "issue_direct",
            "issue_check",
            "issue_return",
            "issue_countersign",
            "issue_distribute",
            "issue_archive",
            "issue_preview",
            "issue_docx",
            "issue_pdf",
        )
    },
    **{
        f"periodicals:{name}": W(HANDLERS | SIGNERS, pk="issue", entry="entry")
        for name in ("entry_move", "entry_note", "entry_remove", "entry_pictures")
    },
    "periodicals:issue_picture": W(HANDLERS | SIGNERS, pk="issue", att="picture"),
    "periodicals:sign_queue": Walk(allowed=SIGNERS),
    **{
        f"periodicals:{name}": W(SIGNERS, pk="issue")
        for name in ("sign_issue", "sign_sign", "sign_return", "sign_instruct")
    },
    "periodicals:sign_revise": W(SIGNERS, pk="issue", entry="entry"),
    "periodicals:instructions": Walk(allowed=HANDLERS | SIGNERS),
    "periodicals:instructions_to_answer": Walk(allowed=OWNER, open=REPORTERS),
    "periodicals:instruction": W(OWNER | HANDLERS | SIGNERS, pk="instruction"),
    "periodicals:instruction_feedback": W(OWNER | HANDLERS | SIGNERS, pk="instruction"),
    "periodicals:instruction_close": W(OWNER | HANDLERS | SIGNERS, pk="instruction"),
    "periodicals:setup_list": Walk(allowed=SETUP),
    "periodicals:setup_create": Walk(allowed=SETUP),
    **{
        f"periodicals:{name}": W(SETUP, pk="periodical")
        for name in (
            "setup_edit",
            "setup_retire",
            "setup_reinstate",
            "setup_delete",
            "setup_distribution_add",
            "setup_reader_add",
        )
    },
    "periodicals:setup_distribution_edit": W(SETUP, pk="periodical", entry="distribution"),
    "periodicals:setup_distribution_remove": W(SETUP, pk="periodical", entry="distribution"),
    "periodicals:setup_reader_remove": W(SETUP, pk="periodical", user="leader"),
    "periodicals:routes": Walk(allowed=SETUP),
    "periodicals:reading": Walk(allowed=SIGNERS, open=EVERYONE),
    "periodicals:reading_issue": W(SIGNERS, pk="issue"),
    "periodicals:reading_instruct": W(SIGNERS, pk="issue"),
    "periodicals:incident_instruct": W(OFFICE, pk="incident"),
    "periodicals:phone_instruction": Walk(allowed=SIGNERS | HANDLERS, query="item={item}"),
    # --- urgent information ------------------------------------------------------------------
    "incidents:list": Walk(allowed=OFFICE),
    "incidents:intake": Walk(allowed=HANDLERS),
    "incidents:suggest": Walk(allowed=HANDLERS),
    **{
        f"incidents:{name}": W(OFFICE, pk="incident")
        for name in ("detail", "demand", "phone", "file", "close", "follow_up")
    },
    "incidents:verification_close": W(OFFICE, pk="verification"),
    "incidents:chase_docx": W(OWNER | OFFICE, pk="chase_notice"),
    "incidents:chase_pdf": W(OWNER | OFFICE, pk="chase_notice"),
    "incidents:request_list": Walk(
        allowed=OWNER | OFFICE, open=REPORTERS, query="unit={county_a}&show=all"
    ),
    "incidents:request_detail": W(OWNER | OFFICE, pk="demand"),
    "incidents:request_confirm": W(OWNER | OFFICE, pk="demand"),
    "incidents:request_file": W(OWNER | OFFICE, pk="demand"),
    "incidents:record_list": Walk(allowed=OFFICE),
    "incidents:notice_list": Walk(allowed=OFFICE),
    "incidents:notice_create": Walk(allowed=OFFICE),
    "incidents:notice_docx": W(OFFICE, pk="notice"),
    "incidents:deadline_rules": Walk(allowed=OFFICE | {"sysadmin"}),
    # --- messages ----------------------------------------------------------------------------
    "notify:centre": Walk(allowed=OWNER, open=EVERYONE),
    "notify:bell": Walk(allowed=OWNER, open=EVERYONE),
    "notify:read": W(OWNER, pk="notification"),
    "notify:preferences": Walk(allowed=NOBODY, open=EVERYONE),
    "notify:deliveries": Walk(allowed=OUTBOX),
    "notify:delivery_detail": W(OUTBOX, pk="message"),
    "notify:delivery_retry": W(OUTBOX, pk="message"),
    "notify:calls": Walk(allowed=HANDLERS),
    "notify:call_record": W(HANDLERS, pk="call"),
    "notify:template_preview": Walk(allowed=frozenset({"sysadmin"})),
    # --- inbound messages --------------------------------------------------------------------
    "inbound:list": Walk(allowed=HANDLERS),
    "inbound:quarantine": Walk(allowed=HANDLERS),
    "inbound:release": W(HANDLERS, pk="inbound"),
    "inbound:reject": W(HANDLERS, pk="inbound"),
    "inbound:policy": Walk(allowed=SECTION),
    # --- scores ------------------------------------------------------------------------------
    # A reporter is sent on to their own unit's scores.
    "scoring:dashboard": Walk(allowed=SCORE_VIEWERS, open=REPORTERS),
    "scoring:export": Walk(allowed=SCORE_VIEWERS),
    "scoring:unit": W(OWNER | SCORE_VIEWERS, pk="county_a"),
    "scoring:reports": Walk(allowed=SCORE_VIEWERS),
    "scoring:report": W(SCORE_VIEWERS, pk="report"),
    "scoring:report_send": W(SCORE_VIEWERS, pk="report"),
    "scoring:report_file": W(SCORE_VIEWERS, pk="report", kind="=pdf"),
    "scoring:letter_file": W(SCORE_VIEWERS, pk="letter", kind="=pdf"),
    "scoring:rulesets": Walk(allowed=frozenset({"chief"})),
    "scoring:ruleset_new": Walk(allowed=frozenset({"chief"})),
    "scoring:ruleset": W(frozenset({"chief"}), pk="ruleset"),
    "scoring:ledger": Walk(allowed=frozenset({"chief"})),
    "scoring:correct": W(frozenset({"chief"}), pk="score_entry"),
    # --- collection: public posts, read by the office's handlers, kept by the section ----------
    "monitor:posts": Walk(allowed=HANDLERS),
    "monitor:post": W(HANDLERS, pk="post"),
    "monitor:promote": W(frozenset({"ed"}), pk="post"),
    "monitor:attach": W(HANDLERS, pk="post"),
    "monitor:detach": W(HANDLERS, pk="post", incident="incident"),
    "monitor:sources": Walk(allowed=HANDLERS),
    "monitor:source_create": Walk(allowed=SECTION),
    "monitor:source_edit": W(SECTION, pk="source"),
    "monitor:source_pause": W(SECTION, pk="source"),
    "monitor:source_resume": W(SECTION, pk="source"),
    "monitor:watchlist": Walk(allowed=HANDLERS),
    "monitor:term_remove": W(SECTION, pk="watch_term"),
    # --- early signals: the handlers; partner leads: the office and the liaison's own ----------
    "signals:list": Walk(allowed=HANDLERS),
    **{
        f"signals:{name}": W(HANDLERS, pk="early_signal")
        for name in ("detail", "acknowledge", "dismiss", "demand")
    },
    # --- analysis: the section and the leaders read; the section corrects; the chief targets --
    **{
        f"analysis:{name}": Walk(allowed=SECTION | SIGNERS)
        for name in ("matrix", "cell", "mix", "proposals")
    },
    "analysis:place": W(SECTION, pk="item"),
    "analysis:proposal": W(SECTION | SIGNERS, pk="item"),
    "analysis:targets": Walk(allowed=frozenset({"chief"})),
    "analysis:target_remove": W(frozenset({"chief"}), pk="mix_target"),
    "liaison:inbox": Walk(allowed=OFFICE),
    "liaison:mine": Walk(allowed=frozenset({"liaison"})),
    "liaison:share": Walk(allowed=frozenset({"liaison"})),
    "liaison:request": Walk(allowed=HANDLERS),
    **{
        f"liaison:{name}": W(OFFICE | {"liaison"}, pk="lead")
        for name in ("detail", "answer", "take")
    },
    # --- leaders' interests, requests, marks: a leader's own; the section's requests, marks ----
    "interests:mine": Walk(allowed=SIGNERS),
    "interests:create": Walk(allowed=SIGNERS),
    **{f"interests:{n}": W(frozenset({"leader"}), pk="interest") for n in ("edit", "delete")},
    "interests:mark_item": W(SIGNERS, pk="item"),
    "interests:mark_issue": W(frozenset({"leader"}), pk="issue"),
    "interests:marks": Walk(allowed=SECTION),
    "interests:requests": Walk(allowed=SECTION | {"leader"}, open=frozenset({"principal"})),
    "interests:ask": Walk(allowed=SIGNERS),
    "interests:request": W(SECTION | {"leader"}, pk="info_request"),
    "interests:request_issue": W(SECTION, pk="info_request"),
    "interests:request_withdraw": W(frozenset({"leader"}), pk="info_request"),
    # --- topic lists: the section writes; every unit reads them, and its own answers only ----
    "topiclists:index": Walk(allowed=ITEM, open=frozenset({"bob", "carol"})),
    "topiclists:create": Walk(allowed=SECTION),
    **{
        f"topiclists:{name}": Walk(
            allowed=ITEM, args={"pk": "topic_list"}, open=frozenset({"bob", "carol"})
        )
        for name in ("detail", "coverage")
    },
    "topiclists:document": Walk(
        allowed=ITEM,
        args={"pk": "topic_list", "fmt": "=docx"},
        open=frozenset({"bob", "carol"}),
    ),
    **{
        f"topiclists:{name}": W(SECTION, pk="topic_list")
        for name in ("edit", "topic_add", "publish", "withdraw")
    },
    "topiclists:topic": Walk(
        allowed=ITEM, args={"pk": "listed_topic"}, open=frozenset({"bob", "carol"})
    ),
    **{
        f"topiclists:{name}": W(SECTION, pk="listed_topic")
        for name in ("topic_edit", "topic_remove", "topic_move", "dismiss")
    },
    "topiclists:link": W(OWNER | SECTION, pk="listed_topic"),
    "topiclists:link_item": W(OWNER | SECTION, pk="item"),
    "topiclists:unlink": W(OWNER | SECTION, pk="topic_answer"),
    # --- priorities: the information section edits, the leaders read ------------------------
    "agenda:list": Walk(allowed=SECTION | SIGNERS),
    "agenda:create": Walk(allowed=SECTION),
    "agenda:detail": W(SECTION | SIGNERS, pk="priority"),
    **{
        f"agenda:{name}": W(SECTION, pk="priority")
        for name in ("edit", "milestone_add", "match_add")
    },
    "agenda:milestone_edit": W(SECTION, pk="milestone"),
    "agenda:match_remove": W(SECTION, pk="priority_match"),
    "agenda:item_match": W(SECTION, pk="item"),
    "agenda:flag_commission": W(SECTION, pk="stale_flag"),
    # --- research commissions: the office; a unit's reporters their unit's own ---------------
    "research:plan": Walk(allowed=OFFICE),
    "research:mine": Walk(allowed=OWNER, open=frozenset({"bob", "carol"})),
    "research:create": Walk(allowed=SECTION),
    **{
        f"research:{name}": W(OWNER | OFFICE, pk="commission")
        for name in ("detail", "notice_docx", "notice_pdf")
    },
    **{
        f"research:{name}": W(SECTION, pk="commission")
        for name in ("edit", "send", "close", "cancel")
    },
    "research:answer": W(OWNER, pk="commission"),
    # --- reference packs: the section builds; a leader reads their own delivered packs --------
    "packs:list": Walk(allowed=SECTION),
    "packs:mine": Walk(allowed=frozenset({"leader"}), open=frozenset({"principal"})),
    "packs:create": Walk(allowed=SECTION),
    **{
        f"packs:{name}": W(SECTION, pk="pack")
        for name in (
            "build",
            "edit",
            "add_item",
            "add_instruction",
            "add_figure",
            "add_text",
            "deliver",
            "withdraw",
            "copy",
        )
    },
    **{
        f"packs:{name}": W(SECTION, pk="pack", entry="pack_entry")
        for name in ("entry_note", "entry_move", "entry_remove")
    },
    **{f"packs:{name}": W(SECTION | {"leader"}, pk="pack") for name in ("read", "docx", "pdf")},
}

#: The API's own documents, for people signed in to the site (a token is not a session).
SESSION_ONLY = frozenset({"api:openapi-json", "api:openapi-view"})

#: Second walks of routes with other objects: A's draft (A's own, the office's neither) and
#: B's own scores (bob opens them; they hold nothing of A).
ALSO: list[tuple[str, Walk]] = [
    *[
        (name, W(OWNER, pk="draft"))
        for name in ("items:detail", "items:edit", "items:submit", "items:withdraw")
    ],
    *[(name, W(OWNER, item_id="draft")) for name in ("api:get_item", "api:submit_item")],
    *[(name, W(OWNER, pk="draft")) for name in ("desk:item", "desk:edit", "desk:adopt")],
    ("scoring:unit", Walk(allowed=SCORE_VIEWERS, args={"pk": "county_b"}, open=frozenset({"bob"}))),
]

#: The administrators' own pages that quote A's titles, although none of them reads items
#: (三员分立): each with why. Every other page an administrator opens must not quote them.
ADMIN_QUOTES: dict[str, str] = {
    "audit:list": "an event's change summary names its object (item.create: the title)",
}

#: Routes that need no login, each with why it shows nothing of a unit to a stranger.
PUBLIC: dict[str, str] = {
    "accounts:login": "the login page",
    "accounts:logout": "ends the caller's own session",
    "set_language": "sets the caller's own language cookie",
    "notify:ack": "the 22-character token of an urgent message is the secret",
    "notify:sms_receipt": "the SMS gateway's delivery reports, refused without its signature",
    "inbound:sms": "the SMS gateway's inbound messages, refused without its signature",
    "inbound:wecom": "WeCom's callbacks, refused without the configured token's signature",
    "scoring:shared_document": "a signed, expiring link to one score document",
}

_ITEM_FORM = {
    "title": "改写的标题",
    "body": "7月8日凌晨，东城县青石镇突发山洪。",
    "kind": "dynamic",
    "urgency": "important",
    "writer_name": "赵小红",
    "writer_phone": "13800000001",
    "action": "save",
}
#: Minimal valid bodies of the state-changing routes, so that what refuses a walked persona is
#: the access check and not the form (``@name`` is the primary key of the case's ``name``, and
#: ``{name}`` in a field's name too, for forms with a prefix per object).
BODIES: dict[str, dict[str, str]] = {
    "analysis:place": {"horizon": "early_sign", "sphere": "economy", "region": "local"},
    "analysis:targets": {"kind": "analysis", "share": "20", "valid_from": "2026-07-01"},
    "analysis:proposal": {"uptake": "taken_up", "note": "已采纳"},
    "accounts:token_revoke": {},
    "accounts:user_edit": {
        "username": "alice",
        "full_name": "Alice",
        "role": "reporter",
        "unit": "@county_b",
        "is_active": "on",
    },
    "org:unit_edit": {"code": "C01", "name": "改名", "kind": "county", "unit_class": "@class_one"},
    "org:person_edit": {"unit": "@county_b", "name": "改名"},
    "org:roster_end": {"ended_on": "2026-06-30"},
    "org:class_edit": {"name": "改名", "rank": "1", "quota_per_month": "1"},
    "accounts:clearance_set": {"clearance": "3"},
    "items:edit": _ITEM_FORM,
    "items:label": {"sensitivity": "2", "reason": "内部"},
    "desk:edit": {"title": "改写", "body": "改写的正文"},
    "desk:adopt": {"periodicals": "@periodical"},
    "desk:return": {"comment": "退回"},
    "desk:reject": {"reason": "不用"},
    "desk:forward": {"to_office": "省委办公厅"},
    "desk:higher_adoption": {
        "level": "province",
        "publication": "《每日要情》",
        "adopted_on": "2026-09-01",
    },
    "periodicals:issue_add_items": {"items": "@item"},
    "periodicals:issue_title": {"title": "改名"},
    "periodicals:entry_note": {"note": "编者按"},
    "periodicals:entry_move": {"direction": "up"},
    "periodicals:issue_return": {"comment": "退回"},
    "periodicals:sign_return": {"comment": "退回"},
    "periodicals:sign_revise": {"title": "改写", "body": "改写的正文"},
    "periodicals:sign_instruct": {"text": "请研究"},
    "periodicals:reading_instruct": {"text": "请研究"},
    "periodicals:incident_instruct": {"text": "请研究"},
    "periodicals:instruction_feedback": {"text": "已落实"},
    "periodicals:setup_reader_add": {"user": "@bob"},
    "incidents:demand": {"units": "@county_b", "matter": "请报送"},
    "incidents:file": {"request": "@demand", "item": "@item"},
    "incidents:follow_up": {"follow_up_hours": "4"},
    "incidents:verification_close": {"v{verification}-outcome": "confirmed"},
    "incidents:request_file": {"request": "@demand", "item": "@item"},
    "notify:call_record": {"call{call}-outcome": "reached"},
    "scoring:correct": {"reason": "更正"},
    "signals:dismiss": {"reason": "不是苗头"},
    "signals:demand": {"unit": "@county_b", "matter": "核实", "category": "social_security"},
    "liaison:share": {"title": "线索", "text": "线索正文"},
    "liaison:request": {
        "liaison": "@liaison",
        "title": "线索",
        "text": "线索正文",
        "question": "请核实",
        "due_at": "2099-01-01T09:00",
    },
    "liaison:answer": {"answer": "已核实"},
    "interests:create": {"name": "关注", "keywords": "防汛"},
    "interests:edit": {"name": "关注", "keywords": "防汛"},
    "interests:mark_item": {"useful": "1"},
    "interests:mark_issue": {"useful": "1"},
    "interests:ask": {"subject": "点题", "wanted": "情况", "wanted_by": "2099-01-01"},
    "interests:request_issue": {
        "units": "@county_b",
        "form": "commissioned",
        "due_on": "2099-01-01",
        "requirements": "请报送",
    },
    "topiclists:link": {"item": "@item"},
    "topiclists:dismiss": {"item": "@item"},
    "topiclists:link_item": {"topic": "@listed_topic"},
    "topiclists:topic_add": {"title": "要点"},
    "topiclists:topic_edit": {"title": "要点"},
    "agenda:match_add": {"item": "@item"},
    "agenda:item_match": {"priority": "@priority"},
    "agenda:milestone_add": {"title": "排查", "due_on": "2026-09-01"},
    "agenda:milestone_edit": {"title": "排查", "due_on": "2026-09-01"},
    "agenda:flag_commission": {"due_on": "2099-01-01", "requirements": "请报送"},
    "research:answer": {"item": "@item"},
    "packs:create": {
        "title": "参阅",
        "occasion": "meeting",
        "occasion_at": "2099-01-01T09:00",
        "subject": "防汛",
        "recipients": "@leader",
    },
    "packs:add_item": {"item": "@item"},
    "packs:add_instruction": {"instruction": "@instruction"},
    "packs:add_figure": {"label": "死亡人数", "value": "1"},
    "packs:add_text": {"text": "背景"},
    "packs:entry_note": {"note": "摘要"},
    "packs:entry_move": {"direction": "up"},
}


def routes(
    patterns: list[URLPattern | URLResolver], namespace: str = ""
) -> Iterator[tuple[str, list[str]]]:
    """(name with its namespaces, names of its path parameters) of every named route."""
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            outer = list(getattr(p.pattern, "converters", {}))
            for name, params in routes(p.url_patterns, full):
                yield name, outer + params
        elif p.name:
            name = f"{namespace}:{p.name}" if namespace else p.name
            yield name, list(getattr(p.pattern, "converters", {}))


def text_of(response: HttpResponseBase) -> str:
    """What a person could read in an answer: a page, JSON, or the text of a file."""
    data: bytes
    if response.streaming:
        data = b"".join(response.streaming_content)  # type: ignore[attr-defined]  # streaming responses have it
    else:
        data = response.content  # type: ignore[attr-defined]  # non-streaming responses have it
    if data.startswith(b"PK"):  # XLSX, DOCX: the XML of every part
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "".join(
                archive.read(name).decode(errors="replace")
                for name in archive.namelist()
                if name.endswith((".xml", ".rels"))
            )
    if response.get("Content-Type", "").startswith("application/json") and data:
        # JSON escapes every Chinese character (\\u4e1c); read it as a person would.
        return json.dumps(json.loads(data), ensure_ascii=False)
    if data.startswith(b"%PDF"):
        from pypdf import PdfReader

        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return data.decode(errors="replace")


class IsolationWalkTest(BaseTestCase):
    item: Item
    draft: Item
    attachment: Attachment
    token: ApiToken
    message: Message
    notification: Notification
    call: PhoneCall
    day: CalendarDay
    person: Person
    roster: RosterEntry
    incident: Incident
    demand: ReportRequest
    chase_notice: ChaseNotice
    verification: Verification
    notice: Notice
    periodical: Periodical
    distribution: DistributionEntry
    issue: Issue
    entry: IssueItem
    picture: Attachment
    instruction: Instruction
    report: ScoreReport
    term: Term
    letter: Reminder
    ruleset: RuleSet
    score_entry: ScoreEntry
    source: Source
    post: Post
    watch_term: WatchTerm
    inbound: InboundMessage
    early_signal: EarlySignal
    mix_target: MixTarget
    lead: Lead
    pack: Pack
    pack_entry: Entry
    priority: Priority
    priority_match: PriorityMatch
    milestone: Milestone
    stale_flag: StaleFlag
    commission: Commission
    interest: Interest
    info_request: InfoRequest
    topic_list: TopicList
    listed_topic: ListedTopic
    topic_answer: TopicAnswer

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.item = cls.make_item(cls.alice, title=SECRET)
        cls.mix_target = MixTarget.objects.create(
            kind="analysis",
            share=30,
            valid_from=dt.date(2026, 1, 1),
            set_by=cls.chief,
            set_at=timezone.now(),
        )
        cls.draft = cls.make_item(cls.alice, title=DRAFT, status=ItemStatus.DRAFT)
        cls.term = Term.objects.create(text="东城县防汛", kind=TermKind.PLACE)
        cls.attachment = add_attachment(
            user=cls.alice, item=cls.item, upload=SimpleUploadedFile("p.png", png_bytes())
        )
        cls.token, _raw = create_token(user=cls.alice, name="东城OA")
        cls.message = queue(
            channel=Channel.IN_APP,
            to=Recipient.of_user(cls.alice),
            event="item_received",
            context={"title": SECRET, "unit": "东城县"},
        )
        # The desk's decision on another of A's items tells A's reporters, and only them.
        rejected = cls.make_item(cls.alice, title=SECRET)
        desk.reject(user=cls.ed, item=rejected, reason=SECRET)
        deliver_due()
        cls.notification = Notification.objects.get(message=cls.message)
        cls.call = PhoneCall.objects.create(message=cls.message)
        cls.day = CalendarDay.objects.create(
            date=dt.date(2026, 10, 8), is_workday=False, name="国庆"
        )
        cls.person = Person.objects.filter(unit=cls.county_a).earliest("pk")
        cls.roster = RosterEntry.objects.filter(unit=cls.county_a).earliest("pk")
        cls._create_incident()
        cls._create_issue()
        cls._create_scores()
        cls.source = Source.objects.create(
            name="澜江发布", kind="feed", url="http://127.0.0.1:9/rss", created_by=cls.ed
        )
        cls.post = Post.objects.create(
            source=cls.source,
            url="http://127.0.0.1:9/1",
            url_hash="1" * 64,
            content_hash="2" * 64,
            title="澜江发布消息",
            text="澜江发布消息",
            normalised="澜江发布消息",
            fetched_at=timezone.now(),
        )
        cls.watch_term = WatchTerm.objects.create(
            term="内涝", key="内涝", kind="keyword", created_by=cls.ed
        )
        cls.priority = Priority.objects.create(
            title=SECRET,
            kind=PriorityKind.DECISION,
            keywords=SECRET,
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2099, 12, 31),
            owner=cls.leader,
            created_by=cls.chief,
        )
        cls.priority.units.set([cls.county_a])
        cls.priority_match = PriorityMatch.objects.create(
            priority=cls.priority,
            item=cls.item,
            how=MatchHow.AUTO,
            reasons=[SECRET],
            at=timezone.now(),
        )
        cls.milestone = Milestone.objects.create(
            priority=cls.priority, title=SECRET, due_on=dt.date(2026, 9, 1)
        )
        cls.stale_flag = StaleFlag.objects.create(
            priority=cls.priority, raised_at=timezone.now(), since=timezone.now()
        )
        cls.commission = create_commission(
            subject=SECRET,
            requirements=SECRET,
            source=CommissionSource.CENTRAL_WORK,
            form=CommissionForm.COMMISSIONED,
            units=[cls.county_a],
            due_on=timezone.localdate() + dt.timedelta(days=30),
            user=cls.chief,
        )
        link_answer(assignment=cls.commission.assignments.get(), item=cls.item, user=cls.alice)

    @classmethod
    def _create_incident(cls) -> None:
        """An incident with a demand made of county A, its chase notice, verification, notice."""
        now = timezone.now()
        cls.incident = Incident.objects.create(
            title=SECRET,
            category="accident",
            level=3,
            suggested_level=3,
            summary=SECRET,
            created_by=cls.duty,
        )
        cls.demand = ReportRequest.objects.create(
            incident=cls.incident,
            unit=cls.county_a,
            matter=SECRET,
            sent_at=now,
            written_due_at=now,
            created_by=cls.duty,
        )
        cls.chase_notice = ChaseNotice.objects.create(
            request=cls.demand,
            number="2026-901",
            original_due_at=now,
            new_due_at=now,
            docx="chase/2026-901.docx",
            pdf="chase/2026-901.pdf",
        )
        cls.verification = Verification.objects.create(incident=cls.incident, unit=cls.county_a)
        cls.notice = Notice.objects.create(
            kind="criticise", number="2026-901", title=SECRET, created_by=cls.ed
        )
        AccountabilityRecord.objects.create(
            unit=cls.county_a,
            incident=cls.incident,
            kind=RecordKind.LATE,
            reason=SECRET,
            at=now,
            notice=cls.notice,
        )
        cls.inbound = InboundMessage.objects.create(
            channel="email",
            source_id="<walk@example.com>",
            sender="someone@example.com",
            subject=SECRET,
            received_at=now,
            state=InboundState.QUARANTINED,
        )

    @classmethod
    def _create_issue(cls) -> None:
        """A's item with a picture in a distributed issue that only the leader reads, and the
        leader's instruction on it sent to county A."""
        cls.periodical = Periodical.objects.create(
            name="每日要情", frequency="daily", issuing_office="中共澜江市委办公室"
        )
        cls.periodical.readers.add(cls.leader)
        cls.distribution = DistributionEntry.objects.create(
            periodical=cls.periodical, group="send", label="市委常委", user=cls.leader
        )
        adopted = cls.make_item(cls.alice, title=SECRET, status=ItemStatus.ADOPTED)
        cls.picture = add_attachment(
            user=cls.alice, item=adopted, upload=SimpleUploadedFile("q.png", png_bytes())
        )
        Adoption.objects.create(
            item=adopted,
            level=AdoptionLevel.OFFICE,
            periodical=cls.periodical,
            adopted_on=timezone.localdate(),
            by=cls.ed,
        )
        issue = issues.create_issue(user=cls.ed, periodical=cls.periodical)
        (cls.entry,) = issues.add_items(user=cls.ed, issue=issue, items=[adopted])
        issues.set_pictures(user=cls.ed, entry=cls.entry, pictures=[(cls.picture, SECRET)])
        issue = issues.check(user=cls.chief, issue=issues.submit(user=cls.ed, issue=issue))
        cls.issue = issues.distribute(user=cls.ed, issue=issues.sign(user=cls.leader, issue=issue))
        cls.instruction = issues.give_instruction(
            user=cls.leader, text=SECRET, item=adopted, units=[cls.county_a]
        )

    @classmethod
    def _create_scores(cls) -> None:
        """A quarter's report, a letter to county A, a rule set and a ledger line of A."""
        cls.report = ScoreReport.objects.create(
            quarter_start=dt.date(2026, 7, 1),
            quarter_end=dt.date(2026, 10, 1),
            docx="scoring/2026q3.docx",
            pdf="scoring/2026q3.pdf",
        )
        cls.letter = Reminder.objects.create(
            unit=cls.county_a,
            kind=ReminderKind.LETTER,
            period=dt.date(2026, 9, 1),
            reason=SECRET,
            sent_at=timezone.now(),
            docx="scoring/letter.docx",
            pdf="scoring/letter.pdf",
        )
        cls.ruleset = RuleSet.objects.create(
            name="2026年起施行", effective_from=dt.date(2026, 1, 1)
        )
        cls.score_entry = ScoreEntry.objects.create(
            unit=cls.county_a,
            on=dt.date(2026, 9, 3),
            points=Decimal("5"),
            cause=Cause.CORRECTION,
            cause_id=0,
            explanation=SECRET,
        )
        now = timezone.now()
        cls.early_signal = EarlySignal.objects.create(
            kind=SignalKind.PLACE,
            key=SECRET,
            label=SECRET,
            window_start=now - dt.timedelta(hours=1),
            window_end=now,
            observed=9,
            baseline=1.0,
            baseline_std=0.8,
            score=8.0,
            raised_at=now,
            burst_last_seen_at=now,
        )
        cls.lead = Lead.objects.create(
            direction=Direction.IN,
            title=SECRET,
            text=SECRET,
            liaison=cls.liaison,
            shared_by=cls.liaison,
            shared_at=now,
            state=LeadState.SHARED,
        )
        cls.interest = interests.save_interest(user=cls.leader, name=SECRET, keywords=[SECRET])
        cls.info_request = interests.ask(
            user=cls.leader,
            subject=SECRET,
            wanted=SECRET,
            wanted_by=timezone.localdate() + dt.timedelta(days=30),
            units=[cls.county_a],
        )
        interests.set_mark(user=cls.leader, item=cls.item, useful=True, note=SECRET)
        cls.pack = packs.create_pack(
            user=cls.ed,
            title=SECRET,
            occasion="meeting",
            occasion_at=now,
            subject=SECRET,
            recipients=[cls.leader],
        )
        cls.pack_entry = packs.add_item(user=cls.ed, pack=cls.pack, item=cls.item)
        packs.deliver(user=cls.ed, pack=cls.pack)

        cls.topic_list = topiclists.create_list(
            user=cls.chief, month=dt.date(2026, 9, 1), title="2026年9月信息报送要点"
        )
        cls.listed_topic = topiclists.add_topic(
            user=cls.chief, topic_list=cls.topic_list, title="防汛工作"
        )
        topiclists.publish(user=cls.chief, topic_list=cls.topic_list)
        cls.topic_answer = topiclists.link(user=cls.alice, topic=cls.listed_topic, item=cls.item)

    def setUp(self) -> None:
        # Each test stores files in a fresh folder; the documents and attachments of the
        # fixtures are put back there, each holding A's title, so that a leaked file shows.
        for stored in (
            self.attachment.file,
            self.picture.file,
            self.chase_notice.docx,
            self.chase_notice.pdf,
            self.report.docx,
            self.report.pdf,
            self.letter.docx,
            self.letter.pdf,
        ):
            if not stored.storage.exists(stored.name):
                stored.storage.save(stored.name, ContentFile(SECRET.encode()))

    def value(self, spec: str) -> Any:
        """``=literal`` or the attribute of the case (its primary key for a model)."""
        if spec.startswith("="):
            return spec[1:]
        found = getattr(self, spec)
        return getattr(found, "pk", found)

    def url(self, name: str, walk: Walk) -> str:
        url = reverse(name, kwargs={k: self.value(v) for k, v in walk.args.items()})
        if not walk.query:
            return url
        return f"{url}?{self.fill(walk.query)}"

    def fill(self, template: str) -> str:
        """``template`` with each ``{name}`` replaced by the case's ``name`` (its key)."""
        names = re.findall(r"\{(\w+)\}", template)
        return template.format(**{n: self.value(n) for n in names})

    def request(
        self, method: str, name: str, walk: Walk, headers: Mapping[str, str] = NO_HEADERS
    ) -> HttpResponseBase:
        url = self.url(name, walk)
        if method == "get":
            return self.client.get(url, headers=headers)
        if method == "htmx":
            return self.client.get(url, headers={**headers, "HX-Request": "true"})
        body = {
            self.fill(k): self.value(v[1:]) if v.startswith("@") else v
            for k, v in BODIES.get(name, {}).items()
        }
        if name.startswith("api:"):
            return self.client.post(url, body, content_type="application/json", headers=headers)
        return self.client.post(url, body, headers=headers)

    def walk_as(
        self, persona: str, walks: list[tuple[str, Walk]], headers: Mapping[str, str] = NO_HEADERS
    ) -> list[str]:
        """Walk ``walks`` as ``persona``; what went wrong, one line each."""
        wrong: list[str] = []
        for name, walk in walks:
            if persona in walk.allowed:
                # Who may open a list, a dashboard, an export still never sees another
                # unit's draft there.
                if persona in OWNER or walk.args:
                    continue
                if DRAFT in text_of(self.request("get", name, walk, headers)):
                    wrong.append(f"{name} GET as {persona} shows {DRAFT}")
                continue
            statuses = set()
            methods = ("get", "htmx", "post") if walk.open else ("get", "post")
            for method in methods:
                response = self.request(method, name, walk, headers)
                status = response.status_code
                statuses.add(status)
                text = text_of(response)
                where = f"{name} {method.upper()} as {persona}: {status}"
                wrong += [f"{where} shows {secret}" for secret in (SECRET, DRAFT) if secret in text]
                if persona in walk.open:
                    if status >= 500 or "/accounts/login/" in response.get("Location", ""):
                        wrong.append(where)
                elif status not in (403, 404, 405):
                    wrong.append(f"{where}, not refused")
            if persona not in walk.open and not statuses & {403, 404}:
                wrong.append(f"{name} as {persona}: {sorted(statuses)}, never refused")
        return wrong

    def test_it_walks_or_lists_every_route(self) -> None:
        found = dict(routes(get_resolver().url_patterns))
        assert not set(WALK) & set(PUBLIC)
        unwalked = sorted(set(found) - set(WALK) - set(PUBLIC))
        assert not unwalked, f"routes neither walked nor public: {unwalked}"
        stale = sorted((set(WALK) | set(PUBLIC) | {name for name, _ in ALSO}) - set(found))
        assert not stale, f"walked routes that no longer exist: {stale}"
        unfilled = [
            (name, sorted(set(found[name]) - set(walk.args)))
            for name, walk in [*WALK.items(), *ALSO]
            if set(found[name]) - set(walk.args)
        ]
        assert not unfilled, f"parameters without a value: {unfilled}"

    def test_it_walks_every_api_operation_with_its_method(self) -> None:
        """The schema's operations, each a walked route; the walk sends GET and POST only."""
        operations = [
            (method, op["operationId"].rsplit("_api_", 1)[-1])
            for ops in openapi_document()["paths"].values()
            for method, op in ops.items()
        ]
        assert len(operations) >= 6
        assert {f"api:{name}" for _, name in operations} <= set(WALK)
        assert {method for method, _ in operations} <= {"get", "post"}

    def test_it_refuses_every_persona_outside_a_routes_allowed_set(self) -> None:
        wrong: list[str] = []
        for persona in sorted(EVERYONE):
            self.client.force_login(getattr(self, persona))
            wrong += self.walk_as(persona, [*WALK.items(), *ALSO])
        assert not wrong, "\n".join(wrong)
        # Nothing changed hands: A's item, token, notification, demand and instruction are as
        # they were, and nobody was added to A's periodical or users.
        self.item.refresh_from_db()
        assert (self.item.title, self.item.status) == (SECRET, ItemStatus.SUBMITTED)
        assert self.item.attachments.count() == 1
        self.draft.refresh_from_db()
        assert self.draft.status == ItemStatus.DRAFT
        assert ApiToken.objects.get(pk=self.token.pk).revoked_at is None
        assert Notification.objects.get(pk=self.notification.pk).read_at is None
        assert PhoneCall.objects.get(pk=self.call.pk).outcome == ""
        demand = ReportRequest.objects.get(pk=self.demand.pk)
        assert demand.received_at is None and demand.status == "sent"
        assert Incident.objects.get(pk=self.incident.pk).status == "open"
        assert Verification.objects.get(pk=self.verification.pk).outcome == ""
        assert not self.instruction.feedback.exists()
        assert list(self.periodical.readers.all()) == [self.leader]
        assert User.objects.get(pk=self.alice.pk).unit == self.county_a
        assert not Item.objects.exclude(created_by=self.alice).exists()

    def test_it_keeps_items_off_the_administrators_own_pages(self) -> None:
        quoting = set()
        for persona in sorted(ADMINS):
            self.client.force_login(getattr(self, persona))
            for name, walk in WALK.items():
                if persona in walk.allowed and SECRET in text_of(self.request("get", name, walk)):
                    quoting.add(name)
        assert quoting == set(ADMIN_QUOTES)

    def test_it_refuses_another_units_api_token(self) -> None:
        """The API walked with county B's token instead of a session."""
        _token, raw = create_token(user=self.bob, name="西山OA")
        api = [
            (name, walk)
            for name, walk in [*WALK.items(), *ALSO]
            if name.startswith("api:") and name not in SESSION_ONLY
        ]
        wrong = self.walk_as("bob", api, {"Authorization": f"Bearer {raw}"})
        assert not wrong, "\n".join(wrong)
        # The token was what answered: without it the API asks for one.
        assert self.client.get(reverse("api:list_items")).status_code == 401

    def test_it_keeps_public_routes_shut_without_their_secret(self) -> None:
        self.client.force_login(self.bob)
        for method in ("get", "post"):
            response = getattr(self.client, method)(reverse("notify:ack", args=["A" * 22]))
            assert response.status_code == 404, method
        link = reverse("scoring:shared_document", args=["not-a-signed-link"])
        assert self.client.get(link).status_code == 404
        response = self.client.post(reverse("notify:sms_receipt"), "[]", "application/json")
        assert response.status_code == 403
