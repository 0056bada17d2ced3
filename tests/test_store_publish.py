"""ecogis publish: named versions with history rows, the current version, refusing to overwrite, atomic
failures, and reading a version back by name@version, in PostGIS (the real throw-away cluster) and in a
GeoPackage. Expected values come from the source files (feature counts read with pyogrio, SHA-256 of
the bytes with hashlib), not from ecogis."""
from __future__ import annotations

import hashlib
import sqlite3

import pyogrio
import pytest
import sqlalchemy
from click.testing import CliRunner
from conftest import LAYERS

from ecogis.cli.publish_cmds import publish as publish_cmd
from ecogis.errors import EcogisError
from ecogis.io import read_layer_info
from ecogis.io.versions import HISTORY_TABLE
from ecogis.store import postgis_store, publish

REDLINE_2019 = LAYERS / "redline" / "redline.shp"
REDLINE_2023 = LAYERS / "redline" / "redline_2023.gpkg"
GBK = {"encoding": "gbk"}


def _sha256(*paths) -> str:
    digest = hashlib.sha256()
    for p in paths:
        digest.update(p.read_bytes())
    return digest.hexdigest()


def _history(url: str) -> list[dict]:
    engine = sqlalchemy.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        rows = conn.execute(sqlalchemy.text(f"SELECT * FROM {HISTORY_TABLE} ORDER BY published_at, version"))
        out = [dict(r._mapping) for r in rows]
    engine.dispose()
    return out


def _publish_both(target, **second):
    first = publish(REDLINE_2019, "redline", target, "redline", "2019", read_options=GBK)
    later = publish(REDLINE_2023, "redline", target, "redline", "2023-adjusted", **second)
    return first, later


