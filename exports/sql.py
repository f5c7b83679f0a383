"""Small builders of SQL expressions for profile columns (the database maps the values; Python
streams). Every builder returns NULL when its input is unknown: unknown is never a value."""

from __future__ import annotations

from toilets.verdict import BOUND_WORDS


def lit(value: str) -> str:
    """A SQL string literal (only for constants written in our own modules)."""
    return "'" + value.replace("'", "''") + "'"


def field(group: str, name: str) -> str:
    """A field of a toilet's published data as text (`t.data` holds place/toilet/access_route)."""
    return f"(t.data #>> '{{{group},{name}}}')"


def vocab(expr: str, mapping: dict[str, str]) -> str:
    """Map our enum codes to the words a consumer shows; codes not in the mapping → NULL."""
    whens = " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in mapping.items())
    return f"(CASE {expr} {whens} END)"


def measurement(group: str, name: str, unit: str) -> str:
    """A measured value with its unit and, where form v2 gave it a bound, the bound in words
    ('90cm 이상'): a consumer reading '90cm' for a tape that said "more than 90" would be told
    a false exact number."""
    value, bound = field(group, name), field(group, name + "_bound")
    words = " ".join(f"WHEN {lit(k)} THEN {lit(' ' + ko)}" for k, (ko, _en) in BOUND_WORDS.items())
    return (f"(CASE WHEN {value} IS NOT NULL THEN {value} || {lit(unit)} "
            f"|| coalesce((CASE {bound} {words} END), '') END)")


def join_known(parts: list[str], sep: str) -> str:
    """The known parts joined; NULL when none is known."""
    return f"NULLIF(concat_ws({lit(sep)}, {', '.join(parts)}), '')"


def clip(expr: str, limit: int) -> str:
    """At most `limit` characters; a clipped text ends in '…' (the full text travels in an x_ column)."""
    return f"(CASE WHEN char_length({expr}) > {limit} THEN left({expr}, {limit - 1}) || '…' ELSE {expr} END)"


def blank(expr: str) -> str:
    return f"coalesce({expr}, '')"


def kst(expr: str, fmt: str) -> str:
    return f"to_char(({expr}) AT TIME ZONE 'Asia/Seoul', {lit(fmt)})"


def fixed7(expr: str) -> str:
    """A coordinate as plain decimal text with 7 decimals (about 1 cm), dot as separator."""
    return f"(round(({expr})::numeric, 7)::text)"


def csv_safe(expr: str, max_chars: int | None = None) -> str:
    """A text cell neutralised for spreadsheets as OWASP recommends ("CSV Injection"): one single
    quote (') before a value that starts with =, +, -, @, tab or CR, so Excel, LibreOffice and
    Sheets show it as text instead of running it (=HYPERLINK(…), =cmd|…, @SUM(…)). The value is
    evaluated once, NULL stays NULL, and the cell stays within `max_chars` if given (the quote
    counts). Number columns never come here: -12.5 stays a number."""
    # chr(9), chr(13): a real tab and CR in the class; '-' last so it is no range
    pattern = "'^([=+@' || chr(9) || chr(13) || '-])'"
    safe = f"regexp_replace({expr}, {pattern}, '''\\1')"
    return clip(safe, max_chars) if max_chars else safe


def reasons_text(lang: str, sep: str = "; ") -> str:
    """The stored verdict reasons (`t.verdict_reasons`) as one line of text in `lang` (ko | en),
    in the criteria table's order; NULL when a toilet has none."""
    return (f"(SELECT string_agg(e.r #>> '{{text,{lang}}}', {lit(sep)} ORDER BY e.n) "
            "FROM jsonb_array_elements(t.verdict_reasons) WITH ORDINALITY AS e(r, n))")
