"""Re-deflating only the stretch of a member that changed.

A one-row edit changes a few hundred bytes of a 63 MB sheet part; deflating it
whole again takes a quarter of a second. A deflate stream is a run of blocks,
and a block decodes from its own bits plus the 32 KiB of output before it, so
the new stream can reuse the old one's bits block for block wherever the
content (and the 32 KiB before it) did not change, and deflate afresh only from
the block boundary before an edit to the first boundary 32 KiB past it:

    old bits up to a boundary | empty stored block (back on a byte boundary)
    | the changed stretch, deflated with the 32 KiB before it as dictionary, sync-flushed
    | old bits from a boundary on, shifted to the byte boundary | ...

Where the blocks start is known only to the inflater: `inflate_blocks` asks
zlib's `inflate()` to stop at each one (`Z_BLOCK`, as zlib's own zran.c and
gzappend.c do). Python's `zlib` module does not offer that, so this calls the
zlib library through ctypes; where it cannot be loaded `inflate_blocks`
returns None and the caller deflates the whole member as before.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import zlib
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from functools import cache

Edit = tuple[int, int, bytes]
"""(start, end, new bytes): old content [start, end) becomes the new bytes."""

WINDOW = 32768
"""How far back a deflate block may reach for a match."""

Boundary = tuple[int, int]
"""(bit offset in the compressed stream, byte offset in the content) where a block starts."""

_Z_OK, _Z_STREAM_END, _Z_BLOCK = 0, 1, 5
_AT_BLOCK_END, _IN_LAST_BLOCK = 128, 64
_STORED_EMPTY = b"\x00\x00\xff\xff"
"""LEN and NLEN of an empty stored block (its 3 header bits, all zero, and the padding go before)."""


class _ZStream(ctypes.Structure):
    _fields_ = [
        ("next_in", ctypes.c_void_p), ("avail_in", ctypes.c_uint), ("total_in", ctypes.c_ulong),
        ("next_out", ctypes.c_void_p), ("avail_out", ctypes.c_uint), ("total_out", ctypes.c_ulong),
        ("msg", ctypes.c_char_p), ("state", ctypes.c_void_p),
        ("zalloc", ctypes.c_void_p), ("zfree", ctypes.c_void_p), ("opaque", ctypes.c_void_p),
        ("data_type", ctypes.c_int), ("adler", ctypes.c_ulong), ("reserved", ctypes.c_ulong),
    ]


@cache
def _zlib() -> ctypes.CDLL | None:
    """The zlib library, or None (Windows, where Python carries its own zlib inside)."""
    lib = _load("libz.so.1") or _load("libz.dylib")  # Linux, macOS: without find_library's ldconfig run
    if lib is None:
        name = ctypes.util.find_library("z")
        lib = _load(name) if name else None
    if lib is None:
        return None
    try:
        lib.zlibVersion.restype = ctypes.c_char_p
        lib.inflateInit2_.argtypes = [ctypes.POINTER(_ZStream), ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.inflate.argtypes = [ctypes.POINTER(_ZStream), ctypes.c_int]
        lib.inflateEnd.argtypes = [ctypes.POINTER(_ZStream)]
        if not lib.zlibVersion().startswith(b"1."):
            return None
    except AttributeError:
        return None
    return lib


def _load(name: str) -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(name)
    except OSError:
        return None


class InflateError(Exception):
    """The compressed data is not a complete raw deflate stream of the size expected."""


def inflate_blocks(compressed: bytes, size: int) -> tuple[bytes, list[Boundary]] | None:
    """The content of a raw deflate stream of `size` bytes, and where each of its blocks starts.

    None when the zlib library cannot be loaded. Raises `InflateError` for damaged data.
    """
    lib = _zlib()
    if lib is None:
        return None
    out = ctypes.create_string_buffer(max(size, 1))
    source = ctypes.create_string_buffer(compressed, len(compressed))
    stream = _ZStream()
    if lib.inflateInit2_(ctypes.byref(stream), -15, lib.zlibVersion(), ctypes.sizeof(_ZStream)) != _Z_OK:
        raise InflateError("zlib would not start inflating")
    try:
        stream.next_in, stream.avail_in = ctypes.addressof(source), len(compressed)
        stream.next_out, stream.avail_out = ctypes.addressof(out), size
        boundaries: list[Boundary] = [(0, 0)]
        while True:
            status = lib.inflate(ctypes.byref(stream), _Z_BLOCK)
            if status == _Z_STREAM_END:
                break
            if status != _Z_OK:  # a stream cut short or holding more than its size ends in Z_BUF_ERROR
                raise InflateError((stream.msg or b"").decode("ascii", "replace") or f"zlib status {status}")
            if stream.data_type & _AT_BLOCK_END and not stream.data_type & _IN_LAST_BLOCK:
                boundary = (stream.total_in * 8 - (stream.data_type & 7), stream.total_out)
                if boundary != boundaries[-1]:
                    boundaries.append(boundary)
        if stream.total_out != size:
            raise InflateError(f"{stream.total_out} bytes inflated, {size} expected")
    finally:
        lib.inflateEnd(ctypes.byref(stream))
    return out.raw[:size], boundaries


def pieces(old: bytes, edits: Sequence[Edit], start: int = 0, end: int | None = None) -> list[bytes | memoryview]:
    """The new content of old [start, end) in pieces, edits applied as `SheetPart.to_bytes` applies them.

    An edit belongs to the stretch its start is in; `end=None` is the end of `old`, insertions there included.
    """
    to_end = end is None
    end = len(old) if end is None else end
    view = memoryview(old)
    out: list[bytes | memoryview] = []
    pos = start
    for a, b, text in edits:
        if not (start <= a < end or (to_end and a == end)):
            continue
        if a > pos:
            out.append(view[pos:a])
        if text:
            out.append(text)
        pos = max(pos, b)
    if end > pos:
        out.append(view[pos:end])
    return out


def splice(
    compressed: bytes, boundaries: Sequence[Boundary], old: bytes, edits: Sequence[Edit], level: int
) -> tuple[bytes, int, int]:
    """The new raw deflate stream, its content's CRC-32 and size, for `old` with `edits` applied.

    `compressed` must inflate to `old`, with blocks starting at `boundaries` (as `inflate_blocks` says).
    """
    out: list[bytes] = []
    reused_from = 0  # bit from which the old stream is still to be copied
    for first, last in _stretches(boundaries, _movable(compressed, boundaries), edits):
        start_bit, start = boundaries[first]
        if start_bit > reused_from:
            out.append(_bits(compressed, reused_from, start_bit))
        stop = boundaries[last][1] if last is not None else None
        window = old[max(0, start - WINDOW) : start]
        packer = zlib.compressobj(level, zlib.DEFLATED, -15, zdict=window) if window else zlib.compressobj(level, zlib.DEFLATED, -15)
        out.append(packer.compress(b"".join(pieces(old, edits, start, stop))))  # one call: many small ones deflate slower
        out.append(packer.flush(zlib.Z_SYNC_FLUSH if last is not None else zlib.Z_FINISH))
        reused_from = boundaries[last][0] if last is not None else -1
    if reused_from >= 0:
        out.append(_bits(compressed, reused_from, None))
    crc = 0
    size = 0
    for piece in pieces(old, edits):
        crc = zlib.crc32(piece, crc)
        size += len(piece)
    return b"".join(out), crc, size


def _stretches(boundaries: Sequence[Boundary], movable: Sequence[bool], edits: Sequence[Edit]) -> list[tuple[int, int | None]]:
    """(first, last) boundary indices of each stretch to deflate afresh; last None: to the end.

    A stretch ends at the first boundary 32 KiB past its last edit from which the old bits can be moved.
    """
    starts = [out for _, out in boundaries]
    stretches: list[tuple[int, int | None]] = []
    for a, b, _ in edits:
        first = bisect_right(starts, a) - 1  # the last block starting at or before the edit
        following = bisect_left(starts, b + WINDOW)  # the first starting a window past it ...
        while following < len(starts) and not movable[following]:  # ... whose bits can move
            following += 1
        last = following if following < len(starts) else None
        if stretches and (stretches[-1][1] is None or starts[stretches[-1][1]] > starts[first]):
            prev_first, prev_last = stretches.pop()
            first = min(first, prev_first)
            last = None if prev_last is None or last is None else max(last, prev_last)
        stretches.append((first, last))
    return stretches


def _movable(compressed: bytes, boundaries: Sequence[Boundary]) -> list[bool]:
    """For each boundary: may the old bits from there on be copied to another bit position?

    A stored block pads to the next byte, so its bits mean something else once moved by a few
    bits: from a boundary inside a byte, the old bits move only if no stored block follows.
    """
    movable = [False] * len(boundaries)
    no_stored_after = True
    for k in reversed(range(len(boundaries))):
        bit = boundaries[k][0]
        no_stored_after = no_stored_after and _block_type(compressed, bit) != 0
        movable[k] = bit % 8 == 0 or no_stored_after
    return movable


def _block_type(compressed: bytes, bit: int) -> int:
    """BTYPE of the block whose header starts at `bit` (0 stored, 1 fixed, 2 dynamic codes)."""
    return (int.from_bytes(compressed[bit // 8 : bit // 8 + 2], "little") >> (bit % 8 + 1)) & 3


def _bits(data: bytes, start: int, end: int | None) -> bytes:
    """Bits [start, end) of a deflate stream from a byte boundary on, then (unless to the end) an
    empty stored block, so that what follows starts on a byte boundary again."""
    if start % 8 == 0:  # already on a byte boundary: whole bytes as they are
        if end is None:
            return data[start // 8 :]
        rest = end % 8
        last = bytes([data[end // 8] & ((1 << rest) - 1)]) if rest else b""
        # 3 header bits (not final, stored), all zero, then padding to the byte: zero bits.
        return data[start // 8 : end // 8] + last + (b"\x00" if rest == 0 or rest > 5 else b"") + _STORED_EMPTY
    stop = len(data) * 8 if end is None else end
    count = stop - start
    value = int.from_bytes(data[start // 8 : (stop + 7) // 8], "little") >> (start % 8)
    if end is None:
        return value.to_bytes((count + 7) // 8, "little")
    value &= (1 << count) - 1
    return value.to_bytes((count + 3 + 7) // 8, "little") + _STORED_EMPTY
