"""Clients that keep working through faults, and the checks that nothing was lost.

Volunteers submit reports and upload a photo to each; moderators claim and decide. Every client
retries what did not get an answer, as the phone app and the console do: the same
client_submission_id, the same photo bytes, the same decision. A 5xx other than 503 is
recorded (the tests assert there is none); a 503 must carry Retry-After and the uniform shape.
"""

from __future__ import annotations

import io
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from PIL import Image
from sqlalchemy import text
from sqlalchemy.engine import Connection

from tests.factories import report_body

DECIDED = ("approved", "rejected")


def photo_bytes(seed: int) -> bytes:
    """A small JPEG, different for each seed (so retries resend the same bytes, and two reports'
    photos are not the same photo)."""
    img = Image.new("RGB", (96, 72), ((seed * 37) % 256, (seed * 91) % 256, (seed * 53) % 256))
    img.paste((255 - (seed % 256), 20, 20), (0, 0, 24 + seed % 40, 24))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()


@dataclass
class Record:
    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    bad_unavailable: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    transport_errors: int = 0
    unavailable: int = 0
    reports: dict[str, int] = field(default_factory=dict)  # client_submission_id → report id
    photos: dict[str, int] = field(default_factory=dict)  # photo job id → report id (202/200: bytes kept)
    photos_refused: int = 0  # 409 report_locked: a moderator claimed the report first
    decisions: dict[int, str] = field(default_factory=dict)  # report id → status after the decision
    crashed: list[str] = field(default_factory=list)

    def __repr__(self) -> str:  # short enough for an assertion message
        return (f"Record(statuses={dict(self.statuses)}, transport_errors={self.transport_errors}, "
                f"reports={len(self.reports)}, photos={len(self.photos)}, decisions={len(self.decisions)}, "
                f"server_errors={self.server_errors[:5]}, unexpected={self.unexpected[:5]}, crashed={self.crashed})")


