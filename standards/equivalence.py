"""The equivalence verdict: one U.S. standard and a facility's evidence in, a Check with the numbers out.

`evaluate` is pure and hot (a decision evaluates every applicable standard, a report millions), so it
only compares and records; the dictionaries and the sentence a person reads are built when asked for.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from standards.clock import add_months

__all__ = [
    "FAILS",
    "INCOMPARABLE",
    "MEETS",
    "NO_EVIDENCE",
    "STALE",
    "UNVERIFIED",
    "VERDICTS",
    "Check",
    "Reading",
    "StandardTerms",
    "evaluate",
    "freshness_cutoff",
]

MEETS = "meets"
FAILS = "fails"
NO_EVIDENCE = "no_evidence"
STALE = "stale"
INCOMPARABLE = "incomparable"
UNVERIFIED = "unverified"
VERDICTS = (MEETS, FAILS, NO_EVIDENCE, STALE, INCOMPARABLE, UNVERIFIED)


@dataclass(slots=True, frozen=True)
class Reading:
    """One piece of a facility's evidence: its binding limit, or a measured result.

    `value` is already in the standard's canonical unit (convert with `units.to_canonical`), or
    True/False for a `required` practice. `verified` is False while it is only self-reported.
    """

    value: float | bool
    unit: str | None
    basis: str | None
    observed_on: date
    verified: bool
    evidence_id: int | None = None
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "unit": self.unit,
            "basis": self.basis,
            "observed_on": self.observed_on.isoformat(),
            "verified": self.verified,
            "evidence_id": self.evidence_id,
            "source": self.source,
        }


@dataclass(slots=True, frozen=True)
class StandardTerms:
    """A plain copy of what `evaluate` reads from a standard.

    Reading attributes off a database row costs more than the whole comparison; a caller that
    evaluates one standard against many facilities snapshots it once with `StandardTerms.of(row)`.
    """

    code: str
    version: int
    value: float | None
    unit: str | None
    basis: str
    direction: str
    freshness_months: int = 12
    exclusive: bool = False

    @classmethod
    def of(cls, standard) -> StandardTerms:
        return cls(
            code=standard.code,
            version=standard.version,
            value=standard.value,
            unit=standard.unit,
            basis=standard.basis,
            direction=standard.direction,
            freshness_months=standard.freshness_months,
            exclusive=bool(getattr(standard, "exclusive", False)),
        )


class Check:
    """The verdict on one standard, with the U.S. limit and the facility's evidence side by side.

    `us_limit`, `facility_limit`, `facility_measured` are JSON-ready dicts (dates as ISO text);
    `reason` is one sentence with the numbers. A Check made by `evaluate` builds them on access.
    """

    __slots__ = ("verdict", "_standard", "_limit", "_measured", "_why", "_on", "_given")

    def __init__(
        self,
        standard: str,
        version: int,
        verdict: str,
        us_limit: dict[str, Any],
        facility_limit: dict[str, Any] | None,
        facility_measured: dict[str, Any] | None,
        reason: str,
    ):
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
        self.verdict = verdict
        self._standard = None
        self._given = (standard, version, us_limit, facility_limit, facility_measured, reason)

    @property
    def standard(self) -> str:
        return self._standard.code if self._given is None else self._given[0]

    @property
    def version(self) -> int:
        return self._standard.version if self._given is None else self._given[1]

    @property
    def us_limit(self) -> dict[str, Any]:
        if self._given is not None:
            return self._given[2]
        standard = self._standard
        value = True if standard.direction == "required" else standard.value
        return {"value": value, "unit": standard.unit, "basis": standard.basis}

    @property
    def facility_limit(self) -> dict[str, Any] | None:
        if self._given is not None:
            return self._given[3]
        return None if self._limit is None else self._limit.to_dict()

    @property
    def facility_measured(self) -> dict[str, Any] | None:
        if self._given is not None:
            return self._given[4]
        return None if self._measured is None else self._measured.to_dict()

    @property
    def reason(self) -> str:
        if self._given is not None:
            return self._given[5]
        return _REASONS[self._why](self._standard, self._limit, self._measured, self._on)

    def to_dict(self) -> dict[str, Any]:
        """The API's CHECK shape (plus the standard's version)."""
        return {
            "standard": self.standard,
            "version": self.version,
            "verdict": self.verdict,
            "us_limit": self.us_limit,
            "facility_limit": self.facility_limit,
            "facility_measured": self.facility_measured,
            "reason": self.reason,
        }

    def __repr__(self) -> str:
        return f"<Check {self.standard} v{self.version}: {self.verdict}>"


_new_check = object.__new__


def _decided(verdict, standard, limit, measured, why, on) -> Check:
    # Skips __init__: evaluate is the hot path and its Checks build their parts lazily.
    check = _new_check(Check)
    check.verdict = verdict
    check._standard = standard
    check._limit = limit
    check._measured = measured
    check._why = why
    check._on = on
    check._given = None
    return check


def evaluate(standard, limit: Reading | None, measurement: Reading | None, on: date) -> Check:
    """Decide whether a facility's evidence is U.S.-equivalent-or-better for one standard on `on`.

    `standard` needs code, version, value, unit, basis, direction (max | min | required) and
    freshness_months; an `exclusive` attribute, when true, makes the value itself fail. `limit`
    is the facility's binding limit, `measurement` its newest measured result at or before `on`,
    both already in the standard's unit. The first rule that applies decides:

    1. `no_evidence`  - the binding limit or the measurement is missing.
    2. `incomparable` - a reading's basis or unit is not the standard's: converting between
       averaging periods would be a guess, not a comparison. A `required` practice has no basis
       or unit, so neither is compared.
    3. `unverified`   - a reading is only self-reported.
    4. `fails`        - the binding limit is worse than the U.S. value (a limit does not go stale).
    5. `stale`        - the measurement is older than `freshness_months` calendar months before
       `on`. A measurement on the first day of the window (`freshness_cutoff`) is still fresh.
    6. `fails`        - the measurement is worse than the U.S. value.
    7. `meets`        - otherwise. Equality meets (`max`: value <= U.S.; `min`: value >= U.S.;
       `required`: True), unless the standard is `exclusive` (`max`: <, `min`: >).

    Comparisons are written so that a NaN never meets.
    """
    if limit is None or measurement is None:
        return _decided(NO_EVIDENCE, standard, limit, measurement, "missing", on)
    direction = standard.direction
    if direction != "required":
        basis = standard.basis
        if limit.basis != basis or measurement.basis != basis:
            return _decided(INCOMPARABLE, standard, limit, measurement, "basis", on)
        unit = standard.unit
        if limit.unit != unit or measurement.unit != unit:
            return _decided(INCOMPARABLE, standard, limit, measurement, "unit", on)
    if not (limit.verified and measurement.verified):
        return _decided(UNVERIFIED, standard, limit, measurement, "unverified", on)
    us = standard.value
    exclusive = getattr(standard, "exclusive", False)
    if not _within(direction, exclusive, limit.value, us):
        return _decided(FAILS, standard, limit, measurement, "limit_worse", on)
    if measurement.observed_on < freshness_cutoff(on, standard.freshness_months):
        return _decided(STALE, standard, limit, measurement, "stale", on)
    if not _within(direction, exclusive, measurement.value, us):
        return _decided(FAILS, standard, limit, measurement, "measured_worse", on)
    return _decided(MEETS, standard, limit, measurement, "meets", on)


def _within(direction: str, exclusive: bool, value, us) -> bool:
    if direction == "max":
        return value < us if exclusive else value <= us
    if direction == "min":
        return value > us if exclusive else value >= us
    return value is True  # required: only an explicit True is "in place"


_cutoffs: dict[tuple[date, int], date] = {}


def freshness_cutoff(on: date, months: int) -> date:
    """The oldest date a measurement may carry on `on`: `months` calendar months earlier.

    The day is clamped to the month's end (31 March minus one month is 28 or 29 February).
    """
    key = (on, months)
    cutoff = _cutoffs.get(key)
    if cutoff is None:
        cutoff = add_months(on, -months)
        if len(_cutoffs) > 4096:  # decisions use a handful of dates; a long report must not grow this
            _cutoffs.clear()
        _cutoffs[key] = cutoff
    return cutoff


# ---- the sentences a person reads -------------------------------------------------------------

BASIS_LABELS = {
    "8h_twa": "8-h TWA",
    "rolling_3_month": "rolling 3-month mean",
    "24h": "24-h",
    "annual": "annual mean",
    "tclp": "TCLP extract",
    "per_test": "per test",
    "daily_max": "daily maximum",
    "monthly_avg": "monthly average",
    "average_of_last_three": "average of the last three tests",
    "method_9": "Method 9 opacity",
    "practice": "practice",
}
_WORSE = {"max": "above", "min": "below"}
_AT_OR_BETTER = {"max": "at or below", "min": "at or above"}
_STRICTLY_BETTER = {"max": "below", "min": "above"}


def _basis(basis: str | None) -> str:
    return BASIS_LABELS.get(basis, basis or "no stated basis")


def _number(value) -> str:
    return format(value, ".6g") if isinstance(value, float) else str(value)


def _amount(value, unit: str | None) -> str:
    if unit is None:
        return _number(value)
    return f"{_number(value)}{unit}" if unit == "%" else f"{_number(value)} {unit}"


def _us_limit(standard) -> str:
    return f"the U.S. limit of {_amount(standard.value, standard.unit)}"


def _worse_verb(standard) -> str:
    if getattr(standard, "exclusive", False):  # "3 percent or greater" fails: 3% is "not below"
        return "is not " + _STRICTLY_BETTER[standard.direction]
    return "is " + _WORSE[standard.direction]


def _reason_missing(standard, limit, measured, on) -> str:
    if limit is None and measured is None:
        return "No binding limit and no measurement are on record."
    if limit is None:
        return "No binding limit is on record."
    return "No measurement is on record."


def _reason_basis(standard, limit, measured, on) -> str:
    reading, name = (limit, "binding limit") if limit.basis != standard.basis else (measured, "measurement")
    return (
        f"The {name} is on a {_basis(reading.basis)} basis and the U.S. limit on a "
        f"{_basis(standard.basis)} basis; converting between them would be a guess, not a comparison."
    )


def _reason_unit(standard, limit, measured, on) -> str:
    reading, name = (limit, "binding limit") if limit.unit != standard.unit else (measured, "measurement")
    return (
        f"The {name} is in {reading.unit or 'no unit'}, not converted to the U.S. unit "
        f"{standard.unit or '(none: a yes/no practice)'}; it cannot be compared."
    )


def _reason_unverified(standard, limit, measured, on) -> str:
    if not limit.verified and not measured.verified:
        return "The binding limit and the measurement are self-reported and no inspector has verified them."
    name = "binding limit" if not limit.verified else "measurement"
    return f"The {name} is self-reported and no inspector has verified it."


def _reason_limit_worse(standard, limit, measured, on) -> str:
    if standard.direction == "required":
        return "The facility's binding rules do not require this practice; the U.S. requires it."
    return (
        f"The binding limit of {_amount(limit.value, standard.unit)} ({_basis(standard.basis)}) "
        f"{_worse_verb(standard)} {_us_limit(standard)}."
    )


def _reason_stale(standard, limit, measured, on) -> str:
    cutoff = freshness_cutoff(on, standard.freshness_months)
    return (
        f"The newest measurement ({measured.observed_on.isoformat()}) is older than the "
        f"{standard.freshness_months}-month freshness window, which starts on {cutoff.isoformat()}."
    )


def _reason_measured_worse(standard, limit, measured, on) -> str:
    observed = measured.observed_on.isoformat()
    if standard.direction == "required":
        return f"The practice was found not in place on {observed}; the U.S. requires it."
    return (
        f"Measured {_amount(measured.value, standard.unit)} ({_basis(standard.basis)}, {observed}) "
        f"{_worse_verb(standard)} {_us_limit(standard)}."
    )


def _reason_meets(standard, limit, measured, on) -> str:
    observed = measured.observed_on.isoformat()
    if standard.direction == "required":
        return f"The facility's binding rules require the practice and it was found in place on {observed}."
    words = _STRICTLY_BETTER if getattr(standard, "exclusive", False) else _AT_OR_BETTER
    return (
        f"Binding limit {_amount(limit.value, standard.unit)} and measured "
        f"{_amount(measured.value, standard.unit)} ({_basis(standard.basis)}, {observed}) are "
        f"{words[standard.direction]} {_us_limit(standard)}."
    )


_REASONS = {
    "missing": _reason_missing,
    "basis": _reason_basis,
    "unit": _reason_unit,
    "unverified": _reason_unverified,
    "limit_worse": _reason_limit_worse,
    "stale": _reason_stale,
    "measured_worse": _reason_measured_worse,
    "meets": _reason_meets,
}
