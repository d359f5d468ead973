"""Parse-accuracy benchmark (apart from the tests): `make bench-accuracy`.

Generates a corpus with `gongkai.synth` (every rendering by default: text dump, clean and portal HTML in
UTF-8 and GBK, DOCX, PDF; defects injected, and a share of the 2021+ reports in the mixed layout of real
files — 表三 （六）其他处理 as one row under 2021 labels; a truth file), audits it with the real flow into a
temporary warehouse, and prints
  * cell accuracy per rendering: a cell is exact when its stored semantic and value equal what the
    generator printed (blank stays blank, "１２" is 12, "—" is a dash), and how many cells were stored
    `unread` (our misread: inexact, reported as CELL_UNREAD, never against the agency), how many were
    stored with another value (wrong: must be 0) and how many got CELL_BLANK although the truth is a
    printed number (blank≠num: must be 0); then that count over all renderings. The PDF layouts
    (pdf_overflow, pdf_split, pdf_t2grid, pdf_norules, pdf_filled, pdf_t3break: render_pdf.STYLES) are
    renderings of their own, so each has its line;
  * precision and recall per rule family against the generator's expected findings (an independent
    reference evaluator), matched on (file, rule, table, row, col, status). Cross-year findings
    (XY_*) are matched on (agency, year, rule, table, row, col, status): the panel rules judge the
    current version of an agency-year, and with several renderings of one report in the corpus any
    one of them may be the current version.
  * the mixed-layout reports on their own (cells and in-report findings), so that a regression there is not
    drowned in the whole corpus.
Options: --agencies N --years A-B --renderings a,b,… --defect-rate F --mixed-rate F (default: half the
defect rate, write_corpus's default) --keep DIR.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gongkai.app.catalogue import catalogue  # noqa: E402
from gongkai.form.cells import classify  # noqa: E402
from gongkai.synth import RENDERINGS, write_corpus  # noqa: E402
from gongkai.warehouse import connect_readonly  # noqa: E402


def _key(f: dict, path: str, agency_year: tuple = ()) -> tuple:
    where = ("agency-year", *agency_year) if f["rule_id"].startswith("XY_") else path
    return (where, f["rule_id"], f.get("table_id"), f.get("row_key"), f.get("col_key"), f.get("status", "fail"))


def main() -> None:
    from gongkai.flows import audit as audit_flow  # not at module level: spawned parser processes re-import this file

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agencies", type=int, default=60)
    ap.add_argument("--years", default="2020-2024")
    ap.add_argument("--renderings", default=",".join(RENDERINGS))
    ap.add_argument("--defect-rate", type=float, default=0.4)
    ap.add_argument("--mixed-rate", type=float, default=None)
    ap.add_argument("--keep", type=Path, default=None)
    args = ap.parse_args()
    lo, hi = (int(x) for x in args.years.split("-"))
    work = args.keep or Path(tempfile.mkdtemp(prefix="gongkai-accuracy-"))
    harvest, truth_path, db = work / "harvest", work / "truth.jsonl", work / "warehouse.duckdb"
    for p in (harvest, db):
        shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
    write_corpus(harvest, args.agencies, range(lo, hi + 1), args.renderings.split(","), args.defect_rate, seed=11,
                 truth=truth_path, mixed_rate=args.mixed_rate)
    truth = [json.loads(line) for line in truth_path.open(encoding="utf-8")]
    t = time.perf_counter()
    summary = audit_flow.audit(harvest=[str(harvest)], db=str(db))
    print(f"corpus: {len(truth)} files, {args.agencies} agencies × {lo}–{hi}, renderings {args.renderings}; "
          f"audited in {time.perf_counter() - t:.1f} s ({summary['reports_failed']} failed to parse)")

    con = connect_readonly(db)
    reports = {p.rsplit("/", 1)[-1]: (rid, st) for p, rid, st in con.execute("SELECT source_path, report_id, status FROM reports").fetchall()}
    agency_year = {rid: (aid, y) for rid, aid, y in con.execute("SELECT report_id, agency_id, year FROM reports").fetchall()}
    cells = defaultdict(dict)
    for rid, t_, r_, c_, val, sem in con.execute("SELECT report_id, table_id, row_key, col_key, value, semantic FROM cells").fetchall():
        cells[rid][f"{t_}|{r_}|{c_}"] = (sem, val)
    actual_f = {_key({"rule_id": a, "table_id": b, "row_key": c, "col_key": d, "status": e}, rid, agency_year.get(rid, ()))
                for rid, a, b, c, d, e in con.execute("SELECT report_id, rule_id, table_id, row_key, col_key, status FROM findings").fetchall()}
    blank_findings = {(rid, f"{t_}|{r_}|{c_}") for rid, t_, r_, c_ in con.execute(
        "SELECT report_id, table_id, row_key, col_key FROM findings WHERE rule_id = 'CELL_BLANK'").fetchall()}
    con.close()

    acc = defaultdict(lambda: [0, 0])
    unread = defaultdict(int)          # cells stored unread (our misread, CELL_UNREAD) per rendering
    blank_on_number = 0                # CELL_BLANK on a cell whose truth is a printed number: must be 0
    blank_by: dict[str, int] = defaultdict(int)
    expected_f: set[tuple] = set()
    mixed_ids: set[str] = set()
    for line in truth:
        rid, status = reports.get(line["path"], (None, "missing"))
        got = cells.get(rid, {})
        for key, raw in line["cells"].items():
            want = classify(raw)
            ok = got.get(key) == want or (got.get(key, (None,))[0] == want[0] == "number" and got[key][1] == want[1])
            for name in (line["rendering"], "mixed layout") if line.get("mixed") else (line["rendering"],):
                acc[name][1] += 1
                acc[name][0] += ok
                unread[name] += got.get(key, (None,))[0] == "unread"
            if want[0] == "number" and (rid, key) in blank_findings:
                blank_on_number += 1
                blank_by[line["rendering"]] += 1
        if line.get("mixed"):
            mixed_ids.add(rid)
        for f in line["expected_findings"] + line.get("expected_cross_year", []):
            expected_f.add(_key(f, rid, (line["agency_id"], line["year"])))
    print("\ncell accuracy per rendering (pdf_*: the PDF layouts beyond the default one)")
    print(f"{'rendering':12s} {'cells':>9s} {'exact':>9s} {'accuracy':>9s} {'unread':>8s} {'wrong':>7s} {'blank≠num':>9s}")
    for name, (ok, total) in sorted(acc.items(), key=lambda kv: (kv[0] == "mixed layout", kv[0])):
        print(f"{name:12s} {total:9d} {ok:9d} {ok / total:9.4%} {unread[name]:8d} {total - ok - unread[name]:7d} "
              f"{blank_by.get(name, 0):9d}")
    print(f"CELL_BLANK on a cell whose truth is a printed number: {blank_on_number}")

    cat = catalogue()
    families = dict(zip(cat.rule_id, cat.family))
    active = {k[1] for k in actual_f} | {k[1] for k in expected_f}
    print("\nfindings per rule family (precision / recall against the truth)")
    print(f"{'family':14s} {'expected':>9s} {'found':>9s} {'correct':>9s} {'precision':>10s} {'recall':>8s}")
    for fam in sorted({families.get(r, "?") for r in active}):
        exp = {k for k in expected_f if families.get(k[1]) == fam}
        got = {k for k in actual_f if families.get(k[1]) == fam}
        hit = len(exp & got)
        p = hit / len(got) if got else 1.0
        r = hit / len(exp) if exp else 1.0
        print(f"{fam:14s} {len(exp):9d} {len(got):9d} {hit:9d} {p:10.4f} {r:8.4f}")
    exp = {k for k in expected_f if k[0] in mixed_ids}
    got = {k for k in actual_f if k[0] in mixed_ids}
    hit = len(exp & got)
    print(f"{'mixed layout':14s} {len(exp):9d} {len(got):9d} {hit:9d} {hit / len(got) if got else 1.0:10.4f} "
          f"{hit / len(exp) if exp else 1.0:8.4f}   (in-report findings of the {len(mixed_ids)} mixed-layout files)")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
