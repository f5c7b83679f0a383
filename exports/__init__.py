"""Exports of the published layer for the map team (docs/exports.md).

profiles/        one module per export profile, and their registry
service.py       request parsing, SQL, streaming (GeoJSON, API wrapper, CSV), incremental sync
snapshots.py     exports frozen on disk with manifest and photos
consumer_check.py what a known consumer (계단뿌셔클럽) would do with a file
preview.py       the folium preview map
api_keys.py      keys for automated pulls
This package never imports the web layer (`api/`).
"""
