"""Write a ``Plan`` as plan YAML (docs/plan-format.md) that ``load_plan`` reads back to the
same plan, with comments where a person should check something.

Used by ``plan import`` (Word, Excel, the plan workbook). Every text value is quoted by
PyYAML's own emitter whenever YAML could read it as anything but that text, and multi-line
cells become ``|-`` blocks, one line per item, as a person would write them.
"""

from __future__ import annotations

from collections.abc import Iterable

import yaml

from cchc_xlsx.model import Indicator, Plan, Product
from cchc_xlsx.plans.phrases import find_target, parse_target
from cchc_xlsx.plans.plan_loader import default_measure

CHECK = "KIỂM TRA"


def _scalar(value: str, indent: int) -> str:
    """``value`` as YAML that reads back to exactly ``value``: a ``|-`` block for ordinary
    multi-line cells (one item per line, as people write them), otherwise what PyYAML's
    emitter chooses (plain, quoted, or double-quoted with escapes for anything odd)."""
    lines = value.split("\n")
    if len(lines) > 1 and all(_block_line(line) for line in lines):
        pad = " " * (indent + 2)
        return "|-" + "".join(f"\n{pad}{line}" for line in lines)
    # YAML's other line breaks (NEL, LS, PS) fold inside single quotes: escape them too
    style = '"' if len(lines) > 1 or any(c in value for c in "\x85\u2028\u2029") else None
    dumped = yaml.safe_dump(value, allow_unicode=True, width=10**9, default_style=style)
    if dumped.endswith("\n...\n"):
        dumped = dumped[:-5]
    return dumped.rstrip("\n")


def _block_line(line: str) -> bool:
    return bool(line) and line == line.strip() and line.isprintable()


class _Out:
    def __init__(self, comments: dict[tuple[str, ...], list[str]]) -> None:
        self.lines: list[str] = []
        self.comments = comments

    def note(self, anchor: tuple[str, ...], indent: int) -> None:
        for message in self.comments.pop(anchor, []):
            self.lines.append(f"{' ' * indent}# {CHECK}: {message}")

    def kv(self, indent: int, key: str, value: str, first: bool = False) -> None:
        lead = " " * (indent - 2) + "- " if first else " " * indent
        self.lines.append(f"{lead}{key}: {_scalar(value, indent)}")

    def raw(self, text: str) -> None:
        self.lines.append(text)


