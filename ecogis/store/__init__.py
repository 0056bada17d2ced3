"""Shared layer stores: ``ecogis publish`` writes a layer as a named, dated version into PostGIS or a
GeoPackage with a history table (:mod:`ecogis.store.publish`); check results go to a results table
(:mod:`ecogis.store.results`). Readers find the versions through :mod:`ecogis.io.versions`."""
from ecogis.store.publish import publish  # noqa: F401
from ecogis.store.result import PublishResult  # noqa: F401
