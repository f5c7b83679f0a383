"""core.text: the one function every text input goes through (issue 11 item 4)."""

from __future__ import annotations

import unicodedata

import pytest

from core.text import TextRefused, clean_document, clean_text

DECOMPOSED = unicodedata.normalize("NFD", "화장실 é")


def test_nfc():
    assert DECOMPOSED != "화장실 é" and clean_text(DECOMPOSED) == "화장실 é"


@pytest.mark.parametrize("ch", ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9f", "\r", "\u2028", "\u2029", "\uffff",
                                "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
                                "\u2069", "\ud800", "\udfff"])
def test_refused_characters_name_their_code_point_and_position(ch):
    with pytest.raises(TextRefused) as err:
        clean_text(f"ab{ch}cd")
    assert f"U+{ord(ch):04X}" in err.value.message_en and f"U+{ord(ch):04X}" in err.value.message_ko
    assert "Character 3 " in err.value.message_en and "3번째" in err.value.message_ko


def test_newlines_only_in_multiline_text():
    with pytest.raises(TextRefused):
        clean_text("one\ntwo")
    assert clean_text("one\ntwo", multiline=True) == "one\ntwo"
    assert clean_text("one\r\ntwo", multiline=True) == "one\ntwo"  # CRLF stored as LF
    with pytest.raises(TextRefused):
        clean_text("one\rtwo", multiline=True)  # a lone CR is no newline


@pytest.mark.parametrize("ch", ["\u200b", "\u200c", "\u200e", "\u200f", "\u2060", "\u2063", "\ufeff", "\u00ad",
                                "\u180e", "\u3164", "\uffa0", "\u200d"])
def test_invisible_characters_are_stripped(ch):
    assert clean_text(f"ad{ch}min") == "admin"


def test_zero_width_joiner_kept_inside_an_emoji_sequence():
    woman_in_wheelchair = "\U0001f469\u200d\U0001f9bd"
    assert clean_text(f"입구 {woman_in_wheelchair} 가능") == f"입구 {woman_in_wheelchair} 가능"
    assert clean_text("가\u200d나") == "가나"


def test_tab_becomes_a_space_and_only_invisible_text_is_refused():
    assert clean_text("a\tb") == "a b"
    with pytest.raises(TextRefused):
        clean_text("\u200b\u3164")
    assert clean_text("") == "" and clean_text("  ") == "  "  # blank stays the caller's business


def test_clean_text_is_idempotent():
    for s in (DECOMPOSED, "a\u200bb", "x\r\ny", "a\tb"):
        once = clean_text(s, multiline=True)
        assert clean_text(once, multiline=True) == once


def test_clean_document_paths_and_no_change_to_the_input():
    doc = {"place": {"name": "a\u200bb"}, "access_route": {"obstacles": [{"note": "x\u202ey"}]}, "n": 3}
    cleaned, errors = clean_document(doc, multiline=lambda p: p.endswith("note"))
    assert [e.path for e in errors] == ["access_route.obstacles.0.note"]
    assert cleaned["place"]["name"] == "ab" and cleaned["n"] == 3
    assert doc["place"]["name"] == "a\u200bb"  # the input (a raw payload) is never changed


def test_drop_refused_drops_what_would_be_refused_and_keeps_the_rest():
    from core.text import TextRefused, clean_text

    for bad in ("a\x00b", "a\u202eb", "a\ud800b"):
        with pytest.raises(TextRefused):
            clean_text(bad)
        assert clean_text(bad, drop_refused=True) == "ab"
    assert clean_text("\u200b\x07", drop_refused=True) == ""
    assert clean_text("e\u0301\u200b", drop_refused=True) == "é"  # still NFC, still stripped


def test_the_fast_path_looks_at_every_character_the_loop_changes_or_refuses():
    """clean_text returns a string as it is when no character of it needs a look: that set must
    hold every character the character loop strips, replaces or refuses."""
    from core.text import _BIDI_CONTROLS, _INVISIBLE, _NEEDS_A_LOOK, _OTHER_CONTROLS, _ZWJ

    handled = set(range(0x20)) | _BIDI_CONTROLS | _OTHER_CONTROLS | _INVISIBLE | {_ZWJ} | set(range(0xD800, 0xE000))
    looked_at = {cp for cp in range(0x110000) if _NEEDS_A_LOOK.search(chr(cp))}
    assert handled <= looked_at
    assert looked_at - handled == {0x2065}  # unassigned, inside the invisible-operator block: a look, no change
    assert clean_text("서울시청 1층 \u200b화장실") == "서울시청 1층 화장실"
    assert clean_text("노트\r\n둘째 줄", multiline=True) == "노트\n둘째 줄"
