"""Issue 18: the file guard reads a small file once and inflates and scans a small part in one
piece. Here that path is compared with the 64 KB pieces it replaces, which stay the path of a
large part and of anything unsound: the same refusals (code and message), the same far
parts, cell bounds, kept parts and repacked ZIP, on the sample workbooks, on workbooks made
hostile, on DTD markers and far cells planted at every offset around the pieces' boundaries,
and on random XML-ish parts.
"""

from __future__ import annotations

import hashlib
import io
import random
import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from cchc_xlsx.reading import file_guard as fg

ROOT = Path(__file__).resolve().parents[1]
CHUNK = fg.CHUNK
SAMPLES = sorted(p for folder in ("returns", "returns-soctrang", "plan-returns", "units")
                 for p in (ROOT / "samples" / folder).glob("*.xls*"))
SAMPLES += sorted((ROOT / "samples" / "returns").glob("*.ods"))


# --- the old path: every part in pieces, no shortcut ------------------------------------------


def _plain_far_ref(data: bytes) -> bool:
    return fg._FAR_REF.search(data) is not None


def _plain_content_types(types: str) -> tuple[str, set[str], set[str]]:
    extensions, parts = fg._xml_parts(types)
    return types.lower(), extensions, parts


@contextmanager
def pieces_only() -> Iterator[None]:
    """The guard as it was: the file read as it goes, every part in 64 KB pieces, inflated
    again where it was, far references by the one regex, no cache."""
    mp = pytest.MonkeyPatch()
    scan = fg._scan_xml
    mp.setattr(fg, "WHOLE_FILE", -1)
    mp.setattr(fg, "_inflate_whole", lambda f, info: None)
    mp.setattr(fg, "_has_far_ref", _plain_far_ref)
    mp.setattr(fg, "_content_types", _plain_content_types)
    mp.setattr(fg, "_scan_xml", lambda f, path, members, cells=None, kept=None, store=None,
               inflated=None, whole=True: scan(f, path, members, cells, kept, store, None, False))
    try:
        yield
    finally:
        mp.undo()


def outcome(path: Path) -> tuple:
    try:
        seen = fg.inspect_workbook(path, repack=True)
    except fg.UnusableFile as exc:
        return ("refused", exc.code, exc.message)
    return ("read", seen.fmt, seen.far_parts, seen.cell_bounds, seen.book_parts, seen.data)


def assert_same(path: Path) -> tuple:
    new = outcome(path)
    with pieces_only():
        old = outcome(path)
    assert new == old, path.name
    return new


# --- one part, through _scan_xml, whole and in pieces -----------------------------------------