def test_publishing_twice_gives_two_versions_and_history_rows(postgis_db, pg_password):
    _publish_both(postgis_db.url)
    rows = _history(postgis_db.url)
    assert [(r["name"], r["version"], r["table_name"]) for r in rows] == [
        ("redline", "2019", "redline__2019"), ("redline", "2023-adjusted", "redline__2023_adjusted")]
    old, new = rows
    sidecars = sorted(p for p in REDLINE_2019.parent.glob("redline.*") if p != REDLINE_2019)
    assert old["source_sha256"] == _sha256(REDLINE_2019, *sidecars)
    assert new["source_sha256"] == _sha256(REDLINE_2023)
    assert old["features"] == len(pyogrio.read_dataframe(REDLINE_2019, read_geometry=False))
    assert new["features"] == len(pyogrio.read_dataframe(REDLINE_2023, read_geometry=False))
    assert (old["crs"], new["crs"]) == ("EPSG:4529", "EPSG:4490")
    assert old["source_path"] == str(REDLINE_2019) and old["kind"] == "redline" and old["ecogis_version"]
    assert [r["is_current"] for r in rows] == [True, False]  # the first version is current until switched
    engine = sqlalchemy.create_engine(postgis_db.url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        gist = conn.execute(sqlalchemy.text("SELECT count(*) FROM pg_indexes WHERE tablename = 'redline__2019' "
                                            "AND indexdef ILIKE '%USING gist%'")).scalar()
        columns = {r[0] for r in conn.execute(sqlalchemy.text(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'redline__2019'"))}
    engine.dispose()
    assert gist == 1
    assert {"id", "name", "type"} <= columns  # the normalised (canonical) fields, not HXBH/HXMC/HXLX


def test_as_current_switches_the_version_projects_read(postgis_db, pg_password):
    _publish_both(postgis_db.url, as_current=True)
    assert [r["is_current"] for r in _history(postgis_db.url)] == [False, True]
    current, info = read_layer_info(f"{postgis_db.url}?table=redline", kind="redline")
    old, old_info = read_layer_info(f"{postgis_db.url}?table=redline@2019", kind="redline")
    assert info.extra["version"] == "2023-adjusted" and old_info.extra["version"] == "2019"
    assert len(current) == len(pyogrio.read_dataframe(REDLINE_2023, read_geometry=False))
    assert len(old) == len(pyogrio.read_dataframe(REDLINE_2019, read_geometry=False))
    assert info.layer == "public.redline" and "HX08" in set(current["id"]) and "HX08" not in set(old["id"])


def test_an_existing_version_is_refused_unless_overwrite(postgis_db, pg_password):
    publish(REDLINE_2019, "redline", postgis_db.url, "redline", "2019", read_options=GBK)
    with pytest.raises(EcogisError, match="version 2019 of layer redline is already published"):
        publish(REDLINE_2023, "redline", postgis_db.url, "redline", "2019")
    publish(REDLINE_2023, "redline", postgis_db.url, "redline", "2019", overwrite=True)
    rows = _history(postgis_db.url)
    assert len(rows) == 1 and rows[0]["source_sha256"] == _sha256(REDLINE_2023) and rows[0]["is_current"]


def test_a_failed_publish_leaves_the_previous_version_current(postgis_db, pg_password, monkeypatch):
    publish(REDLINE_2019, "redline", postgis_db.url, "redline", "2019", read_options=GBK)

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")  # after the version's table was written, before its history row

    monkeypatch.setattr(postgis_store.PostgisStore, "_record", fail)
    with pytest.raises(RuntimeError):
        publish(REDLINE_2023, "redline", postgis_db.url, "redline", "2023-adjusted", as_current=True)
    rows = _history(postgis_db.url)
    assert [(r["version"], r["is_current"]) for r in rows] == [("2019", True)]
    with pytest.raises(EcogisError, match="no table or view public.redline__2023_adjusted"):
        read_layer_info(f"{postgis_db.url}?table=redline__2023_adjusted")


def test_an_unpublished_version_is_an_error_listing_the_versions(postgis_db, pg_password):
    publish(REDLINE_2019, "redline", postgis_db.url, "redline", "2019", read_options=GBK)
    with pytest.raises(EcogisError, match=r"no version 2020 of layer redline was published \(versions: 2019\)"):
        read_layer_info(f"{postgis_db.url}?table=redline@2020")


def _gpkg_history(path) -> list[dict]:
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(f"SELECT * FROM {HISTORY_TABLE} ORDER BY rowid")]


def test_a_geopackage_store_keeps_versions_and_the_current_one(tmp_path):
    store = tmp_path / "store.gpkg"
    _publish_both(store)
    layers = {name for name, _ in pyogrio.list_layers(store)}
    assert {"redline__2019", "redline__2023_adjusted"} <= layers
    rows = _gpkg_history(store)
    assert [(r["version"], r["is_current"]) for r in rows] == [("2019", 1), ("2023-adjusted", 0)]
    assert rows[1]["source_sha256"] == _sha256(REDLINE_2023)
    current, info = read_layer_info(store, kind="redline", layer="redline")
    assert info.extra["version"] == "2019"
    with sqlite3.connect(store) as conn:  # GDAL's R-tree spatial index of each version
        rtrees = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE name LIKE 'rtree_%' "
                                             "AND type = 'table'")}
    assert {"rtree_redline__2019_geom", "rtree_redline__2023_adjusted_geom"} <= rtrees


def test_publish_on_the_command_line_switches_the_current_version(tmp_path):
    store = tmp_path / "store.gpkg"
    runner = CliRunner()
    first = runner.invoke(publish_cmd, [str(REDLINE_2019), "--kind", "redline", "--encoding", "gbk", "--to",
                                        str(store), "--name", "redline", "--version", "2019", "--lang", "en"])
    assert first.exit_code == 0, first.output
    args = [str(REDLINE_2023), "--kind", "redline", "--to", str(store), "--name", "redline",
            "--version", "2023-adjusted", "--as-current", "--lang", "en"]
    second = runner.invoke(publish_cmd, args)
    assert second.exit_code == 0, second.output
    assert "current version: 2023-adjusted" in second.output
    again = runner.invoke(publish_cmd, args)
    assert again.exit_code == 2 and "already published" in again.stderr and "--overwrite" in again.stderr
    assert [(r["version"], r["is_current"]) for r in _gpkg_history(store)] == [("2019", 0), ("2023-adjusted", 1)]
    _, info = read_layer_info(store, kind="redline", layer="redline")
    assert info.extra["version"] == "2023-adjusted"
