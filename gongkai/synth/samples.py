"""The bundled sample harvest (data/harvest/): real reports plus generated ones that trip each rule.

    python -m gongkai.synth.samples data/harvest     # regenerate (deterministic)

Each generated report carries one defect from `DEFECTS`, so `make audit` shows every rule firing on
a report built to break it; `clean_*` files are balanced and must give no finding. Three files are
not reports at all (random bytes, an empty file, an unrelated web page) and must each get a failed
`reports` row with a one-line reason.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from gongkai.synth.render_docx import render_docx
from gongkai.synth.render_html import render_html
from gongkai.synth.render_pdf import render_pdf
from gongkai.synth.render_text import render_text
from gongkai.synth.report import make_report

# (file stem, agency, year, defects, rendering)
SAMPLES = [
    ("clean_txt", "示范县人民政府办公室", 2023, (), "txt"),
    ("clean_portal_gbk", "示范县教育局", 2023, (), "portal_gbk"),
    ("t3_balance", "示范县公安局", 2023, ("t3_balance",), "html"),
    ("t3_total_column", "示范县民政局", 2023, ("t3_total_column",), "txt"),
    ("t3_outcome_sum", "示范县财政局", 2023, ("t3_outcome_sum",), "portal_gbk"),
    ("t4_total", "示范县自然资源局", 2023, ("t4_total",), "txt"),
    ("blank_cell", "示范县住房和城乡建设局", 2023, ("blank_cell",), "html"),
    ("dash_cell", "示范县交通运输局", 2023, ("dash_cell",), "txt"),
    ("negative_cell", "示范县农业农村局", 2023, ("negative_cell",), "html"),
    ("fraction_cell", "示范县商务局", 2023, ("fraction_cell",), "txt"),
    ("missing_section", "示范县文化广电和旅游局", 2023, ("missing_section",), "html"),
    ("missing_table", "示范县卫生健康委员会", 2023, ("missing_table",), "txt"),
    ("outdated_format", "示范县市场监督管理局", 2022, ("outdated_format",), "html"),
    ("clean_docx", "示范县司法局", 2023, (), "docx"),
    ("clean_pdf", "示范县审计局", 2023, (), "pdf"),
    ("docx_blank_cell", "示范县应急管理局", 2023, ("blank_cell",), "docx"),
    ("pdf_t3_balance", "示范县水利局", 2023, ("t3_balance",), "pdf"),
]
EXTENSIONS = {"txt": "txt", "html": "html", "portal_gbk": "html", "docx": "docx", "pdf": "pdf"}
SEED = 20231


def sample_name(stem: str, year: int, rendering: str) -> str:
    return f"sample_{stem}_{year}.{EXTENSIONS[rendering]}"


def _render(r, rendering: str) -> bytes:
    if rendering == "txt":
        return render_text(r)
    if rendering == "portal_gbk":
        return render_html(r, portal=True, encoding="gbk")
    if rendering == "docx":
        return render_docx(r)
    if rendering == "pdf":
        return render_pdf(r)
    return render_html(r)


def write_samples(out: Path) -> list[Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    manifest = []
    for stem, agency, year, defects, rendering in SAMPLES:
        r = make_report(SEED, agency, year, defects, region="示范县")
        path = out / sample_name(stem, year, rendering)
        path.write_bytes(_render(r, rendering))
        written.append(path)
        manifest.append({"path": path.name, "url": f"http://www.example.gov.cn/xxgk/gknb/{path.name}", "region": "示范县"})
    rng = random.Random(SEED)
    junk = {
        "broken_random_bytes.html": bytes(rng.randrange(256) for _ in range(2048)),
        "broken_empty.txt": b"",
        "broken_not_a_report.html": "<html><head><meta charset='utf-8'><title>通知公告</title></head><body><p>关于开展春季植树活动的通知</p><p>各单位：请于3月12日前报名。</p></body></html>".encode(),
    }
    for name, data in junk.items():
        (out / name).write_bytes(data)
        written.append(out / name)
    with (out / "manifest.jsonl").open("w", encoding="utf-8") as fh:
        for entry in manifest:
            fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return written


if __name__ == "__main__":  # pragma: no cover
    for p in write_samples(Path(sys.argv[1] if len(sys.argv) > 1 else "data/harvest")):
        print(p)
