"""The file guard: every returned file is recognised, or refused in one Vietnamese sentence.

Hostile files are made here, at test time, never committed: zip bombs from a repeated deflate
block (1 GB of zeros in 1 MB of ZIP, built in a fraction of a second), XML with DTDs, files
renamed ``.xlsx``, and a compound file forged with the stream names of an encrypted workbook.
Where LibreOffice is installed it also makes the real thing: .ods, .xls, and password-protected
.xlsx, .xls and .ods files.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
import xlsxwriter

from cchc_xlsx.errors import UserError
from cchc_xlsx.reading.file_guard import (
    CODES,
    MAX_FILE_BYTES,
    UnusableFile,
    inspect_file,
)

from .libreoffice import soffice_convert

ROOT = Path(__file__).resolve().parents[1]
HAS_SOFFICE = shutil.which("soffice") is not None
needs_soffice = pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice not installed")

MB = 1024 * 1024
VIETNAMESE = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")


# --- building files -------------------------------------------------------------------------


def make_xlsx(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Biểu 1")
    ws.write(0, 0, "Tên đơn vị")
    ws.write(0, 1, "Tỷ lệ hồ sơ đúng hạn")
    ws.write(1, 0, "Trường Mầm non Sơn Ca")
    ws.write(1, 1, 0.98)
    wb.close()
    return path


def rewrite_zip(src: Path, dst: Path, change: dict[str, Callable[[bytes], bytes] | bytes],
                compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """Copy a ZIP, replacing members (a function of the old bytes, or new bytes) or adding."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", compression) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            new = change.get(info.filename, data)
            zout.writestr(info.filename, new(data) if callable(new) else new)
        for name, new in change.items():
            if name not in zin.namelist():
                assert not callable(new), name
                zout.writestr(name, new)
    return dst


def raw_zip(path: Path, entries: list[tuple[str, bytes, int, int, int]],
            aliases: tuple[str, ...] = ()) -> Path:
    """Write a ZIP byte by byte: (name, data as stored, method, crc, declared size) — the
    sizes are written as given, true or not. ``aliases`` are more central-directory entries
    pointing at the first entry's data (overlapping entries)."""
    out, central = bytearray(), bytearray()
    records = []
    for name, data, method, crc, size in entries:
        encoded = name.encode()
        offset = len(out)
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, len(data),
                           size, len(encoded), 0) + encoded + data
        records.append((encoded, method, crc, len(data), size, offset))
    first = records[0]
    records += [(alias.encode(), *first[1:]) for alias in aliases]
    for encoded, method, crc, csize, size, offset in records:
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc,
                               csize, size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(records), len(records), len(central),
                      len(out), 0)
    path.write_bytes(bytes(out + central + end))
    return path


def deflated_zeros(megabytes: int) -> tuple[bytes, int]:
    """A raw deflate stream of ``megabytes`` MB of zeros and its CRC, without compressing them:
    after a full flush every 1 MB block compresses to the same ~1 KB."""
    block = bytes(MB)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    stream = first + again * (megabytes - 1) + c.flush()
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(block, crc)
    return stream, crc


def deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal compound file (MS-CFB v3, 512-byte sectors): a root storage holding
    ``streams``, each stored in regular sectors (sector 0 is the FAT, 1 the directory)."""
    assert len(streams) <= 3
    sectors: list[bytes] = []
    fat = [0xFFFFFFFD, 0xFFFFFFFE]  # the FAT sector itself, the one directory sector
    placed = []
    for data in streams.values():
        if not data:
            placed.append(0xFFFFFFFE)
            continue
        count = (len(data) + 511) // 512
        start = 2 + len(sectors)
        placed.append(start)
        padded = data.ljust(count * 512, b"\x00")
        sectors += [padded[i * 512:(i + 1) * 512] for i in range(count)]
        fat += list(range(start + 1, start + count)) + [0xFFFFFFFE]
    assert len(fat) <= 128
    fat_sector = struct.pack("<128I", *(fat + [0xFFFFFFFF] * (128 - len(fat))))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = (name + "\x00").encode("utf-16-le")
        return (raw.ljust(64, b"\x00") + struct.pack("<HBB3I", len(raw), kind, 1, 0xFFFFFFFF,
                                                     right, child)
                + bytes(16 + 4 + 16) + struct.pack("<IQ", start, size))

    names = list(streams)
    directory = entry("Root Entry", 5, 1 if names else 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFE, 0)
    for i, name in enumerate(names):
        right = i + 2 if i + 1 < len(names) else 0xFFFFFFFF
        directory += entry(name, 2, 0xFFFFFFFF, right, placed[i], len(streams[name]))
    directory = directory.ljust(512, b"\x00")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
              + struct.pack("<109I", 0, *([0xFFFFFFFF] * 108)))
    assert len(header) == 512
    return header + fat_sector + directory + b"".join(sectors)


def biff_record(rtype: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", rtype, len(data)) + data


def biff_globals(encrypted: bool) -> bytes:
    """The start of a BIFF8 workbook stream: BOF, FILEPASS if encrypted, padded past 4 KB."""
    bof = biff_record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x1FF6, 1997, 0, 0))
    filepass = biff_record(0x002F, struct.pack("<HHH", 1, 1, 1) + bytes(48))
    body = b"".join(biff_record(0x00E1, b"\x00\x00") for _ in range(1100))  # INTERFACEHDR
    return bof + (filepass if encrypted else b"") + body + biff_record(0x000A)


BILLION_LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]>"
)
XXE = b'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def after_declaration(doctype: bytes) -> Callable[[bytes], bytes]:
    def change(xml: bytes) -> bytes:
        end = xml.index(b"?>") + 2
        return xml[:end] + b"\n" + doctype + xml[end:]
    return change


# --- the checks every refusal must pass -----------------------------------------------------


def assert_refused(path: Path, code: str) -> UnusableFile:
    assert code in CODES
    started = time.perf_counter()
    with pytest.raises(UnusableFile) as info:
        inspect_file(path)
    elapsed = time.perf_counter() - started
    exc = info.value
    assert isinstance(exc, UserError) and exc.exit_code == 2
    assert exc.code == code, exc.message
    assert exc.path == str(path)
    message = exc.message
    assert str(exc) == message
    assert f"«{path}»" in message
    assert "\n" not in message and "\r" not in message
    assert message.endswith(".") and "; hãy " in message, message
    rest = message.replace(str(path), "")
    assert ". " not in rest.rstrip("."), message  # one sentence
    assert VIETNAMESE & set(message.lower()), message
    assert elapsed < 2, f"{code}: {elapsed:.2f} s"
    return exc


# --- files that are read --------------------------------------------------------------------


def test_xlsx_is_read_as_xlsx(tmp_path):
    assert inspect_file(make_xlsx(tmp_path / "don-vi.xlsx")) == "xlsx"


def test_xlsx_written_by_openpyxl_is_read_as_xlsx(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "Trường Tiểu học Phú Định"
    wb.save(tmp_path / "openpyxl.xlsx")
    assert inspect_file(tmp_path / "openpyxl.xlsx") == "xlsx"


def test_xlsx_content_decides_not_the_extension(tmp_path):
    path = make_xlsx(tmp_path / "bieu-mau.xls")
    assert inspect_file(path) == "xlsx"
    assert inspect_file(str(path)) == "xlsx"


def test_xlsm_is_read_as_xlsm(tmp_path):
    src = make_xlsx(tmp_path / "src.xlsx")

    def macro_types(xml: bytes) -> bytes:
        return xml.replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        ).replace(b'<Default Extension="xml"', b'<Default Extension="bin" ContentType='
                  b'"application/vnd.ms-office.vbaProject"/><Default Extension="xml"')

    path = rewrite_zip(src, tmp_path / "co-macro.xlsm", {
        "[Content_Types].xml": macro_types,
        "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000),
    })
    assert b"macroEnabled" in zipfile.ZipFile(path).read("[Content_Types].xml")
    assert inspect_file(path) == "xlsm"


def test_vba_project_alone_makes_it_xlsm(tmp_path):
    src = make_xlsx(tmp_path / "src.xlsx")
    path = rewrite_zip(src, tmp_path / "doi-ten.xlsx", {"xl/vbaProject.bin": b"\x00" * 100})
    assert inspect_file(path) == "xlsm"


def test_svg_picture_with_a_doctype_is_not_parsed_so_not_refused(tmp_path):
    svg = (b'<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
           b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg/>')
    src = make_xlsx(tmp_path / "src.xlsx")
    path = rewrite_zip(src, tmp_path / "co-logo.xlsx", {
        "[Content_Types].xml": lambda xml: xml.replace(
            b"<Default Extension=\"xml\"",
            b'<Default Extension="svg" ContentType="image/svg+xml"/><Default Extension="xml"'),
        "xl/media/image1.svg": svg,
    })
    assert inspect_file(path) == "xlsx"


def test_big_honest_sheet_is_read_within_the_time_limit(tmp_path):
    """A 60 MB sheet (within every limit) is scanned whole, quickly, a piece at a time."""
    rng = random.Random(8)
    block = "".join(
        f'<row r="{i}"><c r="A{i}" t="s"><v>{rng.randrange(10**5)}</v></c>'
        f'<c r="B{i}"><v>{rng.random()}</v></c></row>' for i in range(1, 25_000)
    ).encode()
    src = make_xlsx(tmp_path / "src.xlsx")
    path = tmp_path / "lon.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED,
                                                      compresslevel=1) as zout:
        for info in zin.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                zout.writestr(info.filename, zin.read(info))
        big = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        big.compress_type = zipfile.ZIP_DEFLATED
        with zout.open(big, "w") as sheet:
            sheet.write(b'<?xml version="1.0"?><worksheet><sheetData>')
            for _ in range(60 * MB // len(block) + 1):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    assert zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml").file_size > 60 * MB
    started = time.perf_counter()
    assert inspect_file(path) == "xlsx"
    assert time.perf_counter() - started < 2


@pytest.fixture(scope="module")
def libreoffice(tmp_path_factory):
    """Files made by LibreOffice from an xlsx: .ods, .xls and password-protected ones."""
    if not HAS_SOFFICE:
        pytest.skip("LibreOffice not installed")
    base = tmp_path_factory.mktemp("lo")
    profile = base / "profile"
    src = make_xlsx(base / "bao-cao.xlsx")
    made = {
        "ods": soffice_convert(src, base / "ods", "ods", profile),
        "xls": soffice_convert(src, base / "xls", "xls", profile),
    }
    made["xlsx"] = soffice_convert(made["ods"], base / "xlsx", "xlsx", profile)
    # Save with a password from a Basic macro (convert-to cannot set one). OOXML and BIFF take
    # the password as EncryptionData ("Standard" encryption: LibreOffice 7.4 hangs headless on
    # the default "Agile"), ODF as Password alone.
    module = profile / "user" / "basic" / "Standard" / "Module1.xba"
    module.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1"'
        ' script:language="StarBasic">\n'
        "Function LoadHidden(src As String)\n"
        "  Dim a(0) As New com.sun.star.beans.PropertyValue\n"
        '  a(0).Name = "Hidden" : a(0).Value = True\n'
        '  LoadHidden = StarDesktop.loadComponentFromURL(ConvertToURL(src), "_blank", 0, a())\n'
        "End Function\n"
        "Sub ProtectMs(src As String, dst As String, flt As String)\n"
        "  doc = LoadHidden(src)\n"
        "  Dim e(1) As New com.sun.star.beans.NamedValue\n"
        '  e(0).Name = "OOXPassword" : e(0).Value = "matkhau"\n'
        '  e(1).Name = "CryptoType" : e(1).Value = "Standard"\n'
        "  Dim b(2) As New com.sun.star.beans.PropertyValue\n"
        '  b(0).Name = "FilterName" : b(0).Value = flt\n'
        '  b(1).Name = "EncryptionData" : b(1).Value = e()\n'
        '  b(2).Name = "Password" : b(2).Value = "matkhau"\n'
        "  doc.storeToURL(ConvertToURL(dst), b())\n"
        "  doc.close(True)\n"
        "End Sub\n"
        "Sub ProtectOdf(src As String, dst As String, flt As String)\n"
        "  doc = LoadHidden(src)\n"
        "  Dim b(1) As New com.sun.star.beans.PropertyValue\n"
        '  b(0).Name = "FilterName" : b(0).Value = flt\n'
        '  b(1).Name = "Password" : b(1).Value = "matkhau"\n'
        "  doc.storeToURL(ConvertToURL(dst), b())\n"
        "  doc.close(True)\n"
        "End Sub\n"
        "</script:module>\n",
        encoding="utf-8",
    )
    for key, name, sub, filter_name in (
        ("xlsx_password", "mat-khau.xlsx", "ProtectMs", "Calc MS Excel 2007 XML"),
        ("xls_password", "mat-khau.xls", "ProtectMs", "MS Excel 97"),
        ("ods_password", "mat-khau.ods", "ProtectOdf", "calc8"),
    ):
        dst = base / name
        proc = subprocess.Popen(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
             f'macro:///Standard.Module1.{sub}("{src}","{dst}","{filter_name}")'],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
        if dst.exists():
            made[key] = dst
    return made


@needs_soffice
def test_ods_from_libreoffice_is_read_as_ods(libreoffice):
    assert inspect_file(libreoffice["ods"]) == "ods"


@needs_soffice
def test_xlsx_saved_by_libreoffice_is_read_as_xlsx(libreoffice):
    assert inspect_file(libreoffice["xlsx"]) == "xlsx"


@needs_soffice
def test_xls_from_libreoffice_is_read_as_xls(libreoffice):
    assert inspect_file(libreoffice["xls"]) == "xls"


@needs_soffice
@pytest.mark.parametrize(("key", "code"), [
    ("xlsx_password", "encrypted"),
    ("xls_password", "old_excel_encrypted"),
    ("ods_password", "encrypted"),
])
def test_real_password_protected_files_from_libreoffice(libreoffice, key, code):
    if key not in libreoffice:
        pytest.skip(f"this LibreOffice did not save {key}")
    exc = assert_refused(libreoffice[key], code)
    assert "mật khẩu" in exc.message


# --- files that are refused, one builder per case -------------------------------------------


def build_empty(tmp: Path) -> Path:
    path = tmp / "rong.xlsx"
    path.write_bytes(b"")
    return path


def build_too_large(tmp: Path) -> Path:
    path = tmp / "qua-lon.xlsx"
    with open(path, "wb") as f:  # sparse: no disk space, no time
        f.truncate(MAX_FILE_BYTES + 1)
    return path


def build_truncated(tmp: Path) -> Path:
    data = make_xlsx(tmp / "src.xlsx").read_bytes()
    path = tmp / "tai-do-dang.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def build_bad_crc(tmp: Path) -> Path:
    src = make_xlsx(tmp / "src.xlsx")
    path = rewrite_zip(src, tmp / "hong.xlsx", {}, compression=zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    at = data.index(b"<sheetData>")
    data[at + 1:at + 6] = b"SHEET"  # same length, different bytes: the CRC no longer matches
    path.write_bytes(bytes(data))
    return path


def build_random(tmp: Path) -> Path:
    path = tmp / "ngau-nhien.xlsx"
    path.write_bytes(os.urandom(40 * MB))
    return path


def build_zip_bomb(tmp: Path) -> Path:
    """1 GB of zeros in one sheet: refused from the central directory, nothing inflated."""
    stream, crc = deflated_zeros(1024)
    return raw_zip(tmp / "bom.xlsx", [
        ("[Content_Types].xml", b"<Types/>", 0, zlib.crc32(b"<Types/>"), 8),
        ("xl/workbook.xml", b"<workbook/>", 0, zlib.crc32(b"<workbook/>"), 11),
        ("xl/worksheets/sheet1.xml", stream, 8, crc, 1024 * MB),
    ])


def build_ratio_bomb(tmp: Path) -> Path:
    """50 MB of zeros (under the 200 MB total) squeezed 1000 to 1."""
    stream, crc = deflated_zeros(50)
    return raw_zip(tmp / "ti-le.xlsx", [("xl/worksheets/sheet1.xml", stream, 8, crc, 50 * MB)])


def build_lying_size(tmp: Path) -> Path:
    """Declares 1000 bytes, inflates to 200 MB: the scan stops at the declared size."""
    stream, crc = deflated_zeros(200)
    return raw_zip(tmp / "noi-doi.xlsx", [
        ("[Content_Types].xml", b"<Types/>", 0, zlib.crc32(b"<Types/>"), 8),
        ("xl/workbook.xml", b"<workbook/>", 0, zlib.crc32(b"<workbook/>"), 11),
        ("xl/worksheets/sheet1.xml", stream, 8, crc, 1000),
    ])


def build_overlapping(tmp: Path) -> Path:
    """A 'quoted overlap' bomb: many directory entries share one compressed body."""
    stream, crc = deflated_zeros(1)
    return raw_zip(tmp / "chong-lan.xlsx", [("xl/worksheets/sheet1.xml", stream, 8, crc, MB)],
                   aliases=tuple(f"xl/worksheets/sheet{i}.xml" for i in range(2, 31)))


def build_many_entries(tmp: Path) -> Path:
    path = tmp / "nhieu-muc.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for i in range(10_001):
            z.writestr(f"x/{i}", b"")
    return path


def build_billion_laughs(tmp: Path) -> Path:
    src = make_xlsx(tmp / "src.xlsx")
    return rewrite_zip(src, tmp / "tiep-cuoi.xlsx",
                       {"xl/worksheets/sheet1.xml": after_declaration(BILLION_LAUGHS)})


def build_external_entity(tmp: Path) -> Path:
    src = make_xlsx(tmp / "src.xlsx")
    return rewrite_zip(src, tmp / "xxe.xlsx", {"xl/sharedStrings.xml": after_declaration(XXE)})


def build_utf16_doctype(tmp: Path) -> Path:
    xml = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w [<!ENTITY x SYSTEM '
           '"file:///etc/shadow">]><workbook/>').encode("utf-16")
    src = make_xlsx(tmp / "src.xlsx")
    return rewrite_zip(src, tmp / "utf16.xlsx", {"xl/workbook.xml": xml})


def build_doctype_across_pieces(tmp: Path) -> Path:
    """The DTD straddles the 64 KB boundary between two pieces the scan reads."""
    lead = b'<?xml version="1.0"?><!--'
    pad = b"x" * (64 * 1024 - 4 - len(lead) - 3) + b"-->"
    xml = lead + pad + b"<!DOCTYPE a [<!ENTITY b 'c'>]><worksheet/>"
    assert xml.index(b"<!DOCTYPE") == 64 * 1024 - 4
    src = make_xlsx(tmp / "src.xlsx")
    return rewrite_zip(src, tmp / "ranh-gioi.xlsx", {"xl/worksheets/sheet1.xml": xml},
                       compression=zipfile.ZIP_STORED)


def build_ods_with_dtd(tmp: Path) -> Path:
    path = tmp / "libre.ods"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", b'<?xml version="1.0"?>' + BILLION_LAUGHS + b"<office/>")
        z.writestr("META-INF/manifest.xml", b"<manifest/>")
    return path


def build_csv(tmp: Path) -> Path:
    path = tmp / "danh-sach.xlsx"
    path.write_text("Mã đơn vị;Tên đơn vị;Tỷ lệ\nMN-SC;Trường Mầm non Sơn Ca;98\n"
                    "MN-HM;Trường Mầm non Họa Mi;97\n", encoding="utf-8")
    return path


def build_csv_utf16(tmp: Path) -> Path:
    path = tmp / "xuat-tu-excel.xlsx"
    path.write_text("Mã\tTên\r\nMN-SC\tSơn Ca\r\n", encoding="utf-16")
    return path


def build_csv_cp1258(tmp: Path) -> Path:
    path = tmp / "cu.xls"
    path.write_bytes("Ma,Ten\nMN-SC,Truong Mam non Son Ca\n".encode("cp1258") + b"\xe0,\xe1\n")
    return path


def build_html(tmp: Path) -> Path:
    path = tmp / "xuat-tu-phan-mem.xls"
    path.write_text('<html xmlns:x="urn:schemas-microsoft-com:office:excel"><body><table>'
                    "<tr><td>Tên</td></tr></table></body></html>", encoding="utf-8")
    return path


def build_docx(tmp: Path) -> Path:
    path = tmp / "cong-van.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                   '2006/content-types"><Override PartName="/word/document.xml" ContentType="'
                   'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main'
                   '+xml"/></Types>')
        z.writestr("_rels/.rels", "<Relationships/>")
        z.writestr("word/document.xml", "<w:document/>")
    return path


def build_xlsb(tmp: Path) -> Path:
    path = tmp / "nhi-phan.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.bin", b"\x83\x01\x00")
    return path


def build_zipped_xlsx(tmp: Path) -> Path:
    src = make_xlsx(tmp / "bao-cao.xlsx")
    path = tmp / "nen.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(src, "bao-cao.xlsx")
    return path


def build_png(tmp: Path) -> Path:
    path = tmp / "chup-man-hinh.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + os.urandom(200))
    return path


def build_jpeg(tmp: Path) -> Path:
    path = tmp / "anh.xlsx"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + os.urandom(200))
    return path


def build_heic(tmp: Path) -> Path:
    path = tmp / "iphone.xlsx"
    path.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + os.urandom(200))
    return path


def build_pdf(tmp: Path) -> Path:
    path = tmp / "ban-in.xlsx"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    return path


def build_password_xlsx(tmp: Path) -> Path:
    """What Excel writes for a password-protected .xlsx: a compound file, not a ZIP."""
    path = tmp / "mat-khau.xlsx"
    path.write_bytes(cfb({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00" + bytes(600),
                          "EncryptedPackage": os.urandom(5000)}))
    return path


def build_password_xls(tmp: Path) -> Path:
    path = tmp / "mat-khau.xls"
    path.write_bytes(cfb({"Workbook": biff_globals(encrypted=True)}))
    return path


def build_doc(tmp: Path) -> Path:
    path = tmp / "cong-van.xls"
    path.write_bytes(cfb({"WordDocument": bytes(5000)}))
    return path


# case: (builder, code, a fragment the message must contain)
CASES: dict[str, tuple[Callable[[Path], Path], str, str]] = {
    "empty": (build_empty, "empty", "rỗng (0 byte)"),
    "too_large": (build_too_large, "too_large", "giới hạn 50 MB"),
    "truncated_xlsx": (build_truncated, "corrupt_zip", "không thấy mục lục"),
    "bad_crc": (build_bad_crc, "corrupt_zip", "sai mã kiểm tra"),
    "random_40mb": (build_random, "unknown_format", "không phải định dạng bảng tính"),
    "zip_bomb_1gb": (build_zip_bomb, "zip_bomb", "1024 MB (giới hạn 200 MB)"),
    "zip_bomb_ratio": (build_ratio_bomb, "zip_bomb", "nén 50 MB vào 50 KB"),
    "zip_bomb_lying_size": (build_lying_size, "zip_bomb", "nhiều hơn kích thước khai báo"),
    "zip_bomb_overlap": (build_overlapping, "zip_bomb", "chồng lên nhau"),
    "zip_too_many_entries": (build_many_entries, "zip_bomb", "quá nhiều mục nén"),
    "billion_laughs": (build_billion_laughs, "xml_entities", "«xl/worksheets/sheet1.xml»"),
    "external_entity": (build_external_entity, "xml_entities", "«xl/sharedStrings.xml»"),
    "utf16_doctype": (build_utf16_doctype, "xml_entities", "«xl/workbook.xml»"),
    "doctype_across_pieces": (build_doctype_across_pieces, "xml_entities", "<!DOCTYPE>"),
    "ods_with_dtd": (build_ods_with_dtd, "xml_entities", "«content.xml»"),
    "csv_renamed": (build_csv, "not_spreadsheet_csv", "CSV/văn bản đổi đuôi thành .xlsx"),
    "csv_utf16_renamed": (build_csv_utf16, "not_spreadsheet_csv", "CSV"),
    "csv_cp1258_renamed": (build_csv_cp1258, "not_spreadsheet_csv", "đổi đuôi thành .xls,"),
    "html_renamed": (build_html, "not_spreadsheet_html", "trang web (HTML)"),
    "docx_renamed": (build_docx, "not_spreadsheet_docx", "tệp Word (.docx)"),
    "xlsb": (build_xlsb, "xlsb", "(.xlsb)"),
    "zipped_xlsx": (build_zipped_xlsx, "archive", "chứa «bao-cao.xlsx»"),
    "png_renamed": (build_png, "not_spreadsheet_image", "ảnh (PNG)"),
    "jpeg_renamed": (build_jpeg, "not_spreadsheet_image", "ảnh (JPEG)"),
    "heic_renamed": (build_heic, "not_spreadsheet_image", "ảnh (HEIC)"),
    "pdf_renamed": (build_pdf, "not_spreadsheet_pdf", "tệp PDF"),
    "password_xlsx_forged": (build_password_xlsx, "encrypted", "Mã hóa bằng mật khẩu"),
    "password_xls_forged": (build_password_xls, "old_excel_encrypted", "(.xls) có đặt mật khẩu"),
    "word_doc_renamed": (build_doc, "not_spreadsheet_doc", "tệp Word (.doc)"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_refused_in_one_vietnamese_sentence_within_two_seconds(tmp_path, case):
    build, code, fragment = CASES[case]
    assert fragment in assert_refused(build(tmp_path), code).message


def test_renamed_files_are_named_for_what_they_are(tmp_path):
    assert "CSV" in assert_refused(build_csv(tmp_path), "not_spreadsheet_csv").message
    csv = assert_refused(build_csv(tmp_path), "not_spreadsheet_csv").message
    assert "đổi đuôi thành .xlsx" in csv and "Sổ làm việc Excel (.xlsx)" in csv
    assert "tệp Word" in assert_refused(build_docx(tmp_path), "not_spreadsheet_docx").message
    assert "ảnh (PNG)" in assert_refused(build_png(tmp_path), "not_spreadsheet_image").message
    assert "PDF" in assert_refused(build_pdf(tmp_path), "not_spreadsheet_pdf").message


def test_unencrypted_forged_xls_is_read_as_xls(tmp_path):
    path = tmp_path / "cu.xls"
    path.write_bytes(cfb({"Workbook": biff_globals(encrypted=False)}))
    assert inspect_file(path) == "xls"


def test_readers_raise_it_with_message_and_code():
    exc = UnusableFile("Không đọc được tệp «a.xlsx»; hãy lưu lại.", "corrupt")
    assert (exc.message, exc.code, exc.path, exc.exit_code) == (
        "Không đọc được tệp «a.xlsx»; hãy lưu lại.", "corrupt", None, 2)


def test_missing_file(tmp_path):
    path = tmp_path / "khong-co.xlsx"
    with pytest.raises(UnusableFile) as info:
        inspect_file(path)
    assert info.value.code == "missing" and str(path) in info.value.message


# --- cheap: no heavy imports, little memory -------------------------------------------------


def test_guard_imports_no_spreadsheet_or_dataframe_library():
    code = ("import sys, cchc_xlsx.reading.file_guard; "
            "print([m for m in ('pandas', 'pandera', 'openpyxl', 'python_calamine', 'numpy') "
            "if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    assert out.strip() == "[]"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_hostile_files_stay_well_under_300_mb(tmp_path):
    """Peak memory (VmHWM: ru_maxrss would count the parent's pages after a vfork) of a fresh
    process that inspects the heaviest hostile files."""
    paths = []
    for name in ("random_40mb", "zip_bomb_1gb", "zip_bomb_lying_size", "zip_bomb_ratio",
                 "zip_too_many_entries", "zip_bomb_overlap"):
        (tmp_path / name).mkdir()
        build = CASES[name][0]
        paths.append(str(build(tmp_path / name)))
    code = (
        "import json, sys\n"
        "from cchc_xlsx.reading.file_guard import UnusableFile, inspect_file\n"
        "codes = []\n"
        "for p in json.loads(sys.argv[1]):\n"
        "    try:\n"
        "        codes.append(inspect_file(p))\n"
        "    except UnusableFile as exc:\n"
        "        codes.append(exc.code)\n"
        "status = open('/proc/self/status').read()\n"
        "peak = int(status.split('VmHWM:')[1].split()[0])\n"
        "print(json.dumps([codes, peak]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, json.dumps(paths)], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    codes, peak_kb = json.loads(out)
    assert set(codes) <= {"unknown_format", "zip_bomb"}, codes
    assert peak_kb < 100 * 1024, f"peak {peak_kb // 1024} MB"  # the interpreter alone: ~10 MB
