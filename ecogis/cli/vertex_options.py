"""``--as-line``/``--as-polygon``/``--group``/``--order``: build lines or polygons from a vertex table.

Shared by ``check``, ``area``, ``convert`` and ``map``; the work is :func:`ecogis.io.vertices.vertices_to_shapes`.
"""
from __future__ import annotations

import click

from ecogis.error_messages import error


def vertex_options(func):
    """Add the four vertex-table options to a click command (keyword arguments as_line, as_polygon,
    group, order)."""
    options = [
        click.option("--as-line", "as_line", is_flag=True,
                     help="The input is a table of vertices (turning points): join them into one line per "
                          "group, ordered by 桩号 (K12+345.6), by --order, or as in the file."),
        click.option("--as-polygon", "as_polygon", is_flag=True,
                     help="Like --as-line, closing each group's vertices into a polygon ring."),
        click.option("--group", "group", metavar="FIELD",
                     help="With --as-line/--as-polygon: the field whose value says which line or polygon a vertex "
                          "belongs to (default: all vertices make one)."),
        click.option("--order", "order", metavar="FIELD",
                     help="With --as-line/--as-polygon: the field that orders the vertices (桩号 such as K12+345.6, "
                          "or numbers). Default: a field named 桩号/里程/station/chainage, else the file order."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def vertex_spec(as_line: bool, as_polygon: bool, group: str | None, order: str | None):
    """The :class:`ecogis.io.vertices.VertexSpec` the options ask for, or None without --as-line/--as-polygon."""
    from ecogis.io.vertices import VertexSpec

    if as_line and as_polygon:
        raise error("sites.line_or_polygon")
    if not (as_line or as_polygon):
        if group or order:
            raise error("sites.needs_shape", hint="sites.add_shape")
        return None
    return VertexSpec(shape="line" if as_line else "polygon", group=group, order=order)


def apply_vertices(gdf, spec, source):
    """``gdf`` as lines/polygons per :func:`ecogis.io.vertices.vertices_to_shapes` when ``spec`` is given."""
    if spec is None:
        return gdf
    from ecogis.io.vertices import vertices_to_shapes

    return vertices_to_shapes(gdf, spec, source=str(source))
