"""Does a verdict depend on a guessed CRS? Screen the site again under the other plausible reading.

When ecogis guessed how to read a site's longitude/latitude (no CRS declared: read as CGCS2000; a
web-map source recognised: converted from GCJ-02; a web-map source suspected: left as it is), the
other readings differ by the web-map offset (GCJ-02 a few hundred metres, BD-09 up to about 1.5 km). The site is
screened again as each other reading would place it; a site whose verdict changes has a decisive
boundary (a zone edge or a buffer distance) within that offset, so its verdict depends on the guess:
both verdicts are stated, with how far the site moves between the readings (geodesic metres).

Analyses only: the caller passes ``verdicts_of`` (screen a GeoDataFrame of sites, return
``{site id: verdict}``), so this module neither reads files nor knows the screening engine.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ecogis.crs import BD09, GCJ02
from ecogis.geodesy import GEOGRAPHIC_CRS
from ecogis.messages import say
from ecogis.rules import VERDICTS
from ecogis.webcrs import from_web_crs, to_web_crs
from ecogis.webmap import shift_m


def alternative_readings(sites, site_meta: dict) -> tuple[str, list[tuple[str, Any]]]:
    """(the guess in note words, [(name of the other reading, the sites as it places them)]), in EPSG:4490.

    Nothing ([]) when the site's CRS was given by the user or declared by the file."""
    web = site_meta.get("web") or {}
    geo = sites.to_crs(GEOGRAPHIC_CRS)
    if web.get("guessed") and web.get("converted"):
        unconverted = to_web_crs(geo, web["system"]).set_crs(GEOGRAPHIC_CRS)
        return (say("crs_guess_converted", warn=False, system=web["system"]),
                [(say("crs_alt_unconverted", warn=False), unconverted)])
    if web.get("guessed"):
        return (say("crs_guess_suspected", warn=False, system=web["system"]),
                [(web["system"], from_web_crs(geo, web["system"]))])
    if site_meta.get("crs_source") == "inferred" and sites.crs is not None and sites.crs.is_geographic:
        return say("crs_guess_inferred", warn=False), [(s, from_web_crs(geo, s)) for s in (GCJ02, BD09)]
    return "", []


def compare_readings(sites, site_meta: dict, verdicts: dict, verdicts_of: Callable, notes) -> list[dict]:
    """Screen ``sites`` under each other reading; for every site whose verdict changes, a warning with
    both verdicts. Returns one dict per such site and reading: site, verdict (as read), alternative
    (the other reading), alternative_verdict, shift_m (largest vertex move, geodesic metres)."""
    guess, readings = alternative_readings(sites, site_meta)
    out: list[dict] = []
    geo = sites.to_crs(GEOGRAPHIC_CRS).geometry.values
    ids = sites["id"].astype(str).tolist()
    for name, alt in readings:
        alt_verdicts = verdicts_of(alt)
        for i, sid in enumerate(ids):
            as_read, other = verdicts.get(sid, VERDICTS[0]), alt_verdicts.get(sid, VERDICTS[0])
            if as_read == other:
                continue
            moved = shift_m(np.asarray([geo[i]]), np.asarray([alt.geometry.values[i]]))[1]
            say("crs_depends", notes, site=sid, guess=guess, verdict=as_read, alt_verdict=other, alt=name,
                shift=f"{moved:.0f}")
            out.append({"site": sid, "verdict": as_read, "alternative": name, "alternative_verdict": other,
                        "shift_m": round(moved, 1)})
    return out
