"""The English and Chinese templates of ecogis's errors, one data module per part of the package.

Each module holds one dict ``ERRORS: key -> (english, chinese)``; :mod:`ecogis.error_messages`
registers them all in the message catalogue. The two templates of a key have the same ``{fields}``.
The file, feature and field of an error are not part of its template (the error names them itself).
"""
from ecogis.errortexts import (
                               analysis,
                               audit,
                               cli,
                               common,
                               config,
                               exchange,
                               files,
                               geo,
                               inputs,
                               io,
                               maps,
                               out,
                               raster,
                               scale,
                               sites,
                               store,
                               table,
                               web,
)

CATALOGUES = (analysis.ERRORS, audit.ERRORS, common.ERRORS, cli.ERRORS, config.ERRORS, exchange.ERRORS, files.ERRORS,
              geo.ERRORS, inputs.ERRORS, io.ERRORS, maps.ERRORS, out.ERRORS, raster.ERRORS, scale.ERRORS, sites.ERRORS, store.ERRORS,
              table.ERRORS, web.ERRORS)
