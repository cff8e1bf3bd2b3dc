"""Look at a returned file before any spreadsheet library does, and refuse what is unusable.

Schools return their workbooks by e-mail, and not everything that arrives is a workbook: a
password-protected file, a half-downloaded one, a CSV, a Word document or a photo renamed
``.xlsx``, now and then something hostile (a zip bomb, XML with a DTD). ``inspect_file``
decides, from the bytes and never from the extension alone, which reader the file needs
("xlsx", "xlsm", "ods" or "xls") or raises ``UnusableFile``: one Vietnamese sentence that
names the file and says what to do, exit code 2, so a batch reports it and goes on.

The guard uses the standard library only (no pandas, openpyxl or calamine: they are slow to
import and are exactly what must not see a hostile file) and is cheap for any input:

* it recognises the format from the first 64 KB (a file up to ``WHOLE_FILE`` is read in one
  read, then worked on in memory);
* a ZIP's sizes (entry count, declared uncompressed sizes, compression ratios, overlapping
  entries) are checked from its central directory before anything is inflated;
* the XML parts a reader parses are then inflated (a small one in one call, a large one in
  64 KB pieces), never past their declared size (a part that inflates to more than it
  declares is refused) and never more than ``MAX_TOTAL_UNCOMPRESSED`` in all, looking for
  ``<!DOCTYPE``/``<!ENTITY``: entity expansion ("billion laughs") and external entities
  (XXE) both need a DTD, and Excel and LibreOffice never write one;
* an OLE2 (compound file) is read through its directory only: an encrypted Office file
  (``EncryptionInfo``/``EncryptedPackage``), an ``.xls`` workbook (and its ``FILEPASS``
  record, which marks an encrypted one) or a Word document.

Macro-enabled workbooks (``.xlsm``) are accepted: readers only read cell values, and no macro
is ever run.

Codes (``UnusableFile.code``): missing, not_a_file, unreadable, empty, too_large,
corrupt_zip, unsupported_zip, zip_bomb, encrypted, old_excel_encrypted, old_excel,
xml_entities, xlsb, not_spreadsheet_csv, not_spreadsheet_text, not_spreadsheet_html,
xml_spreadsheet_2003, flat_ods, not_spreadsheet_docx, not_spreadsheet_doc,
not_spreadsheet_odt, not_spreadsheet_presentation, not_spreadsheet_image,
not_spreadsheet_pdf, not_spreadsheet_email, not_spreadsheet_zip, archive, unknown_format.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import io
import os
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import BinaryIO, NamedTuple, NoReturn

from cchc_xlsx.errors import UserError

__all__ = [
    "CODES",
    "MAX_CENTRAL_DIRECTORY",
    "MAX_ENTRIES",
    "MAX_FILE_BYTES",
    "MAX_MEMBER_RATIO",
    "MAX_TOTAL_UNCOMPRESSED",
    "RATIO_CHECK_ABOVE",
    "Inspection",
    "MAX_SHARED_STRINGS",
    "MAX_SHEETS",
    "UnusableFile",
    "inspect_file",
    "extract_member",
    "inspect_workbook",
    "zip_members",
]

MB = 1024 * 1024
MAX_FILE_BYTES = 50 * MB  # on disk: a CCHC form is a few hundred KB
MAX_TOTAL_UNCOMPRESSED = 200 * MB  # sum of the declared sizes of every ZIP entry
MAX_MEMBER_RATIO = 200  # uncompressed / compressed, for an entry over RATIO_CHECK_ABOVE
RATIO_CHECK_ABOVE = 10 * MB
MAX_ENTRIES = 10_000
MAX_CENTRAL_DIRECTORY = 4 * MB  # 10,000 entries with names of ~350 characters
CHUNK = 64 * 1024
HEAD = 64 * 1024  # bytes read to recognise a format
WHOLE_FILE = 4 * MB  # a file up to this size is read into memory in one read
SMALL_PART = 1 * MB  # how much of [Content_Types].xml, mimetype or a manifest is read
MAX_SHEETS = 250  # a CCHC workbook has a handful; Excel users rarely pass a few dozen
MAX_SHARED_STRINGS = 2_000_000  # distinct texts; a consolidation of 10,000 returns has ~150,000

CODES = frozenset({
    "missing", "not_a_file", "unreadable", "empty", "too_large", "corrupt_zip",
    "unsupported_zip", "zip_bomb", "encrypted", "old_excel_encrypted", "old_excel",
    "xml_entities", "xlsb", "not_spreadsheet_csv", "not_spreadsheet_text",
    "not_spreadsheet_html", "xml_spreadsheet_2003", "flat_ods", "not_spreadsheet_docx",
    "not_spreadsheet_doc", "not_spreadsheet_odt", "not_spreadsheet_presentation",
    "not_spreadsheet_image", "not_spreadsheet_pdf", "not_spreadsheet_email",
    "not_spreadsheet_zip", "archive", "unknown_format", "too_many_sheets",
})

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".xltx", ".xltm")

# What to do, the second half of most sentences.
SAVE_AS_XLSX = "mở bằng Excel (hoặc LibreOffice), lưu dạng Sổ làm việc Excel (.xlsx) rồi gửi lại"
SEND_ORIGINAL = "gửi lại tệp Excel gốc của biểu mẫu (.xlsx)"
ASK_AGAIN = "bỏ qua tệp này và đề nghị đơn vị gửi lại tệp Excel được lưu trực tiếp từ Excel"
REMOVE_PASSWORD_EXCEL = (
    "mở bằng Excel, bỏ mật khẩu (Tệp > Thông tin > Bảo vệ sổ làm việc > Mã hóa bằng mật khẩu,"
    " xóa mật khẩu) rồi lưu và gửi lại"
)


class UnusableFile(UserError):
    """A returned file no reader should open; ``code`` says why, ``message`` what to do.

    ``UnusableFile(message, code)``, as readers raise it too (e.g. "corrupt" when calamine
    fails on a file the guard let through); ``path`` is set when the guard raises it.
    """

    def __init__(self, message: str, code: str = "unknown_format", path: str | None = None
                 ) -> None:
        super().__init__(message)
        self.code = code
        self.path = path


class Inspection(NamedTuple):
    """What the guard learnt: the reader to use and, for OOXML, the worksheet parts whose
    cells may lie far apart (a far row, a wide column, cells without a reference): only
    those need a precise look (``reading.bounds``) before a reader allocates their grid."""

    fmt: str
    far_parts: tuple[str, ...] = ()
    #: OOXML: per worksheet part, how many ``<`` it holds, counted in the guard's one
    #: inflate: a bound on its value cells (each ``<v>``/``<is>`` starts with one), so the
    #: return-size bound (``reading.bounds``) inflates and counts a part again only when
    #: this bound exceeds what the form allows
    cell_bounds: dict[str, int] | None = None
    #: OOXML: ``xl/workbook.xml`` and its rels as inflated here (sheet names of the parts)
    book_parts: dict[str, bytes] | None = None
    #: ``inspect_workbook(…, repack=True)``: the workbook as an in-memory ZIP whose XML parts
    #: are stored as this guard inflated and checked them (so the reader does not inflate
    #: them again, and reads exactly what was checked); None when not asked, not OOXML, or
    #: larger than ``REPACK_MAX``
    data: bytes | None = None
    #: ``repack=True`` on a file small enough to be read whole: the SHA-256 of the bytes
    #: inspected, so a caller that records it (``validate``) need not read the file again
    sha256: str | None = None


def inspect_file(path: str | os.PathLike[str]) -> str:
    """Return how to read ``path`` ("xlsx", "xlsm", "ods" or "xls") or raise UnusableFile."""
    return inspect_workbook(path).fmt


def inspect_workbook(path: str | os.PathLike[str], repack: bool = False) -> Inspection:
    """``inspect_file``, also naming the worksheet parts that need their extent checked;
    ``repack``: also hand back the checked parts as ``Inspection.data``."""
    name = os.fspath(path)
    try:
        st = os.stat(name)
    except FileNotFoundError:
        raise _refuse("missing", name, None, None) from None
    except OSError as exc:
        raise _refuse("unreadable", name, exc.strerror or str(exc), None) from None
    if not stat.S_ISREG(st.st_mode):  # os.path.isfile, without a second stat
        raise _refuse("not_a_file", name, None, None)
    size = st.st_size
    if size == 0:
        raise _refuse("empty", name, "rỗng (0 byte)", "gửi lại tệp Excel đã điền")
    if size > MAX_FILE_BYTES:
        raise _refuse(
            "too_large", name,
            f"quá lớn ({-(-size // MB)} MB, giới hạn {MAX_FILE_BYTES // MB} MB) so với một biểu mẫu"
            " CCHC", "xóa ảnh và trang tính thừa, lưu lại dạng .xlsx rồi gửi lại",
        )
    try:
        with open(name, "rb") as f:
            if size <= WHOLE_FILE:
                # a returned form is tens of KB: one read, then zipfile and the inflating
                # seek and read in memory instead of making a system call each. Not with a
                # ZIP64 locator: for one, zipfile may seek before the start of a crafted
                # file, which a file refuses (so zipfile finds no ZIP) and memory would not
                whole = f.read()
                if EOCD64_LOCATOR not in whole:
                    seen = _inspect(io.BytesIO(whole), name, size, whole[:HEAD], repack, whole)
                    if repack:
                        seen = seen._replace(sha256=hashlib.sha256(whole).hexdigest())
                    return seen
                f.seek(0)
            head = f.read(HEAD)
            return _inspect(f, name, size, head, repack)
    except UnusableFile:
        raise
    except OSError as exc:
        raise _refuse("unreadable", name, exc.strerror or str(exc), None) from None


# --- messages -------------------------------------------------------------------------------


def _show(text: str, limit: int = 200) -> str:
    """Text from a file name or an archive, safe on one line."""
    text = "".join("?" if ord(ch) < 32 or ord(ch) == 0x7F else ch for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _refuse(code: str, path: str, what: str | None, todo: str | None) -> UnusableFile:
    """``Tệp «path» <what>; hãy <todo>.`` — one sentence, one line."""
    shown = _show(path, limit=10_000)
    if code == "missing":
        message = f"Không tìm thấy tệp «{shown}»; hãy kiểm tra lại tên và thư mục của tệp."
    elif code == "not_a_file":
        message = f"«{shown}» là một thư mục, không phải tệp; hãy chỉ ra tệp Excel cần đọc."
    elif code == "unreadable":
        message = (f"Không đọc được tệp «{shown}» ({_show(what or '')}); hãy kiểm tra quyền"
                   " đọc tệp hoặc chép tệp ra thư mục khác rồi thử lại.")
    else:
        message = f"Tệp «{shown}» {what}; hãy {todo}."
    return UnusableFile(message, code, path)


def _renamed(path: str) -> str:
    """" đổi đuôi thành .xlsx" when the name claims a spreadsheet, else ""."""
    suffix = os.path.splitext(path)[1].lower()
    return f" đổi đuôi thành {suffix}" if suffix in SPREADSHEET_SUFFIXES else ""


def _corrupt(path: str, detail: str = "") -> UnusableFile:
    extra = f" ({detail})" if detail else ""
    return _refuse(
        "corrupt_zip", path, f"bị hỏng hoặc chưa tải về trọn vẹn nên không đọc được{extra}",
        "tải lại tệp từ thư, hoặc mở bằng Excel, lưu lại dạng .xlsx rồi gửi lại",
    )


def _bomb(path: str, detail: str) -> UnusableFile:
    return _refuse(
        "zip_bomb", path,
        f"{detail}, không thể là một biểu mẫu CCHC và có thể là tệp độc hại («bom nén»)",
        ASK_AGAIN,
    )


# --- dispatch on the first bytes ------------------------------------------------------------

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs",
               b"mif1", b"msf1", b"avif", b"avis"}


def _inspect(f: BinaryIO, path: str, size: int, head: bytes, repack: bool = False,
             whole: bytes | None = None) -> Inspection:
    if head.startswith(ZIP_MAGICS):
        return _inspect_zip(f, path, size, repack, whole)
    if head.startswith(OLE_MAGIC):
        return Inspection(_inspect_ole(f, path, size, head))
    image = _image_kind(head, size)
    if image:
        raise _refuse(
            "not_spreadsheet_image", path,
            f"là ảnh ({image}){_renamed(path)}, không phải bảng tính",
            f"{SEND_ORIGINAL} thay vì ảnh chụp",
        )
    if b"%PDF-" in head[:1024]:
        raise _refuse("not_spreadsheet_pdf", path,
                      f"là tệp PDF{_renamed(path)}, không phải bảng tính",
                      f"{SEND_ORIGINAL} thay vì bản PDF")
    archive = _archive_kind(head)
    if archive:
        raise _refuse("archive", path, f"là tệp nén {archive}{_renamed(path)}",
                      "giải nén rồi gửi riêng tệp Excel (.xlsx) bên trong")
    if head.startswith(b"{\\rtf"):
        raise _refuse("not_spreadsheet_doc", path,
                      f"là văn bản RTF (Word){_renamed(path)}, không phải bảng tính",
                      SEND_ORIGINAL)
    if _is_old_biff(head):
        raise _refuse("old_excel", path,
                      "là tệp Excel đời rất cũ (Excel 2.x–4.x) nên không đọc được", SAVE_AS_XLSX)
    text = _decode_text(head, complete=size <= len(head))
    if text is not None:
        _refuse_text(path, text, complete=size <= len(head))
    raise _refuse(
        "unknown_format", path,
        "không phải định dạng bảng tính đọc được (.xlsx, .xlsm, .xls, .ods)", SAVE_AS_XLSX,
    )


def _image_kind(head: bytes, size: int) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "TIFF"
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return "HEIC" if head[8:12].startswith(b"he") else "HEIF/AVIF"
    if head.startswith(b"BM") and len(head) >= 26:
        declared, reserved, _offset, dib = struct.unpack_from("<IIII", head, 2)
        if reserved == 0 and (declared == size or dib in (12, 40, 52, 56, 64, 108, 124)):
            return "BMP"
    return None


def _archive_kind(head: bytes) -> str | None:
    if head.startswith(b"Rar!\x1a\x07"):
        return "RAR"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "7z"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    return None


def _is_old_biff(head: bytes) -> bool:
    """A bare BIFF2–4 worksheet (no OLE2 container): a BOF record at offset 0."""
    if len(head) < 8:
        return False
    rtype, rlen, version = struct.unpack_from("<HHH", head, 0)
    return (rtype, rlen) in ((0x0009, 4), (0x0209, 6), (0x0409, 6)) and version in (
        0x0000, 0x0002, 0x0003, 0x0004, 0x0007, 0x0200, 0x0300, 0x0400)


# --- text: CSV, HTML, XML -------------------------------------------------------------------


def _decode_text(head: bytes, complete: bool) -> str | None:
    """The sample as text (UTF-8, UTF-16 or cp1258), or None when it is binary."""
    if head.startswith(codecs.BOM_UTF8):
        encodings, data = ["utf-8"], head[3:]
    elif head.startswith(codecs.BOM_UTF16_LE):
        encodings, data = ["utf-16-le"], head[2:]
    elif head.startswith(codecs.BOM_UTF16_BE):
        encodings, data = ["utf-16-be"], head[2:]
    elif b"\x00" in head:
        sample = head[:4096]
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
            encodings, data = ["utf-16-le"], head
        elif even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
            encodings, data = ["utf-16-be"], head
        else:
            return None
    else:
        encodings, data = ["utf-8", "cp1258"], head
    for encoding in encodings:
        try:
            text = codecs.getincrementaldecoder(encoding)("strict").decode(data, final=complete)
        except UnicodeDecodeError:
            continue
        bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\n\r\f") or ch == "\x7f")
        return text if text.strip() and bad <= len(text) // 200 else None
    return None


def _refuse_text(path: str, text: str, complete: bool) -> NoReturn:
    start = text.lstrip("\ufeff \t\r\n").lower()
    top = start[:8192]
    if top.startswith("<"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in top and "<html" not in top:
            raise _refuse("xml_spreadsheet_2003", path,
                          f"là bảng tính XML 2003 (SpreadsheetML){_renamed(path)}, chưa đọc được",
                          SAVE_AS_XLSX)
        if "urn:oasis:names:tc:opendocument:xmlns:office" in top:
            raise _refuse("flat_ods", path,
                          f"là bảng tính OpenDocument dạng XML phẳng (.fods){_renamed(path)}, chưa"
                          " đọc được", "mở bằng LibreOffice, lưu dạng .ods hoặc .xlsx rồi gửi lại")
        if any(tag in top for tag in ("<html", "<!doctype html", "<table", "<body", "<head")):
            raise _refuse("not_spreadsheet_html", path,
                          f"là trang web (HTML){_renamed(path)}, không phải bảng tính Excel thật",
                          SAVE_AS_XLSX)
        if "<svg" in top:
            raise _refuse("not_spreadsheet_image", path,
                          f"là ảnh (SVG){_renamed(path)}, không phải bảng tính",
                          f"{SEND_ORIGINAL} thay vì ảnh")
        raise _refuse("not_spreadsheet_text", path,
                      f"là tệp XML{_renamed(path)}, không phải bảng tính Excel", SAVE_AS_XLSX)
    lines = text.splitlines()[:200]
    if not complete and len(lines) > 1:
        lines = lines[:-1]  # the last line of the sample may be cut
    filled = [ln for ln in lines if ln.strip()]
    delimited = [ln for ln in filled if any(d in ln for d in ",;\t|")]
    if filled and 2 * len(delimited) >= len(filled):
        raise _refuse("not_spreadsheet_csv", path,
                      f"là tệp CSV/văn bản{_renamed(path)}, không phải bảng tính Excel",
                      "mở bằng Excel và lưu dạng Sổ làm việc Excel (.xlsx) rồi gửi lại")
    raise _refuse("not_spreadsheet_text", path,
                  f"là tệp văn bản{_renamed(path)}, không phải bảng tính Excel", SEND_ORIGINAL)


# --- ZIP: xlsx, xlsm, ods and everything else that is a ZIP ---------------------------------

EOCD = b"PK\x05\x06"
EOCD64_LOCATOR = b"PK\x06\x07"
EOCD64 = b"PK\x06\x06"

# <!DOCTYPE / <!ENTITY, lower case, in one-byte encodings and in UTF-16 (both byte orders).
_DTD_WORDS = (b"<!doctype", b"<!entity")
_DTD_NEEDLES = tuple(
    variant
    for word in _DTD_WORDS
    for variant in (word, bytes(b for c in word for b in (c, 0)),
                    bytes(b for c in word for b in (0, c)))
)
_DTD_OVERLAP = 2 * max(len(w) for w in _DTD_WORDS) + 2


def _has_dtd(window: bytes) -> bool:
    at = window.find(b"!")  # one byte: memchr, far faster than a two-byte search
    seen = 0
    while at >= 0 and seen < 64:  # a few "!" (formulas' Sheet!A1): look at each one
        before = window[max(at - 2, 0):at]
        if before.endswith(b"<") or before == b"<\x00":
            break  # "<!" (or UTF-16 "<\0!"): the full test below decides
        at = window.find(b"!", at + 1)
        seen += 1
    if at < 0:
        return False
    if b"<!" not in window and b"<\x00!" not in window:
        return False
    lowered = window.lower()  # ASCII letters only, so UTF-16 code units fold too
    return any(needle in lowered for needle in _DTD_NEEDLES)


def _central_directory(f: BinaryIO, path: str, size: int) -> tuple[int, int]:
    """(entries, central directory size) from the end record, found as zipfile finds it."""
    window = min(size, 65536 + 22)
    read = min(size, window + 20 + 56)
    f.seek(size - read)
    data = f.read(read)
    if len(data) >= 22 and data[-22:-18] == EOCD and data[-2:] == b"\x00\x00":
        start = len(data) - 22
    else:
        start = data.rfind(EOCD, len(data) - window)
    if start < 0 or start + 22 > len(data):
        raise _corrupt(path, "không thấy mục lục của tệp nén")
    entries, cd_size = struct.unpack_from("<HI", data, start + 10)
    locator = start - 20
    if locator >= 0 and data[locator:locator + 4] == EOCD64_LOCATOR:
        record = locator - 56
        if record >= 0 and data[record:record + 4] == EOCD64:
            entries, cd_size = struct.unpack_from("<QQ", data, record + 32)
    return entries, cd_size


def _inspect_zip(f: BinaryIO, path: str, size: int, repack: bool = False,
                 whole: bytes | None = None) -> Inspection:
    """``whole``: the file's bytes, when ``f`` reads them from memory."""
    entries, cd_size = _central_directory(f, path, size)
    if entries > MAX_ENTRIES or cd_size > MAX_CENTRAL_DIRECTORY:
        raise _bomb(path, f"chứa quá nhiều mục nén (giới hạn {MAX_ENTRIES:,})".replace(",", "."))
    try:
        plain = _plain_infolist(whole) if whole is not None else None
        infos = plain if plain is not None else zipfile.ZipFile(f).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, struct.error):
        raise _corrupt(path) from None
    except NotImplementedError:
        raise _refuse("unsupported_zip", path, "được nén theo cách không hỗ trợ",
                      SAVE_AS_XLSX) from None
    _check_sizes(path, size, infos)
    if any(info.flag_bits & 0x1 for info in infos):
        raise _refuse("encrypted", path, "có đặt mật khẩu", REMOVE_PASSWORD_EXCEL)
    by_name = {info.filename.lower(): info for info in infos}

    inflated: dict[str, bytes] = {}  # parts read whole here, checked to their end

    def small(name: str) -> str:
        info = by_name[name]
        data = _inflate_whole(f, info) if info.file_size < SMALL_PART else None
        if data is None:
            data = b"".join(_inflate(f, path, info, limit=SMALL_PART))
        if info.file_size < SMALL_PART:  # read to its end: size and CRC checked
            inflated[info.filename] = data
        return _xml_text(data)

    if "mimetype" in by_name or "meta-inf/manifest.xml" in by_name:
        kind = _odf_kind(path, small("mimetype") if "mimetype" in by_name else "",
                         small("meta-inf/manifest.xml") if "meta-inf/manifest.xml" in by_name
                         else "")
        if kind:
            _scan_xml(f, path, [i for i in infos if i.filename.lower().endswith((".xml", ".rdf"))],
                      inflated=inflated)
            return Inspection(kind)
    if "[content_types].xml" in by_name:
        lowered, extensions, parts = _content_types(small("[content_types].xml"))
        kind = _ooxml_kind(path, by_name, lowered)
        sheets = [i for i in infos if _WORKSHEET.match(i.filename)]
        if len(sheets) > MAX_SHEETS:
            raise _refuse("too_many_sheets", path,
                          f"có {len(sheets):,} trang tính (giới hạn {MAX_SHEETS}), không thể là"
                          " một biểu mẫu CCHC".replace(",", "."),
                          "xóa các trang tính thừa, lưu lại dạng .xlsx rồi gửi lại")
        cells: dict[str, int] = {}
        kept: dict[str, bytes] = {}
        scanned = [i for i in infos if _parsed_ooxml_part(i.filename.lower(), extensions, parts)]
        store: dict[str, list[bytes]] | None = (
            {} if repack and sum(i.file_size for i in infos) <= REPACK_MAX else None)
        far = _scan_xml(f, path, scanned, cells, kept, store, inflated)
        data = _repacked(f, infos, store) if store is not None and not far else None
        return Inspection(kind, tuple(far), cells, kept, data)
    inner = [i.filename for i in infos
             if i.filename.lower().endswith((*SPREADSHEET_SUFFIXES, ".csv"))]
    if inner:
        raise _refuse("archive", path,
                      f"là tệp nén ZIP{_renamed(path)} chứa «{_show(inner[0], 80)}»",
                      "giải nén rồi gửi riêng tệp Excel (.xlsx) bên trong")
    if "index/document.iwa" in by_name:
        raise _refuse("unknown_format", path, f"là bảng tính Apple Numbers{_renamed(path)}",
                      "mở bằng Numbers, chọn Tệp > Xuất sang > Excel rồi gửi lại tệp .xlsx")
    raise _refuse("not_spreadsheet_zip", path,
                  f"là tệp nén ZIP{_renamed(path)}, không phải bảng tính Excel", SEND_ORIGINAL)


