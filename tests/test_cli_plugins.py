"""Sub-commands come from the ``ecogis.commands`` entry-point group: a plugin package adds one.

The plugin "packages" are built in tmp_path as an importable module plus a ``*.dist-info`` folder with
``entry_points.txt`` (what pip would install), put on PYTHONPATH of a real ``ecogis`` process: no
network, no install into the test environment.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

from conftest import REPO

ECOGIS = str(Path(sys.executable).parent / "ecogis")

HELLO = '''
import click


@click.command()
@click.argument("name")
def hello(name):
    """Greet NAME from a plugin package."""
    click.echo(f"hello {name} from the plugin")
'''


def _plugin(site: Path, package: str, module_source: str | None, command: str = "hello") -> None:
    """A distribution ``package`` whose module ``package`` defines ``command`` (None: no module at all)."""
    site.mkdir(exist_ok=True)
    if module_source is not None:
        (site / f"{package}.py").write_text(textwrap.dedent(module_source), encoding="utf-8")
    dist_info = site / f"{package}-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {package}\nVersion: 1.0\n", encoding="utf-8")
    (dist_info / "entry_points.txt").write_text(f"[ecogis.commands]\n{command} = {package}:{command}\n",
                                                encoding="utf-8")


def _run(site: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([ECOGIS, *args], capture_output=True, text=True, env=env, timeout=120)


def _command_rows(help_text: str) -> dict[str, str]:
    """name -> short help, from the Commands section of ``ecogis --help``."""
    section = help_text.split("Commands:", 1)[1]
    rows = {}
    for line in section.splitlines():
        if line.startswith("  ") and not line.startswith("   "):
            name, _, text = line.strip().partition(" ")
            rows[name] = text.strip()
    return rows


def test_the_built_in_commands_are_the_entry_points_in_pyproject():
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["entry-points"]["ecogis.commands"]
    assert set(declared) == {"info", "validate", "convert", "area", "audit", "check", "map", "raster",
                             "transform", "zoning-area", "serve", "serve-user", "publish"}
    from importlib.metadata import entry_points

    installed = {ep.name: ep.value for ep in entry_points(group="ecogis.commands") if ep.dist.name == "ecogis"}
    assert installed == declared, "reinstall (pip install -e .) after editing the entry points"


def test_a_plugin_command_is_listed_in_help_and_runs(tmp_path):
    site = tmp_path / "site"
    _plugin(site, "ecogis_hello_plugin", HELLO)
    help_run = _run(site, "--help")
    assert help_run.returncode == 0, help_run.stderr
    rows = _command_rows(help_run.stdout)
    assert rows.get("hello") == "Greet NAME from a plugin package."
    assert {"info", "check", "map"} <= set(rows)
    assert help_run.stderr == ""
    ran = _run(site, "hello", "盘锦")
    assert (ran.returncode, ran.stdout, ran.stderr) == (0, "hello 盘锦 from the plugin\n", "")


def test_a_broken_plugin_is_one_warning_line_and_help_still_works(tmp_path):
    site = tmp_path / "site"
    _plugin(site, "ecogis_broken_plugin", "import ecogis_no_such_module\n", command="broken")
    _plugin(site, "ecogis_hello_plugin", HELLO)
    help_run = _run(site, "--help")
    assert help_run.returncode == 0, help_run.stderr
    rows = _command_rows(help_run.stdout)
    assert "broken" not in rows and "hello" in rows and "info" in rows
    lines = help_run.stderr.splitlines()
    assert len(lines) == 1, help_run.stderr
    assert lines[0].startswith("ecogis: warning: ") and "'broken'" in lines[0] and "ecogis_broken_plugin" in lines[0]
    assert "ecogis_no_such_module" in lines[0] and "Traceback" not in help_run.stderr


def test_running_a_broken_plugin_is_one_error_line_and_exit_2(tmp_path):
    site = tmp_path / "site"
    _plugin(site, "ecogis_missing_plugin", None, command="missing")
    ran = _run(site, "missing")
    assert ran.returncode == 2
    lines = ran.stderr.splitlines()
    assert len(lines) == 1, ran.stderr
    assert lines[0].startswith("ecogis: error: ") and "ecogis_missing_plugin" in lines[0]


def test_a_plugin_cannot_replace_a_built_in_command(tmp_path):
    site = tmp_path / "site"
    _plugin(site, "ecogis_info_plugin", HELLO.replace("def hello", "def info"), command="info")
    ran = _run(site, "info", "--help")
    assert ran.returncode == 0 and "Describe a layer" in ran.stdout and "plugin" not in ran.stdout


def test_help_imports_no_command_module():
    probe = ("import sys\nfrom ecogis.cli import main\n"
             "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in sys.modules if m.startswith('ecogis.cli.') and m != 'ecogis.cli.common'))")
    res = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[-1] == "[]"


def test_metadata_without_the_entry_points_says_to_reinstall(monkeypatch):
    from click.testing import CliRunner

    import ecogis.cli
    from ecogis.cli import main

    monkeypatch.setattr(ecogis.cli, "registered_commands", dict)   # an install that predates the group
    listed = CliRunner().invoke(main, ["--help"])
    assert listed.exit_code == 0 and "pip install -e ." in listed.stderr and len(listed.stderr.splitlines()) == 1
    ran = CliRunner().invoke(main, ["info", "x.shp"])
    assert ran.exit_code == 2
    assert ran.stderr.splitlines() == [f"ecogis: error: {ecogis.cli.NOT_REGISTERED}"]
