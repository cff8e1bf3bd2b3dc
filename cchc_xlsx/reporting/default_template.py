"""Build the default Word report template: an NĐ 30/2020 "BÁO CÁO" with placeholders.

The template is a plain .docx an office opens in Word and edits: prose is theirs, figures
are Jinja placeholders (``{{ nop.da_nop }}``, ``{%p for g in nhom %}``) that docxtpl fills
from the consolidated workbook. It is built by this code with python-docx, so it is
reproducible and reviewable; the built file ships as package data
(``python -m cchc_xlsx.reporting.default_template`` rebuilds it).
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from cchc_xlsx.atomic import atomic_path

FONT = "Times New Roman"
BODY = 14
TEMPLATE = Path(__file__).resolve().parent / "templates" / "bao-cao-cchc.docx"


def _fonts(style) -> None:
    """Times New Roman for every script: Word picks eastAsia/cs fonts for Vietnamese marks."""
    style.font.name = FONT
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def page_numbers(section) -> None:
    """Page number centred in the top margin, not on page 1 (NĐ 30, Phụ lục I); sections
    after ``section`` that keep their header linked number their pages too."""
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    run.font.size = Pt(14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


class _Doc:
    def __init__(self) -> None:
        self.doc = Document()
        normal = self.doc.styles["Normal"]
        _fonts(normal)
        normal.font.size = Pt(BODY)
        fmt = normal.paragraph_format
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(6)
        fmt.line_spacing = 1.1
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        # NĐ 30/2020 Phụ lục I: top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm
        section.top_margin, section.bottom_margin = Mm(20), Mm(20)
        section.left_margin, section.right_margin = Mm(30), Mm(15)
        section.header_distance = Mm(10)
        self._page_numbers(section)

    def _page_numbers(self, section) -> None:
        page_numbers(section)

    def para(self, text: str = "", *, bold: bool = False, italic: bool = False,
             size: float = BODY, align: str = "justify", indent: bool = False,
             underline: bool = False, after: float = 6, container=None,
             keep: bool = False, mark: str = ""):
        """A paragraph. ``keep``: keep with the next paragraph (a heading or a caption never
        ends a page); ``mark``: text after ``text`` highlighted yellow, a placeholder the
        office writes over (``cchc-xlsx report`` counts what is left)."""
        target = container if container is not None else self.doc
        p = target.add_paragraph()
        p.alignment = {"justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "center": WD_ALIGN_PARAGRAPH.CENTER,
                       "left": WD_ALIGN_PARAGRAPH.LEFT}[align]
        p.paragraph_format.space_after = Pt(after)
        if keep:
            p.paragraph_format.keep_with_next = True
        if indent:
            p.paragraph_format.first_line_indent = Cm(1.27)
        for piece, lit in ((text, False), (mark, True)):
            if piece:
                run = p.add_run(piece)
                run.bold, run.italic, run.underline = bold, italic, underline
                run.font.size = Pt(size)
                if lit:
                    run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        return p

    def heading(self, text: str, **kw):
        """A heading: bold, kept with what follows it."""
        return self.para(text, bold=kw.pop("bold", True), keep=True, **kw)

    def tag(self, text: str) -> None:
        """A docxtpl paragraph tag ({%p … %}): its own paragraph, removed when rendered."""
        self.para(text, after=0)

    def tag_in(self, container, text: str) -> None:
        """A paragraph tag inside a table cell."""
        self.para(text, after=0, container=container)

    def rule(self, container=None, width_cm: float = 5.0, total_cm: float = 16.5) -> None:
        """The short solid rule under a heading, as a bottom border on an indented empty
        paragraph (prints the same in Word and LibreOffice)."""
        target = container if container is not None else self.doc
        p = target.add_paragraph()
        side = max(0.0, (total_cm - width_cm) / 2)
        p.paragraph_format.left_indent = Cm(side)
        p.paragraph_format.right_indent = Cm(side)
        p.paragraph_format.space_after = Pt(6)
        p.paragraph_format.line_spacing = Pt(2)
        ppr = p._p.get_or_add_pPr()
        border = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
            bottom.set(qn(k), v)
        border.append(bottom)
        ppr.append(border)

    def grid(self, rows: int, cols: int, widths_cm: list[float], borders: bool):
        table = self.doc.add_table(rows=rows, cols=cols)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        if borders:
            table.style = self.doc.styles["Table Grid"]
        # fixed layout with explicit grid widths: LibreOffice ignores cell widths alone
        tblpr = table._tbl.tblPr
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        tblpr.append(layout)
        width = OxmlElement("w:tblW")
        width.set(qn("w:w"), str(int(sum(widths_cm) * 567)))
        width.set(qn("w:type"), "dxa")
        for old in tblpr.findall(qn("w:tblW")):
            tblpr.remove(old)
        tblpr.append(width)
        for col, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_cm, strict=True):
            col.set(qn("w:w"), str(int(w * 567)))
        for row in table.rows:
            for cell, w in zip(row.cells, widths_cm, strict=True):
                cell.width = Cm(w)
        for row in table.rows:  # a row never splits across pages (rows docxtpl copies too)
            split = OxmlElement("w:cantSplit")
            split.set(qn("w:val"), "true")
            row._tr.get_or_add_trPr().append(split)
        if borders:  # the header row repeats on every page the table runs onto
            trpr = table.rows[0]._tr.get_or_add_trPr()
            header = OxmlElement("w:tblHeader")
            header.set(qn("w:val"), "true")
            trpr.append(header)
        return table


def _cell(cell, text: str, *, bold: bool = False, italic: bool = False, size: float = 12,
          align: str = "center") -> None:
    p = cell.paragraphs[0]
    p.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "left": WD_ALIGN_PARAGRAPH.LEFT,
                   "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
    p.paragraph_format.space_after = Pt(0)
    run = p.add_run(text)
    run.bold, run.italic = bold, italic
    run.font.size = Pt(size)


def _header(d: _Doc) -> None:
    # NĐ 30: both header blocks 12–13 pt; 12 keeps the Quốc hiệu on one line
    # two rows: the blocks, then "Số: …" under the left block on the same line as the
    # place and date under the right one (NĐ 30, Phụ lục I, ô 3 and ô 4)
    t = d.grid(2, 2, [7.4, 9.6], borders=False)
    left, right = t.rows[0].cells
    _cell(left, "{{ co_quan_chu_quan }}", size=12)
    d.para("{{ co_quan }}", bold=True, size=12, align="center", after=0, container=left)
    d.rule(container=left, width_cm=2.4, total_cm=7.4)
    _cell(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12)
    d.para("Độc lập - Tự do - Hạnh phúc", bold=True, size=14, align="center",
           underline=True, after=6, container=right)
    number, day = t.rows[1].cells
    _cell(number, "{{ so_ky_hieu }}", size=13)
    _cell(day, "{{ dia_danh_ngay }}", italic=True, size=14)
    d.para("", after=6)
    d.para("BÁO CÁO", bold=True, align="center", after=0, keep=True)
    d.para("{{ trich_yeu }}", bold=True, align="center", after=0, keep=True)
    d.rule(width_cm=5.0)


def _body(d: _Doc) -> None:
    # the office cites its own plan; a plan of another body leaves the citation to write
    d.tag("{%p if ke_hoach.cua_co_quan %}")
    d.para("Thực hiện Kế hoạch số {{ ke_hoach.so_ky_hieu }} {{ ke_hoach.ngay }} của "
           "{{ ke_hoach.co_quan }} về {{ ke_hoach.trich_yeu }}, {{ co_quan_ten }} báo cáo "
           "kết quả thực hiện công tác cải cách hành chính {{ ky.ten_thuong }} (số liệu từ "
           "ngày {{ ky.tu_ngay }} đến ngày {{ ky.den_ngay }}), tổng hợp từ báo cáo của các "
           "đơn vị trực thuộc, như sau:", indent=True)
    d.tag("{%p else %}")
    p = d.para("Thực hiện ", indent=True,
               mark="Kế hoạch số …/KH-… ngày … tháng … năm … của {{ co_quan_ten }} về công "
                    "tác cải cách hành chính")
    run = p.add_run(", {{ co_quan_ten }} báo cáo kết quả thực hiện công tác cải cách hành "
                    "chính {{ ky.ten_thuong }} (số liệu từ ngày {{ ky.tu_ngay }} đến ngày "
                    "{{ ky.den_ngay }}), tổng hợp từ báo cáo của các đơn vị trực thuộc, như sau:")
    run.font.size = Pt(BODY)
    d.tag("{%p endif %}")
    d.tag("{%p for w in canh_bao %}")
    d.para("", indent=True, mark="(Lưu ý trước khi trình ký: {{ w }} Xóa dòng này khi đã "
                                 "kiểm tra.)")
    d.tag("{%p endfor %}")

    d.heading("I. TÌNH HÌNH NỘP BÁO CÁO CỦA CÁC ĐƠN VỊ")
    d.para("Có {{ nop.da_nop }}/{{ nop.tong }} đơn vị gửi báo cáo (hạn nộp ngày "
           "{{ ky.han_nop }}): {{ nop.dung_han }} đơn vị đúng hạn, {{ nop.qua_han }} đơn vị "
           "quá hạn{% if nop.ds_qua_han %} ({{ nop.ds_qua_han }}){% endif %}. "
           "Số đơn vị có số liệu được tổng hợp: {{ so_don_vi_tong_hop }}.", indent=True)
    d.para("Chưa nộp: {{ nop.chua_nop }} đơn vị{% if nop.ds_chua_nop %} "
           "({{ nop.ds_chua_nop }}){% endif %}. Báo cáo không hợp lệ, chưa được tổng hợp: "
           "{{ nop.khong_hop_le }} đơn vị{% if nop.ds_khong_hop_le %} "
           "({{ nop.ds_khong_hop_le }}){% endif %}.", indent=True)

    d.heading("II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH")
    d.para("Kế hoạch có {{ nhiem_vu.tong }} nhiệm vụ: {{ nhiem_vu.hoan_thanh }} nhiệm vụ đã "
           "hoàn thành ở tất cả các đơn vị báo cáo; {{ nhiem_vu.dang_thuc_hien }} nhiệm vụ "
           "đang thực hiện; {{ nhiem_vu.chua_thuc_hien }} nhiệm vụ chưa thực hiện; "
           "{{ nhiem_vu.khong_phat_sinh }} nhiệm vụ không phát sinh hoặc chưa có số liệu.",
           indent=True)
    d.tag("{%p for g in nhom %}")
    d.heading("{% if g.stt %}{{ g.stt }}. {% endif %}{{ g.ten }}", indent=True)
    d.para("Nhóm có {{ g.so_nhiem_vu }} nhiệm vụ: {{ g.so_hoan_thanh }} đã hoàn thành, "
           "{{ g.so_dang_thuc_hien }} đang thực hiện, {{ g.so_chua_thuc_hien }} chưa thực "
           "hiện, {{ g.so_khong_phat_sinh }} không phát sinh hoặc chưa có số liệu.",
           indent=True, keep=True)
    # lettered from a) over the lists that have tasks (g.muc), never starting at b)
    d.tag("{%p for m in g.muc %}")
    d.heading("{{ m.chu }}) {{ m.ten }}:", bold=False, italic=True, indent=True)
    d.tag("{%p for t in m.nhiem_vu %}")
    d.para("- {{ t.noi_dung }}: {{ t.dem }}.", indent=True)
    d.tag("{%p endfor %}")
    d.tag("{%p endfor %}")
    d.tag("{%p endfor %}")

    d.heading("III. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU")
    # a plan without indicators (Sóc Trăng's) says so: no table of a header alone on paper
    d.tag("{%p if not chi_tieu %}")
    d.para("Kế hoạch không đặt chỉ tiêu định lượng nên mục này không có số liệu tổng hợp.",
           indent=True)
    d.tag("{%p else %}")
    d.para("Kết quả của chỉ tiêu tính theo tỷ lệ là tổng tử số chia tổng mẫu số của các đơn "
           "vị (không lấy trung bình các tỷ lệ); chỉ tiêu tính theo số lượng lấy tổng số của "
           "các đơn vị. Đánh giá so kết quả đó với chỉ tiêu cần đạt; đơn vị có mẫu số bằng 0 "
           "là không phát sinh, không tính là chưa đạt."
           # an indicator whose target is no comparison: the units' own verdicts are counted
           "{% if chi_tieu | selectattr('can_danh_gia') | list %} Chỉ tiêu không có mức so "
           "sánh được (ô đánh giá tô vàng) do cơ quan đánh giá; số đơn vị đạt và đơn vị chưa "
           "đạt của chỉ tiêu đó theo tự đánh giá của từng đơn vị.{% endif %}",
           indent=True, keep=True)
    widths = [1.3, 4.8, 2.5, 2.0, 1.7, 4.2]
    t = d.grid(8, 6, widths, borders=True)
    for cell, text in zip(t.rows[0].cells, ("STT", "Chỉ tiêu", "Chỉ tiêu cần đạt", "Kết quả",
                                            "Số đơn vị đạt", "Đánh giá"), strict=True):
        _cell(cell, text, bold=True)
    _cell(t.rows[1].cells[0], "{%tr for c in chi_tieu %}", align="left")
    _cell(t.rows[2].cells[0], "{%tr if c.nhom %}", align="left")
    # a group row: bold, across the table, kept with the indicator under it
    group = t.rows[3].cells
    _cell(group[0], "{{ c.stt }}", bold=True)
    title = group[1].merge(group[5])
    _cell(title, "{{ c.noi_dung }}", bold=True, align="left")
    for cell in (group[0], title):
        cell.paragraphs[0].paragraph_format.keep_with_next = True
    _cell(t.rows[4].cells[0], "{%tr else %}", align="left")
    row = t.rows[5].cells
    for cell, text, align in zip(row, ("{{ c.stt }}", "{{ c.noi_dung }}", "{{ c.chi_tieu }}",
                                       "{{ c.ket_qua }}", "{{ c.dat }}",
                                       "{{r c.danh_gia_rt }}"),
                                 ("center", "left", "left", "center", "center", "left"),
                                 strict=True):
        _cell(cell, text, align=align)
    _cell(t.rows[6].cells[0], "{%tr endif %}", align="left")
    _cell(t.rows[7].cells[0], "{%tr endfor %}", align="left")
    d.para("", after=0)
    d.tag("{%p endif %}")

    d.heading("IV. TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH")
    d.para("Tổng số hồ sơ nhận giải quyết: {{ tthc_tong.c3 }} (trực tuyến {{ tthc_tong.c4 }}; "
           "trực tiếp, dịch vụ bưu chính {{ tthc_tong.c5 }}; từ kỳ trước chuyển qua "
           "{{ tthc_tong.c6 }}). Đã giải quyết {{ tthc_tong.c7 }} hồ sơ (trước hạn "
           "{{ tthc_tong.c8 }}, đúng hạn {{ tthc_tong.c9 }}, quá hạn {{ tthc_tong.c10 }}); "
           "tỷ lệ giải quyết đúng và trước hạn: {{ tthc_tong.ty_le_dung_han }}. Đang giải "
           "quyết {{ tthc_tong.c11 }} hồ sơ (trong hạn {{ tthc_tong.c12 }}, quá hạn "
           "{{ tthc_tong.c13 }}).", indent=True, keep=True)
    widths = [1.3, 5.7, 2.0, 2.0, 2.0, 1.7, 1.8]
    t = d.grid(5, 7, widths, borders=True)
    for cell, text in zip(t.rows[0].cells, ("STT", "Lĩnh vực", "Nhận giải quyết",
                                            "Đã giải quyết", "Trước, đúng hạn", "Quá hạn",
                                            "Đang giải quyết"), strict=True):
        _cell(cell, text, bold=True)
    _cell(t.rows[1].cells[0], "{%tr for r in tthc %}", align="left")
    for cell, text, align in zip(t.rows[2].cells,
                                 ("{{ r.stt }}", "{{ r.ten }}", "{{ r.c3 }}", "{{ r.c7 }}",
                                  "{{ r.dung_han }}", "{{ r.c10 }}", "{{ r.c11 }}"),
                                 ("center", "left", "center", "center", "center", "center",
                                  "center"), strict=True):
        _cell(cell, text, align=align)
    _cell(t.rows[3].cells[0], "{%tr endfor %}", align="left")
    for cell, text in zip(t.rows[4].cells, ("", "Tổng cộng", "{{ tthc_tong.c3 }}",
                                            "{{ tthc_tong.c7 }}", "{{ tthc_tong.dung_han }}",
                                            "{{ tthc_tong.c10 }}", "{{ tthc_tong.c11 }}"),
                          strict=True):
        _cell(cell, text, bold=True)
    d.para("", after=0)

    d.tag("{%p if cap_hoc %}")
    d.para("Kết quả theo cấp học (số lượt nhiệm vụ của các đơn vị; hồ sơ TTHC):",
           italic=True, indent=True, keep=True)
    widths = [3.7, 1.5, 1.8, 1.8, 1.8, 1.8, 2.0, 2.1]  # the level written out on one line
    t = d.grid(4, 8, widths, borders=True)
    for cell, text in zip(t.rows[0].cells, ("Cấp học", "Số đơn vị", "Đã hoàn thành",
                                            "Đang thực hiện", "Chưa thực hiện",
                                            "Tỷ lệ hoàn thành", "Hồ sơ TTHC đã giải quyết",
                                            "Tỷ lệ đúng và trước hạn"), strict=True):
        _cell(cell, text, bold=True, size=11)
    _cell(t.rows[1].cells[0], "{%tr for h in cap_hoc %}", align="left")
    for cell, text in zip(t.rows[2].cells, ("{{ h.ten }}", "{{ h.so_don_vi }}",
                                            "{{ h.hoan_thanh }}", "{{ h.dang_thuc_hien }}",
                                            "{{ h.chua_thuc_hien }}", "{{ h.ty_le }}",
                                            "{{ h.tthc_da_giai_quyet }}",
                                            "{{ h.tthc_ty_le_dung_han }}"), strict=True):
        _cell(cell, text)
    _cell(t.rows[3].cells[0], "{%tr endfor %}", align="left")
    d.para("", after=0)
    d.tag("{%p endif %}")

    d.heading("V. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT CỦA CÁC ĐƠN VỊ")
    d.tag("{%p if not kho_khan %}")
    d.para("Các đơn vị không nêu khó khăn, vướng mắc hoặc đề xuất.", indent=True)
    d.tag("{%p endif %}")
    d.tag("{%p for k in kho_khan %}")
    d.heading("{{ k.chu_de }}", bold=False, italic=True, indent=True)
    d.tag("{%p for m in k.muc %}")
    d.para("- {{ m.noi_dung }} ({{ m.don_vi }}).", indent=True)
    d.tag("{%p endfor %}")
    d.tag("{%p endfor %}")

    d.heading("VI. ĐÁNH GIÁ CHUNG")
    d.para("1. Ưu điểm: ", indent=True, mark="(Cơ quan soạn nhận xét về ưu điểm.)", keep=True)
    d.para("2. Hạn chế, nguyên nhân: ", indent=True,
           mark="(Cơ quan soạn nhận xét về hạn chế và nguyên nhân.)")
    d.heading("VII. NHIỆM VỤ TRỌNG TÂM KỲ TỚI VÀ KIẾN NGHỊ")
    d.para("", indent=True, mark="(Cơ quan soạn nhiệm vụ trọng tâm kỳ tới và kiến nghị.)")
    # the closing sentence goes with the signature: never a signature alone on a page
    d.para("Trên đây là báo cáo kết quả thực hiện công tác cải cách hành chính "
           "{{ ky.ten_thuong }} của {{ co_quan_ten }}. (Kèm theo các phụ lục tổng hợp số liệu "
           "từ các đơn vị.)", indent=True, keep=True)


def _signature(d: _Doc) -> None:
    """Nơi nhận and the signer (title, room to sign, name) in one table row that cannot
    split, kept with the closing sentence above it."""
    d.para("", after=0, keep=True)
    t = d.grid(1, 2, [8.0, 8.5], borders=False)
    left, right = t.rows[0].cells
    _cell(left, "Nơi nhận:", bold=True, italic=True, align="left")
    p = left.add_paragraph("{%p for n in noi_nhan %}")
    p.paragraph_format.space_after = Pt(0)
    p = left.add_paragraph()
    p.paragraph_format.space_after = Pt(0)
    run = p.add_run("{{ n }}")
    run.font.size = Pt(11)
    p = left.add_paragraph("{%p endfor %}")
    p.paragraph_format.space_after = Pt(0)
    p = right.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("{%p for line in ky_ten.chuc_danh %}")
    d.para("{{ line }}", bold=True, align="center", after=0, container=right, keep=True)
    d.para("{%p endfor %}", align="center", after=0, container=right)
    for _ in range(4):
        d.para("", align="center", after=0, container=right, keep=True)
    d.tag_in(right, "{%p if ky_ten.ten %}")
    d.para("{{ ky_ten.ten }}", bold=True, align="center", after=0, container=right)
    d.tag_in(right, "{%p else %}")
    d.para("", bold=True, align="center", after=0, container=right,
           mark="(Họ và tên người ký)")
    d.tag_in(right, "{%p endif %}")


def build(path: str | Path = TEMPLATE) -> Path:
    """Write the default template to ``path`` (atomically) and return it."""
    d = _Doc()
    _header(d)
    _body(d)
    _signature(d)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        d.doc.core_properties.author = "cchc-xlsx"
        d.doc.core_properties.title = "Mẫu báo cáo kết quả thực hiện công tác CCHC"
        d.doc.save(str(tmp))
    return path


if __name__ == "__main__":
    print(build(sys.argv[1] if len(sys.argv) > 1 else TEMPLATE))