_CENTRAL_ENTRY = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")


def _plain_infolist(data: bytes) -> list[zipfile.ZipInfo] | None:
    """``zipfile.ZipFile(…).infolist()`` of a ZIP as every writer makes it, at a third of
    the cost, or None for anything else (zipfile then reads it, and refuses what it does).

    Taken only where zipfile can neither fail nor read otherwise: the end record last with
    no comment (the caller keeps ZIP64 locators away), the central directory right before
    it and filled exactly by its entries, none with an extra field or comment or a version
    zipfile refuses, names that decode as zipfile decodes them, without NUL. The entries
    carry what the guard reads (name, flags, method, CRC, sizes, local header offset)."""
    end = len(data) - 22
    if end < 0 or data[end:end + 4] != EOCD or data[-2:] != b"\x00\x00":
        return None
    cd_size, cd_offset = _END.unpack_from(data, end)[5:7]
    if cd_offset + cd_size != end:
        return None
    infos: list[zipfile.ZipInfo] = []
    at = cd_offset
    while at < end:
        if at + 46 > end:
            return None
        (sig, _cv, _cs, version, _r, flags, method, _t, _d, crc, compress_size, file_size,
         name_len, extra_len, comment_len, _v, _ia, _ea, offset) = _CENTRAL_ENTRY.unpack_from(
            data, at)
        if (sig != b"PK\x01\x02" or extra_len or comment_len or version > 63
                or at + 46 + name_len > end):
            return None
        raw = data[at + 46:at + 46 + name_len]
        try:
            name = raw.decode("utf-8") if flags & 0x800 else raw.decode("cp437")
        except UnicodeDecodeError:
            return None
        if "\x00" in name or (os.sep != "/" and os.sep in name):
            return None
        info = zipfile.ZipInfo.__new__(zipfile.ZipInfo)
        info.filename, info.flag_bits, info.compress_type, info.CRC = name, flags, method, crc
        info.compress_size, info.file_size, info.header_offset = (compress_size, file_size,
                                                                  offset)
        infos.append(info)
        at += 46 + name_len
    return infos


