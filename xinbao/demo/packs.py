"""Reference packs (决策参考) in the demo, told through the services.

* Yesterday afternoon the editor assembled a pack on the city's work-safety situation for the
  standing committee's meeting tomorrow morning: the best hits of a search for 安全生产, the
  first hit's same-event reports, the leaders' instructions and earlier adoptions on the subject,
  the figures the items state and a paragraph of the office's own; the section chief delivered
  it three hours ago to the leader in charge and the principal leader. The leader in charge
  opened it within the hour; the principal leader has not yet.
* This morning the editor began a pack for the principal leader's visit on rural revitalisation
  (乡村振兴) next week: a few items and a foreword, still a draft.

The story is told once: when the first pack exists, it is left alone.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xinbao.accounts.models import User
from xinbao.demo.office import Book, replay
from xinbao.items.search import index_missing
from xinbao.items.similarity import sign_missing
from xinbao.packs import selectors, services
from xinbao.packs.models import Occasion, Pack

SAFETY_TITLE = "全市安全生产形势及近期重点工作参阅"
VISIT_TITLE = "乡村振兴和农村人居环境整治情况参阅"
SAFETY_FOREWORD = (
    "入冬以来，各地安全生产专项整治和燃气隐患排查整改持续推进，但个别地方事故仍有发生。"
    "现将近期各地报送的有关情况汇编如下，供常委会研究部署时参阅。"
)
SAFETY_ADVICE = (
    "一是压紧压实安全生产责任，对燃气、交通、建筑施工等重点行业开展“回头看”。"
    "二是对近期事故逐起复盘，举一反三排查同类隐患。"
    "三是加强岁末年初值班值守和信息报送，重大情况第一时间报告。"
)
VISIT_FOREWORD = "沈致远同志下周赴各县调研乡村振兴工作，现将各地近期报送的有关情况汇编备阅。"
HITS = 5
GROUP = 2
OFFERED = 2


def _add_best(editor: User, pack: Pack, query: str, limit: int) -> list[int]:
    """Add the best ``limit`` hits the editor finds for ``query``; items a leader may not
    read are left out, as the builder refuses them."""
    added: list[int] = []
    for hit in selectors.hits(editor, query):
        if len(added) == limit:
            break
        if (hit.item.submitted_at or hit.item.created_at) > timezone.now():
            continue  # reported after the moment the pack is built
        try:
            services.add_item(user=editor, pack=pack, item=hit.item)
        except services.PackError:
            continue
        added.append(hit.item.pk)
    return added


def packs(book: Book) -> None:
    """See the module's docstring."""
    if Pack.objects.exists():
        book.skipped.append("packs: a pack exists")
        return
    # The demo's items are written past the services: the builder finds them through search and
    # groups, as on a working install, once the chores that index and sign them have run.
    index_missing()
    sign_missing()
    now = book.now
    editor, chief = book.users["editor"], book.users["chief"]
    leader, principal = book.users["leader"], book.users["principal"]
    holder: dict[str, Pack] = {}

    def build_safety() -> None:
        pack = services.create_pack(
            user=editor,
            title=SAFETY_TITLE,
            occasion=Occasion.MEETING,
            occasion_at=now + dt.timedelta(hours=18),
            subject="安全生产 燃气 隐患排查",
            recipients=[leader, principal],
            foreword=SAFETY_FOREWORD,
        )
        holder["safety"] = pack
        added = _add_best(editor, pack, "安全生产", HITS)
        if added:
            first = next(e.item for e in selectors.entries(pack) if e.item_id == added[0])
            for item in selectors.group(editor, first, exclude=added)[:GROUP]:
                try:
                    services.add_item(user=editor, pack=pack, item=item)
                except services.PackError:
                    continue
        in_pack = {e.item_id for e in selectors.entries(pack) if e.item_id}
        for item in selectors.adopted(editor, pack.subject, exclude=in_pack)[:OFFERED]:
            services.add_item(user=editor, pack=pack, item=item)
        for instruction in selectors.instructions_on(editor, pack.subject, exclude=())[:OFFERED]:
            try:
                services.add_instruction(user=editor, pack=pack, instruction=instruction)
            except services.PackError:
                continue
        for figure in selectors.figures(selectors.entries(pack))[:OFFERED]:
            services.add_figure(
                user=editor,
                pack=pack,
                label=figure.label,
                value=figure.value,
                unit=figure.unit,
                source=figure.source,
            )
        services.add_text(user=editor, pack=pack, title="下一步工作建议", text=SAFETY_ADVICE)
        first_item = pack.entries.filter(item__isnull=False).first()
        if first_item is not None:
            services.annotate(
                user=editor, entry=first_item, note="此条反映的问题具有普遍性，建议重点关注。"
            )
        book.add("packs")

    def deliver() -> None:
        holder["safety"] = services.deliver(user=chief, pack=holder["safety"])

    def read() -> None:
        services.record_read(user=leader, pack=holder["safety"])

    def begin_visit() -> None:
        pack = services.create_pack(
            user=editor,
            title=VISIT_TITLE,
            occasion=Occasion.VISIT,
            occasion_at=now + dt.timedelta(days=6),
            subject="乡村振兴 人居环境",
            recipients=[principal],
            foreword=VISIT_FOREWORD,
        )
        _add_best(editor, pack, "乡村振兴", 3)
        book.add("packs")

    replay(now - dt.timedelta(hours=20), build_safety)
    replay(now - dt.timedelta(hours=3), deliver)
    replay(now - dt.timedelta(hours=2, minutes=25), read)
    replay(now - dt.timedelta(hours=1), begin_visit)
