"""Datum transformations fitted from control points (issue 13 item 5).

The control points are generated here from known parameters with the textbook formulas written out in
numpy (Bursa-Wolf, position-vector convention; the plane similarity), independently of ecogis.transform,
which fits them by least squares and applies them through PROJ pipelines."""
from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
import yaml
from click.testing import CliRunner

from ecogis.cli import main
from ecogis.io import read_layer

ARCSEC = math.pi / 180 / 3600
SEVEN = {"x": -15.2, "y": 128.6, "z": 45.3, "rx": 1.2, "ry": -2.1, "rz": 0.8, "s": 3.5}  # m, ″, ppm
FOUR = {"x": 12.5, "y": -30.25, "theta": 2.5, "s": 1.0000042}  # m, ″, scale


def _tm(ellps):
    """Gauss-Kruger zone 41 with the zone prefix on the given ellipsoid (degrees in, metres out)."""
    return pyproj.Transformer.from_pipeline(f"+proj=tmerc +lon_0=123 +x_0=41500000 +k=1 +ellps={ellps}")


def _control_points(n=8, seed=1):
    """Source (Beijing 1954, EPSG:2417) and target (CGCS2000, EPSG:4529) easting, northing, height."""
    rng = np.random.default_rng(seed)
    lon, lat = 121.6 + rng.uniform(0, 1.4, n), 40.6 + rng.uniform(0, 0.9, n)  # degrees, as pyproj takes them
    return _bursa_wolf(lon, lat)[:2]


def _bursa_wolf(lon, lat):
    """Source and target plane coordinates (and the target lon/lat) of Beijing 1954 lon/lat, by SEVEN."""
    height = np.zeros(len(lon))  # plane coordinates only, as on a 2D map
    xyz = np.column_stack(pyproj.Transformer.from_pipeline("+proj=cart +ellps=krass").transform(lon, lat, height))
    r = np.array([SEVEN["rx"], SEVEN["ry"], SEVEN["rz"]]) * ARCSEC
    rotation = np.array([[1, -r[2], r[1]], [r[2], 1, -r[0]], [-r[1], r[0], 1]])
    moved = xyz @ ((1 + SEVEN["s"] * 1e-6) * rotation).T + np.array([SEVEN["x"], SEVEN["y"], SEVEN["z"]])
    lon2, lat2, h2 = pyproj.Transformer.from_pipeline("+proj=cart +ellps=GRS80").transform(
        *moved.T, direction="INVERSE")
    e1, n1 = _tm("krass").transform(lon, lat)
    e2, n2 = _tm("GRS80").transform(lon2, lat2)
    return np.column_stack([e1, n1, height]), np.column_stack([e2, n2, h2]), (lon2, lat2)


def _csv(tmp_path, source, target, heights=True, name="points.csv"):
    rows = ["点号,X1,Y1,H1,X2,Y2,H2" if heights else "点号,X1,Y1,X2,Y2"]
    for i, (s, t) in enumerate(zip(source, target), start=1):
        values = [s[1], s[0], s[2], t[1], t[0], t[2]] if heights else [s[1], s[0], t[1], t[0]]
        rows.append(f"K{i}," + ",".join(f"{v:.6f}" for v in values))
    path = tmp_path / name
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _fit(tmp_path, points, *args):
    out = tmp_path / "params.yaml"
    result = CliRunner().invoke(main, ["transform", "fit", str(points), "--from-crs", "EPSG:2417", "--to-crs",
                                       "EPSG:4529", "--out", str(out), *args])
    return result, out


def test_seven_parameters_are_recovered_with_submillimetre_residuals(tmp_path):
    source, target = _control_points()
    result, out = _fit(tmp_path, _csv(tmp_path, source, target))
    assert result.exit_code == 0, result.stderr
    params = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert params["method"] == "helmert-7" and "+proj=helmert" in params["pipeline"]
    for key, value in SEVEN.items():  # translations to 1 mm, rotations to 0.0001″, scale to 0.0001 ppm
        assert params["parameters"][key] == pytest.approx(value, abs=1e-3 if key in "xyz" else 1e-4), key
    residuals = [abs(p[k]) for p in params["control_points"] for k in ("residual_e_m", "residual_n_m", "residual_h_m")]
    assert len(params["control_points"]) == 8 and max(residuals) < 0.001 and params["rms_m"] < 0.001
    assert "RMS 0.0000 m" in result.stdout and "K8" in result.stdout and "rx =" in result.stdout


def test_applying_the_parameter_file_reproduces_the_targets(tmp_path):
    source, target = _control_points()
    _, params = _fit(tmp_path, _csv(tmp_path, source, target))
    layer = tmp_path / "bj54.gpkg"
    gpd.GeoDataFrame({"name": [f"K{i}" for i in range(1, 9)]}, geometry=shapely.points(source[:, :2]),
                     crs="EPSG:2417").to_file(layer)
    gdf = read_layer(layer, transform=params)
    assert gdf.crs.to_epsg() == 4529
    xy = shapely.get_coordinates(gdf.geometry.values)
    assert np.abs(xy - target[:, :2]).max() < 0.001
    assert any("transformed from EPSG:2417 to EPSG:4529 with the fitted helmert-7" in n
               for n in gdf.attrs["ecogis"]["notes"])
    out = tmp_path / "cgcs.gpkg"
    result = CliRunner().invoke(main, ["convert", str(layer), str(out), "--transform", str(params)])
    assert result.exit_code == 0, result.stderr
    written = gpd.read_file(out)
    assert written.crs.to_epsg() == 4529
    assert np.abs(shapely.get_coordinates(written.geometry.values) - target[:, :2]).max() < 0.001


