"""moderation/console_map.py: crowd names reach folium's tooltips only through core.html.inert_html."""

from __future__ import annotations

from tests.hostile_text import PAYLOADS
from tests.moderation.helpers import claim_one, decide, moderator, submit


def test_report_map_carries_no_raw_crowd_text(client, db):
    a = moderator(db, client)
    published, _ = submit(client, **{"place.name": PAYLOADS[2] + PAYLOADS[3]})
    claim_one(client, a, published)
    decide(client, a, published, action="approve")
    submit(client, **{"place.name": PAYLOADS[1]})
    report_id, _ = submit(client, **{"place.name": PAYLOADS[0] + PAYLOADS[4] + PAYLOADS[6]})
    html = client.get(f"/api/v1/moderation/reports/{report_id}/map", headers=a).text
    for raw in ("<b id", "<img src=x", "<svg", "</script><script>", "${1}", "`;"):
        assert raw not in html, raw
    assert "&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;" in html  # escaped, so shown as text
