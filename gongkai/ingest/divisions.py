"""Region, division code and level of an agency from its name, by the national division list (pure; no I/O
but reading the packaged list once).

The list is gongkai/form/data/divisions.csv (provinces, prefecture-level cities, county-level divisions with
their six-digit codes; its header says where it comes from). `derive(name)` reads the place names at the
front of an agency name, each inside the one before it, and returns the deepest division they name:

    江苏省淮安市洪泽区人民政府 / 淮安市洪泽区人民政府 / 洪泽区人民政府
        → 320813 江苏省/淮安市/洪泽区 (county), organ 人民政府, agency_id "320813:人民政府"
    北京市朝阳区人民政府 → 110105;   朝阳区人民政府 → ambiguous (110105 北京市朝阳区, 220104 吉林省长春市朝阳区)
    沭阳县发展和改革局 → 321322 江苏省/宿迁市/沭阳县 (county), organ 发展和改革局
    洪泽区高良涧街道办事处 → 320813 (the county: townships are not in the list), level township

Full names match anywhere in the chain; the short forms of provinces and prefecture-level cities (江苏 for
江苏省, 淮安 for 淮安市, 内蒙古 for 内蒙古自治区) only when another place follows them ("江苏淮安市…"), so that
中山大学 is not read as 中山市. Of several divisions that fit one name, the place before it picks one (北京市朝阳区);
the region the manifest gives may too; otherwise the name is *ambiguous* and nothing is guessed: no code.
A name whose places contradict each other (南京市洪泽区) is *conflicting*, also without a code. Townships
(…镇, …乡, …街道, …苏木 before 人民政府 / 办事处 / 党委 or at the end) are recognised after a county (or a
city without counties, 东莞市虎门镇): the level is township, the code and region stay the county's or city's (the
list has no township codes), and the organ keeps the township's name. A township named like a district
elsewhere (沭阳县城区街道办事处; 城区 is a district of 阳泉, 晋城, 汕尾) ends the chain instead of conflicting.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from gongkai.ingest.names import norm_name

LEVELS = ("province", "city", "county", "township")


@dataclass(frozen=True)
class Division:
    code: str      # six digits
    name: str      # full name as published
    type: str      # 省, 地级市, 市辖区, 县, …
    level: str     # province, city or county
    parent: str    # code of the division above ("" for a province)


@dataclass(frozen=True)
class Derivation:
    """What an agency name says of its place. status: resolved | ambiguous | conflicting | none (no place)."""

    status: str
    division: Division | None = None   # the deepest division named (resolved only)
    region: str | None = None          # "江苏省/淮安市/洪泽区"
    level: str | None = None           # province, city, county, township
    organ: str | None = None           # the name without its place prefix (normalised): 人民政府
    candidates: tuple[Division, ...] = ()  # ambiguous: the divisions the name fits; conflicting: the chain read

    @property
    def code(self) -> str | None:
        return self.division.code if self.division is not None else None

    @property
    def agency_id(self) -> str | None:
        """division code + normalised organ name ("320813:人民政府"); None unless resolved."""
        if self.division is None or self.organ is None:
            return None
        return f"{self.division.code}:{self.organ}" if self.organ else self.division.code

    def note(self, name: str | None) -> str | None:
        """The line for reports.notes when a place was seen but not resolved (None otherwise)."""
        if self.status == "ambiguous":
            fits = ", ".join(f"{d.code} {path(d)}" for d in self.candidates)
            return f"agency {name!r} names a place that fits several divisions ({fits}): no division code, not guessed"
        if self.status == "conflicting":
            read = " › ".join(f"{d.code} {d.name}" for d in self.candidates)
            return f"agency {name!r} names places that do not nest ({read}): no division code"
        return None


_TOWNSHIP = re.compile(r"^([\u4e00-\u9fff]{1,8}?(?:街道|镇|乡|苏木))(?=人民政府|政府|办事处|办|党委|党工委|人大|$)")
_PROVINCE_SUFFIX = re.compile(r"(?:维吾尔|壮族|回族)?(?:自治区|特别行政区|省|市)$")
_CITY_SUFFIX = re.compile(r"(?:市|地区|盟)$")


class Divisions:
    """The division list, indexed by code and by full and short name."""

    def __init__(self, divisions: list[Division]) -> None:
        self.by_code: dict[str, Division] = {d.code: d for d in divisions}
        self.full: dict[str, list[Division]] = {}
        self.short: dict[str, list[Division]] = {}
        for d in divisions:
            self.full.setdefault(d.name, []).append(d)
            short = self._short(d)
            if short:
                self.short.setdefault(short, []).append(d)
        self.lengths = sorted({len(n) for n in (*self.full, *self.short)}, reverse=True)

    @staticmethod
    def _short(d: Division) -> str | None:
        pattern = _PROVINCE_SUFFIX if d.level == "province" else _CITY_SUFFIX if d.level == "city" else None
        if pattern is None:
            return None
        short = pattern.sub("", d.name)
        return short if len(short) >= 2 and short != d.name else None

    def chain(self, d: Division) -> list[Division]:
        """The division and those above it, from the province down."""
        out = [d]
        while out[0].parent:
            out.insert(0, self.by_code[out[0].parent])
        return out

    def within(self, d: Division, outer: Division) -> bool:
        return any(x.code == outer.code for x in self.chain(d))

    def _at(self, text: str, pos: int) -> list[tuple[int, bool, list[Division]]]:
        """The place names starting at text[pos]: (length, is_short, divisions), longest first."""
        found = []
        for n in self.lengths:
            word = text[pos:pos + n]
            if len(word) < n:
                continue
            if word in self.full:
                found.append((n, False, self.full[word]))
            if word in self.short:
                found.append((n, True, self.short[word]))
        return found

    def read(self, text: str) -> tuple[list[list[Division]], int, bool]:
        """The chain of place names at the front of `text`: per name the divisions it may be (each inside
        one of the name before), where the organ starts, and whether the names nest (False: the last step
        is a place name that is inside none of the name before)."""
        steps: list[list[Division]] = []
        pos = 0
        while pos < len(text):
            usable = [(n, divs) for n, is_short, divs in self._at(text, pos)
                      if not is_short or self._at(text, pos + n)]  # a short form only before another place
            if not usable:
                break
            chosen = None
            for n, divs in usable:  # longest first
                fits = [d for d in divs if not steps or any(self.within(d, o) for o in steps[-1])]
                if fits:
                    chosen = n, fits
                    break
            if chosen is None:
                if _TOWNSHIP.match(text[pos:]):  # 沭阳县城区街道办事处: a township named like a district elsewhere
                    break
                return [*steps, usable[0][1]], pos, False
            steps.append(chosen[1])
            pos += chosen[0]
        return steps, pos, True


@cache
def divisions() -> Divisions:
    """The packaged division list (read once per process)."""
    text = resources.files("gongkai.form").joinpath("data", "divisions.csv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return Divisions([Division(r["code"], r["name"], r["type"], r["level"], r["parent"])
                      for r in csv.DictReader(lines)])


def path(d: Division) -> str:
    """江苏省/淮安市/洪泽区"""
    return "/".join(x.name for x in divisions().chain(d))


def _region_divisions(region: str | None) -> list[Division]:
    """The divisions a region string names ("江苏省/淮安市", "沭阳县"), deepest first; [] if none is sure."""
    text = norm_name((region or "").replace("/", ""))
    if not text:
        return []
    steps, pos, nests = divisions().read(text)
    if not steps or not nests or pos != len(text) or len(steps[-1]) != 1:
        return []
    return steps[-1]


def of_region(region: str | None) -> Division | None:
    """The one division a region string names ("江苏省/淮安市/洪泽区", "沭阳县"); None if none or several."""
    found = _region_divisions(region)
    return found[0] if len(found) == 1 else None


def derive(name: str | None, region: str | None = None) -> Derivation:
    """Region, division code, level and organ from an agency name (see the module's docstring). `region`
    (e.g. the manifest's) can pick one of several divisions that fit a bare name; it never overrides a
    place the name itself prints."""
    text = norm_name(name)
    lst = divisions()
    steps, pos, nests = lst.read(text)
    if not steps:
        return Derivation("none")
    if not nests:
        return Derivation("conflicting", candidates=tuple(s[0] for s in steps))
    last = steps[-1]
    if len(last) > 1:
        outer = _region_divisions(region)
        local = [d for d in last if any(lst.within(d, o) for o in outer)]
        if len(local) != 1:
            return Derivation("ambiguous", candidates=tuple(sorted(last, key=lambda d: d.code)))
        last = local
    (d,) = last
    organ = text[pos:]
    level = d.level
    if d.level in ("city", "county") and _TOWNSHIP.match(organ):
        level = "township"
    return Derivation("resolved", d, path(d), level, organ)
