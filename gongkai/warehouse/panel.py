"""Panel rules: the rules that need the agency × year panel or the narrative, evaluated in SQL over the
warehouse inside the run's write transaction, after the batch is loaded (load.write_run calls `evaluate`).

Cross-year rules (re-evaluated, see below):
  XY_CARRY_OVER  per 表三 column: 二、上年结转 (Y) of the agency's current report for Y vs 四、结转下年度继续办理
                 of its current report for Y−1 (both formats share these keys, so it holds across the
                 2020→2021 change). Finding at (t3, 'carried_over', col); expected = last year's value,
                 observed = this year's. A non-number operand → not_assessable. Needs 表三 in both.
  XY_T2_STOCK    rows regulations and normative_docs, 2021 format both years: 现行有效 (Y) vs 现行有效 (Y−1)
                 + 本年制发 (Y) − 本年废止 (Y). Finding at (t2, row, 'in_force'); expected = the sum,
                 observed = the printed 现行有效. A non-number operand → not_assessable. Needs 表二 in both.
  XY_COPY        the report repeats last year's (雷同), finding at (NULL, NULL, NULL), when
                 * every printed cell of 表二/三/四 equals last year's — same keys, same raw text, same
                   semantic (equal cell digests, gongkai.statements.cells_digests) — and at least
                   COPY_MIN_NONZERO (5) of them are non-zero numbers (an agency that had nothing to report
                   prints the same all-zero tables every year: that alone is not a copy), or
                 * the narratives (sections 一…六, whitespace removed, digits as ASCII) both have
                   ≥ COPY_MIN_CHARS (200) characters and a character 3-gram Jaccard similarity
                   ≥ COPY_JACCARD (0.9).
                 Why 0.9: a report copied and then updated (the year, a dozen numbers, a sentence or two)
                 keeps 0.93–0.99 of its 3-grams (copies of generated reports measured 0.964–0.989 after
                 HTML/portal/text rendering and parsing; the seed report with only its year changed
                 0.97); two honestly written years of one agency that share set phrases (工作措施,
                 存在问题 boilerplate) measured 0.19–0.61 on the generated panel. Below 200 characters (a
                 report that says almost nothing) similarity says little, so it is not used.
                 observed = the similarity when the texts were compared exactly, expected NULL.
                 Cost: tables are compared by digest (panel_inputs.cells_digest). Texts are compared
                 exactly (in Python, statements.text_jaccard, on the sections fetched for the candidates)
                 only for pairs whose distinct 3-gram counts are within GRAMS_BOUND of each other
                 (J ≤ min/max) and whose 64-hash sketches share ≥ SKETCH_CANDIDATE (0.8) of their hashes
                 (a Jaccard of 0.9 shares ~0.95 of them, five standard deviations above 0.8; pairs below
                 ~0.65 rarely reach it).
Per new report, from its statements (only when the run loaded statements):
  TEXT_TABLE     each stated count vs its cell(s) (gongkai.statements.FACTS); finding at the compared
                 cell (compound facts: row_key or col_key 'a+b'); expected = the table value, observed =
                 the stated one; message quotes the sentence. One instance per cell: a fail if any
                 sentence contradicts it (the first one is quoted), else not_assessable if a cell is not a
                 number, else a pass. The table missing → not evaluated.
  YEAR_MISMATCH  reports.year (title or manifest) vs the year the text reports on (statements row
                 'report_year'); finding at (NULL, NULL, NULL), expected = reports.year, observed = text year.

Re-evaluation. The cross-year rules are evaluated for every agency-year whose own current report is new
in this run, or whose previous year's current report is new (a late or corrected Y−1 report re-checks
Y; a new Y report re-checks Y+1). For those reports the result replaces the previous one: a finding no
longer produced gets `resolved_run_id` = this run (findings_current hides it; findings keeps it), a
finding produced again is reopened (resolved_run_id NULL) and its expected/observed/message refreshed
if they changed, a new one is inserted with this run's run_id. rule_results gets a row when a (report,
rule) result is new or changed, as for the other engines (zero counts included: evaluated 0 = checked,
nothing to compare, e.g. no previous year). finding_id is the same hash as
gongkai.checks.findings.finding_ids, computed in SQL (FINDING_ID_SQL).

Reads. A run reads one panel_inputs row per report of the pairs it re-evaluates (fingerprints and a copy
of the 20 cross-year operands, written with each report), the new reports' cells from the batch, and the
sections of text-copy candidates only — never a scan of all cells. Joins go through (agency_id, year)
over the reports of the touched agency-years; no per-report loop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import SimpleNamespace

import pandas as pd

from ..statements import FACTS, SKETCH_K, YEAR_FACT, comparable_text, fingerprints_frame, text_jaccard

XY_RULES = ("XY_CARRY_OVER", "XY_T2_STOCK", "XY_COPY")
TEXT_RULES = ("TEXT_TABLE", "YEAR_MISMATCH")
COPY_MIN_NONZERO = 5
COPY_MIN_CHARS = 200
COPY_JACCARD = 0.9
SKETCH_CANDIDATE = 0.8
GRAMS_BOUND = 0.88           # COPY_JACCARD less a margin for 32-bit hash collisions in text_grams
TOL = 1e-6
T2_STOCK_ROWS = ("regulations", "normative_docs")

FINDING_ID_SQL = ("substr(sha256(concat_ws(chr(31), coalesce(report_id, chr(30)), rule_id, coalesce(table_id, chr(30)),"
                  " coalesce(row_key, chr(30)), coalesce(col_key, chr(30)))), 1, 16)")


@dataclass
class PanelSummary:
    findings_new: int = 0
    findings_resolved: int = 0
    findings_reopened: int = 0
    targets: int = 0             # current reports whose cross-year rules were (re-)evaluated
    text_reports: int = 0        # new reports whose TEXT_TABLE / YEAR_MISMATCH were evaluated


def _q(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _short(label: str) -> str:
    """'（二）部分公开（区分处理的，只计这一情形…）' → '（二）部分公开'."""
    return re.sub(r"^(（[一二三四五六七八九十]+）[^（]+)（.*）$", r"\1", label)


def _labels():
    """Template label helpers (imported on use: gongkai.checks pulls in pandera, which `gongkai sql` and
    other readers of the warehouse package should not pay for)."""
    from ..checks import rules
    return rules


def _cell_desc(f) -> str:
    """Where a fact's number sits, in Chinese: 表三「一、本年新收…」行「总计」列 / 表四「行政复议」总计 / sums."""
    row_label, col_label, t4_group_label = _labels().row_label, _labels().col_label, _labels().t4_group_label
    if f.table_id == "t4":
        groups = [c.removesuffix("_total") for _, c in f.operands]
        names = "」与「".join(t4_group_label(g) for g in groups)
        return f"表四「{names}」总计" + ("之和" if len(groups) > 1 else "")
    rows = "」与「".join(_short(row_label("t3", r)) for r, _ in f.operands)
    return f"表三「{rows}」行「{col_label('t3', f.operands[0][1])}」列" + ("之和" if len(f.operands) > 1 else "")


