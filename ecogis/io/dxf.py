"""CAD drawings: DXF through GDAL's DXF driver (pyogrio); DWG refused with what to do instead.

A DXF has no CRS: its X is the easting and Y the northing of the drawing, usually Gauss-Kruger metres
(with or without the zone prefix), so :func:`ecogis.io.read.read_layer` infers the CRS as for any other
file without one. Closed polylines and hatches become polygons (GDAL's ``DXF_CLOSED_LINE_AS_POLYGON``;
a polyline whose last vertex repeats its first counts as closed too), open polylines lines; a text entity
inside a polygon becomes its ``name`` (several are joined with "；"). Attribute text is decoded by GDAL
from the drawing's ``$DWGCODEPAGE`` (ANSI_936 = GBK). Identical polygons drawn twice (a hatch over its
boundary polyline) are kept once, and texts outside every polygon are counted in a note.
"""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from ecogis.error_messages import error, phrase
from ecogis.errors import EcogisError
from ecogis.messages import register, say

CAD_SUFFIXES = (".dxf",)
DWG_TOOLS = "ODA File Converter (free), LibreCAD, AutoCAD or 中望CAD/浩辰CAD (Save As > DXF), or QGIS"

register({
    "dxf.layers": ("{path}: DXF read from the CAD layer(s) {layers}: {polygons} polygon(s), {lines} line(s)",
                   "{path}：DXF 读取 CAD 图层 {layers}：面 {polygons} 个，线 {lines} 条"),
    "dxf.duplicates": ("{path}: {count} polygon(s) drawn twice (e.g. a hatch over its boundary) kept once",
                       "{path}：{count} 个重复绘制的面（如填充与其边界线）只保留一个"),
    "dxf.loose_texts": ("{path}: {count} text(s) lie inside no polygon and name nothing (first: {text})",
                        "{path}：{count} 个文字注记不在任何面内，未用作名称（首个：{text}）"),
    "dxf.points": ("{path}: {count} point or block entities without area are not read (only polylines, hatches and "
                   "texts are)",
                   "{path}：{count} 个点或图块实体没有面积，未读取（只读取多段线、填充和文字）"),
})


def dwg_error(path) -> EcogisError:
    """The one-line error for a DWG drawing: GDAL (and ecogis) read DXF, not DWG."""
    return error("sites.dwg", path=path, hint=phrase("sites.convert_dwg", tools=DWG_TOOLS))


def read_dxf(path, cad_layers=None, notes=None) -> gpd.GeoDataFrame:
    """Polygons and lines of a DXF drawing, without CRS (read_layer settles it), with columns ``name``
    (from the texts inside each polygon), ``cad_layer`` and ``handle`` (the entity handle).

    ``cad_layers``: CAD layer names to read (a list, or one string of names separated by commas); default
    all. An unknown name is an EcogisError listing the drawing's layers."""
    path = Path(path)
    frame = _read_entities(path)
    geoms = _close_rings(shapely.force_2d(frame.geometry.values))
    texts = frame["Text"].to_numpy(dtype=object) if "Text" in frame.columns else np.full(len(frame), None)
    is_text = (shapely.get_type_id(geoms) == 0) & np.array([isinstance(t, str) and t.strip() != "" for t in texts])
    picked = _picked_layers(frame, cad_layers, path)  # the texts of every layer can name a polygon
    type_id = shapely.get_type_id(geoms)
    polygonal, linear = picked & np.isin(type_id, (3, 6)), picked & np.isin(type_id, (1, 5))
    other = picked & ~(np.isin(type_id, (1, 3, 5, 6)) | is_text)
    if other.any():
        say("dxf.points", notes, path=path, count=int(other.sum()))
    keep = _first_of_duplicates(geoms, polygonal, path, notes) | linear
    if not keep.any():
        on_layers = phrase("sites.on_cad_layers", layers=", ".join(map(str, cad_layers))) if cad_layers else ""
        raise error("sites.no_closed_shape", layers=on_layers, path=path, hint="sites.draw_closed")
    names = _names_from_texts(geoms[keep], geoms[is_text], texts[is_text], path, notes)
    out = gpd.GeoDataFrame({"name": names, "cad_layer": frame["Layer"].to_numpy()[keep],
                            "handle": frame.get("EntityHandle", frame["Layer"]).to_numpy()[keep]},
                           geometry=list(geoms[keep]))
    layers = ", ".join(dict.fromkeys(map(str, out["cad_layer"])))
    say("dxf.layers", notes, warn=False, path=path, layers=layers, polygons=int(polygonal[keep].sum()),
        lines=int(linear[keep].sum()))
    return out


