"""The shipped forms and rules are read with libyaml (``load_yaml(..., shipped=True)``):
the values, types and key lines must be exactly what the pure-Python loader gives, and a
broken file must still be told in the pure loader's words."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cchc_xlsx import yamlio
from cchc_xlsx.errors import UserError
from cchc_xlsx.forms import specs
from cchc_xlsx.resources import data_dir

pytestmark = pytest.mark.skipif(not yamlio._FAST, reason="PyYAML built without libyaml")


def _shipped_files() -> list[Path]:
    files = []
    for folder in ("workbook_templates", "rules", "criteria"):
        files += sorted(data_dir(folder).rglob("*.yaml"))
    return files


def _same(a: object, b: object, where: str) -> None:
    assert type(a) is type(b), where
    if isinstance(a, yamlio.Mapping):
        assert (a.line, a.key_lines) == (b.line, b.key_lines), where  # type: ignore[union-attr]
    if isinstance(a, dict):
        assert list(a) == list(b), where  # type: ignore[arg-type]
        for key in a:
            _same(a[key], b[key], f"{where}.{key}")  # type: ignore[index]
    elif isinstance(a, list):
        assert len(a) == len(b), where  # type: ignore[arg-type]
        for i, (x, y) in enumerate(zip(a, b, strict=True)):  # type: ignore[call-overload]
            _same(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


def test_every_shipped_file_reads_the_same_with_libyaml() -> None:
    files = _shipped_files()
    assert len(files) >= 10
    for path in files:
        pure = yamlio.load_yaml(path, "tệp")
        fast = yamlio.load_yaml(path, "tệp", shipped=True)
        _same(fast, pure, path.name)


def test_fast_loader_is_really_libyaml() -> None:
    assert issubclass(yamlio._FastLoader, yaml.CSafeLoader)


def test_shipped_catalog_equals_the_pure_one() -> None:
    fast = specs._load_catalog(data_dir("workbook_templates"), data_dir("rules"), shipped=True)
    pure = specs._load_catalog(data_dir("workbook_templates"), data_dir("rules"))
    assert fast.forms == pure.forms
    assert fast.rules == pure.rules


@pytest.mark.parametrize("text", [
    "id: a\nid: b\n",  # a key written twice
    "a: [1, 2\nb: 3\n",  # unclosed list
    "a: 1\n  b: 2\n",  # bad indentation
    "a: *missing\n",  # unknown alias
    "a: !!python/object:os.system x\n",  # not a safe tag
])
def test_a_broken_file_is_told_as_the_pure_loader_tells_it(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as pure:
        yamlio.load_yaml(path, "mẫu biểu")
    with pytest.raises(UserError) as fast:
        yamlio.load_yaml(path, "mẫu biểu", shipped=True)
    assert str(fast.value) == str(pure.value)
    assert "«" in str(fast.value) and "bad.yaml" in str(fast.value)


def test_text_only_files_never_take_the_fast_path(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("code: 045\nversion: 1.10\n", encoding="utf-8")
    assert yamlio.load_yaml(path, "kế hoạch", text_only=True, shipped=True) == {
        "code": "045", "version": "1.10"}
