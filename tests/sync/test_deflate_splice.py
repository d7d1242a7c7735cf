"""Re-deflating only what changed gives a stream that inflates to exactly the edited content."""

from __future__ import annotations

import random
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.deflate_splice import InflateError, inflate_blocks, pieces, splice

pytestmark = pytest.mark.skipif(inflate_blocks(zlib.compress(b"x")[2:-4], 1) is None, reason="no zlib library to load")


def _content(rng: random.Random, size: int) -> bytes:
    """Sheet-like XML: repetitive, with numbers, so that matches reach far back."""
    out, row, length = [], 1, 0
    while length < size:
        parts = [f'<row r="{row}"><c r="A{row}"><v>{rng.randint(0, 10**rng.randint(1, 9))}</v></c></row>'.encode()]
        if rng.random() < 0.05:
            parts.append(rng.randbytes(rng.randint(1, 300)))  # something that does not compress
        out += parts
        length += sum(map(len, parts))
        row += 1
    return b"".join(out)[:size]


def _deflate(data: bytes, how: str, rng: random.Random) -> bytes:
    level, strategy, mem = {
        "stored": (0, zlib.Z_DEFAULT_STRATEGY, 8), "fast": (1, zlib.Z_DEFAULT_STRATEGY, 8),
        "default": (6, zlib.Z_DEFAULT_STRATEGY, 8), "best": (9, zlib.Z_DEFAULT_STRATEGY, 9),
        "fixed": (6, zlib.Z_FIXED, 8), "huffman": (6, zlib.Z_HUFFMAN_ONLY, 8), "rle": (6, zlib.Z_RLE, 8),
        "small_blocks": (6, zlib.Z_DEFAULT_STRATEGY, 1), "flushed": (4, zlib.Z_DEFAULT_STRATEGY, 2),
    }[how]
    packer = zlib.compressobj(level, zlib.DEFLATED, -15, mem, strategy)
    if how != "flushed":
        return packer.compress(data) + packer.flush()
    out, pos = [], 0
    while pos < len(data):  # sync and full flushes here and there, as some writers do
        step = rng.randint(1, 50000)
        out.append(packer.compress(data[pos : pos + step]))
        out.append(packer.flush(rng.choice([zlib.Z_SYNC_FLUSH, zlib.Z_FULL_FLUSH, zlib.Z_NO_FLUSH])))
        pos += step
    return b"".join(out) + packer.flush()


def _edits(rng: random.Random, size: int, count: int) -> list[tuple[int, int, bytes]]:
    points = sorted(rng.randint(0, size) for _ in range(2 * count))
    edits = []
    for a, b in zip(points[::2], points[1::2]):
        if rng.random() < 0.3:
            b = a  # an insertion
        elif rng.random() < 0.5:
            b = min(b, a + rng.randint(0, 200))
        edits.append((a, b, rng.randbytes(rng.choice([0, 1, 7, 300, 5000]))))
    if rng.random() < 0.2:
        edits.append((size, size, b"<tail/>"))
    return edits


def _applied(old: bytes, edits) -> bytes:
    return b"".join(bytes(p) for p in pieces(old, edits))


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 2**32),
    st.sampled_from(["stored", "fast", "default", "best", "fixed", "huffman", "rle", "small_blocks", "flushed"]),
    st.sampled_from([0, 1, 1000, 100_000, 400_000]),
    st.integers(1, 6),
    st.sampled_from([1, 4, 9]),
)
def test_the_spliced_stream_inflates_to_the_edited_content(seed, how, size, count, level):
    rng = random.Random(seed)
    old = _content(rng, size)
    compressed = _deflate(old, how, rng)
    inflated = inflate_blocks(compressed, len(old))
    assert inflated is not None
    content, boundaries = inflated
    assert content == old
    assert boundaries[0] == (0, 0) and boundaries == sorted(set(boundaries))
    assert [out for _, out in boundaries] == sorted(out for _, out in boundaries)
    edits = _edits(rng, len(old), count)
    new, crc, new_size = splice(compressed, boundaries, old, edits, level)
    expected = _applied(old, edits)
    assert zlib.decompress(new, -15) == expected
    assert (crc, new_size) == (zlib.crc32(expected), len(expected))


def test_pieces_apply_edits_like_the_sheet_does():
    old = b"0123456789"
    assert _applied(old, [(0, 0, b"<"), (2, 4, b"ab"), (4, 4, b"+"), (10, 10, b">")]) == b"<01ab+456789>"
    assert _applied(old, [(0, 10, b"")]) == b""
    assert _applied(old, []) == old


def test_a_one_row_edit_redeflates_a_small_stretch():
    rng = random.Random(7)
    old = _content(rng, 3_000_000)
    compressed = _deflate(old, "default", rng)
    content, boundaries = inflate_blocks(compressed, len(old))
    assert len(boundaries) > 10
    at = len(old) // 2
    new, _, _ = splice(compressed, boundaries, old, [(at, at + 5, b"99999")], 6)
    assert zlib.decompress(new, -15) == old[:at] + b"99999" + old[at + 5 :]
    # most of the old bits were kept: far less than a whole new deflate would differ
    assert compressed[: len(compressed) // 4] == new[: len(compressed) // 4]


@pytest.mark.parametrize("damage", ["truncated", "too_long", "garbage", "short_size"])
def test_damaged_streams_are_refused(damage):
    old = _content(random.Random(1), 100_000)
    compressed = zlib.compress(old, 6)[2:-4]
    size = len(old)
    if damage == "truncated":
        compressed = compressed[: len(compressed) // 2]
    elif damage == "too_long":
        size += 10
    elif damage == "short_size":
        size -= 10
    else:
        compressed = compressed[:100] + bytes(200) + compressed[300:]
    with pytest.raises(InflateError):
        inflate_blocks(compressed, size)


@given(st.binary(min_size=1, max_size=40), st.data())
def test_bits_from_a_byte_boundary_are_the_bytes_as_they_are(data, draw):
    from sync.deflate_splice import _STORED_EMPTY, _bits

    start = 8 * draw.draw(st.integers(0, len(data) - 1))
    end = draw.draw(st.one_of(st.none(), st.integers(start, len(data) * 8)))
    stop = len(data) * 8 if end is None else end
    value = (int.from_bytes(data, "little") >> start) & ((1 << (stop - start)) - 1)
    expected = (
        data[start // 8 :] if end is None else value.to_bytes((stop - start + 10) // 8, "little") + _STORED_EMPTY
    )
    assert _bits(data, start, end) == expected
