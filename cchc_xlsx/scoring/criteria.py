"""A CCHC scoring criteria set (bộ tiêu chí chấm điểm CCHC), read from YAML.

Provinces revise their criteria every year, so the tree (lĩnh vực → tiêu chí → tiêu chí
thành phần), the points, the scoring modes and the classification bands are data. Every
problem in a criteria file names the file and the line, in Vietnamese. The fingerprint of
the tree travels in each generated workbook so a return scored against another version is
refused instead of ranked.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cchc_xlsx.errors import UserError
from cchc_xlsx.reading.normalize import fold
from cchc_xlsx.resources import data_dir
from cchc_xlsx.yamlio import Fields, load_yaml

WHAT = "bộ tiêu chí"
MODES = ("step", "ratio", "yesno")
MODE_VI = {"step": "chấm điểm theo bước", "ratio": "theo tỷ lệ đạt", "yesno": "có/không"}
LEVEL_VI = {1: "lĩnh vực", 2: "tiêu chí", 3: "tiêu chí thành phần"}
NA_TEXT = "Không áp dụng"
YES, NO = "Có", "Không"
EPS = 1e-9


@dataclass(frozen=True)
class Band:
    """Ratio (in percent) at least ``min`` gives ``points``."""

    min: float
    points: float


@dataclass(frozen=True)
class Scoring:
    mode: str  # step | ratio | yesno
    step: float = 0.25
    bands: tuple[Band, ...] = ()  # ratio mode, highest min first

    def allowed_points(self, maximum: float) -> list[float] | None:
        """The only scores a mode allows, or None for free points on a step."""
        if self.mode == "ratio":
            return sorted({b.points for b in self.bands})
        if self.mode == "yesno":
            return [0.0, maximum]
        return None

    def band_points(self, ratio_percent: float) -> float:
        for band in self.bands:
            if ratio_percent + EPS >= band.min:
                return band.points
        return 0.0


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    level: int  # 1 lĩnh vực, 2 tiêu chí, 3 tiêu chí thành phần
    max: float
    guide: str = ""
    scoring: Scoring | None = None  # leaves only
    evidence: bool = True  # evidence or an explanation needed when the score is above 0
    not_applicable: bool = False  # the unit may mark it "Không áp dụng"
    applies_to: tuple[str, ...] = ()  # unit levels (cấp học); empty: every unit
    children: tuple[Item, ...] = ()

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def applies(self, unit_level: str) -> bool:
        return not self.applies_to or level_key(unit_level) in {
            level_key(a) for a in self.applies_to}


LEVEL_ALIASES = {"thcs": "trung học cơ sở", "thpt": "trung học phổ thông", "mn": "mầm non",
                 "th": "tiểu học", "mg": "mẫu giáo", "gdtx": "giáo dục thường xuyên"}


def level_key(text: str) -> str:
    """A school level as typed ("THCS", "Trung học cơ sở", "trung hoc co so") → one key."""
    key = fold(text)
    return LEVEL_ALIASES.get(key.replace(" ", ""), key)


@dataclass(frozen=True)
class Classification:
    name: str
    min: float  # on the (rescaled) total


@dataclass(frozen=True)
class CriteriaSet:
    id: str
    name: str
    year: int
    decision: str  # the deciding document, e.g. "QĐ 123/QĐ-SGDĐT ngày …"
    sample: bool
    scale: float  # the total is rescaled to this when items are not applicable
    rescale: bool
    classes: tuple[Classification, ...]  # highest min first
    areas: tuple[Item, ...]
    source: str = ""
    fingerprint: str = ""
    by_code: dict[str, Item] = field(default_factory=dict, compare=False, repr=False)

    @property
    def tag(self) -> str:
        """What a workbook carries to say which criteria it was made from."""
        return f"scoring|{self.id}|{self.year}|{self.fingerprint}"

    @property
    def label(self) -> str:
        return f"«{self.name}» năm {self.year} ({self.decision})"

    @property
    def total_max(self) -> float:
        return sum(a.max for a in self.areas)

    def walk(self, unit_level: str | None = None) -> Iterator[Item]:
        """Every item in sheet order; only those applying to ``unit_level`` when given."""

        def visit(item: Item) -> Iterator[Item]:
            if unit_level is not None and not self.unit_max(item, unit_level):
                return  # not for this level, or nothing under it is
            yield item
            for child in item.children:
                yield from visit(child)

        for area in self.areas:
            yield from visit(area)

    def unit_max(self, item: Item, unit_level: str) -> float:
        """An item's maximum for a unit of ``unit_level``: its applying leaves only."""
        if not item.applies(unit_level):
            return 0.0
        if item.is_leaf:
            return item.max
        return sum(self.unit_max(c, unit_level) for c in item.children)

    def leaves(self) -> list[Item]:
        return [i for i in self.walk() if i.is_leaf]

    def area_of(self, code: str) -> str:
        return code.split(".")[0]

    def classify(self, total: float) -> str:
        for c in self.classes:
            if total + EPS >= c.min:
                return c.name
        return self.classes[-1].name if self.classes else ""


