"""Messages of the identity findings, rendered from the declaration's templates (vectorised over instances).

Placeholders (gongkai/checks/identities.toml): {subject} (the identity's `subject`, itself with {table},
{row}, {col}, {group}), {expected} / {observed} (the two sides), {expected_terms} / {observed_terms}
(label(value)+… of a side's operands), any operand key (its value), and in the not-assessable message
{operands} (every non-numeric operand: 「label」为空白 / 未能识别 (unread: our misread) / 缺失 / 为「raw」, '、'-joined) and {identity}.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from gongkai.checks.errors import GXCheckError
from gongkai.checks.identities import Identity, Instance, finding_keys, union_keys
from gongkai.checks.wide import Dense, Wide
from gongkai.findings import fmt
from gongkai.form.cells import UNREAD
from gongkai.form.template import col_label, row_label, t4_group_label, table_zh

Fields = Mapping[str, Callable[[], "str | np.ndarray"]]


def render(template: str, fields: Fields, n: int, rule_id: str) -> np.ndarray:
    """The template for n instances; each field gives a scalar or an array of n strings."""
    out = np.full(n, "", dtype=object)
    for literal, name, _, _ in string.Formatter().parse(template):
        out = out + literal
        if name is not None:
            if name not in fields:
                raise GXCheckError(f"{rule_id}: unknown placeholder {{{name}}} in {template!r}")
            out = out + fields[name]()
    return out


def subject(identity: Identity, inst: Instance, w: Wide, rows: np.ndarray) -> np.ndarray:
    t, over = w.suite.table, w.suite.over
    observed = finding_keys(w.suite, inst)[1] or ""
    fields: dict[str, Callable[[], str | np.ndarray]] = {
        "table": lambda: table_zh(t),
        "group": lambda: t4_group_label(observed.rsplit("_", 1)[0]),
    }
    if over in ("row", "column"):
        keys = np.asarray(union_keys(t, over), dtype=object)[w.pos[rows]]
        label = row_label if over == "row" else col_label
        fields["row" if over == "row" else "col"] = lambda: np.array([label(t, k) for k in keys], dtype=object)
    return render(identity.subject, fields, len(rows), identity.rule_id)


def _terms(inst: Instance, w: Wide, rows: np.ndarray, side: str) -> np.ndarray:
    labels = dict(zip(w.columns, w.labels, strict=True))
    out = np.full(len(rows), "", dtype=object)
    for v, keys in enumerate(getattr(inst, side)):
        mine = w.lcode[rows] == v
        text = np.full(int(mine.sum()), "", dtype=object)
        for i, k in enumerate(keys):
            text = text + ("+" if i else "") + labels[k] + "(" + fmt(w.df[k].to_numpy()[rows[mine]]) + ")"
        out[mine] = text
    return out


def _value_of(w: Wide, key: str, rows: np.ndarray) -> Callable[[], np.ndarray]:
    return lambda: fmt(w.df[key].to_numpy()[rows])


def fail_message(identity: Identity, inst: Instance, w: Wide, rows: np.ndarray, exp: np.ndarray,
                 obs: np.ndarray) -> np.ndarray:
    fields: dict[str, Callable[[], str | np.ndarray]] = {
        "subject": lambda: subject(identity, inst, w, rows),
        "expected": lambda: fmt(exp),
        "observed": lambda: fmt(obs),
        "expected_terms": lambda: _terms(inst, w, rows, "expected"),
        "observed_terms": lambda: _terms(inst, w, rows, "observed"),
    }
    for k in w.columns:
        fields.setdefault(k, _value_of(w, k, rows))
    return render(identity.fail, fields, len(rows), identity.rule_id)


def _join(groups: np.ndarray, text: np.ndarray) -> np.ndarray:
    """'、'-join text per consecutive run of equal group ids (groups sorted)."""
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    joined = np.add.reduceat(text + "、", starts)
    return np.array([s[:-1] for s in joined], dtype=object)


def _non_numeric(identity: Identity, inst: Instance, w: Wide, rows: np.ndarray, dn: Dense,
                 cells: pd.DataFrame) -> np.ndarray:
    """Per instance: every operand that is not a number, described as in the form."""
    at = w.operand_positions(inst)[rows]
    d = np.where(at >= 0, np.take_along_axis(w.cells[rows], np.maximum(at, 0), axis=1), -1)
    rep = w.rep[rows]
    bad = (d >= 0) & np.isnan(dn.value[rep[:, None], np.maximum(d, 0)])
    inst_no, j = np.nonzero(bad)
    pos = dn.pos[rep[inst_no], d[inst_no, j]]
    present = pos >= 0
    sem = np.full(len(pos), "absent", object)
    raw = np.full(len(pos), "", object)
    sem[present] = cells["semantic"].take(pos[present]).to_numpy(object, na_value="")
    raw[present] = cells["raw"].take(pos[present]).to_numpy(object, na_value="")
    state = np.select([sem == "blank", sem == UNREAD, sem == "absent"], ["为空白", "未能识别", "缺失"],
                      "为「" + raw + "」").astype(object)
    desc = "「" + w.labels[at[inst_no, j]] + "」" + state
    joined = _join(inst_no, desc) if len(inst_no) else np.zeros(0, object)
    if len(joined) != len(rows):
        raise GXCheckError(f"{identity.rule_id}: a not-assessable instance without a non-numeric operand")
    return joined


def not_assessable_message(identity: Identity, inst: Instance, w: Wide, rows: np.ndarray, dn: Dense,
                           cells: pd.DataFrame) -> np.ndarray:
    fields: dict[str, Callable[[], str | np.ndarray]] = {
        "subject": lambda: subject(identity, inst, w, rows),
        "operands": lambda: _non_numeric(identity, inst, w, rows, dn, cells),
        "identity": lambda: identity.identity_zh,
    }
    return render(identity.not_assessable, fields, len(rows), identity.rule_id)
