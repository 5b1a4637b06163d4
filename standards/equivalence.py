"""The equivalence verdict: one U.S. standard and a facility's evidence in, a Check with the numbers out.

`evaluate` is pure and hot (a decision evaluates every applicable standard, a report millions), so it
only compares and records; the dictionaries and the sentence a person reads are built when asked for.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from standards.clock import add_months
from standards.messages import N_, TEMPLATES, Message, define

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
    "limit_within",
    "measured_within",
    "us_value_for",
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
    A limit carries its `comparator` as the facility's rule is phrased ("<" or "<=" for a `max`
    standard, ">" or ">=" for `min`; None reads as the inclusive one). An 8-h TWA measurement may
    carry the `shift_hours` it was taken over; a per-test one the pseudonymous `subject` (a
    worker) that averages over several tests group by.
    """

    value: float | bool
    unit: str | None
    basis: str | None
    observed_on: date
    verified: bool
    evidence_id: int | None = None
    source: str | None = None
    comparator: str | None = None
    shift_hours: float | None = None
    subject: str | None = None
    # A binding limit's source instrument, by its code (standards.instruments); None: `source` says.
    instrument: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {
            "value": self.value,
            "unit": self.unit,
            "basis": self.basis,
            "observed_on": self.observed_on.isoformat(),
            "verified": self.verified,
            "evidence_id": self.evidence_id,
            "source": self.source,
        }
        if self.comparator is not None:
            data["comparator"] = self.comparator
        if self.shift_hours is not None:
            data["shift_hours"] = self.shift_hours
        if self.instrument is not None:
            data["instrument"] = self.instrument
        return data


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
    # The limit is for an 8-hour day and shrinks proportionally for longer shifts
    # (29 CFR 1910.1025(c)(2): 400 ÷ hours worked).
    shift_adjusted: bool = False
    # The code of the per-test standard whose tests this standard's averages are computed from.
    computed_from: str | None = None
    # The receiving processes it governs (empty: every one), and whether its value or citation
    # is still unconfirmed against the rule text (applied all the same, shown as such).
    processes: tuple[str, ...] = ()
    unconfirmed: bool = False

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
            shift_adjusted=bool(getattr(standard, "shift_adjusted", False)),
            computed_from=getattr(standard, "computed_from", None),
            processes=tuple(getattr(standard, "processes", None) or ()),
            unconfirmed=bool(getattr(standard, "unconfirmed", False)),
        )


class Check:
    """The verdict on one standard, with the U.S. limit and the facility's evidence side by side.

    `us_limit`, `facility_limit`, `facility_measured` are JSON-ready dicts (dates as ISO text);
    `facility_measured` is the reading that decided (the worst one in the freshness window);
    `reason` is one sentence with the numbers. A Check made by `evaluate` builds them on access.
    """

    __slots__ = ("verdict", "_standard", "_limit", "_measured", "_why", "_on", "_given", "_counted")

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
        self._counted = 0
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
        if self._measured is None:
            return None
        data = self._measured.to_dict()
        applied = us_value_for(self._standard, self._measured)
        if applied != self._standard.value:  # a long shift: the U.S. value it was judged by
            data["us_value_applied"] = applied
        return data

    @property
    def readings_counted(self) -> int:
        """How many measurements in the freshness window were weighed (0 when none decided)."""
        return self._counted

    @property
    def message(self) -> Message | None:
        """The reason as a Message (code and parameters), to say in a reader's language; None
        for a Check built from a stored sentence."""
        if self._given is not None:
            return None
        return _REASONS[self._why](self._standard, self._limit, self._measured, self._on,
                                   self._counted)

    @property
    def reason(self) -> str:
        """The reason's canonical English: what a decision record stores and hashes."""
        if self._given is not None:
            return self._given[5]
        return self.message.english()

    @property
    def unconfirmed(self) -> bool:
        """The standard's value or citation is not confirmed against the rule text."""
        return self._given is None and bool(getattr(self._standard, "unconfirmed", False))

    def to_dict(self) -> dict[str, Any]:
        """The API's CHECK shape (plus the standard's version), with the reason's `message`
        (code and parameters) beside its English; `unconfirmed` only when true, so that a
        record of a confirmed standard reads (and hashes) as it always did."""
        message = self.message
        data = {
            "standard": self.standard,
            "version": self.version,
            "verdict": self.verdict,
            "us_limit": self.us_limit,
            "facility_limit": self.facility_limit,
            "facility_measured": self.facility_measured,
            "reason": self.reason if message is None else message.english(),
        }
        if message is not None:
            data["message"] = message.to_dict()
        if self.unconfirmed:
            data["unconfirmed"] = True
        return data

    def __repr__(self) -> str:
        return f"<Check {self.standard} v{self.version}: {self.verdict}>"


