"""Official outputs: real DOCX files opened with python-docx, real PDFs read with poppler."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph as DocxParagraph
from PIL import Image

from xinbao.lib.officedoc import (
    ClassifiedMarkingError,
    Distribution,
    EditorNote,
    Heading,
    NumberedItem,
    OfficialDocument,
    Paragraph,
    Recipients,
    Table,
    Urgency,
    chinese_date,
    render_docx,
    render_html,
    render_pdf,
)
from xinbao.lib.officedoc import layout as L

MASTHEAD = "每日要情"
TITLE = "澜江县多措并举做好今冬明春森林防火工作"
BODY = (
    "入冬以来，澜江县气温偏高、降水偏少，森林火险等级持续偏高。县委、县政府高度重视，"
    "先后召开专题会议3次，研究部署森林防火工作，全县共组建半专业扑火队伍28支、队员560人。"
)
NOTE = "澜江县提前部署、压实责任，有关做法值得各地学习借鉴。现予刊发，供参阅。"
LATER = "下一步，该县将继续加强值班值守，确保发现火情及时报告、及时处置。"


def make_issue(**changes: object) -> OfficialDocument:
    fields: dict[str, object] = {
        "masthead": MASTHEAD,
        "issue_line": "第12期（总第345期）",
        "issuing_office": "中共澜江市委办公室",
        "date": dt.date(2026, 11, 29),
        "title": TITLE,
        "urgency": Urgency.EXTRA_URGENT,
        "blocks": [
            EditorNote(NOTE),
            Heading("一、基本情况"),
            Paragraph(BODY),
            Heading("（一）压实责任", level=2),
            Paragraph("县级领导包乡镇、乡镇干部包村，层层签订责任书1200余份。"),
            NumberedItem("强化宣传教育", ["广泛宣传森林防火法律法规，发放宣传资料3万余份。"]),
            NumberedItem("加强巡查管控", ["在重点林区设立检查站15个，严格火源管控。"]),
            Table(
                rows=[["乡镇", "扑火队伍（支）"], ["城关镇", "6"], ["河口乡", "4"]],
                caption="部分乡镇扑火队伍情况",
            ),
            *[Paragraph(LATER * 3) for _ in range(6)],
        ],
        "distribution": Distribution(
            recipients=[
                Recipients("报", ["省委办公厅"]),
                Recipients("抄送", ["市委常委", "市人大常委会、市政府、市政协领导"]),
            ],
            printed_by="中共澜江市委办公室信息科",
            copies=60,
        ),
    }
    fields.update(changes)
    return OfficialDocument(**fields)  # type: ignore[arg-type]


# --- the content model ---------------------------------------------------------------------


def test_it_writes_dates_the_chinese_way_without_leading_zeros() -> None:
    assert chinese_date(dt.date(2026, 11, 29)) == "2026年11月29日"
    assert chinese_date(dt.date(2027, 1, 5)) == "2027年1月5日"


@pytest.mark.parametrize(
    "changes",
    [
        {"title": "机密★1年 关于森林防火的情况"},
        {"issue_line": "秘密★ 第12期"},
        {"blocks": [Paragraph("正文"), NumberedItem("绝密★", ["正文"])]},
        {"blocks": [Table(rows=[["★机密"]])]},
    ],
)
def test_it_refuses_any_classified_marking(changes: dict[str, object]) -> None:
    with pytest.raises(ClassifiedMarkingError):
        make_issue(**changes)


def test_it_knows_only_urgency_marks_never_classification() -> None:
    assert {u.value for u in Urgency} == {"特急", "加急"}
    with pytest.raises(TypeError):
        make_issue(urgency="机密")
    # A word in prose is not a marking: 保守国家秘密 may be written about.
    assert make_issue(blocks=[Paragraph("各单位要严格保守国家秘密。")]).blocks


def test_it_sizes_a_long_masthead_to_stay_on_one_line() -> None:
    long = "重要紧急信息催报通知单"
    assert L.masthead_size_pt(MASTHEAD) == L.MASTHEAD_MAX_PT
    assert L.masthead_size_pt(long) * len(long) <= L.mm_to_pt(L.TYPE_WIDTH_MM)


def test_it_escapes_text_in_the_html() -> None:
    html = render_html(make_issue(title="<script>alert(1)</script>"))
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


# --- DOCX ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def word() -> DocxDocument:
    return docx.Document(io.BytesIO(render_docx(make_issue())))


def paragraph_with(word: DocxDocument, text: str) -> DocxParagraph:
    return next(p for p in word.paragraphs if text in p.text)


def east_asia_font(run_element: BaseOxmlElement) -> str | None:
    rfonts = run_element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    return None if rfonts is None else rfonts.get(qn("w:eastAsia"))


def test_it_lays_out_an_a4_page_with_the_standard_margins(word: DocxDocument) -> None:
    section = word.sections[0]
    expected = {
        "page_width": 210,
        "page_height": 297,
        "top_margin": 37,
        "bottom_margin": 35,
        "left_margin": 28,
        "right_margin": 26,
    }
    for name, mm in expected.items():
        length = getattr(section, name)
        assert abs(length.mm - mm) < 0.1, (name, length.mm)


def test_it_sets_a_grid_of_22_lines_of_28_characters(word: DocxDocument) -> None:
    grid = word.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid is not None
    assert grid.get(qn("w:type")) == "lines"
    assert grid.get(qn("w:linePitch")) == "579"  # 28.95 pt
    # Characters are set tighter than their size by the default character spacing (twips).
    defaults = word.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    assert defaults.find(qn("w:sz")).get(qn("w:val")) == "32"
    char_pitch = L.SIZE_3 + int(defaults.find(qn("w:spacing")).get(qn("w:val"))) / 20
    assert int(L.mm_to_pt(156) / char_pitch) == 28


def test_it_sets_the_masthead_in_red_xiaobiaosong(word: DocxDocument) -> None:
    masthead = paragraph_with(word, MASTHEAD)
    assert masthead.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert masthead.runs
    for run in masthead.runs:
        assert str(run.font.color.rgb) in {"C00000", "FF0000"}
        assert east_asia_font(run._r) == "方正小标宋简体"
        assert run.font.size is not None and run.font.size >= Pt(L.MASTHEAD_MIN_PT)


def test_it_sets_the_title_in_xiaobiaosong_2hao(word: DocxDocument) -> None:
    (run,) = paragraph_with(word, TITLE).runs
    assert east_asia_font(run._r) == "方正小标宋简体"
    assert run.font.size == Pt(22)


def test_it_sets_the_body_in_16pt_fangsong_on_exact_lines(word: DocxDocument) -> None:
    body = paragraph_with(word, BODY)
    assert body.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert body.paragraph_format.line_spacing == Pt(28.95)
    assert body.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    for run in body.runs:
        assert run.font.size == Pt(16)
        assert east_asia_font(run._r) == "仿宋_GB2312"
        assert run.font.name == "仿宋_GB2312"
    ind = body._p.find(f"{qn('w:pPr')}/{qn('w:ind')}")
    assert ind.get(qn("w:firstLineChars")) == "200"
    # The style every other paragraph inherits says the same, without theme fonts.
    normal = word.styles["Normal"]
    assert normal.font.size == Pt(16)
    rfonts = normal.element.rPr.find(qn("w:rFonts"))
    assert rfonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert rfonts.get(qn("w:eastAsiaTheme")) is None


def test_it_sets_headings_in_heiti_and_kaiti_and_notes_in_kaiti(word: DocxDocument) -> None:
    (level_1,) = paragraph_with(word, "一、基本情况").runs
    (level_2,) = paragraph_with(word, "（一）压实责任").runs
    assert east_asia_font(level_1._r) == "黑体"
    assert east_asia_font(level_2._r) == "楷体_GB2312"
    assert level_1.font.size == level_2.font.size == Pt(16)
    label, text = paragraph_with(word, NOTE).runs
    assert label.text == "编者按："
    assert east_asia_font(label._r) == "黑体"
    assert east_asia_font(text._r) == "楷体_GB2312"


def test_it_numbers_the_items_in_order(word: DocxDocument) -> None:
    titles = [p.text for p in word.paragraphs if p.text.endswith(("宣传教育", "巡查管控"))]
    assert titles == ["1.强化宣传教育", "2.加强巡查管控"]
    renumbered = make_issue(blocks=[NumberedItem("甲", number=7), NumberedItem("乙")])
    texts = [p.text for p in docx.Document(io.BytesIO(render_docx(renumbered))).paragraphs]
    assert "7.甲" in texts
    assert "8.乙" in texts


def test_it_draws_a_red_rule_under_the_masthead_block(word: DocxDocument) -> None:
    texts = [p.text for p in word.paragraphs]
    ruled = [
        (i, p)
        for i, p in enumerate(word.paragraphs)
        if p._p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:bottom')}") is not None
    ]
    assert len(ruled) == 1
    index, paragraph = ruled[0]
    bottom = paragraph._p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:bottom')}")
    assert bottom.get(qn("w:color")) in {"C00000", "FF0000"}
    assert int(bottom.get(qn("w:sz"))) >= 8
    assert texts.index(MASTHEAD) < index < texts.index(TITLE)
    assert "中共澜江市委办公室" in paragraph.text
    assert "2026年11月29日" in paragraph.text


def test_it_puts_urgency_top_left(word: DocxDocument) -> None:
    first = word.paragraphs[0]
    assert first.text == "特急"
    assert first.alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert east_asia_font(first.runs[0]._r) == "黑体"
    plain = docx.Document(io.BytesIO(render_docx(make_issue(urgency=None))))
    assert plain.paragraphs[0].text == MASTHEAD


def test_it_sets_the_signer_in_kaiti_beside_the_issue_number() -> None:
    word = docx.Document(io.BytesIO(render_docx(make_issue(signer="张明"))))
    line = paragraph_with(word, "签发人：")
    assert line.text.startswith("\t第12期（总第345期）")
    assert line.runs[-1].text == "张明"
    assert east_asia_font(line.runs[-1]._r) == "楷体_GB2312"


def test_it_numbers_pages_odd_right_even_left_with_a_page_field(word: DocxDocument) -> None:
    assert word.settings.odd_and_even_pages_header_footer
    section = word.sections[0]
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        (paragraph,) = footer.paragraphs
        assert paragraph.alignment == align
        instructions = [e.text for e in footer._element.iter(qn("w:instrText"))]
        assert [i.strip() for i in instructions] == ["PAGE"]
        assert paragraph.text == "— 1 —"  # the field's cached result between em dashes
        for run in paragraph.runs:
            assert run.font.size == Pt(14)
            assert run.font.name == "宋体"
            assert east_asia_font(run._r) == "宋体"
    # The number's top sits 7 mm below the 225 mm type area.
    assert section.footer_distance is not None
    top = section.footer_distance + Pt(14)
    assert abs(Mm(35 - 7) - top) < Mm(0.5)


def test_it_ends_with_the_distribution_footer_between_rules(word: DocxDocument) -> None:
    footer = word.tables[-1]
    texts = [row.cells[0].text for row in footer.rows]
    assert texts == [
        "报：省委办公厅。",
        "抄送：市委常委，市人大常委会、市政府、市政协领导。",
        "中共澜江市委办公室信息科\t（共印60份）",
    ]
    assert footer.style is None or footer.style.name != "Table Grid"

    def border(row: int, side: str) -> object:
        path = f"{qn('w:tcPr')}/{qn('w:tcBorders')}/{qn(f'w:{side}')}"
        return footer.rows[row].cells[0]._tc.find(path)

    assert border(0, "top") is not None
    assert border(len(texts) - 1, "bottom") is not None
    assert border(len(texts) - 1, "top") is not None  # the rule above the printer's line
    body = word.element.body
    assert body.index(footer._tbl) > body.index(paragraph_with(word, LATER)._p)


def test_it_draws_tables_with_heiti_headers(word: DocxDocument) -> None:
    table = word.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["乡镇", "扑火队伍（支）"]
    assert east_asia_font(table.rows[0].cells[0].paragraphs[0].runs[0]._r) == "黑体"
    assert east_asia_font(table.rows[1].cells[0].paragraphs[0].runs[0]._r) == "仿宋_GB2312"
    assert "部分乡镇扑火队伍情况" in [p.text for p in word.paragraphs]


def test_it_names_substitutes_for_office_fonts_a_machine_lacks() -> None:
    with zipfile.ZipFile(io.BytesIO(render_docx(make_issue()))) as package:
        fonts = package.read("word/fontTable.xml").decode()
    assert re.search(r'w:name="仿宋_GB2312">\s*<w:altName w:val="仿宋"/>', fonts)
    assert re.search(r'w:name="方正小标宋简体">\s*<w:altName w:val="宋体"/>', fonts)


def test_it_never_prints_a_classification_mark(word: DocxDocument) -> None:
    text = "\n".join(p.text for p in word.paragraphs)
    assert not re.search("绝密|机密|秘密", text)


# --- PDF -----------------------------------------------------------------------------------


def _pdf_tools_missing() -> str:
    for tool in ("pdffonts", "pdftotext", "pdftoppm", "fc-list"):
        if shutil.which(tool) is None:
            return f"{tool} is missing (Debian: poppler-utils, fontconfig)"
    fonts = subprocess.run(["fc-list"], capture_output=True, text=True, check=True).stdout
    if "Noto Serif CJK" not in fonts:
        return "the Noto CJK fonts are missing (Debian: fonts-noto-cjk)"
    return ""


needs_pdf_tools = pytest.mark.skipif(bool(_pdf_tools_missing()), reason=_pdf_tools_missing())


@pytest.fixture(scope="module")
def pdf_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("officedoc") / "issue.pdf"
    path.write_bytes(render_pdf(make_issue()))
    yield path


def poppler(*args: str | Path) -> str:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=True).stdout


@needs_pdf_tools
def test_it_embeds_every_font_of_the_pdf_and_a_cjk_one(pdf_path: Path) -> None:
    lines = poppler("pdffonts", pdf_path).splitlines()
    header = lines[0]
    emb = header.index(" emb ") + 1
    fonts = [(line.split()[0], line[emb : emb + 3]) for line in lines[2:]]
    assert fonts
    assert all(embedded == "yes" for _, embedded in fonts), fonts
    assert any("CJK" in name for name, _ in fonts), fonts


@needs_pdf_tools
def test_it_puts_masthead_title_and_body_in_the_pdf_text(pdf_path: Path) -> None:
    text = re.sub(r"\s+", "", poppler("pdftotext", pdf_path, "-"))
    for expected in (MASTHEAD, TITLE, BODY, NOTE, "第12期（总第345期）", "2026年11月29日", "特急"):
        assert expected in text
    assert "（共印60份）" in text


@needs_pdf_tools
def test_it_prints_a_red_masthead_and_a_red_rule_on_page_one(pdf_path: Path) -> None:
    prefix = pdf_path.parent / "page"
    poppler("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", pdf_path, prefix)
    (png,) = pdf_path.parent.glob("page*.png")
    with Image.open(png) as image:
        page = image.convert("RGB")
        width, height = page.size
        pixels = page.load()
        assert pixels is not None

        def red(x: int, y: int) -> bool:
            r, g, b = pixels[x, y]  # type: ignore[misc]  # an RGB image has 3-tuples
            return r > 150 and g < 90 and b < 90

        per_row = [sum(red(x, y) for x in range(width)) for y in range(height)]
        # A row red across nearly the whole type area (156 of 210 mm) is the rule ...
        rule = max(range(height), key=per_row.__getitem__)
        assert per_row[rule] > width * 156 / 210 * 0.95
        assert rule < height / 2
        # ... with the red masthead above it (the page's top margin is 37 mm) and no red below.
        margin = round(height * 37 / 297)
        assert sum(per_row[margin : rule - 3]) > 300
        assert sum(per_row[rule + 4 :]) == 0


def words(pdf_path: Path) -> list[list[tuple[str, float, float, float, float]]]:
    """Every page's words with their boxes, in points from the top left."""
    bbox = poppler("pdftotext", "-bbox", pdf_path, "-")
    pages = []
    for page in bbox.split("<page ")[1:]:
        pages.append(
            [
                (w, float(x0), float(y0), float(x1), float(y1))
                for x0, y0, x1, y1, w in re.findall(
                    r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<',
                    page,
                )
            ]
        )
    return pages


