"""Place names as volunteers write them, compared: one pure function each, no database.

Korean toilet names vary in spacing, in generic words (장애인, 화장실, 남녀공용…), in the city's
name (서울특별시 / 서울시) and in order; what tells two toilets apart is usually a small word: an
exit or floor number (2번 출구 / 5번 출구), a gender (남자 / 여자), a wing (동관 / 서관, 본관 /
별관). `name_similarity` compares what is left once the generic words are gone (character
bigrams, Dice coefficient, or containment when one name is the other with more words);
`names_conflict` says whether both names carry a discriminator of the same kind and they differ.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# The comparisons below are pure and names repeat (a busy station reported by many volunteers,
# a claim comparing a report with dozens of pending ones nearby): each is cached.
_cached = lru_cache(maxsize=16_384)

# Words that say "a toilet" and nothing about which one (longest first: removed in this order).
GENERIC_WORDS = (
    "장애인전용", "장애인용", "장애인", "휠체어", "다목적", "화장실", "공중", "공용", "남녀공용", "남녀", "개방",
    "restroom", "toilets", "toilet", "accessible", "disabled", "wc",
)
# Spellings of the same thing, folded before comparing.
FOLDS = (("서울특별시", "서울시"), ("특별시", "시"), ("광역시", "시"), ("지하철", ""), ("출입구", "출구"),
         ("지하", "b"), ("번출구", "출구"), ("번 출구", "출구"))
# Discriminators: two names with different values of one kind name different toilets.
_KINDS = {
    "gender": {"남자": "m", "남성": "m", "남": "m", "여자": "f", "여성": "f", "여": "f"},
    "wing": {"본관": "main", "별관": "annex", "신관": "new", "구관": "old", "동관": "east", "서관": "west",
             "남관": "south", "북관": "north", "a동": "a", "b동": "b", "c동": "c", "d동": "d"},
}
_NUMBER = re.compile(r"(\d+)\s*(번|호선|호|층|출구|게이트|gate|exit)?")
# A lettered section: A홀 / B홀, A동 / B동, Zone C.
_SECTION = re.compile(r"(?<![a-z])([a-z])\s*(홀|동|관|구역|존|hall|zone|wing)")
# Words that say where in a place, not which place (for `own_parts`).
DETAIL_WORDS = ("엘리베이터", "에스컬레이터", "계단", "근처", "방향", "입구쪽", "출구쪽")
_DETAIL_SUFFIX = re.compile(r"(?<=\S)(옆|쪽|앞|뒤)$")


@_cached
def normalise(name: str | None) -> str:
    """Lower case, NFC, spelling folded, generic words, spaces and punctuation removed."""
    text = unicodedata.normalize("NFKC", name or "").lower()
    for a, b in FOLDS:
        text = text.replace(a, b)
    text = re.sub(r"[\s\-_.,·()\[\]/'\"]+", "", text)
    for word in GENERIC_WORDS:
        text = text.replace(word, "")
    return text


def _bigrams(text: str) -> list[str]:
    return [text[i:i + 2] for i in range(len(text) - 1)] if len(text) > 1 else ([text] if text else [])


@_cached
def name_similarity(a: str | None, b: str | None) -> float:
    """0..1: how alike two place names are once spelling and generic words are set aside; 0 when
    either says nothing but "a toilet"."""
    x, y = normalise(a), normalise(b)
    if not x or not y:
        return 0.0
    if x == y:
        return 1.0
    bx, by = _bigrams(x), _bigrams(y)
    common = sum(min(bx.count(g), by.count(g)) for g in set(bx))
    dice = 2 * common / (len(bx) + len(by))
    containment = common / min(len(bx), len(by))  # "시청 본관" within "서울시청 본관 1층"
    return round(max(dice, 0.9 * containment if min(len(bx), len(by)) >= 2 else 0.0), 3)


def discriminators(name: str | None) -> dict[str, set[str]]:
    """The small words that tell toilets apart, by kind: numbers (exit, gate, floor, line…),
    gender, wing. 'B1' and '지하 1층' are the same number."""
    text = unicodedata.normalize("NFKC", name or "").lower()
    out: dict[str, set[str]] = {}
    for match in _NUMBER.finditer(text.replace("지하", "b").replace("b ", "b")):
        unit = match.group(2) or ""
        kind = "floor" if unit == "층" else "line" if unit == "호선" else "number"
        start = match.start(1)
        value = ("b" if start > 0 and text.replace("지하", "b").replace("b ", "b")[start - 1] == "b" else "") + match.group(1)
        out.setdefault(kind, set()).add(value)
    for match in _SECTION.finditer(text):
        out.setdefault("section", set()).add(match.group(1))
    compact = re.sub(r"\s+", "", text)
    for kind, words in _KINDS.items():
        for word, value in sorted(words.items(), key=lambda kv: -len(kv[0])):
            if word in compact:
                if kind == "gender" and len(word) == 1 and not re.search(rf"(^|[^가-힣]){word}([^가-힣]|$)|{word}(자|성)?(용|화장실)", compact):
                    continue  # a lone 남/여 inside another word (남대문, 여의도) is not a gender
                out.setdefault(kind, set()).add(value)
                compact = compact.replace(word, " ")
    return out


def _identity(name: str | None) -> str:
    """The name without generic words and without words that only say where inside (옆, 쪽,
    엘리베이터…)."""
    tokens = []
    for token in unicodedata.normalize("NFKC", name or "").lower().split():
        token = _DETAIL_SUFFIX.sub("", token)
        for word in DETAIL_WORDS:
            token = token.replace(word, "")
        tokens.append(token)
    return normalise(" ".join(tokens))


def own_parts(a: str | None, b: str | None) -> tuple[str, str]:
    """The characters each name has that the other lacks (as multisets, in order): for one toilet
    written twice, one name is usually the other with more words; for two places, each has its own."""
    x, y = _identity(a), _identity(b)
    rest_x, rest_y = list(x), list(y)
    for ch in x:
        if ch in rest_y:
            rest_y.remove(ch)
            rest_x.remove(ch)
    return "".join(rest_x), "".join(rest_y)


@_cached
def each_has_its_own(a: str | None, b: str | None) -> bool:
    """Both names say something the other does not (at least three characters between them, one
    on each side): "서울시의회" / "서울시청", "주경기장" / "야구장"."""
    x, y = own_parts(a, b)
    return bool(x) and bool(y) and len(x) + len(y) >= 3


@_cached
def names_conflict(a: str | None, b: str | None) -> bool:
    """Both names carry a discriminator of one kind and they share no value: other toilets."""
    da, db = discriminators(a), discriminators(b)
    return any(kind in db and not (values & db[kind]) for kind, values in da.items())