def parse_tag(text: str) -> tuple[str, str, str] | None:
    """Inverse of ``CriteriaSet.tag``: (id, year, fingerprint)."""
    parts = str(text or "").split("|")
    if len(parts) != 4 or parts[0] != "scoring":
        return None
    return parts[1], parts[2], parts[3]


def _number(f: Fields, key: str, default: float | None = None, required: bool = False
            ) -> float | None:
    value = f.raw(key, default, required)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        f.fail(f"trường «{key}» phải là một số (dùng dấu chấm thập phân, ví dụ 0.5)", key=key)
    if value < 0:
        f.fail(f"trường «{key}» không được âm", key=key)
    return float(value)


def _flag(f: Fields, key: str, default: bool) -> bool:
    value = f.raw(key, default)
    if not isinstance(value, bool):
        f.fail(f"trường «{key}» phải là true hoặc false", key=key)
    return value


def _scoring(f: Fields, raw: Any, maximum: float, defaults: dict[str, Any], where: str
             ) -> Scoring:
    if raw is None:
        raw = defaults.get("scoring", {"step": defaults.get("step", 0.25)})
    if raw == "yesno":
        return Scoring("yesno")
    s = f.child("scoring", raw, f"cách tính điểm của {where}")
    if s.has("step"):
        step = _number(s, "step")
        if not step or step <= 0:
            s.fail("«step» phải lớn hơn 0", key="step")
        if abs(maximum / step - round(maximum / step)) > 1e-6:
            s.fail(f"điểm tối đa {maximum:g} không chia hết cho bước {step:g}", key="step")
        s.done()
        return Scoring("step", step=step)
    if s.has("ratio"):
        bands = []
        for i, b in enumerate(s.listing("ratio")):
            bf = s.child("ratio", b, f"mức thứ {i + 1} của {where}")
            band = Band(_number(bf, "min", required=True), _number(bf, "points", required=True))
            if band.points > maximum + EPS:
                bf.fail(f"mức điểm {band.points:g} lớn hơn điểm tối đa {maximum:g}",
                        key="points")
            if band.min > 100:
                bf.fail("tỷ lệ «min» tính theo phần trăm, không quá 100", key="min")
            bf.done()
            bands.append(band)
        if not bands:
            s.fail("«ratio» cần ít nhất một mức (min, points)", key="ratio")
        s.done()
        return Scoring("ratio", bands=tuple(sorted(bands, key=lambda b: -b.min)))
    s.fail("cách tính điểm phải là «yesno», {step: …} hoặc {ratio: [...]}")
    raise AssertionError  # unreachable


def _item(f: Fields, level: int, parent: str, defaults: dict[str, Any], seen: dict[str, int]
          ) -> Item:
    what = LEVEL_VI[level]
    code = f.text("code", required=True).strip()
    where = f"{what} «{code}»"
    if code in seen:
        f.fail(f"mã «{code}» trùng với dòng {seen[code]}", key="code")
    seen[code] = f.line_of("code")
    expected_depth = level
    if len(code.split(".")) != expected_depth or (parent and not code.startswith(parent + ".")):
        hint = f"bắt đầu bằng «{parent}.»" if parent else "một số, ví dụ «1»"
        f.fail(f"mã {what} «{code}» phải có {level} cấp ({hint})", key="code")
    name = f.text("name", required=True)
    guide = f.text("guide")
    evidence = _flag(f, "evidence", defaults.get("evidence", True))
    na = _flag(f, "not_applicable", defaults.get("not_applicable", False))
    applies = tuple(str(a) for a in f.listing("applies_to"))
    children: list[Item] = []
    key = "items"
    if level < 3 and f.has(key):
        child_defaults = {**defaults, "evidence": evidence, "not_applicable": na}
        for i, raw in enumerate(f.listing(key)):
            cf = f.child(key, raw, f"mục thứ {i + 1} của {where}")
            children.append(_item(cf, level + 1, code, child_defaults, seen))
            cf.done()
        if not children:
            f.fail(f"{where} có «items» rỗng", key=key)
    maximum = _number(f, "max")
    scoring = None
    if children:
        total = sum(c.max for c in children)
        if maximum is not None and abs(maximum - total) > 1e-6:
            f.fail(f"điểm tối đa của {where} là {maximum:g} nhưng tổng điểm các mục con là "
                   f"{total:g}", key="max")
        maximum = total
        f.raw("scoring")
        f.raw("step")
    else:
        if level == 1:
            f.fail(f"{where} phải có các tiêu chí (trường «items»)")
        if maximum is None or maximum <= 0:
            f.fail(f"thiếu điểm tối đa («max», lớn hơn 0) của {where}")
        raw = f.raw("scoring")
        if raw is None and f.has("step"):
            raw = {"step": f.raw("step")}
        scoring = _scoring(f, raw, maximum, defaults, where)
    return Item(code, name, level, maximum, guide, scoring, evidence, na, applies,
                tuple(children))


