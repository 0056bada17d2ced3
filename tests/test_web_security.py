"""``ecogis serve`` security: upload limits, zip traversal and bombs, authentication, ownership, CSRF,
rate limit, timeout, headers, and no route serving a file outside the data folder."""
from __future__ import annotations

import io
import socket
import time
import zipfile

import pytest
from fastapi.testclient import TestClient
from web_support import PASSWORDS, SITES, LiveServer, login, make_app, service_warnings, upload

from ecogis.errors import EcogisError
from ecogis.web.settings import ServeSettings


@pytest.fixture(autouse=True)
def _service_warnings():
    service_warnings()


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path / "data")


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


def _shapefile_zip(extra: dict[str, bytes]) -> bytes:
    """A zip of a real one-polygon shapefile (written by geopandas) plus ``extra`` entries."""
    import tempfile
    from pathlib import Path

    import geopandas as gpd
    import shapely

    buf = io.BytesIO()
    with tempfile.TemporaryDirectory() as d:
        gdf = gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.box(121.8, 40.9, 121.81, 40.91)], crs="EPSG:4490")
        gdf.to_file(Path(d) / "site.shp")
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in sorted(Path(d).iterdir()):
                zf.write(p, p.name)
            for name, data in extra.items():
                zf.writestr(name, data)
    return buf.getvalue()


def test_declared_2gb_upload_refused_before_the_body(app):
    """Real uvicorn: the request declares 2 GB and sends none of it; the 413 must come anyway."""
    with LiveServer(app) as server, socket.create_connection(("127.0.0.1", server.port), timeout=20) as s:
        started = time.monotonic()
        s.sendall(b"POST /api/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\n"
                  b"Content-Length: 2147483648\r\n\r\n")
        reply = ""
        while "}" not in reply:
            part = s.recv(4096).decode()
            assert part, reply
            reply += part
        assert reply.startswith("HTTP/1.1 413"), reply
        assert "larger than the 50 MB allowed" in reply
        assert time.monotonic() - started < 10


def test_body_longer_than_limit_cut_off(tmp_path):
    small = make_app(tmp_path / "d", auth=False, max_upload=1000)
    with TestClient(small) as c:
        def chunks():
            for _ in range(10):
                yield b"x" * 500

        resp = c.post("/api/check", content=chunks(), headers={"content-type": "application/geo+json"})
        assert resp.status_code == 413


def test_zip_with_parent_entries_refused_nothing_written(tmp_path):
    data_dir = tmp_path / "data"
    with TestClient(make_app(data_dir, auth=False)) as c:
        evil = _shapefile_zip({"../../evil.txt": b"owned", "ok/../../../evil2.txt": b"owned"})
        resp = c.post("/api/check", files={"file": ("site.zip", evil)})
        assert resp.status_code == 422
        assert "指向压缩包之外" in resp.json()["detail"]      # Chinese by default
        resp = c.post("/api/check", files={"file": ("site.zip", evil)}, data={"lang": "en"})
        assert "points outside the archive" in resp.json()["detail"]
    found = [p for p in tmp_path.rglob("evil*")]
    assert found == []
    assert not (data_dir / "tmp").exists() or list((data_dir / "tmp").iterdir()) == []


def test_zip_bomb_refused(tmp_path):
    data_dir = tmp_path / "data"
    with TestClient(make_app(data_dir, auth=False)) as c:
        bomb = _shapefile_zip({"padding.bin": b"\0" * (30 * 1024 * 1024)})   # deflates about 1000:1
        assert len(bomb) < 200_000
        resp = c.post("/api/check", files={"file": ("site.zip", bomb)})
        assert resp.status_code == 422
        assert "压缩炸弹" in resp.json()["detail"]
        resp = c.post("/api/check", files={"file": ("site.zip", bomb)}, data={"lang": "en"})
        assert "zip bomb" in resp.json()["detail"]
    assert not (data_dir / "tmp").exists() or list((data_dir / "tmp").iterdir()) == []


def test_zipped_shapefile_is_checked(tmp_path):
    with TestClient(make_app(tmp_path / "data", auth=False)) as c:
        resp = c.post("/api/check", files={"file": ("site.zip", _shapefile_zip({}))})
        assert resp.status_code == 201, resp.text
        assert resp.json()["sites"][0]["geometry_type"] == "Polygon"


