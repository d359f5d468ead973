"""A synthetic harvest folder: rendered reports + manifest.jsonl + truth.jsonl."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable, Sequence
from pathlib import Path

from gongkai.synth.evaluate import evaluate_cross_year
from gongkai.synth.render_docx import render_docx
from gongkai.synth.render_html import render_html
from gongkai.synth.render_pdf import render_pdf
from gongkai.synth.render_text import render_text
from gongkai.synth.report import DEFECTS, EXCLUSIVE, NEEDS_PREV, PANEL_DEFECTS, SynthReport, make_report

RENDERINGS: dict[str, tuple[Callable[[SynthReport], bytes], str]] = {
    "txt": (render_text, "txt"),
    "html": (lambda r: render_html(r), "html"),
    "html_gbk": (lambda r: render_html(r, encoding="gbk"), "html"),
    "portal": (lambda r: render_html(r, portal=True), "html"),
    "portal_gbk": (lambda r: render_html(r, portal=True, encoding="gbk"), "html"),
    "docx": (render_docx, "docx"),
    "pdf": (render_pdf, "pdf"),
    # PDF layouts beyond the default one (render_pdf.STYLES; issue 10 item 2)
    "pdf_overflow": (lambda r: render_pdf(r, "overflow"), "pdf"),
    "pdf_split": (lambda r: render_pdf(r, "split"), "pdf"),
    "pdf_t2grid": (lambda r: render_pdf(r, "t2grid"), "pdf"),
    "pdf_norules": (lambda r: render_pdf(r, "norules"), "pdf"),
    "pdf_filled": (lambda r: render_pdf(r, "filled"), "pdf"),
    "pdf_t3break": (lambda r: render_pdf(r, "t3break"), "pdf"),
}

_REGIONS = ("沭阳县", "泗阳县", "宿城区", "洪泽区", "淮安区", "清江浦区", "涟水县", "盱眙县", "金湖县", "吴兴区",
            "南浔区", "德清县", "长兴县", "安吉县", "江宁区", "浦口区", "六合区", "溧水区", "高淳区", "海门区",
            "如皋市", "启东市", "兴化市", "靖江市")
_DEPARTMENTS = ("人民政府办公室", "发展和改革局", "教育局", "科学技术局", "工业和信息化局", "公安局", "民政局",
                "司法局", "财政局", "人力资源和社会保障局", "自然资源和规划局", "生态环境局", "住房和城乡建设局",
                "交通运输局", "水利局", "农业农村局", "商务局", "文化广电和旅游局", "卫生健康委员会",
                "退役军人事务局", "应急管理局", "审计局", "市场监督管理局", "医疗保障局", "城市管理局",
                "行政审批局", "统计局")
_TOWNS = "城东 城西 城南 城北 新河 五星 青山 桃源 马厂 高渡 钱集 庙头 湖东 龙庙 三河 仁和 长安 太平 永兴 华冲".split()


def agencies(n: int, seed: int = 0) -> list[dict]:
    """n distinct (agency_id, agency, region) records, deterministic for a seed."""
    rng = random.Random(f"agencies|{seed}")
    combos = [(r, d) for r in _REGIONS for d in _DEPARTMENTS]
    combos += [(r, f"{t}街道办事处") for r in _REGIONS for t in _TOWNS]
    rng.shuffle(combos)
    out = []
    for i in range(n):
        region, dept = combos[i % len(combos)]
        name = f"{region}{dept}" if i < len(combos) else f"{region}{dept[:-2]}第{i // len(combos) + 1}{dept[-2:]}"
        aid = "syn-" + hashlib.sha1(name.encode()).hexdigest()[:10]
        out.append({"agency_id": aid, "agency": name, "region": region,
                    "site": f"r{_REGIONS.index(region):02d}"})
    return out


def choose_defects(seed: int, agency: str, year: int, defect_rate: float) -> tuple[str, ...]:
    rng = random.Random(f"{seed}|defects|{agency}|{year}")
    if rng.random() >= defect_rate:
        return ()
    pool = [d for d in DEFECTS if d != "outdated_format" or year >= 2021]
    return tuple(rng.sample(pool, 2 if rng.random() < 0.25 else 1))


def choose_panel_defects(seed: int, agency: str, year: int, rate: float, chained: bool) -> tuple[str, ...]:
    """At most one of PANEL_DEFECTS (those needing last year's report only when the year is chained)."""
    rng = random.Random(f"{seed}|panel|{agency}|{year}")
    if rate <= 0 or rng.random() >= rate:
        return ()
    pool = [d for d in PANEL_DEFECTS if chained or d not in NEEDS_PREV]
    return (rng.choice(pool),)


MIXED_SHARE = 0.5   # write_corpus's default mixed_rate, as a share of defect_rate


def choose_layout(seed: int, agency: str, year: int, rate: float, defects: Sequence[str]) -> tuple[str, ...]:
    """("mixed_format",) for a `rate` share of the reports of 2021 or later (real files print the mixed
    layout under 2021 labels), drawn on a stream of its own (the other draws stay as they were); never
    beside a defect it excludes (report.EXCLUSIVE)."""
    rng = random.Random(f"{seed}|mixed|{agency}|{year}")
    if rate <= 0 or year < 2021 or rng.random() >= rate:
        return ()
    if any(pair <= {"mixed_format", *defects} for pair in EXCLUSIVE):
        return ()
    return ("mixed_format",)


def write_corpus(out: Path, n_agencies: int, years: Sequence[int],
                 renderings: Sequence[str] = ("txt", "html", "portal_gbk"), defect_rate: float = 0.3,
                 seed: int = 0, truth: Path | None = None, panel_defect_rate: float = 0.0,
                 mixed_rate: float | None = None, indices: Sequence[int] | None = None) -> Path:
    """Write n_agencies × len(years) × len(renderings) report files into `out` (flat, so one
    manifest.jsonl covers them), with manifest.jsonl (path, url, agency, agency_id, region, year) and
    truth.jsonl (one line per file: printed cells and expected findings). Returns the truth path
    (default out/truth.jsonl). Consecutive years of an agency are chained (上年结转 = last year's 结转下年度).
    `panel_defect_rate` > 0 adds, independently of the other defects, one of PANEL_DEFECTS to that share
    of the reports (default 0: corpora as before). `mixed_rate` (default MIXED_SHARE × defect_rate, so a
    corpus without defects has none) prints that share of the reports of 2021 or later in the mixed
    layout (the mixed_format defect, report.LAYOUT_DEFECTS), independently of the other draws; a truth
    line says `"mixed": true` for them. `indices`: write only these of the n_agencies agencies (a part of a
    corpus generated in parallel: the same files as the whole corpus's, each part in its own folder)."""
    bad = [x for x in renderings if x not in RENDERINGS]
    if bad:
        raise ValueError(f"unknown renderings {bad}; choose from {sorted(RENDERINGS)}")
    if mixed_rate is None:
        mixed_rate = MIXED_SHARE * defect_rate
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    truth = Path(truth) if truth is not None else out / "truth.jsonl"
    years = sorted(years)
    with (out / "manifest.jsonl").open("w", encoding="utf-8") as man, truth.open("w", encoding="utf-8") as tru:
        everyone = agencies(n_agencies, seed)
        for ag in (everyone if indices is None else [everyone[i] for i in indices]):
            prev: SynthReport | None = None
            for year in years:
                chained = prev if prev is not None and prev.year == year - 1 else None
                defects = choose_defects(seed, ag["agency"], year, defect_rate) + choose_panel_defects(
                    seed, ag["agency"], year, panel_defect_rate, chained is not None)
                defects += choose_layout(seed, ag["agency"], year, mixed_rate, defects)
                r = make_report(seed, ag["agency"], year, defects, prev=chained, region=ag["region"])
                xy = [] if chained is None else evaluate_cross_year(
                    chained.cells, chained.version, chained.tables_present, r.cells, r.version, r.tables_present,
                    chained.text(), r.text())
                common = {"agency": r.agency, "agency_id": ag["agency_id"], "region": r.region, "year": r.year}
                cells = r.truth_cells()
                for name in renderings:
                    render, ext = RENDERINGS[name]
                    rel = f"{ag['agency_id']}_{year}_{name}.{ext}"
                    (out / rel).write_bytes(render(r))
                    suffix = "doc" if name == "txt" else ext if ext in ("docx", "pdf") else "shtml"
                    url = f"http://www.{ag['site']}.gov.cn/xxgk/gknb/{year + 1}01/{r.report_key}_{name}.{suffix}"
                    man.write(json.dumps({"path": rel, "url": url, **common}, ensure_ascii=False) + "\n")
                    tru.write(json.dumps({
                        "path": rel, "rendering": name, "report_key": r.report_key, **common,
                        "format_version": r.version, "mixed": r.mixed, "defects": list(r.defects),
                        "tables_present": r.tables_present,
                        "sections_present": [s[0] for s in r.sections], "cells": cells,
                        "expected_findings": r.expected_findings, "expected_cross_year": xy, "stated": r.stated,
                    }, ensure_ascii=False) + "\n")
                prev = r
    return truth
