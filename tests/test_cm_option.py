"""--cm (central meridian) on every command that reads layers (issue 13 item 7): an exchange text with
6-digit eastings and no 带号 needs it; with --cm 123 every command reads it in EPSG:4550."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from pyproj import Transformer

from ecogis.cli import main

# a 400 m square at 121.8 E, 40.9 N (inside the sample raster), in CGCS2000 GK CM 123 E without prefix
_E, _N = Transformer.from_crs(4490, 4550, always_xy=True).transform(121.8, 40.9)
RING = [(_N, _E), (_N, _E + 400), (_N + 400, _E + 400), (_N + 400, _E), (_N, _E)]
TEXT = "[属性描述]\n坐标系=2000国家大地坐标系\n[地块坐标]\n5,,1,地块,面,,,,@\n" + "".join(
    f"J{i},1,{x:.3f},{y:.3f}\n" for i, (x, y) in enumerate(RING, start=1))


@pytest.fixture
def parcel(tmp_path):
    path = tmp_path / "parcel.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


COMMANDS = {
    "info": lambda p, t: ["info", p],
    "validate": lambda p, t: ["validate", p],
    "convert": lambda p, t: ["convert", p, str(t / "out.gpkg")],
    "area": lambda p, t: ["area", p],
    "check": lambda p, t: ["check", p, "-p", "layers/project.yaml", "--json"],
    "map": lambda p, t: ["map", p, "--out", str(t / "map.html")],
    "raster zonal": lambda p, t: ["raster", "zonal", "layers/raster/lc_2023.tif", "--zones", p],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_reading_command_takes_cm(parcel, tmp_path, command):
    args = COMMANDS[command](str(parcel), tmp_path)
    without = CliRunner().invoke(main, args)
    assert without.exit_code == 2 and "central meridian" in without.stderr
    with_cm = CliRunner().invoke(main, [*args, "--cm", "123"])
    assert with_cm.exit_code == 0, with_cm.stderr
    assert "EPSG:4550" in with_cm.stdout + with_cm.stderr