def _read_entities(path: Path) -> gpd.GeoDataFrame:
    import pyogrio  # here, not at the top: a check whose layers are cached needs no GDAL

    previous = pyogrio.get_gdal_config_option("DXF_CLOSED_LINE_AS_POLYGON")
    pyogrio.set_gdal_config_options({"DXF_CLOSED_LINE_AS_POLYGON": "TRUE"})
    try:
        return pyogrio.read_dataframe(path)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise error("sites.not_dxf", reason=str(exc).splitlines()[0][:160], path=path, hint="sites.save_dxf") from exc
    finally:
        pyogrio.set_gdal_config_options({"DXF_CLOSED_LINE_AS_POLYGON": previous})


def _picked_layers(frame, cad_layers, path) -> np.ndarray:
    """Mask of the entities on the CAD layers asked for (all without ``cad_layers``)."""
    if not cad_layers:
        return np.ones(len(frame), dtype=bool)
    wanted = [s.strip() for s in cad_layers.split(",")] if isinstance(cad_layers, str) else list(cad_layers)
    present = list(dict.fromkeys(map(str, frame["Layer"])))
    missing = [name for name in wanted if name not in present]
    if missing:
        raise error("sites.no_cad_layer", missing=", ".join(missing), path=path,
                    hint=phrase("sites.its_layers", layers=", ".join(present)))
    return frame["Layer"].isin(wanted).to_numpy()


def _close_rings(geoms: np.ndarray) -> np.ndarray:
    """Lines whose last vertex repeats the first (4+ vertices) as polygons: a polyline closed by hand."""
    lines = shapely.get_type_id(geoms) == 1
    closed = np.zeros(len(geoms), dtype=bool)
    closed[lines] = shapely.is_closed(geoms[lines]) & (shapely.get_num_coordinates(geoms[lines]) >= 4)
    out = geoms.copy()
    if closed.any():
        coords, index = shapely.get_coordinates(geoms[closed], return_index=True)
        out[closed] = shapely.polygons(shapely.linearrings(coords, indices=index))
    return out


def _first_of_duplicates(geoms, polygonal, path, notes) -> np.ndarray:
    """Mask of the polygons to keep: the first of each set of equal ones (noted)."""
    keep = polygonal.copy()
    idx = np.flatnonzero(polygonal)
    if len(idx) > 1:
        left, right = shapely.STRtree(geoms[idx]).query(geoms[idx], predicate="covers")
        pair = right > left
        later = right[pair][shapely.equals(geoms[idx][left[pair]], geoms[idx][right[pair]])]
        keep[idx[np.unique(later)]] = False
        if len(later):
            say("dxf.duplicates", notes, path=path, count=int(len(np.unique(later))))
    return keep


def _names_from_texts(geoms, points, texts, path, notes) -> list:
    """Per geometry, the texts inside it (in drawing order) joined with "；", else None."""
    names: list = [None] * len(geoms)
    if len(points) == 0:
        return names
    point_index, geom_index = shapely.STRtree(geoms).query(points, predicate="within")
    for p, g in sorted(zip(point_index.tolist(), geom_index.tolist())):
        text = str(texts[p]).strip()
        names[g] = text if names[g] is None else f"{names[g]}；{text}"
    loose = np.setdiff1d(np.arange(len(points)), point_index)
    if len(loose):
        say("dxf.loose_texts", notes, warn=False, path=path, count=int(len(loose)), text=repr(str(texts[loose[0]])))
    return names