def _values(rows: list[tuple]) -> str:
    return ", ".join("(" + ", ".join(_q(str(x)) for x in r) + ")" for r in rows)


def _facts_sql() -> str:
    """VALUES (fact, table_id, row_key, col_key, op_row, op_col, zh, cell) — one row per operand."""
    rows = [(f.fact, f.table_id, f.row_key, f.col_key, r, c, f.zh, _cell_desc(f))
            for f in FACTS.values() for r, c in f.operands]
    return f"(VALUES {_values(rows)}) AS facts(fact, table_id, row_key, col_key, op_row, op_col, zh, cell)"


def _labels_sql() -> str:
    """VALUES (table_id, key, label) AS lb: the t3 columns and t2 rows named in messages."""
    T3_COLS, col_label, row_label = _labels().T3_COLS, _labels().col_label, _labels().row_label
    rows = [("t3", c, col_label("t3", c)) for c in T3_COLS] + [("t2", r, row_label("t2", r)) for r in T2_STOCK_ROWS]
    return f"(VALUES {_values(rows)}) AS lb(table_id, key, label)"


_MACROS = """
CREATE OR REPLACE TEMP MACRO gk_num(v) AS
    CASE WHEN v IS NULL THEN '' WHEN v = round(v) AND abs(v) < 1e15 THEN CAST(CAST(v AS BIGINT) AS VARCHAR)
         ELSE CAST(round(v, 6) AS VARCHAR) END;
CREATE OR REPLACE TEMP MACRO gk_state(semantic, raw, value) AS
    CASE WHEN semantic IS NULL THEN '缺失' WHEN semantic = 'blank' THEN '为空白'
         WHEN semantic = 'number' THEN '为' || gk_num(value) ELSE '为「' || coalesce(raw, '') || '」' END;
CREATE OR REPLACE TEMP MACRO gk_quote(s) AS
    '「' || CASE WHEN length(s) > 80 THEN left(s, 80) || '…' ELSE s END || '」';
"""


# ------------------------------------------------------------------ which reports
def _targets(con) -> int:
    """panel_pairs: one row per current, non-failed report of an agency-year touched by this run (its own
    report or its previous year's is new), with its previous year's current report (prev_* NULL if none
    or failed)."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE panel_pairs AS
        WITH touched AS (
            SELECT DISTINCT agency_id, year
            FROM new_reports
            WHERE agency_id IS NOT NULL AND year IS NOT NULL
        ),
        agency_years AS (           -- pairs (Y−1, Y) in which a report is new
            SELECT agency_id, year FROM touched
            UNION
            SELECT agency_id, year + 1 FROM touched
        ),
        current_reports AS (
            SELECT report_id, agency_id, year, format_version, status, has_t2, has_t3, has_t4
            FROM reports
            WHERE is_current AND agency_id IS NOT NULL AND year IS NOT NULL AND status <> 'failed'
        )
        SELECT t.report_id, t.agency_id, t.year, t.format_version, t.has_t2, t.has_t3, t.has_t4,
               p.report_id AS prev_id, p.year AS prev_year, p.format_version AS prev_format,
               p.has_t2 AS prev_has_t2, p.has_t3 AS prev_has_t3, p.has_t4 AS prev_has_t4
        FROM current_reports AS t
        JOIN agency_years AS k ON k.agency_id = t.agency_id AND k.year = t.year
        LEFT JOIN current_reports AS p ON p.agency_id = t.agency_id AND p.year = t.year - 1""")
    return con.execute("SELECT count(*) FROM panel_pairs").fetchone()[0]