_new_check = object.__new__


def _decided(verdict, standard, limit, measured, why, on, counted=0) -> Check:
    # Skips __init__: evaluate is the hot path and its Checks build their parts lazily.
    check = _new_check(Check)
    check.verdict = verdict
    check._standard = standard
    check._limit = limit
    check._measured = measured
    check._why = why
    check._on = on
    check._given = None
    check._counted = counted
    return check


def _as_tuple(readings) -> tuple:
    if readings is None:
        return ()
    if isinstance(readings, Reading):
        return (readings,)
    return tuple(readings)


def evaluate(standard, limit, measurement, on: date) -> Check:
    """Decide whether a facility's evidence is U.S.-equivalent-or-better for one standard on `on`.

    `standard` needs code, version, value, unit, basis, direction (max | min | required) and
    freshness_months (`exclusive`, `shift_adjusted` are read when present). `limit` and
    `measurement` are each a Reading, a sequence of Readings (every standing entry observed on or
    before `on`, in the standard's unit) or None. DOMAIN.md's sharper rules:

    - The binding limit is the newest verified one; a newer self-reported limit that is worse
      than the U.S. value counts at once (bad news), a better one only once verified. A limit
      is compared as phrased: "< 3%" against "3% or greater is a violation" meets, "<= 3%" fails.
    - Every measurement within the freshness window counts and the worst decides (highest for
      `max`, lowest for `min`, a practice found not in place for `required`). A self-reported
      one counts at once when it is worse than the U.S. value, toward `meets` only verified.
    - An 8-h TWA measured over a longer shift is judged by value × 8 ÷ hours (`shift_adjusted`).
    - Readings on another basis or unit are set aside: converting between averaging periods
      would be a guess. When nothing comparable is left the verdict is `incomparable`.

    Verdicts, first that applies: `fails` (limit first, then a measurement), `no_evidence`,
    `incomparable`, `unverified`, `stale` (no comparable measurement in the window),
    `meets`. Equality meets unless the standard is `exclusive`. A NaN never meets.
    """
    one_limit = limit if type(limit) is Reading else _one(limit)
    one_measured = measurement if type(measurement) is Reading else _one(measurement)
    if one_limit is _MANY or one_measured is _MANY:
        chosen_limit, limit_why = _binding_limit(standard, _as_tuple(limit))
        chosen, measured_why, counted = _deciding_measurement(standard, _as_tuple(measurement), on)
    else:  # at most one reading of each kind (most checks): the same rules, without the lists
        chosen_limit, chosen = one_limit, one_measured
        limit_why, measured_why, counted = _weigh_one(standard, one_limit, one_measured, on)
    if limit_why == "ok" and measured_why == "ok":  # nothing below applies: meets
        return _decided(MEETS, standard, chosen_limit, chosen, "meets", on, counted)
    if limit_why == "limit_worse":
        return _decided(FAILS, standard, chosen_limit, chosen, "limit_worse", on, counted)
    if measured_why == "measured_worse":
        return _decided(FAILS, standard, chosen_limit, chosen, "measured_worse", on, counted)
    if limit_why == "missing" or measured_why == "missing":
        return _decided(NO_EVIDENCE, standard, chosen_limit, chosen, "missing", on)
    for why in ("basis", "unit"):
        if limit_why == why or measured_why == why:
            return _decided(INCOMPARABLE, standard, chosen_limit, chosen, why, on)
    if limit_why == "unverified" or measured_why == "unverified":
        return _decided(UNVERIFIED, standard, chosen_limit, chosen, "unverified", on, counted)
    if measured_why == "stale":
        return _decided(STALE, standard, chosen_limit, chosen, "stale", on)
    return _decided(MEETS, standard, chosen_limit, chosen, "meets", on, counted)


_MANY = object()  # more than one reading: the general rules weigh them


