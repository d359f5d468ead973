"""A batch's narrative as frames: each report's section texts (section_texts; the fingerprints
read them too) and the numbers they state with the year they report on (statements_frame).

Computed in the parse step, where the text is at hand (`batch.sections`); the warehouse's panel rules
(gongkai/warehouse/panel/) compare them with the tables in SQL:

    statements_frame(batch)    → report_id, fact, value (float64), sentence       (TEXT_TABLE, YEAR_MISMATCH)
    extract(text)              → [(fact, value, sentence)] of one text            (gongkai.report.statements)
    report_year(text)          → the year a text reports on, or None              (gongkai.report.year)

Statements come from section 一 (总体情况), section 六 (其他需要报告的事项) and, when a parser keeps it as
section_no 0, the introduction before 一 (STATEMENT_SECTIONS). The facts, their phrasings and how a count is
read: gongkai.report.statements; the year: gongkai.report.year.

Fingerprints for XY_COPY (cell digests, text sketches) are in gongkai.fingerprints.
"""

from __future__ import annotations

from typing import Protocol

import pandas as pd

from gongkai.report.statements import extract
from gongkai.report.year import stated_year

STATEMENT_COLUMNS = ["report_id", "fact", "value", "sentence"]
STATEMENT_SECTIONS = (0, 1, 6)      # 0 = introduction, when a parser keeps it
YEAR_FACT = "report_year"


def section_texts(sections: pd.DataFrame) -> dict[str, dict[int, str]]:
    s = sections[sections["present"].astype(bool) & sections["text"].notna()]
    out: dict[str, dict[int, str]] = {}
    for rid, no, text in zip(s["report_id"].tolist(), s["section_no"].tolist(), s["text"].tolist()):
        out.setdefault(rid, {})[int(no)] = text
    return out


class HasSections(Protocol):
    """What statements_frame reads of a batch (gongkai.report.batch.Batch or any frames holder)."""

    @property
    def sections(self) -> pd.DataFrame: ...


def statements_frame(batch: HasSections) -> pd.DataFrame:
    """One row per stated count (and one `report_year` row when the text names its year) of every report
    of the batch that has sections; `value` is float64, rows in text order within a report."""
    rows: dict[str, list[str | float]] = {c: [] for c in STATEMENT_COLUMNS}
    for rid, secs in section_texts(batch.sections).items():
        seen = set()
        for no in STATEMENT_SECTIONS:
            for fact, value, sentence in extract(secs.get(no)):
                if (fact, value, sentence) in seen:
                    continue
                seen.add((fact, value, sentence))
                rows["report_id"].append(rid)
                rows["fact"].append(fact)
                rows["value"].append(value)
                rows["sentence"].append(sentence)
        year = stated_year([secs.get(0), secs.get(1)])
        if year is not None:
            rows["report_id"].append(rid)
            rows["fact"].append(YEAR_FACT)
            rows["value"].append(float(year[0]))
            rows["sentence"].append(year[1])
    return pd.DataFrame(rows, columns=STATEMENT_COLUMNS).astype(
        {"report_id": "string", "fact": "string", "value": "float64", "sentence": "string"})
