"""Page geometry, fonts and sizes shared by the DOCX and the PDF renderer.

The numbers follow GB/T 9704-2012 (党政机关公文格式) as offices apply it to internal information
periodicals:

* A4, 天头 (top) 37 mm, 订口 (left) 28 mm; the type area (版心) is 156 mm × 225 mm, which leaves
  35 mm at the bottom and 26 mm on the right.
* 22 lines a page, 28 characters a line, body in 3号 (16 pt) 仿宋. 225 mm / 22 lines = 28.99 pt; we
  use the fixed line spacing 28.95 pt (579 twips) of the widely used Word templates, which fits 22
  lines with a hair to spare. 156 mm / 28 characters = 15.79 pt a character, so characters are
  set 0.21 pt tighter than their 16 pt size (Word: the document grid's ``charSpace``; CSS:
  ``letter-spacing``).
* Page numbers: 4号 (14 pt) half-width 宋体 digits between two em dashes ("— 1 —"), 7 mm below the
  type area, odd pages on the right and even pages on the left, one character in from the edge.

Font names are those an office has installed (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312, 黑体, 宋体).
A machine without them substitutes: Word by the alternative names below, the PDF renderer by the
CSS fallback lists, which end in Noto CJK. For exact output an office installs its licensed fonts.
"""

from __future__ import annotations

from typing import Final

MM_PER_INCH: Final = 25.4
PT_PER_INCH: Final = 72


def mm_to_pt(mm: float) -> float:
    return mm / MM_PER_INCH * PT_PER_INCH


PAGE_WIDTH_MM: Final = 210
PAGE_HEIGHT_MM: Final = 297
MARGIN_TOP_MM: Final = 37
MARGIN_BOTTOM_MM: Final = 35
MARGIN_LEFT_MM: Final = 28
MARGIN_RIGHT_MM: Final = 26
TYPE_WIDTH_MM: Final = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM  # 156
#: Distance from the type area's lower edge to the top of the page number.
PAGE_NUMBER_GAP_MM: Final = 7

LINES_PER_PAGE: Final = 22
CHARS_PER_LINE: Final = 28
LINE_PITCH_PT: Final = 28.95
CHAR_PITCH_PT: Final = mm_to_pt(TYPE_WIDTH_MM) / CHARS_PER_LINE  # 15.79

# Sizes by their Chinese names (字号).
SIZE_2: Final = 22.0  # 二号: titles
SIZE_3: Final = 16.0  # 三号: body, headings, masthead issue line
SIZE_4: Final = 14.0  # 四号: page numbers, distribution footer, tables
MASTHEAD_MAX_PT: Final = 48.0
#: A masthead of many characters (重要紧急信息催报通知单) is set smaller to stay in one line.
MASTHEAD_MIN_PT: Final = 26.0

RED: Final = "C00000"
BLACK: Final = "000000"
#: The red rule under the masthead block, in points.
RULE_PT: Final = 2.25
#: The distribution footer's rules (GB/T 9704 7.4.1: 0.35 mm outer, 0.25 mm inner).
FOOTER_OUTER_RULE_PT: Final = 1.0
FOOTER_INNER_RULE_PT: Final = 0.75

# Font names as offices have them installed, and what Word should substitute when they are not.
XIAOBIAOSONG: Final = "方正小标宋简体"
FANGSONG: Final = "仿宋_GB2312"
KAITI: Final = "楷体_GB2312"
HEITI: Final = "黑体"
SONGTI: Final = "宋体"
WORD_ALTERNATIVES: Final = {
    XIAOBIAOSONG: "宋体",
    FANGSONG: "仿宋",
    KAITI: "楷体",
    HEITI: "SimHei",
    SONGTI: "SimSun",
}

# CSS font stacks: the office font under its Chinese and its PostScript/English names, the
# Windows and macOS system fonts, then Noto CJK (Debian's fonts-noto-cjk) as the last resort.
CSS_XIAOBIAOSONG: Final = (
    '"方正小标宋简体", "FZXiaoBiaoSong-B05S", "方正小标宋_GBK", "Noto Serif CJK SC", serif'
)
CSS_FANGSONG: Final = (
    '"仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "STFangsong", "Noto Serif CJK SC", serif'
)
CSS_KAITI: Final = (
    '"楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi", "STKaiti", "Noto Serif CJK SC", serif'
)
CSS_HEITI: Final = '"黑体", "SimHei", "STHeiti", "Noto Sans CJK SC", sans-serif'
CSS_SONGTI: Final = '"宋体", "SimSun", "STSong", "Noto Serif CJK SC", serif'


def masthead_size_pt(masthead: str) -> float:
    """The masthead's size: as large as MASTHEAD_MAX_PT allows while it fits one line."""
    fit = mm_to_pt(TYPE_WIDTH_MM) * 0.95 / max(len(masthead), 1)
    return float(max(MASTHEAD_MIN_PT, min(MASTHEAD_MAX_PT, int(fit))))
