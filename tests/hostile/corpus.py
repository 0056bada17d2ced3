"""The hostile-input corpus: a few hundred broken and malicious inputs, generated deterministically.

In the spirit of GDAL's fuzzed driver tests: start from a valid file and damage it in every way real
files arrive damaged (truncated, wrong offsets, lying sidecars, other encodings, invalid geometries),
plus inputs written to attack (YAML alias bombs, formula and script names, absurd CLI arguments).

Use::

    from hostile import build_corpus, corpus_cases
    cases = build_corpus(tmp_path)      # writes world/ and one folder per case; returns the cases

Each :class:`Case` says what role its input plays (a vector layer, an exchange text, a project ...),
which names an error message about it must contain, and what a command may answer:
``"error_or_note"`` (exit 2 with a one-line error, or success with a warning), ``"error"`` or ``"ok"``.
"""
from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import numpy as np

from . import shapefile as shp
from .world import (
    REDLINE,
    SITE_IN_CORE,
    SITE_OUTSIDE,
    box_ring,
    dump_geojson,
    feature,
    site_features,
    write_raster,
    write_world,
)

CGCS2000_WKT = ('GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",'
                'SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],'
                'UNIT["Degree",0.0174532925199433]]')
XIAN80_WKT = ('GEOGCS["GCS_Xian_1980",DATUM["D_Xian_1980",SPHEROID["Xian_1980",6378140.0,298.257]],'
              'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]')
DBF_FIELDS = [("ID", "N", 10), ("NAME", "C", 40), ("USE", "C", 20)]


@dataclass(frozen=True)
class Case:
    """One hostile input.

    ``path`` (relative to the corpus root) is what commands get; ``role`` picks the commands:
    vector, exchange, table, project, rules, audit, styles, legend, raster, names or args. ``names``: one of these
    must appear in an exit-2 message (default: the file's stem). ``feature``: the message must also
    name a feature. ``never_say``: texts that message must not contain (messages that point the wrong
    way). ``expect``: "error_or_note", "error" or "ok" (success, no note needed). ``quiet_ok``: commands
    that may succeed without a note (``("*",)``: all), for inputs that are odd but well defined (a BOM,
    a single GeoJSON Feature, a bow-tie that convert keeps as it is). ``args``: for role "args", the
    command line; ``{world}``, ``{case}`` and ``{out}`` are replaced by the world folder, the case
    folder and an empty folder for outputs.
    """

    id: str
    group: str
    role: str
    path: str | None
    make: Callable[[Path], None] = field(repr=False, compare=False)
    names: tuple[str, ...] = ()
    feature: bool = False
    expect: str = "error_or_note"
    args: tuple[str, ...] = ()
    quiet_ok: tuple[str, ...] = ()
    never_say: tuple[str, ...] = ()

    def may_be_quiet(self, command: str) -> bool:
        return self.expect == "ok" or "*" in self.quiet_ok or command in self.quiet_ok

    def must_name(self) -> tuple[str, ...]:
        if self.names:
            return self.names
        return (Path(self.path).stem,) if self.path else ()


# --------------------------------------------------------------------------------------------- helpers

def _site_shapes():
    return [[box_ring(SITE_IN_CORE)], [box_ring(SITE_OUTSIDE)]]


def _site_rows(encoding_names=("A地块", "B地块")):
    return [(1, encoding_names[0], "工业用地"), (2, encoding_names[1], "工业用地")]


def _write_shapefile(folder: Path, stem: str, shapes=None, rows=None, *, encoding="utf-8", cpg="UTF-8",
                     prj=CGCS2000_WKT, shape_type=shp.POLYGON, damage=None) -> None:
    """Write stem.shp/.shx/.dbf/.prj/.cpg into ``folder``; ``damage(parts)`` edits the bytes first.

    ``parts`` maps suffix -> bytes (or None to leave the file out).
    """
    shapes = _site_shapes() if shapes is None else shapes
    rows = _site_rows() if rows is None else rows
    main, index = shp.shp_shx(shapes, shape_type)
    parts = {".shp": main, ".shx": index, ".dbf": shp.dbf(DBF_FIELDS, rows, encoding),
             ".prj": None if prj is None else (prj.encode() if isinstance(prj, str) else prj),
             ".cpg": None if cpg is None else (cpg.encode() if isinstance(cpg, str) else cpg)}
    if damage is not None:
        damage(parts)
    folder.mkdir(parents=True, exist_ok=True)
    for suffix, data in parts.items():
        if data is not None:
            (folder / f"{stem}{suffix}").write_bytes(data)


def _case_dir(root: Path, case_id: str) -> Path:
    d = root / "cases" / case_id
    d.mkdir(parents=True, exist_ok=True)
    return d


def _shapefile_case(case_id, group="shapefile", feature_named=False, expect="error_or_note", **kw) -> Case:
    def make(root):
        _write_shapefile(_case_dir(root, case_id), case_id, **kw)
    return Case(case_id, group, "vector", f"cases/{case_id}/{case_id}.shp", make, feature=feature_named,
                expect=expect)


def _bytes_case(case_id, group, role, filename, data: bytes, **kw) -> Case:
    def make(root):
        (_case_dir(root, case_id) / filename).write_bytes(data)
    return Case(case_id, group, role, f"cases/{case_id}/{filename}", make, **kw)


def _patch(suffix, offset, fmt, value):
    def damage(parts):
        b = bytearray(parts[suffix])
        struct.pack_into(fmt, b, offset, value)
        parts[suffix] = bytes(b)
    return damage


def _truncate(suffix, length):
    def damage(parts):
        parts[suffix] = parts[suffix][:length]
    return damage


def _drop(suffix):
    def damage(parts):
        parts[suffix] = None
    return damage


def _empty(suffix):
    def damage(parts):
        parts[suffix] = b""
    return damage


# ------------------------------------------------------------------------------------ damaged shapefiles

