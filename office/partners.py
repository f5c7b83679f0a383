"""Partners, the moderating organisations, and their moderators (issue 12 item 2).

A moderator belongs to at most one partner (`accounts.partner_id`; only moderators may: a CHECK
in the schema); every decision records the partner of its moderator at that moment
(`reviews.partner_id`), so a partner's decisions stay its own when a moderator moves on.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.models import Account, Partner
from accounts.service import check_name
from core.audit import record_audit
from core.errors import fail, field_error
from moderation.models import Review


@dataclass(frozen=True)
class PartnerSummary:
    partner: Partner
    moderators: list[Account]
    decisions: int


def get_partner(db: Session, partner_id: int) -> Partner:
    partner = db.get(Partner, partner_id)
    if partner is None:
        raise fail("partner_not_found")
    return partner


def _name_free(db: Session, name: str, *, other_than: int | None = None) -> None:
    query = select(Partner.id).where(func.lower(Partner.name) == name.lower())
    if other_than is not None:
        query = query.where(Partner.id != other_than)
    if db.scalars(query).first() is not None:
        raise fail("partner_exists", field_error("name", "다른 이름을 쓰세요.", "Use another name."))


def create_partner(db: Session, *, name: str, by: Account) -> Partner:
    name = check_name(name)
    _name_free(db, name)
    partner = Partner(name=name)
    db.add(partner)
    db.flush()
    record_audit(db, actor_id=by.id, action="partner.create", object_type="partner", object_id=partner.id,
                 detail={"name": name})
    return partner


def rename_partner(db: Session, *, partner: Partner, name: str, by: Account) -> Partner:
    name = check_name(name)
    if name == partner.name:
        return partner
    _name_free(db, name, other_than=partner.id)
    before, partner.name = partner.name, name
    db.flush()
    record_audit(db, actor_id=by.id, action="partner.update", object_type="partner", object_id=partner.id,
                 detail={"changed": {"name": [before, name]}})
    return partner


def add_moderator(db: Session, *, partner: Partner, account: Account, by: Account) -> Account:
    """The moderator now belongs to `partner` (moved from another one if they belonged to one;
    decisions already taken stay with the partner they were taken for). Idempotent."""
    if account.role != "moderator":
        raise fail("not_a_moderator", field_error("account_id", "중재자 계정만 협력 기관에 속할 수 있습니다.",
                                                  "Only moderator accounts belong to a partner."))
    if account.partner_id == partner.id:
        return account
    before, account.partner_id = account.partner_id, partner.id
    db.flush()
    record_audit(db, actor_id=by.id, action="partner.add_moderator", object_type="partner", object_id=partner.id,
                 detail={"account_id": account.id, "username": account.username, "from_partner_id": before})
    return account


def remove_moderator(db: Session, *, partner: Partner, account: Account, by: Account) -> Account:
    if account.partner_id != partner.id:
        raise fail("moderator_not_in_partner")
    account.partner_id = None
    db.flush()
    record_audit(db, actor_id=by.id, action="partner.remove_moderator", object_type="partner",
                 object_id=partner.id, detail={"account_id": account.id, "username": account.username})
    return account


def partner_summaries(db: Session, *, partner_id: int | None = None) -> list[PartnerSummary]:
    """Every partner (or the one named) with its moderators and how many decisions were taken for it."""
    query = select(Partner).order_by(Partner.name)
    if partner_id is not None:
        query = query.where(Partner.id == partner_id)
    partners = list(db.scalars(query))
    moderators: dict[int, list[Account]] = {p.id: [] for p in partners}
    members = select(Account).where(Account.partner_id.in_(list(moderators))).order_by(Account.username)
    for account in db.scalars(members):
        moderators[account.partner_id].append(account)
    decisions = dict(db.execute(select(Review.partner_id, func.count()).where(Review.partner_id.is_not(None))
                                .group_by(Review.partner_id)).all())
    return [PartnerSummary(p, moderators[p.id], decisions.get(p.id, 0)) for p in partners]
