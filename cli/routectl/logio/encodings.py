"""Which codec reads a log: the ``--encoding`` names and the byte sniffing behind them.

* Nothing named (the default): a regular file's codec is detected
  (:func:`detect_codec`); standard input is read as ``utf-8``.
* ``utf-8``: UTF-8 with or without a BOM. A log whose bytes say UTF-16 (a
  UTF-16 byte-order mark, or ASCII interleaved with zero bytes) is read as UTF-16: no
  UTF-8 text starts like that, so nothing is guessed.
* ``gb18030``, and ``gbk`` / ``cp936`` as other names for it (GB18030 is a superset of
  both, and the name Chinese Excel's "CSV" uses varies): Chinese Excel and Qianniu exports.
* ``utf-16``: with a BOM, or without one when the zero bytes show the byte order.
* ``auto``: on a regular file the same as naming nothing; on a stream (standard input,
  a pipe), decided from its first :data:`SNIFF_BYTES` bytes: a BOM wins; then UTF-16 by
  its zero bytes; then UTF-8 when those bytes are valid UTF-8; else GB18030.

A byte-order mark always wins over the name given: a file cannot both start with a
UTF-8 BOM and be GB18030 text a person meant.
"""

from __future__ import annotations

import codecs
import re
from typing import BinaryIO

ENCODINGS = ("utf-8", "gb18030", "gbk", "cp936", "utf-16", "auto")
"""The names ``--encoding`` accepts."""
SNIFF_BYTES = 64 * 1024


def codec_for(name: str, head: bytes) -> str:
    """The Python codec that reads a log named ``name`` whose first bytes are ``head``."""
    name = name.lower()
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    utf16 = _utf16_by_zero_bytes(head)
    if name in ("gbk", "cp936", "gb18030"):
        return "gb18030"
    if utf16 is not None:
        return utf16
    if name == "utf-16":
        return "utf-16"  # no BOM and no ASCII to tell the order: the codec's default
    if name == "auto" and not _valid_utf8(head):
        return "gb18030"
    return "utf-8-sig"


def _utf16_by_zero_bytes(head: bytes) -> str | None:
    """``utf-16-le``/``-be`` when most even (odd) bytes are zero, as in UTF-16 ASCII."""
    sample = head[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > len(odd) * 0.6 and even.count(0) < len(even) * 0.1:
        return "utf-16-le"
    if even.count(0) > len(even) * 0.6 and odd.count(0) < len(odd) * 0.1:
        return "utf-16-be"
    return None


def _valid_utf8(head: bytes) -> bool:
    """Whether ``head`` is UTF-8; a character cut off at the sample's end is allowed."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


_SCAN_BLOCK = 1 << 20
_NON_ASCII = re.compile(rb"[\x80-\xff]")


def detect_codec(stream: BinaryIO) -> str:
    """The codec of a seekable log, from evidence in its bytes; the stream is left at 0.

    A BOM or UTF-16's zero bytes decide from the first :data:`SNIFF_BYTES` bytes. Else
    the first stretch of non-ASCII bytes decides, wherever it is: an export's header and
    first rows may be all ASCII with the Chinese names further down. Valid UTF-8 there
    is UTF-8 (GB18030 text of any length almost never is); otherwise GB18030. A file of
    ASCII only is read as UTF-8. Finding the stretch costs one ``isascii`` per MiB.
    """
    head = stream.read(SNIFF_BYTES)
    try:
        codec = codec_for("auto", head)
        if codec != "utf-8-sig" or head.startswith(codecs.BOM_UTF8) or not head.isascii():
            return codec
        sample = _first_non_ascii(stream)
        return "utf-8-sig" if sample is None or _valid_utf8(sample) else "gb18030"
    finally:
        stream.seek(0)


def _first_non_ascii(stream: BinaryIO) -> bytes | None:
    """Up to :data:`SNIFF_BYTES` bytes from the first non-ASCII byte on, or None.

    Every byte before it is ASCII, so it starts a character in UTF-8 and GB18030 alike.
    """
    while True:
        block = stream.read(_SCAN_BLOCK)
        if not block:
            return None
        found = None if block.isascii() else _NON_ASCII.search(block)  # isascii: fast
        if found is not None:
            sample = block[found.start() : found.start() + SNIFF_BYTES]
            return sample + stream.read(SNIFF_BYTES - len(sample))