def shapefile_cases() -> list[Case]:
    main, index = shp.shp_shx(_site_shapes())
    dbf_len = len(shp.dbf(DBF_FIELDS, _site_rows()))
    header_len = 32 + 32 * len(DBF_FIELDS) + 1
    cases = []
    for n in (0, 20, 60, 99, 100, 104, 112, 160, len(main) - 40, len(main) - 8, len(main) - 1):
        cases.append(_shapefile_case(f"shp_trunc_{n}", damage=_truncate(".shp", n)))
    for n in (0, 50, 99, 100, 104, len(index) - 4):
        cases.append(_shapefile_case(f"shx_trunc_{n}", damage=_truncate(".shx", n)))
    for n in (0, 10, 31, 32, 64, header_len - 1, header_len, dbf_len - 30, dbf_len - 2):
        cases.append(_shapefile_case(f"dbf_trunc_{n}", damage=_truncate(".dbf", n)))
    # wrong .shx offsets (16-bit words) for record 1 and 2: item 3 of the issue
    first_offset = 50
    second_offset = struct.unpack_from(">i", index, 108)[0]
    for rec, base in ((0, first_offset), (1, second_offset)):
        pos = 100 + 8 * rec
        for label, value in (("zero", 0), ("past_end", 100000), ("plus4", base + 4), ("minus4", base - 4),
                             ("negative", -7), ("swap", second_offset if rec == 0 else first_offset)):
            cases.append(_shapefile_case(f"shx_offset_r{rec}_{label}", feature_named=True,
                                         damage=_patch(".shx", pos, ">i", value)))
        for label, value in (("len_zero", 0), ("len_huge", 10 ** 6), ("len_minus", -1)):
            cases.append(_shapefile_case(f"shx_{label}_r{rec}", feature_named=True,
                                         damage=_patch(".shx", pos + 4, ">i", value)))
    cases.append(_shapefile_case("shx_filelen_short", damage=_patch(".shx", 24, ">i", 52)))
    cases.append(_shapefile_case("shp_filelen_short", damage=_patch(".shp", 24, ">i", 60)))
    cases.append(_shapefile_case("shp_filelen_huge", damage=_patch(".shp", 24, ">i", 10 ** 8)))
    cases.append(_shapefile_case("shp_filecode_bad", damage=_patch(".shp", 0, ">i", 1234)))
    cases.append(_shapefile_case("shp_type_99", damage=_patch(".shp", 32, "<i", 99)))
    cases.append(_shapefile_case("shp_rec_type_99", feature_named=True, damage=_patch(".shp", 108, "<i", 99)))
    cases.append(_shapefile_case("shp_numparts_huge", feature_named=True,
                                 damage=_patch(".shp", 108 + 36, "<i", 10 ** 6)))
    cases.append(_shapefile_case("shp_numpoints_huge", feature_named=True,
                                 damage=_patch(".shp", 108 + 40, "<i", 10 ** 6)))
    cases.append(_shapefile_case("shp_part_index_bad", feature_named=True,
                                 damage=_patch(".shp", 108 + 44, "<i", 999)))
    for suffix in (".shx", ".dbf", ".prj"):
        cases.append(_shapefile_case(f"missing{suffix.replace('.', '_')}", damage=_drop(suffix)))
    for suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
        cases.append(_shapefile_case(f"zero{suffix.replace('.', '_')}", damage=_empty(suffix)))

    def only_sidecars(parts):
        parts[".shp"] = None
    cases.append(_shapefile_case("missing_shp", damage=only_sidecars))
    # dBASE header: header length (bytes 8-9), record length (10-11), record count (4-7)
    for value in (0, 1, 31, 33, header_len - 1, header_len + 1, header_len + 32, 65535):
        cases.append(_shapefile_case(f"dbf_hdrlen_{value}", damage=_patch(".dbf", 8, "<H", value)))
    for value in (0, 1, 30, 200, 65535):
        cases.append(_shapefile_case(f"dbf_reclen_{value}", damage=_patch(".dbf", 10, "<H", value)))
    for value in (0, 1, 3, 1000, 2 ** 31):
        cases.append(_shapefile_case(f"dbf_numrecs_{value}", damage=_patch(".dbf", 4, "<I", value)))
    cases.append(_shapefile_case("dbf_field_len_0", damage=_patch(".dbf", 32 + 32 + 16, "B", 0)))
    cases.append(_shapefile_case("dbf_field_type_bad", damage=_patch(".dbf", 32 + 11, "B", ord("?"))))
    cases.append(_shapefile_case("dbf_no_terminator", damage=_patch(".dbf", header_len - 1, "B", ord(" "))))
    # .prj texts
    prjs = {
        "prj_garbage": b"this is not a projection",
        "prj_truncated": CGCS2000_WKT[:40].encode(),
        "prj_xian80": XIAN80_WKT.encode(),
        "prj_utf16": CGCS2000_WKT.encode("utf-16"),
        "prj_bom": b"\xef\xbb\xbf" + CGCS2000_WKT.encode(),
        "prj_nul": CGCS2000_WKT.encode()[:30] + b"\0" + CGCS2000_WKT.encode()[30:],
        "prj_random_bytes": bytes(range(256)),
        "prj_epsg_code": b"EPSG:4490",
        "prj_unknown_datum": CGCS2000_WKT.replace("D_China_2000", "D_Nowhere").replace(
            "6378137.0,298.257222101", "6000000.0,200.0").encode(),
        "prj_projected_wrong": ('PROJCS["CGCS2000_3_Degree_GK_Zone_41",GEOGCS["GCS_China_Geodetic_Coordinate_'
                                'System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],'
                                'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION['
                                '"Gauss_Kruger"],PARAMETER["False_Easting",41500000.0],PARAMETER["False_Northing"'
                                ',0.0],PARAMETER["Central_Meridian",123.0],PARAMETER["Scale_Factor",1.0],'
                                'PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]').encode(),
    }
    for case_id, data in prjs.items():
        cases.append(_shapefile_case(case_id, prj=data))
    # .cpg lies and encodings (item 5)
    gbk_rows = [(1, "A地块".encode("gbk"), "工业用地".encode("gbk")), (2, "B地块".encode("gbk"), "工业用地".encode("gbk"))]
    cases += [
        _shapefile_case("cpg_gbk_on_utf8", cpg="GBK"),
        _shapefile_case("cpg_utf8_on_gbk", cpg="UTF-8", rows=gbk_rows),
        _shapefile_case("cpg_unknown", cpg="KLINGON-8"),
        _shapefile_case("cpg_utf16", cpg="UTF-16"),
        _shapefile_case("cpg_garbage_bytes", cpg=b"\xff\xfe\x00"),
        _shapefile_case("enc_gbk_no_cpg", group="encoding", cpg=None, rows=gbk_rows),
        _shapefile_case("enc_mixed_no_cpg", group="encoding", cpg=None,
                        rows=[gbk_rows[0], (2, "B地块".encode("utf-8"), "工业用地".encode("utf-8"))]),
        _shapefile_case("enc_utf16_in_dbf", group="encoding", cpg=None,
                        rows=[(1, "A地块".encode("utf-16-le"), b"x"), (2, "B".encode("utf-16-le"), b"y")]),
        _shapefile_case("enc_nul_in_dbf", group="encoding",
                        rows=[(1, b"A\0\0B", b"use"), (2, b"\0" * 10, b"\0")]),
        _shapefile_case("enc_invalid_utf8_cpg", group="encoding",
                        rows=[(1, b"\xff\xfe\xfd bad", b"x"), (2, b"\xc3", b"y")]),
        _shapefile_case("enc_ldid_gbk_utf8_text", group="encoding", cpg=None),
    ]
    return cases


def _zip_case(case_id, members, expect="error_or_note", transform=None) -> Case:
    """A zip of the valid site shapefile; ``members`` maps each suffix to its name in the zip (None: left out)."""
    def make(root):
        import io
        import zipfile

        main, index = shp.shp_shx(_site_shapes())
        parts = {".shp": main, ".shx": index, ".dbf": shp.dbf(DBF_FIELDS, _site_rows()),
                 ".prj": CGCS2000_WKT.encode(), ".cpg": b"UTF-8"}
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for suffix, data in parts.items():
                for name in members(suffix):   # fixed entry dates: the same bytes on every run
                    zf.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data)
        data = buf.getvalue() if transform is None else transform(buf.getvalue())
        (_case_dir(root, case_id) / f"{case_id}.zip").write_bytes(data)
    return Case(case_id, "shapefile", "vector", f"cases/{case_id}/{case_id}.zip", make, expect=expect)


