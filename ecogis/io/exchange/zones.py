"""The CRS of an exchange text: from its header (坐标系, 几度分带, 带号), the user, or the coordinates."""
from __future__ import annotations

import re

import numpy as np
import pyproj

from ecogis.crs import GEOGRAPHIC, crs_label, describe_crs, gk_zone_of, resolve_crs, zone_cm, zone_width
from ecogis.crs_infer import infer_crs, positions_ok
from ecogis.error_messages import Phrase, error, phrase
from ecogis.errors import EcogisError
from ecogis.io.exchange.parse import _Parsed
from ecogis.messages import note, register, say

register({
    "exchange.key_absent": ("no {name}", "无{name}"),
    "exchange.key_empty": ("an empty {name}", "{name}为空"),
    "exchange.header_lacks_one": ("the header gives {first}", "文件头{first}"),
    "exchange.header_lacks_two": ("the header gives {first} and {second}", "文件头{first}、{second}"),
    "exchange.zone_from_prefix": ("{path}: the header's 带号 is {state}; zone {zone} taken from the zone prefix of "
                                  "the Y coordinates",
                                  "{path}：表头带号{state}；带号 {zone} 取自 Y 坐标的带号前缀"),
})


def _header_datum(value: str | None):
    if not value:
        return None
    v = value.lower()
    if "2000" in v or "cgcs" in v:
        return "CGCS2000"
    if "西安" in v or "xian" in v or "80" in v:
        return "Xian1980"
    if "北京" in v or "beijing" in v or "54" in v:
        return "Beijing1954"
    if "wgs" in v:
        return "WGS84"
    return None


def _header_int(parsed, key, path):
    value = parsed.header.get(key, "")
    if value == "":
        return None
    match = re.fullmatch(r"\s*(\d+)(?:\.0*)?\s*(?:度带|度分带|度|°|带)?\s*", value)  # 3, 3.0, 3度, 41带
    if not match:
        raise error("exchange.header_not_whole", path=path, line=parsed.header_lines[key], key=key, value=value,
                    hint="exchange.zone_form")
    return int(match.group(1))


def _settle_crs(parsed, path, x, y, crs, cm, notes):
    """Return (CRS, swap, crs_source). ``x``/``y`` are the file's X/Y columns (X expected northing)."""
    unit = parsed.header.get("计量单位", "")
    if unit and unit not in ("米", "m", "M", "metre", "meter", "度", "degree"):
        raise error("exchange.unit_unsupported", path=path, line=parsed.header_lines["计量单位"], unit=unit,
                    hint="exchange.units_read")
    if crs is not None:
        return _user_crs(parsed, path, x, y, crs, notes)

    datum = _header_datum(parsed.header.get("坐标系"))
    if parsed.header.get("坐标系") and datum is None:
        say("exchange_datum_unknown", notes, path=path, name=repr(parsed.header["坐标系"]))
    width = _header_int(parsed, "几度分带", path)
    zone = _header_int(parsed, "带号", path)
    if width not in (None, 3, 6):
        raise error("exchange.width_not_3_6", path=path, line=parsed.header_lines["几度分带"], width=width)
    if zone is not None and zone_width(zone) not in ((width,) if width else (3, 6)):
        if width:
            raise error("exchange.zone_not_width", path=path, line=parsed.header_lines["带号"], zone=zone, width=width,
                        hint="exchange.zone_numbers")
        raise error("exchange.zone_not_china", path=path, line=parsed.header_lines["带号"], zone=zone,
                    hint="exchange.zone_numbers")
    if zone is not None and width is None:
        width = zone_width(zone)
        say("exchange_width_missing", notes, path=path, zone=zone, width=width)
    header_cm = zone_cm(zone, width) if zone is not None and width else None
    if cm is not None and header_cm is not None and abs(float(cm) - header_cm) > 1e-9:
        raise error("exchange.cm_vs_header", cm=cm, zone=zone, header_cm=f"{header_cm:g}", path=path,
                    hint="exchange.leave_out_cm")
    try:
        guess = infer_crs(y, x, cm=header_cm if header_cm is not None else cm, width=width or 3,
                          datum=datum or "CGCS2000")
    except EcogisError as exc:
        raise error("exchange.with_far_vertex", reason=exc, far=_far_vertex(parsed, x, y), path=path,
                    hint=Phrase(exc.hints) if exc.hints else None) from exc
    if zone is not None and guess.zone is not None and guess.prefixed and guess.zone != zone:
        raise error("exchange.zone_vs_prefix", zone=zone, prefix=guess.zone, path=path, hint="exchange.fix_zone")
    if guess.swap_xy:
        say("exchange_gis_order", notes, path=path)
    has_datum = datum is not None and datum != "WGS84"
    if has_datum and zone is None and guess.zone is not None and guess.prefixed:  # 带号 absent or empty
        say("exchange.zone_from_prefix", notes, path=path, zone=guess.zone,
            state="empty" if "带号" in parsed.header else "not given")
        return guess.crs, guess.swap_xy, "file"
    complete = has_datum and (zone is not None or guess.zone is None)
    if complete and guess.zone is not None:
        return guess.crs, guess.swap_xy, "file"
    if complete and guess.zone is None:  # degrees with a datum in the header
        return pyproj.CRS.from_epsg(GEOGRAPHIC[datum]), guess.swap_xy, "file"
    what = note("exchange_no_header") if not parsed.has_header else _missing_keys(parsed, has_datum, zone)
    say("exchange_inferred", notes, path=path, what=what, crs=describe_crs(guess.crs), reason=guess.reason)
    return guess.crs, guess.swap_xy, "inferred"


