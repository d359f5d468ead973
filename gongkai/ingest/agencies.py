"""Agency identity: a stable agency_id for every report, from the manifest or the agency registry.

The registry (`data/agencies.csv`, or $GONGKAI_AGENCIES) has one row per agency:

    agency_id, name, aliases ("|"-separated), region ("江苏省/淮安市/洪泽区"), level, parent

A report's agency name (from its title or the manifest) resolves when, after normalisation (NFKC,
no whitespace, no quotes), it equals a registered name or alias — also after dropping leading region
names that the registry knows ("淮安市洪泽区人民政府" → "洪泽区人民政府"), or after prefixing the
report's region ("发展和改革局" in region 沭阳县). Several candidates left after the region filter make the
name *ambiguous*; none make it *unresolved*. Neither is guessed: the report then keeps the
normalised name as its agency_id, and `gongkai agencies` lists it so an operator can add an alias.
"""

from __future__ import annotations

import csv
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DEFAULT_REGISTRY = Path("data/agencies.csv")
_DROP = re.compile(r"[\s\u3000\u00a0\"'“”‘’《》]+")


def norm_name(name: str | None) -> str:
    return _DROP.sub("", unicodedata.normalize("NFKC", name or ""))


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


def registry_path() -> Path:
    return Path(os.environ.get("GONGKAI_AGENCIES") or DEFAULT_REGISTRY)


@lru_cache(maxsize=4)
def _load_cached(path: str, mtime: float) -> Registry:
    return Registry.load(Path(path))


def registry(path: Path | None = None) -> Registry | None:
    """The registry at `path` (default $GONGKAI_AGENCIES or data/agencies.csv); None if there is none."""
    p = path or registry_path()
    try:
        mtime = p.stat().st_mtime
    except OSError:
        return None
    return _load_cached(str(p.resolve()), mtime)
