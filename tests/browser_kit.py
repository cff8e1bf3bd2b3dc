"""What every browser test needs: Debian's Chromium and the folder the screenshots go to
(``$CCHC_SCREENSHOTS``, else the test's tmp folder). The ``served`` portal and the
``browser`` fixtures are in conftest.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                    reason="Debian's chromium (/usr/bin/chromium) is not "
                                           "installed; .ci/run installs it with apt-get")
#: the environment that makes Chromium's interface (and its date fields) Vietnamese
VIETNAMESE = {"LANGUAGE": "vi", "LANG": "C.UTF-8"}  # vi_VN.UTF-8 is rarely generated:
# without it glibc falls back to ASCII and Chromium loses non-ASCII file names
#: Debian's chromium-l10n: without it Chromium falls back to en-US (mm/dd/yyyy)
VI_LOCALE = Path("/usr/lib/chromium/locales/vi.pak")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


def shots(tmp: Path) -> Path:
    out = Path(os.environ.get("CCHC_SCREENSHOTS") or tmp / "shots")
    out.mkdir(parents=True, exist_ok=True)
    return out
