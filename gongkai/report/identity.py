"""Agency identity of a parsed report: the manifest's values over what the report says (a disagreement is
noted, never hidden), then the agency registry's (gongkai.ingest.agencies, passed in by the caller: the
parser workers get its path explicitly; see gongkai.app.pipeline), then what the agency name itself says of
its place by the national division list (gongkai.ingest.divisions). Pure: no I/O but the packaged list.

    agency_id      manifest > registry > division code + organ ("320813:人民政府") > the normalised name
    region, level  manifest > registry > derived from the name (江苏省/淮安市/洪泽区, county)
    division_code  the division the name names (in the region the manifest or registry gives, if any), else
                   the one division that region names; NULL when the place is unknown or ambiguous

A name that fits several divisions (朝阳区人民政府) or names places that do not nest (南京市洪泽区…) keeps the
normalised name as its agency_id and no code, with a note: never guessed.
"""

from __future__ import annotations

import unicodedata

from gongkai.ingest.agencies import Registry
from gongkai.ingest.discover import ManifestEntry
from gongkai.ingest.divisions import Derivation, derive, divisions, of_region
from gongkai.ingest.names import norm_name
from gongkai.report.model import ParsedReport


def apply_manifest(report: ParsedReport, entry: ManifestEntry, reg: Registry | None = None) -> None:
    """Manifest values override what the parser read; a disagreement is noted, never hidden. Then the
    agency is resolved (or described) by the registry `reg`, if any, and by the division list."""
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
    """Region, level and division code of a manifest-given agency_id: the registry's where the manifest left
    them out, then what the name says."""
    aid = report.agency_id
    ag = reg.agencies.get(aid) if reg is not None and aid is not None else None
    if ag is not None:
        report.region = report.region or ag.region or None
        report.level = report.level or ag.level or None
    _place(report, derive(report.agency, report.region))


def resolve_agency(report: ParsedReport, reg: Registry | None) -> None:
    """agency_id from the registry, else from the division code and organ the name carries, else the
    normalised name, with a note saying why (never a guess)."""
    place = derive(report.agency, report.region)
    res = reg.resolve(report.agency, report.region) if reg is not None and report.agency else None
    if res is not None and res.agency_id and res.agency is not None:  # (a registry match carries both)
        report.agency_id = res.agency_id
        report.region = report.region or res.agency.region or None
        report.level = report.level or res.agency.level or None
        _place(report, place)
        return
    if place.agency_id is not None:
        report.agency_id = place.agency_id
        _place(report, place)
        return
    report.agency_id = norm_name(report.agency) or None
    if res is not None and res.status == "ambiguous":
        report.notes.append(f"agency {report.agency!r} is ambiguous in the registry: {', '.join(res.candidates)}")
    note = place.note(report.agency)
    if note:
        report.notes.append(note)
    _place(report, place)


def _place(report: ParsedReport, place: Derivation) -> None:
    """Division code, and region and level where still unknown, from the name's place — unless the region
    the manifest or registry gave names a division that does not contain it: that one's code then."""
    given = of_region(report.region) if report.region else None
    d = place.division
    if d is not None and (given is None or divisions().within(d, given)):
        report.region = report.region or place.region
        report.level = report.level or place.level
        report.division_code = d.code
    elif given is not None:
        report.division_code = given.code


def _name_fallbacks(agency: str) -> set[str]:
    """The agency_ids a report gets when nothing resolved its name (identity.py's and the loader's)."""
    return {norm_name(agency), "".join(unicodedata.normalize("NFKC", agency).split())}


def rederive(agency: str, agency_id: str | None, region: str | None,
             level: str | None) -> tuple[str | None, str | None, str | None, str | None, list[str]]:
    """The identity a report already loaded gets now, without a registry (migration 0010): agency_id, region,
    level, division_code and the notes to add. An agency_id that is not the name fallback came from a
    manifest or registry and is kept; region and level are only filled where unknown."""
    r = ParsedReport("", "", "", agency=agency, region=region, level=level)
    if agency_id is None or agency_id in _name_fallbacks(agency):
        resolve_agency(r, None)
    else:
        r.agency_id = agency_id
        describe_agency(r, None)
    return r.agency_id, r.region, r.level, r.division_code, r.notes
