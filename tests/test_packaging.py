"""The packaging files agree with each other and the README's two commands exist."""
import re
import tomllib

import yaml
from conftest import REPO


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_mirrors_pyproject_dependencies():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dask"]}
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    have = set()
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            have |= {_name(r) for r in dep["pip"] if not r.startswith("-e")}
        else:
            have.add(_name(dep))
    assert wanted - have == set(), "in pyproject.toml but not environment.yml"
    assert have - wanted - {"python", "pip"} == set(), "in environment.yml but not pyproject.toml"


def test_readme_commands_are_the_ci_and_demo_scripts():
    readme = (REPO / "README.md").read_text()
    assert "bash scripts/demo.sh" in readme and "bash scripts/test.sh" in readme
    assert "scripts/test.sh" in (REPO / ".ci" / "run").read_text()


def test_the_license_is_an_spdx_string_with_its_file():
    """The TOML-table form (license = {text = ...}) is deprecated by setuptools and warned about on every
    install; the SPDX string and license-files need setuptools 77 or later to build."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    project = pyproject["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    assert not any(c.startswith("License ::") for c in project.get("classifiers", []))  # SPDX replaces them
    text = (REPO / "LICENSE").read_text()
    assert text.startswith("MIT License") and "Copyright (c) 2026 the ecogis developers" in text
    (setuptools,) = [r for r in pyproject["build-system"]["requires"] if _name(r) == "setuptools"]
    low = re.search(r">=\s*(\d+)", setuptools)
    assert low and int(low.group(1)) >= 77, setuptools


def test_the_package_says_it_is_typed():
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert (REPO / "ecogis" / "py.typed").is_file()
    assert "py.typed" in pyproject["tool"]["setuptools"]["package-data"]["ecogis"]
