"""Static maps: the figure a map is drawn into, new or reused, and its PNG.

A map drawn after another of the same size (the DOCX report's overview and site figures) is drawn into
the previous map's figure, emptied of what was drawn: the axes are kept (making them is a good part of
a figure's set-up) and so is the figure's Agg renderer, with the text metrics it measured (legend
entries, graticule labels, the footer); the pixels are those of a new figure (tests/test_figure_reuse.py).
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ecogis.render import static_furniture as furniture


def frame(shared: dict | None, figsize, dpi: float, inset: bool, main_box, inset_box, legend_box):
    """The figure (``figsize`` inches, ``dpi``) and its main, inset (None without) and legend axes at the
    boxes given (figure fractions): new, or, with ``shared``, those of the previous figure made with it
    (same size, dpi and inset), emptied of what was drawn."""
    key = ("frame", tuple(figsize), float(dpi), bool(inset))
    if shared is not None and key in shared:
        fig, axes = shared[key]
        for ax in axes:
            if ax is not None:
                _empty(ax)
        for text in list(fig.texts):
            text.remove()
        return (fig, *axes)
    fig = Figure(figsize=figsize, dpi=dpi)
    axes = (fig.add_axes(main_box), fig.add_axes(inset_box) if inset else None, fig.add_axes(legend_box))
    if shared is not None:
        shared[key] = (fig, axes)
    return (fig, *axes)


def _empty(ax) -> None:
    """Remove every artist drawn into ``ax`` (patches, lines, texts, collections, offset boxes, legend)."""
    for artist in [*ax.patches, *ax.lines, *ax.texts, *ax.collections, *ax.artists, *ax.images]:
        artist.remove()
    if ax.legend_ is not None:
        ax.legend_.remove()


def write_png(fig, path, compress_level: int) -> None:
    """Write ``fig`` at its own dpi as the PNG ``savefig(facecolor="white")`` writes, in RGB when every
    pixel is opaque (an alpha channel of 255 only: the same pixels in 3/4 of the bytes, encoded in about
    0.6x the time), with zlib level ``compress_level``."""
    from PIL import Image

    fig.set_facecolor("white")
    canvas = furniture.canvas(fig)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    image = Image.fromarray(np.ascontiguousarray(rgba[..., :3]) if (rgba[..., 3] == 255).all() else rgba)
    image.save(path, format="png", dpi=(fig.dpi, fig.dpi), compress_level=compress_level)
