"""`audit verify`: the chain's hashes, then the live records against the chain, then (given one)
a saved checkpoint the chain must still extend. One result for the CLI and the API."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from permits.audit import chain, checkpoints, livestate
from permits.core import db


@dataclass
class Result:
    chain: chain.Verification
    problems: list[dict[str, Any]] = field(default_factory=list)
    count: int = 0

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.count

    def to_dict(self) -> dict[str, Any]:
        body = {**self.chain.to_dict(), "ok": self.ok, "problems": self.problems}
        if self.count > len(self.problems):
            body["problems_total"] = self.count
        return body

    def first_problem(self) -> str | None:
        return self.problems[0]["problem"] if self.problems else None


def verify(session: Session, *, checkpoint: dict[str, Any] | None = None, public_key=None) -> Result:
    # The chain and the live rows read in one snapshot (on a GET's autocommit connection too),
    # so that a record written meanwhile is not found live without its entry.
    with db.one_snapshot(session):
        return _verify(session, checkpoint, public_key)


def _verify(session: Session, checkpoint: dict[str, Any] | None, public_key) -> Result:
    result = Result(chain.verify(session))
    if not result.chain.ok:
        result.problems.append({"entity": "audit_entry", "id": result.chain.first_bad,
                                "field": None, "chain": None, "live": None,
                                "problem": f"audit entry {result.chain.first_bad}: {result.chain.problem}"})
        result.count += 1
    if checkpoint is not None:
        for wrong in (checkpoints.check_signature(checkpoint, public_key) if public_key else None,
                      checkpoints.extends(session, checkpoint)):
            if wrong:
                result.problems.append({"entity": "checkpoint", "id": checkpoint.get("seq"),
                                        "field": None, "chain": None, "live": None,
                                        "problem": f"checkpoint {checkpoint.get('seq')}: {wrong}"})
                result.count += 1
    findings = livestate.check_everything(session)
    result.problems += [p.to_dict() for p in findings.problems]
    result.count += findings.count
    return result


def record(session: Session, result: Result, *, source: str, actor_id: int | None = None):
    """Keep the result for the administrators' page (the newest one is what it shows)."""
    from permits.audit.models import VerificationRun

    run = VerificationRun(source=source, actor_id=actor_id, ok=result.ok, entries=result.chain.entries,
                          problems=result.count, first_problem=(result.first_problem() or None) and
                          result.first_problem()[:500])
    session.add(run)
    session.flush()
    return run