@pytest.mark.parametrize("name,data", [("site.geojson", b"\x89PNG\r\n\x1a\n\0\0\0IHDR"), ("site.exe", b"MZ\x90\0"),
                                       ("site.zip", b"not a zip at all"), ("site.gpkg", b"PK\x03\x04rest")])
def test_file_type_sniffed(tmp_path, name, data):
    with TestClient(make_app(tmp_path / "data", auth=False)) as c:
        resp = c.post("/api/check", files={"file": (name, data)})
        assert resp.status_code == 422
        assert "不是场址文件格式" in resp.json()["detail"] or "应有的内容" in resp.json()["detail"]


def test_anonymous_calls_refused(client):
    for method, url in [("get", "/api/checks"), ("get", "/api/checks/" + "0" * 32), ("get", "/api/me"),
                        ("post", "/api/check"), ("post", "/api/batch"), ("post", "/api/admin/reload"),
                        ("get", "/api/project/boundary")]:
        assert getattr(client, method)(url).status_code == 401, url
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_user_cannot_fetch_another_users_check(app):
    with TestClient(app) as alice, TestClient(app) as bob, TestClient(app) as root:
        token = login(alice, "alice")
        doc = alice.post("/api/check", files=upload("sites_zone41.txt"), headers={"X-CSRF-Token": token}).json()
        login(bob, "bob")
        for url in [f"/api/checks/{doc['id']}", f"/api/checks/{doc['id']}/map", *doc["outputs"].values()]:
            assert bob.get(url).status_code == 404, url
            assert alice.get(url).status_code == 200, url
        assert bob.get("/api/checks").json() == []
        assert bob.get("/api/checks?everyone=true").json() == []
        login(root, "root")
        assert root.get(f"/api/checks/{doc['id']}").status_code == 200
        assert [r["id"] for r in root.get("/api/checks?everyone=true").json()] == [doc["id"]]


def test_http_basic_works_and_wrong_password_does_not(client):
    doc = client.post("/api/check", data={"coordinates": "121.85,40.95"}, auth=("alice", PASSWORDS["alice"]))
    assert doc.status_code == 201
    assert client.get("/api/checks", auth=("alice", "wrong-password")).status_code == 401
    assert client.get("/api/checks", auth=("nobody", "whatever-it-is")).status_code == 401


