"""The fast paths of the HTML map against the slow ones: folium's templates compiled through the cache
folder (ecogis.render.folium_templates) are Jinja's own code, the page of the sample check rendered with
ecogis's plain macros is byte for byte the page branca renders, and folium's ``requests`` is loaded
lazily (ecogis.render.folium_import) but works."""
from __future__ import annotations

import html
import itertools
import marshal
import re
import subprocess
import sys
import threading

import jinja2
import pytest
from branca.element import Element, MacroElement
from conftest import LAYERS, SAMPLE_ASSUMPTIONS, assumed

from ecogis.render import folium_templates as fi
from ecogis.render.folium_offline import PlainMacro, RawHTML, jinja_text

SOURCES = ["{% macro script(this, kwargs) %}var {{ this.get_name() }} = L.map({{ this.options|tojson }});"
           "{% endmacro %}", "<p>{{ x }}\r\nzwei</p>\n", "{% for i in xs %}{{ i }},{% endfor %}"]


@pytest.fixture
def fresh_store(layer_cache_dir, monkeypatch):
    """The template store of this process forgotten (loaded again from the test's cache folder)."""
    monkeypatch.setitem(fi._STATE, "store", None)
    monkeypatch.setitem(fi._STATE, "path", None)
    return layer_cache_dir


def _file_store(folder):
    with open(fi.store_path(folder, jinja2.__version__), "rb") as fh:
        return marshal.load(fh)


def test_cached_template_code_is_jinjas_compiled_code(fresh_store):
    env = jinja2.Environment()
    with fi.compiled_templates():
        templates = [env.from_string(s) for s in SOURCES]
    stored = _file_store(fresh_store)
    assert len(stored) == len(SOURCES)
    plain = jinja2.Environment()   # no store: Jinja's own compile
    for source, template in zip(SOURCES, templates):
        code = stored[fi.template_key(env, source)]
        assert marshal.dumps(code) == marshal.dumps(plain.compile(source))
        assert template.render(x="<b>", xs=[1, 2]) == plain.from_string(source).render(x="<b>", xs=[1, 2])
    # a new process reads them back: the same code, Jinja not asked again
    fi._STATE["store"] = None
    with fi.compiled_templates():
        again = jinja2.Environment().from_string(SOURCES[1])
    assert again.render(x=1) == "<p>1\nzwei</p>"
    assert len(_file_store(fresh_store)) == len(SOURCES)


def test_only_the_blocks_own_compiles_are_kept(fresh_store):
    env = jinja2.Environment()
    with fi.compiled_templates():
        env.from_string(SOURCES[0])
        other = threading.Thread(target=env.from_string, args=("other thread {{ y }}",))
        other.start()
        other.join()
    env.from_string("rendered text of a site {{ z }}")   # outside the block: never kept
    assert jinja2.Environment.compile is fi._STATE["original"]   # Jinja's compile back in place
    assert list(_file_store(fresh_store)) == [fi.template_key(env, SOURCES[0])]
    # another thread's block still open: this thread's compiles after its own block are not kept
    entered, done = threading.Event(), threading.Event()

    def other_block():
        with fi.compiled_templates():
            entered.set()
            done.wait(30)

    other = threading.Thread(target=other_block)
    with fi.compiled_templates():
        other.start()
        entered.wait(30)
    env.from_string("rendered while another thread imports {{ z }}")
    done.set()
    other.join()
    assert list(_file_store(fresh_store)) == [fi.template_key(env, SOURCES[0])]


def test_template_key_follows_the_syntax_settings():
    plain, trimmed = jinja2.Environment(), jinja2.Environment(trim_blocks=True)
    assert fi.template_key(plain, SOURCES[2]) != fi.template_key(trimmed, SOURCES[2])
    assert fi.template_key(plain, SOURCES[2]) != fi.template_key(plain, SOURCES[2] + " ")
    assert fi.template_key(plain, SOURCES[2]) == fi.template_key(jinja2.Environment(), SOURCES[2])


def test_damaged_store_is_ignored_and_no_cache_writes_nothing(fresh_store, monkeypatch):
    path = fi.store_path(fresh_store, jinja2.__version__)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x00not marshal")
    with fi.compiled_templates():
        template = jinja2.Environment().from_string(SOURCES[1])
    assert template.render(x=2) == "<p>2\nzwei</p>"
    assert len(_file_store(fresh_store)) == 1
    key = fi.template_key(jinja2.Environment(), SOURCES[1])   # an entry that is no code: compiled again
    path.write_bytes(marshal.dumps({key: "not code"}))
    fi._STATE["store"] = None
    with fi.compiled_templates():
        assert jinja2.Environment().from_string(SOURCES[1]).render(x=3) == "<p>3\nzwei</p>"
    assert marshal.dumps(_file_store(fresh_store)[key]) == marshal.dumps(jinja2.Environment().compile(SOURCES[1]))
    path.unlink()
    fi._STATE["store"] = None
    monkeypatch.setenv("ECOGIS_NO_CACHE", "1")
    with fi.compiled_templates():
        jinja2.Environment().from_string(SOURCES[0])
    assert not path.exists()