def _one(readings):
    """The one Reading of `readings` (None when there is none), or _MANY."""
    if readings is None or type(readings) is Reading:
        return readings
    if isinstance(readings, Reading):
        return readings
    if len(readings) == 1:
        return readings[0]
    return None if not readings else _MANY


def _weigh_one(standard, limit: Reading | None, measured: Reading | None, on: date) -> tuple[str, str, int]:
    """`_binding_limit` and `_deciding_measurement` for at most one reading each: (why of the
    limit, why of the measurement, measurements counted). Inlined: this runs for nearly every
    check, and `tests/standards/test_equivalence_one_reading.py` holds it to the general rules."""
    direction = standard.direction
    practice = direction == "required"
    if limit is None:
        limit_why = "missing"
    elif not practice and (limit.basis != standard.basis or limit.unit != standard.unit):
        limit_why = "basis" if limit.basis != standard.basis else "unit"
    else:
        value, us = limit.value, standard.value
        if practice:
            within = value is True
        elif (value < us) if direction == "max" else (value > us):
            within = True
        elif value == us:
            within = (limit.comparator in STRICT_COMPARATORS
                      or not getattr(standard, "exclusive", False))
        else:
            within = False
        # A self-reported limit counts at once when worse, toward `meets` only verified.
        limit_why = ("ok" if limit.verified else "unverified") if within else "limit_worse"
    if measured is None:
        return limit_why, "missing", 0
    if not practice and (measured.basis != standard.basis or measured.unit != standard.unit):
        return limit_why, ("basis" if measured.basis != standard.basis else "unit"), 0
    observed = measured.observed_on
    if observed > on or observed < freshness_cutoff(on, standard.freshness_months):
        return limit_why, "stale", 0
    value = measured.value
    if practice:
        within = value is True
    else:
        hours = measured.shift_hours
        us = us_value_for(standard, measured) if hours and hours > 8 else standard.value
        if direction == "max":
            within = value < us if getattr(standard, "exclusive", False) else value <= us
        else:
            within = value > us if getattr(standard, "exclusive", False) else value >= us
    if not within:  # verified or not: an exceedance counts at once
        return limit_why, "measured_worse", 1
    return limit_why, ("ok" if measured.verified else "unverified"), 1


def _key(reading: Reading) -> tuple:
    return reading.observed_on, reading.evidence_id or 0


def _incomparable(standard, readings: tuple) -> tuple[list, str | None]:
    """The readings on the standard's basis and unit, or (the newest, why) when none is."""
    if standard.direction == "required":  # a practice has no basis or unit to compare
        return list(readings), None
    basis, unit = standard.basis, standard.unit
    comparable = [r for r in readings if r.basis == basis and r.unit == unit]
    if comparable:
        return comparable, None
    newest = max(readings, key=_key)
    return [newest], "basis" if newest.basis != basis else "unit"


def _binding_limit(standard, limits: tuple) -> tuple[Reading | None, str]:
    if not limits:
        return None, "missing"
    comparable, why = _incomparable(standard, limits)
    if why:
        return comparable[0], why
    verified = [r for r in comparable if r.verified]
    newest_verified = max(verified, key=_key) if verified else None
    later = [r for r in comparable if not r.verified
             and (newest_verified is None or _key(r) > _key(newest_verified))]
    newest_claim = max(later, key=_key) if later else None
    if newest_claim is not None and not limit_within(standard, newest_claim):
        return newest_claim, "limit_worse"  # a relaxed limit, self-reported: bad news counts
    if newest_verified is None:
        return newest_claim, "unverified"
    if not limit_within(standard, newest_verified):
        return newest_verified, "limit_worse"
    return newest_verified, "ok"


def _deciding_measurement(standard, measurements: tuple, on: date) -> tuple[Reading | None, str, int]:
    if not measurements:
        return None, "missing", 0
    comparable, why = _incomparable(standard, measurements)
    if why:
        return comparable[0], why, 0
    cutoff = freshness_cutoff(on, standard.freshness_months)
    window = [r for r in comparable if cutoff <= r.observed_on <= on]
    if not window:
        return max(comparable, key=_key), "stale", 0
    worse = [r for r in window if not measured_within(standard, r)]
    if worse:  # verified or not: an exceedance counts at once
        return (max(worse, key=lambda r: (_severity(standard, r), _key(r))), "measured_worse",
                len(window))
    verified = [r for r in window if r.verified]
    if not verified:
        return max(window, key=_key), "unverified", len(window)
    if standard.direction == "required":
        return max(verified, key=_key), "ok", len(verified)
    return max(verified, key=lambda r: (_severity(standard, r), _key(r))), "ok", len(verified)