@needs_pdf_tools
def test_it_numbers_pdf_pages_odd_right_even_left_below_the_type_area(pdf_path: Path) -> None:
    pages = words(pdf_path)
    assert len(pages) >= 2
    width = L.mm_to_pt(210)
    type_bottom = L.mm_to_pt(297 - 35)
    for number, page in enumerate(pages, start=1):
        (digit,) = [w for w in page if w[0] == str(number) and w[2] > type_bottom]
        assert abs(digit[2] - type_bottom - L.mm_to_pt(7)) < 2  # 7 mm below the type area
        if number % 2:
            assert digit[1] > width / 2
        else:
            assert digit[3] < width / 2


@needs_pdf_tools
def test_it_pins_the_distribution_to_the_foot_of_the_last_page(pdf_path: Path) -> None:
    last = words(pdf_path)[-1]
    (copies,) = [w for w in last if "共印60份" in w[0]]
    type_bottom = L.mm_to_pt(297 - 35)
    assert type_bottom - 15 < copies[4] <= type_bottom


@needs_pdf_tools
def test_it_keeps_a_long_masthead_on_one_line_inside_the_type_area(tmp_path: Path) -> None:
    masthead = "重要紧急信息催报通知单"
    path = tmp_path / "notice.pdf"
    path.write_bytes(render_pdf(make_issue(masthead=masthead, signer="张明")))
    first = words(path)[0]
    (word,) = [w for w in first if w[0] == masthead]
    assert word[1] >= L.mm_to_pt(28) - 1
    assert word[3] <= L.mm_to_pt(210 - 26) + 1
    assert any(w[0] == "签发人：张明" for w in first)
