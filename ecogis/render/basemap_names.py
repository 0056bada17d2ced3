"""The web basemaps of the folium map, by name: a leaf, so that ``ecogis map --help`` lists them without
importing folium."""
BASEMAPS = ("none", "osm", "tianditu-vec", "tianditu-img", "amap", "amap-img")
