"""Old formats (.doc, .xls, .ods) through LibreOffice, when it is installed.

A Word 97 .doc has no reader in Python; LibreOffice converts it faithfully, merges
included. Without LibreOffice the user is told, in one sentence, how to save as .docx.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from cchc_xlsx.errors import UserError

HOW_TO_SAVE = {
    "docx": "mở tệp bằng Word hoặc LibreOffice Writer, chọn Lưu thành (Save As) kiểu "
            "«Word Document (.docx)» rồi nhập tệp .docx đó",
    "xlsx": "mở tệp bằng Excel hoặc LibreOffice Calc, chọn Lưu thành (Save As) kiểu "
            "«Excel Workbook (.xlsx)» rồi nhập tệp .xlsx đó",
}


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(path: Path, to: str, workdir: Path | None = None) -> Path:
    """Convert ``path`` to ``to`` ("docx" or "xlsx") in a temporary folder; the input is
    never touched. Raises ``UserError`` saying how to do it by hand when it cannot."""
    exe = soffice()
    if exe is None:
        raise UserError(f"Tệp «{path}» là định dạng cũ {path.suffix}; máy này không có "
                        f"LibreOffice để chuyển đổi, hãy {HOW_TO_SAVE[to]}.")
    out = Path(workdir or tempfile.mkdtemp(prefix="cchc-import-"))
    profile = out / "profile"
    try:
        subprocess.run(
            [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
             "--convert-to", to, "--outdir", str(out), str(path)],
            check=True, capture_output=True, timeout=180,
        )
    except (subprocess.SubprocessError, OSError):
        raise UserError(f"LibreOffice không chuyển được tệp «{path}»; hãy {HOW_TO_SAVE[to]}."
                        ) from None
    result = out / f"{path.stem}.{to}"
    if not result.is_file():
        raise UserError(f"LibreOffice không chuyển được tệp «{path}»; hãy {HOW_TO_SAVE[to]}.")
    return result