@pytest.mark.parametrize("text", ["a\r\nb\rc\n", "x\n\n", "", "\n", "one line", "<script>\r\n</script>\r\n"])
def test_jinja_text_is_what_branca_element_renders(text):
    assert jinja_text(text) == Element(text).render()


def test_credits_text_is_what_folium_element_rendered():
    from ecogis.render.map_credits import credits_html

    for args in (("zh", None, None), ("en", "GS(2024)1234号", "盘锦市 <自然资源局> & 生态环境局")):
        text = credits_html(*args)
        assert RawHTML(text).render() == Element(text).render()


def _sample_map_page(monkeypatch) -> tuple[str, object]:
    """The map block of the sample check's HTML report, element ids numbered (the same in every render),
    and the check's result."""
    from ecogis.check import check
    from ecogis.render import check_html

    counter = itertools.count()
    monkeypatch.setattr(Element, "_generate_id", classmethod(lambda cls: f"{next(counter):032x}"))
    with assumed(*SAMPLE_ASSUMPTIONS["sites/sites_zone41.txt"], r"\(D\) lie wholly or partly outside the coverage"):
        result = check(str(LAYERS / "sites" / "sites_zone41.txt"), str(LAYERS / "project.yaml"))
    return check_html._map_block(result, "zh"), result


def test_sample_map_is_byte_identical_to_brancas_rendering(monkeypatch):
    fast, result = _sample_map_page(monkeypatch)
    with monkeypatch.context() as slow:   # every element rendered by branca (each macro compiled as a template)
        slow.setattr(PlainMacro, "render", MacroElement.render)
        plain, _ = _sample_map_page(slow)
    assert fast == plain
    n_layers = sum(len(g) > 0 for g in result.layers.values()) + 1   # and the site
    page = html.unescape(fast)
    for call in (r" = L\.geoJson\(", r"\.bindPopup\(", r"\.bindTooltip\(", r"\.addTo\(map_"):
        assert len(re.findall(r"geo_json_[0-9a-f]{32}" + call, page)) == n_layers, call
    assert "ecogis-credits" in fast and "L.control.layers(" in fast and "L.control.fullscreen(" in fast


MAP_PROBE = """
import itertools, sys, warnings
import geopandas
from branca.element import Element
warnings.simplefilter("ignore")
counter = itertools.count()
Element._generate_id = classmethod(lambda cls: f"{next(counter):032x}")
from ecogis.render.folium_import import load_folium_map
folium_map = load_folium_map()
before = "urllib3" in sys.modules, type(sys.modules["requests"]).__name__
layer = geopandas.read_file(sys.argv[1]).iloc[:40]
layer.attrs = {"ecogis": {"kind": "redline"}}
page = folium_map.map_html(folium_map.make_map({"redline": layer}))
import folium.features, requests
same = folium.features.requests.get is requests.get
print(before, "urllib3" in sys.modules, same, requests.Session.__name__)
sys.stdout.write(page)
"""


def _probe(tmp_path, no_cache: bool) -> list[str]:
    import os

    env = dict(os.environ, ECOGIS_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("ECOGIS_NO_CACHE", None)
    if no_cache:
        env["ECOGIS_NO_CACHE"] = "1"
    out = subprocess.run([sys.executable, "-c", MAP_PROBE, str(LAYERS / "redline" / "redline.shp")], capture_output=True,
                         text=True, check=True, env=env).stdout
    return out.split("\n", 1)


def test_fresh_process_map_from_cached_templates_is_the_uncached_one(tmp_path):
    status, uncached = _probe(tmp_path, no_cache=True)
    first_status, first = _probe(tmp_path, no_cache=False)    # fills the store
    again_status, again = _probe(tmp_path, no_cache=False)    # reads it
    assert len(fi.store_path(tmp_path / "cache", jinja2.__version__).read_bytes()) > 10_000
    assert uncached == first == again and uncached.count("L.geoJson(") == 1
    # requests: not loaded by folium's import, loaded (the real module) when used
    for line in (status, first_status, again_status):
        assert line == "(False, '_Deferred') True True Session"