def us_value_for(standard, reading: Reading | None):
    """The U.S. value a measurement is judged by: the standard's, or for a shift longer than
    8 hours under a `shift_adjusted` standard, value × 8 ÷ hours (400 ÷ hours for lead)."""
    us = standard.value
    hours = reading.shift_hours if reading is not None else None
    if hours and hours > 8 and getattr(standard, "shift_adjusted", False):
        return float(f"{us * 8 / hours:.12g}")
    return us


def _severity(standard, reading: Reading) -> float:
    """How bad a reading is relative to the U.S. value it is judged by (bigger is worse)."""
    if standard.direction == "required":
        return 0.0  # a practice is in place or not: the newest failing one is named
    us = us_value_for(standard, reading)
    value = reading.value
    if standard.direction == "max":
        return value / us if us else value
    return us / value if value else math.inf


def measured_within(standard, reading: Reading) -> bool:
    """A measured value on the allowed side of the U.S. value (strictly, when `exclusive`)."""
    direction = standard.direction
    value = reading.value
    if direction == "required":
        return value is True  # only an explicit True is "in place"
    us = us_value_for(standard, reading)
    exclusive = getattr(standard, "exclusive", False)
    if direction == "max":
        return value < us if exclusive else value <= us
    return value > us if exclusive else value >= us


STRICT_COMPARATORS = frozenset({"<", ">"})
COMPARATORS = {"max": ("<", "<="), "min": (">", ">=")}


def limit_within(standard, reading: Reading) -> bool:
    """A binding limit that permits nothing the U.S. rule forbids.

    Below (for `max`) the U.S. value it always meets; at the value it meets unless the U.S. rule
    forbids the value itself (`exclusive`) and the facility's limit, phrased "<=", permits it.
    """
    direction = standard.direction
    value = reading.value
    if direction == "required":
        return value is True
    us = standard.value
    better = value < us if direction == "max" else value > us
    if better:
        return True
    if value == us:
        return reading.comparator in STRICT_COMPARATORS or not getattr(standard, "exclusive", False)
    return False  # worse, or NaN


_cutoffs: dict[tuple[date, int], date] = {}
_last_day: tuple[date | None, dict[int, date]] = (None, {})


def freshness_cutoff(on: date, months: int) -> date:
    """The oldest date a measurement may carry on `on`: `months` calendar months earlier.

    The day is clamped to the month's end (31 March minus one month is 28 or 29 February).
    """
    global _last_day
    day, by_months = _last_day
    if day is on:  # a decision or a report asks for one day many times: no hashing of dates
        cutoff = by_months.get(months)
        if cutoff is not None:
            return cutoff
    key = (on, months)
    cutoff = _cutoffs.get(key)
    if cutoff is None:
        cutoff = add_months(on, -months)
        if len(_cutoffs) > 4096:  # decisions use a handful of dates; a long report must not grow this
            _cutoffs.clear()
        _cutoffs[key] = cutoff
    if day is not on:
        by_months = {}
        _last_day = (on, by_months)  # one assignment: another thread sees the old or the new pair
    by_months[months] = cutoff
    return cutoff


# ---- the sentences a person reads -------------------------------------------------------------
# Every sentence a check gives is built here, one function per `why` code, as a Message
# (standards.messages): its canonical English is the check's `reason` (stored in decision
# records, covered by their hash, and never worded differently from before), its code and
# parameters let a page, the API or a PDF say it in the reader's language.

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
_BASIS = {
    "8h_twa": define("check.basis.8h_twa", N_("8-h TWA")),
    "rolling_3_month": define("check.basis.rolling_3_month", N_("rolling 3-month mean")),
    "24h": define("check.basis.24h", N_("24-h")),
    "annual": define("check.basis.annual", N_("annual mean")),
    "tclp": define("check.basis.tclp", N_("TCLP extract")),
    "per_test": define("check.basis.per_test", N_("per test")),
    "daily_max": define("check.basis.daily_max", N_("daily maximum")),
    "monthly_avg": define("check.basis.monthly_avg", N_("monthly average")),
    "average_of_last_three": define("check.basis.average_of_last_three",
                                    N_("average of the last three tests")),
    "method_9": define("check.basis.method_9", N_("Method 9 opacity")),
    "practice": define("check.basis.practice", N_("practice")),
}
assert {code: TEMPLATES[message] for code, message in _BASIS.items()} == BASIS_LABELS
_NO_BASIS = define("check.basis.none", N_("no stated basis"))
_OVER_SHIFT = define("check.basis.over_shift", N_("%(basis)s over a %(hours)s-hour shift"))