class Workload:
    def __init__(self, base: str, *, volunteers: int, reports_each: int, moderators: list[tuple[str, str]],
                 limit_s: float = 120.0):
        self.base = base
        self.volunteer_count = volunteers
        self.reports_each = reports_each
        self.moderator_logins = moderators
        self.limit_s = limit_s
        self.deadline = 0.0
        self.rec = Record()
        self.volunteers_done = threading.Event()
        self.threads: list[threading.Thread] = []

    # -- one request, retried until it gets an answer that is not a 503 ---------------------
    def call(self, client: httpx.Client, method: str, url: str, **kw) -> httpx.Response:
        while True:
            if time.monotonic() > self.deadline:
                raise TimeoutError(f"{method} {url}: no answer before the workload's deadline")
            try:
                r = client.request(method, url, **kw)
            except httpx.TransportError:
                with self.rec.lock:
                    self.rec.transport_errors += 1
                time.sleep(0.05)  # the server is down or restarting
                continue
            with self.rec.lock:
                self.rec.statuses[r.status_code] += 1
            if r.status_code == 503:
                self._check_unavailable(r)
                time.sleep(0.1)  # Retry-After says 5 s; the test keeps its clients brisker
                continue
            if r.status_code >= 500:
                with self.rec.lock:
                    self.rec.server_errors.append(f"{method} {url} → {r.status_code} {r.text[:300]}")
                time.sleep(0.1)
                continue
            return r

    def _check_unavailable(self, r: httpx.Response) -> None:
        with self.rec.lock:
            self.rec.unavailable += 1
        try:
            body = r.json()
            ok = (r.headers.get("Retry-After", "").isdigit() and set(body) == {"code", "message_ko", "message_en",
                                                                              "fields"}
                  and body["code"] in ("database_unavailable", "photo_busy") and body["message_ko"])
        except ValueError:
            ok = False
        if not ok:
            with self.rec.lock:
                self.rec.bad_unavailable.append(f"{r.request.url} {dict(r.headers)} {r.text[:200]}")

    def _unexpected(self, what: str, r: httpx.Response) -> None:
        with self.rec.lock:
            self.rec.unexpected.append(f"{what}: {r.status_code} {r.text[:300]}")

    # -- the people ---------------------------------------------------------------------------
    def _login(self, client: httpx.Client, username: str, password: str) -> dict[str, str]:
        r = self.call(client, "POST", "/api/v1/auth/token", data={"username": username, "password": password})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def volunteer(self, n: int) -> None:
        with httpx.Client(base_url=self.base, timeout=15) as client:
            nick = f"fault-v{n}-{uuid.uuid4().hex[:6]}"
            r = self.call(client, "POST", "/api/v1/volunteers",
                          json={"nickname": nick, "password": "correct horse", "age_band": "30s"})
            if r.status_code not in (201, 409):  # 409: the join went through before a kill
                self._unexpected("join", r)
                return
            headers = self._login(client, nick, "correct horse")
            for i in range(self.reports_each):
                seed = n * 1000 + i
                body = report_body(**{"location.lon": 126.9779 + n * 0.002 + i * 0.0001,
                                      "location.lat": 37.5663 + i * 0.0001,
                                      "access_route.path": None, "access_route.obstacles": [],
                                      "place.name": f"결함 시험 화장실 {seed}"})
                r = self.call(client, "POST", "/api/v1/reports", headers=headers, json=body)
                if r.status_code not in (200, 201):
                    self._unexpected("submit", r)
                    continue
                report_id = r.json()["id"]
                with self.rec.lock:
                    self.rec.reports[body["client_submission_id"]] = report_id
                raw = photo_bytes(seed)
                r = self.call(client, "POST", f"/api/v1/reports/{report_id}/photos", headers=headers,
                              files={"file": ("p.jpg", raw, "image/jpeg")}, data={"kind": "door"})
                with self.rec.lock:
                    if r.status_code in (200, 202):  # the bytes are kept with a job (200: the same job again)
                        self.rec.photos[r.json()["id"]] = report_id
                    elif r.status_code == 409 and r.json()["code"] == "report_locked":
                        self.rec.photos_refused += 1
                    else:
                        self.rec.unexpected.append(f"photo: {r.status_code} {r.text[:300]}")

    def moderator(self, username: str, password: str) -> None:
        with httpx.Client(base_url=self.base, timeout=15) as client:
            headers = self._login(client, username, password)
            while True:
                mine = self.call(client, "GET", "/api/v1/moderation/claims", headers=headers)
                ids = [item["id"] for item in mine.json()["items"]]
                if not ids:
                    # Volunteers finished before this claim: an empty claim means the queue is done.
                    finished = self.volunteers_done.is_set()
                    claimed = self.call(client, "POST", "/api/v1/moderation/claims", headers=headers,
                                        json={"count": 2})
                    ids = [item["id"] for item in claimed.json()["items"]]
                    if not ids:
                        if finished:
                            return
                        time.sleep(0.05)
                        continue
                for report_id in ids:
                    self.decide(client, headers, report_id)

    def decide(self, client: httpx.Client, headers: dict[str, str], report_id: int) -> None:
        body = ({"action": "approve"} if report_id % 3 else {"action": "reject", "reason_code": "not_a_toilet"})
        r = self.call(client, "POST", f"/api/v1/moderation/reports/{report_id}/decision", headers=headers, json=body)
        if r.status_code == 200:
            status = r.json()["report_status"]
        elif r.status_code == 409:  # decided by an attempt whose answer the kill swallowed
            status = self.call(client, "GET", f"/api/v1/moderation/reports/{report_id}",
                               headers=headers).json()["status"]
        else:
            self._unexpected(f"decide {report_id}", r)
            return
        if status not in DECIDED:
            self._unexpected(f"decide {report_id}: status {status}", r)
        with self.rec.lock:
            self.rec.decisions[report_id] = status

    # -- running ------------------------------------------------------------------------------
    def _guard(self, fn, *args) -> None:
        try:
            fn(*args)
        except BaseException as exc:  # noqa: BLE001 - reported to the test, which fails on it
            with self.rec.lock:
                self.rec.crashed.append(f"{fn.__name__}{args}: {exc!r}")

    def start(self) -> None:
        self.deadline = time.monotonic() + self.limit_s
        volunteers = [threading.Thread(target=self._guard, args=(self.volunteer, n), daemon=True)
                      for n in range(self.volunteer_count)]
        moderators = [threading.Thread(target=self._guard, args=(self.moderator, u, p), daemon=True)
                      for u, p in self.moderator_logins]

        def watch() -> None:
            for t in volunteers:
                t.join()
            self.volunteers_done.set()

        self.threads = volunteers + moderators + [threading.Thread(target=watch, daemon=True)]
        for t in self.threads:
            t.start()

    def progress(self) -> tuple[int, int]:
        with self.rec.lock:
            return len(self.rec.reports), len(self.rec.decisions)

    def wait_for(self, *, reports: int, decisions: int) -> None:
        while self.progress()[0] < reports or self.progress()[1] < decisions:
            assert time.monotonic() < self.deadline, f"no progress: {self.progress()} {self.rec}"
            assert not self.rec.crashed, self.rec.crashed
            time.sleep(0.02)

    def check_alive(self) -> None:
        assert time.monotonic() < self.deadline, f"workload deadline passed: {self.rec}"
        assert not self.rec.crashed, self.rec.crashed
        time.sleep(0.02)

    def join(self) -> None:
        for t in self.threads:
            t.join(timeout=max(1.0, self.deadline - time.monotonic() + 5))
            assert not t.is_alive(), f"a client is stuck: {self.rec}"

    def assert_clean(self) -> None:
        rec = self.rec
        assert rec.crashed == [], rec.crashed
        assert rec.server_errors == [], rec.server_errors
        assert rec.bad_unavailable == [], rec.bad_unavailable
        assert rec.unexpected == [], rec.unexpected
        assert len(rec.reports) == self.volunteer_count * self.reports_each


# -- what must hold afterwards -----------------------------------------------------------------

