"""One settings object, read from the environment (prefix-free names, as twelve-factor apps expect)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    # When unset, the project starts its own PostGIS cluster under .reachable/ (see core.localdb).
    database_url: str | None = None
    local_db_dir: Path = PROJECT_ROOT / ".reachable"
    local_db_port: int = 54329
    db_pool_size: int = 20
    db_max_overflow: int = 20
    # A request waiting longer for a pooled connection gets a 503 database_unavailable.
    db_pool_timeout_s: float = Field(default=10.0, gt=0)
    # Read scaling (docs/scaling.md): a streaming replica (or several behind one address) for the
    # public reads: /api/v1/toilets*, tiles, the preview map, exports. Writes, and every request that
    # carries credentials, use DATABASE_URL (api/read_routing.py says why).
    database_read_url: str | None = None
    # After a person's write, their browser's anonymous reads also go to the primary for this many
    # seconds (a cookie), so the finder never shows them the replica's older copy of what they did.
    read_primary_after_write_s: int = Field(default=30, ge=0, le=3600)

    # No usable default (core/secrets.py): the server refuses to start without a SECRET_KEY of its
    # own unless REACHABLE_MODE=demo, where it signs with a random key kept in LOCAL_DB_DIR.
    secret_key: str | None = None
    reachable_mode: Literal["production", "demo"] = "production"
    # Token lives: volunteers log in on a phone in the field; staff tokens can do more, so they last
    # a working day (a stolen one is worth less).
    access_token_minutes: int = Field(default=60 * 24 * 14, ge=1)
    staff_token_minutes: int = Field(default=8 * 60, ge=1)
    # argon2 (64 MiB and ~50 ms a hash) per API process: at most this many at once, this many
    # more waiting at most this long; beyond that 503 + Retry-After (accounts/security.py).
    argon2_max_concurrent: int = Field(default=4, ge=1, le=64)
    argon2_max_waiting: int = Field(default=16, ge=0, le=1000)
    argon2_wait_seconds: float = Field(default=5.0, gt=0, le=60)

    # Abuse limits (core/rate_limit.py): `limits` rate strings, several joined by ";", counted in
    # PostgreSQL so they hold across workers and API processes. Per IP assumes that one campaign
    # booth's volunteers may share one address (NAT); per account/nickname keeps one person in check.
    rate_limits_enabled: bool = True
    rate_limit_strategy: Literal["sliding-window-counter", "fixed-window"] = "sliding-window-counter"
    rate_limit_login_per_ip: str = "30/minute;300/hour"  # password guessing from one place
    rate_limit_login_per_nickname: str = "10/minute;100/hour"  # guessing one account's password from many
    rate_limit_join_per_ip: str = "60/hour;300/day"  # mass account creation
    rate_limit_password_change_per_account: str = "10/hour"  # guessing the current password with a stolen token
    rate_limit_reports_per_account: str = "30/minute;1000/day"  # flooding the queue (submissions and revisions)
    rate_limit_reports_per_ip: str = "120/minute"
    rate_limit_photos_per_account: str = "60/minute;2000/day"  # CPU, memory and disk of image work
    rate_limit_photos_per_ip: str = "240/minute"
    rate_limit_exports_per_caller: str = "60/minute;5000/day"  # full-layer streams (a 304 counts too)
    rate_limit_exports_per_ip: str = "120/minute"
    rate_limit_snapshots_per_caller: str = "10/hour;50/day"  # files, photos and disk per snapshot
    # The counters' own connections (autocommit, apart from the request's transaction).
    rate_limit_pool_size: int = Field(default=5, ge=1, le=100)

    # The volunteer app's map: no tile server by default (city networks may cut outside hosts);
    # set e.g. MAP_TILE_URL=https://tile.example/{z}/{x}/{y}.png to draw a base map under the pin.
    map_tile_url: str | None = None
    map_tile_attribution: str | None = None
    # The published layer's vector tiles (toilets/tiles.py): finished tiles kept per API process
    # until the change log moves on, and how long a browser or proxy may keep one unasked.
    tile_cache_tiles: int = Field(default=4096, ge=0, le=1_000_000)
    tile_cache_mb: int = Field(default=64, ge=0, le=4096)
    tile_max_age_s: int = Field(default=30, ge=0, le=3600)
    # How long a process trusts the layer state it last read before serving a cached tile
    # (toilets.tiles.LayerStateClock); a change published through this process shows at once,
    # one through another process within this time. 0: read it on every request.
    tile_state_ttl_ms: int = Field(default=1000, ge=0, le=30_000)

    # A toilet verified longer ago than this is "ageing": the public API and the finder say so
    # (with the date), and the programme office sends volunteers back to it.
    reverify_after_months: int = Field(default=12, ge=1, le=120)
    # Missions (missions/): the worker opens and closes them on this schedule (procrastinate
    # cron, seconds optional); a volunteer who takes one holds it this long.
    mission_sweep_cron: str = "*/10 * * * *"
    mission_hold_hours: int = Field(default=72, ge=1, le=24 * 60)

    # Validation of geometry (DESIGN.md "Rules that hold everywhere").
    seoul_border_tolerance_m: float = Field(default=50.0, ge=0, le=50)
    duplicate_radius_m: float = Field(default=30.0, gt=0, le=500)
    duplicate_name_similarity: float = Field(default=0.3, ge=0, le=1)
    # Reference data (reference/matching.py): a reference record is matched to published toilets
    # within this radius, by distance and name similarity (pg_trgm); the moderator sees the
    # nearest reference record within it.
    reference_match_radius_m: float = Field(default=50.0, gt=0, le=500)
    reference_name_similarity: float = Field(default=0.3, ge=0, le=1)
    route_max_length_m: float = 2000.0
    route_min_length_m: float = 2.0
    route_end_tolerance_m: float = 60.0
    route_start_near_street_m: float = 300.0
    obstacle_max_distance_m: float = 25.0

    max_body_bytes: int = 256 * 1024
    photo_dir: Path = PROJECT_ROOT / "var" / "photos"
    photo_max_bytes: int = 15 * 1024 * 1024
    # Pixel caps, read from the header before decoding (reports/images.py). JPEG decodes at
    # 1/2–1/8 scale, so its cap can be higher than that of formats decoded in full (PNG, WebP).
    photo_max_pixels: int = Field(default=25_000_000, ge=1)
    photo_max_pixels_full_decode: int = Field(default=12_000_000, ge=1)
    # At most this many image decodes at once per worker process (the API decodes none: it reads
    # the header and hands the bytes to the job queue).
    photo_decode_concurrency: int = Field(default=2, ge=1)
    # Temporary photo files without a row are removed at start-up once this old (a younger one
    # may be another worker's upload between its commit and its rename).
    photo_orphan_grace_s: float = Field(default=3600.0, ge=0)
    photo_max_side_px: int = 2048
    photo_thumb_side_px: int = 320
    photos_per_report: int = 12

    # Moderation (docs/moderation.md). A claim's lease; after it the report returns to the queue.
    claim_lease_minutes: int = Field(default=30, ge=1, le=24 * 60)
    claim_max_count: int = Field(default=20, ge=1, le=200)
    # Queue priority = age in hours + these bonuses (in hours of age they are worth).
    queue_gap_weight_hours: float = 48.0  # a district with no published toilet yet
    queue_gap_target_per_district: int = 20  # published toilets at which a district's gap bonus reaches 0
    queue_duplicate_weight_hours: float = 24.0  # a report flagged as a possible duplicate
    # Second review: which decisions wait for a second moderator before they publish.
    second_review_on_merge: bool = True
    second_review_on_retire: bool = True
    second_review_on_accessible_downgrade: bool = True
    second_review_on_new_toilet: bool = False

    # Exports for the map team (exports/, docs/exports.md).
    # Photos travel with a snapshot and are published by the map team under this path on their
    # host; a consumer prepends https://map.seoul.go.kr, so it must start with "/".
    export_photo_url_prefix: str = Field(default="/reachable/photos", pattern=r"^/[A-Za-z0-9._~/-]*$")
    export_theme_id: str = "reachable-toilets"  # COT_THEME_ID: ours until the map team assigns one
    snapshot_dir: Path = PROJECT_ROOT / "var" / "snapshots"
    # The service's snapshot store (exports/snapshot_store.py): a new snapshot that would take
    # it past the budget is refused (507); older than keep_days or beyond the newest keep_count
    # are removed (None: that rule is off).
    snapshot_disk_budget_bytes: int = Field(default=5 * 1024**3, ge=1)
    snapshot_keep_count: int | None = Field(default=20, ge=1)
    snapshot_keep_days: float | None = Field(default=90.0, gt=0)
    # The data licence written into every snapshot manifest; the programme office confirms it.
    export_licence: str = "공공누리 제1유형(출처표시) · KOGL Type 1 (attribution required)"

    # Background jobs (jobs/, README "Background jobs"): jobs at once per `reachable worker`; its
    # heartbeat; a worker silent this long is taken for dead and its jobs are put back in the queue
    # by the sweep (a procrastinate cron, a 6th field for seconds).
    job_worker_concurrency: int = Field(default=2, ge=1, le=64)
    job_heartbeat_s: float = Field(default=10.0, gt=0)
    job_stalled_after_s: float = Field(default=30.0, gt=0)
    job_stalled_sweep_cron: str = "* * * * * */10"


    @field_validator(
        "rate_limit_login_per_ip", "rate_limit_login_per_nickname", "rate_limit_join_per_ip",
        "rate_limit_password_change_per_account", "rate_limit_reports_per_account", "rate_limit_reports_per_ip",
        "rate_limit_photos_per_account", "rate_limit_photos_per_ip", "rate_limit_exports_per_caller",
        "rate_limit_exports_per_ip", "rate_limit_snapshots_per_caller")
    @classmethod
    def _rates_parse(cls, value: str, info):
        """A malformed rate stops the server at start, naming the variable."""
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError as exc:
            raise ValueError(f"{info.field_name.upper()}: not a rate such as '10/minute;100/hour' ({exc})") from exc
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
