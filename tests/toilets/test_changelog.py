"""The change log's numbers are gap-free: a change rolled back (or killed) leaves no hole."""

from __future__ import annotations

import uuid

from toilets.changelog import append_change


def test_a_rolled_back_change_leaves_no_gap(db):
    first = append_change(db, entity="toilet", entity_id=uuid.uuid4(), op="create", version=1)
    undone = db.begin_nested()
    append_change(db, entity="toilet", entity_id=uuid.uuid4(), op="create", version=1)
    undone.rollback()
    second = append_change(db, entity="route", entity_id=uuid.uuid4(), op="create", version=1)
    third = append_change(db, entity="toilet", entity_id=second.entity_id, op="update", version=2)
    assert [second.seq, third.seq] == [first.seq + 1, first.seq + 2]
