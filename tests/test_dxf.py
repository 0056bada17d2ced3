"""CAD drawings (issue 13 item 3): DXF through GDAL's DXF driver, DWG refused in one line.

The drawings are written here as DXF text (group code / value pairs) in GBK with $DWGCODEPAGE ANSI_936,
as Chinese CAD programs save them; expected areas are the rectangles' side products."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from ecogis.cli import main
from ecogis.errors import AssumptionWarning, EcogisError
from ecogis.io import read_layer

E, N = 41500000.0, 4540000.0  # 3-degree zone 41 with the zone prefix


def _polyline(layer, points, closed=True):
    out = ["0", "LWPOLYLINE", "8", layer, "90", str(len(points)), "70", "1" if closed else "0"]
    for x, y in points:
        out += ["10", f"{x:.3f}", "20", f"{y:.3f}"]
    return out


def _text(layer, x, y, text):
    return ["0", "TEXT", "8", layer, "10", f"{x:.3f}", "20", f"{y:.3f}", "30", "0.0", "40", "2.5", "1", text]


def _hatch(layer, points):
    out = ["0", "HATCH", "8", layer, "10", "0", "20", "0", "30", "0", "210", "0", "220", "0", "230", "1", "2", "SOLID",
           "70", "1", "71", "0", "91", "1", "92", "2", "72", "0", "73", "1", "93", str(len(points))]
    for x, y in points:
        out += ["10", f"{x:.3f}", "20", f"{y:.3f}"]
    return out + ["97", "0", "75", "0", "76", "1", "98", "0"]


def _rect(x, y, w, h):
    return [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]


def _dxf(tmp_path, entities, name="site.dxf"):
    lines = ["0", "SECTION", "2", "HEADER", "9", "$ACADVER", "1", "AC1015", "9", "$DWGCODEPAGE", "3", "ANSI_936",
             "0", "ENDSEC", "0", "SECTION", "2", "ENTITIES", *entities, "0", "ENDSEC", "0", "EOF"]
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    return path


def _two_parcels(e=E, n=N):
    return (_polyline("红线", _rect(e, n, 300, 200)) + _text("注记", e + 150, n + 100, "地块甲")
            + _polyline("红线", _rect(e + 1000, n, 100, 100)) + _text("注记", e + 1050, n + 50, "地块乙")
            + _polyline("道路", [(e, n - 50), (e + 500, n - 50)], closed=False)
            + _text("注记", e + 5000, n + 5000, "图例"))


def test_two_closed_polylines_with_labels_read_as_named_polygons_in_their_zone(tmp_path):
    path = _dxf(tmp_path, _two_parcels())
    with pytest.warns(AssumptionWarning, match="inferred EPSG:4529"):
        gdf = read_layer(path, layer="红线")
    assert gdf.crs.to_epsg() == 4529 and list(gdf["name"]) == ["地块甲", "地块乙"]
    assert list(gdf.geom_type) == ["Polygon", "Polygon"]
    assert list(gdf.geometry.area) == [pytest.approx(60_000.0), pytest.approx(10_000.0)]
    notes = " ".join(gdf.attrs["ecogis"]["notes"])
    assert "CAD layer(s) 红线: 2 polygon(s), 0 line(s)" in notes and "1 text(s) lie inside no polygon" in notes


def test_all_layers_lines_and_a_hatch_drawn_over_its_boundary(tmp_path):
    hatch = _rect(E + 2000, N, 100, 50)
    path = _dxf(tmp_path, _two_parcels() + _polyline("填充", hatch) + _hatch("填充", hatch))
    with pytest.warns(AssumptionWarning) as record:
        gdf = read_layer(path)
    assert any("1 polygon(s) drawn twice" in str(w.message) for w in record)
    assert sorted(gdf.geom_type) == ["LineString", "Polygon", "Polygon", "Polygon"]
    assert gdf.loc[gdf["cad_layer"] == "填充"].geometry.area.tolist() == [pytest.approx(5_000.0)]


def test_unprefixed_cad_coordinates_take_cm_and_unknown_layers_are_named(tmp_path):
    path = _dxf(tmp_path, _two_parcels(e=512000.0))
    with pytest.raises(EcogisError, match="central meridian"):
        read_layer(path, layer="红线")
    with pytest.warns(AssumptionWarning, match="EPSG:4550"):
        assert read_layer(path, layer="红线", cm=123).crs.to_epsg() == 4550
    with pytest.raises(EcogisError, match="no CAD layer 河流.*红线, 注记, 道路"):
        read_layer(path, layer="河流")


def test_cli_reads_dxf_with_dxf_layer_and_refuses_dwg_in_one_line(tmp_path):
    path = _dxf(tmp_path, _two_parcels())
    result = CliRunner().invoke(main, ["info", str(path), "--dxf-layer", "红线", "--json"])
    assert result.exit_code == 0, result.stderr
    info = json.loads(result.stdout)
    assert (info["count"], info["crs"], info["format"], info["geometry_types"]) == (2, "EPSG:4529", "cad", ["Polygon"])
    dwg = tmp_path / "site.dwg"
    dwg.write_bytes(b"AC1032\x00\x00binary")
    result = CliRunner().invoke(main, ["check", str(dwg), "-p", "layers/project.yaml", "--json"])
    errors = [line for line in result.stderr.splitlines() if line.startswith("ecogis: error")]
    assert result.exit_code == 2 and len(errors) == 1 and "Traceback" not in result.stderr
    assert "save the drawing as DXF" in errors[0] and "ODA File Converter" in errors[0] and "LibreCAD" in errors[0]