def _missing_keys(parsed, has_datum: bool, zone):
    """A note 'the header gives no 带号' (or 坐标系, or both; 'an empty 带号' when the key is there without a
    value)."""
    missing = [note("exchange.key_empty" if parsed.header.get(key) == "" else "exchange.key_absent", name=key)
               for key, given in (("坐标系", has_datum), ("带号", zone is not None)) if not given]
    if len(missing) == 1:
        return note("exchange.header_lacks_one", first=missing[0])
    return note("exchange.header_lacks_two", first=missing[0], second=missing[1])


def _far_vertex(parsed: _Parsed, x, y, far_m: float = 1_000_000.0) -> Phrase | str:
    """Text naming the first vertex line more than ``far_m`` metres from the median vertex (a typo or a
    0,0 placeholder that spoils the CRS inference), or "" when there is none or every vertex is far."""
    far = np.hypot(x - np.median(x), y - np.median(y)) > far_m
    if not far.any() or far.all():
        return ""
    i = int(np.flatnonzero(far)[0])
    return phrase("exchange.far_vertex", line=parsed.v_line[i], x=f"{x[i]:.12g}", y=f"{y[i]:.12g}",
                  km=f"{far_m / 1000:.0f}")


def _check_positions(parsed: _Parsed, easting, northing, crs, path):
    """Raise naming the first vertex line that is no position in ``crs`` (e.g. X = 1e300 under a CRS given
    by the user): see :func:`ecogis.crs_infer.positions_ok`."""
    ok = positions_ok(easting, northing, crs)
    if not ok.all():
        i = int(np.flatnonzero(~ok)[0])
        raise error("exchange.not_position", path=path, line=parsed.v_line[i], easting=f"{easting[i]:.12g}",
                    northing=f"{northing[i]:.12g}", crs=crs_label(crs), hint="exchange.fix_vertex")


def _user_crs(parsed, path, x, y, crs, notes):
    user = resolve_crs(crs)
    if isinstance(user, str):
        raise error("exchange.web_system", system=user, path=path, hint="exchange.pass_gk")
    entry = gk_zone_of(user)
    try:
        guess = infer_crs(y, x, cm=entry.cm if entry and not entry.prefixed else None)
    except EcogisError:
        guess = None  # cannot tell: keep the format's order (X = northing)
    swap = bool(guess and guess.swap_xy)
    if guess is not None and guess.crs.is_geographic != user.is_geographic:
        units = phrase("exchange.degrees") if guess.crs.is_geographic else phrase("exchange.metres")
        crs_kind = phrase("exchange.geographic") if user.is_geographic else phrase("exchange.projected")
        raise error("exchange.units_vs_crs", units=units, crs=crs_label(user), crs_kind=crs_kind, path=path,
                    hint=phrase("exchange.units_hint", label=guess.label))
    guessed = gk_zone_of(guess.crs) if guess is not None else None
    if entry and guessed and (entry.prefixed != guessed.prefixed or (entry.prefixed and entry.zone != guessed.zone)):
        say("exchange_crs_overridden", notes, path=path, guess=describe_crs(guess.crs), given=describe_crs(user))
    if swap:
        say("exchange_swapped", notes, path=path)
    return user, swap, "user"
