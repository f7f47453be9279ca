"""Chinese words by jieba, and diffs by words."""

from __future__ import annotations

import subprocess
import sys

from django.conf import settings
from django.utils.safestring import SafeString

from xinbao.lib.text import DiffOp, diff_html, tokens, word_diff, words


def test_it_cuts_chinese_into_words() -> None:
    assert words("全县紧急转移群众320人") == ["全县", "紧急", "转移", "群众", "320", "人"]
    assert words("防汛 工作\n会议") == ["防汛", "工作", "会议"]


def test_it_keeps_every_character_in_the_tokens() -> None:
    text = "一、基本情况\n\n  7月3日，县委召开防汛工作会议。"
    assert "".join(tokens(text)) == text


def test_it_diffs_a_sentence_by_words_not_characters() -> None:
    ops = word_diff("全县转移群众300人", "全县紧急转移群众320人")
    assert ops == [
        DiffOp("equal", "全县", "全县"),
        DiffOp("insert", "", "紧急"),
        DiffOp("equal", "转移群众", "转移群众"),
        DiffOp("replace", "300", "320"),
        DiffOp("equal", "人", "人"),
    ]
    assert "".join(o.old for o in ops) == "全县转移群众300人"
    assert "".join(o.new for o in ops) == "全县紧急转移群众320人"


def test_it_renders_deletions_and_insertions() -> None:
    html = diff_html("全县转移群众300人", "全县紧急转移群众320人")
    assert isinstance(html, SafeString)
    assert html == "全县<ins>紧急</ins>转移群众<del>300</del><ins>320</ins>人"


def test_it_escapes_user_text() -> None:
    html = diff_html("<script>alert(1)</script>会议", '<script>alert(2)</script>会议 & "通知"')
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "&amp;" in html and "&quot;通知&quot;" in html
    assert html.count("<del>") == 1 and html.count("<ins>") == 2


def test_it_handles_empty_inputs() -> None:
    assert words("") == []
    assert word_diff("", "") == []
    assert diff_html("", "") == ""
    assert word_diff("", "新增段落") == [DiffOp("insert", "", "新增段落")]
    assert diff_html("删除的内容", "") == "<del>删除的内容</del>"


def test_it_loads_the_dictionary_lazily_and_quietly() -> None:
    script = (
        "import sys, django, os;"
        "os.environ['DJANGO_SETTINGS_MODULE']='xinbao.settings'; django.setup();"
        "import xinbao.lib.text as t;"
        "assert 'jieba' not in sys.modules, 'imported too early';"
        "print(t.words('信息报送'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=settings.BASE_DIR,
    )
    assert done.stdout.strip() == "['信息', '报送']"
    assert "Building prefix dict" not in done.stderr
    assert "Loading model" not in done.stderr
