"""The quality check before submission: the checks, the advice on the form, the desk."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from django.urls import reverse

from xinbao.items.models import Item, ItemKind, ItemStatus, Urgency
from xinbao.items.quality import (
    Advice,
    Draft,
    register_check,
    registered_checks,
    run_checks,
    unregister_check,
)
from xinbao.test import BaseTestCase

SHANGHAI = ZoneInfo("Asia/Shanghai")
WRITTEN = datetime(2026, 7, 4, 9, 30, tzinfo=SHANGHAI)

GOOD_URGENT = (
    "7月4日上午8时许，东城县青石镇一化工厂储罐发生燃气泄漏，周边居民300余人被紧急疏散，"
    "5名工人出现头晕症状，已送医治疗，无人员死亡。县应急管理局已赶赴现场处置，"
    "泄漏点已于9时封堵，事故原因正在调查。"
)
VAGUE_BODY = (
    "今年以来，我县高度重视安全生产工作，积极开展隐患排查整治，切实加强宣传教育，"
    "各项工作扎实推进，取得明显成效，营造了良好氛围，为全县经济社会发展提供了有力保障。"
)
GOOD_DYNAMIC = (
    "7月3日，东城县新建高标准农田2.3万亩，完成投资1.2亿元，覆盖12个乡镇，惠及农户8600户，"
    "亩均增产粮食50公斤，新建灌溉渠道36公里，全部通过验收。"
)
ANALYSIS_FULL = (
    "一、基本情况。今年上半年，全县共受理群众来信来访1260件次，同比下降8%。\n"
    "二、原因分析。信访问题主要集中在征地拆迁、劳资纠纷两方面，原因在于政策解释不到位。\n"
    "三、对策建议。建议建立健全矛盾纠纷多元化解机制，加强基层调解员队伍建设。" * 3
)


def draft(**fields: object) -> Draft:
    values: dict[str, object] = {
        "title": "东城县青石镇发生燃气泄漏",
        "body": GOOD_URGENT,
        "kind": ItemKind.DYNAMIC,
        "urgency": Urgency.IMPORTANT,
        "written_at": WRITTEN,
    }
    values.update(fields)
    return Draft(**values)  # type: ignore[arg-type]


def codes(advice: list[Advice]) -> list[str]:
    return [a.code for a in advice]


def form_data(**extra: str) -> dict[str, str]:
    fields = {
        "title": "东城县召开会议",
        "body": VAGUE_BODY,
        "kind": "dynamic",
        "urgency": "routine",
        "writer_name": "赵小红",
        "writer_phone": "13800000001",
        "quality": "check",
    }
    fields.update(extra)
    return fields


class ChecksTest(BaseTestCase):
    def test_it_gives_no_advice_on_a_complete_urgent_report(self) -> None:
        assert run_checks(draft()) == []

    def test_it_names_the_missing_elements_of_an_urgent_report(self) -> None:
        advice = run_checks(
            draft(
                title="紧急情况",
                body="有个工厂出了点情况，具体正在了解，请领导知悉，后续再报告详情。",
            )
        )
        missing = next(a for a in advice if a.code == "missing_elements")
        assert "the time of the event" in missing.message
        assert "the place" in missing.message
        assert "casualties (or that there are none)" in missing.message
        assert "urgent report states the time" in missing.reason
        # A routine item is not asked for them.
        routine = run_checks(draft(urgency=Urgency.ROUTINE, body="县里工作情况，具体正在了解。"))
        assert "missing_elements" not in codes(routine)

    def test_it_takes_the_form_fields_for_time_and_place(self) -> None:
        body = (
            "一化工厂储罐发生燃气泄漏，无人员伤亡，已组织抢险处置，泄漏点已封堵，原因正在调查中。"
        )
        advice = run_checks(draft(body=body))
        missing = next(a for a in advice if a.code == "missing_elements")
        assert "the time of the event" in missing.message
        filled = run_checks(draft(body=body, place="东城县青石镇", event_at=WRITTEN))
        assert "missing_elements" not in codes(filled)

    def test_it_asks_an_analysis_for_its_three_parts(self) -> None:
        body = "今年上半年，全县共受理群众来信来访1260件次，同比下降8%，总体平稳有序。" * 12
        advice = run_checks(draft(kind=ItemKind.ANALYSIS, urgency=Urgency.ROUTINE, body=body))
        structure = next(a for a in advice if a.code == "structure")
        assert "the analysis (分析)" in structure.message
        assert "the proposed measures (对策)" in structure.message
        whole = run_checks(
            draft(kind=ItemKind.ANALYSIS, urgency=Urgency.ROUTINE, body=ANALYSIS_FULL)
        )
        assert "structure" not in codes(whole)
        # A dynamic item is not held to the three parts.
        assert "structure" not in codes(run_checks(draft(urgency=Urgency.ROUTINE, body=body)))

    def test_it_says_when_the_text_is_too_short_or_too_long_for_its_kind(self) -> None:
        short = run_checks(draft(urgency=Urgency.ROUTINE, body="县里召开会议。"))
        assert "too_short" in codes(short)
        assert "at least 60 characters" in next(a.reason for a in short if a.code == "too_short")
        long_body = "全县新建高标准农田2.3万亩，完成投资1.2亿元。" * 100
        long = run_checks(draft(urgency=Urgency.ROUTINE, body=long_body))
        assert "too_long" in codes(long)
        # The same length suits an analysis.
        analysis = run_checks(
            draft(kind=ItemKind.ANALYSIS, urgency=Urgency.ROUTINE, body=long_body[:1500])
        )
        assert not {"too_long", "too_short"} & set(codes(analysis))

    def test_it_marks_vague_wording_without_figures(self) -> None:
        advice = run_checks(draft(urgency=Urgency.ROUTINE, body=VAGUE_BODY))
        vague = next(a for a in advice if a.code == "vague")
        assert "“高度重视”" in vague.reason
        assert "gives no figure" in vague.reason
        # The same phrases with figures are not 一般化.
        figures = VAGUE_BODY + "全年排查整改隐患326处，事故起数同比下降12%。"
        assert "vague" not in codes(run_checks(draft(urgency=Urgency.ROUTINE, body=figures)))
        # A plain text without figures and without stock phrases is not marked either.
        plain = "县委召开常委会议，听取防汛准备情况汇报，研究部署汛期值班值守和物资储备工作。" * 2
        assert "vague" not in codes(run_checks(draft(urgency=Urgency.ROUTINE, body=plain)))

    def test_it_runs_a_registered_check_and_survives_a_broken_one(self) -> None:
        def mentions_the_county(d: Draft) -> list[Advice]:
            if "东城县" in d.title:
                return [Advice("county", "Name the township too.", "Counties are large.", "info")]
            return []

        def broken(d: Draft) -> Iterator[Advice]:
            raise RuntimeError("a broken check")
            yield  # pragma: no cover

        register_check(mentions_the_county)
        register_check(broken)
        try:
            assert mentions_the_county in registered_checks()
            advice = run_checks(draft())
            assert codes(advice) == ["county"]
        finally:
            unregister_check(mentions_the_county)
            unregister_check(broken)
        assert run_checks(draft()) == []


class QualityPagesTest(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.alice)

    def test_it_shows_the_advice_on_the_form_as_the_writer_types(self) -> None:
        form = self.client.get(reverse("items:create")).content.decode()
        assert 'hx-post="' + reverse("items:quality_check") + '"' in form
        assert "Check quality" in form
        response = self.client.post(
            reverse("items:quality_check"), form_data(), HTTP_HX_REQUEST="true"
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "Replace general wording with facts and figures." in page
        assert "Why:" in page
        fine = self.client.post(
            reverse("items:quality_check"),
            form_data(body=GOOD_DYNAMIC),
        )
        assert "Quality check: no advice." in fine.content.decode()

    def test_it_lists_the_advice_on_submit_and_keeps_what_was_typed(self) -> None:
        response = self.client.post(reverse("items:create"), form_data(action="submit"))
        item = Item.objects.get(title="东城县召开会议")
        assert response["Location"] == reverse("items:quality", args=[item.pk])
        assert item.status == ItemStatus.DRAFT
        assert item.body == VAGUE_BODY
        page = self.client.get(response["Location"]).content.decode()
        assert "Advice before submitting" in page
        assert "Replace general wording with facts and figures." in page
        assert "Submit anyway" in page
        # Back to editing: the text is there as typed.
        edit = self.client.get(reverse("items:edit", args=[item.pk])).content.decode()
        assert "营造了良好氛围" in edit

    def test_it_submits_anyway(self) -> None:
        self.client.post(reverse("items:create"), form_data(action="submit"))
        item = Item.objects.get(title="东城县召开会议")
        response = self.client.post(reverse("items:submit", args=[item.pk]), follow=True)
        assert response.status_code == 200
        item.refresh_from_db()
        assert item.status == ItemStatus.SUBMITTED
        assert "Submitted." in response.content.decode()

    def test_it_submits_at_once_when_there_is_no_advice(self) -> None:
        response = self.client.post(
            reverse("items:create"), form_data(body=GOOD_DYNAMIC, action="submit")
        )
        item = Item.objects.get(title="东城县召开会议")
        assert response["Location"] == reverse("items:detail", args=[item.pk])
        assert item.status == ItemStatus.SUBMITTED

    def test_it_checks_an_edited_draft_on_submit(self) -> None:
        item = self.make_item(self.alice, status=ItemStatus.DRAFT, body="县里召开会议。")
        response = self.client.post(
            reverse("items:edit", args=[item.pk]),
            form_data(title=item.title, body="县里召开会议，研究工作。", action="submit"),
        )
        assert response["Location"] == reverse("items:quality", args=[item.pk])
        page = self.client.get(response["Location"]).content.decode()
        assert "The text is short for its kind" in page
        item.refresh_from_db()
        assert item.body == "县里召开会议，研究工作。"

    def test_it_refuses_the_advice_page_to_another_unit(self) -> None:
        item = self.make_item(self.alice, status=ItemStatus.DRAFT)
        self.client.force_login(self.bob)
        response = self.client.get(reverse("items:quality", args=[item.pk]))
        assert response.status_code in (403, 404)

    def test_it_shows_the_desk_the_same_marks(self) -> None:
        item = self.make_item(
            self.alice,
            status=ItemStatus.RECEIVED,
            body=VAGUE_BODY,
            title="东城县安全生产工作成效明显",
        )
        self.client.force_login(self.ed)
        page = self.client.get(reverse("desk:item", args=[item.pk])).content.decode()
        assert "Quality: 1 mark" in page
        assert "Replace general wording with facts and figures." in page
        clean = self.make_item(
            self.alice,
            status=ItemStatus.RECEIVED,
            body=GOOD_DYNAMIC,
        )
        page = self.client.get(reverse("desk:item", args=[clean.pk])).content.decode()
        assert "Quality: no marks" in page