def stored_files(photo_dir: Path) -> tuple[set[str], set[str]]:
    """(final files, temporary .part files) under the photo store, as keys relative to it."""
    final, parts = set(), set()
    for path in photo_dir.rglob("*"):
        if path.is_file():
            (parts if path.name.startswith(".") else final).add(str(path.relative_to(photo_dir)))
    return final, parts


def photo_keys(conn: Connection) -> set[str]:
    keys = set()
    for key, thumb in conn.execute(text("SELECT storage_key, thumb_key FROM report_photos")):
        keys.update((key, thumb))
    return keys


def assert_nothing_lost(conn: Connection, rec: Record) -> None:
    """Every report once, every photo the client was told about, every decision taken; the
    published layer and its change log whole."""
    rows = conn.execute(text("SELECT client_submission_id::text, id FROM reports")).all()
    assert len(rows) == len({csid for csid, _ in rows})  # stored once (the unique key holds it too)
    assert dict(rows) == rec.reports

    # Every photo job the client was told of is done: its photo stored, or refused because a
    # moderator claimed the report before a worker got to it (the original kept).
    photo_jobs = {job_id: (status, photo_id, error, report_id) for job_id, status, photo_id, error, report_id in
                  conn.execute(text("SELECT id::text, status, result->>'id', error->>'code', "
                                    "(params->>'report_id')::int FROM jobs WHERE kind = 'photo'"))}
    assert set(rec.photos) <= set(photo_jobs)
    assert all(photo_jobs[job_id][3] == report_id for job_id, report_id in rec.photos.items())
    assert all(status == "succeeded" or (status, error) == ("failed", "report_locked")
               for status, _, error, _ in photo_jobs.values()), photo_jobs
    stored_photos = dict(conn.execute(text("SELECT id::text, report_id FROM report_photos")).all())
    assert stored_photos == {photo_id: report_id for status, photo_id, _, report_id in photo_jobs.values()
                             if status == "succeeded"}
    # One photo sent per report: a second row would be a retry that stored twice.
    assert len(set(stored_photos.values())) == len(stored_photos)

    statuses = dict(conn.execute(text("SELECT id, status FROM reports")).all())
    assert set(statuses.values()) <= set(DECIDED), Counter(statuses.values())  # every report decided
    assert {rid: statuses[rid] for rid in rec.decisions} == rec.decisions
    assert conn.execute(text("SELECT count(*) FROM reviews GROUP BY report_id HAVING count(*) > 1")).all() == []
    assert conn.execute(text("SELECT count(*) FROM reviews WHERE status <> 'final'")).scalar_one() == 0

    # No half-published toilet: versions 1..version, the toilet as its last version says, a
    # change-log entry for each version, an approved report and its review behind each.
    assert conn.execute(text("""
        SELECT t.id FROM toilets t LEFT JOIN toilet_versions v ON v.toilet_id = t.id
        GROUP BY t.id, t.version HAVING count(v.version) <> t.version OR min(v.version) <> 1
            OR max(v.version) <> t.version""")).all() == []
    assert conn.execute(text("""
        SELECT t.id FROM toilets t JOIN toilet_versions v ON v.toilet_id = t.id AND v.version = t.version
        WHERE v.name <> t.name OR v.verdict <> t.verdict OR v.status <> t.status""")).all() == []
    assert conn.execute(text("""
        SELECT t.id FROM toilets t
        WHERE (SELECT count(*) FROM change_log c WHERE c.entity = 'toilet' AND c.entity_id = t.id) <> t.version
    """)).all() == []
    assert conn.execute(text("""
        SELECT c.seq FROM change_log c WHERE c.entity = 'toilet' AND NOT EXISTS (
            SELECT 1 FROM toilet_versions v WHERE v.toilet_id = c.entity_id AND v.version = c.version)""")).all() == []
    assert conn.execute(text("""
        SELECT c.seq FROM change_log c WHERE c.entity = 'route' AND NOT EXISTS (
            SELECT 1 FROM toilet_routes r WHERE r.toilet_id = c.entity_id AND r.version >= c.version)""")).all() == []
    assert conn.execute(text("""
        SELECT v.toilet_id FROM toilet_versions v
        LEFT JOIN reports r ON r.id = v.report_id LEFT JOIN reviews rv ON rv.id = v.review_id
        WHERE r.status IS DISTINCT FROM 'approved' OR rv.action IS DISTINCT FROM 'approve'
           OR rv.toilet_id IS DISTINCT FROM v.toilet_id""")).all() == []
    approved = {rid for rid, s in statuses.items() if s == "approved"}
    published_from = set(conn.execute(text("SELECT report_id FROM toilet_versions")).scalars())
    assert published_from == approved

    seqs = list(conn.execute(text("SELECT seq FROM change_log ORDER BY seq")).scalars())
    assert seqs == list(range(1, len(seqs) + 1)), seqs  # gap-free
    assert len(seqs) == conn.execute(text("SELECT count(*) FROM toilets")).scalar_one() > 0
