"""Issue 11 item 10: schemathesis against the app's own /openapi.json, for every role.

Every operation, for each of six callers, gets generated requests (valid and invalid by the
schema; path parameters sometimes naming the real objects of the test world so that handlers
run past their lookups), and every response must pass `not_a_server_error` and
`response_schema_conformance`. Real PostGIS, in-process ASGI; the test's transaction is rolled
back at the end. Bounded: examples per operation and role, a per-example deadline, no shrinking
database; the whole run stays near a minute on two cores.
"""

from __future__ import annotations

import copy
import json
import time
from datetime import timedelta

import hypothesis
import pytest
from argon2 import PasswordHasher
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from schemathesis import GenerationMode

from tests.api.test_authz_matrix import COLUMNS, parse_matrix, request_for
from tests.api.world import ROLES, build_world, raise_rate_limits

FUZZ_ROLES = ("anonymous", "volunteer", "moderator", "exporter", "api_key", "admin")
EXAMPLES = 5  # per operation, role and generation mode
CHECKS = [not_a_server_error, response_schema_conformance]

# Which real object a path parameter names, per operation path (else the first that fits).
REAL = {"report_id": "owned_report", "review_id": "review", "toilet_id": "toilet", "photo_id": "photo",
        "snapshot_id": "snapshot", "key_id": "api_key", "name": "preview_photo", "version": None}


def _real_path_params(op, world) -> dict[str, str] | None:
    names = [p.name for p in op.path_parameters]
    if not names:
        return None
    out = {}
    for n in names:
        if n == "report_id" and "/moderation/" in op.path:
            out[n] = world.ids["claimed_report"]
        elif n == "name" and "/snapshots/" in op.path:
            out[n] = world.ids["snapshot_file"]
        elif REAL.get(n):
            out[n] = world.ids[REAL[n]]
        else:
            return None
    return out


# Values a schema-driven generator rarely draws but crowd input carries: put one into one string
# of a generated request (a query value, a form or JSON field, a path segment).
HOSTILE = ("\x00", "a\x00b", "\ud800", "\u202e", "\u200b", "=cmd|' /C calc'!A0", "\r\n", "%00", "'; --",
           "1e999", "NaN", "-" * 36, "9" * 30, "ㅤ", "\U0001f9bd" * 40, "x" * 3000)
# Integer path parameters at and beyond the edges of the columns they name.
EDGE_INTS = (0, -1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 10**23)


def _strings(node, path=()):
    if isinstance(node, str):
        yield path
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _strings(v, (*path, i))


def _replace(node, path, value):
    if not path:
        return value
    node[path[0]] = _replace(node[path[0]], path[1:], value)
    return node


def with_hostile(case, value: str, pick: int):
    """The case with its `pick`-th string (counted over path, query and body) set to `value`."""
    spots = []
    for attr in ("path_parameters", "query", "body"):
        container = getattr(case, attr, None)
        if isinstance(container, (dict, list)):
            spots += [(attr, p) for p in _strings(container)]
    if spots:
        attr, path = spots[pick % len(spots)]
        setattr(case, attr, _replace(getattr(case, attr), path, value))
    return case


def _strategies(op, world):
    positive = op.as_strategy(generation_mode=GenerationMode.POSITIVE)
    out = [positive, op.as_strategy(generation_mode=GenerationMode.NEGATIVE),
           st.builds(with_hostile, positive, st.sampled_from(HOSTILE), st.integers(0, 64))]
    real = _real_path_params(op, world)
    if real:
        named = op.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters=real)
        out += [named, st.builds(with_hostile, named, st.sampled_from(HOSTILE), st.integers(0, 64))]
    ints = [p.name for p in op.path_parameters if (p.definition.get("schema") or {}).get("type") == "integer"]
    for name in ints:
        out.append(st.one_of([op.as_strategy(generation_mode=GenerationMode.POSITIVE,
                                             path_parameters={**(real or {}), name: v}) for v in EDGE_INTS]))
    return out


@pytest.fixture
def settings(settings):
    """Abuse limits far above what the fuzzer sends (thousands of requests from one client):
    a 429 would hide the route behind it."""
    return raise_rate_limits(settings)


@pytest.fixture
def cheap_password_hashing(monkeypatch):
    """Logins and joins the fuzzer sends by the hundred each cost an argon2 run; in this test
    they run with the cheapest parameters (same code path, unknown names included)."""
    import accounts.security as security

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(security, "_hasher", cheap)
    monkeypatch.setattr(security, "_DUMMY_HASH", cheap.hash("not-a-real-password"))


