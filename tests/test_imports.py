"""Start-up: ``import ecogis`` and ``ecogis --help`` load no geodata, report, map, raster or server library
(geopandas, pandas, pyproj, shapely, matplotlib, folium, python-docx, openpyxl, jinja2, fastapi, pyarrow,
rasterio ...) until a command needs it. Each case runs in a fresh interpreter and inspects its
``sys.modules`` (or, for the real ``python -m ecogis``, the modules ``-X importtime`` lists)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: loaded by no help text and by ``import ecogis``
HEAVY = ("matplotlib", "folium", "docx", "openpyxl", "jinja2", "fastapi", "uvicorn", "pyarrow", "rasterio",
         "exactextract", "geopandas", "pandas", "pyproj", "shapely", "pyogrio", "numpy")
#: loaded by no check that writes no report (the check itself needs the geodata stack)
REPORTS = ("matplotlib", "folium", "docx", "openpyxl", "jinja2", "fastapi", "uvicorn", "rasterio", "exactextract")

# prints the top-level names of ``heavy`` that the snippet before it loaded, as JSON
REPORT = ("import json, sys; heavy = {heavy!r}; "
          "print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set(heavy))))")


def loaded_after(code: str, heavy=HEAVY) -> list[str]:
    """The ``heavy`` modules present in a fresh interpreter's sys.modules after running ``code``."""
    out = subprocess.run([sys.executable, "-c", code + "\n" + REPORT.format(heavy=heavy)], capture_output=True,
                         text=True, check=True, timeout=120)
    loaded: list[str] = json.loads(out.stdout.strip().splitlines()[-1])
    return loaded


def test_import_ecogis_loads_no_heavy_library():
    assert loaded_after("import ecogis") == []


def test_public_names_are_listed_without_importing_them():
    assert loaded_after("import ecogis; dir(ecogis); ecogis.__all__; ecogis.__version__") == []


def test_a_public_name_loads_only_what_it_needs():
    """``ecogis.check`` needs the geodata stack, not the report writers."""
    assert loaded_after("import ecogis; ecogis.check; ecogis.read_layer; ecogis.ellipsoidal_area",
                        heavy=REPORTS) == []


def test_ecogis_check_stays_the_function_after_importing_its_module():
    """The import system binds a submodule on its package; the public function ``ecogis.check`` wins."""
    out = subprocess.run([sys.executable, "-c", "import ecogis.check, ecogis; from ecogis.check import CheckResult; "
                          "import ecogis.check as c; print(callable(ecogis.check), type(ecogis.check).__name__, "
                          "c is ecogis.check, ecogis.CheckResult is CheckResult)"],
                         capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.split() == ["True", "function", "True", "True"]


HELP = ("import sys\nsys.argv = ['ecogis', {args}]\nfrom ecogis.cli import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert exc.code in (0, None), exc.code\n")


@pytest.mark.parametrize("args", ["'--help'", "'check', '--help'", "'map', '--help'", "'raster', '--help'",
                                  "'raster', 'zonal', '--help'", "'serve', '--help'", "'area', '--help'",
                                  "'audit', '--help'", "'--version'"])
def test_help_loads_no_heavy_library(args):
    assert loaded_after(HELP.format(args=args)) == []


@pytest.mark.parametrize("args", ["'info', '--help'", "'convert', '--help'"])
def test_help_of_layer_commands_loads_no_report_library(args):
    """These list the layer kinds, read from the kind registry (which needs geopandas)."""
    assert loaded_after(HELP.format(args=args), heavy=REPORTS) == []


def test_python_m_ecogis_help_imports_no_heavy_library():
    """The real entry (``python -m ecogis --help``): every module it imported, as ``-X importtime`` lists them."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "ecogis", "--help"], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "Usage: ecogis" in out.stdout and "check" in out.stdout
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in out.stderr.splitlines()
                if line.startswith("import time:")}
    assert "ecogis" in imported and "click" in imported  # the probe sees what was imported
    assert sorted(imported & set(HEAVY)) == []


def test_a_json_check_loads_no_report_library(tmp_path):
    """A check printed as JSON writes no report: no plotting, DOCX or HTML template library
    (openpyxl is loaded: the sample project has XLSX layers, which pandas reads with it)."""
    code = ("import sys\nsys.argv = ['ecogis', '-q', 'check', '--at', '121.85,40.95', '-p', 'layers/project.yaml', "
            "'--json']\nfrom ecogis.cli import main\ntry:\n    main()\nexcept SystemExit as exc:\n"
            "    assert exc.code in (0, None), exc.code\n")
    assert loaded_after(code, heavy=tuple(m for m in REPORTS if m != "openpyxl")) == []


def test_the_probe_sees_a_loaded_library():
    """The inspection itself works: importing openpyxl is seen."""
    assert loaded_after("import ecogis, openpyxl", heavy=REPORTS) == ["openpyxl"]