def _check_sizes(path: str, size: int, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse, from the central directory alone, what would inflate to too much."""
    if len(infos) > MAX_ENTRIES:
        raise _bomb(path, f"chứa quá nhiều mục nén ({len(infos)})")
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise _bomb(path, f"khi giải nén sẽ chiếm {total // MB} MB (giới hạn"
                          f" {MAX_TOTAL_UNCOMPRESSED // MB} MB)")
    for info in infos:
        if (info.file_size > RATIO_CHECK_ABOVE
                and info.file_size > MAX_MEMBER_RATIO * max(info.compress_size, 1)):
            raise _bomb(path, f"có mục «{_show(info.filename, 80)}» nén {info.file_size // MB} MB"
                              f" vào {max(info.compress_size // 1024, 1)} KB")
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise _corrupt(path, "có hai mục trùng tên")
    spans = sorted((info.header_offset, info.compress_size) for info in infos)
    for (offset, length), (next_offset, _) in zip(spans, spans[1:], strict=False):
        if offset + 30 + length > next_offset:
            raise _bomb(path, "có các mục nén chồng lên nhau")
    if spans and (spans[0][0] < 0 or spans[-1][0] + 30 + spans[-1][1] > size):
        raise _corrupt(path, "mục nén vượt quá cuối tệp")


def _inflate(f: BinaryIO, path: str, info: zipfile.ZipInfo, limit: int | None = None
             ) -> Iterator[bytes]:
    """The member's bytes in pieces of at most CHUNK, never more than it declares.

    Read to the end (``limit`` None), the whole stream is checked: its end, its size and its
    CRC. With a ``limit``, reading stops quietly after that many bytes.
    """
    f.seek(info.header_offset)
    local = f.read(30)
    if len(local) < 30 or local[:4] != b"PK\x03\x04":
        raise _corrupt(path, f"mục «{_show(info.filename, 80)}» hỏng")
    name_len, extra_len = struct.unpack_from("<HH", local, 26)
    f.seek(info.header_offset + 30 + name_len + extra_len)
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size:
            raise _corrupt(path, f"mục «{_show(info.filename, 80)}» hỏng")
        decompressor = None
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        decompressor = zlib.decompressobj(-15)
    else:
        raise _refuse("unsupported_zip", path,
                      f"được nén theo cách không hỗ trợ (phương thức {info.compress_type})",
                      SAVE_AS_XLSX)
    def entry() -> str:  # for messages only: built when one is raised, not per call
        return f"mục «{_show(info.filename, 80)}»"

    left, produced, crc = info.compress_size, 0, 0
    try:
        while left > 0:
            raw = f.read(min(CHUNK, left))
            if not raw:
                raise _corrupt(path, f"{entry()} bị cắt cụt")
            left -= len(raw)
            pending = raw
            while pending:
                if decompressor is None:
                    out, pending = pending, b""
                else:
                    before = len(pending)
                    out = decompressor.decompress(pending, CHUNK)
                    pending = decompressor.unconsumed_tail
                    if decompressor.eof or (not out and len(pending) == before):
                        pending = b""
                produced += len(out)
                if produced > info.file_size:
                    raise _bomb(path, f"có {entry()} giải nén ra nhiều hơn kích thước khai báo")
                if out:
                    crc = zlib.crc32(out, crc)
                    yield out
                if limit is not None and produced >= limit:
                    return
        if decompressor is not None:
            out = decompressor.flush()
            produced += len(out)
            if produced > info.file_size:
                raise _bomb(path, f"có {entry()} giải nén ra nhiều hơn kích thước khai báo")
            if out:
                crc = zlib.crc32(out, crc)
                yield out
            if not decompressor.eof:
                raise _corrupt(path, f"{entry()} bị cắt cụt")
    except zlib.error:
        raise _corrupt(path, f"{entry()} hỏng") from None
    if produced != info.file_size or crc != info.CRC:
        raise _corrupt(path, f"{entry()} sai mã kiểm tra")


def _xml_text(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace")
    return data.decode("utf-8", "replace")


def _odf_kind(path: str, mimetype: str, manifest: str) -> str | None:
    mimetype = mimetype.strip()
    if not mimetype:
        root = re.search(r'full-path="/"[^>]*media-type="([^"]+)"|'
                         r'media-type="([^"]+)"[^>]*full-path="/"', manifest)
        mimetype = (root.group(1) or root.group(2)) if root else ""
    if not mimetype.startswith("application/vnd.oasis.opendocument."):
        return None
    kind = mimetype.removeprefix("application/vnd.oasis.opendocument.")
    if kind in ("spreadsheet", "spreadsheet-template"):
        if "encryption-data" in manifest:
            raise _refuse(
                "encrypted", path, "có đặt mật khẩu",
                "mở bằng LibreOffice, chọn Tệp > Lưu thành, bỏ chọn «Lưu với mật khẩu» rồi lưu"
                " và gửi lại",
            )
        return "ods"
    if kind.startswith("text"):
        raise _refuse("not_spreadsheet_odt", path,
                      f"là tệp văn bản ODT{_renamed(path)}, không phải bảng tính", SEND_ORIGINAL)
    if kind.startswith("presentation"):
        raise _refuse("not_spreadsheet_presentation", path,
                      f"là bản trình chiếu ODP{_renamed(path)}, không phải bảng tính",
                      SEND_ORIGINAL)
    raise _refuse("unknown_format", path,
                  f"là tài liệu OpenDocument ({_show(kind, 40)}){_renamed(path)}, không phải"
                  " bảng tính", SEND_ORIGINAL)


def _ooxml_kind(path: str, by_name: dict[str, zipfile.ZipInfo], types: str) -> str:
    if "xl/workbook.bin" in by_name or "ms-excel.sheet.binary" in types:
        raise _refuse("xlsb", path, "là sổ làm việc nhị phân Excel (.xlsb), chưa đọc được",
                      "mở bằng Excel, chọn Lưu thành > Sổ làm việc Excel (.xlsx) rồi gửi lại")
    macro = ("ms-excel.sheet.macroenabled.main" in types
             or "ms-excel.template.macroenabled.main" in types)
    if (macro or "xl/workbook.xml" in by_name or "spreadsheetml.sheet.main" in types
            or "spreadsheetml.template.main" in types):
        return "xlsm" if macro or "xl/vbaproject.bin" in by_name else "xlsx"
    if "word/document.xml" in by_name or "wordprocessingml.document" in types:
        raise _refuse("not_spreadsheet_docx", path,
                      f"là tệp Word (.docx){_renamed(path)}, không phải bảng tính", SEND_ORIGINAL)
    if "ppt/presentation.xml" in by_name or "presentationml" in types:
        raise _refuse("not_spreadsheet_presentation", path,
                      f"là bản trình chiếu PowerPoint (.pptx){_renamed(path)}, không phải bảng"
                      " tính", SEND_ORIGINAL)
    raise _refuse("unknown_format", path,
                  f"là tài liệu Office nhưng không phải sổ làm việc Excel{_renamed(path)}",
                  SEND_ORIGINAL)


_ATTR = re.compile(r'(\w+)\s*=\s*"([^"]*)"|(\w+)\s*=\s*\'([^\']*)\'')


@functools.lru_cache(maxsize=64)
def _content_types(types: str) -> tuple[str, frozenset[str], frozenset[str]]:
    """``types`` lower-cased and its ``_xml_parts``: the returns of one form share one
    [Content_Types].xml, parsed once per process."""
    extensions, parts = _xml_parts(types)
    return types.lower(), frozenset(extensions), frozenset(parts)


def _xml_parts(types: str) -> tuple[set[str], set[str]]:
    """Extensions and part names that [Content_Types].xml declares as XML (not images)."""
    extensions: set[str] = set()
    parts: set[str] = set()
    for tag, body in re.findall(r"<(?:\w+:)?(Default|Override)\b([^>]*)>", types):
        attrs = {(m.group(1) or m.group(3)).lower(): (m.group(2) or m.group(4) or "")
                 for m in _ATTR.finditer(body)}
        content_type = attrs.get("contenttype", "").lower()
        if not content_type.endswith("xml") or content_type.startswith("image/"):
            continue
        if tag == "Default":
            extensions.add("." + attrs.get("extension", "").lower())
        else:
            parts.add(attrs.get("partname", "").lstrip("/").lower())
    return extensions, parts


def _parsed_ooxml_part(lowered: str, extensions: frozenset[str], parts: frozenset[str]
                       ) -> bool:
    if lowered.endswith((".xml", ".rels", ".vml")):
        return True
    return lowered in parts or os.path.splitext(lowered)[1] in extensions


_WORKSHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$", re.IGNORECASE)
_SHARED_STRINGS = re.compile(r"^xl/sharedstrings\.xml$", re.IGNORECASE)
# A row reference of 5+ digits (row 10,000 or below), or a cell in column AA or beyond: the
# only ways a cell can lie far from A1. Our forms fit in rows < 10,000 and columns A–Z, so
# for them this finds nothing and the precise look is skipped.
_FAR_REF = re.compile(rb'<(?:row|c) r="(?:[A-Z]{0,3}\d{5,}|[A-Z]{2,3}\d)')
# The same reference from its `r="` on, its branches cut to the first bytes that decide
# (X{0,3}d{5,} | X{2,3}d starts with d{5}, Xd{5}, XXd or XXXd): a three-byte literal start
# lets the search skip ahead, where `<` (five in every cell) makes it try the branch at
# each tag, and each try fails at once. What precedes is checked per hit (``_has_far_ref``):
# only a far reference, or a mergeCell/dimension `ref="AA…"`, gets that far.
_FAR_REF_TAIL = re.compile(rb'r="(?:\d{5}|[A-Z](?:\d{5}|[A-Z][A-Z]?\d))')


def _has_far_ref(data: bytes) -> bool:
    """``_FAR_REF.search(data) is not None``, in 60 % of its time."""
    hit = _FAR_REF_TAIL.search(data)
    while hit is not None:
        at = hit.start()
        if data[max(at - 3, 0):at] == b"<c " or data[max(at - 5, 0):at] == b"<row ":
            return True
        hit = _FAR_REF_TAIL.search(data, at + 1)
    return False


_FIRST_ROW = re.compile(rb"<(row|[\w.-]+:row)\b([^>]{0,40})")
_FIRST_CELL = re.compile(rb"<(c|[\w.-]+:c)\b([^>]{0,40})")


class _PartScan:
    """Looks at one worksheet part's XML, piece by piece, for a cell that may lie far from
    A1 (``far``): a row reference of 10,000 or more, a cell in column AA or beyond, or
    positions the reader would have to infer (no ``r="…"`` first on the first row or cell,
    as Excel, LibreOffice and openpyxl always write it; or namespace prefixes). Anything
    subtler that still asks for a huge grid is stopped by the isolated reader's limits."""

    def __init__(self) -> None:
        self.far = False
        self._start = b""  # from <sheetData> on, until its first row and cell are seen
        self._started = False
        self._checked = False

    def feed(self, window: bytes, piece: bytes) -> None:
        """``window`` is the end of the previous piece followed by ``piece``."""
        if self.far:
            return  # the precise look will happen anyway: nothing more to learn here
        if not self._checked:
            self._check_start(window)
        if not self.far and _has_far_ref(window):
            self.far = True

    def feed_whole(self, data: bytes) -> None:
        """``feed`` over a whole part, finding what ``feed`` finds over its ``CHUNK`` pieces.

        A far reference is at most 16 bytes, shorter than the windows' overlap, so one
        search over the part finds one exactly when a window would. The first row and
        cell are looked for in the very windows the pieces give (the first holding the
        first ``sheetData``, and on), as ``_check_start`` joins them."""
        if not self._checked:
            at = data.find(b"sheetData")
            if at >= 0:
                start = (at + len(b"sheetData") - 1) // CHUNK * CHUNK
                # the first window is cut where what it adds to ``_start`` ends anyway
                end = min(start + CHUNK, at + 8192)
                while not self._checked and not self.far and start < len(data):
                    self._check_start(data[max(start - _DTD_OVERLAP, 0):end])
                    start += CHUNK
                    end = start + CHUNK
        if not self.far and _has_far_ref(data):
            self.far = True

    def _check_start(self, window: bytes) -> None:
        if not self._started:
            at = window.find(b"sheetData")
            if at < 0:
                return
            self._started = True
            if window[max(at - 1, 0):at] != b"<":
                self.far = True  # a prefixed <x:sheetData>: let the precise look decide
                self._checked = True
                return
            window = window[at:]
        self._start = (self._start + window)[:8192]
        row, cell = _FIRST_ROW.search(self._start), _FIRST_CELL.search(self._start)
        if b"</sheetData" in self._start[:200] or b"<sheetData/>" in self._start[:200]:
            self._checked = True  # an empty sheet
        elif row and cell:
            self._checked = True
            self.far = not (row.group(1) == b"row" and row.group(2).startswith(b' r="')
                            and cell.group(1) == b"c" and cell.group(2).startswith(b' r="'))
        elif len(self._start) >= 8192:
            self._checked, self.far = True, True


_BOOK_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")


def _scan_xml(f: BinaryIO, path: str, members: list[zipfile.ZipInfo],
              cells: dict[str, int] | None = None, kept: dict[str, bytes] | None = None,
              store: dict[str, list[bytes]] | None = None,
              inflated: dict[str, bytes] | None = None, whole: bool = True) -> list[str]:
    """Refuse when a part a reader parses declares a DTD (entities need one), or holds too
    many shared strings; return the worksheet parts whose extent needs a precise look.

    In the same pass, when asked: ``cells`` gets each worksheet part's count of ``<`` (a
    bound on its value cells, see ``Inspection.cell_bounds``); ``kept`` gets the bytes of
    ``xl/workbook.xml`` and its rels (small), so the bound needs no second inflate;
    ``store`` gets every part's pieces (for ``_repacked``). ``inflated``: parts already
    inflated to their end and checked (``[Content_Types].xml``), not inflated again.

    A small part (``_inflate_whole``) is inflated and scanned in one piece, which finds
    exactly what the 64 KB pieces find (``tests/test_file_guard_whole.py``); ``whole``
    False forces the pieces (for that test)."""
    far: list[str] = []
    for info in members:
        data = inflated.get(info.filename) if inflated else None
        if data is None and whole and _fits_whole(info):
            data = _inflate_whole(f, info)
        if data is None:
            _scan_pieces(f, path, info, far, cells, kept, store)
            continue
        # the stream is whole and sound (size, end, CRC): what the pieces would refuse first
        # is a DTD, found here as in any piece (a marker is shorter than the windows' overlap)
        if _has_dtd(data):
            raise _dtd_refusal(path, info)
        if store is not None:
            store[info.filename] = [data]
        if kept is not None and info.filename in _BOOK_PARTS:
            kept[info.filename] = data
        if _WORKSHEET.match(info.filename):
            scan = _PartScan()
            scan.feed_whole(data)
            if scan.far:
                far.append(info.filename)
            if cells is not None:
                cells[info.filename] = data.count(b"<")
        # shared strings: a part this small cannot hold MAX_SHARED_STRINGS (see WHOLE_PART_MAX)
    return far




def _dtd_refusal(path: str, info: zipfile.ZipInfo) -> UnusableFile:
    return _refuse(
        "xml_entities", path,
        f"có khai báo DTD/thực thể XML (<!DOCTYPE>, <!ENTITY>) trong phần"
        f" «{_show(info.filename, 80)}», điều Excel và LibreOffice không bao giờ ghi,"
        " nên có thể là tệp độc hại", ASK_AGAIN,
    )


def _scan_pieces(f: BinaryIO, path: str, info: zipfile.ZipInfo, far: list[str],
                 cells: dict[str, int] | None, kept: dict[str, bytes] | None,
                 store: dict[str, list[bytes]] | None) -> None:
    """``_scan_xml`` for one part, inflated and scanned in 64 KB pieces (a large part, and
    any part the whole path does not take as sound: it refuses here, in the same order)."""
    tail = b""
    pieces: list[bytes] | None = None
    if store is not None:
        pieces = store[info.filename] = []
    scan = _PartScan() if _WORKSHEET.match(info.filename) else None
    strings = 0 if _SHARED_STRINGS.match(info.filename) else None
    count = 0 if scan is not None and cells is not None else None
    keep: list[bytes] | None = (
        [] if kept is not None and info.filename in _BOOK_PARTS else None)
    for piece in _inflate(f, path, info):
        window = tail + piece
        if _has_dtd(window):
            raise _dtd_refusal(path, info)
        if scan is not None:
            scan.feed(window, piece)
            if count is not None:
                count += piece.count(b"<")
        elif strings is not None:
            strings += piece.count(b"<si>") + piece.count(b"<si ")
            if strings > MAX_SHARED_STRINGS:
                raise _refuse(
                    "too_large", path,
                    f"chứa hơn {MAX_SHARED_STRINGS:,} đoạn văn bản khác nhau, không thể là một"
                    " biểu mẫu CCHC".replace(",", "."),
                    "xóa các trang tính thừa, lưu lại dạng .xlsx rồi gửi lại")
        if keep is not None:
            keep.append(piece)
        if pieces is not None:
            pieces.append(piece)
        tail = window[-_DTD_OVERLAP:]
    if scan is not None and scan.far:
        far.append(info.filename)
    if count is not None and cells is not None:
        cells[info.filename] = count
    if keep is not None and kept is not None:
        kept[info.filename] = b"".join(keep)


WHOLE_PART_MAX = 1 * MB  # declared size of a part inflated in one call
# The shared-strings limit can only be passed by a part the pieces scan: each "<si" takes 4
# bytes, and a part scanned whole (here, or [Content_Types].xml read whole) is smaller.
assert 4 * MAX_SHARED_STRINGS > max(WHOLE_PART_MAX, SMALL_PART)


def _fits_whole(info: zipfile.ZipInfo) -> bool:
    return info.compress_size <= CHUNK and info.file_size <= WHOLE_PART_MAX


def _inflate_whole(f: BinaryIO, info: zipfile.ZipInfo) -> bytes | None:
    """A small member's bytes in one read and one inflate, when it is sound to its end (its
    declared size, a deflate stream that ends, its CRC); None for anything else, which
    ``_inflate`` then reads in pieces and refuses as it always has.

    Inflating stops one byte past the declared size, so a bomb costs no more than here.
    With all of the (at most ``CHUNK``) compressed bytes given at once, ``_inflate``'s
    pieces are this output cut every ``CHUNK`` bytes (zlib fills each output buffer before
    returning), which ``_PartScan.feed_whole`` relies on."""
    if info.compress_size > CHUNK:
        return None
    f.seek(info.header_offset)
    local = f.read(30)
    if len(local) < 30 or local[:4] != b"PK\x03\x04":
        return None
    name_len, extra_len = struct.unpack_from("<HH", local, 26)
    f.seek(info.header_offset + 30 + name_len + extra_len)
    raw = f.read(info.compress_size)
    if len(raw) != info.compress_size:
        return None
    if info.compress_type == zipfile.ZIP_DEFLATED:
        decompressor = zlib.decompressobj(-15)
        try:
            data = decompressor.decompress(raw, info.file_size + 1)
        except zlib.error:
            return None
        if not decompressor.eof:
            return None
    elif info.compress_type == zipfile.ZIP_STORED:
        data = raw
    else:
        return None
    if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
        return None
    return data


REPACK_MAX = 32 * MB  # declared sizes of all entries: beyond, the reader inflates from disk


def _repacked(f: BinaryIO, infos: list[zipfile.ZipInfo], store: dict[str, list[bytes]]
              ) -> bytes:
    """The workbook as a ZIP whose parts in ``store`` are stored (not deflated) as the guard
    inflated them, their CRC and sizes checked against the central directory; any other
    entry (an image, a binary part no reader parses) is copied as it is, still compressed."""
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for info in infos:
        name = info.filename.encode("utf-8")
        flags = 0x800 if not info.filename.isascii() else 0
        pieces = store.get(info.filename)
        if pieces is not None:
            method, body = zipfile.ZIP_STORED, b"".join(pieces)
        else:
            f.seek(info.header_offset)
            local = f.read(30)
            name_len, extra_len = struct.unpack_from("<HH", local, 26)
            f.seek(info.header_offset + 30 + name_len + extra_len)
            method, body = info.compress_type, f.read(info.compress_size)
        fields = (20, flags, method, 0, 0x21, info.CRC, len(body), info.file_size, len(name))
        header = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", *fields, 0)
        out += (header, name, body)
        central.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, *fields, 0, 0, 0,
                                   0, 0, offset) + name)
        offset += len(header) + len(name) + len(body)
    directory = b"".join(central)
    out.append(directory)
    out.append(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(infos), len(infos),
                           len(directory), offset, 0))
    return b"".join(out)


