"""The .dbf of a shapefile: its header checked against itself and the file size, and the text encoding
of its attributes settled (user > .cpg > strict UTF-8 > strict GB18030, each guess reported), with the
values cut mid-character by the field width tolerated at the very end of a field."""
from __future__ import annotations

import codecs
import glob
import struct
from pathlib import Path

import numpy as np

from ecogis.error_messages import error
from ecogis.io.shapefile import _sibling
from ecogis.messages import say

#: the order in which text encodings are tried when a file does not declare one
DETECT_ORDER = ("UTF-8", "GB18030")

# ESRI / GDAL code page names seen in .cpg files -> Python codec names
_CPG_ALIASES = {"65001": "UTF-8", "UTF8": "UTF-8", "936": "GBK", "CP936": "GBK", "54936": "GB18030",
                "88591": "ISO-8859-1", "8859_1": "ISO-8859-1", "ANSI 936": "GBK", "950": "BIG5"}


class _DbfFile:
    """Lazy access to the bytes of a .dbf (and its .cpg) on disk."""

    def __init__(self, dbf: Path):
        self.dbf = dbf
        self.name = dbf.name

    def copy_parts(self, folder: Path, stem: str) -> None:
        """Link the other shapefile parts (.shp, .shx, .prj...) into ``folder`` as ``stem``.*"""
        for part in self.dbf.parent.glob(glob.escape(self.dbf.stem) + ".*"):
            if part.suffix.lower() != ".dbf":
                (folder / (stem + part.suffix.lower())).symlink_to(part.resolve())

    def dbf_bytes(self) -> bytes:
        return self.dbf.read_bytes()

    def cpg_text(self) -> str | None:
        cpg = _sibling(self.dbf, ".cpg")
        return None if cpg is None else cpg.read_bytes().decode("ascii", "replace").strip()


def settle_dbf_encoding(path: Path, dbf: _DbfFile, encoding, notes) -> tuple[str, str]:
    """Pick the text encoding of a .dbf: user > .cpg > strict UTF-8 > strict GB18030.

    Returns (encoding, source) with source one of ``user``, ``cpg``, ``detected``. A guess is reported
    as a note (:func:`ecogis.messages.say`).
    """
    if encoding:
        return _check_codec(encoding, path), "user"
    text_bytes = dbf_text_bytes(dbf.dbf_bytes())
    cpg = dbf.cpg_text()
    if cpg:
        declared = cpg_to_codec(cpg)
        if declared is None:
            say("cpg_unknown", notes, path=path, cpg=repr(cpg))
        elif _decodes(text_bytes, declared):
            if declared == "UTF-8" or text_bytes.isascii() or not _decodes(text_bytes, "UTF-8"):
                return declared, "cpg"
            # non-ASCII text that is valid UTF-8 is UTF-8: as GBK (or another code page) it reads as mojibake
            say("cpg_utf8", notes, path=path, declared=declared)
            return "UTF-8", "detected"
        else:
            found = detect_encoding(text_bytes)
            if found is None:
                raise error("io.cpg_wrong_nothing_fits", path=path, declared=declared, hint="io.pass_encoding_option")
            say("cpg_wrong", notes, path=path, declared=declared, found=found)
            return found, "detected"
    found = _detect_dbf_encoding(dbf.dbf_bytes(), text_bytes, path, notes)
    if not text_bytes.isascii() and "\ufffd".encode(found) not in text_bytes:  # damaged text: said by read_layer
        say("no_cpg", notes, path=path, found=found)
    return found, "detected"


def _detect_dbf_encoding(data: bytes, text_bytes: bytes, path, notes) -> str:
    """Strict UTF-8, else strict GB18030; each also with values cut mid-character by the field width.

    Desktop GIS truncates text to the field width in bytes, which can leave half a character at the
    end of a value. Such partial characters are tolerated (GDAL drops them when reading) but only at
    the very end of a field, so UTF-8 text with one cut character is not mistaken for GB18030.
    """
    for enc in DETECT_ORDER:
        if _decodes(text_bytes, enc):
            return enc
        trimmed, cut = trim_cut_characters(data, enc)
        if cut and _decodes(dbf_text_bytes(trimmed), enc):
            say("cut_character", notes, severity="repair", path=path, count=cut, encoding=enc)
            return enc
    raise error("io.no_encoding_fits", path=path, hint="io.pass_encoding_big5")


