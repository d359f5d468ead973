"""The declaration of the arithmetic identities (gongkai/checks/identities.toml) as typed, validated data.

    from gongkai.checks.identities import declared, load
    decl = declared()                      # the packaged declaration (cached)
    decl = load(path)                      # another declaration file (e.g. a test's, with one more identity)

An `Identity` is one GX rule: its catalogue entry, the suite (wide frame) it is validated on and its
`Instance`s — the expectations of one frame row (one for an identity over each row or column, one per
checked cell when over the single row of a table). Operand lists are kept per layout (gongkai.form.template
.LAYOUTS order), and every operand key is checked against the template, so a typo fails at load time.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from gongkai.checks.errors import ChecksError
from gongkai.checks.rule import Rule
from gongkai.form.template import LAYOUTS, MIXED, TABLES, VERSIONS, keys, layout_keys, mixed_rows

OVER = ("row", "column", "report")  # what one instance (frame row) of an identity runs over
INSTANCE_FIELDS = frozenset({"expected", "observed", "expected_as", "observed_as", "notes"})
IDENTITY_FIELDS = INSTANCE_FIELDS | {"rule_id", "family", "severity", "title_zh", "title_en", "description", "suite",
                                     "responsibility",
                                     "identity_zh", "subject", "fail", "not_assessable", "instance"}


@dataclass(frozen=True)
class Suite:
    """One GX suite and the wide frame it validates (one frame row per report × `over`)."""

    name: str
    table: str
    over: str
    notes: str


@dataclass(frozen=True)
class Instance:
    """One expectation: column_A (expected side) == column_B (observed side) on every frame row.
    `expected` / `observed`: per layout (LAYOUTS order), the operand keys each side adds up."""

    expected: tuple[tuple[str, ...], ...]
    observed: tuple[tuple[str, ...], ...]
    column_a: str
    column_b: str
    notes: str

    def operands(self, layout: int) -> tuple[str, ...]:
        """Both sides' operand keys in a layout, expected first (the order not-assessable messages name them)."""
        return self.expected[layout] + self.observed[layout]


@dataclass(frozen=True)
class Identity:
    rule: Rule
    suite: Suite
    identity_zh: str
    subject: str
    fail: str
    not_assessable: str
    instances: tuple[Instance, ...]

    @property
    def rule_id(self) -> str:
        return self.rule.rule_id


@dataclass(frozen=True)
class Declaration:
    suites: tuple[Suite, ...]
    identities: tuple[Identity, ...]

    def of_suite(self, suite: str) -> tuple[Identity, ...]:
        return tuple(i for i in self.identities if i.suite.name == suite)


# ------------------------------------------------------------------ template axes
@cache
def union_keys(table: str, axis: str) -> tuple[str, ...]:
    """Row or column keys of a table over both versions: the 2021 order, each 2019-only key placed before
    the first key shared with 2021 that follows it in the 2019 order (表三: （六）其他处理 before （七）总计)."""
    pos = 0 if axis == "row" else 1
    k21, k19 = (tuple(dict.fromkeys(k[pos] for k in keys(v, table))) for v in VERSIONS)
    out = list(k21)
    pending: list[str] = []
    for k in k19:
        if k in out:
            if pending:
                at = out.index(k)
                out[at:at] = pending
                pending = []
        else:
            pending.append(k)
    return tuple(out + pending)


@cache
def printed_rows(table: str, layout: str) -> tuple[str, ...]:
    """Rows of a table a report of this layout prints (MIXED: 表三 without the three sub-rows of （六）, which
    the single row stands for; they are stored as not printed and no identity is evaluated on them)."""
    rows = dict.fromkeys(r for r, _ in layout_keys(layout, table))
    unprinted = mixed_rows()[1] if layout == MIXED and table == "t3" else ()
    return tuple(r for r in rows if r not in unprinted)


# ------------------------------------------------------------------ loading
class DeclarationError(ChecksError, ValueError):
    """The identity declaration is malformed (unknown field, key or suite)."""


def _per_layout(value: Any, what: str) -> tuple[tuple[str, ...], ...]:
    if isinstance(value, list):
        return tuple(tuple(value) for _ in LAYOUTS)
    if isinstance(value, dict) and set(value) == set(LAYOUTS):
        return tuple(tuple(value[v]) for v in LAYOUTS)
    raise DeclarationError(f"{what}: a list of keys or a table with one list per layout {LAYOUTS}")


