"""Where the shipped form specs and rule sets live.

In a source checkout (and an editable install) they are the top-level ``workbook_templates/``
and ``rules/`` folders; a wheel carries the same files inside the package (setup.cfg maps
them), so the tool works outside the repository too.
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The folder of shipped ``workbook_templates`` or ``rules``."""
    for candidate in (_HERE / name, _HERE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"cchc_xlsx data folder {name!r} is missing from the install")
