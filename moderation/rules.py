"""Which decisions need a second moderator before they publish (docs/moderation.md).

Defaults (each a setting, `second_review_on_*`):
- a merge into a published toilet: yes;
- a retirement of a published toilet: yes;
- any decision that turns a published `accessible` toilet into something else: yes, because
  it takes a reachable toilet off the map for wheelchair users;
- a plain first approval of a new toilet: no, it publishes at once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SecondReviewPolicy:
    on_merge: bool = True
    on_retire: bool = True
    on_accessible_downgrade: bool = True
    on_new_toilet: bool = False

    @classmethod
    def from_settings(cls, settings) -> SecondReviewPolicy:
        return cls(on_merge=settings.second_review_on_merge, on_retire=settings.second_review_on_retire,
                   on_accessible_downgrade=settings.second_review_on_accessible_downgrade,
                   on_new_toilet=settings.second_review_on_new_toilet)


def second_review_reasons(*, action: str, policy: SecondReviewPolicy, published_verdict: str | None,
                          new_verdict: str | None) -> list[str]:
    """The reasons this decision must wait for a second moderator; empty means publish now.

    `published_verdict` is the verdict of the toilet the decision changes (None for a new one);
    `new_verdict` the verdict it would have afterwards (None when it is retired)."""
    reasons: list[str] = []
    if action == "merge" and policy.on_merge:
        reasons.append("merge")
    if action == "retire" and policy.on_retire:
        reasons.append("retire")
    if action == "approve" and published_verdict is None and policy.on_new_toilet:
        reasons.append("new_toilet")
    if (policy.on_accessible_downgrade and published_verdict == "accessible"
            and action in ("approve", "merge", "retire") and new_verdict != "accessible"):
        reasons.append("accessible_downgrade")
    return reasons