def zip_bytes(entries: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A ZIP written byte by byte: (name, data as stored, method, crc, declared size)."""
    out, central = bytearray(), bytearray()
    for name, data, method, crc, size in entries:
        encoded = name.encode()
        offset = len(out)
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, len(data),
                           size, len(encoded), 0) + encoded + data
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc,
                               len(data), size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries),
                      len(central), len(out), 0)
    return bytes(out + central + end)


def deflate(data: bytes, level: int = 1) -> bytes:
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def scan_part(data: bytes, name: str = "xl/worksheets/sheet1.xml", *, raw: bytes | None = None,
              method: int = zipfile.ZIP_DEFLATED, crc: int | None = None,
              size: int | None = None, whole: bool = True) -> tuple:
    """``_scan_xml`` over one member holding ``data`` (or the stored bytes ``raw``, the CRC
    and declared size as given): its refusal, or its far parts, cells, kept and stored."""
    stored = raw if raw is not None else deflate(data) if method == zipfile.ZIP_DEFLATED \
        else data
    blob = zip_bytes([(name, stored, method, zlib.crc32(data) if crc is None else crc,
                       len(data) if size is None else size)])
    f = io.BytesIO(blob)
    infos = zipfile.ZipFile(f).infolist()
    cells: dict[str, int] = {}
    kept: dict[str, bytes] = {}
    store: dict[str, list[bytes]] = {}
    try:
        far = fg._scan_xml(f, "x.xlsx", infos, cells, kept, store, None, whole)
    except fg.UnusableFile as exc:
        return ("refused", exc.code, exc.message)
    return ("read", far, cells, kept, {k: b"".join(v) for k, v in store.items()})


def same_part(data: bytes, **kw) -> tuple:
    new = scan_part(data, whole=True, **kw)
    old = scan_part(data, whole=False, **kw)
    assert new == old, (len(data), kw.get("name"))
    return new


def unended(data: bytes) -> bytes:
    """A deflate stream that inflates to all of ``data`` but has no final block."""
    c = zlib.compressobj(1, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)


def code(got: tuple) -> str:
    return got[1] if got[0] == "refused" else "read"


def whole_taken(data: bytes, level: int = 1) -> bool:
    """Whether the part is small enough for the whole path (else the test proves nothing)."""
    return len(deflate(data, level)) <= CHUNK and len(data) <= fg.WHOLE_PART_MAX


def filler(n: int, seed: int = 0) -> bytes:
    """``n`` bytes of cells that compress well (a small part inflating to several pieces)."""
    rng = random.Random(seed)
    cells = []
    size = 0
    row = 1
    while size < n:
        cell = (f'<row r="{row}"><c r="A{row}" s="1"><v>{rng.randint(0, 9999)}</v></c>'
                f'<c r="B{row}" t="inlineStr"><is><t>Sheet1!A1 &#7910;</t></is></c></row>')
        cells.append(cell)
        size += len(cell)
        row = row % 9000 + 1
    return "".join(cells).encode()[:n]


HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://'
        b'schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
FOOT = b"</sheetData></worksheet>"


def sheet(n: int, seed: int = 0) -> bytes:
    return HEAD + filler(n, seed) + FOOT


def offsets(length: int, stride: int = 1009) -> list[int]:
    """Every offset within 40 bytes of a piece boundary (and of both ends), and a stride."""
    near = {at + d for at in range(0, length + 1, CHUNK) for d in range(-40, 41)}
    near |= {length + d for d in range(-40, 1)}
    near |= set(range(0, length, stride))
    return sorted(at for at in near if 0 <= at <= length)


# --- tests ------------------------------------------------------------------------------------


def test_samples_read_the_same():
    """Every sample workbook: the same format, far parts, bounds, kept parts, repacked ZIP."""
    assert len(SAMPLES) >= 10
    read = [assert_same(path) for path in SAMPLES]
    assert sum(r[0] == "read" and r[1] in ("xlsx", "xlsm") for r in read) >= 8


@pytest.mark.parametrize("marker", [b"<!DOCTYPE x>", b"<!ENTITY a 'b'>", b"<!doctype",
                                    "<!DOCTYPE".encode("utf-16-le"),
                                    "<!ENTITY".encode("utf-16-be")])
def test_dtd_at_every_offset_around_the_pieces(marker):
    base = sheet(2 * CHUNK + 5000)
    assert whole_taken(base)
    refused = 0
    for at in offsets(len(base), stride=4001):
        got = same_part(base[:at] + marker + base[at:])
        refused += got[1] == "xml_entities"
    assert refused == len(offsets(len(base), stride=4001))
    assert same_part(base)[0] == "read"  # and none without it


@pytest.mark.parametrize("ref", [b'<c r="XFD1048576"', b'<row r="10000"', b'<c r="AA1"',
                                 b'<c r="ABC12345"', b'<row r="AB9"', b'<c r="A99999"'])
def test_far_cell_at_every_offset_around_the_pieces(ref):
    base = sheet(2 * CHUNK + 3000, seed=1)
    assert same_part(base)[1] == []
    found = 0
    for at in offsets(len(base), stride=6007):
        got = same_part(base[:at] + ref + b">" + base[at:])
        found += got[1] == ["xl/worksheets/sheet1.xml"]
    assert found == len(offsets(len(base), stride=6007))


def test_near_cells_are_not_far():
    for ref in (b'<c r="Z9999"', b'<row r="9999"', b'<c r="A1"', b' ref="AA1:AB2"',
                b'<cr="AA1"', b'<c  r="AA1"', b'<c r="aa1"', b'<rows r="AA1"'):
        base = sheet(CHUNK + 100, seed=2)
        for at in offsets(len(base), stride=7919):
            assert same_part(base[:at] + ref + base[at:])[1] == []


@pytest.mark.parametrize("start", [
    b'<sheetData><row r="1"><c r="A1">', b'<sheetData><row><c r="A1">',
    b'<sheetData><row r="1"><c>', b'<x:sheetData><x:row r="1"><x:c r="A1">',
    b"<sheetData/>", b"<sheetData></sheetData>", b'<sheetData><row r="1" spans="1:3">',
])
def test_first_row_and_cell_around_the_pieces(start):
    """Where ``sheetData`` and the first row and cell fall across a piece boundary (the
    pieces join their windows with an overlap, which the whole path reproduces)."""
    pad = filler(2 * CHUNK, seed=3).replace(b"row", b"rox").replace(b"<c ", b"<d ")
    tail = filler(9000, seed=4)
    for at in offsets(CHUNK + 100, stride=1201):
        for gap in (0, 15, 8190):
            data = (b"<worksheet>" + pad[:at] + start + b" " * gap + b'<row r="2"><c r="B2">'
                    + tail + FOOT)
            assert whole_taken(data) or gap == 8190
            same_part(data)


def test_unsound_parts_are_refused_the_same():
    """Inflating past the declared size, a wrong CRC, a wrong declared size, a cut or
    broken stream, trailing bytes, a stored part with two sizes — with and without a DTD
    before or after the first piece boundary."""
    for body in (sheet(500), sheet(2 * CHUNK + 77, seed=5),
                 sheet(CHUNK, seed=6)[:100] + b"<!DOCTYPE" + sheet(CHUNK, seed=6),
                 sheet(CHUNK + 200, seed=7) + b"<!ENTITY x>" + FOOT):
        packed = deflate(body)
        crc = zlib.crc32(body)
        codes = {
            code(same_part(body, size=len(body) - 1)),  # inflates past its declared size
            code(same_part(body, size=max(len(body) - CHUNK, 0))),
            code(same_part(body, size=len(body) + 1)),
            code(same_part(body, crc=crc ^ 1)),
            code(same_part(body, raw=packed[:-5])),  # cut
            code(same_part(body, raw=packed[: len(packed) // 2])),
            code(same_part(body, raw=packed + b"\x00garbage")),  # bytes after the stream's end
            code(same_part(body, raw=b"\xff" * 40 + packed)),  # not deflate
            code(same_part(body, raw=packed[:10] + bytes(20) + packed[30:])),
            code(same_part(body, raw=b"")),
            code(same_part(body, raw=unended(body))),  # every byte, but the stream never ends
            code(same_part(body, method=zipfile.ZIP_STORED)),
            code(same_part(body, method=zipfile.ZIP_STORED, raw=body[:-1])),
            code(same_part(body, method=zipfile.ZIP_STORED, crc=crc ^ 1)),
        }
        assert codes & {"corrupt_zip", "zip_bomb"}


def test_a_bomb_is_not_inflated_past_its_declared_size():
    zeros = bytes(fg.WHOLE_PART_MAX)
    packed = deflate(zeros, 9)
    assert len(packed) <= CHUNK
    blob = zip_bytes([("xl/styles.xml", packed, zipfile.ZIP_DEFLATED, zlib.crc32(zeros), 1000)])
    f = io.BytesIO(blob)
    (info,) = zipfile.ZipFile(f).infolist()
    assert fg._inflate_whole(f, info) is None
    assert same_part(zeros, name="xl/styles.xml", size=1000)[1] == "zip_bomb"


def test_other_parts_whole_and_in_pieces():
    """Shared strings, the workbook and its rels (kept), styles: stored and kept alike."""
    strings = b"<sst>" + b"<si><t>x</t></si>" * 20000 + b"</sst>"
    for name in ("xl/sharedStrings.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                 "xl/styles.xml", "[Content_Types].xml", "xl/worksheets/_rels/a.xml.rels"):
        got = same_part(strings, name=name)
        assert got[0] == "read" and got[4] == {name: strings}
    assert same_part(strings, name="xl/workbook.xml")[3] == {"xl/workbook.xml": strings}


def test_random_parts():
    """Random parts made of the tokens the scans look for, cut anywhere."""
    tokens = [b"<", b"!", b"<!", b"DOCTYPE", b"doctype", b"ENTITY", b"\x00", b"sheetData",
              b"<sheetData>", b"</sheetData>", b"<row", b' r="', b'"', b"<c", b"<x:c", b">",
              b"A", b"AB", b"XFD", b"1", b"12345", b"9", b" ", b"<row r=\"1\">",
              b'<c r="A1">', b"<v>1</v>", b"</c>", b"</row>", b"x" * 50, b"-" * 500]
    weights = [30, 3, 1, 1, 1, 1, 2, 1, 2, 1, 10, 10, 10, 10, 1, 10, 8, 2, 1, 10, 1, 5, 10, 5,
               5, 5, 5, 5, 3, 2]
    rng = random.Random(18)
    kinds: set[str] = set()
    for trial in range(300):
        n = rng.choice([50, 500, 5000, 60000, 70000, 140000])
        parts: list[bytes] = []
        size = 0
        while size < n:
            token = rng.choices(tokens, weights)[0]
            parts.append(token)
            size += len(token)
        data = b"".join(parts)
        if rng.random() < 0.5:
            data = data.replace(b"<!", b"<#")
        name = "xl/worksheets/sheet1.xml" if trial % 3 else "xl/styles.xml"
        got = same_part(data, name=name)
        kinds.add(got[1] if got[0] == "refused" else "far" if got[1] else "near")
    assert {"xml_entities", "far", "near"} <= kinds


def test_far_ref_is_the_one_regex():
    rng = random.Random(7)
    alphabet = [b"<", b"c", b" ", b"r", b"=", b'"', b"row", b"A", b"Z", b"X", b"1", b"0", b"9",
                b"<c r=\"", b"<row r=\"", b"ref=\"", b"a"]
    found = 0
    for _ in range(20000):
        data = b"".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert fg._has_far_ref(data) == _plain_far_ref(data), data
        found += _plain_far_ref(data)
    for _ in range(20000):  # references of every shape: 0-4 letters, 0-7 digits, any end
        ref = (rng.choice([b"<c r=\"", b"<row r=\"", b"<c  r=\"", b"c r=\"", b"<x:c r=\""])
               + bytes(rng.choice(b"ABZaX") for _ in range(rng.randint(0, 4)))
               + bytes(rng.choice(b"0123456789") for _ in range(rng.randint(0, 7)))
               + rng.choice([b"", b"\"", b"A", b"9\"", b":"]))
        data = rng.choice([b"", b"<", b"r=\"", b"<c r=\"A1\">"]) + ref
        assert fg._has_far_ref(data) == _plain_far_ref(data), data
        found += _plain_far_ref(data)
    assert 3000 < found < 30000


def test_content_types_cache_parses_the_same():
    for path in filter(zipfile.is_zipfile, SAMPLES):
        with zipfile.ZipFile(path) as z:
            if "[Content_Types].xml" not in z.namelist():
                continue
            types = fg._xml_text(z.read("[Content_Types].xml"))
        lowered, extensions, parts = fg._content_types(types)
        assert (lowered, extensions, parts) == _plain_content_types(types)


def hostile_copy(src: Path, dst: Path, change) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, change(info.filename, zin.read(info)))
    return dst


def test_hostile_workbooks_refused_the_same(tmp_path):
    src = next(p for p in SAMPLES if p.suffix == ".xlsx" and outcome(p)[0] == "read")

    def dtd_in(part):
        return lambda name, data: (data.replace(b"?>", b"?><!DOCTYPE x>", 1)
                                   if name == part else data)

    def far_in(name, data):
        return (data.replace(b'<c r="A1"', b'<c r="XFD1048576"', 1)
                if name == "xl/worksheets/sheet1.xml" else data)

    made = [
        hostile_copy(src, tmp_path / "dtd-types.xlsx", dtd_in("[Content_Types].xml")),
        hostile_copy(src, tmp_path / "dtd-sheet.xlsx", dtd_in("xl/worksheets/sheet1.xml")),
        hostile_copy(src, tmp_path / "dtd-styles.xlsx", dtd_in("xl/styles.xml")),
        hostile_copy(src, tmp_path / "far.xlsx", far_in),
    ]
    blob = bytearray(src.read_bytes())  # one flipped bit in each part's data, in turn
    with zipfile.ZipFile(src) as z:
        infos = z.infolist()
    for i, info in enumerate(infos):
        bad = bytearray(blob)
        local = info.header_offset
        name_len, extra_len = struct.unpack_from("<HH", bad, local + 26)
        at = local + 30 + name_len + extra_len + info.compress_size // 2
        bad[at] ^= 0x10
        made.append(tmp_path / f"flip-{i}.xlsx")
        made[-1].write_bytes(bytes(bad))
    got = [assert_same(path) for path in made]
    assert [g[1] for g in got[:3]] == ["xml_entities"] * 3
    assert got[3][0] == "read" and got[3][2] == ("xl/worksheets/sheet1.xml",)
    assert {"corrupt_zip"} <= {g[1] for g in got[4:]}


def test_central_declared_size_too_small(tmp_path):
    """A central directory declaring each part one byte shorter than it inflates to."""
    src = next(p for p in SAMPLES if p.suffix == ".xlsx" and outcome(p)[0] == "read")
    with zipfile.ZipFile(src) as z:
        entries = [(i.filename, deflate(z.read(i)), zipfile.ZIP_DEFLATED,
                    zlib.crc32(z.read(i)), i.file_size) for i in z.infolist()]
    for k in range(len(entries)):
        changed = list(entries)
        name, raw, method, crc, size = changed[k]
        changed[k] = (name, raw, method, crc, size - 1)
        path = tmp_path / f"declared-{k}.xlsx"
        path.write_bytes(zip_bytes(changed))
        assert assert_same(path)[1] == "zip_bomb"


def test_sha256_of_the_bytes_read(tmp_path):
    for path in SAMPLES[:6]:
        try:
            seen = fg.inspect_workbook(path, repack=True)
        except fg.UnusableFile:
            continue
        assert seen.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert fg.inspect_workbook(path).sha256 is None


def _fields(info: zipfile.ZipInfo) -> tuple:
    return (info.filename, info.flag_bits, info.compress_type, info.CRC, info.compress_size,
            info.file_size, info.header_offset)


def test_plain_infolist_is_zipfiles():
    """The central directory read by hand, where taken, is zipfile's; where zipfile refuses
    or reads otherwise (damaged bytes anywhere near the end, cut files), it is not taken."""
    rng = random.Random(5)
    taken = refused = 0
    blobs = [p.read_bytes() for p in filter(zipfile.is_zipfile, SAMPLES)]
    blobs.append(zip_bytes([("tên ảnh.xml", b"x", 0, zlib.crc32(b"x"), 1)]))
    blobs.append(zip_bytes([]))
    for blob in blobs:
        variants = [blob, blob + b"\x00", blob[:-1], blob + b"comment"]
        for _ in range(150):
            bad = bytearray(blob)
            for _ in range(rng.randint(1, 3)):
                at = len(bad) - 1 - min(int(rng.expovariate(1 / 300)), len(bad) - 1)
                bad[at] = rng.randrange(256)
            variants.append(bytes(bad))
        for data in variants:
            plain = fg._plain_infolist(data)
            try:
                infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
            except Exception:  # noqa: BLE001 - any refusal: the hand reader must not take it
                assert plain is None
                refused += 1
                continue
            if plain is not None:
                taken += 1
                assert [_fields(i) for i in plain] == [_fields(i) for i in infos]
    assert taken > 100 and refused > 10


def test_zip64_locator_in_a_tiny_file(tmp_path):
    """zipfile seeks before the start of such a file: refused as from the disk."""
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0, 0, 0, 0, 0)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, 0, 1)
    for pad in (0, 10, 40, 80):
        path = tmp_path / f"z{pad}.xlsx"
        path.write_bytes(b"PK\x03\x04" + bytes(pad) + locator + end)
        assert_same(path)


def test_validate_records_the_guards_digest(tmp_path, monkeypatch):
    """``_read_one`` records the digest the guard took of the bytes it read, not reading the
    file again; a refused or unreadable file is still hashed from the disk."""
    from cchc_xlsx.checking import validate
    from cchc_xlsx.forms.specs import load_catalog
    from cchc_xlsx.reading.inbox_files import file_sha256

    validate._init_reader(load_catalog())
    good = next(p for p in sorted((ROOT / "samples" / "returns").glob("*.xlsx"))
                if outcome(p)[0] == "read")
    bad = tmp_path / "hong.xlsx"
    bad.write_bytes(good.read_bytes()[:-30])
    expected = {p: file_sha256(p) for p in (good, bad)}
    plain = validate._read_one(str(good))
    assert plain.book is not None and plain.sha256 == expected[good]

    def no_second_read(path):
        raise AssertionError("read again")

    monkeypatch.setattr(validate, "file_sha256", no_second_read)
    got = validate._read_one(str(good))
    assert (got.sha256, got.mtime) == (expected[good], good.stat().st_mtime)
    monkeypatch.setattr(validate, "file_sha256", file_sha256)
    refused = validate._read_one(str(bad))
    assert refused.book is None and refused.error is not None
    assert refused.sha256 == expected[bad]