_WORSE = {"max": "above", "min": "below"}
_AT_OR_BETTER = {"max": "at or below", "min": "at or above"}
_STRICTLY_BETTER = {"max": "below", "min": "above"}
COMPARATOR_SIGNS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}

_NUMBER = define("check.number", N_("%(value)s"))
_AMOUNT = define("check.amount", N_("%(value)s %(unit)s"))
_PERCENT = define("check.amount.percent", N_("%(value)s%%"))
_PHRASED = define("check.phrased", N_("%(sign)s %(amount)s"))
_US_LIMIT = define("check.us_limit", N_("the U.S. limit of %(amount)s"))
_US_LIMIT_SHIFT = define("check.us_limit.shift", N_(
    "the U.S. limit of %(amount)s for a %(hours)s-hour shift (%(full)s ÷ %(hours)s h)"))
# "<subject> is above <the U.S. limit>" (a limit or a measurement), "<both> are below ...".
_IS = {("max", False): define("check.is_above", N_("is above %(us_limit)s")),
       ("max", True): define("check.is_not_below", N_("is not below %(us_limit)s")),
       ("min", False): define("check.is_below", N_("is below %(us_limit)s")),
       ("min", True): define("check.is_not_above", N_("is not above %(us_limit)s"))}
_ARE = {("max", False): define("check.are_at_or_below", N_("are at or below %(us_limit)s")),
        ("max", True): define("check.are_below", N_("are below %(us_limit)s")),
        ("min", False): define("check.are_at_or_above", N_("are at or above %(us_limit)s")),
        ("min", True): define("check.are_above", N_("are above %(us_limit)s"))}
_OBSERVED = define("check.observed_on", N_("%(observed_on)s"))
_ENTRY = define("check.entry", N_("entry #%(evidence_id)s"))
_SELF_REPORTED = define("check.self_reported", N_("self-reported"))
_DESCRIBED = define("check.described", N_("%(amount)s (%(details)s)"))
_WINDOW = define("check.window", N_("; the worst of %(count)s measurements since %(cutoff)s"))
_CLAIMED = define("check.claimed", N_(" (self-reported: a weaker limit counts before it is verified)"))
_NO_UNIT = define("check.no_unit", N_("no unit"))
_NO_UNIT_PRACTICE = define("check.no_unit.practice", N_("(none: a yes/no practice)"))

_MISSING_BOTH = define("check.missing.both", N_("No binding limit and no measurement are on record."))
_MISSING_LIMIT = define("check.missing.limit", N_("No binding limit is on record."))
_MISSING_MEASUREMENT = define("check.missing.measurement", N_("No measurement is on record."))
_OTHER_BASIS = {
    "limit": define("check.other_basis.limit", N_(
        "The binding limit is on a %(basis)s basis and the U.S. limit on a %(us_basis)s basis; "
        "converting between them would be a guess, not a comparison.")),
    "measurement": define("check.other_basis.measurement", N_(
        "The measurement is on a %(basis)s basis and the U.S. limit on a %(us_basis)s basis; "
        "converting between them would be a guess, not a comparison.")),
}
_NO_CONDITIONS = {
    "limit": define("check.no_reference_conditions.limit", N_(
        "The binding limit is in %(unit)s without the reference conditions (temperature, pressure, "
        "moisture) that convert it to %(us_unit)s, the U.S. basis of dry gas at 20 °C and 1 atm; "
        "it cannot be compared.")),
    "measurement": define("check.no_reference_conditions.measurement", N_(
        "The measurement is in %(unit)s without the reference conditions (temperature, pressure, "
        "moisture) that convert it to %(us_unit)s, the U.S. basis of dry gas at 20 °C and 1 atm; "
        "it cannot be compared.")),
}
_OTHER_UNIT = {
    "limit": define("check.other_unit.limit", N_(
        "The binding limit is in %(unit)s, not converted to the U.S. unit %(us_unit)s; "
        "it cannot be compared.")),
    "measurement": define("check.other_unit.measurement", N_(
        "The measurement is in %(unit)s, not converted to the U.S. unit %(us_unit)s; "
        "it cannot be compared.")),
}
_UNVERIFIED_BOTH = define("check.unverified.both", N_(
    "The binding limit and the measurement are self-reported and no inspector has verified them."))
