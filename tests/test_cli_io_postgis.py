"""``ecogis info`` and ``ecogis convert`` on PostGIS sources (``postgresql://...?table=`` and ``?sql=``), on
the real throw-away cluster: the URL reaches the reader untouched, a password in it is refused, and a
missing table or a wrong password is one line naming the connection (without password) and the table,
exit code 2. The features are compared with the shapefile they were published from, read by pyogrio."""
from __future__ import annotations

import json
import urllib.parse

import pyogrio
import pytest
import shapely
from click.testing import CliRunner
from conftest import LAYERS

from ecogis.cli.io_cmds import convert, info
from ecogis.store import publish

REDLINE = LAYERS / "redline" / "redline.shp"


@pytest.fixture
def redline_url(postgis_db, pg_password):
    publish(REDLINE, "redline", postgis_db.url, "redline", "2019", read_options={"encoding": "gbk"})
    return postgis_db.url


def _errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if not line.startswith("ecogis: warning")]


def test_info_describes_a_postgis_table(redline_url):
    res = CliRunner().invoke(info, [f"{redline_url}?table=redline@2019", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    source = pyogrio.read_dataframe(REDLINE, encoding="gbk")
    assert doc["count"] == len(source) and doc["format"] == "postgis"
    assert doc["path"].startswith(redline_url) and "public" in doc["path"]
    assert doc["bounds"] == pytest.approx(list(source.to_crs(doc["crs"]).total_bounds), abs=1e-6)


def test_info_takes_a_sql_query(redline_url):
    query = urllib.parse.quote("SELECT * FROM redline__2019 LIMIT 2")
    res = CliRunner().invoke(info, [f"{redline_url}?sql={query}", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["count"] == 2


def test_convert_writes_a_postgis_table_to_a_file(redline_url, tmp_path):
    out = tmp_path / "redline.gpkg"
    res = CliRunner().invoke(convert, [f"{redline_url}?table=redline", str(out), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["input"].startswith(redline_url)
    got = pyogrio.read_dataframe(out)
    source = pyogrio.read_dataframe(REDLINE, encoding="gbk").to_crs(got.crs)
    assert len(got) == len(source)
    for a, b in zip(sorted(got.geometry, key=lambda g: g.area), sorted(source.geometry, key=lambda g: g.area)):
        assert shapely.equals_exact(shapely.normalize(a), shapely.normalize(b), tolerance=1e-6)


@pytest.mark.parametrize("command", [info, convert])
def test_a_missing_table_is_one_line_naming_connection_and_table(redline_url, tmp_path, command):
    args = [f"{redline_url}?table=nosuch"] + ([str(tmp_path / "o.gpkg")] if command is convert else [])
    res = CliRunner().invoke(command, args)
    (line,) = _errors(res.stderr)
    assert res.exit_code == 2 and redline_url in line and "public.nosuch" in line
    assert not (tmp_path / "o.gpkg").exists()


@pytest.mark.parametrize("command", [info, convert])
def test_a_password_in_the_url_is_refused(command, tmp_path):
    args = ["postgresql://ecogis:hunter2@127.0.0.1:5/db?table=t"] + (
        [str(tmp_path / "o.gpkg")] if command is convert else [])
    res = CliRunner().invoke(command, args)
    (line,) = _errors(res.stderr)
    assert res.exit_code == 2 and "password" in line and "hunter2" not in res.output + res.stderr


def test_a_wrong_password_is_one_line(redline_url, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "wrong")
    res = CliRunner().invoke(info, [f"{redline_url}?table=redline"])
    (line,) = _errors(res.stderr)
    assert res.exit_code == 2 and redline_url in line and "public.redline" in line and "password" in line
    assert "wrong" not in line.replace("wrong password", "")