# The cross-year operands copied into panel_inputs.panel_cells, numbered by position k. Stored data refers to
# these numbers: never reorder or remove an entry, only append.
PANEL_KEYS: tuple[tuple[str, str, str], ...] = (
    *(("t3", "carried_over", c) for c in ("natural_person", "commercial", "research", "social_welfare",
                                          "legal_services", "other_org", "total")),
    *(("t3", "carried_forward", c) for c in ("natural_person", "commercial", "research", "social_welfare",
                                             "legal_services", "other_org", "total")),
    *(("t2", r, c) for r in T2_STOCK_ROWS for c in ("issued", "repealed", "in_force")),
)


def _panel_keys_sql() -> str:
    rows = ", ".join(f"({k}::UTINYINT, {_q(t)}, {_q(r)}, {_q(c)})" for k, (t, r, c) in enumerate(PANEL_KEYS))
    return f"(VALUES {rows}) AS pk(k, table_id, row_key, col_key)"


def _fact_cell_filter(t: str) -> str:
    """SQL predicate on a cells relation aliased `t`: the cells the narrative's facts are compared with."""
    keys = sorted({(f.table_id, r, c) for f in FACTS.values() for r, c in f.operands})
    return "(" + " OR ".join(f"({t}.table_id = {_q(a)} AND {t}.row_key = {_q(b)} AND {t}.col_key = {_q(c)})"
                             for a, b, c in keys) + ")"


def insert_panel_inputs(con, fp: pd.DataFrame, cells: str) -> None:
    """Insert the panel inputs of reports that have none (report content never changes): the fingerprints
    `fp` (statements.fingerprints_frame) and the panel cells taken from the relation `cells` (the batch's
    registered in_cells, or the cells table when backfilling)."""
    if len(fp) == 0:
        return
    con.register("in_panel_fp", fp)
    con.execute(f"""
        INSERT INTO panel_inputs BY NAME
        WITH wanted AS (
            SELECT i.report_id, i.cells, i.nonzero_cells, i.cells_digest, i.text_chars, i.text_grams, i.text_sketch
            FROM in_panel_fp AS i
            WHERE i.report_id IN (SELECT report_id FROM reports)
              AND NOT EXISTS (SELECT 1 FROM panel_inputs AS x WHERE x.report_id = i.report_id)
            QUALIFY row_number() OVER (PARTITION BY i.report_id) = 1
        ),
        picked AS (
            SELECT DISTINCT c.report_id, pk.k, CAST(c.value AS DOUBLE) AS value, c.semantic,
                   CASE WHEN c.semantic IN ('dash', 'text') THEN c.raw END AS raw
            FROM {cells} AS c
            JOIN {_panel_keys_sql()} ON pk.table_id = c.table_id AND pk.row_key = c.row_key AND pk.col_key = c.col_key
            WHERE c.report_id IN (SELECT report_id FROM wanted)
        ),
        per_report AS (
            SELECT report_id,
                   list(struct_pack(k := k, value := value, semantic := semantic, raw := raw) ORDER BY k) AS panel_cells
            FROM picked
            GROUP BY report_id
        )
        SELECT w.report_id, w.cells, w.nonzero_cells, w.cells_digest, w.text_chars, w.text_grams,
               CAST(w.text_sketch AS UINTEGER[]) AS text_sketch, coalesce(p.panel_cells, []) AS panel_cells
        FROM wanted AS w
        LEFT JOIN per_report AS p ON p.report_id = w.report_id""")
    con.unregister("in_panel_fp")


def _backfill(con) -> int:
    """Panel inputs of the reports this run reads that were loaded before migration 0003."""
    missing = [r for (r,) in con.execute("""
        SELECT DISTINCT x.report_id
        FROM (SELECT report_id FROM panel_pairs WHERE prev_id IS NOT NULL
              UNION SELECT prev_id FROM panel_pairs WHERE prev_id IS NOT NULL) AS x
        WHERE NOT EXISTS (SELECT 1 FROM panel_inputs AS f WHERE f.report_id = x.report_id)""").fetchall()]
    if not missing:
        return 0
    con.register("panel_missing", pd.DataFrame({"report_id": pd.array(missing, dtype="string")}))
    sections = con.execute("""SELECT s.report_id, s.section_no, s.title, s.text, s.present FROM sections AS s
                              JOIN panel_missing USING (report_id) ORDER BY s.report_id, s.section_no""").df()
    con.execute("""CREATE OR REPLACE TEMP TABLE panel_missing_cells AS
                   SELECT c.* FROM cells AS c JOIN panel_missing USING (report_id)""")
    cells = con.execute("SELECT * FROM panel_missing_cells").df()
    con.unregister("panel_missing")
    insert_panel_inputs(con, fingerprints_frame(SimpleNamespace(sections=sections, cells=cells)), "panel_missing_cells")
    return len(missing)


