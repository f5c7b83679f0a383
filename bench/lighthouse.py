"""Lighthouse on the public finder (`/`), behind `bench/lighthouse`: not a test (its scores vary with
the machine's load), a figure beside the issue's goals.

Lighthouse comes from npm into its own folder (bench/.lighthouse, git-ignored), never into the
app's package.json; it drives Debian's Chromium (--headless --no-sandbox --disable-gpu). Without
`--url` the script serves the app itself on a scratch database with the demo data (as
`scripts/run` loads it) and no base-map tiles (MAP_TILE_URL unset). Printed: mobile performance
and accessibility scores, the first load's transferred bytes by resource, and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
from contextlib import contextmanager, nullcontext
from pathlib import Path

from bench.common import running_server, scratch_database
from core.config import PROJECT_ROOT

LIGHTHOUSE_VERSION = "12.2.3"  # 13 wants Node 22; Debian 12 ships Node 20
FOLDER = PROJECT_ROOT / "bench" / ".lighthouse"
CHROMIUM = "/usr/bin/chromium"
GOALS = {"performance": 0.95, "accessibility": 1.00}
GOAL_KB = 300


def ensure_lighthouse() -> Path:
    cli = FOLDER / "node_modules" / ".bin" / "lighthouse"
    if not cli.exists():
        FOLDER.mkdir(parents=True, exist_ok=True)
        print(f"installing lighthouse {LIGHTHOUSE_VERSION} into {FOLDER.relative_to(PROJECT_ROOT)} …", flush=True)
        subprocess.run(["npm", "install", "--prefix", str(FOLDER), "--no-audit", "--no-fund", "-E",
                        f"lighthouse@{LIGHTHOUSE_VERSION}"], check=True)
    return cli


@contextmanager
def demo_server():
    """The app on a scratch database holding the demo data; yields its base URL."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    from core.config import Settings
    from core.db import unit_of_work
    from demo.loader import load_demo

    with scratch_database(f"reachable_bench_lighthouse_{os.getpid()}") as (url, _conninfo):
        engine = create_engine(url)
        try:
            with unit_of_work(sessionmaker(bind=engine)) as db:
                print(load_demo(db, settings=Settings()), flush=True)
        finally:
            engine.dispose()
        with running_server(url, workers=1) as (base, _proc):
            yield base


def run_lighthouse(cli: Path, url: str, out: Path) -> dict:
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    subprocess.run([str(cli), url, "--quiet", "--form-factor=mobile", "--only-categories=performance,accessibility",
                    "--chrome-flags=--headless --no-sandbox --disable-gpu", "--output=json",
                    f"--output-path={out}"], check=True, env=env)
    return json.loads(out.read_text())


def report(result: dict, url: str) -> None:
    cats = result["categories"]
    print(f"\nLighthouse {result.get('lighthouseVersion')} · {url} · mobile (simulated throttling) · "
          f"Chromium {result.get('environment', {}).get('hostUserAgent', '').split('Chrome/')[-1].split(' ')[0]}")
    for key, goal in GOALS.items():
        score = cats[key]["score"]
        print(f"{key:14} {score:.2f}  (goal ≥ {goal:.2f}: {'met' if score is not None and score >= goal else 'NOT met'})")
    audits = result["audits"]
    total = audits["total-byte-weight"]["numericValue"]
    print(f"{'first load':14} {total / 1024:.0f} kB transferred  (goal < {GOAL_KB} kB without base tiles: "
          f"{'met' if total < GOAL_KB * 1024 else 'NOT met'})")
    for name in ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift",
                 "speed-index"):
        if name in audits:
            print(f"  {audits[name]['title']}: {audits[name].get('displayValue', '')}")
    # What moved (Lighthouse 12: `layout-shifts`), so a CLS figure points at its cause.
    for shift in audits.get("layout-shifts", {}).get("details", {}).get("items", [])[:5]:
        node = shift.get("node", {})
        print(f"  layout shift {shift.get('score', 0):.3f}: {node.get('selector', '')} {node.get('snippet', '')[:80]}")
    items = audits.get("network-requests", {}).get("details", {}).get("items", [])
    print(f"requests: {len(items)}")
    for item in sorted(items, key=lambda i: -i.get("transferSize", 0))[:12]:
        print(f"  {item.get('transferSize', 0) / 1024:7.1f} kB  {item.get('resourceType', ''):10} {item['url'][:100]}")
    failing = [a["title"] for a in audits.values() if a.get("score") is not None and a["score"] < 1
               and a.get("scoreDisplayMode") == "binary"]
    if failing:
        print("failing binary audits: " + "; ".join(failing))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", help="a running server's finder (default: serve the demo data here)")
    ap.add_argument("--path", default="/", help="the page under the server (default: the finder, /)")
    ap.add_argument("--json", type=Path, help="also keep Lighthouse's full report here")
    opts = ap.parse_args()
    cli = ensure_lighthouse()
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())} "
          f"({os.cpu_count()} cores, shared with other work)", flush=True)
    with (nullcontext(opts.url.rstrip("/")) if opts.url else demo_server()) as base, \
            tempfile.TemporaryDirectory() as tmp:
        url = base + opts.path
        result = run_lighthouse(cli, url, Path(tmp) / "lighthouse.json")
        if opts.json:
            opts.json.write_text(json.dumps(result))
    report(result, url)
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())} (1, 5, 15 min)")


if __name__ == "__main__":
    main()
