"""Text a person sends: the one function that decides what a string may hold (issue 11 item 4).

Every text input path goes through `clean_text`: the report payload (mobile_schema.registry,
nested obstacle notes included), moderators' edits (moderation.edits), nicknames and login names
(accounts.service), and the string fields of request models typed `Text` / `MultilineText`
(moderators' comments, messages and reasons, organisation names, API key labels). Passwords are
not text to show and are left exactly as typed.

What happens to a string, in order:

1. **NFC** (Unicode canonical composition): 한글 typed as jamo and as syllables, é as one or two
   code points, compare and search alike.
2. **Refused** with a field error (Korean and English, naming the code point and its position):
   - control characters: C0 (U+0000–U+001F) except the newline, DEL, C1 (U+0080–U+009F),
     U+2028/U+2029, U+FFFE/U+FFFF. NUL cannot be stored by PostgreSQL at all; the rest break
     lines, terminals and spreadsheets. In multi-line text (notes) LF and CRLF are newlines and
     stay (CRLF is stored as LF); a lone CR is refused.
   - bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they
     reorder what a reader sees, so a name or a note can display as something else (the
     "Trojan Source" trick); no Korean or English text needs them.
   - lone surrogates (U+D800–U+DFFF, reachable through JSON escapes): not text, not storable.
3. **Stripped**, because they are invisible and carry nothing our fields need, yet let two
   strings that look the same differ (a second "admin", a duplicate toilet that escapes the
   name match): zero-width space, zero-width non-joiner, LRM/RLM marks (U+200B, U+200C,
   U+200E, U+200F), word joiner and invisible operators (U+2060–U+2064), BOM / zero-width
   no-break space (U+FEFF), soft hyphen (U+00AD), Mongolian vowel separator (U+180E) and the
   Hangul fillers that render as blank (U+3164, U+FFA0). The zero-width joiner (U+200D) is
   kept between two emoji, where it builds one picture (👩‍🦽 is woman + ZWJ + manual
   wheelchair), and stripped elsewhere. A tab becomes a space.
   Text that was not empty and is empty (or blank) once stripped is refused: it only looked
   like text.

`clean_text` is idempotent (cleaning clean text changes nothing), so layers may call it again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from core.errors import FieldError, field_error

_BIDI_CONTROLS = frozenset(range(0x202A, 0x202F)) | frozenset(range(0x2066, 0x206A))
_OTHER_CONTROLS = frozenset({0x7F, 0x2028, 0x2029, 0xFFFE, 0xFFFF}) | frozenset(range(0x80, 0xA0))
_INVISIBLE = frozenset({0x200B, 0x200C, 0x200E, 0x200F, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF,
                        0x00AD, 0x180E, 0x3164, 0xFFA0})
_ZWJ = 0x200D
# Any character the loop below would change or refuse (tab, newline and CR are C0 controls). A
# string without one, once NFC, is returned as it is: the loop would copy it unchanged.
_NEEDS_A_LOOK = re.compile("[" + "".join(
    f"\\U{a:08x}-\\U{b:08x}" for a, b in [(0x00, 0x1F), (0x7F, 0x9F), (0x00AD, 0x00AD), (0x180E, 0x180E),
                                         (0x200B, 0x200F), (0x2028, 0x202E), (0x2060, 0x2069), (0x3164, 0x3164),
                                         (0xD800, 0xDFFF), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0),
                                         (0xFFFE, 0xFFFF)]) + "]")


@dataclass(frozen=True)
class TextRefused(ValueError):
    """Why a string was refused, in Korean and English (a field error's two messages)."""
    message_ko: str
    message_en: str

    def __str__(self) -> str:
        return self.message_en

    def at(self, path: str) -> FieldError:
        return field_error(path, self.message_ko, self.message_en)


def _is_emoji(ch: str) -> bool:
    # Extended pictographs and their modifiers (skin tones, VS16): what a ZWJ sequence joins.
    cp = ord(ch)
    return unicodedata.category(ch) == "So" or 0x1F3FB <= cp <= 0x1F3FF or cp == 0xFE0F or 0x1F000 <= cp <= 0x1FAFF


def _refuse(ch: str, position: int, kind_ko: str, kind_en: str) -> TextRefused:
    code = f"U+{ord(ch):04X}"
    return TextRefused(f"{position}번째 글자에 {kind_ko}({code})가 있습니다. 지우고 다시 입력해 주세요.",
                       f"Character {position} is {kind_en} ({code}); remove it and type the text again.")


def _refused_or_dropped(drop: bool, ch: str, position: int, kind_ko: str, kind_en: str) -> bool:
    if not drop:
        raise _refuse(ch, position, kind_ko, kind_en)
    return True  # dropped: counts as stripped


def clean_text(value: str, *, multiline: bool = False, drop_refused: bool = False) -> str:
    """The string as stored: NFC, invisible characters stripped; raises TextRefused (see the
    module docstring for what is refused, what is stripped and why). With `drop_refused`, for
    text from a file nobody can be asked to retype (the city's public toilet list), a character
    that would be refused is dropped instead, and text left blank is returned blank."""
    text = unicodedata.normalize("NFC", value)
    if _NEEDS_A_LOOK.search(text) is None:
        return text
    if multiline:
        text = text.replace("\r\n", "\n")
    out: list[str] = []
    stripped = False
    for i, ch in enumerate(text):
        cp = ord(ch)
        if ch == "\n" and multiline:
            out.append(ch)
        elif ch == "\t":
            out.append(" ")
        elif cp < 0x20 or cp in _OTHER_CONTROLS:
            stripped = _refused_or_dropped(drop_refused, ch, i + 1, "제어 문자", "a control character")
        elif cp in _BIDI_CONTROLS:
            stripped = _refused_or_dropped(drop_refused, ch, i + 1, "글자 방향을 바꾸는 보이지 않는 문자", "an invisible text-direction control")
        elif 0xD800 <= cp <= 0xDFFF:
            stripped = _refused_or_dropped(drop_refused, ch, i + 1, "깨진 문자", "a lone surrogate, not a character")
        elif cp in _INVISIBLE or (cp == _ZWJ and not (0 < i < len(text) - 1 and _is_emoji(text[i - 1])
                                                       and _is_emoji(text[i + 1]))):
            stripped = True
        else:
            out.append(ch)
    result = "".join(out)
    if stripped and value.strip() and not result.strip() and not drop_refused:
        raise TextRefused("보이지 않는 문자만 있습니다. 내용을 입력해 주세요.",
                          "The text holds only invisible characters; type what you mean.")
    return result


def clean_document(node: Any, *, path: str = "", multiline: Callable[[str], bool] = lambda _: False,
                   errors: list[FieldError] | None = None) -> tuple[Any, list[FieldError]]:
    """A JSON document with every string value cleaned, and the field errors of those refused
    (paths dotted, list items by index: `access_route.obstacles.0.note`). Keys are left alone:
    the schema decides which keys exist."""
    errors = [] if errors is None else errors
    if isinstance(node, str):
        try:
            return clean_text(node, multiline=multiline(path)), errors
        except TextRefused as exc:
            errors.append(exc.at(path))
            return node, errors
    if isinstance(node, dict):
        return {k: clean_document(v, path=f"{path}.{k}" if path else str(k), multiline=multiline,
                                  errors=errors)[0] for k, v in node.items()}, errors
    if isinstance(node, list):
        return [clean_document(v, path=f"{path}.{i}" if path else str(i), multiline=multiline,
                               errors=errors)[0] for i, v in enumerate(node)], errors
    return node, errors


def _validator(multiline: bool) -> BeforeValidator:
    def check(value: Any) -> Any:
        if not isinstance(value, str):
            return value  # pydantic's own type check answers
        try:
            return clean_text(value, multiline=multiline)
        except TextRefused as exc:
            # api.errors reads message_ko from the context: the field error stays bilingual
            raise PydanticCustomError("text_refused", "{message_en}",
                                      {"message_en": exc.message_en, "message_ko": exc.message_ko}) from None

    return BeforeValidator(check)


# Request-model string fields: constraints (min_length, max_length) apply to the cleaned text.
Text = Annotated[str, _validator(multiline=False)]
MultilineText = Annotated[str, _validator(multiline=True)]