_UNVERIFIED = {
    "limit": define("check.unverified.limit", N_(
        "The binding limit is self-reported and no inspector has verified it.")),
    "measurement": define("check.unverified.measurement", N_(
        "The measurement is self-reported and no inspector has verified it.")),
}
_PRACTICE_NOT_REQUIRED = define("check.practice.not_required", N_(
    "The facility's binding rules do not require this practice; the U.S. requires it."))
_PERMITS_VALUE = {
    "max": define("check.limit_permits_value.max", N_(
        "The binding limit %(limit)s (%(basis)s) permits %(value)s itself, which the U.S. rule "
        "forbids: only below %(us_value)s meets%(claimed)s.")),
    "min": define("check.limit_permits_value.min", N_(
        "The binding limit %(limit)s (%(basis)s) permits %(value)s itself, which the U.S. rule "
        "forbids: only above %(us_value)s meets%(claimed)s.")),
}
_LIMIT_WORSE = define("check.limit_worse", N_(
    "The binding limit of %(value)s (%(basis)s) %(comparison)s%(claimed)s."))
_STALE = define("check.stale", N_(
    "The newest measurement (%(observed_on)s) is older than the %(months)s-month freshness window, "
    "which starts on %(cutoff)s."))
_PRACTICE_NOT_IN_PLACE = define("check.practice.not_in_place", N_(
    "The practice was found not in place on %(observed_on)s; the U.S. requires it."))
_MEASURED_WORSE = define("check.measured_worse", N_("Measured %(measured)s %(comparison)s%(window)s."))
_PRACTICE_IN_PLACE = define("check.practice.in_place", N_(
    "The facility's binding rules require the practice and it was found in place on %(observed_on)s."))
_MEETS = define("check.meets", N_(
    "Binding limit %(limit)s and measured %(measured)s %(comparison)s%(window)s."))


def _basis(basis: str | None) -> Message | str:
    if basis in _BASIS:
        return Message(_BASIS[basis])
    return basis or Message(_NO_BASIS)


def _number(value) -> str:
    return format(value, ".6g") if isinstance(value, float) else str(value)


