"""The rule of each screening finding (:func:`_apply_rules`): one rules-file lookup per distinct case
(kind, relation, zone, distance band), found by integer case codes rather than per row."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ecogis.rules import VERDICTS, RuleSet

NO_RULE_ZH = "无适用筛查规则，仅供参考。"
NO_RULE_EN = "No screening rule applies; reported for information."


def _apply_rules(frame: pd.DataFrame, ruleset: RuleSet, site_use: object) -> pd.DataFrame:
    """Attach verdict, rule id, rule text (zh) and basis; one rule lookup per distinct case, not per row."""
    frame = frame.copy(deep=False)  # the caller's frame keeps its columns
    if len(frame) == 0:
        for col in ("verdict", "rule_id", "rule", "rule_en", "basis"):
            frame[col] = pd.Series(dtype=object)
        return frame
    thresholds = sorted({r.within_m for r in ruleset.rules if r.within_m})
    dist = frame["distance_m"].to_numpy(dtype=float)
    # one integer per case: kind, relation, zone and distance band (rules only compare the distance with
    # their within_m: one band per threshold)
    codes = [pd.factorize(frame["kind"])[0], pd.factorize(frame["relation"])[0],
             pd.factorize(frame["zone"], use_na_sentinel=False)[0],
             np.searchsorted(np.asarray(thresholds + [np.inf]), np.nan_to_num(dist), side="left")]
    case = np.zeros(len(frame), dtype=np.int64)
    for c in codes:
        case = case * (int(c.max()) + 1) + c
    _, first, which = np.unique(case, return_index=True, return_inverse=True)
    kinds, relations, zones = (frame[col].iloc[first].to_numpy(dtype=object) for col in ("kind", "relation", "zone"))
    looked_up = []
    for z, kind, relation, d in zip(zones, kinds, relations, dist[first]):
        rule = ruleset.match(kind, relation, zone=z if pd.notna(z) else None,
                             distance_m=None if np.isnan(d) else float(d), site_use=site_use)
        looked_up.append((rule.verdict, rule.id, rule.rule_zh, rule.rule_en, rule.basis) if rule
                         else (VERDICTS[0], None, NO_RULE_ZH, NO_RULE_EN, ""))
    table = np.empty((len(first), 5), dtype=object)
    table[:] = looked_up
    which = which.ravel()
    for j, col in enumerate(("verdict", "rule_id")):
        frame[col] = taken(table[:, j], which)
    for j, col in enumerate(("rule", "rule_en", "basis"), start=2):
        # the long texts: Python objects shared by the rows of one case (no copy of the text per row)
        frame[col] = pd.Series(table[which, j], index=frame.index, dtype=object)
    return frame


def taken(values: np.ndarray, which: np.ndarray) -> Any:
    """``values[which]`` as the pandas column that ``values[which]`` would become, built from the few
    distinct ``values`` (converted once) instead of converting every row's string. Text columns are
    gathered in numpy into buffers that Arrow wraps without copying (:func:`_gathered_text`)."""
    column = pd.Series(values).array
    if not isinstance(column.dtype, pd.StringDtype) or column.dtype.storage != "pyarrow":
        return column.take(which)
    chunks = column.__arrow_array__()
    text = chunks.chunk(0) if chunks.num_chunks == 1 else chunks.combine_chunks()
    if text.type != pa.large_string():
        return column.take(which)
    return pd.array(_gathered_text(text, np.asarray(which, dtype=np.int64)), dtype=column.dtype)


def _gathered_text(text: pa.LargeStringArray, which: np.ndarray) -> pa.LargeStringArray:
    """``text.take(which)`` by numpy gathers of its offsets, bytes and validity (no Arrow allocation)."""
    _, offsets_buf, data_buf = text.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int64)[text.offset:text.offset + len(text) + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    start, length = offsets[:-1][which], np.diff(offsets)[which]
    new_offsets = np.r_[0, np.cumsum(length)]
    data = data[np.repeat(start - new_offsets[:-1], length) + np.arange(new_offsets[-1])]
    valid = text.is_valid().to_numpy(zero_copy_only=False)[which]
    nulls = len(which) - int(valid.sum())
    mask = pa.py_buffer(np.packbits(valid, bitorder="little")) if nulls else None
    return pa.LargeStringArray.from_buffers(len(which), pa.py_buffer(new_offsets), pa.py_buffer(data), mask, nulls)