def _dbf_layout(data: bytes):
    """(header length, record length, record count, [(type, offset in record, length)]) of a .dbf."""
    header_len, record_len = struct.unpack("<HH", data[8:12])
    n_records = struct.unpack("<I", data[4:8])[0]
    fields, pos, offset = [], 32, 1  # byte 0 of a record is the deletion flag
    while pos + 32 <= min(header_len, len(data)) and data[pos] != 0x0D:
        fields.append((chr(data[pos + 11]), offset, data[pos + 16]))
        offset += data[pos + 16]
        pos += 32
    return header_len, record_len, n_records, fields


_DBF_MAX_HEADER = 32 + 32 * 2048 + 263  # dBASE 7 allows 2046 fields; Visual FoxPro adds a 263-byte backlink


#: dBASE field types (dBASE III-7, FoxPro/Visual FoxPro; "0" is FoxPro's hidden _NullFlags field)
_DBF_TYPES = set("CNFLDMBGPYTIVX@O+0")


def check_dbf_header(path: Path, data: bytes, name: str = "the .dbf", notes=None) -> None:
    """Refuse a .dbf whose header disagrees with itself or with the size of the file.

    GDAL trusts the header-length field (bytes 8-9): too small and it reads no attributes at all, a
    little off and every value is shifted by some bytes. The descriptors (32 bytes each from byte 32,
    ended by 0x0D) must fit inside the header, and the first record must start with its deletion flag
    (space or ``*``). Each field needs a length; the record length (bytes 10-11) must hold the deletion
    flag and every field; the record count (bytes 4-7) must match the records in the file (GDAL reads
    only as many as it says). A field of unknown type is read as text, with a note.
    """
    if len(data) < 32:
        raise error("io.dbf_header_cut", path=path, name=name, hint="io.copy_again")
    header_len, record_len = struct.unpack("<HH", data[8:12])
    n_records = struct.unpack("<I", data[4:8])[0]
    end = 32
    while end < min(len(data), _DBF_MAX_HEADER) and data[end] != 0x0D:
        end += 32
    needed = end + 1  # descriptors and their 0x0D terminator
    records = n_records * record_len
    first = data[header_len:header_len + 1]
    misplaced = header_len != needed and header_len + records > len(data) >= needed + records
    if header_len < needed or misplaced or (n_records and first not in (b" ", b"*")):
        raise error("io.dbf_header_length", path=path, name=name, length=header_len, fields=(end - 32) // 32,
                    needed=needed, hint="io.dbf_set_bytes_8_9")
    _check_dbf_fields(path, data, name, notes)
    if header_len + records > len(data):
        raise error("io.dbf_cut_off", path=path, name=name, count=n_records, length=record_len,
                    needed=header_len + records, size=len(data), hint="io.copy_again")
    held = (len(data) - header_len - data.endswith(b"\x1a")) // record_len  # 0x1A: end-of-file marker
    if held > n_records:
        raise error("io.dbf_record_count", path=path, name=name, count=n_records, held=held, length=record_len,
                    hint="io.dbf_set_bytes_4_7")


def _check_dbf_fields(path: Path, data: bytes, name: str, notes) -> None:
    """Each field has a length and the record length holds them; an unknown field type is noted."""
    _, record_len, _, fields = _dbf_layout(data)
    names = _dbf_field_names(data)
    for (ftype, _, length), field_name in zip(fields, names):
        if length == 0:
            raise error("io.dbf_zero_field", path=path, field=field_name, name=name, hint="io.copy_again")
    needed = 1 + sum(length for _, _, length in fields)
    n_records, header_len = struct.unpack("<I", data[4:8])[0], struct.unpack("<H", data[8:10])[0]
    if record_len > needed and header_len + n_records * record_len <= len(data):  # fields found by their lengths
        say("dbf_long_records", notes, path=path, dbf=name, length=record_len, count=len(fields), needed=needed,
            extra=record_len - needed)
    elif record_len != needed:
        raise error("io.dbf_record_length", path=path, name=name, length=record_len, count=len(fields),
                    needed=needed, hint="io.dbf_set_bytes_10_11")
    for (ftype, _, _), field_name in zip(fields, names):
        if ftype not in _DBF_TYPES:
            say("dbf_unknown_type", notes, path=path, field=repr(field_name), dbf=name, type=repr(ftype))