def _value(value):
    """A number as a message parameter whose English is exactly `_number(value)` (six significant
    digits for a float, every digit of an int) and that a reader's locale can still format."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return float(value) if abs(value) < 100_000 else str(value)
    return value


def _amount(value, unit: str | None) -> Message:
    if unit is None:
        return Message(_NUMBER, {"value": _value(value)})
    if unit == "%":
        return Message(_PERCENT, {"value": _value(value)})
    return Message(_AMOUNT, {"value": _value(value), "unit": unit})


def _us_limit(standard, reading: Reading | None = None) -> Message:
    applied = us_value_for(standard, reading)
    if applied != standard.value:
        return Message(_US_LIMIT_SHIFT, {"amount": _amount(applied, standard.unit),
                                         "hours": _value(reading.shift_hours),
                                         "full": _value(standard.value * 8)})
    return Message(_US_LIMIT, {"amount": _amount(applied, standard.unit)})


def _key_of(standard) -> tuple[str, bool]:
    return standard.direction, bool(getattr(standard, "exclusive", False))


def _phrased(limit: Reading, standard) -> Message:
    sign = COMPARATOR_SIGNS.get(limit.comparator or COMPARATORS[standard.direction][1])
    return Message(_PHRASED, {"sign": sign, "amount": _amount(limit.value, standard.unit)})


def _described(reading: Reading, standard) -> Message:
    """'72 µg/100 g (per test, 2026-04-10, self-reported)' - a measurement with what it was."""
    basis = _basis(standard.basis)
    if reading.shift_hours:
        basis = Message(_OVER_SHIFT, {"basis": basis, "hours": _value(reading.shift_hours)})
    details = [basis, Message(_OBSERVED, {"observed_on": reading.observed_on.isoformat()})]
    if reading.evidence_id is not None:
        details.append(Message(_ENTRY, {"evidence_id": reading.evidence_id}))
    if not reading.verified:
        details.append(Message(_SELF_REPORTED))
    return Message(_DESCRIBED, {"amount": _amount(reading.value, standard.unit), "details": details})


def _window(standard, on, counted) -> Message | str:
    if counted <= 1:
        return ""
    cutoff = freshness_cutoff(on, standard.freshness_months)
    return Message(_WINDOW, {"count": _value(counted), "cutoff": cutoff.isoformat()})


def _reason_missing(standard, limit, measured, on, counted) -> Message:
    if limit is None and measured is None:
        return Message(_MISSING_BOTH)
    if limit is None:
        return Message(_MISSING_LIMIT)
    return Message(_MISSING_MEASUREMENT)


def _reason_basis(standard, limit, measured, on, counted) -> Message:
    reading, name = (limit, "limit") if limit.basis != standard.basis else (measured, "measurement")
    return Message(_OTHER_BASIS[name], {"basis": _basis(reading.basis), "us_basis": _basis(standard.basis)})


def _reason_unit(standard, limit, measured, on, counted) -> Message:
    reading, name = (limit, "limit") if limit.unit != standard.unit else (measured, "measurement")
    unit = reading.unit or Message(_NO_UNIT)
    if standard.unit in ("mg/dscm", "gr/dscf"):
        return Message(_NO_CONDITIONS[name], {"unit": unit, "us_unit": standard.unit})
    return Message(_OTHER_UNIT[name], {"unit": unit,
                                       "us_unit": standard.unit or Message(_NO_UNIT_PRACTICE)})


def _reason_unverified(standard, limit, measured, on, counted) -> Message:
    if not limit.verified and not measured.verified:
        return Message(_UNVERIFIED_BOTH)
    return Message(_UNVERIFIED["limit" if not limit.verified else "measurement"])


def _reason_limit_worse(standard, limit, measured, on, counted) -> Message:
    if standard.direction == "required":
        return Message(_PRACTICE_NOT_REQUIRED)
    claimed = "" if limit.verified else Message(_CLAIMED)
    if limit.value == standard.value:
        return Message(_PERMITS_VALUE[standard.direction], {
            "limit": _phrased(limit, standard), "basis": _basis(standard.basis),
            "value": _amount(limit.value, standard.unit),
            "us_value": _amount(standard.value, standard.unit), "claimed": claimed})
    return Message(_LIMIT_WORSE, {
        "value": _amount(limit.value, standard.unit), "basis": _basis(standard.basis),
        "comparison": Message(_IS[_key_of(standard)], {"us_limit": _us_limit(standard)}),
        "claimed": claimed})


def _reason_stale(standard, limit, measured, on, counted) -> Message:
    cutoff = freshness_cutoff(on, standard.freshness_months)
    return Message(_STALE, {"observed_on": measured.observed_on.isoformat(),
                            "months": standard.freshness_months, "cutoff": cutoff.isoformat()})


def _reason_measured_worse(standard, limit, measured, on, counted) -> Message:
    observed = measured.observed_on.isoformat()
    if standard.direction == "required":
        return Message(_PRACTICE_NOT_IN_PLACE, {"observed_on": observed})
    return Message(_MEASURED_WORSE, {
        "measured": _described(measured, standard),
        "comparison": Message(_IS[_key_of(standard)], {"us_limit": _us_limit(standard, measured)}),
        "window": _window(standard, on, counted)})


def _reason_meets(standard, limit, measured, on, counted) -> Message:
    observed = measured.observed_on.isoformat()
    if standard.direction == "required":
        return Message(_PRACTICE_IN_PLACE, {"observed_on": observed})
    limit_text = (_phrased(limit, standard) if limit.comparator
                  else _amount(limit.value, standard.unit))
    return Message(_MEETS, {
        "limit": limit_text, "measured": _described(measured, standard),
        "comparison": Message(_ARE[_key_of(standard)], {"us_limit": _us_limit(standard, measured)}),
        "window": _window(standard, on, counted)})


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
