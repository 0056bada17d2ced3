"""Writing the generated sample data of scripts/make_sample_*.py: fixed timestamps, so that a rerun writes
identical bytes, and the move into layers/ that never replaces a file unasked."""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

#: the date stamped into every generated file (GeoPackage metadata, workbook properties, zip entries)
FIXED_DATE = dt.datetime(2024, 1, 1)


def fix_gdal_dates() -> None:
    """GeoPackages written from now on carry :data:`FIXED_DATE` instead of the time of writing."""
    import pyogrio

    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": FIXED_DATE.strftime("%Y-%m-%dT%H:%M:%S.000Z")})


def save_workbook(wb, path: Path, creator: str) -> None:
    """Save the openpyxl workbook ``wb`` at ``path`` with :data:`FIXED_DATE` as its times.

    openpyxl stamps the save time into docProps/core.xml and the zip entries: both are fixed here.
    """
    wb.properties.creator = creator
    wb.properties.created = FIXED_DATE
    buffer = io.BytesIO()
    wb.save(buffer)
    stamp = FIXED_DATE.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=FIXED_DATE.timetuple()[:6]), data,
                         compress_type=zipfile.ZIP_DEFLATED)


def install(write: Callable[[Path], None], out: Path, overwrite: bool) -> None:
    """Run ``write(folder)`` in a temporary folder, then move each file it wrote to the same place under
    ``out``; a file already there is refused unless ``overwrite``. Each file moved is printed on stderr."""
    with tempfile.TemporaryDirectory() as tmp:
        write(Path(tmp))
        for item in sorted(Path(tmp).rglob("*")):
            if item.is_dir():
                continue
            target = out / item.relative_to(tmp)
            if target.exists() and not overwrite:
                raise SystemExit(f"{target} exists; pass --overwrite to replace the generated files")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(item), target)
            print(target, file=sys.stderr)
