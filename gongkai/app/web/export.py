"""Exports of the findings list with the current filters (DASHBOARD.md §5): xlsx (sheets 问题清单, 规则说明,
导出参数) and CSV (UTF-8 BOM). Every harvested string is written as text: in xlsx with the string data type
(openpyxl would store a value beginning with `=` as a formula), in CSV prefixed with an apostrophe when it
starts with = + - @ (or a tab / carriage return)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from gongkai.app.web.printed import fmt_num
from gongkai.form import template

HEADER = ["序号 No.", "地区 Region", "单位 Agency", "年度 Year", "表 Table", "行 Row", "列 Column", "规则 Rule",
          "说明 Message", "应为 Expected", "实为 Observed", "差额 Difference", "复核状态 Review", "复核意见 Note",
          "复核人 Reviewer", "复核时间 Reviewed at", "整改期限 Deadline", "链接 Link", "批次 Run"]
RISKY = ("=", "+", "-", "@", "\t", "\r")


def _row(i: int, f: dict[str, Any], base: str) -> list[Any]:
    t, r, c = f.get("table_id"), f.get("row_key"), f.get("col_key")
    ev = f.get("event") or {}
    diff = f["observed"] - f["expected"] if f.get("expected") is not None and f.get("observed") is not None else None
    return [
        i, f.get("region"), f.get("agency"), f.get("year"), template.table_zh(t) if t else None,
        template.row_label(t, r) if t and r else None, template.col_label(t, c) if t and c else None,
        f.get("rule_id"), f.get("message"), f.get("expected"), f.get("observed"), diff, f.get("review"),
        ev.get("note") or ev.get("reason") or f.get("note"), ev.get("reviewer") or f.get("reviewer"),
        ev.get("decided_at") or (str(f["decided_at"]) if f.get("decided_at") else None),
        ev.get("deadline") if f.get("review") == "notified" else None,
        f"{base}reports/{quote(str(f['report_id']))}?focus={quote(str(f['finding_id']))}", f.get("run_id"),
    ]


def filename(filters: dict[str, str], ext: str) -> str:
    parts = ["问题清单", filters.get("region") or "全部", filters.get("year") or "全部年度",
             datetime.now(UTC).strftime("%Y%m%d")]
    name = "_".join(p.replace("/", "-") for p in parts)
    return f"{name}.{ext}"


def disposition(name: str, fallback: str) -> str:
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


def _text(v: Any) -> str:
    s = "" if v is None else (fmt_num(v) if isinstance(v, float) else str(v))
    return "'" + s if s.startswith(RISKY) else s


def to_csv(items: list[dict[str, Any]], base: str) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    w.writerow(HEADER)
    for i, f in enumerate(items, 1):
        w.writerow([_text(v) for v in _row(i, f, base)])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(items: list[dict[str, Any]], base: str, rules: list[dict[str, Any]], params: dict[str, str]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "问题清单"
    ws.append(HEADER)
    for i, f in enumerate(items, 1):
        ws.append([None] * len(HEADER))
        for j, v in enumerate(_row(i, f, base), 1):
            cell = ws.cell(row=i + 1, column=j)
            if isinstance(v, int | float) and not isinstance(v, bool):
                cell.value = v
            elif v is not None:
                cell.value = str(v)
                cell.data_type = "s"  # text, never a formula
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    used = sorted({str(f["rule_id"]) for f in items})
    rs = wb.create_sheet("规则说明")
    rs.append(["规则 Rule", "类别 Family", "严重性 Severity", "名称 Title (zh)", "Title (en)", "说明 Description"])
    for r in rules:
        if r["rule_id"] in used:
            rs.append([str(r.get(k) or "") for k in ("rule_id", "family", "severity", "title_zh", "title_en", "description")])
            for cell in rs[rs.max_row]:
                cell.data_type = "s"
    ps = wb.create_sheet("导出参数")
    for k, v in params.items():
        ps.append([k, str(v)])
        for cell in ps[ps.max_row]:
            cell.data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