def _panel_cells(con) -> None:
    """panel_cells: the cross-year operands of every pair, unnested from panel_inputs — of the report under
    check its 上年结转 and 表二 rows (k 0–6, 14–19), of the previous year's its 结转下年度 and 现行有效
    (k 7–13, 16, 19)."""
    this_k = [k for k, (t, r, c) in enumerate(PANEL_KEYS) if r == "carried_over" or t == "t2"]
    last_k = [k for k, (t, r, c) in enumerate(PANEL_KEYS) if r == "carried_forward" or c == "in_force"]
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE panel_cells AS
        WITH wanted AS (
            SELECT report_id, {this_k} AS ks FROM panel_pairs WHERE prev_id IS NOT NULL
            UNION ALL
            SELECT DISTINCT prev_id, {last_k} FROM panel_pairs WHERE prev_id IS NOT NULL
        ),
        per_report AS (             -- a report can be both (the previous year of one pair, checked in another)
            SELECT report_id, list_distinct(flatten(list(ks))) AS ks FROM wanted GROUP BY report_id
        ),
        unnested AS (
            SELECT i.report_id, unnest(list_filter(i.panel_cells, lambda x: list_contains(w.ks, x.k)), recursive := true)
            FROM panel_inputs AS i
            JOIN per_report AS w ON w.report_id = i.report_id
        )
        SELECT u.report_id, pk.table_id, pk.row_key, pk.col_key, u.value, u.semantic, u.raw
        FROM unnested AS u
        JOIN {_panel_keys_sql()} ON pk.k = u.k""")


# The per-year CTEs below are MATERIALIZED: inlined, the optimizer may join this year's and last year's
# cells on col_key alone (billions of rows) before restricting them to the pair.
def _carry_over(con) -> None:
    con.execute(f"""
        INSERT INTO panel_out
        WITH pairs AS (
            SELECT report_id, prev_id, prev_year
            FROM panel_pairs
            WHERE prev_id IS NOT NULL AND has_t3 AND prev_has_t3
        ),
        this_year AS MATERIALIZED (              -- 二、上年结转 of year Y
            SELECT p.report_id, p.prev_id, p.prev_year, c.col_key, c.value, c.semantic, c.raw
            FROM pairs AS p
            JOIN panel_cells AS c ON c.report_id = p.report_id
            WHERE c.table_id = 't3' AND c.row_key = 'carried_over'
        ),
        last_year AS MATERIALIZED (              -- 四、结转下年度继续办理 of year Y−1
            SELECT p.report_id, c.col_key, c.value, c.semantic, c.raw
            FROM pairs AS p
            JOIN panel_cells AS c ON c.report_id = p.prev_id
            WHERE c.table_id = 't3' AND c.row_key = 'carried_forward'
        ),
        compared AS (
            SELECT t.report_id, t.prev_year, t.col_key, l.value AS expected, t.value AS observed,
                   t.semantic AS this_semantic, t.raw AS this_raw, l.semantic AS last_semantic, l.raw AS last_raw,
                   CASE WHEN t.value IS NULL OR l.value IS NULL THEN 'not_assessable'
                        WHEN abs(t.value - l.value) > {TOL} THEN 'fail' END AS status
            FROM this_year AS t
            JOIN last_year AS l ON l.report_id = t.report_id AND l.col_key = t.col_key
        )
        SELECT c.report_id, 'XY_CARRY_OVER', 't3', 'carried_over', c.col_key,
               CASE WHEN c.status = 'fail' THEN c.expected END,
               CASE WHEN c.status = 'fail' THEN c.observed END,
               CASE WHEN c.status = 'fail' THEN
                   '表三「' || lb.label || '」列：本年「二、上年结转」为' || gk_num(c.observed) || '，但'
                   || c.prev_year || '年度报告「四、结转下年度继续办理」为' || gk_num(c.expected)
                   || '（上年结转应等于上一年度的结转下年度继续办理）'
               WHEN c.status = 'not_assessable' THEN
                   '表三「' || lb.label || '」列：本年「二、上年结转」' || gk_state(c.this_semantic, c.this_raw, c.observed) || '，'
                   || c.prev_year || '年度报告「四、结转下年度继续办理」' || gk_state(c.last_semantic, c.last_raw, c.expected)
                   || '，无法核对上年结转与上一年度结转下年度是否一致'
               END,
               c.status
        FROM compared AS c
        LEFT JOIN {_labels_sql()} ON lb.table_id = 't3' AND lb.key = c.col_key""")


def _t2_stock(con) -> None:
    rows = ", ".join(_q(r) for r in T2_STOCK_ROWS)
    con.execute(f"""
        INSERT INTO panel_out
        WITH pairs AS (
            SELECT report_id, prev_id, prev_year
            FROM panel_pairs
            WHERE prev_id IS NOT NULL AND has_t2 AND prev_has_t2 AND format_version = '2021' AND prev_format = '2021'
        ),
        this_year AS MATERIALIZED (              -- 本年制发, 本年废止, 现行有效 of year Y
            SELECT p.report_id, p.prev_year, c.row_key,
                   any_value(c.value) FILTER (WHERE c.col_key = 'issued')      AS issued,
                   any_value(c.value) FILTER (WHERE c.col_key = 'repealed')    AS repealed,
                   any_value(c.value) FILTER (WHERE c.col_key = 'in_force')    AS in_force,
                   string_agg(CASE c.col_key WHEN 'issued' THEN '本年制发件数' WHEN 'repealed' THEN '本年废止件数'
                                             ELSE '现行有效件数' END || gk_state(c.semantic, c.raw, c.value), '、')
                       FILTER (WHERE c.value IS NULL)                           AS unusable
            FROM pairs AS p
            JOIN panel_cells AS c ON c.report_id = p.report_id
            WHERE c.table_id = 't2' AND c.row_key IN ({rows}) AND c.col_key IN ('issued', 'repealed', 'in_force')
            GROUP BY ALL
        ),
        last_year AS MATERIALIZED (              -- 现行有效 of year Y−1
            SELECT p.report_id, c.row_key, c.value AS in_force, c.semantic, c.raw
            FROM pairs AS p
            JOIN panel_cells AS c ON c.report_id = p.prev_id
            WHERE c.table_id = 't2' AND c.row_key IN ({rows}) AND c.col_key = 'in_force'
        ),
        compared AS (
            SELECT t.*, l.in_force AS last_in_force, l.semantic AS last_semantic, l.raw AS last_raw,
                   l.in_force + t.issued - t.repealed AS expected,
                   CASE WHEN t.issued IS NULL OR t.repealed IS NULL OR t.in_force IS NULL OR l.in_force IS NULL
                        THEN 'not_assessable'
                        WHEN abs(l.in_force + t.issued - t.repealed - t.in_force) > {TOL} THEN 'fail' END AS status
            FROM this_year AS t
            JOIN last_year AS l ON l.report_id = t.report_id AND l.row_key = t.row_key
        )
        SELECT c.report_id, 'XY_T2_STOCK', 't2', c.row_key, 'in_force',
               CASE WHEN c.status = 'fail' THEN c.expected END,
               CASE WHEN c.status = 'fail' THEN c.in_force END,
               CASE WHEN c.status = 'fail' THEN
                   '表二「' || lb.label || '」现行有效件数为' || gk_num(c.in_force) || '，但按' || c.prev_year
                   || '年度现行有效件数(' || gk_num(c.last_in_force) || ')+本年制发件数(' || gk_num(c.issued)
                   || ')−本年废止件数(' || gk_num(c.repealed) || ')应为' || gk_num(c.expected)
               WHEN c.status = 'not_assessable' THEN
                   '表二「' || lb.label || '」：' || concat_ws('、', c.unusable,
                       CASE WHEN c.last_in_force IS NULL THEN c.prev_year || '年度现行有效件数'
                            || gk_state(c.last_semantic, c.last_raw, c.last_in_force) END)
                   || '，无法核对现行有效件数=上年现行有效+本年制发−本年废止'
               END,
               c.status
        FROM compared AS c
        LEFT JOIN {_labels_sql()} ON lb.table_id = 't2' AND lb.key = c.row_key""")


def _copy(con) -> None:
    """XY_COPY: identical tables by cell digest; texts preselected by sketch overlap, then compared exactly."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE panel_copy AS
        WITH pairs AS (
            SELECT p.report_id, p.prev_id, p.prev_year, p.has_t2, p.has_t3, p.has_t4, f.nonzero_cells, f.cells,
                   f.cells > 0 AND f.nonzero_cells >= {COPY_MIN_NONZERO} AND f.cells_digest = g.cells_digest
                       AND f.cells = g.cells AS same_tables,
                   f.text_chars >= {COPY_MIN_CHARS} AND g.text_chars >= {COPY_MIN_CHARS}
                       -- J(A, B) ≤ min(|A|, |B|) / max(|A|, |B|): pairs of very different size cannot be copies
                       AND least(f.text_grams, g.text_grams) >= {GRAMS_BOUND} * greatest(f.text_grams, g.text_grams)
                       AS texts_comparable,
                   least(len(f.text_sketch), len(g.text_sketch), {SKETCH_K}) AS sketch_size
            FROM panel_pairs AS p
            JOIN panel_inputs AS f ON f.report_id = p.report_id
            JOIN panel_inputs AS g ON g.report_id = p.prev_id
            WHERE p.prev_id IS NOT NULL
        ),
        this_sketch AS MATERIALIZED (
            SELECT p.report_id, unnest(f.text_sketch) AS h
            FROM pairs AS p JOIN panel_inputs AS f ON f.report_id = p.report_id
            WHERE p.texts_comparable
        ),
        last_sketch AS MATERIALIZED (
            SELECT p.report_id, unnest(g.text_sketch) AS h
            FROM pairs AS p JOIN panel_inputs AS g ON g.report_id = p.prev_id
            WHERE p.texts_comparable
        ),
        shared AS (                 -- sketch hashes the two years have in common
            SELECT t.report_id, count(*) AS n
            FROM this_sketch AS t JOIN last_sketch AS l ON l.report_id = t.report_id AND l.h = t.h
            GROUP BY t.report_id
        )
        SELECT p.* EXCLUDE (texts_comparable, sketch_size),
               p.texts_comparable AND coalesce(s.n, 0) >= {SKETCH_CANDIDATE} * p.sketch_size AS text_candidate,
               CAST(NULL AS DOUBLE) AS jaccard
        FROM pairs AS p
        LEFT JOIN shared AS s ON s.report_id = p.report_id""")
    # candidates' narratives, compared exactly (statements.text_jaccard: numpy on 3-gram codes, ~50x faster
    # than exploding 3-grams in SQL; the text is normalised by the same comparable_text as the sketches)
    pairs = con.execute("""
        WITH cand AS (
            SELECT report_id, prev_id FROM panel_copy WHERE text_candidate
        ),
        texts AS (
            SELECT s.report_id, list(s.text ORDER BY s.section_no) AS texts
            FROM sections AS s
            WHERE s.report_id IN (SELECT report_id FROM cand UNION SELECT prev_id FROM cand)
              AND s.present AND s.text IS NOT NULL
            GROUP BY s.report_id
        )
        SELECT k.report_id, a.texts, b.texts
        FROM cand AS k
        JOIN texts AS a ON a.report_id = k.report_id
        JOIN texts AS b ON b.report_id = k.prev_id""").fetchall()
    if pairs:
        similarity = pd.DataFrame({
            "report_id": [r for r, _, _ in pairs],
            "jaccard": [text_jaccard(comparable_text(a), comparable_text(b)) for _, a, b in pairs],
        })
        con.register("panel_similarity", similarity)
        con.execute("""
            UPDATE panel_copy AS k SET jaccard = j.jaccard
            FROM panel_similarity AS j
            WHERE k.report_id = j.report_id""")
        con.unregister("panel_similarity")
    con.execute(f"""
        INSERT INTO panel_out       -- every compared pair: a finding if copied, else evaluated and passed
        SELECT report_id, 'XY_COPY', NULL, NULL, NULL, NULL,
               CASE WHEN jaccard IS NOT NULL THEN round(jaccard, 4) END,
               concat_ws('；',
                   CASE WHEN same_tables THEN
                       concat_ws('、', CASE WHEN has_t2 THEN '表二' END, CASE WHEN has_t3 THEN '表三' END,
                                       CASE WHEN has_t4 THEN '表四' END)
                       || '的全部' || cells || '个单元格（其中' || nonzero_cells || '个非零数字）与' || prev_year
                       || '年度报告逐格相同' END,
                   CASE WHEN jaccard >= {COPY_JACCARD} THEN
                       '正文与' || prev_year || '年度报告高度相似（字符三元组Jaccard相似度'
                       || CAST(round(jaccard, 3) AS VARCHAR) || '，阈值{COPY_JACCARD}）' END)
               || '，疑似照搬上年度报告（雷同）',
               'fail'
        FROM panel_copy
        WHERE same_tables OR jaccard >= {COPY_JACCARD}
        UNION ALL
        SELECT report_id, 'XY_COPY', NULL, NULL, NULL, NULL, NULL, NULL, NULL
        FROM panel_copy
        WHERE NOT (coalesce(same_tables, false) OR coalesce(jaccard >= {COPY_JACCARD}, false))""")


def _text_table(con, new_cells: str) -> None:
    con.execute(f"""
        INSERT INTO panel_out
        WITH stated AS (            -- counts stated by new reports whose table is present
            SELECT s.report_id, s.seq, s.fact, s.value, s.sentence
            FROM statements AS s
            JOIN panel_text AS t ON t.report_id = s.report_id
            WHERE s.fact <> {_q(YEAR_FACT)}
        ),
        table_cells AS MATERIALIZED (   -- the new reports' cells, from the batch (no scan of the warehouse)
            SELECT DISTINCT c.report_id, c.table_id, c.row_key, c.col_key, CAST(c.value AS DOUBLE) AS value,
                   c.semantic, c.raw
            FROM {new_cells} AS c
            WHERE {_fact_cell_filter('c')} AND c.report_id IN (SELECT report_id FROM panel_text)
        ),
        operands AS (
            SELECT st.*, facts.table_id, facts.row_key, facts.col_key, facts.zh, facts.cell,
                   c.value AS cell_value, c.semantic, c.raw, facts.op_row
            FROM stated AS st
            JOIN {_facts_sql()} ON facts.fact = st.fact
            JOIN reports AS r ON r.report_id = st.report_id
            LEFT JOIN table_cells AS c ON c.report_id = st.report_id AND c.table_id = facts.table_id
                                      AND c.row_key = facts.op_row AND c.col_key = facts.op_col
            WHERE CASE facts.table_id WHEN 't3' THEN r.has_t3 WHEN 't4' THEN r.has_t4 ELSE false END
        ),
        per_statement AS (
            SELECT report_id, seq, any_value(fact) AS fact, any_value(value) AS value,
                   any_value(sentence) AS sentence, any_value(table_id) AS table_id, any_value(row_key) AS row_key,
                   any_value(col_key) AS col_key, any_value(zh) AS zh, any_value(cell) AS cell,
                   count(cell_value) = count(*) AS assessable,
                   sum(cell_value) AS table_value,
                   string_agg(gk_state(semantic, raw, cell_value), '、' ORDER BY op_row) FILTER (WHERE cell_value IS NULL) AS unusable
            FROM operands
            GROUP BY report_id, seq
        ),
        judged AS (
            SELECT *, CASE WHEN NOT assessable THEN 'not_assessable'
                           WHEN abs(table_value - value) > {TOL} THEN 'fail' END AS status
            FROM per_statement
        ),
        per_cell AS (               -- one instance per compared cell: the first contradiction, else the first n/a
            SELECT report_id, table_id, row_key, col_key,
                   arg_min(struct_pack(status, value, table_value, sentence, zh, cell, unusable),
                           CASE status WHEN 'fail' THEN 0 WHEN 'not_assessable' THEN 1 ELSE 2 END * 1000000 + seq) AS s
            FROM judged
            GROUP BY report_id, table_id, row_key, col_key
        ),
        chosen AS (
            SELECT report_id, table_id, row_key, col_key, unnest(s)
            FROM per_cell
        )
        SELECT report_id, 'TEXT_TABLE', table_id, row_key, col_key,
               CASE WHEN status = 'fail' THEN table_value END,
               CASE WHEN status = 'fail' THEN value END,
               CASE WHEN status = 'fail' THEN
                   '正文称' || gk_quote(sentence) || '，' || zh || '为' || gk_num(value) || '件，但' || cell
                   || '为' || gk_num(table_value)
               WHEN status = 'not_assessable' THEN
                   '正文称' || gk_quote(sentence) || '，' || zh || '为' || gk_num(value) || '件，但' || cell
                   || unusable || '，无法核对'
               END,
               status
        FROM chosen""")


def _year_mismatch(con) -> None:
    con.execute(f"""
        INSERT INTO panel_out
        WITH text_year AS (
            SELECT s.report_id, s.value AS year, s.sentence
            FROM statements AS s
            JOIN panel_text AS t ON t.report_id = s.report_id
            WHERE s.fact = {_q(YEAR_FACT)}
            QUALIFY row_number() OVER (PARTITION BY s.report_id ORDER BY s.seq) = 1
        )
        SELECT r.report_id, 'YEAR_MISMATCH', NULL, NULL, NULL,
               CASE WHEN ty.year <> r.year THEN r.year END,
               CASE WHEN ty.year <> r.year THEN ty.year END,
               CASE WHEN ty.year <> r.year THEN
                   '报告归属年度为' || r.year || '年（标题或清单），但正文所述为' || gk_num(ty.year) || '年的情况：'
                   || gk_quote(ty.sentence) END,
               CASE WHEN ty.year <> r.year THEN 'fail' END
        FROM text_year AS ty
        JOIN reports AS r ON r.report_id = ty.report_id
        WHERE r.year IS NOT NULL""")


# ------------------------------------------------------------------ results into the warehouse
def _store(con, run_id: str, xy_reports: str, text_reports: str) -> PanelSummary:
    """panel_out → findings (insert / resolve / reopen) and rule_results (when new or changed)."""
    meta = _labels().rule_meta()
    rules = [(r, *meta[r]) for r in (*XY_RULES, *TEXT_RULES)]
    rule_values = f"(VALUES {_values(rules)}) AS m(rule_id, family, severity)"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE panel_findings AS
        SELECT {FINDING_ID_SQL} AS finding_id, o.*
        FROM panel_out AS o
        WHERE o.status IS NOT NULL
        QUALIFY row_number() OVER (PARTITION BY finding_id ORDER BY o.status) = 1""")
    xy = ", ".join(_q(r) for r in XY_RULES)
    # cross-year findings already recorded for the re-evaluated reports; only reports loaded before this run
    # (a late or replaced previous year re-checks them) can have some, so usually nothing is scanned
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE panel_old_targets AS
        SELECT report_id FROM {xy_reports}
        WHERE report_id NOT IN (SELECT report_id FROM new_reports)""")
    old_targets = con.execute("SELECT count(*) FROM panel_old_targets").fetchone()[0]
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE panel_existing AS
        SELECT finding_id, resolved_run_id, expected, observed, message, status
        FROM findings
        WHERE {str(old_targets > 0).lower()}
          AND rule_id IN ({xy}) AND report_id IN (SELECT report_id FROM panel_old_targets)""")
    resolved = reopened = 0
    if con.execute("SELECT count(*) FROM panel_existing").fetchone()[0]:
        # stale: open findings the re-evaluation no longer produces
        resolved = con.execute("""
            UPDATE findings AS f SET resolved_run_id = $run_id
            WHERE f.finding_id IN (SELECT e.finding_id FROM panel_existing AS e
                                   WHERE e.resolved_run_id IS NULL
                                     AND e.finding_id NOT IN (SELECT finding_id FROM panel_findings))""",
                               {"run_id": run_id}).fetchone()[0]
        # produced again: reopened if resolved, refreshed if the numbers or message changed
        reopened = con.execute("""
            UPDATE findings AS f
            SET resolved_run_id = NULL, expected = n.expected, observed = n.observed, message = n.message,
                status = n.status
            FROM panel_findings AS n
            WHERE f.finding_id = n.finding_id
              AND n.finding_id IN (
                  SELECT e.finding_id FROM panel_existing AS e JOIN panel_findings AS m USING (finding_id)
                  WHERE e.resolved_run_id IS NOT NULL
                     OR (e.expected, e.observed, e.message, e.status)
                        IS DISTINCT FROM (m.expected, m.observed, m.message, m.status))""").fetchone()[0]
    # new: not recorded before (TEXT_TABLE/YEAR_MISMATCH findings and those of new reports cannot exist yet,
    # an earlier cross-year finding of an older report is in panel_existing)
    new = con.execute(f"""
        INSERT INTO findings BY NAME
        SELECT n.finding_id, $run_id AS run_id, n.report_id, r.agency_id, r.agency, r.year, n.rule_id,
               coalesce(ru.family, m.family) AS family, coalesce(ru.severity, m.severity) AS severity,
               n.table_id, n.row_key, n.col_key, n.expected, n.observed, n.message, n.status
        FROM panel_findings AS n
        JOIN reports AS r ON r.report_id = n.report_id
        LEFT JOIN rules AS ru ON ru.rule_id = n.rule_id
        LEFT JOIN {rule_values} ON m.rule_id = n.rule_id
        WHERE n.finding_id NOT IN (SELECT finding_id FROM panel_existing)""", {"run_id": run_id}).fetchone()[0]
    # rule_results: every evaluated (report, rule), zero counts included, when new or changed
    con.execute(f"""
        INSERT INTO rule_results BY NAME
        WITH checked AS (
            SELECT report_id, rule_id FROM {xy_reports}, (SELECT unnest([{xy}]) AS rule_id)
            UNION ALL
            SELECT report_id, rule_id FROM {text_reports},
                   (SELECT unnest([{", ".join(_q(r) for r in TEXT_RULES)}]) AS rule_id)
        ),
        counts AS (
            SELECT k.report_id, k.rule_id,
                   count(o.rule_id)                                     AS evaluated,
                   count(*) FILTER (WHERE o.status = 'fail')            AS failed,
                   count(*) FILTER (WHERE o.status = 'not_assessable')  AS not_assessable
            FROM checked AS k
            LEFT JOIN panel_out AS o ON o.report_id = k.report_id AND o.rule_id = k.rule_id
            GROUP BY k.report_id, k.rule_id
        ),
        latest AS (                 -- only reports loaded before this run can have earlier results
            SELECT rr.report_id, rr.rule_id, rr.evaluated, rr.failed, rr.not_assessable
            FROM rule_results AS rr
            JOIN runs AS ru ON ru.run_id = rr.run_id
            WHERE rr.rule_id IN (SELECT rule_id FROM counts)
              AND rr.report_id IN (SELECT report_id FROM panel_old_targets)
            QUALIFY row_number() OVER (PARTITION BY rr.report_id, rr.rule_id
                                       ORDER BY ru.started_at DESC, rr.run_id DESC) = 1
        )
        SELECT $run_id AS run_id, c.report_id, c.rule_id, c.evaluated, c.failed, c.not_assessable
        FROM counts AS c
        LEFT JOIN latest AS l ON l.report_id = c.report_id AND l.rule_id = c.rule_id
        WHERE l.report_id IS NULL
           OR (c.evaluated, c.failed, c.not_assessable) IS DISTINCT FROM (l.evaluated, l.failed, l.not_assessable)""",
                {"run_id": run_id})
    return PanelSummary(findings_new=new, findings_resolved=resolved, findings_reopened=reopened)