def test_openapi_fuzz_every_operation_every_role(app, client, db, cheap_password_hashing):
    world = build_world(client, db)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    started = time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30  # the schema really lists the API
    slowest: list[tuple[float, str]] = []
    for op in operations:
        op_started = time.monotonic()
        strategies = _strategies(op, world)
        for role in FUZZ_ROLES:
            auth = world.headers[role]

            @hypothesis_settings(max_examples=EXAMPLES * len(strategies), deadline=timedelta(seconds=5), database=None,
                      derandomize=True, phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=list(HealthCheck))
            @given(case=st.one_of(strategies))
            def run(case):
                case.headers = {**(case.headers or {}), **auth}
                try:
                    # a redirect (FastAPI's trailing-slash one) is checked as itself, not as its target
                    response = case.call(allow_redirects=False)
                except UnicodeEncodeError:  # a lone surrogate cannot leave the client outside JSON
                    hypothesis.reject()
                case.validate_response(response, checks=CHECKS)

            try:
                run()
            except Exception as exc:  # collect every finding, then fail once with all of them
                failures.append(f"{op.method.upper()} {op.path} as {role}: {str(exc)[:1500]}")
        slowest.append((time.monotonic() - op_started, f"{op.method.upper()} {op.path}"))
    elapsed = time.monotonic() - started
    print(f"\nfuzzed {len(operations)} operations × {len(FUZZ_ROLES)} roles in {elapsed:.1f} s; slowest:",
          ", ".join(f"{name} {t:.1f} s" for t, name in sorted(slowest, reverse=True)[:5]))
    assert not failures, "\n\n".join(failures)


# Schemathesis draws hostile characters into the right field only by chance; this sweep makes
# sure of it: each string of each valid request of the authorisation matrix, one at a time.
SWEEP = ("\x00", "\ud800", "\u202e", "=1+1", "x" * 5000)
SWEEP_ROLES = ("admin", "volunteer", "moderator", "exporter", "anonymous")


def test_every_string_of_every_valid_request_holds_hostile_text(app, client, db, connection):
    world = build_world(client, db)
    role_of = dict(zip(COLUMNS, ROLES, strict=True))
    failures, sent = [], 0
    for (method, path), expected in sorted(parse_matrix().items()):
        allowed = [role_of[c] for c, status in expected.items() if status < 300 and role_of[c] in SWEEP_ROLES]
        if not allowed or path.endswith("/*"):
            continue
        role = min(allowed, key=SWEEP_ROLES.index)
        url, body = request_for(method, path, world)
        payload_key = "json" if "json" in body else "data" if "data" in body else None
        spots = list(_strings(body[payload_key])) if payload_key else []
        for spot in spots:
            for value in SWEEP:
                if payload_key == "data" and value == "\ud800":
                    continue  # not sendable in a form: no client can
                mutated = dict(body)
                mutated[payload_key] = _replace(copy.deepcopy(body[payload_key]), spot, value)
                if payload_key == "json":  # escaped as a phone's JSON would (\ud800 included)
                    mutated["content"] = json.dumps(mutated.pop("json"))
                    mutated["headers"] = {"content-type": "application/json"}
                savepoint = connection.begin_nested()
                try:
                    r = client.request(method, url, **{**mutated, "headers": {**world.headers[role],
                                                                              **mutated.get("headers", {})}})
                except Exception as exc:  # a server exception surfaces here in the test client
                    r, failures = None, [*failures, f"{method} {path} {spot}={value[:12]!r}: {exc!r}"[:300]]
                finally:
                    savepoint.rollback()
                sent += 1
                if r is not None and r.status_code >= 500:
                    failures.append(f"{method} {path} {spot}={value[:12]!r}: {r.status_code} {r.text[:200]}")
    print(f"\nhostile-text sweep: {sent} requests")
    assert sent > 100
    assert not failures, "\n".join(failures)


def test_openapi_documents_the_one_error_shape_on_every_operation(client):
    """So response_schema_conformance checks every 4xx body, not FastAPI's default shape."""
    spec = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in json.dumps(spec)
    for path, item in spec["paths"].items():
        for method, op in item.items():
            # (FastAPI files it under the route's own media type: GeoJSON and HTML routes too)
            schemas = [c["schema"] for c in op["responses"]["4XX"]["content"].values()]
            assert schemas == [{"$ref": "#/components/schemas/ErrorBody"}], (method, path)
