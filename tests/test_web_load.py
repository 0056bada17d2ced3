"""A bounded load test of ``ecogis serve`` on localhost: 200 checks from 20 concurrent clients over real
HTTP (uvicorn), no error, and every answer equal to ``ecogis check --json`` for the same input."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
import pytest
from web_support import SITES, LiveServer, cli_json, comparable, make_app, service_warnings

pytestmark = pytest.mark.slow
CHECKS, CLIENTS = 200, 20


@pytest.fixture(autouse=True)
def _service_warnings():
    service_warnings()


def test_200_checks_from_20_clients_without_error_and_equal_to_the_cli(tmp_path):
    rng = np.random.default_rng(7)
    points = [f"{x:.5f},{y:.5f}" for x, y in zip(rng.uniform(121.6, 122.3, 9), rng.uniform(40.8, 41.4, 9))]
    inputs = [("at", p) for p in points] + [("file", "sites_zone41.txt")]     # 10 distinct inputs, 20 times each
    expected = {}
    for kind, value in inputs:
        if kind == "at":
            expected[value] = comparable(cli_json("--at", value, "--site-crs", "EPSG:4490"))
        else:
            expected[value] = comparable(cli_json(str(SITES / value)), str(SITES))

    app = make_app(tmp_path / "data", auth=False, checks_per_minute=10_000, workers=4, check_timeout_s=600)
    with LiveServer(app) as live:
        clients = [httpx.Client(base_url=live.url, timeout=600) for _ in range(CLIENTS)]

        def one(i: int):
            kind, value = inputs[i % len(inputs)]
            client = clients[i % CLIENTS]
            if kind == "at":
                resp = client.post("/api/check", data={"coordinates": value, "site_crs": "EPSG:4490"})
            else:
                resp = client.post("/api/check", files={"file": (value, (SITES / value).read_bytes())})
            return value, resp.status_code, resp.json()

        with ThreadPoolExecutor(CLIENTS) as pool:
            answers = list(pool.map(one, range(CHECKS)))
        for c in clients:
            c.close()
    assert [status for _, status, _ in answers] == [201] * CHECKS
    differ = [value for value, _, doc in answers if comparable(doc) != expected[value]]
    assert differ == []
    assert len({doc["id"] for _, _, doc in answers}) == CHECKS
