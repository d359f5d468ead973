"""Server-drawn SVG charts (DASHBOARD.md §6): geometry computed here, drawn by templates/charts.html with
presentation attributes only (no inline style or script: the CSP holds), every mark labelled with its number
and a <title>, and each chart followed by a <table> of the same numbers. Colour is never the only cue: bars
carry their value as text and the second series is hatched; heat-map cells print count and rate."""

from __future__ import annotations

from dataclasses import dataclass, field

HEAT = ["#f7f7f7", "#fde0dd", "#fcbba1", "#fc9272", "#ef3b2c", "#a50f15"]  # 0 %, then by fifths


@dataclass
class Mark:
    x: float
    y: float
    w: float
    h: float
    fill: str
    label: str            # printed on or above the mark
    title: str            # tooltip (<title>)
    href: str | None = None
    hatch: bool = False
    dark: bool = False    # a dark fill: the label is printed in white


@dataclass
class Chart:
    title: str
    width: int
    height: int
    marks: list[Mark] = field(default_factory=list)
    axis: list[tuple[float, float, str]] = field(default_factory=list)   # (x, y, text) category labels
    legend: list[tuple[str, bool, str]] = field(default_factory=list)   # (fill, hatch, text)


def bars(title: str, categories: list[str], series: list[tuple[str, str, bool, list[int]]],
         hrefs: list[str | None] | None = None, width: int = 520, height: int = 200) -> Chart:
    """Grouped bars: one group per category, one bar per series (name, fill, hatched, values)."""
    chart = Chart(title, width, height, legend=[(fill, hatch, name) for name, fill, hatch, _ in series])
    top, bottom, left = 26, 30, 8
    peak = max([v for _, _, _, vals in series for v in vals] + [1])
    group = (width - left * 2) / max(len(categories), 1)
    bar_w = min(36.0, (group - 10) / max(len(series), 1))
    plot = height - top - bottom
    for i, cat in enumerate(categories):
        x0 = left + i * group + (group - bar_w * len(series)) / 2
        for j, (name, fill, hatch, vals) in enumerate(series):
            v = vals[i]
            h = plot * v / peak
            chart.marks.append(Mark(x0 + j * bar_w, top + plot - h, bar_w - 2, h, fill, str(v), f"{cat} · {name}: {v}",
                                    hrefs[i] if hrefs else None, hatch))
        chart.axis.append((left + i * group + group / 2, height - bottom + 16, cat))
    return chart


def heat_map(title: str, rows: list[str], cols: list[str], cells: dict[tuple[str, str], tuple[int, int]],
             hrefs: dict[tuple[str, str], str] | None = None, cell_w: int = 84, cell_h: int = 30,
             label_w: int = 170) -> Chart:
    """Rows × columns of (failing, evaluated): shade by rate, text 'failing/evaluated rate%' in each cell."""
    width, height = label_w + cell_w * max(len(cols), 1) + 8, 24 + cell_h * max(len(rows), 1) + 8
    chart = Chart(title, width, height, legend=[(HEAT[0], False, "0%"), (HEAT[2], False, "≤ 40%"),
                                                (HEAT[5], False, "> 80%")])
    for j, c in enumerate(cols):
        chart.axis.append((label_w + j * cell_w + cell_w / 2, 16, c))
    for i, r in enumerate(rows):
        chart.axis.append((4, 24 + i * cell_h + cell_h / 2 + 4, r))
        for j, c in enumerate(cols):
            failing, evaluated = cells.get((r, c), (0, 0))
            x, y = label_w + j * cell_w, 24 + i * cell_h
            if not evaluated:
                chart.marks.append(Mark(x, y, cell_w - 2, cell_h - 2, "#ffffff", "—", f"{r} · {c}: 未核对 not evaluated"))
                continue
            rate = failing / evaluated
            shade = 0 if failing == 0 else min(5, 1 + int(rate * 5 - 1e-9))
            chart.marks.append(Mark(x, y, cell_w - 2, cell_h - 2, HEAT[shade], f"{failing}/{evaluated} {rate:.0%}",
                                    f"{r} · {c}: 不通过 failing {failing} / 已核对 evaluated {evaluated} = {rate:.0%}",
                                    (hrefs or {}).get((r, c)), dark=shade >= 4))
    return chart
