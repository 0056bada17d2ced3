"""Settling the CRS of a layer just read: the one given (``crs=``), else the one in the file (identified
against the EPSG catalogue), else one inferred from the coordinates; coordinates that do not fit the
CRS are refused or, for swapped X/Y, put in order, each with a note naming the option that overrides it."""
from __future__ import annotations

import numpy as np
import shapely

from ecogis.crs import crs_label, describe_crs, gk_zone_of, identify_crs, resolve_crs
from ecogis.crs_infer import infer_crs
from ecogis.error_messages import LANGS, Phrase, at_path, error, phrase
from ecogis.errors import EcogisError
from ecogis.geodesy import GEOGRAPHIC_CRS
from ecogis.io.shapefile import _feature_names
from ecogis.messages import say
from ecogis.notes import text_in
from ecogis.webmap import convert_web, settle_web_source


def _web_system(crs, path):
    """``GCJ-02``/``BD-09`` when the user's ``crs`` names a web-map system, else None."""
    if crs is None:
        return None
    resolved = _resolve(crs, path)
    return resolved if isinstance(resolved, str) else None


def _resolve(crs, path):
    try:
        return resolve_crs(crs)
    except EcogisError as exc:
        raise at_path(exc, path) from exc


def _settle_crs(gdf, path, crs, cm, notes, meta):
    """Give ``gdf`` a known CRS: the user's, else the file's, else one inferred from the coordinates."""
    file_crs = gdf.crs
    if crs is not None:
        user = _resolve(crs, path)
        if isinstance(user, str):  # a web-map system
            web = user
            if file_crs is not None and not file_crs.is_geographic:
                raise error("read.web_projected", path=path, web=web, crs=crs_label(file_crs), hint="read.web_only")
            _check_lonlat(gdf, path, web)
            gdf, info = convert_web(gdf.set_crs(GEOGRAPHIC_CRS, allow_override=True), web, path, notes,
                                    reason="web_why_given", given=True)
            meta.update(crs=web, crs_source="user", converted_to="EPSG:4490", web=info)
            return gdf, meta
        if file_crs is not None and not file_crs.equals(user):
            say("read_crs_overridden", notes, path=path, file_crs=crs_label(file_crs), given=crs_label(user))
        gdf = gdf.set_crs(user, allow_override=True)
        meta.update(crs=crs_label(gdf.crs), crs_source="user")
        gdf = _fix_axis_order(gdf, path, notes, meta)
        _check_coordinates_fit(gdf, path, phrase("read.crs_given_by_user"))
        return gdf, meta
    if file_crs is not None:
        gdf = _identified(gdf, path, notes)
        meta.update(crs=crs_label(gdf.crs), crs_source="file")
        gdf = _fix_axis_order(gdf, path, notes, meta)
        _check_coordinates_fit(gdf, path, phrase("read.crs_of_file"))
        return settle_web_source(gdf, path, meta, notes) if gdf.crs.is_geographic else (gdf, meta)
    return _infer(gdf, path, cm, notes, meta)


def _identified(gdf, path, notes):
    """``gdf`` labelled with the EPSG code its file's custom-named CRS is equivalent to, if any."""
    named = identify_crs(gdf.crs)
    if named is gdf.crs:
        if named.to_epsg() is None:
            say("read_crs_no_epsg", notes, path=path, name=repr(named.name))
        return gdf
    say("read_crs_equivalent", notes, path=path, name=repr(gdf.crs.name), crs=describe_crs(named))
    return gdf.set_crs(named, allow_override=True)


#: generous sanity ranges (metres) for Gauss-Kruger coordinates in China; eastings without zone prefix
_GK_EASTING_ANY = (0.0, 1_000_000.0)
_GK_NORTHING_ANY = (200_000.0, 6_200_000.0)


def _check_coordinates_fit(gdf, path, said_by: Phrase) -> None:
    """Refuse coordinates that cannot be in ``gdf.crs``: metres under a longitude/latitude CRS, degrees
    or another zone under a Gauss-Kruger CRS (a wrong .prj or a wrong --crs), NaN or infinite values.
    Other CRSs are not checked. The error names the first feature with such a coordinate."""
    crs = gdf.crs
    zone = gk_zone_of(crs)
    xy, index = shapely.get_coordinates(gdf.geometry.to_numpy(), return_index=True)
    if len(xy) == 0 or (zone is None and not crs.is_geographic):
        return
    x, y = xy[:, 0], xy[:, 1]
    with np.errstate(invalid="ignore"):
        if zone is None:
            fits = (np.abs(x) <= 180) & (np.abs(y) <= 90)
            expected = phrase("read.expect_degrees")
        else:
            offset = zone.zone * 1e6 if zone.prefixed else 0.0
            lo, hi = offset + _GK_EASTING_ANY[0], offset + _GK_EASTING_ANY[1]
            fits = (x >= lo) & (x <= hi) & (y >= _GK_NORTHING_ANY[0]) & (y <= _GK_NORTHING_ANY[1])
            expected = phrase("read.expect_gk", lo=f"{lo:.0f}", hi=f"{hi:.0f}")
    if fits.all():
        return
    first = np.flatnonzero(~fits)[0]
    feature = _feature_names(gdf, [int(index[first])])
    bad_x, bad_y = x[first], y[first]
    if not (np.isfinite(bad_x) and np.isfinite(bad_y)):
        raise error("read.not_finite", path=path, feature=feature, x=f"{bad_x:.10g}", y=f"{bad_y:.10g}",
                    hint="read.fix_feature")
    finite = np.isfinite(x) & np.isfinite(y)
    try:
        guess = infer_crs(x[finite], y[finite], cm=None if zone is None else zone.cm)
        hint = phrase("read.values_look_like", crs=_in_every_language(describe_crs(guess.crs)), label=guess.label)
    except EcogisError:
        hint = phrase("read.pass_right_crs_or_fix")
    span = f"x {np.nanmin(x):.6g}..{np.nanmax(x):.6g}, y {np.nanmin(y):.6g}..{np.nanmax(y):.6g}"
    if not fits.any():  # the whole layer is in another CRS
        raise error("read.coords_do_not_fit", path=path, span=span, said_by=said_by,
                    crs=_in_every_language(describe_crs(crs)), expected=expected, hint=hint)
    raise error("read.coord_does_not_fit", path=path, feature=feature, x=f"{bad_x:.10g}", y=f"{bad_y:.10g}",
                said_by=said_by, crs=_in_every_language(describe_crs(crs)), expected=expected, span=span, hint=hint)


