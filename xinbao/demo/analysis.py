"""Breadth, the office's own mix and proposals followed in the demo, told through the services.

* Every sent item is placed on the three breadth axes, as the placing chore does on a working
  install. This morning the editor corrected two suggestions: a job fair is about people's
  daily life (就业), and the first item the classifier put outside the region (if any) is the
  city's own.
* At the start of the quarter, three months ago, the section chief set the office's targets for
  its own items: comprehensive 30%, analysis 20%, assessment 15%, proposal 15%, dynamic 20%.
* Of the adopted proposals, the editor recorded last week that the oldest was taken up (with the
  leader's instruction on it, where one was given), the second partly; the rest are pending.

The story is told once: when a target exists, it is left alone.
"""

from __future__ import annotations

import datetime as dt

from xinbao.analysis import selectors, services
from xinbao.analysis.models import MixTarget, Placement, Region, Sphere, Uptake
from xinbao.demo.office import Book, replay
from xinbao.items.models import ItemKind
from xinbao.periodicals.models import Instruction

TARGETS = {
    ItemKind.COMPREHENSIVE: 30,
    ItemKind.ANALYSIS: 20,
    ItemKind.ASSESSMENT: 15,
    ItemKind.PROPOSAL: 15,
    ItemKind.DYNAMIC: 20,
}
JOB_FAIR = "招聘会"
TAKEN_UP_NOTE = "市委常委会研究采纳，市政府办公室已印发实施方案，明确责任单位和完成时限。"
PARTLY_NOTE = "有关建议已转市直部门研究，其中两项措施纳入今年民生实事项目。"


def analysis(book: Book) -> None:
    """See the module's docstring."""
    placed = services.place_missing()
    book.add("placements", placed)
    if MixTarget.objects.exists():
        book.skipped.append("analysis: a mix target exists")
        return
    editor, chief = book.users["editor"], book.users["chief"]
    now = book.now

    def correct() -> None:
        fair = (
            Placement.objects.filter(item__title__contains=JOB_FAIR, corrected_at__isnull=True)
            .select_related("item")
            .order_by("item_id")
            .first()
        )
        if fair is not None:
            services.correct_placement(
                user=editor,
                item=fair.item,
                horizon=fair.horizon,
                sphere=Sphere.DAILY_LIFE,
                region=fair.region,
            )
            book.add("placement corrections")
        outside = (
            Placement.objects.filter(region=Region.OUTSIDE, corrected_at__isnull=True)
            .select_related("item")
            .order_by("item_id")
            .first()
        )
        if outside is not None:
            services.correct_placement(
                user=editor,
                item=outside.item,
                horizon=outside.horizon,
                sphere=outside.sphere,
                region=Region.LOCAL,
            )
            book.add("placement corrections")

    def set_targets() -> None:
        start = selectors.add_months(selectors.month_start(now.date()), -3)
        for kind, share in TARGETS.items():
            services.set_target(user=chief, kind=kind, share=share, valid_from=start)
            book.add("mix targets")

    def follow_proposals() -> None:
        adopted = list(selectors.adopted_proposals().order_by("submitted_at", "pk")[:2])
        for item, uptake, note in zip(
            adopted, (Uptake.TAKEN_UP, Uptake.PARTLY), (TAKEN_UP_NOTE, PARTLY_NOTE), strict=False
        ):
            instruction = Instruction.objects.filter(item=item).order_by("pk").first()
            services.record_uptake(
                user=editor,
                item=item,
                uptake=uptake,
                note=note,
                decided_on=(now - dt.timedelta(days=9)).date(),
                instruction=instruction,
            )
            book.add("proposals followed")

    replay(now - dt.timedelta(days=80), set_targets)
    replay(now - dt.timedelta(days=7), follow_proposals)
    replay(now - dt.timedelta(hours=3), correct)
