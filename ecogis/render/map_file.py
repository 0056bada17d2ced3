"""Write a map file of ecogis layers (``ecogis map`` as a library call): an interactive HTML map (folium)
or a print-ready static PNG/PDF/SVG, chosen by the output's suffix, and a :class:`MapResult` saying what
was drawn."""
from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from ecogis.error_messages import error
from ecogis.layer_info import LayerInfo
from ecogis.messages import say
from ecogis.outputs import check_output_path

HTML_SUFFIXES = (".html", ".htm")
STATIC_SUFFIXES = (".png", ".pdf", ".svg")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MapLayerSummary:
    """One drawn layer: its name on the map, kind (None: styled by geometry), feature count and CRS."""

    name: str
    kind: str | None
    features: int
    crs: str | None


@dataclass(frozen=True)
class MapResult:
    """The map written: path, format (html, png, pdf, svg), size in bytes, seconds spent drawing and
    writing it, base map (HTML) or dpi (PNG), the layers and site drawn, and the notes made."""

    out: str
    format: str
    bytes: int
    seconds: float
    basemap: str | None
    dpi: int | None
    layers: list[MapLayerSummary]
    site: dict | None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def check_map_output(out, *, overwrite: bool = False) -> str:
    """The map format ``out``'s suffix asks for (html, png, pdf, svg), after refusing an unknown suffix or an
    existing file without ``overwrite``: call it before reading large layers."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in HTML_SUFFIXES + STATIC_SUFFIXES:
        raise error("maps.bad_output_type", suffix=out.suffix, path=out, hint="maps.output_types")
    check_output_path(out, overwrite=overwrite)
    return "html" if suffix in HTML_SUFFIXES else suffix.lstrip(".")


def write_map(layers: dict, out, *, site=None, site_path=None, basemap: str = "none", tianditu_key=None,
              title=None, lang: str = "zh", styles=None, dpi: int = 300, province=None, inset: bool = True,
              focus=None, overwrite: bool = False, notes: list | None = None, review_no: str | None = None,
              source: str | None = None) -> MapResult:
    """Draw ``layers`` (name -> GeoDataFrame as read by ecogis) and ``site`` into ``out``.

    HTML options: ``basemap``, ``tianditu_key``; static options: ``dpi``, ``province`` (location inset),
    ``inset``. ``focus="site"`` frames the site and its surroundings. ``review_no`` (审图号) and
    ``source`` are printed on the map. No input file is written over.
    """
    from ecogis.check import warn_mixed_datums

    notes = [] if notes is None else notes
    out = Path(out)
    fmt = check_map_output(out, overwrite=overwrite)
    if site is not None:
        warn_mixed_datums(site, layers, None)
    inputs = [LayerInfo.of(g).path for g in layers.values()] + [site_path, styles]
    check_output_path(out, overwrite=overwrite, inputs=[p for p in inputs if p])
    started = time.perf_counter()
    if fmt == "html":
        from ecogis.render.folium_import import load_folium_map

        folium_map = load_folium_map()  # folium's templates compiled once, kept in the cache folder
        make_map, save_map = folium_map.make_map, folium_map.save_map
        m = make_map(layers, site=site, basemap=basemap, lang=lang, title=title, styles=styles,
                     tianditu_key=tianditu_key, focus=focus, notes=notes)
        from ecogis.render.map_credits import add_credits

        add_credits(m, lang, review_no, source)
        save_map(m, out, overwrite=overwrite)
    else:
        if basemap != "none":
            say("map_basemap_static", notes, basemap=basemap)
        from ecogis.render.static_map import render_static

        render_static(layers, out, site=site, title=title, dpi=dpi, lang=lang, styles=styles, inset=inset,
                      province=province, overwrite=overwrite, focus=focus, notes=notes, review_no=review_no,
                      source=source)
    seconds = time.perf_counter() - started
    log.info("%s: %s map of %d layer(s) written in %.2f s", out, fmt, len(layers), seconds)
    return MapResult(
        out=str(out), format=fmt, bytes=out.stat().st_size, seconds=round(seconds, 2),
        basemap=basemap if fmt == "html" else None, dpi=dpi if fmt == "png" else None,
        layers=[_summary(name, gdf) for name, gdf in layers.items()],
        site=None if site is None else {"features": len(site), "path": str(site_path)},
        notes=_read_notes(list(layers.values()) + ([site] if site is not None else []), notes),
    )


def format_map_result(result: MapResult) -> str:
    """One line: the file written, its format, layers, size and time."""
    site = ", site" if result.site is not None else ""
    return (f"wrote {result.out} ({result.format}, {len(result.layers)} layer(s){site}, "
            f"{result.bytes / 1024:.0f} KiB, {result.seconds:.1f} s)")


def _summary(name: str, gdf) -> MapLayerSummary:
    return MapLayerSummary(name=name, kind=LayerInfo.of(gdf).kind, features=len(gdf),
                           crs=gdf.crs.to_string() if gdf.crs else None)


def _read_notes(frames: list, notes: list) -> list[str]:
    """The reading notes of ``frames`` then ``notes``, each text once."""
    read = [n for g in frames for n in LayerInfo.of(g).notes]
    return list(dict.fromkeys(read + list(notes)))
