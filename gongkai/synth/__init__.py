"""Realistic synthetic 政府信息公开工作年度报告 for tests and benchmarks.

    balanced_numbers(rng, version="2021")        every template cell, every identity holding
    make_report(seed, agency, year, defects=())  → SynthReport (printed cells, sections, expected findings);
                                                 PANEL_DEFECTS (text_contradiction, copy_previous, copy_text,
                                                 carry_over_break) for the warehouse's panel rules;
                                                 LAYOUT_DEFECTS (mixed_format: 表三 （六）其他处理 as one row
                                                 under 2021 labels, as in the 洪泽 PDFs) in every rendering
    render_text(r) / render_html(r, portal=False, encoding="utf-8")  → bytes
    render_docx(r) / render_pdf(r)               → bytes (Word .docx with merged cells; A4 PDF with a text
                                                 layer, ruled tables across pages, running headers)
    write_corpus(out, n_agencies, years, ...)    → path of truth.jsonl (files + manifest.jsonl + truth.jsonl)
    evaluate(cells, version=...)                 the independent reference evaluator (DESIGN §6)

Layout and labels come from `gongkai.template`; the expected findings come from `synth.evaluate`, which
shares no code with the project's parsers and checks.
"""

from gongkai.synth.corpus import RENDERINGS, agencies, write_corpus
from gongkai.synth.evaluate import evaluate, evaluate_cross_year, evaluate_text, read_cell
from gongkai.synth.numbers import balanced_numbers, layout
from gongkai.synth.render_html import render_html
from gongkai.synth.render_pdf import render_pdf
from gongkai.synth.render_text import render_text
from gongkai.synth.report import ALL_DEFECTS, DEFECTS, LAYOUT_DEFECTS, PANEL_DEFECTS, SynthReport, make_report

__all__ = [
    "ALL_DEFECTS", "DEFECTS", "LAYOUT_DEFECTS", "PANEL_DEFECTS", "RENDERINGS", "SynthReport", "agencies", "balanced_numbers",
    "evaluate", "evaluate_cross_year", "evaluate_text",
    "layout", "make_report", "read_cell", "render_html", "render_pdf", "render_text", "write_corpus",
]
