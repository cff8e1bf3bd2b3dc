"""Drive headless LibreOffice, the real client of many schools, from tests."""

from __future__ import annotations

import subprocess
from pathlib import Path


def soffice_convert(src: Path, out_dir: Path, to: str, profile: Path) -> Path:
    """Convert ``src`` with LibreOffice (``to`` is e.g. "pdf" or "xlsx"); return the result."""
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", to, "--outdir", str(out_dir), str(src)],
        check=True, capture_output=True, timeout=180,
    )
    result = out_dir / (src.stem + "." + to.split(":")[0])
    assert result.exists(), f"LibreOffice did not write {result}"
    return result


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
