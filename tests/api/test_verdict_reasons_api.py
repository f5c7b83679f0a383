"""The public API serves the stored verdict reasons with every toilet: one, list, nearby, history."""

from __future__ import annotations

from tests.moderation.helpers import claim_one, decide, moderator, submit
from toilets.schemas import NearbyCollection, ToiletCollection, ToiletFeature


def _by(props: dict) -> dict[str, dict]:
    return {r["criterion"]: r for r in props["verdict_reasons"]}


def test_a_published_toilet_says_why_on_every_public_read(client, db):
    report_id, _ = submit(client, **{"toilet.emergency_bell": None, "toilet.door_clear_width_cm": 95,
                                     "toilet.grab_bars": None})
    mod = moderator(db, client)
    claim_one(client, mod, report_id)
    r = decide(client, mod, report_id, action="approve", confirmed=["grab_bars"])
    assert r.status_code == 200, r.text
    toilet_id = r.json()["toilet_id"]

    one = client.get(f"/api/v1/toilets/{toilet_id}").json()
    ToiletFeature.model_validate(one)
    props = one["properties"]
    assert props["verdict"] == "partially_accessible"
    by = _by(props)
    assert by["door_clear_width"]["outcome"] == "met"
    assert by["door_clear_width"]["text"] == {"ko": "출입문 유효폭 95 cm ≥ 90 cm", "en": "Door clear width 95 cm ≥ 90 cm"}
    assert by["door_clear_width"]["rule"]["value"] == 90 and by["door_clear_width"]["rule"]["unit"] == "cm"
    assert by["emergency_bell"]["outcome"] == "unknown" and by["emergency_bell"]["measured"] == {"emergency_bell": None}
    assert by["emergency_bell"]["text"] == {"ko": "비상벨: 확인 안 됨", "en": "Emergency bell: not checked"}
    assert by["emergency_bell"]["caps"] == "partially_accessible"
    assert by["grab_bars"]["outcome"] == "confirmed"

    listed = client.get("/api/v1/toilets").json()
    ToiletCollection.model_validate(listed)
    assert listed["features"][0]["properties"]["verdict_reasons"] == props["verdict_reasons"]
    near = client.get("/api/v1/toilets/nearby", params={"lon": 126.9779, "lat": 37.5663, "radius_m": 200}).json()
    NearbyCollection.model_validate(near)
    assert near["features"][0]["properties"]["verdict_reasons"] == props["verdict_reasons"]
    history = client.get(f"/api/v1/toilets/{toilet_id}/history").json()
    assert history["versions"][0]["verdict_reasons"] == props["verdict_reasons"]
