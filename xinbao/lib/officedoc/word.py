"""An :class:`OfficialDocument` as DOCX in the GB/T 9704-2012 layout, with python-docx.

What Word shows depends on fonts the office has installed; each run names its font for Latin
*and* East Asian text (``w:rFonts`` ``ascii``/``hAnsi``/``eastAsia``), since Chinese text is
set in the ``eastAsia`` font, and the font table names a substitute for each office font (for
instance 仿宋 for 仿宋_GB2312, which Windows 10 no longer ships).

The distribution footer (版记) follows the body in the flow, not pinned to the foot of the last
page: a table floated to the page bottom is laid out differently by Word, WPS and LibreOffice and
can land on top of the body; the PDF, whose layout we control, pins it to the foot.
"""

from __future__ import annotations

import io
import math
from typing import Final

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement, serialize_for_reading
from docx.section import Section
from docx.shared import Mm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

from xinbao.lib.officedoc import layout as L
from xinbao.lib.officedoc.model import (
    Block,
    Distribution,
    EditorNote,
    Figure,
    Heading,
    NumberedItem,
    OfficialDocument,
    Paragraph,
    Table,
    numbered,
)
from xinbao.lib.officedoc.pictures import size_mm

#: The document grid: 22 lines of 28.95 pt (579 twips), a line grid only. 28 characters of 16 pt
#: are 448 pt, 6 pt more than the 156 mm type area, so every character is set 0.25 pt tighter
#: (``w:spacing`` counts twips, rounded down so that 28 fit). A character grid (``linesAndChars``
#: with ``charSpace``) would do it in Word, but LibreOffice gives a 16 pt character that does not
#: fit a 15.79 pt grid cell two cells, 14 characters a line.
_LINE_PITCH_TWIPS: Final = 579
_CHAR_SPACING_TWIPS: Final = math.floor((L.CHAR_PITCH_PT - L.SIZE_3) * 20)
#: The page number's line is 14 pt high and its top sits 7 mm below the type area, so the
#: footer's lower edge is this far above the paper's edge.
_FOOTER_DISTANCE_MM: Final = L.MARGIN_BOTTOM_MM - L.PAGE_NUMBER_GAP_MM - 25.4 * L.SIZE_4 / 72
_TYPE_WIDTH: Final = Mm(L.TYPE_WIDTH_MM)

# Word refuses a file whose elements are out of the schema's order; these are the elements that
# may follow the ones we insert by hand (ECMA-376 CT_PPr and CT_TcPr).
_PPR_TAIL: Final = (
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip
_PPR_AFTER_SNAP_TO_GRID: Final = _PPR_TAIL[1:]
_PPR_AFTER_PBDR: Final = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", *_PPR_TAIL,
)  # fmt: skip
_TCPR_AFTER_BORDERS: Final = (
    "w:shd", "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark",
    "w:headers", "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange",
)  # fmt: skip
_BODY_LINE: Final = Pt(L.LINE_PITCH_PT)


def _el(tag: str, **attrs: str) -> BaseOxmlElement:
    """A new WordprocessingML element; attribute names without the ``w:`` prefix."""
    element = OxmlElement(f"w:{tag}")
    for name, value in attrs.items():
        element.set(qn(f"w:{name}"), value)
    return element