def _instance(spec: dict[str, Any], suite: Suite, what: str) -> Instance:
    unknown = set(spec) - INSTANCE_FIELDS
    if unknown:
        raise DeclarationError(f"{what}: unknown fields {sorted(unknown)}")
    axis = union_keys(suite.table, "row" if suite.over == "column" else "column")
    sides = {s: _per_layout(spec.get(s), f"{what}.{s}") for s in ("expected", "observed")}
    for side, per_layout in sides.items():
        bad = {k for ks in per_layout for k in ks if k not in axis}
        if bad or not all(per_layout):
            raise DeclarationError(f"{what}.{side}: keys {sorted(bad)} not in {suite.table} (or a side is empty)")
    columns = []
    for side, per_layout in sides.items():
        single = {ks[0] for ks in per_layout if len(ks) == 1}
        name = spec.get(f"{side}_as") or (single.pop() if len(single) == 1 and len(set(per_layout)) == 1 else None)
        if not name:
            raise DeclarationError(f"{what}: {side}_as names the column of a side with several operands")
        columns.append(name)
    return Instance(sides["expected"], sides["observed"], columns[0], columns[1], spec.get("notes", ""))


def _identity(spec: dict[str, Any], suites: dict[str, Suite], not_assessable: str) -> Identity:
    what = f"identity {spec.get('rule_id')!r}"
    if set(spec) - IDENTITY_FIELDS:
        raise DeclarationError(f"{what}: unknown fields {sorted(set(spec) - IDENTITY_FIELDS)}")
    try:
        rule = Rule(rule_id=spec["rule_id"], family=spec["family"], severity=spec["severity"], engine="gx",
                    title_zh=spec["title_zh"], title_en=spec["title_en"], description=spec["description"],
                    responsibility=spec.get("responsibility", ""))
        suite = suites[spec["suite"]]
        texts = spec["identity_zh"], spec["subject"], spec["fail"], spec.get("not_assessable", not_assessable)
    except KeyError as err:
        raise DeclarationError(f"{what}: missing or unknown {err}") from None
    except ValueError as err:
        raise DeclarationError(f"{what}: {err}") from None
    own = {k: v for k, v in spec.items() if k in INSTANCE_FIELDS}
    specs = spec.get("instance") or [own]
    if spec.get("instance") and own:
        raise DeclarationError(f"{what}: operands either on the identity or on its instances, not both")
    instances = tuple(_instance(s, suite, f"{what} instance {i}") for i, s in enumerate(specs))
    return Identity(rule, suite, *texts, instances)


def parse(data: dict[str, Any]) -> Declaration:
    """A declaration from its TOML data (the structure of identities.toml)."""
    suites = {}
    for name, s in data.get("suite", {}).items():
        if s.get("over") not in OVER or s.get("table") not in TABLES:
            raise DeclarationError(f"suite {name!r}: over must be one of {OVER}, table one of {TABLES}")
        if s["over"] == "report" and len(union_keys(s["table"], "row")) != 1:
            raise DeclarationError(f"suite {name!r}: over = 'report' needs a table with one row")
        suites[name] = Suite(name, s["table"], s["over"], s.get("notes", ""))
    identities = tuple(_identity(spec, suites, data["not_assessable"]) for spec in data.get("identity", []))
    ids = [i.rule_id for i in identities]
    if len(set(ids)) != len(ids):
        raise DeclarationError(f"rule ids declared twice: {sorted({r for r in ids if ids.count(r) > 1})}")
    _check_side_columns(identities)
    return Declaration(tuple(suites.values()), identities)


def _check_side_columns(identities: tuple[Identity, ...]) -> None:
    """A named side column (expected_as / observed_as) means one sum in its suite's frame: not an operand key,
    and the same operands wherever it is named."""
    sums: dict[tuple[str, str], tuple[tuple[str, ...], ...]] = {}
    for identity in identities:
        suite = identity.suite
        axis = union_keys(suite.table, "row" if suite.over == "column" else "column")
        for inst in identity.instances:
            for name, operands in ((inst.column_a, inst.expected), (inst.column_b, inst.observed)):
                if name in axis and operands != tuple((name,) for _ in LAYOUTS):
                    raise DeclarationError(f"identity {identity.rule_id!r}: column {name!r} is a key of {suite.table}")
                if name not in axis and sums.setdefault((suite.name, name), operands) != operands:
                    raise DeclarationError(f"identity {identity.rule_id!r}: column {name!r} of suite {suite.name} "
                                           "already names another sum")


def load(path: Path | None = None) -> Declaration:
    """Read a declaration file (default: the packaged gongkai/checks/identities.toml)."""
    source = path or resources.files("gongkai.checks").joinpath("identities.toml")
    return parse(tomllib.loads(source.read_text(encoding="utf-8")))


@cache
def declared() -> Declaration:
    """The packaged declaration, read once per process."""
    return load()


def finding_keys(suite: Suite, instance: Instance) -> tuple[str | None, str | None]:
    """(row_key, col_key) of an instance's findings: "{row_key}" / "{col_key}" stand for the frame row's own
    row / column; a side with one operand (the same in every layout) keys the finding on that cell."""
    single = instance.observed[0][0] if len(set(instance.observed)) == 1 and len(instance.observed[0]) == 1 else None
    if suite.over == "row":
        return "{row_key}", single
    if suite.over == "column":
        return single, "{col_key}"
    return union_keys(suite.table, "row")[0], single
