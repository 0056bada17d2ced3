"""The findings of a chunk of sites as one DataFrame: the pair columns of every layer
(:func:`ecogis.screen_pairs.pairs_findings`) with the site, layer and feature labels.

The frame is the one pandas would concatenate from one frame per layer (the same columns, values and
dtypes), built in one pass: the numeric columns are concatenated in numpy and each text column is
converted once for the chunk from the distinct values its rows use, not once per layer."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ecogis.screen_index import IndexedLayer
from ecogis.screen_pairs import Columns
from ecogis.screen_rules import taken

#: the label columns, before the pair columns
LABEL_COLUMNS = ["site", "site_name", "layer", "kind", "feature", "zone"]


def findings_frame(found: list[tuple[IndexedLayer, Columns]], site_ids: np.ndarray,
                   site_names: np.ndarray) -> pd.DataFrame | None:
    """The findings of the layers in ``found`` (layer, its pair columns) in layer order; None when no
    layer has a finding."""
    found = [(lyr, cols) for lyr, cols in found if len(cols["_s"])]
    if not found:
        return None
    if len(found) == 1:
        return layer_frame(*found[0], site_ids, site_names)
    s = [cols["_s"] for _, cols in found]
    f = [cols["_f"] for _, cols in found]
    which_layer = np.repeat(np.arange(len(found)), [len(c) for c in s])
    data = {"site": _texts([site_ids] * len(s), s), "site_name": _texts([site_names] * len(s), s),
            "layer": taken(np.array([lyr.name for lyr, _ in found], dtype=object), which_layer),
            "kind": taken(np.array([lyr.kind for lyr, _ in found], dtype=object), which_layer),
            "feature": _texts([lyr.labels for lyr, _ in found], f), "zone": _texts([lyr.zones for lyr, _ in found], f)}
    for key in found[0][1]:
        data[key] = _concatenated([cols[key] for _, cols in found])
    frame = pd.DataFrame(data)
    frame["_feature_index"] = np.concatenate([lyr.index[fi] for (lyr, _), fi in zip(found, f)])
    return frame


def layer_frame(lyr: IndexedLayer, cols: Columns, site_ids: np.ndarray, site_names: np.ndarray) -> pd.DataFrame:
    """One layer's findings as a DataFrame from its pair columns (site/feature labels by indexing)."""
    s, f = cols["_s"], cols["_f"]
    same = np.zeros(len(s), dtype=np.intp)
    fr = pd.DataFrame({"site": _text(site_ids, s), "site_name": _text(site_names, s),
                       "layer": taken(np.array([lyr.name], dtype=object), same),
                       "kind": taken(np.array([lyr.kind], dtype=object), same),
                       "feature": _text(lyr.labels, f), "zone": _text(lyr.zones, f), **cols})
    fr["_feature_index"] = lyr.index[f]
    return fr


def _text(values: np.ndarray, which: np.ndarray) -> Any:
    """The column ``values[which]`` (labels by position) as pandas makes it, converted from the distinct
    values used only (:func:`ecogis.screen_rules.taken`), not row by row."""
    used, codes = _used(values, which)
    return taken(used, codes)


def _used(values: np.ndarray, which: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The values ``which`` uses, in their order in ``values``, and each row's position among them."""
    present = np.bincount(which, minlength=len(values)) > 0
    return values[present], (np.cumsum(present) - 1)[which]


def _texts(values: list[np.ndarray], which: list[np.ndarray]) -> Any:
    """The concatenation of the columns ``_text(values[i], which[i])``, as pandas concatenates them: a
    text column when every part is one, else an object column (a part without any text, only missing
    values, is an object column of ``None``; the missing values of a text part are NaN there)."""
    parts = [_used(v, w) for v, w in zip(values, which)]
    arrays = [pd.Series(used).array for used, _ in parts]
    offsets = np.cumsum([0] + [len(used) for used, _ in parts[:-1]])
    codes = np.concatenate([c + o for (_, c), o in zip(parts, offsets)])
    if all(isinstance(a.dtype, pd.StringDtype) for a in arrays):
        return taken(np.concatenate([used for used, _ in parts]), codes)
    # a Series keeps the object dtype (a plain object array or pandas array of text would become text)
    return pd.Series(np.concatenate([np.asarray(a, dtype=object) for a in arrays])[codes], dtype=object)


def _concatenated(columns: list[Any]) -> Any:
    """One pair column of every layer concatenated: numpy arrays by numpy, pandas arrays (the relation
    texts) as pandas concatenates them."""
    if all(isinstance(c, np.ndarray) for c in columns):
        return np.concatenate(columns)
    return pd.concat([pd.Series(c) for c in columns], ignore_index=True).array
