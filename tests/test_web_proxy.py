"""``ecogis serve --auth proxy``: the user named by a reverse proxy's header, believed only from the
configured proxy addresses; CSRF still needed on POSTs; no password sign-in."""
from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient
from web_support import PASSWORDS, PROJECT, LiveServer, make_app, service_warnings

from ecogis.errors import EcogisError
from ecogis.web.settings import ServeSettings

HEADER = "X-Remote-User"
PROXY = ("10.20.0.7", 40000)          # the proxy's address as the service sees the TCP peer


@pytest.fixture(autouse=True)
def _service_warnings():
    service_warnings()


@pytest.fixture
def app(tmp_path):
    # accounts alice, bob (user) and root (admin) exist, so roles come from the store
    return make_app(tmp_path / "data", auth_mode="proxy", proxy_header=HEADER, trusted_proxies=("10.20.0.0/28",))


def test_the_header_from_a_trusted_proxy_signs_the_user_in(app):
    with TestClient(app, client=PROXY) as c:
        me = c.get("/api/me", headers={HEADER: "alice"})
        assert me.status_code == 200 and me.json()["user"] == "alice" and me.json()["role"] == "user"
        assert c.get("/api/me", headers={HEADER: "root"}).json()["role"] == "admin"
        # a name the proxy knows but the service has no account for: an ordinary user
        carol = c.get("/api/me", headers={HEADER: "carol"}).json()
        assert (carol["user"], carol["role"]) == ("carol", "user")


def test_the_header_from_any_other_address_is_ignored(app):
    with TestClient(app, client=("10.20.0.99", 40000)) as c:      # outside 10.20.0.0/28
        assert c.get("/api/me", headers={HEADER: "root"}).status_code == 401
        assert c.get("/", headers={HEADER: "root"}, follow_redirects=False).status_code == 303


def test_without_the_header_nobody_is_signed_in_and_passwords_are_not_taken(app):
    with TestClient(app, client=PROXY) as c:
        assert c.get("/api/me").status_code == 401
        basic = httpx.BasicAuth("alice", PASSWORDS["alice"])
        assert c.get("/api/me", auth=basic).status_code == 401
        page = c.get("/login")
        assert page.status_code == 401 and 'id="proxy-login"' in page.text and 'name="password"' not in page.text
        token = page.text.split('name="csrf-token" content="')[1].split('"')[0]
        resp = c.post("/login", data={"user": "alice", "password": PASSWORDS["alice"], "csrf_token": token},
                      follow_redirects=False)
        assert resp.status_code == 401 and 'id="proxy-login"' in resp.text
        assert c.get("/api/me").status_code == 401


def test_posts_need_the_csrf_token_even_behind_the_proxy(app):
    """The proxy's own sign-in cookie rides along with any cross-site form: the token must be sent too."""
    with TestClient(app, client=PROXY) as c:
        who = {HEADER: "alice"}
        refused = c.post("/api/check", data={"coordinates": "121.85,40.95", "site_crs": "EPSG:4490"}, headers=who)
        assert refused.status_code == 403
        token = c.get("/api/me", headers=who).json()["csrf_token"]
        done = c.post("/api/check", data={"coordinates": "121.85,40.95", "site_crs": "EPSG:4490"},
                      headers={**who, "X-CSRF-Token": token})
        assert done.status_code == 201, done.text
        assert done.json()["record"]["owner"] == "alice"
        # bob (through the same proxy) cannot see alice's check
        assert c.get(f"/api/checks/{done.json()['id']}", headers={HEADER: "bob"}).status_code == 404


def test_real_uvicorn_compares_the_tcp_peer(tmp_path):
    """Over a real socket from 127.0.0.1: believed when 127.0.0.1 is the trusted proxy, not otherwise,
    and an X-Forwarded-For header does not change the peer."""
    trusted = make_app(tmp_path / "a", auth_mode="proxy", proxy_header=HEADER)     # default: loopback
    with LiveServer(trusted) as live:
        assert httpx.get(live.url + "/api/me", headers={HEADER: "alice"}).json()["user"] == "alice"
    other = make_app(tmp_path / "b", auth_mode="proxy", proxy_header=HEADER, trusted_proxies=("10.20.0.7",))
    with LiveServer(other) as live:
        spoofed = {HEADER: "root", "X-Forwarded-For": "10.20.0.7"}
        assert httpx.get(live.url + "/api/me", headers=spoofed).status_code == 401


def test_proxy_settings_are_checked(tmp_path):
    with pytest.raises(EcogisError, match="--proxy-header"):
        ServeSettings(project=PROJECT, data_dir=tmp_path, auth_mode="proxy")
    with pytest.raises(EcogisError, match="not an IP address"):
        ServeSettings(project=PROJECT, data_dir=tmp_path, auth_mode="proxy", proxy_header=HEADER,
                      trusted_proxies=("proxy.example",))
