"""The consent forms: a country's decision (with the paper an inspector records it from) and
its revision. They carry what was typed; `permits.consents.services` validates it."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice

from facility_registry.inspections import Upload
from permits.permitting.forms import PlainSelect

_DATE = {"type": "date"}
DECISION_CHOICES = [SelectChoice("consent", _l("Consent")),
                    SelectChoice("objection", _l("Objection"))]


class ConsentForm(FlaskForm):
    country = PlainSelect(_l("Country"), choices=[])
    decision = PlainSelect(_l("Decision"), choices=DECISION_CHOICES)
    reference = StringField(_l("Reference number"),
                            description=_l("As printed on the acknowledgment of consent or the objection."))
    decided_on = StringField(_l("Decided on"), render_kw=_DATE)
    valid_to = StringField(_l("Consent valid until (optional)"), render_kw=_DATE,
                           description=_l("Within the permit's validity and at most 12 months."))
    conditions = TextAreaField(_l("Conditions (optional)"), render_kw={"rows": 3})
    reason = TextAreaField(_l("Reason for the objection"), render_kw={"rows": 3},
                           description=_l("Required for an objection."))
    document = FileField(_l("The paper decision (PDF, PNG or JPEG)"),
                         description=_l("Required when an inspector records a decision received on paper."))
    submit = SubmitField(_l("Record the decision"))

    def values(self) -> dict[str, Any]:
        return {name: (getattr(self, name).data or "").strip() or None
                for name in ("country", "decision", "reference", "decided_on", "valid_to",
                             "conditions", "reason")}

    def upload(self) -> Upload | None:
        stored = self.document.data
        if not stored or not getattr(stored, "filename", ""):
            return None
        return Upload(stored.filename, stored.mimetype or "", stored.read())


class RevisionForm(ConsentForm):
    revision_reason = TextAreaField(_l("Why the decision is revised"), render_kw={"rows": 3})
    submit = SubmitField(_l("Record the revision"))

    def values(self) -> dict[str, Any]:
        return {**super().values(),
                "revision_reason": (self.revision_reason.data or "").strip() or None}
