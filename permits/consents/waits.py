"""What a permit's shipments wait for, in words: the countries still to consent, or the objection."""
from __future__ import annotations

from sqlmodel import Session, select

from permits.consents.gate import live_consents
from permits.consents.models import Consent


def pending_countries(session: Session, permit_ids: list[int]) -> dict[int, list[str]]:
    """Per permit, the countries whose consent it still waits for (one query for a page)."""
    if not permit_ids:
        return {}
    rows = session.exec(select(Consent.permit_id, Consent.country).where(
        Consent.permit_id.in_(permit_ids), Consent.status == "pending",
        Consent.superseded_at.is_(None)).order_by(Consent.country)).all()
    waiting: dict[int, list[str]] = {}
    for permit_id, country in rows:
        waiting.setdefault(permit_id, []).append(country)
    return waiting


def waiting_for(session: Session, permit_id: int) -> str:
    countries = ", ".join(pending_countries(session, [permit_id]).get(permit_id, [])) or "none"
    return f"The permit waits for the consent of: {countries}."


def objection(session: Session, permit_id: int) -> str:
    objected = [c for c in live_consents(session, permit_id) if c.status == "objected"]
    if not objected:
        return "A country objected."
    first = objected[0]
    return f"{first.country}, {first.reference}: {first.reason}"
