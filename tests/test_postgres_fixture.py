"""The throw-away PostgreSQL cluster of tests/postgres.py: PostGIS in every test database, the password
role refused with a wrong password."""
import psycopg
import pytest


def test_a_test_database_has_postgis_and_takes_the_role_with_its_password(postgis_db, pg_password):
    with psycopg.connect(postgis_db.url, password=pg_password) as conn:
        version = conn.execute("SELECT postgis_lib_version()").fetchone()[0]
        area = conn.execute("SELECT ST_Area(ST_MakeEnvelope(0, 0, 3, 2))").fetchone()[0]
    assert version.startswith("3")
    assert area == 6.0


def test_the_role_is_refused_with_a_wrong_password(postgis_db):
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(postgis_db.url, password="not-the-password")
