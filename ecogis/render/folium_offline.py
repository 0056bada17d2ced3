"""Self-contained HTML for folium maps: vendored Leaflet and plugins inlined, compact UTF-8 JSON.

folium normally links Leaflet, jQuery, Bootstrap and plugins from CDNs. An :class:`OfflineMap`
inlines the vendored Leaflet 1.9.4, Leaflet.fullscreen 3.0.0 and leaflet-measure 2.1.7 from
``ecogis/render/vendor`` when it renders and drops the CDN links, so the HTML needs no network
unless a tiled base map is chosen.
"""
from __future__ import annotations

import base64
import contextlib
import json
import re
import warnings
from importlib import resources
from pathlib import Path

import folium
from branca.element import Element, MacroElement
from folium.template import Template

from ecogis.outputs import write_text_atomic

# folium resource name -> vendored file (relative to ecogis/render/vendor), in load order.
VENDORED = {
    "leaflet_css": "leaflet/leaflet.css",
    "Control.FullScreen.css": "leaflet.fullscreen/Control.FullScreen.css",
    "leaflet_measure_css": "leaflet-measure/leaflet-measure.css",
    "leaflet": "leaflet/leaflet.js",
    "Control.Fullscreen.js": "leaflet.fullscreen/Control.FullScreen.js",
    "leaflet_measure_js": "leaflet-measure/leaflet-measure.min.js",
}
# folium defaults that ecogis maps do not use (no awesome-markers icons, no Bootstrap, no jQuery).
DROPPED = {
    "jquery", "bootstrap", "awesome_markers", "bootstrap_css", "glyphicons_css",
    "awesome_markers_font_css", "awesome_markers_css", "awesome_rotate_css",
}


def _vendor_file(rel: str):
    return resources.files("ecogis.render").joinpath("vendor", *rel.split("/"))


def _inline_css(rel: str) -> str:
    css = _vendor_file(rel).read_text(encoding="utf-8")
    folder = rel.rsplit("/", 1)[0]

    def data_uri(match):
        url = match.group(1).strip("'\"")
        if url.startswith(("data:", "#")):
            return match.group(0)
        data = _vendor_file(f"{folder}/{url}").read_bytes()
        mime = "image/svg+xml" if url.endswith(".svg") else "image/png"
        return f"url(data:{mime};base64,{base64.b64encode(data).decode('ascii')})"

    return re.sub(r"url\(([^)]+)\)", data_uri, css)


def _inline_js(rel: str) -> str:
    js = _vendor_file(rel).read_text(encoding="utf-8")
    js = re.sub(r"//# sourceMappingURL=\S+", "", js)
    return js.replace("</script", "<\\/script")


def vendor_assets_html(names) -> str:
    """<style>/<script> tags with the vendored assets ``names`` inlined (in load order)."""
    parts = []
    for name, rel in VENDORED.items():
        if name not in names:
            continue
        if rel.endswith(".css"):
            parts.append(f"<style>/* {rel} */\n{_inline_css(rel)}</style>")
        else:
            parts.append(f"<script>/*! {rel}\n{_licence(rel)}*/\n{_inline_js(rel)}</script>")
    return "\n".join(parts)


def _licence(rel: str) -> str:
    """The licence text of the vendored package that ``rel`` belongs to (kept with the inlined code)."""
    text = _vendor_file(rel.split("/")[0] + "/LICENSE").read_text(encoding="utf-8")
    return text.replace("*/", "* /")


class RawHTML(Element):
    """Literal HTML text in the page (branca's ``Element(text)`` would parse the text as a Jinja
    template: slow for the 270 kB of inlined Leaflet, and wrong for text containing ``{{``)."""

    _template = Template("{{ this.text }}")

    def __init__(self, text: str):
        super().__init__()
        self.text = text


class PlainMacro(MacroElement):
    """A MacroElement whose rendered header, html and script go into the page as they are.

    branca's ``MacroElement.render`` wraps each rendered macro in ``Element(text)``, which compiles the text
    as a Jinja template once more: for a layer's GeoJSON that is most of the map's rendering time, and for
    ecogis's elements (whose texts hold no template syntax: :func:`template_safe_json`) its only effects are
    Jinja's on any text: line ends written as ``\\n`` and one trailing line end dropped, which
    :func:`jinja_text` does too, so the page is the same. Put it before ``MacroElement`` in a folium class's
    bases, e.g. ``class PlainGeoJson(folium.GeoJson, PlainMacro)``: folium's own ``render`` runs first,
    then this one. Children that are plain MacroElements (folium's own ``render`` being branca's, such as
    the ``addTo`` statement folium adds to each layer) are rendered the same way."""

    def render(self, **kwargs):
        figure = self.get_root()
        macros = self._template.module.__dict__
        for part in ("header", "html", "script"):
            macro = macros.get(part)
            if macro is not None:
                getattr(figure, part).add_child(RawHTML(jinja_text(macro(self, kwargs))), name=self.get_name())
        for element in self._children.values():
            if type(element).render is MacroElement.render:
                PlainMacro.render(element, **kwargs)
            else:
                element.render(**kwargs)


def jinja_text(text: str) -> str:
    """``text`` as Jinja renders a template of text without template syntax (as branca's ``Element(text)``
    does): every line end (``\\r\\n``, ``\\r``, ``\\n``) as ``\\n``, one trailing line end dropped."""
    lines = _LINE_END.split(text)
    if lines[-1] == "":
        del lines[-1]
    return "\n".join(lines)


