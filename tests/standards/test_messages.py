"""Messages as a code and parameters: the canonical English, the stored form, and the same
message read back in Spanish and French from the catalogues."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from permits.permitting import decisions
from permits.web.messages import say
from standards.messages import TEMPLATES, Message, define


def test_a_message_renders_its_english_and_survives_storage():
    code = define("test.greeting", "%(who)s has %(count)s t of %(byproduct)s")
    message = Message(code, {"who": Message(decisions.FACILITY[""], {"name": "Norte", "id": 3}),
                             "count": 12.5, "byproduct": "eaf_dust"})
    assert str(message) == "the receiving facility Norte (id 3) has 12.5 t of eaf_dust"
    assert Message.from_dict(message.to_dict()) == message
    assert message.to_dict()["params"]["who"] == {"code": "rule.receiving_facility",
                                                  "params": {"name": "Norte", "id": 3}}


def test_a_code_is_defined_once_and_an_unknown_code_is_refused():
    define("test.once", "one")
    with pytest.raises(ValueError):
        define("test.once", "another")
    with pytest.raises(KeyError):
        Message("test.never_defined")
    assert "rule.period_within" in TEMPLATES


def test_plural_templates_follow_the_count():
    code = define("test.entries", "%(num)s entry", "%(num)s entries")
    assert str(Message(code, {"num": 1})) == "1 entry"
    assert str(Message(code, {"num": 4})) == "4 entries"


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "the validity period Jan 1, 2027 to Dec 31, 2027 (365 days) is within the 12-month limit"),
    ("es", "el periodo de vigencia del 1 ene 2027 al 31 dic 2027 (365 días) está dentro del límite de 12 meses"),
    ("fr", "la période de validité du 1 janv. 2027 au 31 déc. 2027 (365 jours) respecte la limite de 12 mois"),
])
def test_a_stored_rule_is_read_in_each_language_while_its_english_stays(app, language, expected):
    from datetime import date

    rule = decisions.period_rule(date(2027, 1, 1), date(2027, 12, 31)).to_dict()
    assert rule["detail"] == "the validity period 2027-01-01 to 2027-12-31 (365 days) is within the 12-month limit"
    with app.test_request_context(), force_locale(language):
        assert say(rule["message"], rule["detail"]) == expected


def test_a_status_and_a_byproduct_are_read_in_the_readers_words(app):
    from types import SimpleNamespace

    facility = SimpleNamespace(id=7, name="Norte", status="suspended", accepts=["slag"], operations=["R4"])
    status, accepts, _ = [r.to_dict() for r in decisions.facility_rules(facility, "slag", "R4")]
    assert status["detail"] == "the receiving facility Norte (id 7) is suspended"
    with app.test_request_context(), force_locale("es"):
        assert say(status["message"]) == "la instalación receptora Norte (id 7) está suspendida"
        assert say(accepts["message"]) == "la instalación receptora Norte (id 7) acepta escoria"


def test_a_record_without_a_message_or_with_an_unknown_code_shows_its_stored_english(app):
    with app.test_request_context(), force_locale("fr"):
        assert say(None, "the stored words") == "the stored words"
        assert say({"code": "gone.away", "params": {}}, "the stored words") == "the stored words"
