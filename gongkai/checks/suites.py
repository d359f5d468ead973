"""The GX expectation suites (expectations/*.json), generated from the identity declaration.

    python -m gongkai.checks.suites --write     rewrite the committed suites canonically
    python -m gongkai.checks.suites --check     exit 1 when the committed suites and the declaration disagree

Every identity instance is one expect_column_pair_values_to_be_equal: column_A the expected side, column_B the
observed (printed) side, rows with a NaN side ignored (not assessable). `meta` carries the rule and the
finding keys ("{row_key}" / "{col_key}": the frame row's own key).
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from gongkai.checks.identities import Declaration, DeclarationError, declared, finding_keys

EXPECTATION = "expect_column_pair_values_to_be_equal"
IGNORE_ROW_IF = "either_value_is_missing"


def build(decl: Declaration) -> dict[str, dict[str, Any]]:
    """suite name → suite JSON (as ExpectationSuite(**spec) takes it), in declaration order."""
    out = {}
    for suite in decl.suites:
        expectations = []
        for identity in decl.of_suite(suite.name):
            for inst in identity.instances:
                row_key, col_key = finding_keys(suite, inst)
                expectations.append({
                    "kwargs": {"column_A": inst.column_a, "column_B": inst.column_b, "ignore_row_if": IGNORE_ROW_IF},
                    "meta": {"col_key": col_key, "row_key": row_key, "rule_id": identity.rule_id,
                             "table_id": suite.table},
                    "notes": inst.notes,
                    "type": EXPECTATION,
                })
        out[suite.name] = {"expectations": expectations, "meta": {"frame": suite.name, "index": "row_no"},
                           "name": suite.name, "notes": suite.notes}
    return out


def canonical(spec: dict[str, Any]) -> str:
    """The committed text of a suite: sorted keys, 2-space indent, UTF-8 (no escapes), trailing newline."""
    return json.dumps(spec, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def committed_dir() -> Path:
    return Path(str(resources.files("gongkai.expectations")))


def stale(decl: Declaration, directory: Path) -> list[str]:
    """Suite files under `directory` that differ from the declaration (or are missing / not declared)."""
    want = {f"{name}.json": canonical(spec) for name, spec in build(decl).items()}
    have = {p.name: p.read_text(encoding="utf-8") for p in directory.glob("*.json")}
    return sorted(name for name in want.keys() | have.keys() if want.get(name) != have.get(name))


def write(decl: Declaration, directory: Path) -> list[str]:
    """Rewrite the suites of `directory` from the declaration (removing undeclared ones); returns what changed."""
    changed = stale(decl, directory)
    specs = build(decl)
    for name in changed:
        path = directory / name
        if name.removesuffix(".json") in specs:
            path.write_text(canonical(specs[name.removesuffix(".json")]), encoding="utf-8")
        else:
            path.unlink()
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gongkai.checks.suites", description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="rewrite the suites from the declaration")
    mode.add_argument("--check", action="store_true", help="exit 1 when a suite differs from the declaration")
    parser.add_argument("--dir", type=Path, default=None, help="suite directory (default: gongkai.expectations)")
    args = parser.parse_args(argv)
    directory = args.dir or committed_dir()
    try:
        decl = declared()
    except DeclarationError as exc:  # a malformed declaration: one line naming the entry and the problem
        print(f"error: gongkai/checks/identities.toml: {exc}", file=sys.stderr)
        return 2
    if args.write:
        changed = write(decl, directory)
        print(f"rewrote {', '.join(changed)}" if changed else "suites up to date")
        return 0
    differ = stale(decl, directory)
    if differ:
        print(f"suites differ from gongkai/checks/identities.toml: {', '.join(differ)} "
              "(run python -m gongkai.checks.suites --write)")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