def test_four_parameters_are_recovered_and_applied(tmp_path):
    source, _ = _control_points(5, seed=3)
    theta = FOUR["theta"] * ARCSEC
    e, n = source[:, 0], source[:, 1]
    target = np.column_stack([FOUR["x"] + FOUR["s"] * (math.cos(theta) * e + math.sin(theta) * n),
                              FOUR["y"] + FOUR["s"] * (-math.sin(theta) * e + math.cos(theta) * n), np.zeros(5)])
    result, out = _fit(tmp_path, _csv(tmp_path, source, target, heights=False), "--method", "helmert-4")
    assert result.exit_code == 0, result.stderr
    params = yaml.safe_load(out.read_text(encoding="utf-8"))["parameters"]
    assert params["theta"] == pytest.approx(FOUR["theta"], abs=1e-5)  # the CSV holds micrometres
    assert params["s"] == pytest.approx(FOUR["s"], abs=1e-11)
    assert params["x"] == pytest.approx(FOUR["x"], abs=1e-3) and params["y"] == pytest.approx(FOUR["y"], abs=1e-3)
    layer = tmp_path / "plane.gpkg"
    gpd.GeoDataFrame(geometry=shapely.points(source[:, :2]), crs="EPSG:2417").to_file(layer)
    moved = shapely.get_coordinates(read_layer(layer, transform=out).geometry.values)
    assert np.abs(moved - target[:, :2]).max() < 0.001


def test_a_fit_above_the_tolerance_is_refused_naming_the_worst_point(tmp_path):
    source, target = _control_points()
    target[3, 1] += 0.5  # K4's northing off by half a metre
    result, out = _fit(tmp_path, _csv(tmp_path, source, target))
    assert result.exit_code == 2 and not out.exists()
    assert "above the tolerance 0.05 m" in result.stderr and "'K4'" in result.stderr
    result, out = _fit(tmp_path, _csv(tmp_path, source, target), "--tolerance", "1")
    assert result.exit_code == 0 and out.exists()


def test_too_few_points_and_a_layer_in_another_datum_are_errors(tmp_path):
    source, target = _control_points(2)
    result, _ = _fit(tmp_path, _csv(tmp_path, source, target))
    assert result.exit_code == 2 and "at least 3 control points" in result.stderr
    source, target = _control_points()
    _, params = _fit(tmp_path, _csv(tmp_path, source, target, name="ok.csv"))
    layer = tmp_path / "xian.gpkg"
    gpd.GeoDataFrame(geometry=shapely.points(source[:2, :2]), crs="EPSG:2365").to_file(layer)
    result = CliRunner().invoke(main, ["info", str(layer), "--transform", str(params)])
    assert result.exit_code == 2 and "the parameters transform from" in result.stderr


def test_without_parameters_the_conversion_says_what_proj_does(tmp_path):
    layer = tmp_path / "xian.gpkg"
    gpd.GeoDataFrame(geometry=[shapely.Point(41512345.0, 4534567.0)], crs="EPSG:2365").to_file(layer)
    result = CliRunner().invoke(main, ["convert", str(layer), str(tmp_path / "out.gpkg"), "--to-crs", "EPSG:4490",
                                       "--json"])
    assert result.exit_code == 0, result.stderr
    notes = " ".join(yaml.safe_load(result.stdout)["notes"])
    assert "PROJ's transformation" in notes and "accuracy unknown (a ballpark transformation" in notes


def test_area_and_check_take_cm_and_transform(tmp_path):
    """--cm (6-digit eastings) and --transform on area and check; the area is that of the target polygon."""
    source, target = _control_points()
    _, params = _fit(tmp_path, _csv(tmp_path, source, target))
    corners_lon, corners_lat = np.array([122.0, 122.003, 122.003, 122.0]), np.array([41.0, 41.0, 41.002, 41.002])
    plane, _, (lon2, lat2) = _bursa_wolf(corners_lon, corners_lat)  # a ~250 m x 220 m parcel
    layer = tmp_path / "bj54_parcel.gpkg"
    gpd.GeoDataFrame({"name": ["P"]}, geometry=[shapely.Polygon(plane[:, :2])], crs="EPSG:2417").to_file(layer)
    result = CliRunner().invoke(main, ["area", str(layer), "--transform", str(params), "--unit", "m2", "--json"])
    assert result.exit_code == 0, result.stderr
    geodesic = abs(pyproj.Geod(ellps="GRS80").polygon_area_perimeter(lon2, lat2)[0])
    assert yaml.safe_load(result.stdout)["area_m2"] == pytest.approx(geodesic, rel=1e-6)
    table = tmp_path / "gk6.csv"  # 6-digit eastings: the central meridian is not in the numbers
    table.write_text("名称,X,Y\nA,4535963.9,512345.6\nB,4536963.9,513345.6\n", encoding="utf-8")
    assert CliRunner().invoke(main, ["area", str(table)]).exit_code == 2
    with_cm = CliRunner().invoke(main, ["check", str(table), "-p", "layers/project.yaml", "--cm", "123", "--json"])
    assert with_cm.exit_code == 0, with_cm.stderr
    assert "EPSG:4550" in with_cm.stdout or "CM 123" in with_cm.stdout
