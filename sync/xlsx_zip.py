"""The zip container of an `.xlsx`/`.xlsm` package, rewritten without touching what did not change.

`ZipPackage.parse(data)` indexes the members of a package held in memory;
`ZipPackage.rebuild(replaced, added, removed)` returns the bytes of a new
package in which every member that is not replaced is copied *as stored*: the
same local header, the same compressed bytes, the same central-directory
record, in the same order. Only replaced and added members are compressed
anew (with their original method). A large member replaced by a `Spliced`
(edits of its content as read) keeps its old deflate blocks wherever nothing
changed (`sync.deflate_splice`): a one-row edit re-deflates a few hundred KB of
a 63 MB sheet, not all of it.

Archives this byte-level copy cannot handle (ZIP64, encrypted members,
multi-disk) are rebuilt with `zipfile` instead: members are recompressed, but
every member's content, name, order, method and timestamp stay the same.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

from sync.deflate_splice import Boundary, Edit, InflateError, inflate_blocks, pieces, splice

_LOCAL = b"PK\x03\x04"
_CENTRAL = b"PK\x01\x02"
_END = b"PK\x05\x06"
_END64_LOCATOR = b"PK\x06\x07"
_DESCRIPTOR = b"PK\x07\x08"

_LOCAL_FMT = struct.Struct("<4sHHHHHIIIHH")
_CENTRAL_FMT = struct.Struct("<4sHHHHHHIIIHHHHHII")
_END_FMT = struct.Struct("<4sHHHHIIH")

_FLAG_ENCRYPTED = 0x1
_FLAG_DESCRIPTOR = 0x8
_FLAG_UTF8 = 0x800

#: DOS date of 1980-01-01 00:00, the timestamp of members sheetclerk adds (deterministic output).
_NEW_DATE, _NEW_TIME = (0 << 9) | (1 << 5) | 1, 0
#: zlib level for members written anew. A one-row edit re-deflates the whole Orders sheet: at
#: 100k lines (63 MB of XML) level 6 takes 0.53 s, level 4 0.24 s for a part 8% larger, level 1
#: 0.17 s but 26% larger. Members not rewritten keep their bytes whatever this says.
_LEVEL = 4
_SPLICE_FROM = 1 << 20
"""Members inflated this large or larger are read block by block, so an edit can keep the blocks it
does not touch; smaller ones are simply deflated again."""


class PackageError(Exception):
    """The file is not a zip package this module can read; the message says why."""


@dataclass(frozen=True, slots=True)
class _Member:
    name: str
    raw_name: bytes
    central: bytes
    """The member's central-directory record, verbatim."""
    local_offset: int
    local_end: int
    """End of the member's local header, data and data descriptor."""
    data_offset: int
    """Where its compressed data starts."""
    method: int
    crc: int
    compressed_size: int
    size: int


@dataclass(frozen=True, slots=True)
class Spliced:
    """A member's new content, as edits of its content as read: (start, end, new bytes), in order."""

    edits: tuple[Edit, ...]

    def apply(self, old: bytes) -> bytes:
        return b"".join(pieces(old, self.edits))

    def changes(self, old: bytes) -> bool:
        """Is the new content different from `old`? (Edits that each change nothing change nothing.)"""
        changed = [(a, b) for a, b, text in self.edits if old[a:b] != text]
        if len(changed) <= 1 or sum(len(text) - (b - a) for a, b, text in self.edits):
            return bool(changed)
        return self.apply(old) != old  # several edits of the same total length: compare in full