def _fingerprint(areas: tuple[Item, ...], scale: float, rescale: bool) -> str:
    def plain(item: Item) -> Any:
        s = item.scoring
        return [item.code, item.max, item.evidence, item.not_applicable, list(item.applies_to),
                [s.mode, s.step, [[b.min, b.points] for b in s.bands]] if s else None,
                [plain(c) for c in item.children]]

    text = json.dumps([[plain(a) for a in areas], scale, rescale], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def load_criteria(path: str | Path) -> CriteriaSet:
    """Load and check a criteria file; a bare name picks a shipped set (``par-mau``)."""
    path = resolve(path)
    top = Fields(load_yaml(path, WHAT), path, WHAT, "tệp bộ tiêu chí")
    meta = top.child("criteria", top.raw("criteria", required=True), "mục «criteria»")
    cid = meta.text("id", required=True)
    name = meta.text("name", required=True)
    year_raw = meta.raw("year", required=True)
    if not isinstance(year_raw, int) or not 2000 <= year_raw <= 2100:
        meta.fail("«year» phải là một năm, ví dụ 2025", key="year")
    decision = meta.text("decision", required=True)
    sample = _flag(meta, "sample", False)
    scale = _number(meta, "scale", 100.0)
    rescale = _flag(meta, "rescale_not_applicable", True)
    defaults: dict[str, Any] = {}
    if meta.has("defaults"):
        d = meta.child("defaults", meta.raw("defaults"), "mục «defaults»")
        if d.has("step"):
            defaults["scoring"] = {"step": _number(d, "step")}
        defaults["evidence"] = _flag(d, "evidence", True)
        defaults["not_applicable"] = _flag(d, "not_applicable", False)
        d.done()
    classes = []
    for i, raw in enumerate(meta.listing("classification", required=True)):
        cf = meta.child("classification", raw, f"mức xếp loại thứ {i + 1}")
        classes.append(Classification(cf.text("name", required=True),
                                      _number(cf, "min", required=True)))
        cf.done()
    meta.done()
    seen: dict[str, int] = {}
    areas = []
    for i, raw in enumerate(top.listing("areas", required=True)):
        af = top.child("areas", raw, f"lĩnh vực thứ {i + 1}")
        areas.append(_item(af, 1, "", defaults, seen))
        af.done()
    top.done()
    if not areas:
        top.fail("bộ tiêu chí chưa có lĩnh vực nào", key="areas")
    area_tuple = tuple(areas)
    crit = CriteriaSet(
        id=cid, name=name, year=year_raw, decision=decision, sample=sample, scale=scale,
        rescale=rescale, classes=tuple(sorted(classes, key=lambda c: -c.min)),
        areas=area_tuple, source=str(path),
        fingerprint=_fingerprint(area_tuple, scale, rescale))
    crit.by_code.update({i.code: i for i in crit.walk()})
    return crit


def shipped() -> list[Path]:
    return sorted(data_dir("criteria").glob("*.yaml"))


def resolve(path: str | Path) -> Path:
    """A path as given, or the shipped criteria set of that name."""
    p = Path(path)
    if p.exists() or p.suffix:
        return p
    for candidate in shipped():
        if str(path) in (candidate.stem, candidate.stem.rsplit("-", 1)[0]):
            return candidate
    names = ", ".join(c.stem for c in shipped())
    raise UserError(f"Không tìm thấy tệp {WHAT} «{path}» (bộ có sẵn: {names}).")
