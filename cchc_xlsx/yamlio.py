"""YAML loading that remembers where every key was written.

Plans, form specs and rules are edited by people, so an error must point at the line they
typed. PyYAML's safe loader is used with one change: mappings become ``Mapping`` objects
that record each key's line, and every failure becomes a ``UserError`` naming the file.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from cchc_xlsx.errors import UserError, os_reason


class Mapping(dict):
    """A dict that knows the file line of each of its keys (1-based) and its own line."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Mapping:
    loader.flatten_mapping(node)
    result = Mapping()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"khóa «{key}» bị lặp lại", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's parser with the same ``Mapping`` constructor: several times faster on the
    shipped forms and rules read by every command. Only for files we ship (a test loads
    each with both loaders and compares values and key lines); on any YAML error the file
    is read again by the pure loader, whose marks give the messages people see."""


_FastLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_FAST = hasattr(yaml, "CSafeLoader")  # PyYAML built without libyaml: the pure loader only


class _TextLoader(Reader, Scanner, Parser, Composer, SafeConstructor, BaseResolver):
    """A safe loader whose resolver knows no implicit types: every plain scalar is text.

    People type plans, and YAML's guessing turned ``045`` into 37, ``1.10`` into 1.1 and
    ``2025-02-30`` into a crash. With this loader the file's schema types each value (see
    ``Fields``), so what was typed is what is read.
    """

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        BaseResolver.__init__(self)


_TextLoader.add_constructor(BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path: str | Path, what: str, text_only: bool = False,
              shipped: bool = False) -> Any:
    """Load one YAML file; ``what`` names the kind of file in messages ("kế hoạch").

    ``text_only`` reads every scalar as a string (see ``_TextLoader``); ``shipped``: one of
    the package's own files, read with libyaml when it is there (see ``_FastLoader``)."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"Không tìm thấy tệp {what} «{path}».") from None
    except IsADirectoryError:
        raise UserError(f"«{path}» là một thư mục, không phải tệp {what}.") from None
    except UnicodeDecodeError:
        raise UserError(
            f"Tệp {what} «{path}» không phải văn bản UTF-8; hãy lưu lại với bảng mã UTF-8."
        ) from None
    except OSError as exc:
        raise UserError(f"Không đọc được tệp {what} «{path}»: {os_reason(exc)}.") from None
    if shipped and not text_only and _FAST:
        try:
            return yaml.load(text, Loader=_FastLoader)  # noqa: S506
        except yaml.YAMLError:
            pass  # the pure loader below says where, in the words people read
    return loads_yaml(text, path, what, text_only)


def loads_yaml(text: str, path: str | Path, what: str, text_only: bool = False) -> Any:
    try:
        return yaml.load(text, Loader=_TextLoader if text_only else _Loader)  # noqa: S506
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f", dòng {mark.line + 1}, cột {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "lỗi cú pháp"
        raise UserError(
            f"Tệp {what} «{path}»{where}: sai cú pháp YAML ({problem})."
        ) from None
    except yaml.YAMLError as exc:
        raise UserError(f"Tệp {what} «{path}»: sai cú pháp YAML ({exc}).") from None


class Fields:
    """Reads one mapping of a data file with line-accurate, Vietnamese errors.

    Every accepted key must be asked for; ``done()`` refuses whatever is left, so a
    misspelt key is reported instead of silently ignored.
    """

    def __init__(self, data: Any, path: str | Path, what: str, where: str, line: int = 0):
        self.path = path
        self.what = what
        self.where = where
        if not isinstance(data, dict):
            self.fail(f"{where} phải là một bảng khóa: giá trị", line)
        self.data: dict = data
        self.line = getattr(data, "line", line)
        self.seen: set[str] = set()

    def line_of(self, key: str) -> int:
        return self.data.line_of(key) if isinstance(self.data, Mapping) else self.line

    def fail(self, message: str, line: int | None = None, key: str | None = None) -> None:
        if line is None:
            line = self.line_of(key) if key else self.line
        at = f", dòng {line}" if line else ""
        raise UserError(f"Tệp {self.what} «{self.path}»{at}: {message}.")

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str, default: Any = None, required: bool = False) -> Any:
        self.seen.add(key)
        value = self.data.get(key)
        if value is None or (required and value == ""):
            if required:
                others = [str(k) for k in self.data if k != key]
                close = difflib.get_close_matches(key, others, n=1, cutoff=0.6)
                hint = f" (có phải «{close[0]}» là «{key}» viết sai?)" if close else ""
                self.fail(f"thiếu trường «{key}» trong {self.where}{hint}",
                          key=close[0] if close else None)
            return default
        return self.data[key]

    def text(self, key: str, default: str = "", required: bool = False) -> str:
        value = self.raw(key, None, required)
        if value is None:
            return default
        if isinstance(value, (dict, list)):
            self.fail(f"trường «{key}» phải là một đoạn chữ", key=key)
        return str(value).strip("\n") if isinstance(value, str) else str(value)

    def listing(self, key: str, required: bool = False) -> list:
        value = self.raw(key, None, required)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(f"trường «{key}» phải là một danh sách (mỗi mục một dòng «- »)", key=key)
        return value

    def flag(self, key: str) -> bool:
        """A yes/no field; text-only files hold it as a word."""
        value = self.raw(key, False)
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in ("true", "yes", "có", "co", "1", "x"):
            return True
        if word in ("false", "no", "không", "khong", "0", ""):
            return False
        self.fail(f"trường «{key}» chỉ nhận true hoặc false, không phải «{value}»", key=key)
        return False

    def lines(self, key: str, required: bool = False) -> list[str]:
        """A list of text lines. An unquoted item such as ``- Lưu: VT.`` is a one-key
        mapping to YAML; it is read back as the line that was typed."""
        result = []
        for item in self.listing(key, required):
            if isinstance(item, dict) and len(item) == 1:
                (k, v), = item.items()
                if not isinstance(v, (dict, list)):
                    item = f"{k}: {v}" if v not in (None, "") else f"{k}:"
            if isinstance(item, (dict, list)):
                self.fail(f"mỗi mục của «{key}» phải là một dòng chữ", key=key)
            result.append(str(item))
        return result

    def child(self, key: str, value: Any, where: str) -> Fields:
        return Fields(value, self.path, self.what, where, self.line_of(key))

    def done(self) -> None:
        extra = [k for k in self.data if k not in self.seen]
        if extra:
            key = str(extra[0])
            close = difflib.get_close_matches(key, sorted(self.seen), n=1, cutoff=0.6)
            hint = f" (có phải «{close[0]}»?)" if close else ""
            self.fail(f"trường «{key}» không có trong mẫu của {self.where}{hint}", key=key)
