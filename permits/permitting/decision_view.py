"""How a stored decision reads on a page: each standard's title beside its code, and only the
reasons that the rules and checks tables do not already show line by line."""
from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, select

from permits.permitting.decision_models import Decision
from permits.permitting.decisions import reason_message
from permits.permitting.models import Permit
from permits.web.labels import data_text
from standards.models import Standard


def standard_titles(session: Session, codes: Iterable[str]) -> dict[str, str]:
    """code -> title of its newest version in the reader's language, in one query."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    rows = session.exec(select(Standard.code, Standard.title).where(Standard.code.in_(wanted))
                        .order_by(Standard.code, Standard.version))
    return {code: data_text(title) for code, title in rows}  # the newest version is read last


def standard_scopes(session: Session, checks: Iterable) -> dict[str, dict]:
    """"code@version" -> the receiving processes that version governs and whether it is
    unconfirmed, for each check (a dict or a Check), in one query: a page shows which process a
    check belongs to and marks an unconfirmed entry, by the very version it was judged on."""
    wanted = {(_get(c, "standard"), _get(c, "version")) for c in checks}
    if not wanted:
        return {}
    rows = session.exec(select(Standard.code, Standard.version, Standard.processes,
                               Standard.unconfirmed)
                        .where(Standard.code.in_(sorted({code for code, _ in wanted}))))
    return {f"{code}@{version}": {"processes": list(processes or []), "unconfirmed": bool(unconfirmed)}
            for code, version, processes, unconfirmed in rows if (code, version) in wanted}


def _get(check, name: str):
    return check.get(name) if isinstance(check, dict) else getattr(check, name)


def _tabled(decision: Decision) -> set[str]:
    """The reasons the tables show: each broken rule, and each check not met, in the words
    `permits.permitting.decisions` writes them."""
    rules = {r["detail"] for r in decision.rules or [] if not r.get("met")}
    checks = {f"{c['standard']}: {c['verdict']} — {c['reason']}" for c in decision.checks or []
              if c["verdict"] != "meets"}
    return rules | checks


def extra_reasons(decision: Decision | None) -> list[str]:
    """The decision's reasons that no table row repeats (an inspector's words, a missing
    catalogue...). Should the reasons ever be worded differently, they all show again."""
    if decision is None:
        return []
    tabled = _tabled(decision)
    return [reason_message(r) for r in decision.reasons or [] if r not in tabled]


def status_note(permit: Permit, decision: Decision | None) -> str | None:
    """The permit's status reason, unless it is only the decision's reasons run together (the
    page lists those in its tables already). An inspector's own words always show."""
    reason = permit.status_reason
    if not reason or decision is None or reason in extra_reasons(decision):
        return reason
    return None if "; ".join(decision.reasons or []).startswith(reason) else reason


def has_certificate(permit: Permit, history: list[Decision]) -> bool:
    """A certificate exists only for a permit that was granted: approved now or once (since
    suspended, expired, revoked or withdrawn). A denied or pending application has none."""
    return permit.number is not None and any(d.outcome == "approved" for d in history)


def outcome(permit: Permit, decision: Decision | None, *, titles: dict[str, str],
            facility_names: dict[int, str], in_transit: int = 0,
            hold_case: str | None = None) -> dict:
    """What the top of the permit page says: the outcome, why, and what to do next."""
    checks = (decision.checks or []) if decision else []
    not_met = [c for c in checks if c["verdict"] != "meets"]
    failing = [c for c in not_met if c["verdict"] == "fails"]
    missing = [c for c in not_met if c["verdict"] != "fails"]
    broken = [r for r in (decision.rules or []) if not r.get("met")] if decision else []
    names = {r.get("rule", "") for r in broken}
    return {
        "status": permit.status,
        "broken_rules": broken,
        "failing": [{**c, "title": titles.get(c["standard"], c["standard"])} for c in failing],
        "missing": [{**c, "title": titles.get(c["standard"], c["standard"])} for c in missing],
        # Who has to send what is missing: the facility each check is about.
        "missing_from": sorted({facility_names.get(c.get("facility_id"), "") for c in missing} - {""}),
        "route_blocked": "transit_within_usmca" in names,
        "facility_blocked": bool(failing) or any(n.endswith(("facility_active", "accepts_byproduct",
                                                             "performs_operation")) for n in names),
        "period_blocked": "period_within_12_months" in names,
        "in_transit": in_transit,
        # The reference of the rapid-response case holding the permit while it is investigated.
        "hold_case": hold_case,
    }
