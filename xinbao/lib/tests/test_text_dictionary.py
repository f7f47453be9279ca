"""Words for search: the office's dictionary, normalisation and sentences."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import time_machine

from xinbao.lib import text
from xinbao.lib.text import (
    index_words,
    normalise,
    query_words,
    register_words,
    segment,
    sentences,
    unregister_words,
)

# The org app registers its units and terms, which the segmenter reads from the database.
pytestmark = pytest.mark.django_db


def test_it_folds_full_width_forms_and_traditional_characters() -> None:
    assert normalise("ＡＢＣ１２３　防汛") == "ABC123 防汛"
    assert normalise("防汛工作會議在臨安區召開") == "防汛工作会议在临安区召开"
    assert normalise("頭髮") == "头发"
    assert normalise("會議", simplified=False) == "會議"


def test_it_splits_sentences_keeping_closing_quotes() -> None:
    assert sentences("今天下雨。他说：“好！”明天呢？\n第二行；还有") == [
        "今天下雨。",
        "他说：“好！”",
        "明天呢？",
        "第二行；还有",
    ]
    assert sentences("") == []


def test_it_cuts_words_without_punctuation_and_finds_traditional_text() -> None:
    assert segment("防汛工作会议，在临安召开。") == ["防汛", "工作", "会议", "在", "临安", "召开"]
    assert segment("防汛工作會議") == segment("防汛工作会议")
    assert query_words("防汛 防汛工作") == ["防汛", "工作"]
    assert {"防汛", "指挥", "指挥部"} <= set(index_words("防汛指挥部"))


@pytest.fixture
def office_words() -> Iterator[list[str]]:
    found: list[str] = []
    version = [0]

    def provider() -> list[str]:
        return list(found)

    register_words(provider, version=lambda: version[0])
    text.reload_dictionary()
    found.append("西湖区防汛指挥部")
    version[0] += 1
    yield found
    unregister_words(provider)
    text.reload_dictionary()


def test_it_keeps_a_registered_word_whole_and_reloads_when_its_version_moves(
    office_words: list[str],
) -> None:
    assert segment("西湖区防汛指挥部召开会议")[0] == "西湖区防汛指挥部"
    assert "西湖区防汛指挥部" in index_words("西湖区防汛指挥部召开会议")
    office_words.append("临平区应急管理局")
    text.reload_dictionary()
    assert segment("临平区应急管理局发布通知")[0] == "临平区应急管理局"


def test_it_checks_again_once_the_clock_was_set_back() -> None:
    found: list[str] = []
    version = [0]

    def provider() -> list[str]:
        return list(found)

    register_words(provider, version=lambda: version[0])
    try:
        with time_machine.travel(time.time() + 86400, tick=False):
            segment("明天的检查")  # the last check is now a day ahead of the real clock
        found.append("钱塘区防汛指挥部")
        version[0] += 1
        # Back today, that check is not "less than a minute ago": the words are asked again.
        assert segment("钱塘区防汛指挥部召开会议")[0] == "钱塘区防汛指挥部"
    finally:
        unregister_words(provider)
        text.reload_dictionary()