def plan_yaml(plan: Plan, header: Iterable[str] = (),
              comments: dict[tuple[str, ...], list[str]] | None = None) -> str:
    """The plan as YAML text. ``comments`` maps an anchor (("meta", "number"),
    ("task", "1.3"), ("indicator", "2"), ("schedule",) …) to messages written above it;
    anchors not found in the plan are written in the header."""
    out = _Out({k: list(v) for k, v in (comments or {}).items()})
    head = list(header)
    m = plan.meta
    out.raw(f"id: {_scalar(plan.id, 0)}")
    out.raw("meta:")
    for key in ("superior_body", "issuing_body", "number", "symbol", "place"):
        out.note(("meta", key), 2)
        out.kv(2, key, getattr(m, key))
    out.note(("meta", "date"), 2)
    if m.date is not None:
        out.raw(f"  date: {m.date.isoformat()}")
    else:
        out.kv(2, "date_text", m.date_text)
    out.note(("meta", "title"), 2)
    out.kv(2, "title", m.title)
    out.note(("meta", "year"), 2)
    out.raw(f"  year: {m.year or ''}")
    out.note(("meta", "signer"), 2)
    out.raw("  signer:")
    for key in ("authority", "head_title", "title", "name"):
        out.kv(4, key, getattr(m.signer, key))
    out.note(("meta", "recipients"), 2)
    out.raw("  recipients:" + ("" if m.recipients else " []"))
    for r in m.recipients:
        out.raw(f"    - {_scalar(r, 4)}")
    out.raw("appendices:" + ("" if plan.appendices else " []"))
    for i, a in enumerate(plan.appendices):
        out.note(("appendix", str(i)), 2)
        out.kv(4, "form", a.form, first=True)
        out.kv(4, "number", a.number)
        out.kv(4, "title", a.title)
        out.kv(4, "attached_line", a.attached_line)
    out.raw("areas:" + ("" if plan.areas else " []"))
    for area in plan.areas:
        out.note(("area", area.title), 2)
        out.kv(4, "stt", area.stt, first=True)
        out.kv(4, "title", area.title)
        out.raw("    tasks:")
        for t in area.tasks:
            out.note(("task", t.uid or t.stt), 6)  # the key when STTs restart per group
            out.kv(8, "stt", t.stt, first=True)
            out.kv(8, "content", t.content)
            if len(t.products) == 1:
                _product(out, t.products[0], 8, first=False)
            else:
                out.raw("        products:")
                for p in t.products:
                    _product(out, p, 12, first=True)
    out.raw("indicators:" + ("" if plan.indicators else " []"))
    for ind in plan.indicators:
        out.note(("indicator", ind.stt), 2)
        _indicator(out, ind)
    out.raw("roadmap:" + ("" if plan.roadmap else " []"))
    for phase in plan.roadmap:
        out.kv(4, "code", phase.code, first=True)
        out.kv(4, "title", phase.title)
        out.raw("    criteria:")
        for c in phase.criteria:
            out.note(("row", c.stt), 6)
            out.kv(8, "stt", c.stt, first=True)
            out.kv(8, "criterion", c.criterion)
            out.raw("        targets:" + ("" if c.targets else " []"))
            for target in c.targets:
                out.raw(f"          - {_scalar(target.text, 10)}")
            out.kv(8, "lead", c.lead)
            out.kv(8, "coordinating", c.coordinating)
    out.note(("schedule",), 0)
    out.raw("schedule:" + ("" if plan.schedule else " []"))
    for p in plan.schedule:
        out.kv(4, "id", p.id, first=True)
        out.kv(4, "name", p.name)
        out.raw(f"    from: {p.start.isoformat()}")
        out.raw(f"    to: {p.end.isoformat()}")
        out.raw(f"    due: {p.due.isoformat()}")
        out.kv(4, "note", p.note)
        if p.kind != "report":
            out.kv(4, "kind", p.kind)
    out.raw("procedures:" + ("" if plan.procedures else " []"))
    for proc in plan.procedures:
        out.kv(4, "name", proc.name, first=True)
        out.kv(4, "field", proc.field)
        out.kv(4, "assignee", proc.assignee)
    out.raw("report_forms:" + ("" if plan.report_forms else " []"))
    for form in plan.report_forms:
        out.raw(f"  - {_scalar(form, 2)}")
    for messages in out.comments.values():
        head.extend(f"{CHECK}: {message}" for message in messages)
    top = [f"# {line}" for line in head]
    return "\n".join(top + out.lines) + "\n"


def _product(out: _Out, p: Product, indent: int, first: bool) -> None:
    out.kv(indent, "product", p.product, first=first)
    out.kv(indent, "deadline", p.deadline.text)
    out.kv(indent, "lead", p.lead)
    out.kv(indent, "coordinating", p.coordinating)


def _indicator(out: _Out, ind: Indicator) -> None:
    out.kv(4, "stt", ind.stt, first=True)
    out.kv(4, "text", ind.text)
    if ind.group:
        out.raw("    group: true")
    else:
        derived = find_target(ind.text)
        if ind.target is not None and ind.target != derived and \
                parse_target(ind.target.text) == ind.target:
            out.kv(4, "target", ind.target.text)
            derived = ind.target
        measure = default_measure(derived)
        if ind.measure != measure:
            out.kv(4, "measure", ind.measure)
    out.kv(4, "lead", ind.lead)
    out.kv(4, "coordinating", ind.coordinating)
