"""Files of the datum transformation: the control-point table and the parameter YAML (see ecogis.transform).

Control points (CSV, UTF-8 or GBK): one row per common point with its name and its coordinates in both
systems, in surveying order (X = northing, Y = easting, as the coordinate tables of surveyors have them),
heights optional::

    点号,X1,Y1,H1,X2,Y2,H2
    K1,4534012.345,41512345.678,12.3,4534009.876,41512458.901,14.1

Column names accepted: 点号/name; source X1/src_x/源X, Y1/src_y/源Y, H1/src_h/源H; target X2/dst_x/目标X,
Y2/dst_y/目标Y, H2/dst_h/目标H.
"""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ecogis.error_messages import Phrase, error, joined, phrase
from ecogis.io.text import check_control_characters, decode_text
from ecogis.outputs import atomic_path
from ecogis.transform import METHODS, TransformFit
from ecogis.yamlio import load_yaml

COLUMNS = {
    "name": ("点号", "name", "点名", "id"),
    "src_x": ("X1", "src_x", "源X", "x1"), "src_y": ("Y1", "src_y", "源Y", "y1"), "src_h": ("H1", "src_h", "源H", "h1"),
    "dst_x": ("X2", "dst_x", "目标X", "x2"), "dst_y": ("Y2", "dst_y", "目标Y", "y2"),
    "dst_h": ("H2", "dst_h", "目标H", "h2"),
}
REQUIRED = ("src_x", "src_y", "dst_x", "dst_y")


def read_control_points(path, notes=None) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(names, source, target) of a control-point CSV; source/target are (n, 3) easting, northing, height."""
    path = Path(path)
    if not path.exists():
        raise error("sites.not_found", path=path, hint="sites.check_path")
    text, _, _ = decode_text(path.read_bytes(), path, notes)
    table = pd.read_csv(io.StringIO(check_control_characters(text, path)), dtype=str, skipinitialspace=True)
    table.columns = [str(c).strip() for c in table.columns]
    found = {role: next((c for c in names if c in table.columns), None) for role, names in COLUMNS.items()}
    missing = [COLUMNS[r][0] for r in REQUIRED if found[r] is None]
    if missing:
        raise error("sites.no_point_column", missing=", ".join(missing), columns=", ".join(table.columns), path=path,
                    hint="sites.point_columns")
    values = {}
    for role, column in found.items():
        if role == "name" or column is None:
            continue
        numbers = pd.to_numeric(table[column].str.strip(), errors="coerce")
        bad = np.flatnonzero(~np.isfinite(numbers.to_numpy(dtype=float)))
        if len(bad):
            raise error("sites.not_a_number", row=bad[0] + 1, column=column, value=table[column].iat[bad[0]], path=path,
                        field=column, hint="sites.decimal_point")
        values[role] = numbers.to_numpy(dtype=float)
    zeros = np.zeros(len(table))
    source = np.column_stack([values["src_y"], values["src_x"], values.get("src_h", zeros)])
    target = np.column_stack([values["dst_y"], values["dst_x"], values.get("dst_h", zeros)])
    names = table[found["name"]].tolist() if found["name"] else [str(i + 1) for i in range(len(table))]
    return [str(n) for n in names], source, target


def write_params(fit: TransformFit, path, *, overwrite=False, inputs=()) -> Path:
    """Write ``fit`` as a parameter YAML (atomically; refusing to overwrite unless ``overwrite``)."""
    text = ("# datum transformation fitted by `ecogis transform fit`; applied by PROJ with the pipeline below\n"
            + yaml.safe_dump(fit.to_dict(), allow_unicode=True, sort_keys=False))
    with atomic_path(path, overwrite=overwrite, inputs=inputs) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")
    return Path(path)


def read_params(path) -> TransformFit:
    """The :class:`TransformFit` of a parameter YAML written by :func:`write_params`."""
    data = load_yaml(path)
    if not isinstance(data, dict) or data.get("method") not in METHODS:
        raise error("sites.not_parameter_file", methods=joined([Phrase(en=m, zh=m) for m in METHODS], "sites.or"),
                    path=path, hint="sites.write_parameters")
    keys = ("x", "y", "theta", "s") if data["method"] == "helmert-4" else ("x", "y", "z", "rx", "ry", "rz", "s")
    params = data.get("parameters") or {}
    bad = [k for k in keys if not isinstance(params.get(k), (int, float)) or isinstance(params.get(k), bool)]
    if bad or not data.get("from_crs") or not data.get("to_crs"):
        raise error("sites.bad_parameters", names=", ".join(bad) or "from_crs/to_crs", path=path,
                    hint=phrase("sites.parameter_keys", method=data["method"], keys=", ".join(keys)))
    points = data.get("control_points") or []
    residuals = np.array([[p.get("residual_e_m", 0.0), p.get("residual_n_m", 0.0), p.get("residual_h_m", 0.0)]
                          for p in points], dtype=float).reshape(-1, 3)
    return TransformFit(data["method"], str(data["from_crs"]), str(data["to_crs"]),
                        {k: float(params[k]) for k in keys}, [p.get("name") for p in points], residuals,
                        float(data.get("tolerance_m", 0.05)))
