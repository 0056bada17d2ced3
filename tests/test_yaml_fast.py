"""The libyaml path of :func:`ecogis.yamlio.parse_yaml` reads every YAML file as PyYAML's own parser does
(same data, same line numbers), and its errors are PyYAML's."""
from __future__ import annotations

from pathlib import Path

import pytest

from ecogis import yaml_parse, yamlio
from ecogis.errors import EcogisError

ROOT = Path(__file__).resolve().parents[1]
YAML_FILES = sorted(p for d in ("ecogis", "layers", "scripts") for p in (ROOT / d).rglob("*.y*ml"))

pytestmark = pytest.mark.skipif(yaml_parse._FastLoader is None, reason="PyYAML built without libyaml")


def _lines(obj):
    """Every line number a LineDict / LineList remembers, nested, for comparison."""
    if isinstance(obj, dict):
        return (obj.line, dict(obj.lines), {k: _lines(v) for k, v in obj.items()})
    if isinstance(obj, list):
        return (obj.line, list(obj.lines), [_lines(v) for v in obj])
    return None


def test_the_repository_has_yaml_files():
    assert len(YAML_FILES) >= 5 and any(p.name == "default_rules.yaml" for p in YAML_FILES)


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_libyaml_and_pyyaml_read_the_same_data_and_lines(path):
    text = yamlio.decode_text(path.read_bytes(), path)
    fast = yaml_parse._parse(yaml_parse._FastLoader, text, path, lines=True)
    slow = yaml_parse._parse(yaml_parse._Loader, text, path, lines=True)
    assert fast == slow
    assert _lines(fast) == _lines(slow)


@pytest.mark.parametrize("text", ["a: &x 1\nb: *x\n", "a: 1\na: 2\n", "a: [1, 2\n", "a:\n\t- 1\n", "a: !!python/name:os.system x\n",
                                  "a: \x07\n", "- a\nb: 1\n"])
def test_errors_are_those_of_pyyaml(text):
    with pytest.raises(Exception) as slow:
        yaml_parse._parse(yaml_parse._Loader, text, "bad.yaml", lines=False)
    with pytest.raises(Exception) as got:
        yamlio.parse_yaml(text, "bad.yaml")
    assert (type(got.value), str(got.value)) == (type(slow.value), str(slow.value))
    assert isinstance(got.value, EcogisError)


def test_a_control_character_is_an_error_naming_the_line(tmp_path):
    path = tmp_path / "ctl.yaml"
    path.write_bytes(b"a: 1\nb: \x07\n")
    with pytest.raises(EcogisError, match="line 2"):
        yamlio.load_yaml(path)


def test_anchors_are_refused_on_the_libyaml_path_too():
    with pytest.raises(EcogisError, match="anchors"):
        yaml_parse._parse(yaml_parse._FastLoader, "a: &x [1]\nb: *x\n", "p.yaml", lines=False)