class ZipPackage:
    """The members of one zip archive held in memory, for reading and byte-preserving rewrite."""

    def __init__(self, data: bytes, members: list[_Member] | None, comment: bytes, archive: zipfile.ZipFile):
        self._data = data
        self._members = members
        """None when the archive needs the `zipfile` fallback to be rewritten."""
        self._comment = comment
        self._zip = archive
        self.names: tuple[str, ...] = tuple(i.filename for i in archive.infolist())
        self._contents: dict[str, bytes] = {}
        """Members already inflated: an edit reads a part again to see whether it changed."""
        self._blocks: dict[str, list[Boundary]] = {}
        """Where the deflate blocks of large members read start (see `Spliced`)."""

    @classmethod
    def parse(cls, data: bytes) -> "ZipPackage":
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            infos = archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, EOFError, OSError) as e:
            raise PackageError(f"not a readable zip archive ({e})") from None
        if len({i.filename for i in infos}) != len(infos):
            raise PackageError("the zip archive names one member twice")
        try:
            members, comment = _index(data)
        except _Unsupported:
            members, comment = None, archive.comment
        return cls(data, members, comment, archive)

    def __contains__(self, name: str) -> bool:
        return name in self.names

    def read(self, name: str) -> bytes:
        """A member's uncompressed content, inflated once (the 63 MB Orders sheet of 100k lines: ~0.1 s).

        Kept while the package lives; the editor holds the parts it reads for that long anyway.
        """
        content = self._contents.get(name)
        if content is None:
            content = self._contents[name] = self._inflate_in_blocks(name) or self._inflate(name)
        return content

    def _inflate_in_blocks(self, name: str) -> bytes | None:
        """A large deflated member's content, noting where its blocks start (None: not that way)."""
        m = self._member(name)
        if m is None or m.method != zipfile.ZIP_DEFLATED or m.size < _SPLICE_FROM:
            return None
        try:
            inflated = inflate_blocks(self._data[m.data_offset : m.data_offset + m.compressed_size], m.size)
        except InflateError as e:
            raise PackageError(f"member {name} is damaged ({e})") from None
        if inflated is None:
            return None
        content, boundaries = inflated
        if zlib.crc32(content) != m.crc:
            raise PackageError(f"member {name} is damaged (its CRC-32 does not match)")
        self._blocks[name] = boundaries
        return content

    def _member(self, name: str) -> _Member | None:
        return next((m for m in self._members or () if m.name == name), None)

    def _inflate(self, name: str) -> bytes:
        try:
            return self._zip.read(name)
        except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError, OSError, zlib.error) as e:
            raise PackageError(f"member {name} is damaged ({e})") from None
        except RuntimeError as e:  # encrypted member
            raise PackageError(f"member {name} cannot be read ({e})") from None

    def rebuild(
        self,
        replaced: dict[str, bytes | Spliced],
        added: dict[str, bytes] | None = None,
        removed: frozenset[str] | set[str] = frozenset(),
    ) -> bytes:
        """A new archive: `replaced` members get new content, `added` are appended, `removed` dropped."""
        added = dict(added or {})
        unknown = (set(replaced) | set(removed)) - set(self.names)
        clash = set(added) & set(self.names)
        if unknown or clash:
            raise ValueError(f"rebuild: unknown members {sorted(unknown)}, existing members added {sorted(clash)}")
        if self._members is None:
            return self._rebuild_with_zipfile(replaced, added, removed)
        return self._rebuild_raw(replaced, added, removed)

    def _rebuild_raw(self, replaced: dict[str, bytes | Spliced], added: dict[str, bytes], removed) -> bytes:
        assert self._members is not None
        out = io.BytesIO()
        centrals: dict[str, bytes] = {}
        for m in sorted(self._members, key=lambda m: m.local_offset):
            if m.name in removed:
                continue
            offset = out.tell()
            if m.name in replaced:
                local, central = self._replaced_entry(m, replaced[m.name], offset)
                out.write(local)
                centrals[m.name] = central
            else:
                out.write(self._data[m.local_offset : m.local_end])
                centrals[m.name] = _with_offset(m.central, offset)
        new_centrals: list[bytes] = []
        for name, content in added.items():
            offset = out.tell()
            raw_name = name.encode("utf-8")
            flags = 0 if raw_name.isascii() else _FLAG_UTF8
            fields = _CentralFields(20, 20, flags, zipfile.ZIP_DEFLATED, _NEW_TIME, _NEW_DATE, 0, 0, b"")
            local, central = _fresh_entry(raw_name, content, fields, offset)
            out.write(local)
            new_centrals.append(central)
        start = out.tell()
        for m in self._members:
            if m.name not in removed:
                out.write(centrals[m.name])
        for central in new_centrals:
            out.write(central)
        size = out.tell() - start
        count = len(centrals) + len(new_centrals)
        if count > 0xFFFF or out.tell() > 0xFFFFFFFF:
            return self._rebuild_with_zipfile(replaced, added, removed)
        out.write(_END_FMT.pack(_END, 0, 0, count, count, size, start, len(self._comment)))
        out.write(self._comment)
        return out.getvalue()

    def _replaced_entry(self, m: _Member, new: bytes | Spliced, offset: int) -> tuple[bytes, bytes]:
        """Local header + data, and the central record, for a member with new content."""
        fields = _central_fields(m.central)
        boundaries = self._blocks.get(m.name)
        if isinstance(new, Spliced) and boundaries is not None and fields.method == zipfile.ZIP_DEFLATED:
            compressed = self._data[m.data_offset : m.data_offset + m.compressed_size]
            payload, crc, size = splice(compressed, boundaries, self.read(m.name), new.edits, _LEVEL)
            return _entry(m.raw_name, payload, crc, size, fields, offset)
        return _fresh_entry(m.raw_name, self._content(m.name, new), fields, offset)

    def _content(self, name: str, new: bytes | Spliced) -> bytes:
        return new.apply(self.read(name)) if isinstance(new, Spliced) else new

    def _rebuild_with_zipfile(self, replaced: dict[str, bytes | Spliced], added: dict[str, bytes], removed) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", allowZip64=True) as target:
            for info in self._zip.infolist():
                if info.filename in removed:
                    continue
                new = replaced.get(info.filename)
                content = self.read(info.filename) if new is None else self._content(info.filename, new)
                copy = zipfile.ZipInfo(info.filename, info.date_time)
                copy.compress_type = info.compress_type if info.compress_type in (0, 8) else zipfile.ZIP_DEFLATED
                copy.external_attr = info.external_attr
                copy.create_system = info.create_system
                copy.comment = info.comment
                target.writestr(copy, content)
            for name, content in added.items():
                info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                target.writestr(info, content)
            target.comment = self._comment
        return out.getvalue()


