"""Agency identity: a stable agency_id for every report, from the manifest or the agency registry.

The registry has one row per agency. It is found, in this order: the file given explicitly (`gongkai audit
--registry`), `$GONGKAI_AGENCIES`, else `agencies.csv` beside the warehouse (the default warehouse
`data/warehouse.duckdb` finds the bundled `data/agencies.csv`) — never relative to the current directory,
so the same harvest gets the same agency_ids wherever the audit is started. The parser workers receive
the path explicitly (find_registry is called once, in the process that starts the run):

    agency_id, name, aliases ("|"-separated), region ("江苏省/淮安市/洪泽区"), level, parent

A report's agency name (from its title or the manifest) resolves when, after normalisation (NFKC,
no whitespace, no quotes), it equals a registered name or alias — also after dropping leading region
names that the registry knows ("淮安市洪泽区人民政府" → "洪泽区人民政府"), or after prefixing the
report's region ("发展和改革局" in region 沭阳县), or when both name the same place and organ by the national
division list (gongkai.ingest.divisions: "江苏淮安洪泽区人民政府" and a registered "洪泽区人民政府" are both
320813:人民政府). Several candidates left after the region filter make the
name *ambiguous*; none make it *unresolved*. Neither is guessed: the report then keeps the
normalised name as its agency_id, and `gongkai agencies` lists it so an operator can add an alias.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from gongkai.errors import GongkaiError
from gongkai.ingest.divisions import derive
from gongkai.ingest.names import norm_name

REGISTRY_NAME = "agencies.csv"  # the registry's file name beside the warehouse
ENV = "GONGKAI_AGENCIES"


@dataclass(frozen=True)
class Agency:
    agency_id: str
    name: str
    region: str
    level: str
    parent: str


@dataclass(frozen=True)
class Resolution:
    agency_id: str | None
    status: str  # registry | ambiguous | unresolved
    candidates: tuple[str, ...] = ()
    agency: Agency | None = None


@dataclass
class Registry:
    agencies: dict[str, Agency] = field(default_factory=dict)
    by_name: dict[str, set[str]] = field(default_factory=dict)
    by_place: dict[str, set[str]] = field(default_factory=dict)  # derived "code:organ" of names and aliases
    regions: tuple[str, ...] = ()  # region names, longest first

    @classmethod
    def load(cls, path: Path) -> Registry:
        reg = cls()
        regions: set[str] = set()
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for no, row in enumerate(csv.DictReader(fh), 2):
                aid = (row.get("agency_id") or "").strip()
                name = (row.get("name") or "").strip()
                if not aid or not name:
                    raise ValueError(f"{path} line {no}: agency_id and name are required")
                ag = Agency(aid, name, (row.get("region") or "").strip(), (row.get("level") or "").strip(),
                            (row.get("parent") or "").strip())
                reg.agencies[aid] = ag
                for alias in [name, *(row.get("aliases") or "").split("|")]:
                    if alias.strip():
                        reg.by_name.setdefault(norm_name(alias), set()).add(aid)
                        place = derive(alias, ag.region).agency_id
                        if place is not None:
                            reg.by_place.setdefault(place, set()).add(aid)
                regions.update(norm_name(part) for part in ag.region.split("/") if part.strip())
        reg.regions = tuple(sorted(regions, key=len, reverse=True))
        return reg

    def _candidates(self, name: str) -> set[str]:
        found = set(self.by_name.get(name, ()))
        rest = name
        while not found:  # drop known region names from the front, one at a time
            prefix = next((r for r in self.regions if rest.startswith(r) and len(rest) > len(r) + 1), None)
            if prefix is None:
                break
            rest = rest[len(prefix):]
            found = set(self.by_name.get(rest, ()))
        return found

    def resolve(self, name: str | None, region: str | None = None) -> Resolution:
        n = norm_name(name)
        if not n:
            return Resolution(None, "unresolved")
        cands = self._candidates(n)
        r = norm_name(region)
        if not cands and r and not n.startswith(r):
            cands = self._candidates(r + n)
        if not cands:  # another spelling of a registered name's place (江苏淮安洪泽区… for 洪泽区人民政府)
            place = derive(n, region).agency_id
            cands = set(self.by_place.get(place, ())) if place is not None else set()
        if len(cands) > 1 and r:
            local = {a for a in cands if r in norm_name(self.agencies[a].region).replace("/", "") or
                     norm_name(self.agencies[a].name).startswith(r)}
            cands = local or cands
        if len(cands) == 1:
            (aid,) = cands
            return Resolution(aid, "registry", (aid,), self.agencies[aid])
        if cands:
            return Resolution(None, "ambiguous", tuple(sorted(cands)))
        return Resolution(None, "unresolved")


class RegistryNotFound(GongkaiError, FileNotFoundError):
    """A registry named explicitly (--registry or $GONGKAI_AGENCIES) does not exist."""


def find_registry(db: Path | str | None, explicit: Path | str | None = None) -> Path | None:
    """The agency registry for a run on warehouse `db`, as an absolute path: `explicit` if given, else
    $GONGKAI_AGENCIES if set, else `agencies.csv` in the warehouse's folder if it exists; None when there
    is none. Never looked up in the current directory (a relative `explicit` or $GONGKAI_AGENCIES is the
    caller's own path, made absolute here). Raises RegistryNotFound when an explicit file is missing."""
    for given, source in ((explicit, "--registry"), (os.environ.get(ENV) or None, f"${ENV}")):
        if given is not None:
            path = Path(given).expanduser().resolve()
            if not path.is_file():
                raise RegistryNotFound(f"agency registry {given} ({source}) does not exist")
            return path
    if db is None:
        return None
    beside = Path(db).expanduser().resolve().parent / REGISTRY_NAME
    return beside if beside.is_file() else None


@lru_cache(maxsize=4)
def _load_cached(path: str, mtime: float) -> Registry:
    return Registry.load(Path(path))


def registry(path: Path | str | None) -> Registry | None:
    """The registry at `path` (see find_registry); None if `path` is None or there is no file there."""
    if path is None:
        return None
    p = Path(path)
    try:
        mtime = p.stat().st_mtime
    except OSError:
        return None
    return _load_cached(str(p.resolve()), mtime)
