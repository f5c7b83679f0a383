"""core/html.py: the one escape for library-made HTML, and JSON for script elements."""

from __future__ import annotations

import html
import json

from hypothesis import given
from hypothesis import strategies as st

from core.html import inert_html, json_for_script

HOSTILE = ["<img src=x onerror=\"window.__xss=1\">", "</script><script>window.__xss=1</script>",
           "${window.__xss=1}", "`;window.__xss=1;`", "\"><svg onload=window.__xss=1>", "javascript:alert(1)",
           "\\`${1}", "&lt;b&gt;", "'", "</SCRIPT >", "<!--", "\u2028\u2029"]
FORBIDDEN = ["<", ">", '"', "'", "`", "${", "$", "\\", "{", "}", "</script"]
# text made of the characters that matter most, so hypothesis finds the nasty neighbours
nasty = st.text(alphabet=st.sampled_from(list("<>&\"'`${}\\/ ascriptSCRIPT;#=\n\u2028가")) | st.characters(),
                max_size=60)


def _raw_ampersands(s: str) -> list[str]:
    """Every '&' that does not begin one of the helper's own references."""
    allowed = ("&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#96;", "&#36;", "&#123;", "&#125;", "&#92;")
    return [s[i:i + 6] for i, c in enumerate(s) if c == "&" and not s.startswith(allowed, i)]


def test_known_payloads_are_inert_and_read_back():
    for payload in HOSTILE:
        out = inert_html(payload)
        for bad in FORBIDDEN:
            assert bad not in out.lower(), (payload, out)
        assert _raw_ampersands(out) == []
        assert html.unescape(out) == payload
    assert inert_html("<b>") == "&lt;b&gt;"
    assert inert_html("${x}") == "&#36;&#123;x&#125;"
    assert inert_html(None) == "" and inert_html(3) == "3"
    assert inert_html("서울시청 1층") == "서울시청 1층"  # Korean is left alone


@given(nasty)
def test_escaped_text_has_no_markup_or_template_syntax_and_unescapes_to_itself(text):
    out = inert_html(text)
    for bad in FORBIDDEN:
        assert bad not in out.lower()
    assert _raw_ampersands(out) == []
    assert html.unescape(out) == text


@given(nasty)
def test_escaped_text_is_inert_inside_a_js_template_literal(text):
    """What folium does with a tooltip: `...` around the text. Without `, \\ and ${ the
    literal can neither end early nor evaluate anything."""
    out = inert_html(text)
    literal = f"`<div>{out}</div>`"
    assert literal.count("`") == 2 and "${" not in literal and "\\" not in literal


@given(st.recursive(st.none() | st.booleans() | st.integers() | nasty,
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(nasty, inner, max_size=4),
                    max_leaves=12))
def test_json_for_script_cannot_close_the_element_and_parses_back(data):
    out = json_for_script(data)
    assert "<" not in out and ">" not in out and "&" not in out
    assert "\u2028" not in out and "\u2029" not in out
    assert json.loads(out) == data
