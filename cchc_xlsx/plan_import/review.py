"""What an import could not settle: each doubt names its table and row, and where it sits
in the plan, so the review can print it and the YAML can carry it as a comment."""

from __future__ import annotations

from dataclasses import dataclass, field

from cchc_xlsx.model import Plan


@dataclass(frozen=True)
class Doubt:
    where: str  # "bảng 3, dòng 7", "trang đầu", "tệp" …
    message: str  # one Vietnamese sentence, without the place
    anchor: tuple[str, ...] = ()  # ("meta", "number"), ("task", "1.3"), ("indicator", "2") …

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass
class Review:
    """The import's account: what was found, what to check. ``usable`` is False when
    nothing of a plan was found (exit 2)."""

    source: str
    doubts: list[Doubt] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # done, worth knowing (legacy text …)
    usable: bool = True

    def doubt(self, where: str, message: str, *anchor: str) -> None:
        self.doubts.append(Doubt(where, message, tuple(anchor)))

    @property
    def exit_code(self) -> int:
        return 2 if not self.usable else (1 if self.doubts else 0)

    def text(self, plan: Plan | None) -> str:
        lines = [f"Nhập kế hoạch từ «{self.source}»:"]
        if plan is not None:
            tasks = plan.tasks
            items = [i for i in plan.indicators if not i.group]
            parts = [f"{len(plan.areas)} nhóm nhiệm vụ, {len(tasks)} nhiệm vụ "
                     f"({sum(len(t.products) for t in tasks)} dòng sản phẩm)"] if tasks else []
            if plan.indicators:
                groups = sum(1 for i in plan.indicators if i.group)
                parts.append(f"{len(items)} chỉ tiêu ({groups} nhóm chỉ tiêu)")
            if plan.roadmap:
                criteria = sum(len(p.criteria) for p in plan.roadmap)
                parts.append(f"{len(plan.roadmap)} giai đoạn lộ trình ({criteria} tiêu chí)")
            if plan.procedures:
                parts.append(f"{len(plan.procedures)} thủ tục hành chính")
            parts.append(f"{len(plan.schedule)} kỳ báo cáo")
            lines.append("  Đã đọc: " + ", ".join(parts) + ".")
        for note in self.notes:
            lines.append(f"  Ghi chú: {note}")
        if self.doubts:
            lines.append(f"  Cần kiểm tra ({len(self.doubts)}):")
            lines.extend(f"  - {d}" for d in self.doubts)
        elif self.usable:
            lines.append("  Không có điểm nào cần kiểm tra.")
        return "\n".join(lines)
