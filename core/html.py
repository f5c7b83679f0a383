"""Crowd text made inert for the few places a library insists on HTML (folium tooltips and
popups), and data handed to a page's scripts as JSON.

Everything a volunteer or moderator types is attacker-controlled (DESIGN.md, "Crowd text is
hostile"). Pages set text with textContent; where a library takes an HTML string instead, the
string goes through `inert_html` first. folium pastes tooltip text into a JS template literal
(`...`) before Leaflet parses it as HTML, so the escape covers both languages: no `<`, `>`,
`&` (except our own entities), quotes, backtick, `$`, `{`, `}` or backslash survives.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any

# Each character that means something in HTML, in an attribute, or in a JS template literal,
# as a numeric character reference. The HTML parser turns them back into the same text.
_ENTITIES = {
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    "`": "&#96;", "$": "&#36;", "{": "&#123;", "}": "&#125;", "\\": "&#92;",
}
_TABLE = str.maketrans(_ENTITIES)


def inert_html(text: object) -> str:
    """`text` as HTML text that is also safe inside a JS string or template literal.
    None becomes the empty string; anything else is str()-ed first."""
    if text is None:
        return ""
    return str(text).translate(_TABLE)


def json_for_script(data: Any) -> str:
    """JSON to place inside `<script type="application/json">`: `<`, `>`, `&` and the JS line
    separators are written as \\u escapes, so no value can close the element or open a comment;
    JSON.parse(element.textContent) gives back exactly `data`."""
    out = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for ch in ("<", ">", "&", "\u2028", "\u2029"):
        out = out.replace(ch, f"\\u{ord(ch):04x}")
    return out


# An inline classic script: <script> without src (and not a data block such as application/json).
_INLINE_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_DATA_TYPE = re.compile(r"""\btype\s*=\s*["']?application/(?:ld\+)?json""", re.IGNORECASE)


def inline_script_hashes(document: str) -> list[str]:
    """CSP source expressions ('sha256-…') for every inline script in an HTML document we
    rendered ourselves (folium, Swagger UI). Only for documents whose crowd text went through
    `inert_html` or `json_for_script`: a hash vouches for whatever script it covers."""
    hashes: list[str] = []
    for attrs, body in _INLINE_SCRIPT.findall(document):
        if re.search(r"\bsrc\s*=", attrs, re.IGNORECASE) or _DATA_TYPE.search(attrs):
            continue
        # the HTML parser normalises newlines before the browser hashes the script's text
        source = body.replace("\r\n", "\n").replace("\r", "\n")
        digest = base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")
        token = f"'sha256-{digest}'"
        if token not in hashes:
            hashes.append(token)
    return hashes
