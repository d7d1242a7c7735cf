"""MS-OVBA compression (the VBA project's RLE-like LZ77, [MS-OVBA] 2.4.1), for writing VBA source.

ms-ovba's own compressor garbles any stream longer than about 580 bytes (a test
decompresses with oletools and compares), so the add-in build uses this one:
chunks of 4096 bytes, each a run of flag bytes and tokens; a copy token's split
between offset and length bits depends on how far into the chunk it sits.
"""

from __future__ import annotations

CHUNK = 4096
_SIGNATURE = 0x01
_CANDIDATES = 64
"""Earlier positions tried per match (most recent first): plenty for source code."""


def _bit_count(difference: int) -> int:
    bits = 4
    while (1 << bits) < difference:
        bits += 1
    return bits


def _compress_chunk(chunk: bytes) -> bytes:
    out = bytearray()
    seen: dict[bytes, list[int]] = {}
    pos, end = 0, len(chunk)
    while pos < end:
        flag_at = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= end:
                break
            bits = _bit_count(pos)
            longest = (0xFFFF >> bits) + 3
            best_len, best_off = 0, 0
            if pos + 3 <= end:
                for start in reversed(seen.get(chunk[pos : pos + 3], ())[-_CANDIDATES:]):
                    offset = pos - start
                    if offset > (1 << bits):
                        break
                    length = 0
                    limit = min(longest, end - pos)
                    while length < limit and chunk[start + length] == chunk[pos + length]:
                        length += 1
                    if length > best_len:
                        best_len, best_off = length, offset
                        if length == limit:
                            break
            step = best_len if best_len >= 3 else 1
            if best_len >= 3:
                token = ((best_off - 1) << (16 - bits)) | (best_len - 3)
                out += token.to_bytes(2, "little")
                flags |= 1 << bit
            else:
                out.append(chunk[pos])
            for p in range(pos, pos + step):
                if p + 3 <= end:
                    seen.setdefault(chunk[p : p + 3], []).append(p)
            pos += step
        out[flag_at] = flags
    return bytes(out)


def compress(data: bytes) -> bytes:
    """A CompressedContainer holding `data`."""
    out = bytearray([_SIGNATURE])
    for start in range(0, len(data), CHUNK):
        chunk = data[start : start + CHUNK]
        body = _compress_chunk(chunk)
        if len(body) <= CHUNK - 2 or len(chunk) < CHUNK:
            if len(body) > CHUNK:
                raise ValueError("an incompressible final chunk cannot be stored")
            header = (len(body) + 2 - 3) | (0b011 << 12) | 0x8000
            out += header.to_bytes(2, "little") + body
        else:  # a raw chunk: exactly 4096 bytes as they are
            out += ((CHUNK + 2 - 3) | (0b011 << 12)).to_bytes(2, "little") + chunk
    return bytes(out)
