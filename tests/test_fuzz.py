"""Fuzz: mutated real returns never take down a batch.

A real return (generated, filled as a person would) is mutated: truncated, bits flipped
inside zip members (re-zipped so the damage reaches the XML parser), XML parts swapped,
absurd dimensions and far cell references, thousands of sheets, 32,767-character cells and
control characters. The invariant: no traceback or abort, an exit code of 0, 1 or 2, every
file accounted for, in bounded time (each file is read under the isolated reader's time
and memory limits). A fixed seed and 28 files in CI; ``CCHC_FUZZ_COUNT=500`` (and
``CCHC_FUZZ_SEED``) for a longer run.
"""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from cchc_xlsx.forms.generate import generate

from .fill import Filler, fill_clean

COUNT = int(os.environ.get("CCHC_FUZZ_COUNT", "28"))
SEED = int(os.environ.get("CCHC_FUZZ_SEED", "20261130"))


@pytest.fixture(scope="module")
def seed_return(tmp_path_factory, plan001, units):
    gen = tmp_path_factory.mktemp("gen")
    [path] = generate(plan001, units[:1], gen, period_id="q1-2023", workers=1)
    out = tmp_path_factory.mktemp("seed") / path.name
    fill_clean(Filler(path)).save(out)
    return out.read_bytes()


def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i, z.read(i)) for i in z.infolist()]


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in members:
            z.writestr(name, body)
    return buf.getvalue()


def _truncate(rnd: random.Random, data: bytes) -> bytes:
    return data[:rnd.randrange(1, len(data))]


def _flip_raw(rnd: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rnd.randint(1, 20)):
        b[rnd.randrange(len(b))] ^= 1 << rnd.randrange(8)
    return bytes(b)


def _flip_member(rnd: random.Random, data: bytes) -> bytes:
    members = [(i.filename, bytearray(body)) for i, body in _members(data)]
    xml = [m for m in members if m[0].endswith(".xml") and m[1]]
    for _ in range(rnd.randint(1, 30)):
        _, body = rnd.choice(xml)
        body[rnd.randrange(len(body))] ^= 1 << rnd.randrange(8)
    return _zip([(n, bytes(b)) for n, b in members])


def _swap_parts(rnd: random.Random, data: bytes) -> bytes:
    members = [(i.filename, body) for i, body in _members(data)]
    xml = [k for k, (n, _) in enumerate(members) if n.endswith(".xml")]
    a, b = rnd.sample(xml, 2)
    (na, ba), (nb, bb) = members[a], members[b]
    members[a], members[b] = (na, bb), (nb, ba)
    return _zip(members)


def _absurd(rnd: random.Random, data: bytes) -> bytes:
    ref = rnd.choice(["XFD1048576", "A1048576", "XFD1", "ZZ99999", "AAA5000"])
    out = []
    for i, body in _members(data):
        if i.filename.startswith("xl/worksheets/") and rnd.random() < 0.7:
            body = body.replace(b'<dimension ref="', b'<dimension ref="A1:' + ref.encode()
                                + b'" x="', 1)
            cell = (f'<row r="{ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}"><c r="{ref}" '
                    f't="inlineStr"><is><t>x</t></is></c></row>')
            if rnd.random() < 0.3:
                cell = '<row r="1048576"><c t="inlineStr"><is><t>y</t></is></c></row>'
            body = body.replace(b"</sheetData>", cell.encode() + b"</sheetData>")
        out.append((i.filename, body))
    return _zip(out)


def _many_sheets(rnd: random.Random, data: bytes) -> bytes:
    members = [(i.filename, body) for i, body in _members(data)]
    sheet = next(body for n, body in members if n == "xl/worksheets/sheet1.xml")
    extra = [(f"xl/worksheets/extra{k}.xml", sheet) for k in range(rnd.choice([300, 3000]))]
    return _zip(members + extra)


def _long_and_control(rnd: random.Random, data: bytes) -> bytes:
    out = []
    for i, body in _members(data):
        if i.filename == "xl/sharedStrings.xml" or i.filename.startswith("xl/worksheets/"):
            text = body.decode("utf-8")
            if rnd.random() < 0.5:
                text = text.replace("<t>", "<t>" + "Đ" * 32_767, 3)
            bad = "".join(chr(rnd.choice([1, 2, 7, 8, 11, 12, 27, 0xFFFE])) for _ in range(5))
            text = text.replace("</t>", f"{bad}_x0000_</t>", 5)
            body = text.encode("utf-8", "surrogatepass")
        out.append((i.filename, body))
    return _zip(out)


MUTATIONS = [_truncate, _flip_raw, _flip_member, _swap_parts, _absurd, _many_sheets,
             _long_and_control]


def _corpus(folder: Path, seed_bytes: bytes) -> list[Path]:
    rnd = random.Random(SEED)
    paths = []
    for k in range(COUNT):
        mutate = MUTATIONS[k % len(MUTATIONS)]
        data = mutate(rnd, seed_bytes)
        if rnd.random() < 0.2:
            data = _flip_raw(rnd, data)
        p = folder / f"f{k:04d}_{mutate.__name__.strip('_')}.xlsx"
        p.write_bytes(data)
        paths.append(p)
    return paths


def test_mutated_returns_never_take_down_a_batch(seed_return, tmp_path):
    inbox = tmp_path / "fuzz"
    inbox.mkdir()
    paths = _corpus(inbox, seed_return)
    (inbox / "zz_clean.xlsx").write_bytes(seed_return)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
           "CCHC_READ_TIMEOUT": "30", "CCHC_READ_MEMORY_MB": "1024"}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "cchc_xlsx.cli", "validate", str(inbox),
                           "--format", "json"], capture_output=True, text=True, env=env,
                          timeout=60 + 35 * COUNT)
    took = time.monotonic() - started
    assert done.returncode in (0, 1, 2), done.stderr[-3000:]
    assert "Traceback" not in done.stderr and "panicked" not in done.stderr
    import json

    report = json.loads(done.stdout)
    files = {Path(f["file"].split(" › ")[0]).name: f for f in report["files"]}
    assert {p.name for p in paths} | {"zz_clean.xlsx"} <= set(files)
    assert files["zz_clean.xlsx"]["valid"]
    for f in report["files"]:
        assert f["usable"] or f["issues"][0]["message"]  # one sentence for each unusable file
    assert took < 30 + 3 * COUNT, took  # bounded per file (a clean file takes ~0.05 s)
