"""A byte-level shapefile writer (ESRI Shapefile Technical Description, 1998) for the hostile corpus.

GDAL closes rings and rejects bad values when it writes; this writer does not, so the corpus can hold
unclosed rings, two-point rings, NaN coordinates and null shapes exactly as broken tools write them.
Only what the corpus needs: Null (0), Point (1) and Polygon (5) shapes; dBASE III C and N fields.
"""
from __future__ import annotations

import math
import struct

NULL, POINT, POLYGON = 0, 1, 5


def _bbox(points):
    xs = [x for x, _ in points if math.isfinite(x)] or [0.0]
    ys = [y for _, y in points if math.isfinite(y)] or [0.0]
    return min(xs), min(ys), max(xs), max(ys)


def _content(shape) -> bytes:
    """Record content of ``shape``: None (null shape), (x, y) (point) or a list of rings (polygon)."""
    if shape is None:
        return struct.pack("<i", NULL)
    if isinstance(shape, tuple):
        return struct.pack("<i2d", POINT, *shape)
    points = [p for ring in shape for p in ring]
    parts, start = [], 0
    for ring in shape:
        parts.append(start)
        start += len(ring)
    head = struct.pack("<i4d2i", POLYGON, *_bbox(points), len(shape), len(points))
    return head + struct.pack(f"<{len(parts)}i", *parts) + b"".join(struct.pack("<2d", *p) for p in points)


def _header(shape_type: int, length_words: int, bbox) -> bytes:
    return (struct.pack(">7i", 9994, 0, 0, 0, 0, 0, length_words)
            + struct.pack("<2i", 1000, shape_type) + struct.pack("<8d", *bbox, 0, 0, 0, 0))


def shp_shx(shapes, shape_type: int = POLYGON) -> tuple[bytes, bytes]:
    """The .shp and .shx bytes of ``shapes`` (see :func:`_content` for the shape forms)."""
    records, index, offset = [], [], 50  # offsets and lengths in 16-bit words
    for number, shape in enumerate(shapes, start=1):
        content = _content(shape)
        records.append(struct.pack(">2i", number, len(content) // 2) + content)
        index.append(struct.pack(">2i", offset, len(content) // 2))
        offset += 4 + len(content) // 2
    points = [p for s in shapes if s is not None for p in ([s] if isinstance(s, tuple) else
                                                              [q for ring in s for q in ring])]
    bbox = _bbox(points or [(0.0, 0.0)])
    shp = _header(shape_type, offset, bbox) + b"".join(records)
    shx = _header(shape_type, 50 + 4 * len(shapes), bbox) + b"".join(index)
    return shp, shx


def dbf(fields, rows, encoding: str = "utf-8", language_driver: int = 0) -> bytes:
    """dBASE III bytes. ``fields``: (name, type 'C'|'N', width); ``rows``: tuples of str/int/bytes.

    A bytes value is written as given (for mixed or broken encodings); text is encoded with ``encoding``.
    """
    header_len = 32 + 32 * len(fields) + 1
    record_len = 1 + sum(w for _, _, w in fields)
    head = struct.pack("<4BIHH", 3, 124, 1, 1, len(rows), header_len, record_len)
    head += bytes(17) + bytes([language_driver]) + bytes(2)
    for name, ftype, width in fields:
        head += name.encode("ascii").ljust(11, b"\0") + ftype.encode() + bytes(4) + bytes([width, 0]) + bytes(14)
    head += b"\r"
    body = b""
    for row in rows:
        body += b" "
        for (_, ftype, width), value in zip(fields, row):
            raw = value if isinstance(value, bytes) else str(value).encode(encoding)
            raw = raw[:width]
            body += raw.rjust(width) if ftype == "N" else raw.ljust(width)
    return head + body + b"\x1a"
