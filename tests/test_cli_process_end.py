"""`validate` run as the program ends right after its output (``vi_click.leave``): the
output must be whole, the exit code the check's, the exit handlers run (temporary folders
are removed there) and a closed pipe no traceback; called in process, it stays
``sys.exit``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from cchc_xlsx.cli import main

ROOT = Path(__file__).resolve().parent.parent
RETURNS = ROOT / "samples" / "returns"

# the program as the entry point runs it, plus an exit handler that leaves a mark
PROBE = (
    "import atexit, sys, tempfile, pathlib\n"
    "mark = pathlib.Path(sys.argv.pop(1))\n"
    "keep = tempfile.TemporaryDirectory()\n"
    "atexit.register(lambda: mark.write_text(keep.name, encoding='utf-8'))\n"
    "from cchc_xlsx.cli import main\n"
    "sys.argv = ['cchc-xlsx'] + sys.argv[1:]\n"
    "main()\n"
)


def _program(mark: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", PROBE, str(mark), *args], cwd=ROOT,
                          timeout=300, **kw)


def test_validate_as_program_prints_everything_and_runs_exit_handlers(tmp_path: Path) -> None:
    mark = tmp_path / "mark.txt"
    proc = _program(mark, "validate", str(RETURNS), "--format", "json",
                    capture_output=True, text=True)
    inner = CliRunner().invoke(main, ["validate", str(RETURNS), "--format", "json"])
    assert proc.returncode == inner.exit_code != 0  # the samples hold planted mistakes
    printed = json.loads(proc.stdout)
    assert printed == json.loads(inner.stdout)
    files = {Path(f["file"]).name for f in printed["files"]}
    assert files == {p.name for p in RETURNS.iterdir()}
    assert "Traceback" not in proc.stderr
    assert mark.exists()  # the exit handlers ran ...
    assert not Path(mark.read_text(encoding="utf-8")).exists()  # ... and removed the folder


def test_validate_as_program_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    mark = tmp_path / "mark.txt"
    proc = subprocess.Popen([sys.executable, "-c", PROBE, str(mark), "validate", str(RETURNS),
                             "--format", "json"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)
    proc.stdout.close()  # `| head -c 10`
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.wait(timeout=300)
    assert "Traceback" not in err
    assert proc.returncode == 2  # the check's own code (the samples hold an unusable file)


def test_in_process_validate_still_raises_system_exit() -> None:
    from cchc_xlsx.cli import vi_click

    result = CliRunner().invoke(main, ["validate", str(RETURNS), "--format", "json"])
    assert isinstance(result.exception, SystemExit)
    assert result.exit_code == 2  # the samples hold an unusable file
    assert vi_click._PROGRAM is False