# --- OLE2 compound files: .xls, encrypted Office files, .doc --------------------------------

ENDOFCHAIN = 0xFFFFFFFE
MAXREGSECT = 0xFFFFFFFA
FILEPASS = 0x002F
MAX_DIRECTORY_ENTRIES = 10_000
MAX_MINIFAT_SECTORS = 1024  # a mini stream of up to 8 MB (512-byte sectors)


class _BadCfb(Exception):
    pass


class _Entry(NamedTuple):
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    left: int
    right: int
    child: int
    start: int
    size: int


class _Cfb:
    """Just enough of [MS-CFB] to list the stream names and read the start of a stream."""

    def __init__(self, f: BinaryIO, size: int, head: bytes) -> None:
        if len(head) < 512:
            raise _BadCfb("short header")
        (shift, mini_shift) = struct.unpack_from("<HH", head, 0x1E)
        if shift not in (9, 12) or mini_shift != 6:
            raise _BadCfb("sector size")
        self.f, self.size = f, size
        self.ssz = 1 << shift
        self.sectors = max((size - self.ssz) // self.ssz + 1, 1)
        (n_fat, first_dir, _txn, self.mini_cutoff, first_minifat, n_minifat, first_difat,
         n_difat) = struct.unpack_from("<8I", head, 0x2C)
        if n_fat > self.sectors // (self.ssz // 4) + 2 or n_minifat > MAX_MINIFAT_SECTORS:
            raise _BadCfb("more FAT than the file has sectors")
        fat_sectors = [s for s in struct.unpack_from("<109I", head, 0x4C) if s < MAXREGSECT]
        per = self.ssz // 4
        difat, seen = first_difat, 0
        while difat < MAXREGSECT and len(fat_sectors) < n_fat:
            seen += 1
            if seen > n_difat + 1 or seen > self.sectors:
                raise _BadCfb("DIFAT loop")
            values = struct.unpack(f"<{per}I", self._sector(difat))
            fat_sectors += [s for s in values[:-1] if s < MAXREGSECT]
            difat = values[-1]
        fat = b"".join(self._sector(s) for s in fat_sectors[:n_fat])
        self.fat = struct.unpack(f"<{len(fat) // 4}I", fat)
        self.entries = self._directory(first_dir)
        self.first_minifat, self.n_minifat = first_minifat, n_minifat

    def _sector(self, n: int) -> bytes:
        if n >= self.sectors:
            raise _BadCfb("sector out of range")
        self.f.seek((n + 1) * self.ssz)
        data = self.f.read(self.ssz)
        if len(data) < self.ssz:
            raise _BadCfb("short sector")
        return data

    def chain(self, start: int, fat: tuple[int, ...] | None = None) -> Iterator[int]:
        fat = self.fat if fat is None else fat
        sector, seen = start, set()
        while sector < MAXREGSECT:
            if sector in seen or sector >= len(fat):
                raise _BadCfb("broken chain")
            seen.add(sector)
            yield sector
            sector = fat[sector]
        if sector != ENDOFCHAIN:
            raise _BadCfb("bad chain end")

    def _directory(self, first: int) -> list[_Entry | None]:
        """Directory entries by id (None for unused slots)."""
        entries: list[_Entry | None] = []
        for sector in self.chain(first):
            data = self._sector(sector)
            for at in range(0, self.ssz, 128):
                name_len, kind, _color, left, right, child = struct.unpack_from(
                    "<HBB3I", data, at + 64)
                if kind not in (1, 2, 5) or not 2 <= name_len <= 64:
                    entries.append(None)
                    continue
                name = data[at:at + name_len - 2].decode("utf-16-le", "replace")
                start, stream_size = struct.unpack_from("<IQ", data, at + 116)
                if self.ssz == 512:
                    stream_size &= 0xFFFFFFFF
                entries.append(_Entry(name, kind, left, right, child, start, stream_size))
            if len(entries) > MAX_DIRECTORY_ENTRIES:
                break
        if not entries or entries[0] is None or entries[0].kind != 5:
            raise _BadCfb("no root entry")
        self.root = entries[0]
        return entries

    def top_level(self) -> dict[str, _Entry]:
        """The root storage's children by lower-case name (a red-black tree of siblings)."""
        found: dict[str, _Entry] = {}
        todo, seen = [self.root.child], set()
        while todo:
            at = todo.pop()
            if at >= len(self.entries) or at in seen:
                continue
            seen.add(at)
            entry = self.entries[at]
            if entry is None:
                continue
            found.setdefault(entry.name.lower(), entry)
            todo += [entry.left, entry.right]
        return found

    def read_start(self, entry: _Entry, limit: int) -> bytes:
        """The first ``limit`` bytes of a stream."""
        start, stream_size = entry.start, entry.size
        want = min(limit, stream_size)
        parts: list[bytes] = []
        got = 0
        if stream_size >= self.mini_cutoff:
            for sector in self.chain(start):
                if got >= want:
                    break
                parts.append(self._sector(sector))
                got += self.ssz
            return b"".join(parts)[:want]
        # a small stream lives in the mini stream: 64-byte sectors inside the root's chain
        minifat_raw = b"".join(self._sector(s) for s in
                               list(self.chain(self.first_minifat))[: self.n_minifat])
        minifat = struct.unpack(f"<{len(minifat_raw) // 4}I", minifat_raw)
        root_chain = list(self.chain(self.root.start))
        for mini in self.chain(start, minifat):
            if got >= want:
                break
            offset = mini * 64
            index, within = divmod(offset, self.ssz)
            if index >= len(root_chain):
                raise _BadCfb("mini sector out of range")
            parts.append(self._sector(root_chain[index])[within:within + 64])
            got += 64
        return b"".join(parts)[:want]


def _inspect_ole(f: BinaryIO, path: str, size: int, head: bytes) -> str:
    cfb: _Cfb | None
    try:
        cfb = _Cfb(f, size, head)
        top = cfb.top_level()
        names = set(top)
    except (_BadCfb, struct.error):
        cfb, top = None, {}
        names = _raw_ole_names(f)  # let the reader judge a file only a byte search can read
    if {"encryptioninfo", "encryptedpackage"} & names:
        raise _refuse("encrypted", path, "có đặt mật khẩu", REMOVE_PASSWORD_EXCEL)
    book = "workbook" if "workbook" in names else "book" if "book" in names else None
    if book:
        if cfb is not None and top[book].kind == 2:
            try:
                encrypted = _has_filepass(cfb.read_start(top[book], CHUNK))
            except (_BadCfb, struct.error):
                encrypted = False  # the reader will say what is wrong
            if encrypted:
                raise _refuse(
                    "old_excel_encrypted", path,
                    "là tệp Excel cũ (.xls) có đặt mật khẩu",
                    "mở bằng Excel, bỏ mật khẩu rồi lưu dạng Sổ làm việc Excel (.xlsx) và gửi lại",
                )
        return "xls"
    if "worddocument" in names:
        raise _refuse("not_spreadsheet_doc", path,
                      f"là tệp Word (.doc){_renamed(path)}, không phải bảng tính", SEND_ORIGINAL)
    if "powerpoint document" in names:
        raise _refuse("not_spreadsheet_presentation", path,
                      f"là bản trình chiếu PowerPoint (.ppt){_renamed(path)}, không phải bảng tính",
                      SEND_ORIGINAL)
    if any(n.startswith(("__substg1.0_", "__properties_version1.0")) for n in names):
        raise _refuse("not_spreadsheet_email", path,
                      f"là một thư Outlook (.msg){_renamed(path)}, không phải bảng tính",
                      "mở thư đó, lưu tệp Excel đính kèm ra rồi dùng tệp đó")
    raise _refuse("unknown_format", path,
                  "là tệp Office cũ nhưng không phải sổ làm việc Excel", SAVE_AS_XLSX)


_OLE_NAMES = ("EncryptionInfo", "EncryptedPackage", "Workbook", "Book", "WordDocument",
              "PowerPoint Document", "__substg1.0_")


def _raw_ole_names(f: BinaryIO) -> set[str]:
    """Stream names found by a plain byte search, for a compound file whose header is off."""
    wanted = {name: name.encode("utf-16-le") for name in _OLE_NAMES}
    overlap = 2 * max(len(n) for n in _OLE_NAMES)
    found: set[str] = set()
    f.seek(0)
    tail = b""
    while piece := f.read(CHUNK):
        window = tail + piece
        found |= {name.lower() for name, raw in wanted.items() if raw in window}
        tail = window[-overlap:]
    return found


def _has_filepass(stream: bytes) -> bool:
    """Whether the workbook globals start BOF … FILEPASS (record headers are never encrypted)."""
    at = 0
    while at + 4 <= len(stream):
        rtype, rlen = struct.unpack_from("<HH", stream, at)
        if at == 0 and rtype not in (0x0809, 0x0409, 0x0209, 0x0009):
            return False
        if rtype == FILEPASS:
            return True
        if rtype in (0x0085, 0x000A, 0x00FC):  # BOUNDSHEET, EOF, SST: past where FILEPASS goes
            return False
        at += 4 + rlen
    return False


# --- attachments: the spreadsheets inside a ZIP an inbox holds ---------------------------


def zip_members(path: str | os.PathLike[str]) -> list[zipfile.ZipInfo]:
    """The entries of a ZIP attachment, checked from its central directory with the same
    bomb limits as a workbook (entry count, sizes, ratios, overlaps, encryption)."""
    name = os.fspath(path)
    try:
        size = os.stat(name).st_size
        with open(name, "rb") as f:
            if size > MAX_FILE_BYTES:
                raise _refuse("too_large", name, f"quá lớn ({-(-size // MB)} MB, giới hạn"
                              f" {MAX_FILE_BYTES // MB} MB)", "gửi riêng tệp Excel (.xlsx)")
            entries, cd_size = _central_directory(f, name, size)
            if entries > MAX_ENTRIES or cd_size > MAX_CENTRAL_DIRECTORY:
                raise _bomb(name, f"chứa quá nhiều mục nén (giới hạn {MAX_ENTRIES})")
            try:
                infos = zipfile.ZipFile(f).infolist()
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError,
                    struct.error, NotImplementedError):
                raise _corrupt(name) from None
            _check_sizes(name, size, infos)
    except OSError as exc:
        raise _refuse("unreadable", name, exc.strerror or str(exc), None) from None
    if any(info.flag_bits & 0x1 for info in infos):
        raise _refuse("encrypted", name, "là tệp nén có đặt mật khẩu",
                      "gửi lại tệp Excel (.xlsx) không nén, không đặt mật khẩu")
    return infos


def extract_member(path: str | os.PathLike[str], info: zipfile.ZipInfo, dest: str) -> None:
    """Inflate one checked entry into ``dest`` (a path the caller chose, never the entry's
    own name), never past its declared size nor ``MAX_FILE_BYTES``."""
    name = os.fspath(path)
    if info.file_size > MAX_FILE_BYTES:
        raise _refuse("too_large", f"{name} › {_show(info.filename, 120)}",
                      f"quá lớn ({-(-info.file_size // MB)} MB)", "gửi riêng tệp Excel (.xlsx)")
    with open(name, "rb") as f, open(dest, "wb") as out:
        for piece in _inflate(f, name, info):
            out.write(piece)