def zip_cases() -> list[Case]:
    return [
        _zip_case("zip_in_subfolder", lambda sfx: [f"交付/地块{sfx}"], expect="ok"),    # item 11: info too
        _zip_case("zip_no_shx", lambda sfx: [] if sfx == ".shx" else [f"site{sfx}"]),
        _zip_case("zip_two_shapefiles", lambda sfx: [f"a{sfx}", f"b/b{sfx}"]),
        _zip_case("zip_no_shapefile", lambda sfx: [f"site{sfx}.bak"]),
        _zip_case("zip_truncated", lambda sfx: [f"site{sfx}"], transform=lambda b: b[: len(b) // 2]),
        _zip_case("zip_garbled", lambda sfx: [f"site{sfx}"], transform=lambda b: b[:30] + bytes(200) + b[230:]),
    ] + [_bytes_case("zip_not_a_zip", "shapefile", "vector", "zip_not_a_zip.zip", b"PK but not really")]


# ------------------------------------------------------------------------------------ invalid geometries

def _geom_shapes():
    core = list(box_ring(SITE_IN_CORE))
    nan, inf = float("nan"), float("inf")
    x0, y0, x1, y1 = SITE_IN_CORE
    return {
        "unclosed_ring": [core[:-1]],
        "two_point_ring": [[(x0, y0), (x1, y1)]],
        "one_point_ring": [[(x0, y0)]],
        "three_point_closed": [[(x0, y0), (x1, y1), (x0, y0)]],
        "bowtie": [[(x0, y0), (x1, y1), (x1, y0), (x0, y1), (x0, y0)]],
        "nan_coordinate": [[(x0, y0), (nan, y0), (x1, y1), (x0, y1), (x0, y0)]],
        "inf_coordinate": [[(x0, y0), (inf, y0), (x1, y1), (x0, y1), (x0, y0)]],
        "huge_coordinate": [[(x0, y0), (1e300, y0), (1e300, 1e300), (x0, y1), (x0, y0)]],
        "all_same_point": [[(x0, y0)] * 5],
        "collinear_ring": [[(x0, y0), ((x0 + x1) / 2, y0), (x1, y0), (x0, y0)]],
        "hole_outside_shell": [core, box_ring((122.0, 41.0, 122.01, 41.01))[::-1]],
        "lat_over_90": [box_ring((121.6, 91.0, 121.7, 92.0))],
        "self_touching": [[(x0, y0), (x1, y0), (x1, y1), ((x0 + x1) / 2, y0), (x0, y1), (x0, y0)]],
        "spike": [[(x0, y0), (x1, y0), (x1, y1), (x1 + 0.5, y1), (x1, y1), (x0, y1), (x0, y0)]],
    }


def geometry_cases() -> list[Case]:
    cases = []
    outside = [box_ring(SITE_OUTSIDE)]
    for name, bad in _geom_shapes().items():
        # shapefile: the bad parcel is feature 1, a good one feature 2
        cases.append(_shapefile_case(f"geom_shp_{name}", group="geometry", feature_named=True,
                                     shapes=[bad, outside]))
        coords = [[list(p) for p in ring] for ring in bad]
        text = json.dumps({"type": "FeatureCollection", "features": [
            feature({"name": "bad"}, coords), feature({"name": "good"}, [[list(p) for p in outside[0]]])]})
        cases.append(_bytes_case(f"geom_json_{name}", "geometry", "vector", f"geom_json_{name}.geojson",
                                 text.encode(), feature=True))
    cases.append(_shapefile_case("geom_shp_null_shape", group="geometry", feature_named=True,
                                 shapes=[None, outside]))
    cases.append(_shapefile_case("geom_shp_all_null", group="geometry", shapes=[None, None]))
    cases.append(_shapefile_case("geom_shp_no_records", group="geometry", shapes=[], rows=[]))
    cases.append(_shapefile_case("geom_shp_points_as_site", group="geometry", shape_type=shp.POINT,
                                 shapes=[(121.645, 40.845), (float("nan"), 40.8)], feature_named=True))
    cases.append(_shapefile_case("geom_shp_zero_parts", group="geometry", feature_named=True, shapes=[[], outside]))
    empties = {
        "geom_json_null_geometry": [feature({"name": "a"}, None)],
        "geom_json_empty_coords": [feature({"name": "a"}, [])],
        "geom_json_empty_ring": [feature({"name": "a"}, [[]])],
        "geom_json_empty_collection": [],
        "geom_json_mixed_types": [feature({"name": "p"}, [121.645, 40.845], "Point"),
                                  feature({"name": "a"}, [box_ring(SITE_OUTSIDE)])],
        "geom_json_string_coords": [feature({"name": "a"}, [[["121.6", "40.8"], ["121.7", "40.8"],
                                                             ["121.7", "40.9"], ["121.6", "40.8"]]])],
        "geom_json_3d_nan_z": [feature({"name": "a"}, [[[121.64, 40.84, None], [121.65, 40.84, 1],
                                                         [121.65, 40.85, 1], [121.64, 40.84, 1]]])],
    }
    for case_id, feats in empties.items():
        data = json.dumps({"type": "FeatureCollection", "features": feats}).encode()
        cases.append(_bytes_case(case_id, "geometry", "vector", f"{case_id}.geojson", data))
    return cases


# -------------------------------------------------------------------------------------- odd GeoJSON text

def geojson_cases() -> list[Case]:
    good = json.dumps({"type": "FeatureCollection", "features": site_features()}, ensure_ascii=False)
    variants = {
        "json_truncated_half": good[: len(good) // 2].encode(),
        "json_truncated_end": good[:-3].encode(),
        "json_utf16": good.encode("utf-16"),
        "json_utf16_le_nobom": good.encode("utf-16-le"),
        "json_gbk": good.encode("gbk"),
        "json_bom": b"\xef\xbb\xbf" + good.encode(),
        "json_not_json": b"hello, I am not JSON",
        "json_empty_object": b"{}",
        "json_array": b"[1, 2, 3]",
        "json_zero_bytes": b"",
        "json_nul_in_name": good.replace("A地块", "A\\u0000地块").encode(),
        "json_bad_crs": good.replace('"FeatureCollection"', '"FeatureCollection", "crs": {"type": "name", '
                                     '"properties": {"name": "EPSG:999999"}}', 1).encode(),
        "json_feature_only": json.dumps(site_features()[0], ensure_ascii=False).encode(),
        "json_deep_nesting": ("[" * 5000 + "]" * 5000).encode(),
    }
    return [_bytes_case(k, "geojson", "vector", f"{k}.geojson", v) for k, v in variants.items()]


# ---------------------------------------------------------------------------------------- exchange text

EXCHANGE_HEADER = """[属性描述]
格式版本号=1.01
数据产生单位=测试
数据产生日期=2024-01-01
坐标系=2000国家大地坐标系
几度分带=3
投影类型=高斯克吕格
计量单位=米
带号=40
精度=0.001
转换参数=,,,,,,
[地块坐标]
"""
# a 100 m square at about 120.0E 40.85N (zone 40, central meridian 120E)
_EX = [(4522000.000, 40500000.000), (4522100.000, 40500000.000), (4522100.000, 40500100.000),
       (4522000.000, 40500100.000)]


def _exchange_parcel(points, count=None, name="甲地块", area="1.0000", record="面"):
    count = len(points) if count is None else count
    lines = [f"{count},{area},1,{name},{record},,工业用地,,@"]
    lines += [f"J{i + 1},1,{x},{y}" for i, (x, y) in enumerate(points)]
    return "\n".join(lines) + "\n"


def exchange_cases() -> list[Case]:
    closed = _EX + [_EX[0]]
    good = EXCHANGE_HEADER + _exchange_parcel(closed)
    bowtie = [_EX[0], _EX[2], _EX[1], _EX[3], _EX[0]]
    texts = {
        "ex_truncated_header": good[:60],
        "ex_truncated_mid_parcel": good[: len(good) - 30],
        "ex_truncated_mid_number": good[: len(good) - 5],
        "ex_missing_header_section": good.replace("[属性描述]\n", ""),
        "ex_missing_coord_section": good.replace("[地块坐标]\n", ""),
        "ex_header_only": EXCHANGE_HEADER,
        "ex_count_too_high": EXCHANGE_HEADER + _exchange_parcel(closed, count=9),
        "ex_count_too_low": EXCHANGE_HEADER + _exchange_parcel(closed, count=2),
        "ex_count_letters": EXCHANGE_HEADER + _exchange_parcel(closed, count="五"),
        "ex_letters_in_x": good.replace("4522100.000,40500000.000", "45221OO.000,40500000.000", 1),
        "ex_letters_in_y": good.replace("4522100.000,40500100.000", "4522100.000,4O500100.000", 1),
        "ex_area_letters": EXCHANGE_HEADER + _exchange_parcel(closed, area="一公顷"),
        "ex_bowtie_parcel": EXCHANGE_HEADER + _exchange_parcel(bowtie),
        "ex_unclosed_parcel": EXCHANGE_HEADER + _exchange_parcel(_EX),
        "ex_two_point_parcel": EXCHANGE_HEADER + _exchange_parcel([_EX[0], _EX[1]]),
        "ex_zone_mismatch": good.replace("带号=40", "带号=41"),
        "ex_zone_letters": good.replace("带号=40", "带号=四十"),
        "ex_unknown_datum": good.replace("2000国家大地坐标系", "火星坐标系"),
        "ex_xian80": good.replace("2000国家大地坐标系", "1980西安坐标系"),
        "ex_no_zone_prefix": good.replace("4050", "50"),
        "ex_huge_coords": good.replace("4522000.000", "1e300"),
        "ex_nan_coords": good.replace("4522000.000", "nan"),
        "ex_record_type_unknown": EXCHANGE_HEADER + _exchange_parcel(closed, record="圆"),
        "ex_line_parcel": EXCHANGE_HEADER + _exchange_parcel(closed, record="线"),
        "ex_duplicate_parcels": EXCHANGE_HEADER + _exchange_parcel(closed) + _exchange_parcel(closed),
        "ex_full_width_commas": good.replace(",", "，"),
        "ex_tabs": good.replace(",", "\t"),
        "ex_empty_lines_everywhere": good.replace("\n", "\n\n"),
        "ex_vertex_before_parcel": EXCHANGE_HEADER + "J1,1,4522000.000,40500000.000\n" + _exchange_parcel(closed),
        "ex_ring_number_letters": good.replace("J2,1,", "J2,x,"),
        "ex_swapped_xy": EXCHANGE_HEADER + _exchange_parcel([(y, x) for x, y in closed]),
    }
    encodings = {k: (v.encode("gb18030")) for k, v in texts.items()}
    encodings.update({
        "ex_zero_bytes": b"",
        "ex_utf16": good.encode("utf-16"),
        "ex_utf16_be": good.encode("utf-16-be"),
        "ex_utf8_bom": b"\xef\xbb\xbf" + good.encode("utf-8"),
        "ex_utf8": good.encode("utf-8"),
        "ex_nul_bytes": good.encode("gb18030").replace(b"1.01", b"1\x00\x0001"),
        "ex_crlf": good.replace("\n", "\r\n").encode("gb18030"),
        "ex_mixed_encoding": EXCHANGE_HEADER.encode("utf-8") + _exchange_parcel(closed).encode("gb18030"),
        "ex_binary_garbage": bytes(range(256)) * 4,
    })
    return [_bytes_case(k, "exchange", "exchange", f"{k}.txt", v) for k, v in encodings.items()]


# ------------------------------------------------------------------------------------------ YAML files

def alias_bomb(indent: str) -> str:
    """A "billion laughs" YAML block sequence kept small for speed: six levels of five aliases
    (about 19 500 leaves once expanded), each line indented by ``indent``."""
    lines = [f"{indent}- &a [x, x, x, x, x]"]
    lines += [f"{indent}- &{name} [" + ", ".join([f"*{prev}"] * 5) + "]" for prev, name in zip("abcde", "bcdef")]
    return "\n".join(lines) + "\n"


def _project_text(extra="", layers=None):
    layers = layers or ("  redline: {kind: redline, path: ../../world/redline.geojson}\n"
                        "  reserve: {kind: reserve, path: ../../world/reserve.geojson}\n")
    return f"name: 测试\n{extra}layers:\n{layers}"


def project_cases() -> list[Case]:
    base = _project_text()
    texts = {
        "proj_alias_bomb": "description:\n" + alias_bomb("  ") + base,
        "proj_alias_in_layers": "x: &x {kind: redline, path: ../../world/redline.geojson}\n"
                                "name: t\nlayers:\n  redline: *x\n  reserve: *x\n",
        "proj_recursive_alias": "name: &n [*n]\n" + base.replace("name: 测试\n", ""),
        "proj_recursive_alias_map": "a: &a {b: *a}\n" + base,
        "proj_duplicate_key": base + "  redline: {kind: redline, path: ../../world/reserve.geojson}\n",
        "proj_duplicate_top": base + "layers: {}\n",
        "proj_tabs": base.replace("  redline", "\tredline"),
        "proj_list": "- redline\n- reserve\n",
        "proj_scalar": "just a string\n",
        "proj_empty": "",
        "proj_null": "~\n",
        "proj_syntax_error": "name: [unclosed\nlayers: {\n",
        "proj_python_tag": "name: !!python/object/apply:os.system ['echo hacked']\n" + base.replace("name: 测试\n", ""),
        "proj_missing_layer_file": _project_text(layers="  redline: {kind: redline, path: nowhere.shp}\n"),
        "proj_layer_is_folder": _project_text(layers="  redline: {kind: redline, path: .}\n"),
        "proj_unknown_kind": _project_text(layers="  redline: {kind: dragon, path: ../../world/redline.geojson}\n"),
        "proj_layers_list": "name: t\nlayers: [a, b]\n",
        "proj_no_layers": "name: t\n",
        "proj_buffers_inf": _project_text("buffers_m: [.inf]\n"),
        "proj_buffers_nan": _project_text("buffers_m: [.nan]\n"),
        "proj_buffers_negative": _project_text("buffers_m: [-500]\n"),
        "proj_buffers_huge": _project_text("buffers_m: [1.0e12]\n"),
        "proj_buffers_text": _project_text("buffers_m: [abc]\n"),
        "proj_buffers_scalar_text": _project_text("buffers_m: lots\n"),
        "proj_huge_int": _project_text("buffers_m: [" + "9" * 400 + "]\n"),
        "proj_layer_crs_bogus": _project_text(
            layers="  redline: {kind: redline, path: ../../world/redline.geojson, crs: EPSG:999999}\n"),
        "proj_layer_encoding_bogus": _project_text(
            layers="  redline: {kind: redline, path: ../../world/redline.geojson, encoding: klingon}\n"),
        "proj_bowtie_redline": _project_text(layers="  redline: {kind: redline, path: bowtie_redline.geojson}\n"),
        "proj_rules_missing": _project_text("rules: no_such_rules.yaml\n"),
    }
    data = {k: v.encode("utf-8") for k, v in texts.items()}
    data.update({
        "proj_gbk": base.encode("gbk"),
        "proj_utf16": base.encode("utf-16"),
        "proj_utf16_le": base.encode("utf-16-le"),
        "proj_nul_byte": base.encode().replace(b"name:", b"na\0me:"),
        "proj_invalid_utf8": base.encode() + b"description: \xff\xfe\n",
        "proj_binary": bytes(range(256)),
    })
    cases = []
    for k, v in data.items():
        def make(root, k=k, v=v):
            d = _case_dir(root, k)
            (d / f"{k}.yaml").write_bytes(v)
            if k == "proj_bowtie_redline":
                x0, y0, x1, y1 = REDLINE
                dump_geojson(d / "bowtie_redline.geojson", [feature(
                    {"红线编号": "R9"}, [[(x0, y0), (x1, y1), (x1, y0), (x0, y1), (x0, y0)]])])
        names = {"proj_missing_layer_file": ("nowhere.shp", "proj_missing_layer_file"),
                 "proj_bowtie_redline": ("bowtie_redline", "proj_bowtie_redline"),
                 "proj_rules_missing": ("no_such_rules", "proj_rules_missing")}.get(k, ())
        cases.append(Case(k, "yaml", "project", f"cases/{k}/{k}.yaml", make, names=names))
    return cases


def rules_cases() -> list[Case]:
    rule = ("rules:\n  - id: my_rule\n    kind: redline\n    relation: intersects\n    verdict: 禁止\n"
            "    rule_zh: 红线内禁止\n")
    texts = {
        "rules_alias_bomb": (rule + "    note:\n" + alias_bomb("      ")).encode(),
        "rules_recursive_alias": b"rules: &r [*r]\n",
        "rules_duplicate_key": (rule + "rules: []\n").encode(),
        "rules_gbk": rule.encode("gbk"),
        "rules_utf16": rule.encode("utf-16"),
        "rules_tabs": rule.replace("    ", "\t").encode(),
        "rules_list": b"- a\n- b\n",
        "rules_scalar": b"42\n",
        "rules_empty": b"",
        "rules_bad_verdict": rule.replace("禁止", "大概不行").encode(),
        "rules_buffers_inf": (rule + "buffers_m: [.inf]\n").encode(),
        "rules_not_list": b"rules: {a: 1}\n",
        "rules_zero_bytes_utf8_bom": b"\xef\xbb\xbf",
    }
    return [_bytes_case(k, "yaml", "rules", f"{k}.yaml", v) for k, v in texts.items()]


def _audit_text(check_extra="", layers_extra="", checks=None):
    checks = checks if checks is not None else (
        "  - id: redline_area\n    type: area_share\n    layer: redline\n    within: city\n" + check_extra)
    return ("title: 审计\nlayers:\n  redline: {path: ../../world/redline.geojson, kind: redline}\n"
            "  city: {path: ../../world/boundary.geojson, kind: boundary}\n"
            "  reserve: {path: ../../world/reserve.geojson, kind: reserve}\n" + layers_extra
            + "checks:\n" + checks)


def audit_cases() -> list[Case]:
    base = _audit_text()
    texts = {
        "audit_alias_bomb": base + "    title:\n" + alias_bomb("      "),
        "audit_recursive_alias": "title: &t [*t]\n" + base.replace("title: 审计\n", ""),
        "audit_duplicate_key": base + "    layer: reserve\n",
        "audit_duplicate_check_id": base + "  - id: redline_area\n    type: area_share\n    layer: redline\n"
                                           "    within: city\n",
        "audit_tabs": base.replace("    type", "\ttype"),
        "audit_list": "- a\n",
        "audit_scalar": "audit\n",
        "audit_empty": "",
        "audit_checks_not_list": "layers: {}\nchecks: {a: 1}\n",
        "audit_unknown_type": _audit_text(checks="  - id: x\n    type: magic\n"),
        "audit_declared_inf": _audit_text("    declared: .inf\n"),
        "audit_declared_nan": _audit_text("    declared: .nan\n"),
        "audit_declared_text": _audit_text("    declared: lots\n"),
        "audit_boundary_area_zero": _audit_text("    boundary_area: 0\n"),
        "audit_boundary_area_negative": _audit_text("    boundary_area: -5\n"),
        "audit_tolerance_negative": _audit_text("    declared: 1\n    tolerance: -1\n"),
        "audit_where_no_match": _audit_text(checks="  - id: zones\n    type: count_in_zones\n    points: pts\n"
                                                   "    zones: reserve\n    where: {status: 关停}\n",
                                            layers_extra="  pts: {path: wells.geojson, kind: well}\n"),
        "audit_where_unknown_field": _audit_text(checks="  - id: zones\n    type: count_in_zones\n    points: pts\n"
                                                        "    zones: reserve\n    where: {colour: red}\n",
                                                 layers_extra="  pts: {path: wells.geojson, kind: well}\n"),
        "audit_missing_layer_ref": _audit_text(checks="  - id: a\n    type: area_share\n    layer: ghost\n"),
        "audit_layer_file_missing": _audit_text(layers_extra="  ghost: {path: ghost.gpkg}\n",
                                                checks="  - id: a\n    type: area_share\n    layer: ghost\n"),
        "audit_python_tag": "!!python/object/apply:os.system ['echo hacked']\n",
    }
    data = {k: v.encode("utf-8") for k, v in texts.items()}
    data.update({"audit_gbk": base.encode("gbk"), "audit_utf16": base.encode("utf-16"),
                 "audit_nul": base.encode().replace(b"title", b"ti\0tle")})
    cases = []
    for k, v in data.items():
        def make(root, k=k, v=v):
            d = _case_dir(root, k)
            (d / f"{k}.yaml").write_bytes(v)
            if "where" in k:
                x, y = (SITE_IN_CORE[0], SITE_IN_CORE[1])
                dump_geojson(d / "wells.geojson", [feature({"井号": f"W{i}", "状态": "已关停"}, [x, y], "Point")
                                                   for i in range(3)])
        names = {"audit_where_no_match": ("status", "关停"), "audit_where_unknown_field": ("colour",),
                 "audit_layer_file_missing": ("ghost",), "audit_missing_layer_ref": ("ghost",)}.get(k, ())
        cases.append(Case(k, "yaml", "audit", f"cases/{k}/{k}.yaml", make, names=names))
    return cases


def styles_cases() -> list[Case]:
    """Broken ``ecogis map --styles`` files."""
    good = 'kinds:\n  redline:\n    stroke: "#c00000"\n    label: {zh: 红线, en: Red line}\n'
    texts = {
        "styles_syntax_error": b"kinds: [1, 2\n",
        "styles_list": b"- a\n- b\n",
        "styles_kinds_scalar": b"kinds: 5\n",
        "styles_bad_colour": good.replace("#c00000", "reddish").encode(),
        "styles_gbk": good.encode("gbk"),
        "styles_utf16": good.encode("utf-16"),
        "styles_tabs": good.replace("    ", "\t").encode(),
        "styles_alias_bomb": (good + "    note:\n" + alias_bomb("      ")).encode(),
        "styles_recursive_alias": b"kinds: &k {redline: *k}\n",
        "styles_duplicate_key": (good + "  redline: {stroke: '#00ff00'}\n").encode(),
        "styles_binary": bytes(range(256)),
    }
    return [_bytes_case(k, "yaml", "styles", f"{k}.yaml", v) for k, v in texts.items()]


def legend_cases() -> list[Case]:
    """Broken ``ecogis raster --classes`` legends."""
    good = ("name: 测试图例\nnodata: 0\nclasses:\n" + "".join(
        f"  - {{code: {c}, zh: 类{c}, en: Class {c}, color: \"#00{c}0{c}0\"}}\n" for c in range(1, 10)))
    texts = {
        "legend_syntax_error": b"classes: [{code: 1\n",
        "legend_scalar": b"CLCD\n",
        "legend_no_classes": b"name: x\n",
        "legend_duplicate_code": (good + "  - {code: 1, zh: 重复, en: Again, color: \"#ffffff\"}\n").encode(),
        "legend_code_text": good.replace("code: 3,", "code: three,").encode(),
        "legend_code_huge": (good + "  - {code: 99999999999999999999, zh: 大, en: Huge, color: \"#ffffff\"}\n").encode(),
        "legend_bad_colour": good.replace('"#00303030"', '"#00303030"').replace("#00303", "#zz303").encode(),
        "legend_gbk": good.encode("gbk"),
        "legend_utf16": good.encode("utf-16"),
        "legend_alias_bomb": (good + "note:\n" + alias_bomb("  ")).encode(),
        "legend_recursive_alias": b"classes: &c [*c]\n",
        "legend_duplicate_key": (good + "nodata: 255\n").encode(),
    }
    return [_bytes_case(k, "yaml", "legend", f"{k}.yaml", v) for k, v in texts.items()]


# -------------------------------------------------------------------------------------------- rasters

def raster_cases() -> list[Case]:
    def tif_case(case_id, make_bytes=None, **raster_kw):
        def make(root):
            d = _case_dir(root, case_id)
            target = d / f"{case_id}.tif"
            if make_bytes is None:
                write_raster(target, **raster_kw)
            else:
                write_raster(d / "full.tif.tmp")
                full = (d / "full.tif.tmp").read_bytes()
                (d / "full.tif.tmp").unlink()
                target.write_bytes(make_bytes(full))
        return Case(case_id, "raster", "raster", f"cases/{case_id}/{case_id}.tif", make)

    cases = [tif_case(f"tif_trunc_{n}", lambda b, n=n: b[:n]) for n in (8, 16, 100, 200, 400)]
    cases += [tif_case("tif_trunc_half", lambda b: b[: len(b) // 2]),
              tif_case("tif_trunc_minus100", lambda b: b[:-100]),
              tif_case("tif_trunc_minus1", lambda b: b[:-1]),
              tif_case("tif_zero_bytes", lambda b: b""),
              tif_case("tif_text_renamed", lambda b: "这不是栅格 just text\n".encode()),
              tif_case("tif_png_renamed", lambda b: b"\x89PNG\r\n\x1a\n" + bytes(64)),
              tif_case("tif_bad_magic", lambda b: b"II\x2b\x00" + b[4:]),
              tif_case("tif_corrupt_ifd_offset", lambda b: b[:4] + struct.pack("<I", 10 ** 9) + b[8:]),
              tif_case("tif_garbled_middle", lambda b: b[:200] + bytes(len(b) - 400) + b[-200:]),
              tif_case("tif_no_crs", crs=None),
              tif_case("tif_far_away", bounds=(10.0, 10.0, 10.3, 10.1)),
              tif_case("tif_all_nodata", data=np.zeros((10, 30), dtype="uint8")),
              tif_case("tif_unknown_classes", data=np.full((10, 30), 200, dtype="uint8"))]
    return cases


# --------------------------------------------------------------------------------------- CSV and XLSX

def table_cases() -> list[Case]:
    good = "编号,名称,经度,纬度\nP1,甲点,121.645,40.845\nP2,乙点,122.205,40.755\n"
    csvs = {
        "csv_full_width_commas": good.replace(",", "，").encode(),
        "csv_ragged_rows": b"\xe7\xbc\x96\xe5\x8f\xb7,lon,lat\nP1,121.645,40.845,extra,more\nP2,122.2\n",
        "csv_unclosed_quote": b'id,name,lon,lat\nP1,"open,121.645,40.845\nP2,b,122.2,40.7\n',
        "csv_letters_in_numbers": good.replace("121.645", "12l.645").encode(),
        "csv_empty": b"",
        "csv_header_only": b"id,lon,lat\n",
        "csv_no_coordinates": b"id,name\nP1,a\n",
        "csv_out_of_range": good.replace("121.645", "721.645").replace("40.845", "140.845").encode(),
        "csv_gbk": good.encode("gbk"),
        "csv_utf16": good.encode("utf-16"),
        "csv_nul": good.encode().replace(b"P1", b"P\x001"),
        "csv_dms_garbage": "名称,经度,纬度\n甲,121°99′99″,40°70′\n".encode(),
        "csv_nan_inf": b"id,lon,lat\nP1,nan,inf\nP2,-inf,40.8\n",
        "csv_binary": bytes(range(256)) * 8,
        "csv_semicolons": good.replace(",", ";").encode(),
    }
    cases = [_bytes_case(k, "table", "table", f"{k}.csv", v) for k, v in csvs.items()]
    xlsx_bytes = {
        "xlsx_random_bytes": bytes(range(256)) * 8,
        "xlsx_text_renamed": good.encode(),
        "xlsx_zero_bytes": b"",
        "xlsx_empty_zip": b"PK\x05\x06" + bytes(18),
    }
    cases += [_bytes_case(k, "table", "table", f"{k}.xlsx", v) for k, v in xlsx_bytes.items()]

    def truncated_xlsx(root):
        full = _xlsx_bytes({"名称": ["甲"], "经度": [121.645], "纬度": [40.845]})
        (_case_dir(root, "xlsx_truncated") / "xlsx_truncated.xlsx").write_bytes(full[: len(full) // 2])

    def no_rows_xlsx(root):
        data = _xlsx_bytes({"名称": [], "经度": [], "纬度": []})
        (_case_dir(root, "xlsx_header_only") / "xlsx_header_only.xlsx").write_bytes(data)

    cases += [Case("xlsx_truncated", "table", "table", "cases/xlsx_truncated/xlsx_truncated.xlsx", truncated_xlsx),
              Case("xlsx_header_only", "table", "table", "cases/xlsx_header_only/xlsx_header_only.xlsx",
                   no_rows_xlsx)]
    return cases


def _xlsx_bytes(columns: dict) -> bytes:
    """An XLSX of ``columns`` with its save time fixed (zip entry dates and docProps), so the corpus
    is the same bytes on every run."""
    import io
    import re
    import zipfile

    import pandas as pd

    buf = io.BytesIO()
    pd.DataFrame(columns).to_excel(buf, index=False)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2024-01-01T00:00:00Z", data)
            dst.writestr(zipfile.ZipInfo(item.filename, date_time=(2024, 1, 1, 0, 0, 0)), data)
    return out.getvalue()


# ------------------------------------------------------------------------------------------- names

HOSTILE_NAMES = {
    "name_formula_sum": "=1+2",
    "name_formula_cell": "=A1",
    "name_formula_plus": "+1+2",
    "name_formula_at": "@SUM(1)",
    "name_formula_minus": "-2+3",
    "name_img_onerror": "<img src=x onerror=alert(1)>",
    "name_script": "<script>alert(1)</script>",
    "name_attr_break": "\"'><svg onload=alert(1)>",
    "name_nul": "A\0B",
    "name_newline": "第一行\n第二行",
    "name_rtl_override": "abc\u202edcba",
    "name_very_long": "长" * 5000,
}


def name_cases() -> list[Case]:
    """Sites named to attack the reports: as GeoJSON, and the same names in a CSV point table.

    GDAL's GeoJSON reader ends a text at a NUL, so a NUL reaches the reports only from a CSV.
    """
    cases = []
    for k, name in HOSTILE_NAMES.items():
        def make(root, k=k, name=name):
            dump_geojson(_case_dir(root, k) / f"{k}.geojson", site_features((name, "B地块")))
        cases.append(Case(k, "names", "names", f"cases/{k}/{k}.geojson", make, expect="ok"))
    for k, name in HOSTILE_NAMES.items():
        csv_id = k.replace("name_", "csvname_")
        def make_csv(root, csv_id=csv_id, name=name):
            import pandas as pd
            pd.DataFrame({"编号": ["P1", "P2"], "名称": [name, "乙点"], "经度": [121.645, 122.205],
                          "纬度": [40.845, 40.755]}).to_csv(_case_dir(root, csv_id) / f"{csv_id}.csv", index=False)
        expect = "error_or_note" if "\0" in name else "ok"
        cases.append(Case(csv_id, "names", "names", f"cases/{csv_id}/{csv_id}.csv", make_csv, expect=expect))
    return cases


# ------------------------------------------------------------------------------------ CLI arguments

def _args_case(case_id, *args, names=(), expect="error", make=None):
    """A bad command line; ``make(folder)`` may put input files into the case folder first."""
    def make_folder(root):
        folder = _case_dir(root, case_id)
        if make is not None:
            make(folder)
    return Case(case_id, "cli", "args", None, make_folder, names=names, expect=expect, args=tuple(args))


def _sidecars_only(folder):
    """other.dbf and other.prj without other.shp: a shapefile written as other.shp would replace them."""
    _write_shapefile(folder, "other", damage=lambda parts: parts.update({".shp": None, ".shx": None}))


def cli_cases() -> list[Case]:
    site, proj = "{world}/site.geojson", "{world}/project.yaml"
    check_at = ("check", "--project", proj, "--json", "--at")
    cases = [_args_case(f"buffer_{label}", "check", site, "--project", proj, "--json", "--buffer", value,
                        names=("--buffer", "buffer"))
             for label, value in (("1e12", "1e12"), ("minus1", "-1"), ("nan", "nan"), ("inf", "inf"),
                                  ("abc", "abc"), ("zero", "0"))]
    cases += [_args_case(f"buffer_{label}", "check", site, "--project", proj, "--json", "--buffer", value,
                         names=("--buffer", "buffer"), expect="error_or_note")   # "no buffers" is a reading
              for label, value in (("empty", ""), ("commas", ",,,"))]
    # item 11: "--at abc" must not say "file not found", so the message must name --at
    cases += [_args_case(f"at_{label}", *check_at, value, names=("--at",))
              for label, value in (("abc", "abc"), ("empty", ""), ("1e300", "1e300,1e300"), ("nan", "nan,nan"),
                                   ("one_number", "121.8"), ("three_numbers", "1,2,3"), ("bad_wkt", "POLYGON((1 2, 3"))]
    cases += [_args_case("at_lon_200", *check_at, "200,40", names=("--at", "200")),
              _args_case("at_full_width", *check_at, "121.8，40.9", names=("--at",), expect="error_or_note")]
    cases += [
        _args_case("area_plane_crs_geographic", "area", "{world}/redline.geojson", "--method", "plane",
                   "--plane-crs", "EPSG:4490", names=("--plane-crs", "EPSG:4490")),
        _args_case("area_plane_crs_bogus", "area", "{world}/redline.geojson", "--method", "plane",
                   "--plane-crs", "EPSG:999999", names=("--plane-crs", "EPSG:999999")),
        _args_case("area_boundary_area_zero", "area", "{world}/redline.geojson", "--within",
                   "{world}/boundary.geojson", "--boundary-area", "0", names=("--boundary-area", "boundary")),
        _args_case("area_declared_inf", "area", "{world}/redline.geojson", "--declared", "inf",
                   names=("--declared",)),
        _args_case("area_declared_nan", "area", "{world}/redline.geojson", "--declared", "nan",
                   names=("--declared",)),
        _args_case("area_within_unknown_name", "area", "{world}/redline.geojson", "--within", "不存在市",
                   names=("不存在市",)),
        _args_case("info_crs_unknown", "info", "{world}/redline.geojson", "--crs", "EPSG:999999",
                   names=("EPSG:999999", "--crs")),
        _args_case("info_crs_garbage", "info", "{world}/redline.geojson", "--crs", "not a crs",
                   names=("not a crs", "--crs")),
        _args_case("convert_to_crs_unknown", "convert", "{world}/redline.geojson", "{out}/out.gpkg",
                   "--to-crs", "EPSG:999999", names=("EPSG:999999", "--to-crs")),
        _args_case("check_site_crs_unknown", "check", site, "--project", proj, "--json", "--site-crs", "BD-99",
                   names=("BD-99", "--site-crs")),
        _args_case("check_out_inside_file", "check", site, "--project", proj, "--out", "{world}/site.geojson/out",
                   names=("site.geojson",)),
        _args_case("convert_out_inside_file", "convert", site, "{world}/site.geojson/x.gpkg",
                   names=("site.geojson",)),
        _args_case("map_out_inside_file", "map", "{world}/redline.geojson", "--out", "{world}/site.geojson/m.html",
                   names=("site.geojson",)),
        _args_case("audit_out_inside_file", "audit", "{world}/audit.yaml", "--out", "{world}/site.geojson/a",
                   names=("site.geojson",)),
        _args_case("zonal_out_inside_file", "raster", "zonal", "{world}/lc_a.tif", "--zones",
                   "{world}/reserve.geojson", "--no-progress", "--out", "{world}/site.geojson/z",
                   names=("site.geojson",)),
        # item 1: outputs that collide with inputs or their sidecars
        _args_case("convert_same_name_other_case", "convert", "{case}/site.shp", "{case}/site.SHP",
                   names=("site.SHP", "site.shp"), make=lambda d: _write_shapefile(d, "site")),
        _args_case("convert_over_sidecars", "convert", site, "{case}/other.shp",
                   names=("other.shp", "other.dbf", "other.prj"), make=_sidecars_only),
        _args_case("check_site_missing", "check", "{case}/nothing.shp", "--project", proj, "--json",
                   names=("nothing.shp",)),
        _args_case("check_site_is_folder", "check", "{case}", "--project", proj, "--json",
                   names=("check_site_is_folder",)),
        _args_case("info_missing_file", "info", "{case}/ghost.gpkg", names=("ghost.gpkg",)),
        _args_case("zonal_memory_zero", "raster", "zonal", "{world}/lc_a.tif", "--zones", "{world}/reserve.geojson",
                   "--no-progress", "--memory-mb", "0", names=("--memory-mb", "memory")),
        _args_case("zonal_memory_nan", "raster", "zonal", "{world}/lc_a.tif", "--zones", "{world}/reserve.geojson",
                   "--no-progress", "--memory-mb", "nan", names=("--memory-mb", "memory")),
        _args_case("change_min_area_nan", "raster", "change", "{world}/lc_a.tif", "{world}/lc_b.tif", "--zones",
                   "{world}/reserve.geojson", "--no-progress", "--out", "{out}/out", "--min-area", "nan",
                   names=("--min-area",)),
        _args_case("zonal_by_unknown_field", "raster", "zonal", "{world}/lc_a.tif", "--zones",
                   "{world}/reserve.geojson", "--no-progress", "--by", "colour", names=("colour",)),
        _args_case("change_to_unknown_class", "raster", "change", "{world}/lc_a.tif", "{world}/lc_b.tif", "--zones",
                   "{world}/reserve.geojson", "--no-progress", "--out", "{out}/out", "--to", "99",
                   names=("99", "--to")),
    ]
    return cases


# ---------------------------------------------------------------------------------------- the corpus

# Odd but well-defined inputs: the commands that may accept them without a note.
_VALID_BUT_ODD_GEOMETRY = ("bowtie", "self_touching", "spike", "collinear_ring", "hole_outside_shell",
                           "three_point_closed", "all_same_point")
_EMPTY_GEOMETRY = ("geom_shp_null_shape", "geom_shp_zero_parts", "geom_shp_all_null", "geom_shp_no_records",
                   "geom_json_null_geometry", "geom_json_empty_coords", "geom_json_empty_ring",
                   "geom_json_empty_collection")
QUIET_OK = {
    **{k: ("*",) for k in ("prj_bom", "json_bom", "json_feature_only", "ex_utf8", "ex_utf8_bom",
                           "geom_json_mixed_types", "proj_alias_in_layers", "rules_empty",
                           "rules_zero_bytes_utf8_bom",
                           "enc_nul_in_dbf",            # NUL-padded text fields: some writers pad so
                           "dbf_no_terminator",         # GDAL finds the fields from the header length
                           "shp_filelen_short",         # records are found through the .shx
                           # GDAL ends a text at its first NUL ("A\0B" reads as "A"): nothing left to see
                           "json_nul_in_name", "enc_utf16_in_dbf")},
    # UTF-16 with a byte-order mark declares its encoding (YAML 1.1 allows it): read as written
    **{k: ("*",) for k in ("proj_utf16", "rules_utf16", "audit_utf16", "styles_utf16", "legend_utf16",
                           "ex_utf16")},
    "proj_bowtie_redline": ("map",),
    "geom_json_string_coords": ("convert",), "geom_json_3d_nan_z": ("convert",),
    "prj_xian80": ("info", "validate", "convert", "area"),   # check mixes it with CGCS2000 layers: must say so
    # convert keeps what it reads, map draws it; info (counts), validate, area and check must say
    **{f"geom_{fmt}_{name}": ("convert", "map") for fmt in ("shp", "json") for name in _VALID_BUT_ODD_GEOMETRY},
    **{k: ("info", "convert", "map") for k in _EMPTY_GEOMETRY},   # info prints the count of empty ones
}


# Item 11: messages that point the wrong way.
NEVER_SAY = {
    "ex_bowtie_parcel": ("fewer than 3 distinct",),
    "ex_utf16": ("not a land-survey coordinate exchange file", "not a coordinate exchange file"),
    "ex_utf16_be": ("not a land-survey coordinate exchange file", "not a coordinate exchange file"),
    "json_gbk": ("not valid None",),
    **{f"at_{k}": ("file not found", "is a folder") for k in ("abc", "empty", "1e300", "nan", "one_number",
                                                              "three_numbers", "bad_wkt")},
}


def corpus_cases() -> list[Case]:
    """Every case, without writing anything (for test parametrisation)."""
    cases = (shapefile_cases() + zip_cases() + geometry_cases() + geojson_cases() + exchange_cases() + project_cases()
             + rules_cases() + audit_cases() + styles_cases() + legend_cases() + raster_cases() + table_cases() + name_cases() + cli_cases())
    return [replace(c, quiet_ok=QUIET_OK.get(c.id, c.quiet_ok), never_say=NEVER_SAY.get(c.id, c.never_say))
            for c in cases]


def build_corpus(root) -> list[Case]:
    """Write the world and every case under ``root``; return the cases (ids are unique)."""
    root = Path(root)
    write_world(root)
    cases = corpus_cases()
    ids = [c.id for c in cases]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    for case in cases:
        case.make(root)
    return cases


__all__ = ["Case", "build_corpus", "corpus_cases", "HOSTILE_NAMES"]