def _set_fonts(rpr: BaseOxmlElement, font: str) -> None:
    """Name ``font`` for every script, dropping theme fonts (which would win over names)."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = _el("rFonts")
        rpr.insert(0, rfonts)
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        rfonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        rfonts.set(qn(f"w:{attr}"), font)


def _run(
    paragraph: DocxParagraph,
    text: str,
    font: str = L.FANGSONG,
    size: float = L.SIZE_3,
    color: str = L.BLACK,
) -> Run:
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.color.rgb = RGBColor.from_string(color)
    _set_fonts(run._r.get_or_add_rPr(), font)
    return run


def _paragraph(
    doc: DocxDocument,
    *,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent_chars: int = 0,
    line_pt: float = L.LINE_PITCH_PT,
) -> DocxParagraph:
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line_pt)
    fmt.space_before = fmt.space_after = Pt(0)
    if indent_chars:
        _indent_first_line(paragraph, indent_chars)
    return paragraph


def _indent_first_line(paragraph: DocxParagraph, chars: int) -> None:
    """A first-line indent in characters (Word keeps it on the grid), in twips for the rest."""
    ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
    ind.set(qn("w:firstLineChars"), str(chars * 100))
    ind.set(qn("w:firstLine"), str(round(chars * L.CHAR_PITCH_PT * 20)))


def _border(paragraph: DocxParagraph, side: str, size_pt: float, color: str) -> None:
    """A rule along one side of the paragraph (size in points; Word counts eighths)."""
    ppr = paragraph._p.get_or_add_pPr()
    pbdr = ppr.find(qn("w:pBdr"))
    if pbdr is None:
        pbdr = _el("pBdr")
        ppr.insert_element_before(pbdr, *_PPR_AFTER_PBDR)
    pbdr.append(_el(side, val="single", sz=str(round(size_pt * 8)), space="4", color=color))


def _split_line(doc: DocxDocument, left: str) -> DocxParagraph:
    """A line with ``left`` one character in from the left edge; runs added after it end one
    character in from the right edge (a right-aligned tab stop)."""
    paragraph = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.LEFT)
    stops = paragraph.paragraph_format.tab_stops
    stops.add_tab_stop(Pt(L.CHAR_PITCH_PT), WD_TAB_ALIGNMENT.LEFT)
    stops.add_tab_stop(_TYPE_WIDTH - Pt(L.CHAR_PITCH_PT), WD_TAB_ALIGNMENT.RIGHT)
    _run(paragraph, f"\t{left}\t")
    return paragraph


def _setup_page(section: Section) -> None:
    section.page_width = Mm(L.PAGE_WIDTH_MM)
    section.page_height = Mm(L.PAGE_HEIGHT_MM)
    section.top_margin = Mm(L.MARGIN_TOP_MM)
    section.bottom_margin = Mm(L.MARGIN_BOTTOM_MM)
    section.left_margin = Mm(L.MARGIN_LEFT_MM)
    section.right_margin = Mm(L.MARGIN_RIGHT_MM)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(_FOOTER_DISTANCE_MM)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = _el("docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(_LINE_PITCH_TWIPS))
    grid.attrib.pop(qn("w:charSpace"), None)


def _setup_styles(doc: DocxDocument) -> None:
    """Body defaults for every paragraph: 仿宋 三号, exact 28.95 pt, Chinese as the language.

    The document defaults say 三号 too, not only the Normal style: LibreOffice sizes the page's
    grid from the defaults.
    """
    styles = doc.styles.element
    rpr_default = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if rpr_default is not None:
        _set_fonts(rpr_default, L.FANGSONG)
        for tag in ("sz", "szCs"):
            size = rpr_default.find(qn(f"w:{tag}"))
            if size is None:
                size = _el(tag)
                rpr_default.append(size)
            size.set(qn("w:val"), str(round(L.SIZE_3 * 2)))
        # CT_RPr order: w:spacing comes before w:w, w:kern, w:position, w:sz.
        spacing = rpr_default.find(qn("w:spacing"))
        if spacing is None:
            spacing = _el("spacing")
            rpr_default.insert_element_before(
                spacing, "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight",
                "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl",
                "w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath",
            )  # fmt: skip
        spacing.set(qn("w:val"), str(_CHAR_SPACING_TWIPS))
        lang = rpr_default.find(qn("w:lang"))
        if lang is not None:
            lang.set(qn("w:eastAsia"), "zh-CN")
    normal = doc.styles["Normal"]
    normal.font.size = Pt(L.SIZE_3)
    _set_fonts(normal.element.get_or_add_rPr(), L.FANGSONG)
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = _BODY_LINE
    # Every page holds its 22 lines: a paragraph's last line may stand alone at a page's top.
    fmt.widow_control = False


def _add_font_substitutes(doc: DocxDocument) -> None:
    """Name, in the font table, what Word should use where an office font is missing."""
    part = doc.part.part_related_by(RT.FONT_TABLE)
    fonts = parse_xml(part.blob)
    for name, alternative in L.WORD_ALTERNATIVES.items():
        font = _el("font", name=name)
        font.append(_el("altName", val=alternative))
        font.append(_el("charset", val="86"))  # GB2312
        font.append(_el("family", val="auto"))
        font.append(_el("pitch", val="variable"))
        fonts.append(font)
    # A plain Part keeps its bytes in _blob; python-docx has no font-table API to go through.
    declaration = b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    part._blob = declaration + serialize_for_reading(fonts).encode()


def _page_number(paragraph: DocxParagraph) -> None:
    """The page number "— 7 —": a PAGE field between em dashes, 4号 半角 宋体 digits."""
    _run(paragraph, "— ", L.SONGTI, L.SIZE_4)
    for kind, text in (
        ("begin", ""),
        ("instr", " PAGE "),
        ("separate", ""),
        ("text", "1"),
        ("end", ""),
    ):
        run = _run(paragraph, "", L.SONGTI, L.SIZE_4)
        if kind == "instr":
            instr = _el("instrText")
            instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            instr.text = text
            run._r.append(instr)
        elif kind == "text":
            run.text = text
        else:
            run._r.append(_el("fldChar", fldCharType=kind))
    _run(paragraph, " —", L.SONGTI, L.SIZE_4)


def _setup_footers(doc: DocxDocument, section: Section) -> None:
    """Odd pages number at the right, even pages at the left, one character in (GB/T 9704 7.5)."""
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        fmt = paragraph.paragraph_format
        fmt.alignment = align
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(L.SIZE_4)
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            fmt.right_indent = Pt(L.SIZE_4)
        else:
            fmt.left_indent = Pt(L.SIZE_4)
        _page_number(paragraph)


def _head(doc: DocxDocument, official: OfficialDocument) -> None:
    if official.marking:
        paragraph = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.LEFT)
        _run(paragraph, official.marking, L.HEITI)
    if official.urgency is not None:
        paragraph = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.LEFT)
        _run(paragraph, official.urgency.value, L.HEITI)
    size = L.masthead_size_pt(official.masthead)
    masthead = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.CENTER, line_pt=size * 1.25)
    masthead.paragraph_format.space_before = Mm(6)
    masthead.paragraph_format.space_after = Mm(4)
    # Off the character grid, or Word spreads the big characters over whole grid cells.
    masthead._p.get_or_add_pPr().insert_element_before(
        _el("snapToGrid", val="0"), *_PPR_AFTER_SNAP_TO_GRID
    )
    _run(masthead, official.masthead, L.XIAOBIAOSONG, size, L.RED)
    if official.signer:
        line = _split_line(doc, official.issue_line)
        _run(line, "签发人：")
        _run(line, official.signer, L.KAITI)
    elif official.issue_line:
        _run(_paragraph(doc, align=WD_ALIGN_PARAGRAPH.CENTER), official.issue_line)
    office = _split_line(doc, official.issuing_office)
    _run(office, official.date_text())
    _border(office, "bottom", L.RULE_PT, L.RED)
    office.paragraph_format.space_after = Mm(8)
    if official.title:
        title = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.CENTER, line_pt=L.SIZE_2 * 1.5)
        title.paragraph_format.space_after = _BODY_LINE
        _run(title, official.title, L.XIAOBIAOSONG, L.SIZE_2)


def _body_paragraph(doc: DocxDocument, text: str) -> None:
    _run(_paragraph(doc, indent_chars=2), text)


def _cell_text(cell: _Cell, text: str, font: str, align: WD_ALIGN_PARAGRAPH) -> None:
    paragraph = cell.paragraphs[0]
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    _run(paragraph, text, font, L.SIZE_4)


def _table(doc: DocxDocument, table: Table) -> None:
    if table.caption:
        _run(_paragraph(doc, align=WD_ALIGN_PARAGRAPH.CENTER), table.caption, L.HEITI)
    columns = max((len(row) for row in table.rows), default=0)
    if not columns:
        return
    grid = doc.add_table(rows=len(table.rows), cols=columns)
    grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for index, row in enumerate(table.rows):
        header = index < table.header_rows
        for cell, text in zip(grid.rows[index].cells, row, strict=False):
            _cell_text(
                cell,
                text,
                L.HEITI if header else L.FANGSONG,
                WD_ALIGN_PARAGRAPH.CENTER if header else WD_ALIGN_PARAGRAPH.LEFT,
            )


def _figure(doc: DocxDocument, block: Figure) -> None:
    """The picture in a paragraph of its own, then its caption in the body font, centred.

    The picture's paragraph has single (not exact) line spacing and stays off the grid: an
    exact line height would cut the picture down to one line.
    """
    width, height = size_mm(block, L.TYPE_WIDTH_MM)
    if block.image is not None and width:
        holder = doc.add_paragraph()
        fmt = holder.paragraph_format
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.keep_with_next = True
        holder._p.get_or_add_pPr().insert_element_before(
            _el("snapToGrid", val="0"), *_PPR_AFTER_SNAP_TO_GRID
        )
        holder.add_run().add_picture(io.BytesIO(block.image), width=Mm(width), height=Mm(height))
    if block.caption:
        _run(_paragraph(doc, align=WD_ALIGN_PARAGRAPH.CENTER), block.caption)


def _block(doc: DocxDocument, block: Block, number: int) -> None:
    match block:
        case Heading(text=text, level=level):
            paragraph = _paragraph(doc, indent_chars=2)
            paragraph.paragraph_format.keep_with_next = True
            _run(paragraph, text, L.HEITI if level == 1 else L.KAITI)
        case Paragraph(text=text):
            _body_paragraph(doc, text)
        case EditorNote(text=text, label=label):
            paragraph = _paragraph(doc, indent_chars=2)
            _run(paragraph, f"{label}：", L.HEITI)
            _run(paragraph, text, L.KAITI)
        case NumberedItem(title=title, paragraphs=paragraphs):
            heading = _paragraph(doc, indent_chars=2)
            heading.paragraph_format.keep_with_next = True
            _run(heading, f"{number}.{title}", L.HEITI)
            for text in paragraphs:
                _body_paragraph(doc, text)
        case Table():
            _table(doc, block)
        case Figure():
            _figure(doc, block)


def _cell_border(cell: _Cell, side: str, size_pt: float) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    borders = tcpr.find(qn("w:tcBorders"))
    if borders is None:
        borders = _el("tcBorders")
        tcpr.insert_element_before(borders, *_TCPR_AFTER_BORDERS)
    borders.append(_el(side, val="single", sz=str(round(size_pt * 8)), space="0", color="000000"))


def _distribution(doc: DocxDocument, dist: Distribution) -> None:
    """The 版记: a one-column table with full-width rules, its text one character in."""
    rows: list[tuple[str, str]] = [(r.line(), "") for r in dist.recipients]
    printed = bool(dist.printed_by or dist.copies)
    if printed:
        rows.append((dist.printed_by, dist.copies_text()))
    if not rows:
        return
    spacer = _paragraph(doc)
    spacer.paragraph_format.keep_with_next = True
    grid = doc.add_table(rows=len(rows), cols=1)
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    char = Pt(L.SIZE_4)
    for index, (left, right) in enumerate(rows):
        row = grid.rows[index]
        row._tr.get_or_add_trPr().append(_el("cantSplit"))
        cell = row.cells[0]
        cell.width = _TYPE_WIDTH
        paragraph = cell.paragraphs[0]
        fmt = paragraph.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(L.SIZE_4 * 1.6)
        fmt.left_indent = fmt.right_indent = char
        fmt.keep_with_next = index < len(rows) - 1
        if right:
            fmt.tab_stops.add_tab_stop(_TYPE_WIDTH - char * 2, WD_TAB_ALIGNMENT.RIGHT)
            left = f"{left}\t{right}"
        _run(paragraph, left, L.FANGSONG, L.SIZE_4)
        if index == 0:
            _cell_border(cell, "top", L.FOOTER_OUTER_RULE_PT)
        if printed and index == len(rows) - 1 and index > 0:
            _cell_border(cell, "top", L.FOOTER_INNER_RULE_PT)
        if index == len(rows) - 1:
            _cell_border(cell, "bottom", L.FOOTER_OUTER_RULE_PT)


def render_docx(official: OfficialDocument) -> bytes:
    """The document as a .docx file: A4, GB/T 9704 margins, fonts and page numbers."""
    doc = Document()
    _setup_styles(doc)
    _add_font_substitutes(doc)
    section = doc.sections[0]
    _setup_page(section)
    _setup_footers(doc, section)
    # The template starts with no paragraph; every paragraph below is ours.
    _head(doc, official)
    for block, number in numbered(official.blocks):
        _block(doc, block, number)
    if official.distribution is not None:
        _distribution(doc, official.distribution)
    core = doc.core_properties
    core.title = f"{official.masthead} {official.issue_line}".strip()
    core.author = official.issuing_office
    core.language = "zh-CN"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
