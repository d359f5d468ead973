"""Agency identity of a parsed report: the manifest's values over what the report says (a disagreement is
noted, never hidden), then agency_id, region and level from the agency registry (gongkai.ingest.agencies),
passed in by the caller (the parser workers get its path explicitly; see gongkai.app.pipeline)."""

from __future__ import annotations

from gongkai.ingest.agencies import Registry, norm_name
from gongkai.ingest.discover import ManifestEntry
from gongkai.report.model import ParsedReport


def apply_manifest(report: ParsedReport, entry: ManifestEntry, reg: Registry | None = None) -> None:
    """Manifest values override what the parser read; a disagreement is noted, never hidden. Then the
    agency is resolved (or described) by the registry `reg`, if any."""
    for key, attr in (("agency", "agency"), ("year", "year"), ("region", "region"), ("level", "level"),
                      ("url", "source_url"), ("agency_id", "agency_id")):
        if key not in entry:
            continue
        parsed = getattr(report, attr)
        if parsed not in (None, entry[key]) and attr in ("agency", "year"):
            report.notes.append(f"manifest {key} {entry[key]!r} overrides {parsed!r} read from the report")
        setattr(report, attr, entry[key])
    if report.agency_id is None:
        resolve_agency(report, reg)
    else:
        describe_agency(report, reg)


def describe_agency(report: ParsedReport, reg: Registry | None) -> None:
    """Region and level of a manifest-given agency_id from the registry, where the manifest left them out."""
    aid = report.agency_id
    ag = reg.agencies.get(aid) if reg is not None and aid is not None else None
    if ag is not None:
        report.region = report.region or ag.region or None
        report.level = report.level or ag.level or None


def resolve_agency(report: ParsedReport, reg: Registry | None) -> None:
    """agency_id from the registry; else the normalised name, with a note saying why (never a guess)."""
    res = reg.resolve(report.agency, report.region) if reg is not None and report.agency else None
    if res is not None and res.agency_id and res.agency is not None:  # (a registry match carries both)
        report.agency_id = res.agency_id
        report.region = report.region or res.agency.region or None
        report.level = report.level or res.agency.level or None
        return
    report.agency_id = norm_name(report.agency) or None
    if res is not None and res.status == "ambiguous":
        report.notes.append(f"agency {report.agency!r} is ambiguous in the registry: {', '.join(res.candidates)}")