class _Unsupported(Exception):
    """This archive needs the zipfile fallback."""


@dataclass(frozen=True, slots=True)
class _CentralFields:
    made_by: int
    needed: int
    flags: int
    method: int
    time: int
    date: int
    internal: int
    external: int
    comment: bytes


def _central_fields(central: bytes) -> _CentralFields:
    (_, made_by, needed, flags, method, time, date, _, _, _, n, m, k, _, internal, external, _) = _CENTRAL_FMT.unpack_from(central)
    comment = central[_CENTRAL_FMT.size + n + m : _CENTRAL_FMT.size + n + m + k]
    return _CentralFields(made_by, needed, flags, method, time, date, internal, external, comment)


def _fresh_entry(raw_name: bytes, content: bytes, f: _CentralFields, offset: int) -> tuple[bytes, bytes]:
    """Local header + data, and the central record, for a member written anew."""
    method = f.method if f.method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) else zipfile.ZIP_DEFLATED
    if method == zipfile.ZIP_DEFLATED:
        packer = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
        payload = packer.compress(content) + packer.flush()
    else:
        payload = content
    return _entry(raw_name, payload, zlib.crc32(content), len(content), f, offset)


def _entry(raw_name: bytes, payload: bytes, crc: int, size: int, f: _CentralFields, offset: int) -> tuple[bytes, bytes]:
    """Local header + data, and the central record, for content `payload` holds (deflated unless f says stored)."""
    method = f.method if f.method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) else zipfile.ZIP_DEFLATED
    flags = f.flags & ~(_FLAG_DESCRIPTOR | _FLAG_ENCRYPTED)
    needed = max(f.needed, 20) if method == zipfile.ZIP_DEFLATED else max(f.needed, 10)
    local = _LOCAL_FMT.pack(_LOCAL, needed, flags, method, f.time, f.date, crc, len(payload), size, len(raw_name), 0)
    central = _CENTRAL_FMT.pack(
        _CENTRAL, f.made_by, needed, flags, method, f.time, f.date, crc, len(payload), size,
        len(raw_name), 0, len(f.comment), 0, f.internal, f.external, offset,
    )
    return local + raw_name + payload, central + raw_name + f.comment


def _with_offset(central: bytes, offset: int) -> bytes:
    return central[:42] + struct.pack("<I", offset) + central[46:]


def _index(data: bytes) -> tuple[list[_Member], bytes]:
    """Every member's verbatim records, or `_Unsupported` for archives the raw copy cannot handle."""
    end = data.rfind(_END, max(0, len(data) - 0xFFFF - _END_FMT.size))
    if end < 0:
        raise _Unsupported
    _, disk, cd_disk, on_disk, total, size, start, comment_len = _END_FMT.unpack_from(data, end)
    if disk or cd_disk or on_disk != total or 0xFFFF in (on_disk, total) or 0xFFFFFFFF in (size, start):
        raise _Unsupported
    if end >= 20 and data[end - 20 : end - 16] == _END64_LOCATOR:
        raise _Unsupported
    if start + size > end:
        raise _Unsupported
    members: list[_Member] = []
    pos = start
    for _ in range(total):
        if data[pos : pos + 4] != _CENTRAL:
            raise _Unsupported
        fields = _CENTRAL_FMT.unpack_from(data, pos)
        flags, method, crc, csize, usize = fields[3], fields[4], fields[7], fields[8], fields[9]
        n, m, k, local_offset = fields[10], fields[11], fields[12], fields[16]
        if flags & _FLAG_ENCRYPTED or 0xFFFFFFFF in (csize, usize, local_offset):
            raise _Unsupported
        record_end = pos + _CENTRAL_FMT.size + n + m + k
        central = data[pos:record_end]
        raw_name = data[pos + _CENTRAL_FMT.size : pos + _CENTRAL_FMT.size + n]
        name = raw_name.decode("utf-8" if flags & _FLAG_UTF8 else "cp437")
        data_offset, local_end = _local_span(data, local_offset, csize, flags)
        members.append(_Member(name, raw_name, central, local_offset, local_end, data_offset, method, crc, csize, usize))
        pos = record_end
    return members, data[end + _END_FMT.size : end + _END_FMT.size + comment_len]


def _local_span(data: bytes, offset: int, csize: int, flags: int) -> tuple[int, int]:
    """Where a member's compressed data starts, and where its local record (descriptor included) ends."""
    if data[offset : offset + 4] != _LOCAL:
        raise _Unsupported
    fields = _LOCAL_FMT.unpack_from(data, offset)
    n, m = fields[9], fields[10]
    start = offset + _LOCAL_FMT.size + n + m
    end = start + csize
    if flags & _FLAG_DESCRIPTOR:
        end += 16 if data[end : end + 4] == _DESCRIPTOR else 12
    if end > len(data):
        raise _Unsupported
    return start, end