def _in_every_language(note) -> Phrase:
    """A note (a CRS description) as a field of an error: its text in each language."""
    return Phrase({lang: text_in(note, lang) for lang in LANGS})


def _swap_xy(gdf):
    gdf = gdf.copy()
    gdf[gdf.geometry.name] = shapely.transform(gdf.geometry.to_numpy(), lambda c: c[:, ::-1])
    return gdf


def _fix_axis_order(gdf, path, notes, meta):
    """Swap X/Y written in surveying order (X = northing) under a known lon/lat or Gauss-Kruger CRS.

    Only unambiguous cases are swapped: ecogis.crs_infer.infer_crs must find the swapped order and agree
    with the CRS (same zone for Gauss-Kruger). Anything else is left as it is.
    """
    crs = gdf.crs
    zone = gk_zone_of(crs)
    if zone is None and not crs.is_geographic:
        return gdf
    xy = shapely.get_coordinates(gdf.geometry.to_numpy())
    if len(xy) == 0:
        return gdf
    try:
        guess = infer_crs(xy[:, 0], xy[:, 1], cm=None if zone is None or zone.prefixed else zone.cm,
                          width=3 if zone is None else zone.width)
    except EcogisError:
        return gdf
    agrees = guess.crs.is_geographic if zone is None else (guess.zone == zone.zone and guess.width == zone.width)
    if not (guess.swap_xy and agrees):
        return gdf
    say("read_surveying_order", notes, path=path, crs=crs_label(crs))
    meta["swap_xy"] = True
    return _swap_xy(gdf)


def _check_lonlat(gdf, path, system):
    xmin, ymin, xmax, ymax = gdf.total_bounds
    if not (-180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90):
        raise error("read.web_bounds", path=path, system=system,
                    bounds=f"{xmin:.3f}, {ymin:.3f}, {xmax:.3f}, {ymax:.3f}", hint="read.check_crs")


def _infer(gdf, path, cm, notes, meta):
    """Infer the CRS from the coordinate values (lon/lat or Gauss-Kruger), fixing swapped X/Y."""
    xy = shapely.get_coordinates(gdf.geometry.to_numpy())
    if len(xy) == 0:
        raise error("read.nothing_to_infer", path=path, hint="read.pass_crs_geo")
    try:
        guess = infer_crs(xy[:, 0], xy[:, 1], cm=cm)
    except EcogisError as exc:
        odd = _odd_one_out(gdf, meta)
        if exc.path is None or odd:
            raise error("read.infer_failed", path=path, reason=exc, odd=odd or "",
                        hint=Phrase(exc.hints) if exc.hints else None) from exc
        raise
    if guess.swap_xy:
        gdf = _swap_xy(gdf)
    gdf = gdf.set_crs(guess.crs, allow_override=True)
    say("read_crs_inferred", notes, path=path, crs=describe_crs(gdf.crs), reason=guess.reason)
    meta.update(crs=crs_label(gdf.crs), crs_source="inferred", swap_xy=bool(guess.swap_xy))
    return settle_web_source(gdf, path, meta, notes) if gdf.crs.is_geographic else (gdf, meta)


def _odd_one_out(gdf, meta) -> Phrase | None:
    """A phrase naming the first feature whose coordinates differ in digit count or zone prefix from most.

    One such feature (a 0,0 placeholder, a dropped digit, a lost or stray zone prefix) is enough to
    make the CRS of a whole file impossible to infer, so the error should point at it. Returns None
    when all agree or there is no clear majority.
    """
    xy, index = shapely.get_coordinates(gdf.geometry.to_numpy(), return_index=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        digits = np.nan_to_num(np.floor(np.log10(np.abs(xy))), nan=-2).clip(-1, 9).astype(int)  # 0 and |v| < 1 -> -1
    zone_prefix = np.where(digits == 7, np.floor(np.abs(xy) / 1e6), 0).astype(int)  # 8 digits: zone
    signature = np.column_stack([digits, zone_prefix])
    values, signature, counts = np.unique(signature, axis=0, return_inverse=True, return_counts=True)
    signature = signature.ravel()
    if len(values) < 2 or counts.max() * 2 <= counts.sum():  # no clear majority to differ from
        return None
    odd = np.flatnonzero(signature != np.argmax(counts))
    row = int(index[odd[0]])
    label = gdf.index[row]
    where = (phrase("read.odd_where_row", row=row, row1=label + 1, line=label + 2)
             if meta.get("columns") is not None and isinstance(label, (int, np.integer))
             else phrase("read.odd_where", row=row))
    n_odd = len(np.unique(index[odd]))
    x, y = (f"{v:.10g}" for v in xy[odd[0]])
    if n_odd > 1:
        return phrase("read.odd_many", where=where, others=n_odd - 1, x=x, y=y)
    return phrase("read.odd_one", where=where, x=x, y=y)