def test_csrf_required_on_cookie_posts(client):
    token = login(client, "alice")
    assert client.post("/api/check", data={"coordinates": "121.85,40.95"}).status_code == 403
    assert client.post("/api/check", data={"coordinates": "121.85,40.95"},
                       headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert client.post("/api/check", data={"coordinates": "121.85,40.95"},
                       headers={"X-CSRF-Token": token}).status_code == 201
    assert client.post("/logout", data={}).status_code == 403


def test_login_form_needs_csrf_and_rotates_session(client):
    resp = client.post("/login", data={"user": "alice", "password": PASSWORDS["alice"]}, follow_redirects=False)
    assert resp.status_code == 403
    page = client.get("/login").text
    before = page.split('name="csrf_token" value="')[1].split('"')[0]
    bad = client.post("/login", data={"user": "alice", "password": "nope-nope", "csrf_token": before})
    assert bad.status_code == 401 and "用户名或密码错误" in bad.text
    after = login(client, "alice")
    assert after != before


def test_passwords_stored_as_argon2(app):
    row = app.state.store.user("alice")
    assert row["password_hash"].startswith("$argon2id$")
    assert PASSWORDS["alice"] not in row["password_hash"]


def test_session_cookie_flags(tmp_path):
    lan = make_app(tmp_path / "data", host="10.0.0.5")
    with TestClient(lan) as c:
        cookie = c.get("/login").headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie


def test_no_auth_only_on_loopback(tmp_path):
    with pytest.raises(EcogisError, match="--no-auth"):
        ServeSettings(project=SITES, data_dir=tmp_path, host="0.0.0.0", auth=False)
    from click.testing import CliRunner

    from ecogis.cli import main

    res = CliRunner().invoke(main, ["serve", "--project", str(SITES.parent / "project.yaml"), "--host", "0.0.0.0",
                                    "--no-auth", "--data", str(tmp_path)])
    assert res.exit_code == 2 and "127.0.0.1" in res.output


def test_rate_limit_per_user(tmp_path):
    with TestClient(make_app(tmp_path / "data", checks_per_minute=2)) as c:
        ok = [c.post("/api/check", data={"coordinates": "121.85,40.95"}, auth=("bob", PASSWORDS["bob"])).status_code
              for _ in range(2)]
        assert ok == [201, 201]
        third = c.post("/api/check", data={"coordinates": "121.85,40.95"}, auth=("bob", PASSWORDS["bob"]))
        assert third.status_code == 429 and int(third.headers["retry-after"]) > 0
        other = c.post("/api/check", data={"coordinates": "121.85,40.95"}, auth=("alice", PASSWORDS["alice"]))
        assert other.status_code == 201


def test_check_times_out(tmp_path):
    with TestClient(make_app(tmp_path / "data", auth=False, check_timeout_s=0.001)) as c:
        resp = c.post("/api/check", files=upload("sites_zone41.txt"))
        assert resp.status_code == 504 and "abandoned" in resp.json()["detail"]


def test_a_queued_check_is_not_abandoned_for_queueing_but_refused_when_it_waits_too_long(tmp_path):
    """One worker held by a slow task: a check behind it that waits longer than the queue limit gets 503;
    one that waits longer than the run timeout (16 s > 12 s) but runs within it is answered."""
    import threading

    app = make_app(tmp_path / "data", auth=False, workers=1, check_timeout_s=12, queue_timeout_s=1.0)
    with TestClient(app) as c:
        release = threading.Event()
        app.state.service.pool.submit(release.wait, 20)            # the only worker is busy
        busy = c.post("/api/check", data={"coordinates": "121.85,40.95", "site_crs": "EPSG:4490"})
        assert busy.status_code == 503 and busy.headers["retry-after"] == "60"
        threading.Timer(16.0, release.set).start()
        app.state.settings.queue_timeout_s = 60.0
        late = c.post("/api/check", data={"coordinates": "121.85,40.95", "site_crs": "EPSG:4490"})
        assert late.status_code == 201, late.text


def test_security_headers_and_no_external_resources(client):
    login(client, "alice")
    page = client.get("/")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "SAMEORIGIN"
    for text in (page.text, client.get("/static/app.js").text, client.get("/static/app.css").text):
        assert "http://" not in text and "https://" not in text and "<script>" not in text


def test_no_route_serves_a_file_outside_the_data_dir(app, tmp_path):
    """Every GET route, given path-traversal values, answers nothing but errors (the secret key, the
    database and files outside the data folder stay unreachable)."""
    from starlette.routing import Mount, Route

    secret = (tmp_path / "data" / "secret.key").read_text()
    outside = tmp_path / "outside.txt"
    outside.write_text("OUTSIDE-MARKER")
    traversals = ["..%2f..%2fsecret.key", "../../secret.key", "..%2f..%2f..%2foutside.txt", "%2e%2e/ecogis.sqlite",
                  "....//....//secret.key", str(outside).replace("/", "%2f")]
    with TestClient(app) as c:
        login(c, "root")
        urls = []
        for route in _routes(app.routes):
            if isinstance(route, Route) and "GET" in (route.methods or ()):
                for t in traversals:
                    url = route.path
                    for param in route.param_convertors:
                        url = url.replace("{" + param + "}", t)
                    urls.append(url)
            elif isinstance(route, Mount):
                urls += [f"{route.path}/{t}" for t in traversals]
        urls = sorted(set(urls))
        assert len(urls) > 40
        for url in urls:
            resp = c.get(url)
            assert secret not in resp.text and "OUTSIDE-MARKER" not in resp.text and "SQLite format" not in resp.text, url
            if "{" not in url and resp.status_code == 200:
                assert url in ("/", "/login", "/history", "/health", "/api/checks", "/api/me", "/openapi.json",
                               "/api/project/boundary", "/api/audits"), url


def _routes(routes):
    """Every route, also those of included routers (FastAPI keeps the router's own routes inside)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        yield from _routes(inner.routes) if inner is not None else [route]


def test_admin_reload(client):
    login(client, "bob")
    token = client.get("/api/me").json()["csrf_token"]
    assert client.post("/api/admin/reload", headers={"X-CSRF-Token": token}).status_code == 403
    with TestClient(client.app) as admin:
        token = login(admin, "root")
        before = admin.get("/health").json()["loaded_at"]
        time.sleep(1.1)
        resp = admin.post("/api/admin/reload", headers={"X-CSRF-Token": token})
        assert resp.status_code == 200
        assert admin.get("/health").json()["loaded_at"] > before
