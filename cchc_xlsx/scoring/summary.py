"""A criteria set as a short text, for ``criteria show`` and for reviewing an import."""

from __future__ import annotations

from cchc_xlsx.scoring.criteria import MODE_VI, CriteriaSet


def criteria_summary(crit: CriteriaSet) -> str:
    lines = [f"Bộ tiêu chí: {crit.name}",
             f"Năm {crit.year}; văn bản: {crit.decision}; mã {crit.id}, dấu {crit.fingerprint}",
             f"Tổng điểm tối đa {crit.total_max:g}; quy đổi thang {crit.scale:g}"
             + (" khi có tiêu chí không áp dụng" if crit.rescale else " (không quy đổi)"),
             "Xếp loại: " + "; ".join(f"{c.name} từ {c.min:g}" for c in crit.classes)]
    if crit.sample:
        lines.append("MẪU MINH HỌA: không phải bộ tiêu chí chính thức.")
    for item in crit.walk():
        pad = "  " * item.level
        extra = []
        if item.is_leaf and item.scoring:
            s = item.scoring
            step = f" {s.step:g}".replace(".", ",") if s.mode == "step" else ""
            extra.append(MODE_VI[s.mode] + step)
        if item.not_applicable:
            extra.append("được chọn «Không áp dụng»")
        if item.applies_to:
            extra.append("chỉ cho " + ", ".join(item.applies_to))
        tail = f" [{'; '.join(extra)}]" if extra else ""
        points = f"{item.max:g}".replace(".", ",")
        lines.append(f"{pad}{item.code} {item.name} — {points} điểm{tail}")
    return "\n".join(lines)