def evaluate(con, run_id: str, text_rules: bool, new_cells: str = "cells") -> PanelSummary:
    """Evaluate the panel rules for this run (inside the caller's transaction, after the batch's reports,
    cells, sections, statements and panel inputs are loaded; needs load's `new_reports` temp table).
    `text_rules`: the run loaded statements, so TEXT_TABLE and YEAR_MISMATCH are evaluated for its new
    reports (otherwise they are not evaluated at all). `new_cells`: a relation holding the new reports'
    cells (write_run passes its registered batch frame, sparing a scan of the cells table)."""
    con.execute(_MACROS)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE panel_out (
            report_id VARCHAR, rule_id VARCHAR, table_id VARCHAR, row_key VARCHAR, col_key VARCHAR,
            expected DOUBLE, observed DOUBLE, message VARCHAR, status VARCHAR)  -- status NULL = evaluated, passed""")
    targets = _targets(con)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE panel_text AS      -- new reports whose statements were loaded
        SELECT n.report_id FROM new_reports AS n WHERE n.status <> 'failed' AND {str(bool(text_rules)).lower()}""")
    n_text = con.execute("SELECT count(*) FROM panel_text").fetchone()[0]
    if targets:
        _backfill(con)
        _panel_cells(con)
        _carry_over(con)
        _t2_stock(con)
        _copy(con)
    if n_text:
        _text_table(con, new_cells)
        _year_mismatch(con)
    summary = _store(con, run_id, "panel_pairs", "panel_text")
    summary.targets, summary.text_reports = targets, n_text
    return summary