def _dbf_field_names(data: bytes) -> list[str]:
    """The field names of a .dbf header (ASCII, undecodable bytes replaced)."""
    header_len = struct.unpack("<H", data[8:10])[0]
    names, pos = [], 32
    while pos + 32 <= min(header_len, len(data)) and data[pos] != 0x0D:
        names.append(data[pos:pos + 11].split(b"\x00", 1)[0].decode("ascii", "replace"))
        pos += 32
    return names


def trim_cut_characters(data: bytes, enc: str) -> tuple[bytes, int]:
    """Copy of .dbf ``data`` with partial multibyte characters at the end of text values blanked.

    Only values whose last byte is non-ASCII are examined (vectorised pre-selection); returns the new
    bytes and how many values were changed.
    """
    if len(data) < 32:
        return data, 0
    header_len, record_len, n, fields = _dbf_layout(data)
    n = min(n, (len(data) - header_len) // record_len) if record_len else 0
    if n <= 0:
        return data, 0
    arr = np.frombuffer(data, np.uint8, count=n * record_len, offset=header_len).reshape(n, record_len).copy()
    cut = 0
    for ftype, offset, length in fields:
        if ftype != "C" or length == 0 or offset + length > record_len:
            continue
        block = arr[:, offset:offset + length]
        for row in np.flatnonzero(block[:, -1] >= 0x80):
            value = block[row].tobytes()
            if _decodes(value, enc):
                continue
            for k in (1, 2, 3):
                if _decodes(value[:-k], enc):
                    block[row, length - k:] = 0x20
                    cut += 1
                    break
    return data[:header_len] + arr.tobytes() + data[header_len + n * record_len:], cut


def detect_encoding(data: bytes) -> str | None:
    """The first of UTF-8 and GB18030 that decodes ``data`` strictly, or None."""
    for enc in DETECT_ORDER:
        if _decodes(data, enc):
            return enc
    return None


def _decodes(data: bytes, enc: str) -> bool:
    try:
        data.decode(enc, errors="strict")
    except UnicodeDecodeError:
        return False
    return True


def cpg_to_codec(cpg: str) -> str | None:
    """Python codec for the code page written in a .cpg file (``UTF-8``, ``GBK``, ``936``...)."""
    key = cpg.strip().upper()
    name = _CPG_ALIASES.get(key, key)
    if name.isdigit():
        name = f"cp{name}"
    try:
        codecs.lookup(name)
    except (LookupError, ValueError):  # ValueError: NUL bytes in a garbled .cpg
        return None
    return "UTF-8" if codecs.lookup(name).name == "utf-8" else name


def _check_codec(encoding: str, path) -> str:
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise error("io.unknown_encoding", path=path, encoding=repr(encoding), hint="io.encoding_names") from exc
    return encoding


def dbf_text_bytes(data: bytes) -> bytes:
    """The bytes of a .dbf that hold text: field names and records (the binary header left out)."""
    if len(data) < 32:
        return b""
    header_len, record_len = struct.unpack("<HH", data[8:12])
    names = []
    pos = 32
    while pos + 32 <= min(header_len, len(data)) and data[pos] != 0x0D:
        names.append(data[pos:pos + 11].split(b"\x00", 1)[0])
        pos += 32
    n_records = struct.unpack("<I", data[4:8])[0]
    records = data[header_len:header_len + n_records * record_len] if record_len else b""
    return b" ".join(names) + b" " + records
