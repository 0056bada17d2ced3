"""Convert a layer between formats and CRSs (``ecogis convert`` as a library call); never writes over the input.

``convert_layer(src, out, to_crs=...)`` reads ``src`` (any format :func:`ecogis.read_layer` reads), reprojects
it (an EPSG code, or GCJ-02 / BD-09 web-map lon/lat), drops a table's source coordinate columns once the
geometry no longer has those values, writes ``out`` (format from its suffix) and returns a
:class:`ConversionResult`. Datum changes PROJ cannot do (Xian 1980 / Beijing 1954 -> CGCS2000) are warned.
"""
from __future__ import annotations

import dataclasses
import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from ecogis.crs import crs_label, datum_change_note, resolve_crs
from ecogis.errors import AssumptionWarning
from ecogis.io.postgis import is_postgres_url
from ecogis.layer_info import LayerInfo
from ecogis.messages import say
from ecogis.notes import Notes
from ecogis.webcrs import to_web_crs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConversionResult:
    """What was converted: input and output paths, feature count, source CRS (and how it was found),
    the CRS the output file holds, the attribute encoding read and the notes (assumptions) made."""

    input: str
    output: str
    count: int
    from_crs: str | None
    from_crs_source: str | None
    to_crs: str | None
    encoding: str | None
    encoding_source: str | None
    notes: Notes = field(default_factory=Notes)

    def with_notes(self, notes) -> ConversionResult:
        """A copy whose notes are ``notes`` followed by its own (each text once)."""
        return dataclasses.replace(self, notes=Notes([*notes, *self.notes]))

    def to_dict(self, lang: str | None = None) -> dict:
        return dataclasses.asdict(self)


def convert_layer(src, out, *, to_crs=None, out_layer=None, overwrite=False, write_options=None, vertices=None,
                  **read_options) -> ConversionResult:
    """Read ``src`` (``read_options`` as for :func:`ecogis.read_layer`), build lines/polygons from its points
    when ``vertices`` (:class:`ecogis.io.vertices.VertexSpec`) says so, reproject to ``to_crs`` when given,
    write ``out`` (``out_layer`` inside a GeoPackage/FileGDB; ``write_options`` go to
    :func:`ecogis.io.write_layer`, e.g. ``{"dialect": "省标"}`` for an exchange text) and describe what was done."""
    from ecogis.io import read_layer_info, write_layer

    src = src if is_postgres_url(src) else Path(src)  # a PostGIS source stays a URL
    gdf, info = read_layer_info(src, **read_options)
    notes = Notes(info.notes)
    if vertices is not None:
        from ecogis.io.vertices import vertices_to_shapes

        gdf = vertices_to_shapes(gdf, vertices, source=str(src), notes=notes)
    if to_crs:
        gdf = reproject_layer(gdf, to_crs, src, notes)
    gdf = drop_stale_coordinate_columns(gdf, info, bool(to_crs), src, notes)
    log.info("%s: %d feature(s) read, writing %s", src, len(gdf), out)
    written = write_layer(gdf, out, layer=out_layer, overwrite=overwrite, inputs=(src,), **(write_options or {}))
    return ConversionResult(
        input=str(src), output=str(written), count=int(len(gdf)),
        from_crs=info.crs, from_crs_source=info.crs_source, to_crs=written_crs_label(gdf, written),
        encoding=info.encoding, encoding_source=info.encoding_source, notes=notes,
    )


def reproject_layer(gdf, to_crs, src=None, notes=None):
    """``gdf`` in ``to_crs`` (an EPSG code or GCJ-02/BD-09), warning about datum changes PROJ cannot do."""
    target = resolve_crs(to_crs)
    if isinstance(target, str):
        return to_web_crs(gdf, target)
    note = datum_change_note(gdf.crs, target)
    if note:
        say("noted_at", notes, path=src, note=note)
    from ecogis.transform import proj_accuracy_note

    proj_accuracy_note(gdf.crs, target, notes, path=src)  # which PROJ operation, how accurate (a plain note)
    info = LayerInfo.of(gdf)
    gdf = gdf.to_crs(target)
    gdf.attrs["ecogis"] = {**info.to_dict(), "crs": crs_label(target)}
    return gdf


def written_crs_label(gdf, out: Path) -> str | None:
    """The CRS the output file holds: KML is always WGS 84; the exchange text is Gauss-Kruger."""
    suffix = Path(out).suffix.lower()
    if gdf.crs is None:
        return LayerInfo.of(gdf).crs  # GCJ-02 / BD-09
    if suffix in (".kml", ".kmz"):
        return "EPSG:4326"
    if suffix == ".txt":
        from ecogis.io.exchange import exchange_crs

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", AssumptionWarning)  # already reported by the writer
            return crs_label(exchange_crs(gdf))
    return crs_label(gdf.crs)


def drop_stale_coordinate_columns(gdf, info: LayerInfo, reprojected: bool, src, notes=None):
    """Drop a table's source coordinate columns once the geometry no longer has those values.

    After a web-map conversion on load, swapped X/Y or a reprojection, columns such as 经度/纬度 still
    hold the input numbers; written beside the new geometry they would contradict it.
    """
    columns = [c for c in (info.columns or ()) if c in gdf.columns]
    changed = reprojected or info.converted_to or info.swap_xy
    if not columns or not changed:
        return gdf
    say("convert_dropped_columns", notes, path=src, columns=", ".join(map(str, columns)))
    out = gdf.drop(columns=columns)
    out.attrs = gdf.attrs
    return out
