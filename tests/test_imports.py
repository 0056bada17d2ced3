"""Start-up: ``import ecogis`` and ``ecogis --help`` load no report, map or server libraries (matplotlib,
folium, python-docx, openpyxl, fastapi, uvicorn) until a command needs them. Each case runs in a fresh
interpreter and inspects its ``sys.modules``."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("matplotlib", "folium", "docx", "openpyxl", "fastapi", "uvicorn")

# prints the top-level names of HEAVY that the snippet before it loaded, as JSON
REPORT = ("import json, sys; heavy = {heavy!r}; "
          "print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set(heavy))))")


def loaded_after(code: str) -> list[str]:
    """The HEAVY modules present in a fresh interpreter's sys.modules after running ``code``."""
    out = subprocess.run([sys.executable, "-c", code + "\n" + REPORT.format(heavy=HEAVY)], capture_output=True,
                         text=True, check=True, timeout=120)
    loaded: list[str] = json.loads(out.stdout.strip().splitlines()[-1])
    return loaded


def test_import_ecogis_loads_no_report_or_map_library():
    assert loaded_after("import ecogis") == []


def test_public_api_names_resolve_without_report_libraries():
    assert loaded_after("import ecogis; ecogis.check; ecogis.read_layer; ecogis.ellipsoidal_area") == []


HELP = ("import sys\nsys.argv = ['ecogis', {args}]\nfrom ecogis.cli import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert exc.code in (0, None), exc.code\n")


@pytest.mark.parametrize("args", ["'--help'", "'check', '--help'", "'info', '--help'"])
def test_help_loads_no_report_or_map_library(args):
    assert loaded_after(HELP.format(args=args)) == []


def test_the_probe_sees_a_loaded_library():
    """The inspection itself works: importing openpyxl is seen."""
    assert loaded_after("import ecogis, openpyxl") == ["openpyxl"]
