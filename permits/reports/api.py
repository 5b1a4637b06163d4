"""Stored compliance reports over the API: the list and each report's latest (or a given)
version for inspectors and admins; the enforcement report also public, without a token."""
from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field
from sqlmodel import select

from permits.api.blueprint import api
from permits.api.common import paginate
from permits.api.endpoint import endpoint
from permits.api.shapes import Number, Page, Public, Query, Sparse, Timestamp, whole_number
from permits.core import db
from permits.core.ids import MAX_ID
from permits.reports import KINDS
from permits.reports.models import ComplianceReport
from permits.reports.store import SUMMARY_COLUMNS, StoredVersion, find_report, intact
from standards.errors import NotFound
from standards.messages import N_, Message
from standards.vocabulary import OVERSEERS

PUBLIC_KIND = "enforcement_public"
_HASH = {"pattern": "^[0-9a-f]{64}$"}


# ---- shapes: a stored report comes back exactly as stored (it is hashed) ---------------------

class _Stored(Sparse):
    model_config = ConfigDict(extra="allow")  # a key the shapes do not name is kept, not dropped


class Total(_Stored):
    key: str
    label: str
    value: Number | None
    format: str | None = None


class Column(_Stored):
    key: str
    label: str
    format: str


class Table(_Stored):
    key: str
    title: str
    note: str | None = None
    columns: list[Column]
    rows: list[list[str | Number | bool | None]]


class Series(_Stored):
    name: str
    values: list[Number | None]


class Chart(_Stored):
    key: str
    title: str
    kind: str
    unit: str | None = None
    note: str | None = None
    labels: list[str]
    series: list[Series]


class Section(_Stored):
    key: str
    title: str
    note: str | None = None
    tables: list[Table]
    charts: list[Chart]


class ReportContent(_Stored):
    kind: Literal[tuple(KINDS)]
    period: str
    generated_at: str = Field(json_schema_extra={"format": "date-time"})
    title: str
    period_start: str = Field(json_schema_extra={"format": "date"})
    period_end: str = Field(json_schema_extra={"format": "date"})
    public: bool | None = None
    totals: list[Total]
    sections: list[Section]


class StoredReport(_Stored):
    kind: str
    period: str
    version: int = Field(ge=1)
    generated_at: Timestamp
    content_hash: str = Field(json_schema_extra=_HASH)
    intact: bool = Field(description="the content still hashes to content_hash")
    chain_seq: int | None = Field(None, description="the audit chain's length when it was built")
    chain_head: str | None = Field(None, description="the audit chain's head hash when it was built")
    content: ReportContent

    @classmethod
    def of(cls, row: ComplianceReport) -> StoredReport:
        return cls.model_validate({
            "kind": row.kind, "period": row.period, "version": row.version,
            "generated_at": row.generated_at, "content_hash": row.content_hash,
            "intact": intact(row), "chain_seq": row.chain_seq, "chain_head": row.chain_head,
            "content": row.content})


class ReportSummary(Public):
    id: int
    kind: str
    period: str
    version: int = Field(ge=1)
    generated_at: Timestamp
    trigger: Literal["scheduler", "cli", "web"]
    content_hash: str = Field(json_schema_extra=_HASH)


class ReportFilter(Query):
    kind: Literal[tuple(KINDS)] | None = None
    period: str | None = None


class WhichVersion(Query):
    version: whole_number(1, MAX_ID) | None = Field(
        None, description="a stored version (default: the newest)")


class ReportPath(Query):
    kind: Literal[tuple(KINDS)]
    period: str = Field(description="YYYY-MM for monthly_compliance, YYYY for the others")


class YearPath(Query):
    year: str = Field(json_schema_extra={"pattern": "^[0-9]{4}$"})


# ---- routes -----------------------------------------------------------------------------------

@api.get("/v1/reports")
@endpoint(*OVERSEERS, query=ReportFilter, returns=Page[ReportSummary], paged=True)
def list_reports(query: ReportFilter):
    """Every stored report version, newest first (inspector, admin)"""
    statement = select(*SUMMARY_COLUMNS)
    if query.kind:
        statement = statement.where(ComplianceReport.kind == query.kind)
    if query.period:
        statement = statement.where(ComplianceReport.period == query.period)
    return paginate(statement, ComplianceReport.id, lambda row: StoredVersion(*row))


@api.get("/v1/reports/<kind>/<period>")
@endpoint(*OVERSEERS, path=ReportPath, query=WhichVersion, returns=StoredReport, errors=(400,))
def get_report(kind: str, period: str, query: WhichVersion):
    """A stored report, its newest version unless ?version= says (inspector, admin)"""
    return StoredReport.of(_find(kind, period, query.version))


@api.get("/v1/public/reports/enforcement/<year>")
@endpoint(is_public=True, path=YearPath, query=WhichVersion, returns=StoredReport, errors=(400,))
def public_enforcement_report(year: str, query: WhichVersion):
    """The public enforcement report of a year (no token, no personal data)"""
    return StoredReport.of(_find(PUBLIC_KIND, year, query.version))


def _find(kind: str, period: str, version: int | None) -> ComplianceReport:
    if kind not in KINDS:
        raise NotFound(Message.of("report.no_kind", N_("There is no report kind %(report)s."), report=repr(kind)))
    row = find_report(db.session(), kind=kind, period=period, version=version)
    if row is None:
        if version:
            raise NotFound(Message.of("report.version_not_stored", N_(
                "Version %(version)s of the report “%(report)s” for %(period)s is not stored."),
                version=version, report=kind, period=period))
        raise NotFound(Message.of("report.not_stored", N_("The report “%(report)s” for %(period)s is not stored."),
                                  report=kind, period=period))
    return row