_LINE_END = re.compile(r"\r\n|\r|\n")


def _walk(element):
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)


class OfflineMap(folium.Map, PlainMacro):
    """A folium Map whose rendering inlines vendored Leaflet assets instead of CDN links (its own and its
    children's macros put into the page as text: :class:`PlainMacro`)."""

    def render(self, **kwargs):
        needed: set[str] = set()
        external: list[str] = []
        for element in _walk(self):
            if not hasattr(element, "default_js"):
                continue
            for attr in ("default_js", "default_css"):
                resources_ = getattr(type(element), attr, [])
                keep = []
                for name, url in resources_:
                    if name in VENDORED:
                        needed.add(name)
                    elif name not in DROPPED:
                        keep.append((name, url))
                        external.append(url)
                setattr(element, attr, keep)
        if external:
            warnings.warn(f"map elements need online resources: {sorted(set(external))}", stacklevel=2)
        # after folium's <meta charset> (browsers look for it in the first 1024 bytes), before the rest
        header = self.get_root().header
        keys = [k for k in header._children if k != "ecogis_vendor"]
        at = keys.index("meta_http") + 1 if "meta_http" in keys else 0
        header.add_child(RawHTML(vendor_assets_html(needed)), name="ecogis_vendor", index=at)
        with _compact_utf8_json(self):
            super().render(**kwargs)


class GeometryText(dict):
    """A GeoJSON geometry kept as its JSON text (``text``, from ``shapely.to_geojson``), with only its
    ``type`` as a dict entry (what folium and the map's stylers read): :func:`template_safe_json` writes
    the text as it is, so a map's coordinates are never parsed into Python lists and serialised again."""

    def __init__(self, text: str, geom_type: str):
        super().__init__(type=geom_type)
        self.text = text


def template_safe_json(obj, **kwargs) -> str:
    """``json.dumps`` whose output has no template syntax (``{{``, ``{%``, ``{#``); a FeatureCollection
    with :class:`GeometryText` geometries has their text written in.

    folium renders each map element's script and then parses the result as a Jinja template again,
    so a feature named ``{{7*7}}`` would be evaluated (printed as 49, or worse). These openings occur
    only inside JSON strings, where ``{\\u007b`` is the same text."""
    text = _collection_json(obj, **kwargs) if _has_geometry_text(obj) else json.dumps(obj, **kwargs)
    return text.replace("{{", "{\\u007b").replace("{%", "{\\u0025").replace("{#", "{\\u0023")


def _has_geometry_text(obj) -> bool:
    if not (isinstance(obj, dict) and obj.get("type") == "FeatureCollection" and obj.get("features")):
        return False
    return isinstance(obj["features"][0].get("geometry"), GeometryText)


def _collection_json(collection: dict, **kwargs) -> str:
    """The JSON of a FeatureCollection (``json.dumps(collection, **kwargs)`` but for the key order: each
    feature's geometry first, as with ``sort_keys``), its :class:`GeometryText` geometries written as they are."""
    features = []
    for feature in collection["features"]:
        geometry = feature.get("geometry")
        rest = json.dumps({k: v for k, v in feature.items() if k != "geometry"}, **kwargs)
        text = geometry.text if isinstance(geometry, GeometryText) else json.dumps(geometry, **kwargs)
        features.append('{"geometry":' + text + ("," + rest[1:] if len(rest) > 2 else "}"))
    rest = json.dumps({k: v for k, v in collection.items() if k != "features"}, **kwargs)
    return '{"features":[' + ",".join(features) + "]" + ("," + rest[1:] if len(rest) > 2 else "}")


@contextlib.contextmanager
def _compact_utf8_json(root):
    """Make the templates' ``tojson`` write UTF-8 text and no blanks while ``root`` renders.

    Jinja's default ``json.dumps`` writes every Chinese character as a six-byte ``\\uXXXX`` escape
    (three bytes in UTF-8; the page declares ``charset=UTF-8``) and puts a blank after every comma
    of the coordinate arrays. ``<``, ``>``, ``&`` and ``'`` stay escaped (Jinja's htmlsafe dumps),
    so the JSON stays safe inside <script>, and template syntax in texts is escaped
    (:func:`template_safe_json`). The policies are restored afterwards, so other folium maps in the
    process are not affected.
    """
    envs = {id(e._template.environment): e._template.environment for e in _walk(root)
            if getattr(e, "_template", None) is not None}
    keys = ("json.dumps_kwargs", "json.dumps_function")
    saved = {key: {k: env.policies.get(k) for k in keys} for key, env in envs.items()}
    for env in envs.values():
        env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False, "separators": (",", ":")}
        env.policies["json.dumps_function"] = template_safe_json
    try:
        yield
    finally:
        for key, env in envs.items():
            env.policies.update(saved[key])


def map_html(m: folium.Map) -> str:
    """The complete, self-contained HTML document of map ``m``."""
    return m.get_root().render()


def save_map(m: folium.Map, path, *, overwrite: bool = False) -> Path:
    """Write map ``m`` as one self-contained HTML file (atomic; refuses to overwrite unless asked)."""
    return write_text_atomic(path, map_html(m), overwrite=overwrite)
