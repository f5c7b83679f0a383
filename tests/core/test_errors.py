"""The error catalogue: every code raised exists, is raised by code, and reads in both languages."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from core.errors import CATALOGUE, DomainError, fail, field_error

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("accounts", "api", "cli", "core", "demo", "exports", "geo", "mobile_schema", "moderation", "reports",
            "toilets")
KINDS = {"BadRequest", "Unauthorised", "Forbidden", "NotFound", "Conflict", "TooLarge", "UnsupportedMedia",
         "ValidationFailed", "TooManyRequests", "Unavailable", "DomainError"}


def _calls():
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
                    yield path.relative_to(ROOT), node, name


def test_every_code_raised_is_in_the_catalogue():
    raised = set()
    for path, node, name in _calls():
        if name == "fail":
            assert node.args and isinstance(node.args[0], ast.Constant), f"{path}:{node.lineno}: fail() needs a literal code"
            code = node.args[0].value
            assert code in CATALOGUE, f"{path}:{node.lineno}: {code!r} is not in core.errors.CATALOGUE"
            raised.add(code)
    assert {"report_not_found", "toilet_retired", "invalid_report"} <= raised


def test_no_error_is_built_with_its_own_text():
    """Texts live once, in the catalogue: nothing outside core/errors.py constructs an error."""
    offenders = [f"{path}:{node.lineno}" for path, node, name in _calls()
                 if name in KINDS and str(path) != "core/errors.py"]
    assert offenders == []


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_each_entry_is_bilingual_and_its_placeholders_match(code):
    problem = CATALOGUE[code]
    assert 400 <= problem.status < 600
    assert problem.ko.strip() and problem.en.strip() and problem.ko != problem.en
    assert any("\uac00" <= ch <= "\ud7a3" for ch in problem.ko), "the Korean message has no Hangul"
    names = lambda s: {f for _, f, _, _ in string.Formatter().parse(s) if f}  # noqa: E731
    assert names(problem.ko) == names(problem.en)
    error = fail(code, **{n: 7 for n in names(problem.en)})
    assert isinstance(error, DomainError) and error.status == problem.status and "{" not in error.message_en


def test_fail_carries_fields_and_headers():
    error = fail("rate_limited", field_error("nickname", "가", "a"), headers={"Retry-After": "3"}, retry_after=3)
    assert error.status == 429 and error.headers == {"Retry-After": "3"}
    assert error.fields[0].path == "nickname" and "3" in error.message_en and "3" in error.message_ko
