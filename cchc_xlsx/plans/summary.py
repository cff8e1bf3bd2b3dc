"""Human-readable summaries of a plan, in Vietnamese, for ``cchc-xlsx plan show``."""

from __future__ import annotations

from cchc_xlsx.model import Plan


def _d(d) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}" if d else ""


def plan_summary(plan: Plan) -> str:
    m = plan.meta
    lines = [
        f"Kế hoạch: {plan.id}  ({plan.source})",
        f"  Cơ quan: {m.superior_body} / {m.issuing_body}",
        f"  Số: {m.number_symbol or '(chưa ghi)'}   "
        f"Ngày: {_d(m.date) or m.date_text or '(chưa ghi)'}",
        f"  Trích yếu: {m.title}",
    ]
    if plan.appendices:
        lines.append("Phụ lục:")
        for a in plan.appendices:
            lines.append(f"  {a.number or '-':>3}  {a.form:<20} {a.title}")
    n_tasks = len(plan.tasks)
    n_products = sum(len(t.products) for t in plan.tasks)
    lines.append(f"Nhiệm vụ: {n_tasks} trong {len(plan.areas)} nhóm ({n_products} dòng sản phẩm)")
    items = [i for i in plan.indicators if not i.group]
    parsed = sum(1 for i in items if i.target is not None and i.target.parsed)
    rates = sum(1 for i in items if i.measure == "rate")
    lines.append(f"Chỉ tiêu: {len(items)} (đọc được chỉ tiêu cần đạt: {parsed}; "
                 f"tính theo tỷ lệ: {rates})")
    if plan.roadmap:
        crit = sum(len(p.criteria) for p in plan.roadmap)
        lines.append(f"Lộ trình: {len(plan.roadmap)} giai đoạn, {crit} tiêu chí")
    if plan.procedures:
        lines.append(f"Thủ tục hành chính: {len(plan.procedures)}")
    if plan.schedule:
        lines.append("Kỳ báo cáo (mã dùng cho --period):")
        for p in plan.schedule:
            if p.kind == "plan":  # not a reporting period: the units send their own plans
                continue
            lines.append(f"  {p.id:<12} {p.name:<24} số liệu {_d(p.start)} – {_d(p.end)}, "
                         f"hạn nộp {_d(p.due)}")
        for p in plan.schedule:
            if p.kind == "plan":
                lines.append(f"Các đơn vị gửi kế hoạch của mình ({p.id}): hạn gửi {_d(p.due)} "
                             "(cchc-xlsx unit-plan draft / validate / merge)")
    else:
        lines.append("Kỳ báo cáo: (kế hoạch chưa có lịch báo cáo)")
    return "\n".join(lines)
