"""Targets and deadlines as the five seed plans write them (phrases copied, not loaded)."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import date

import pytest

from cchc_xlsx.model import Deadline, Target
from cchc_xlsx.plans.phrases import (
    find_target,
    find_targets,
    parse_deadline,
    parse_target,
    parse_vn_date,
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def tg(
    text: str,
    op: str,
    value: float | None,
    unit: str | None,
    baseline: str | None = None,
    per: str | None = None,
    direction: str | None = None,
) -> Target:
    return Target(text, True, op, value, unit, baseline, per, direction)


# --- targets: phrases on their own ---------------------------------------------------------

# (phrase, op, value, unit, baseline, per, direction)
PHRASES = [
    ("từ 98% trở lên", ">=", 98, "%", None, None, None),
    ("tối thiểu 40%", ">=", 40, "%", None, None, None),
    ("tối thiểu 20%", ">=", 20, "%", None, None, None),
    ("tối thiểu 10%", ">=", 10, "%", None, None, None),
    ("đạt 100%", ">=", 100, "%", None, None, None),
    ("100%", ">=", 100, "%", None, None, None),
    ("đạt từ 90% trở lên", ">=", 90, "%", None, None, None),
    ("đạt từ 95% trở lên", ">=", 95, "%", None, None, None),
    ("đạt từ 80% trở lên", ">=", 80, "%", None, None, None),
    ("đạt 70% trở lên", ">=", 70, "%", None, None, None),
    ("đạt 100% trở lên", ">=", 100, "%", None, None, None),
    ("đạt tỷ lệ 100%", ">=", 100, "%", None, None, None),
    ("đạt 80%", ">=", 80, "%", None, None, None),
    ("đạt 4%", ">=", 4, "%", None, None, None),
    ("ít nhất 20%", ">=", 20, "%", None, None, None),
    ("ít nhất 30%", ">=", 30, "%", None, None, None),
    ("ít nhất 70%", ">=", 70, "%", None, None, None),
    ("từ 20% TTHC trở lên", ">=", 20, "%", None, None, None),
    ("trên 88%", ">", 88, "%", None, None, None),
    ("đạt trên 88%", ">", 88, "%", None, None, None),
    ("trên 95%", ">", 95, "%", None, None, None),
    ("không quá 5%", "<=", 5, "%", None, None, None),
    ("tối đa 10%", "<=", 10, "%", None, None, None),
    ("không vượt quá 3%", "<=", 3, "%", None, None, None),
    ("dưới 5%", "<", 5, "%", None, None, None),
    ("10% trở xuống", "<=", 10, "%", None, None, None),
    ("98,5%", ">=", 98.5, "%", None, None, None),
    ("từ 98,5% trở lên", ">=", 98.5, "%", None, None, None),
    ("không có công chức, viên chức bị kỷ luật", "=", 0, "count", None, None, None),
    ("không có công chức, viên chức bị kỉ luật", "=", 0, "count", None, None, None),
    ("không có hồ sơ thủ tục hành chính giải quyết trễ hạn", "=", 0, "count", None, None, None),
    ("không để trễ hẹn", "=", 0, "count", None, None, None),
    ("bằng hoặc cao hơn năm 2022", ">=", None, None, "2022", None, None),
    ("bằng hoặc cao hơn so với năm 2022", ">=", None, None, "2022", None, None),
    ("bằng hoặc cao hơn năm trước", ">=", None, None, "last_year", None, None),
    ("không thấp hơn cùng kỳ năm trước", ">=", None, None, "last_year", None, None),
    (
        "Giảm tối thiểu 10% biên chế sự nghiệp hưởng lương từ ngân sách nhà nước so với "
        "năm 2021",
        "change", 10, "%", "2021", None, "decrease",
    ),
    ("Giảm 5% biên chế", "change", 5, "%", None, None, "decrease"),
    ("Tăng 10% so với năm 2022", "change", 10, "%", "2022", None, "increase"),
    ("tăng bậc so với năm 2023", "change", None, None, "2023", None, "increase"),
    ("mỗi tháng có ít nhất 01 tin, bài", ">=", 1, "count", None, "month", None),
    ("Mỗi tháng có ít nhất 01 tin, bài", ">=", 1, "count", None, "month", None),
    ("Mỗi quý có ít nhất 01 tin, bài", ">=", 1, "count", None, "quarter", None),
    ("hàng năm có ít nhất 02 sáng kiến", ">=", 2, "count", None, "year", None),
    ("mỗi năm có ít nhất 01 mô hình", ">=", 1, "count", None, "year", None),
    ("ít nhất 01 tin, bài mỗi tháng", ">=", 1, "count", None, "month", None),
    ("02 lần/năm", ">=", 2, "count", None, "year", None),
    ("trên 30 lần/tháng", ">", 30, "count", None, "month", None),
    ("trên 15 ngày/tháng", ">", 15, "count", None, "month", None),
    ("có thu nhập tăng thêm từ 1.0 lần", ">=", 1.0, "count", None, None, None),
    ("từ 1,5 lần", ">=", 1.5, "count", None, None, None),
]


@pytest.mark.parametrize(("phrase", "op", "value", "unit", "baseline", "per", "direction"), PHRASES)
def test_parse_target_phrase(phrase, op, value, unit, baseline, per, direction):
    assert parse_target(phrase) == tg(phrase, op, value, unit, baseline, per, direction)


@pytest.mark.parametrize(("phrase", "op", "value", "unit", "baseline", "per", "direction"), PHRASES)
def test_parse_target_nfd_same_result_text_untouched(
    phrase, op, value, unit, baseline, per, direction
):
    decomposed = nfd(phrase)
    got = parse_target(decomposed)
    assert got == tg(decomposed, op, value, unit, baseline, per, direction)
    assert got.text.encode() == decomposed.encode()


# --- targets: found inside the seeds' indicator texts -------------------------------------

R100 = (">=", 100, "%")

# (seed, indicator text as printed, the target phrase inside it, (op, value, unit, ...))
SEED_TEXTS = [
    # 001, section II
    ("001 II.1",
     "Phấn đấu Chỉ số cải cách hành chính của trường năm 2023 bằng hoặc cao hơn so với "
     "năm 2022.",
     "bằng hoặc cao hơn so với năm 2022", (">=", None, None, "2022")),
    ("001 II.3.1",
     "Tỷ lệ giải quyết hồ sơ thủ tục hành chính đúng hạn: từ 98% trở lên.",
     "từ 98% trở lên", (">=", 98, "%")),
    ("001 II.3.3", "100% hồ sơ thủ tục hành chính giải quyết đúng hạn", "100%", R100),
    ("001 II.4a",
     "Phấn đấu mức độ hài lòng của cá nhân, tổ chức đối với sự phục vụ đạt 100%.",
     "đạt 100%", R100),
    ("001 II.4b",
     "Phản đấu mức độ hài lòng của cá nhân, tổ chức về giải quyết thủ tục hành chính đạt "
     "100%.",
     "đạt 100%", R100),
    ("001 II.5",
     "100% các phản ánh, kiến nghị của cá nhân, tổ chức về quy định, thủ tục hành chính "
     "thuộc thẩm quyền giải quyết của trường được tiếp nhận, xử lý, trả lời và công khai kết "
     "quả trả lời trên Cổng dịch vụ.",
     "100%", R100),
    ("001 II.7",
     "Tham gia số hóa kết quả và hồ sơ giải quyết thủ tục hành chính đang còn hiệu lực và có "
     "giá trị sử dụng thuộc thẩm quyền giải quyết của đơn vị 100%.",
     "100%", R100),
    ("001 II.8",
     "Thực hiện giải ngân kế hoạch đầu tư vốn ngân sách nhà nước đạt từ 90% trở lên; phản "
     "ứng tỷ lệ giải ngân vốn đầu tư công đạt từ 95% trở lên.",
     "đạt từ 90% trở lên", (">=", 90, "%")),
    ("001 II.10.1",
     "100% các văn bản, tài liệu chính thức trao đổi giữa các cơ quan hành chính nhà nước "
     "được thực hiện trên môi trường điện tử trừ các văn bản có chứa bí mật nhà nước.",
     "100%", R100),
    ("001 II.11",
     "Đẩy mạnh dịch vụ công trực tuyến mức độ 3, mức độ 4 gắn với triển khai tiếp nhận và "
     "trả kết quả qua dịch vụ bưu chính công ích đảm bảo tỷ lệ bằng hoặc cao hơn năm 2022.",
     "bằng hoặc cao hơn năm 2022", (">=", None, None, "2022")),
    ("001 II.12",
     "Xử lý ý kiến của người dân, tổ chức, doanh nghiệp thông qua Cổng thông tin 1022 thuộc "
     "thẩm quyền giải quyết của đơn vị đạt 100% và đảm bảo tiến độ theo quy định.",
     "đạt 100%", R100),
    # 001, section III and Phụ lục 1 (task texts with targets)
    ("001 III.3.7",
     "Phấn đấu không có hồ sơ thủ tục hành chính giải quyết trễ hạn.",
     "không có hồ sơ thủ tục hành chính giải quyết trễ hạn", ("=", 0, "count")),
    ("001 III.8.4",
     "tuyên truyền, khuyến khích người dân tham gia đánh giá sự hài lòng, phấn đấu tỷ lệ hài "
     "lòng đạt 100%.",
     "đạt 100%", R100),
    ("001 PL1 3.8", "Giải quyết hồ sơ TTHC đúng hạn từ 98% trở lên.", "từ 98% trở lên",
     (">=", 98, "%")),
    ("001 PL1 3.9",
     "Phản ánh mức độ hài lòng của cá nhân, tổ chức về giải quyết TTHC đạt 100% trở lên",
     "đạt 100% trở lên", R100),
    ("001 PL1 5.3",
     "Phân công, bố trí cử 100% cán bộ, công chức tham gia các lớp đào tạo, bồi dưỡng do "
     "thành phố, quận tổ chức.",
     "100%", R100),
    # 001, Phụ lục 2
    ("001 PL2 1",
     "Thực hiện kiểm tra cải cách hành chính định kỳ tối thiểu 40% các cơ quan, đơn vị và tối "
     "thiểu 20% Ủy ban nhân dân phường; kiểm tra đột xuất tối thiểu 10% cơ quan, đơn vị, Ủy "
     "ban nhân dân phường.",
     "tối thiểu 40%", (">=", 40, "%")),
    ("001 PL2 2.1",
     "Tỷ lệ giải quyết hồ sơ thủ tục hành chính đúng hạn: từ 98% trở lên.",
     "từ 98% trở lên", (">=", 98, "%")),
    ("001 PL2 2.4",
     "100% hồ sơ thủ tục hành chính giải quyết trễ hạn phải kịp thời thông báo xin lỗi tổ "
     "chức, cá nhân theo quy định.",
     "100%", R100),
    ("001 PL2 3.1",
     "Phản ánh mức độ hài lòng của cá nhân, tổ chức đối với sự phục vụ trong lĩnh vực giáo "
     "dục đạt 100%.",
     "đạt 100%", R100),
    ("001 PL2 3.2",
     "Phản ánh mức độ hài lòng của cá nhân, tổ chức về giải quyết thủ tục hành chính đạt "
     "100%.",
     "đạt 100%", R100),
    ("001 PL2 4",
     "100% các phản ánh, kiến nghị của cá nhân, tổ chức về quy định, thủ tục hành chính "
     "thuộc thẩm quyền giải quyết của quận được tiếp nhận, xử lý, trả lời và công khai kết "
     "quả trả lời trên trang thông tin nhà trường.",
     "100%", R100),
    ("001 PL2 6", "100% ứng dụng thanh toán điện tử trong cung ứng dịch vụ.", "100%", R100),
    ("001 PL2 7.2",
     "100% áp dụng chữ ký số trong giải quyết hồ sơ thủ tục hành chính đảm bảo thực hiện "
     "đúng quy định.",
     "100%", R100),
    ("001 PL2 7.3",
     "100% ứng dụng hệ thống báo cáo được kết nối liên thông, chia sẻ dữ liệu với Hệ thống "
     "thông tin báo cáo Phòng Giáo dục và Đào tạo Quận 8.",
     "100%", R100),
    ("001 PL2 7.4",
     "100% cán bộ, công chức sử dụng hệ thống thư điện tử công vụ trong trao đổi công việc "
     "theo đúng quy định của Ủy ban nhân dân Thành phố tại Quyết định số 41/2011/QĐ-UBND "
     "ngày 17 tháng 6 năm 2011.",
     "100%", R100),
    # 000, section I.3
    ("000 I.3 a", "Chỉ số CCHC của huyện năm 2024 tăng bậc so với năm 2023.",
     "tăng bậc so với năm 2023", ("change", None, None, "2023", None, "increase")),
    ("000 I.3 b",
     "Phần đấu mức độ hài lòng của người dân, tổ chức và doanh nghiệp về giải quyết TTCH của "
     "ngành GDĐT góp phần trong việc phấn đấu huyện đạt trên 88%.",
     "đạt trên 88%", (">", 88, "%")),
    ("000 I.3 c",
     "Phấn đấu 100% TTHC được giải quyết và trả kết quả đúng hạn, trong đó phấn đấu 50% số "
     "TTHC được trả trước hạn.",
     "100%", R100),
    ("000 I.3 d",
     "Rà soát, công khai quy trình giải quyết các TTHC thuộc thẩm quyền giải quyết của ngành "
     "GDĐT, cung cấp dịch vụ công mức độ 3 và 4 và phần đấu tỷ lệ hồ sơ giải quyết trực "
     "tuyến mức độ 3 và 4 trên tổng số hồ sơ đạt 100%.",
     "đạt 100%", R100),
    ("000 I.3 e",
     "Tỷ lệ xử lý văn bản, hồ sơ công việc (trừ văn bản các mức độ mật) trên môi trường "
     "mạng: đạt 80%.",
     "đạt 80%", (">=", 80, "%")),
    ("000 I.3 f",
     "Phần đấu 100% CB, CC, VC được bồi dưỡng, nâng cao nhận thức về văn hóa giao tiếp, ứng "
     "xử, kỹ năng giải quyết công việc; trong đó ít nhất 30% số CB, CC, VC được tập huấn, "
     "bồi dưỡng về kỹ năng phân tích và xử lý dữ liệu, dịch vụ công trực tuyến; 100% lãnh "
     "đạo các nhà trường được quán triệt, bồi dưỡng nâng cao nhận thức đầy đủ về công tác "
     "CCHC của huyện đặc biệt là việc cải thiện, nâng cao các Chỉ số PARINDEX, SIPAS.",
     "100%", R100),
    ("000 I.3 g",
     "100% kiến nghị, phản ánh của người dân, tổ chức và doanh nghiệp được tiếp nhận, xem xét "
     "và kịp thời xử lý theo quy định.",
     "100%", R100),
    ("000 I.3 h",
     "Phần đấu 90% các quyết định, kết luận sau thanh tra có hiệu lực pháp luật được thực "
     "hiện theo quy định.",
     "90%", (">=", 90, "%")),
    ("000 I.3 i",
     "100% giải quyết phần mềm CSDL học sinh chuyển đi, chuyển đến đúng tiến độ và hiệu quả "
     "cao.",
     "100%", R100),
    # 002, section I.3
    ("002 I.3.1 a",
     "Mức độ hài lòng của người dân, tổ chức đối với chất lượng cung cấp Dịch vụ công đạt "
     "trên 95%.",
     "đạt trên 95%", (">", 95, "%")),
    ("002 I.3.1 b",
     "100% các cuộc thanh tra, kiểm tra khi phát hiện có dấu hiệu tham nhũng trong Ngành cần "
     "được điều tra, xử lý và có kết luận kịp thời.",
     "100%", R100),
    ("002 I.3.2 b",
     "100% hệ thống các văn bản quy phạm pháp luật lĩnh vực GDĐT được cập nhật thường xuyên "
     "trên Cổng thông tin điện tử của Ngành và mức độ triển khai thực hiện, dễ tra cứu và "
     "nắm bắt thông tin.",
     "100%", R100),
    ("002 I.3.2 c",
     "Phấn đấu 100% các văn bản quy phạm pháp luật về phòng, chống tham nhũng, thực hành "
     "tiết kiệm, chống lãng phí được tuyên truyền, phổ biến đến toàn thể cán bộ công chức, "
     "viên chức và nhân viên toàn Ngành.",
     "100%", R100),
    ("002 I.3.3 a",
     "Phấn đấu 100% số hồ sơ TTHC tiếp nhận được trả kết quả giải quyết đúng hạn, trước hạn.",
     "100%", R100),
    ("002 I.3.3 b",
     "Phấn đấu có thêm 20% số lượng TTHC được tinh gọn, đơn giản hóa, rút ngắn thời gian và "
     "tiết giảm chi phí.",
     "20%", (">=", 20, "%")),
    ("002 I.3.3 c",
     "Phấn đấu tích hợp 60% các dịch vụ công trực tuyến mức độ 3,4 với Cổng dịch vụ công "
     "quốc gia.",
     "60%", (">=", 60, "%")),
    ("002 I.3.3 d",
     "Phấn đấu 100% hồ sơ TTHC được giải quyết trên môi trường điện tử, qua DVCTT mức độ "
     "3,4; trong đó có ít nhất 70% đạt mức độ 4 gắn với Dịch vụ Bưu chính công ích (DVBCCI).",
     "100%", R100),
    ("002 I.3.4 a",
     "Giảm tối thiểu 10% biên chế sự nghiệp hưởng lương từ ngân sách nhà nước so với năm "
     "2021.",
     "Giảm tối thiểu 10% biên chế sự nghiệp hưởng lương từ ngân sách nhà nước so với năm "
     "2021",
     ("change", 10, "%", "2021", None, "decrease")),
    ("002 I.3.5 a",
     "100% cán bộ, công chức, viên chức được bồi dưỡng về chuyên môn nghiệp vụ, bồi dưỡng "
     "về đạo đức nghề nghiệp.",
     "100%", R100),
    ("002 I.3.5 b",
     "30% cán bộ, công chức, viên chức được tập huấn bồi dưỡng kỹ năng chuyên ngành, kỹ năng "
     "số, về kỹ năng phân tích và xử lý dữ liệu....",
     "30%", (">=", 30, "%")),
    ("002 I.3.5 c",
     "100% cán bộ, công chức, viên chức thuộc diện chuyển đổi vị trí công tác theo Nghị định "
     "59/2019/NĐ-CP ngày 01/9/2019 của Chính phủ phải được thực hiện nghiêm túc theo quy "
     "định.",
     "100%", R100),
    ("002 I.3.7 a",
     "100% cuộc họp của Sở với các đơn vị trực thuộc; 80% cuộc họp giữa các phòng ban Sở được "
     "thực hiện thông qua Hệ thống thông tin điện tử.",
     "100%", R100),
    ("002 I.3.7 b",
     "100% DVCTT mức độ 4, được cung cấp trên nhiều phương tiện truy cập khác nhau, bao gồm "
     "cả thiết bị di động.",
     "100%", R100),
    ("002 I.3.7 c",
     "100% hồ sơ công việc tại các cấp trong toàn Ngành được xử lý trên môi trường mạng (trừ "
     "hồ sơ công việc thuộc phạm vi bí mật Nhà nước).",
     "100%", R100),
    ("002 I.3.7 d",
     "50% hoạt động kiểm tra, đánh giá chuyên môn của Sở được thực hiện thông qua môi trường "
     "số và hệ thống thông tin của Ngành.",
     "50%", (">=", 50, "%")),
    # 002, section II and IV (targets in task texts)
    ("002 II.3",
     "Ứng dụng công nghệ thông tin (CNTT) để tỷ lệ hồ sơ TTHC được giải quyết mức độ 3, mức "
     "độ 4 đạt tỷ lệ 100%.",
     "đạt tỷ lệ 100%", R100),
    ("002 IV.2.4",
     "Thực hiện ứng dụng CNTT toàn ngành, công khai và phối hợp giải quyết TTHC cho tổ chức, "
     "cá nhân đạt trên 50% mức độ 4 vào năm 2022 và đạt trên 70% vào năm 2024.",
     "đạt trên 50%", (">", 50, "%")),
    ("002 IV.1 họp",
     "Tăng cường ứng dụng CNTT, giảm văn bản giấy, tăng cường trao đổi giải quyết qua thư "
     "điện tử, họp trực tuyến, gửi tài liệu cho cán bộ cơ sở xem trước khi họp ít nhất 3 ngày.",
     "ít nhất 3 ngày", (">=", 3, "count")),
    ("002 IV.1",
     "Sở tổ chức đối thoại với các doanh nghiệp về TTHC 02 lần/năm",
     "02 lần/năm", (">=", 2, "count", None, "year")),
    # 002, roadmap "Chỉ tiêu cần đạt" items (phases A and B)
    ("002 PL A1/B1", "100% văn bản được cập nhật trên cổng thông tin của Ngành.", "100%", R100),
    ("002 PL A1/B1", "100% văn bản QPPL về phòng chống tham nhũng được tuyên truyền.", "100%",
     R100),
    ("002 PL A1", "80% văn bản QPPL được Ngành cụ thể hóa và hướng dẫn thực hiện.", "80%",
     (">=", 80, "%")),
    ("002 PL B1", "100% văn bản QPPL được Ngành cụ thể hóa và hướng dẫn thực hiện.", "100%",
     R100),
    ("002 PL A2/B2", "100% hồ sơ giải quyết TTHC được trả đúng hạn.", "100%", R100),
    ("002 PL A2",
     "40% số lượng TTHC được đơn giản hóa về thành phần hồ sơ, giảm thời gian giải quyết và "
     "giảm chi phí.",
     "40%", (">=", 40, "%")),
    ("002 PL B2",
     "80% số lượng TTHC được đơn giản hóa về thành phần hồ sơ, giảm thời gian giải quyết và "
     "giảm chi phí.",
     "80%", (">=", 80, "%")),
    ("002 PL A2/B2", "100% hồ sơ giải quyết TTHC được thực hiện qua DVCTT mức độ 3,4.", "100%",
     R100),
    ("002 PL A2", "60% DVCTT được tích hợp trên Cổng Dịch vụ công Quốc gia.", "60%",
     (">=", 60, "%")),
    ("002 PL B2", "100% DVCTT được tích hợp trên Cổng Dịch vụ công Quốc gia.", "100%", R100),
    ("002 PL A2", "50% số hồ sơ TTHC gắn với DVBCCI.", "50%", (">=", 50, "%")),
    ("002 PL B2", "70% số hồ sơ TTHC gắn với DVBCCI.", "70%", (">=", 70, "%")),
    ("002 PL A3", "Phấn đấu đạt 4% đơn vị sự nghiệp công lập tự chủ tài chính.", "đạt 4%",
     (">=", 4, "%")),
    ("002 PL B3", "Giảm 5% biên chế hưởng lương từ ngân sách nhà nước.", "Giảm 5%",
     ("change", 5, "%", None, None, "decrease")),
    ("002 PL B3", "Phần đầu đạt 10% đơn vị sự nghiệp công lập tự chủ tài chính.", "đạt 10%",
     (">=", 10, "%")),
    ("002 PL A4/B4",
     "100% cán bộ, công chức, viên chức được bồi dưỡng về chuyên môn nghiệp vụ, bồi dưỡng về "
     "đạo đức nghề nghiệp.",
     "100%", R100),
    ("002 PL A4",
     "30% cán bộ, công chức, viên chức được tập huấn bồi dưỡng kỹ năng chuyên ngành, kỹ năng "
     "số, về kỹ năng phân tích và xử lý dữ liệu....",
     "30%", (">=", 30, "%")),
    ("002 PL B4",
     "50% cán bộ, công chức, viên chức được tập huấn bồi dưỡng kỹ năng chuyên ngành, kỹ năng "
     "số, về kỹ năng phân tích và xử lý dữ liệu....",
     "50%", (">=", 50, "%")),
    ("002 PL A6",
     "80% các cuộc họp với đơn vị trực thuộc; 70% các cuộc họp các phòng ban Sở được thực "
     "hiện thông qua hình thức trực tuyến.",
     "80%", (">=", 80, "%")),
    ("002 PL B6",
     "100% các cuộc họp với đơn vị trực thuộc; 80% các cuộc họp các phòng ban Sở được thực "
     "hiện thông qua hình thức trực tuyến.",
     "100%", R100),
    ("002 PL A6/B6",
     "100% DVCTT mức độ 4 được kết nối trên nhiều phương tiện truy cập khác nhau, bao gồm cả "
     "thiết bị di động.",
     "100%", R100),
    ("002 PL A6",
     "70% hồ sơ công việc (trừ văn bản mật) toàn Ngành được xử lý qua mạng.",
     "70%", (">=", 70, "%")),
    ("002 PL B6",
     "100% hồ sơ công việc toàn Ngành được xử lý qua mạng (trừ văn bản mật).",
     "100%", R100),
    ("002 PL A6", "30% các hoạt động kiểm tra được thực hiện trực tuyến.", "30%",
     (">=", 30, "%")),
    ("002 PL B6", "50% các hoạt động kiểm tra được thực hiện trực tuyến.", "50%",
     (">=", 50, "%")),
    # 004, Phụ lục task and product texts
    ("004 PL 3b", "Mỗi tháng có ít nhất 01 tin, bài về CCHC đăng website Sở",
     "Mỗi tháng có ít nhất 01 tin, bài", (">=", 1, "count", None, "month")),
    ("004 PL 3c",
     "Mỗi quý có ít nhất 01 tin, bài về CCHC gửi và được đăng trên chuyên trang CCHC của tỉnh "
     "(tin, bài gửi Sở Nội vụ)",
     "Mỗi quý có ít nhất 01 tin, bài", (">=", 1, "count", None, "quarter")),
    ("004 PL 4",
     "4. Kiểm tra công tác CCHC ở các đơn vị thuộc và trực thuộc năm 2023 (20% đơn vị thuộc "
     "và trực thuộc)",
     "20%", (">=", 20, "%")),
    ("004 PL 10",
     "10. Xây dựng và triển khai kế hoạch rà soát văn bản quy phạm pháp luật có liên quan đến "
     "ngành. Xử lý kết quả phát hiện qua rà soát văn bản QPPL thuộc lĩnh vực quản lý của cơ "
     "quan đạt tỷ lệ 100%.",
     "đạt tỷ lệ 100%", R100),
    ("004 PL 14",
     "14. Niêm yết, công khai đầy đủ, kịp thời 100% TTHC thuộc thẩm quyền tiếp nhận, giải "
     "quyết tại Trung tâm Phục vụ hành chính công, tại phần mềm một cửa điện tử và tại "
     "website cơ quan",
     "100%", R100),
    ("004 PL 19",
     "19. Kiểm tra, theo dõi, đánh giá định kỳ đối với những nhiệm vụ quản lý nhà nước đã "
     "phân cấp cho đơn vị; xử lý các vấn đề phân cấp phát hiện qua kiểm tra đạt từ 80% trở "
     "lên",
     "đạt từ 80% trở lên", (">=", 80, "%")),
    ("004 PL 23",
     "23. Kết quả chấp hành kỷ luật, kỷ cương hành chính tại đơn vị: không có công chức, "
     "viên chức bị kỷ luật",
     "không có công chức, viên chức bị kỷ luật", ("=", 0, "count")),
    ("004 PL 24",
     "24. Thực hiện công tác đào tạo, bồi dưỡng CBCCVC đạt từ 80% trở lên so với kế hoạch "
     "đề ra",
     "đạt từ 80% trở lên", (">=", 80, "%")),
    ("004 PL 28",
     "28. Kết quả thực hiện cơ chế tài chính theo quy định trong năm tại Sở (có thu nhập tăng "
     "thêm từ 1.0 lần lương cơ sở/người/tháng)",
     "từ 1.0 lần", (">=", 1.0, "count")),
    ("004 PL 29",
     "29. Số lượng đơn vị sự nghiệp công lập trực thuộc cập nhật, bổ sung quy chế chi tiêu "
     "nội bộ, quy chế quản lý, sử dụng tài sản công đầy đủ, kịp thời đạt 70% trở lên",
     "đạt 70% trở lên", (">=", 70, "%")),
    ("004 PL 30",
     "30. 100% đơn vị sự nghiệp công lập trực thuộc thực hiện công khai, minh bạch trong "
     "quản lý sử dụng tài sản công",
     "100%", R100),
    ("004 PL 32",
     "32. Tiếp nhận và xử lý thủ tục hành chính trên phần mềm một cửa điện tử đạt từ 95% trở "
     "lên",
     "đạt từ 95% trở lên", (">=", 95, "%")),
    ("004 PL 33",
     "33. Tỷ lệ công chức thường xuyên sử dụng phần mềm quản lý văn bản điều hành đạt từ 90% "
     "trở lên",
     "đạt từ 90% trở lên", (">=", 90, "%")),
    ("004 PL 33 product",
     "Thống kê số công chức thường xuyên sử dụng phần mềm QLVB&ĐH (số lần đăng nhập trên 30 "
     "lần/tháng; số ngày đăng nhập trên 15 ngày/tháng).",
     "trên 30 lần/tháng", (">", 30, "count", None, "month")),
    ("004 PL 34",
     "34. Mức độ cung cấp dịch vụ công trực tuyến: 100% TTHC trong tổng số TTHC thuộc thẩm "
     "quyền giải quyết được cung cấp trực tuyến ở mức độ 2; có từ 20% TTHC trở lên được cung "
     "cấp mức độ 3; có từ 10% TTHC trở lên được cung cấp mức độ 4.",
     "100%", R100),
    ("004 II.2",
     "(BCCI); không để trễ hẹn trong giải quyết hồ sơ; nghiêm túc việc xin lỗi người dân, "
     "tổ chức nếu để xảy ra trễ hẹn.",
     "không để trễ hẹn", ("=", 0, "count")),
]


def _expected(found: str, fields: tuple) -> Target:
    return tg(found, *fields)


@pytest.mark.parametrize(("seed", "text", "found", "fields"), SEED_TEXTS)
def test_find_target_in_seed_text(seed, text, found, fields):
    got = find_target(text)
    assert got == _expected(found, fields)
    assert got.text in text


@pytest.mark.parametrize(("seed", "text", "found", "fields"), SEED_TEXTS)
def test_parse_target_keeps_whole_text(seed, text, found, fields):
    assert parse_target(text) == replace(_expected(found, fields), text=text)


@pytest.mark.parametrize(("seed", "text", "found", "fields"), SEED_TEXTS)
def test_find_target_nfd_gives_verbatim_slice(seed, text, found, fields):
    decomposed = nfd(text)
    got = find_target(decomposed)
    assert got == _expected(nfd(found), fields)
    assert got.text in decomposed


# Texts that set several targets: every one of them, in order, each a verbatim slice.
MULTI = [
    ("Thực hiện kiểm tra cải cách hành chính định kỳ tối thiểu 40% các cơ quan, đơn vị và tối "
     "thiểu 20% Ủy ban nhân dân phường; kiểm tra đột xuất tối thiểu 10% cơ quan, đơn vị, Ủy "
     "ban nhân dân phường.",
     [tg("tối thiểu 40%", ">=", 40, "%"), tg("tối\nthiểu 20%", ">=", 20, "%"),
      tg("tối thiểu 10%", ">=", 10, "%")]),
    ("Thực hiện giải ngân kế hoạch đầu tư vốn ngân sách nhà nước đạt từ 90% trở lên; phản "
     "ứng tỷ lệ giải ngân vốn đầu tư công đạt từ 95% trở lên.",
     [tg("đạt từ 90% trở lên", ">=", 90, "%"), tg("đạt từ 95% trở lên", ">=", 95, "%")]),
    ("Phấn đấu 100% TTHC được giải quyết và trả kết quả đúng hạn, trong đó phấn đấu 50% số "
     "TTHC được trả trước hạn.",
     [tg("100%", *R100), tg("50%", ">=", 50, "%")]),
    ("Phần đấu 100% CB, CC, VC được bồi dưỡng; trong đó ít nhất 30% số CB, CC, VC được tập "
     "huấn; 100% lãnh đạo các nhà trường được quán triệt.",
     [tg("100%", *R100), tg("ít nhất 30%", ">=", 30, "%"), tg("100%", *R100)]),
    ("Phấn đấu 100% hồ sơ TTHC được giải quyết trên môi trường điện tử, qua DVCTT mức độ "
     "3,4; trong đó có ít nhất 70% đạt mức độ 4 gắn với Dịch vụ Bưu chính công ích (DVBCCI).",
     [tg("100%", *R100), tg("ít nhất 70%", ">=", 70, "%")]),
    ("100% cuộc họp của Sở với các đơn vị trực thuộc; 80% cuộc họp giữa các phòng ban Sở được "
     "thực hiện thông qua Hệ thống thông tin điện tử.",
     [tg("100%", *R100), tg("80%", ">=", 80, "%")]),
    ("80% các cuộc họp với đơn vị trực thuộc; 70% các cuộc họp các phòng ban Sở được thực "
     "hiện thông qua hình thức trực tuyến.",
     [tg("80%", ">=", 80, "%"), tg("70%", ">=", 70, "%")]),
    ("34. Mức độ cung cấp dịch vụ công trực tuyến: 100% TTHC trong tổng số TTHC thuộc thẩm "
     "quyền giải quyết được cung cấp trực tuyến ở mức độ 2; có từ 20% TTHC trở lên được cung "
     "cấp mức độ 3; có từ 10% TTHC trở lên được cung cấp mức độ 4.",
     [tg("100%", *R100), tg("từ 20% TTHC trở lên", ">=", 20, "%"),
      tg("từ 10% TTHC trở lên", ">=", 10, "%")]),
    ("Thực hiện ứng dụng CNTT toàn ngành, công khai và phối hợp giải quyết TTHC cho tổ chức, "
     "cá nhân đạt trên 50% mức độ 4 vào năm 2022 và đạt trên 70% vào năm 2024.",
     [tg("đạt trên 50%", ">", 50, "%"), tg("đạt trên 70%", ">", 70, "%")]),
    ("Thống kê số công chức thường xuyên sử dụng phần mềm QLVB&ĐH (số lần đăng nhập trên 30 "
     "lần/tháng; số ngày đăng nhập trên 15 ngày/tháng).",
     [tg("trên 30 lần/tháng", ">", 30, "count", per="month"),
      tg("trên 15 ngày/tháng", ">", 15, "count", per="month")]),
    ("Thực hiện công khai, minh bạch trong tiếp nhận, giải quyết thủ tục hành chính, bảo "
     "đảm 100% thủ tục hành chính được công bố, công khai đầy đủ, đúng hạn và 100% các hồ sơ "
     "thủ tục hành chính tiếp nhận, giải quyết tại đơn vị",
     [tg("100%", *R100), tg("100%", *R100)]),
]


@pytest.mark.parametrize(("text", "expected"), MULTI)
def test_find_targets_all_in_order(text, expected):
    # a line break inside a phrase (as in a wrapped Excel cell) stays in the slice
    text_with_break = text.replace("tối thiểu 20%", "tối\nthiểu 20%")
    got = find_targets(text_with_break)
    assert got == expected
    assert all(t.text in text_with_break for t in got)


# Indicators of the seeds with no numeric or countable target: kept as text, not guessed.
NO_TARGET = [
    "Thực hiện tự kiểm tra cải cách hành chính tại đơn vị.",
    "Công khai và cập nhật kịp thời tỷ lệ giải quyết hồ sơ thủ tục hành chính đúng hạn/trễ "
    "hạn trên Hệ thống thông tin điện tử",
    "Công khai và cập nhật kịp thời tỷ lệ đánh giá hài lòng trên Trang thông tin điện tử.",
    "Về giải quyết hồ sơ thủ tục hành chính (TTHC)",
    "Xây dựng môi trường làm việc điện tử",
    "Tham mưu ban hành kịp thời các văn bản QPPL lĩnh vực GD và triển khai thực hiện.",
    "Phấn đấu tăng số lượng đơn vị sự nghiệp công lập trực thuộc Sở tự chủ chi thường xuyên ở "
    "những địa bàn có khả năng xã hội hóa.",
    "Hàng năm đảm bảo phân bổ kinh phí ngân sách cho các đơn vị sự nghiệp công lập trực "
    "thuộc kịp thời, đúng quy định.",
    "Phối hợp với Sở Tài chính và các đơn vị liên quan xây dựng Nghị quyết của HĐND Thành "
    "phố điều chỉnh, bổ sung phân cấp nguồn thu, nhiệm vụ chi giữa các cấp ngân sách: quy "
    "định mức phân bổ ngân sách và tỷ lệ phần trăm phân chia các khoản thu giữa các cấp ngân "
    "sách giai đoạn 2022-2025 của Thành phố.",
    "31. Thực hiện trao đổi văn bản với các cơ quan dưới dạng điện tử có sử dụng chữ ký số "
    "chiếm tỷ lệ cao trên tổng số VB điện tử.",
    "Tăng cường kiểm tra việc thực hiện các quy định về quản lý tài sản công.",
    "Duy trì và tổ chức thực hiện hệ thống quản lý chất lượng theo tiêu chuẩn TCVN ISO "
    "9001:2015 gắn với đơn giản hóa TTHC.",
    "Nghị định số 61/2018/NĐ-CP ngày 23/4/2018 của Chính phủ",
    "Tham gia số hóa kết quả trong 3 ngày",
    "đạt 1,2.3,4%",  # separators that make no number
    "",
]


@pytest.mark.parametrize("text", NO_TARGET)
def test_no_target_is_kept_and_marked(text):
    assert find_target(text) is None
    assert find_targets(text) == []
    got = parse_target(text)
    assert got == Target(text)
    assert got.parsed is False and got.text is text and not got.is_rate


def test_tone_placement_and_nfd_keep_slices_verbatim():
    for word in ("hóa", "hoá", nfd("hóa"), nfd("hoá")):
        text = f"Số {word} đạt 100% hồ sơ"
        got = find_target(text)
        assert got == tg("đạt 100%", *R100)
        assert got.text in text
    mixed = nfd("Tỷ lệ: ") + "từ 98% trở lên" + nfd(" (hoà)")
    assert find_target(mixed) == tg("từ 98% trở lên", ">=", 98, "%")


def test_target_text_is_byte_for_byte():
    raw = "  Phấn đấu\u00a0đạt\u00a0từ 98,5%  trở lên.  "
    got = parse_target(raw)
    assert got.text is raw
    assert (got.op, got.value, got.unit) == (">=", 98.5, "%")
    assert find_target(raw).text == "đạt\u00a0từ 98,5%  trở lên"


def test_line_break_ends_a_clause():
    # Alt+Enter in a cell separates items: a baseline on the next line is not joined.
    assert find_target("Giảm 5% biên chế\nso với năm 2021") == tg(
        "Giảm 5%", "change", 5, "%", direction="decrease"
    )
    assert find_target("Giảm 5% biên chế so với năm 2021") == tg(
        "Giảm 5% biên chế so với năm 2021", "change", 5, "%", "2021", direction="decrease"
    )


def test_long_junk_text_is_fast_enough():
    junk = "1.1.1.1.1." * 3000 + " không có " + "a " * 3000 + "đạt " * 3000
    assert find_targets(junk) == []
    assert parse_deadline(junk, 2023).kind == "date"  # "1.1.1…" starts with a d.m.y date


def test_number_formats():
    assert parse_target("đạt 1.234 lần/năm").value == 1234
    assert parse_target("trên 1,234.5 lần/năm").value == 1234.5
    assert parse_target("đạt 0,5%").value == 0.5
    assert parse_target("đạt 100 %").value == 100


# --- deadlines --------------------------------------------------------------------------

Y = 2023


def d(y: int, m: int, day: int) -> date:
    return date(y, m, day)


Q1 = ("quarter", d(Y, 1, 1), d(Y, 3, 31), None)
Q2 = ("quarter", d(Y, 4, 1), d(Y, 6, 30), None)
DEC = ("month", d(Y, 12, 1), d(Y, 12, 31), None)
YEAR = ("year", d(Y, 1, 1), d(Y, 12, 31), None)
ONGOING = ("ongoing", None, None, None)
EVENT = ("event", None, None, None)
QUARTERLY = ("recurring", None, None, "quarter")

# Every distinct cell of 001 Phụ lục 1 "Thời gian hoàn thành" (plan year 2023).
DEADLINES_001 = [
    ("Quý I/2023", Q1),
    ("Gửi Thanh tra Phòng GDĐT Quận 8 Định kỳ hàng quý, năm trước ngày 5 hàng quý",
     QUARTERLY),
    ("Khi có thay đổi", EVENT),
    ("- Kế hoạch: Quý II/2023 - Biên bản tự kiểm tra Quý II /2023", Q2),
    ("Tháng 12/2023", DEC),
    ("Trong năm 2023", YEAR),
    ("Thường xuyên", ONGOING),
    ("<p>- Kế hoạch: trước ngày 31/01/2023</p> <p>- Báo cáo năm: trước ngày 31/01 của năm "
     "liền kề</p>",
     ("before", None, d(2023, 1, 30), None)),
    ("- Kế hoạch: trước ngày 31/01/2023 - Báo cáo năm: trước ngày 20/11",
     ("before", None, d(2023, 1, 30), None)),
    ("Khi có ban hành văn bản QPPL", EVENT),
    ("Sau khi Thành phố triển khai Đề án", EVENT),
    ("Tháng 3/2023", ("month", d(Y, 3, 1), d(Y, 3, 31), None)),
    ("- Kế hoạch: Tháng 3/2023 - Báo cáo: Định kỳ hàng quý, năm",
     ("month", d(Y, 3, 1), d(Y, 3, 31), None)),
    ("BC nếu được kiểm tra", EVENT),
    ("Tháng 02/2023", ("month", d(Y, 2, 1), d(Y, 2, 28), None)),
    ("Trong tháng 6, tháng 12 năm 2023", ("months", d(Y, 6, 1), d(Y, 12, 31), None)),
    ("Trong năm 2023 và các năm tiếp theo", YEAR),
    ("Trước ngày 05/11/2023", ("before", None, d(Y, 11, 4), None)),
    ("Tháng 6 và tháng 9 năm 2023", ("months", d(Y, 6, 1), d(Y, 9, 30), None)),
    ("Trước tháng 11/2023", ("before", None, d(Y, 10, 31), None)),
    ("Tháng 7/2023 và trước ngày 15/12/2023", ("month", d(Y, 7, 1), d(Y, 7, 31), None)),
    ("Theo Thông báo mở lớp", EVENT),
    ("Tiếp tục triển khai theo Văn bản triển khai của quận trong năm 2023", YEAR),
    ("Kiểm tra đột xuất trong năm", EVENT),
    ("Thực hiện theo Kết luận thanh tra, kiểm tra, kiểm toán", EVENT),
    ("Theo đề xuất của đơn vị", EVENT),
    ("Định kỳ hàng quý", QUARTERLY),
    ("Hàng quý", QUARTERLY),
]

# Every distinct cell of 004 Phụ lục "Thời gian thực hiện" (plan year 2023). Task 13's cell
# "Trong năm 2023" is split across a page break in the seed; both halves are here too.
DEADLINES_004 = [
    ("Trong tháng 12 năm 2022", ("month", d(2022, 12, 1), d(2022, 12, 31), None)),
    ("Trong năm 2023", YEAR),
    ("Kế hoạch ban hành trong quý I/2023; báo cáo hàng quý.", Q1),
    ("Kế hoạch ban hành trong quý I/2023; báo cáo tháng 12 2023.", Q1),
    ("Tháng 12/2023", DEC),
    ("Quý I năm 2023", Q1),
    ("Thường xuyên", ONGOING),
    ("Kế hoạch ban hành trong quý I/2023; báo cáo tháng 12 năm 2023.", Q1),
    ("Kế hoạch ban hành trong quý I/2023; báo cáo cuối năm 2023.", Q1),
    ("Trong năm", YEAR),
    ("2023", YEAR),
    ("Tháng 12 năm 2023", DEC),
]

# The later milestones of multi-part cells, other spellings, and the brief's examples.
DEADLINES_OTHER = [
    ("Biên bản tự kiểm tra Quý II /2023", Q2),
    ("quý II/2023", Q2),
    ("Quý III/2023", ("quarter", d(Y, 7, 1), d(Y, 9, 30), None)),
    ("Quý IV năm 2023", ("quarter", d(Y, 10, 1), d(Y, 12, 31), None)),
    ("Quý 4", ("quarter", d(Y, 10, 1), d(Y, 12, 31), None)),
    ("Qúy I/2023", Q1),  # old tone placement
    ("Báo cáo năm: trước ngày 20/11", ("before", None, d(Y, 11, 19), None)),
    ("Báo cáo năm: trước ngày 31/01 của năm liền kề", ("before", None, d(2024, 1, 30), None)),
    ("trước ngày 31/01/2023", ("before", None, d(Y, 1, 30), None)),
    ("- Kế hoạch: trước ngày 31/01/2023\n- Báo cáo năm: trước ngày 31/01 của năm liền kề",
     ("before", None, d(Y, 1, 30), None)),
    ("Báo cáo: Định kỳ hàng quý, năm", QUARTERLY),
    ("Định kỳ hàng quý, năm", QUARTERLY),
    ("báo cáo hàng quý", QUARTERLY),
    ("báo cáo tháng 12 2023.", DEC),
    ("báo cáo cuối năm 2023.", YEAR),
    ("Trong tháng 12", DEC),
    ("Tháng 6 và 12/2023", ("months", d(Y, 6, 1), d(Y, 12, 31), None)),
    ("12/2023", DEC),
    ("Trước ngày 5/11/2023", ("before", None, d(Y, 11, 4), None)),
    ("Chậm nhất ngày 15/6", ("before", None, d(Y, 6, 15), None)),
    ("chậm nhất trong tháng 01/2023", ("before", None, d(Y, 1, 31), None)),
    ("Trước ngày 01/3/2024", ("before", None, d(2024, 2, 29), None)),
    ("ngày 05/3/2024", ("date", d(2024, 3, 5), d(2024, 3, 5), None)),
    ("15/12/2023", ("date", d(Y, 12, 15), d(Y, 12, 15), None)),
    ("Từ 01/3/2023 đến 31/5/2023", ("range", d(Y, 3, 1), d(Y, 5, 31), None)),
    ("Từ tháng 3 đến tháng 5 năm 2023", ("range", d(Y, 3, 1), d(Y, 5, 31), None)),
    ("6 tháng đầu năm 2023", ("range", d(Y, 1, 1), d(Y, 6, 30), None)),
    ("6 tháng cuối năm", ("range", d(Y, 7, 1), d(Y, 12, 31), None)),
    ("Hằng năm", ("recurring", None, None, "year")),
    ("Hàng tháng", ("recurring", None, None, "month")),
    ("Định kỳ 6 tháng", ("recurring", None, None, "half_year")),
    ("Liên tục", ONGOING),
    ("Kế hoạch: Quý I/2023\nBáo cáo: Tháng 12/2023", Q1),
    ("Báo cáo: chưa rõ\r\nTháng 12/2023", DEC),  # the first milestone that can be read
    ("Khi có yêu cầu", EVENT),
    ("Theo yêu cầu của cấp trên", EVENT),
]


def _check_deadline(text: str, year: int | None, expected: tuple) -> None:
    kind, start, end, recurrence = expected
    got = parse_deadline(text, year)
    assert got == Deadline(text, kind, start, end, recurrence)
    assert got.text is text


@pytest.mark.parametrize(("text", "expected"), DEADLINES_001)
def test_deadline_seed_001(text, expected):
    _check_deadline(text, Y, expected)


@pytest.mark.parametrize(("text", "expected"), DEADLINES_004)
def test_deadline_seed_004(text, expected):
    _check_deadline(text, Y, expected)


@pytest.mark.parametrize(("text", "expected"), DEADLINES_OTHER)
def test_deadline_other_forms(text, expected):
    _check_deadline(text, Y, expected)


@pytest.mark.parametrize(("text", "expected"), DEADLINES_001 + DEADLINES_004)
def test_deadline_nfd_parses_the_same(text, expected):
    decomposed = nfd(text)
    _check_deadline(decomposed, Y, expected)
    assert parse_deadline(decomposed, Y).text.encode() == decomposed.encode()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Quý I/2023", "quarter"),  # a year in the text needs no plan year
        ("Trong năm", "year"),
        ("Tháng 12", "month"),
        ("trước ngày 20/11", "before"),
        ("Trước tháng 11", "before"),
        ("Quý II", "quarter"),
        ("Tháng 6 và tháng 9", "months"),
    ],
)
def test_deadline_without_plan_year(text, kind):
    got = parse_deadline(text)
    assert got.kind == kind and got.text is text
    if "2023" in text:
        assert (got.start, got.end) == Q1[1:3]
    else:
        assert (got.start, got.end, got.recurrence) == (None, None, None)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "Không rõ", "Đang cập nhật", "Theo tiến độ chung", "Tháng 13/2023",
     "Trước ngày 32/01/2023"],
)
def test_deadline_unparsed_is_kept(text):
    got = parse_deadline(text, Y)
    assert got == Deadline(text)
    assert got.kind == "unparsed" and not got.parsed and got.text is text


def test_deadline_keeps_text_byte_for_byte():
    raw = nfd("  Trước\u00a0ngày 05/11/2023 \r\n")
    got = parse_deadline(raw, Y)
    assert got.text is raw
    assert (got.kind, got.end) == ("before", d(Y, 11, 4))


# --- dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05/3/2024", d(2024, 3, 5)),
        ("5-3-2024", d(2024, 3, 5)),
        ("05/03/24", d(2024, 3, 5)),
        ("2024-03-05", d(2024, 3, 5)),
        ("5.3.2024", d(2024, 3, 5)),
        (" 17/3/2023 ", d(2023, 3, 17)),
        ("ngày 05 tháng 3 năm 2024", d(2024, 3, 5)),
        (nfd("Ngày 19 tháng 02 năm 2024"), d(2024, 2, 19)),
        ("29/02/2024", d(2024, 2, 29)),
    ],
)
def test_parse_vn_date(text, expected):
    assert parse_vn_date(text) == expected


@pytest.mark.parametrize(
    "text", ["", "31/02/2024", "29/02/2023", "13/13/2024", "05/3", "2024", "hôm nay", "05/3/2024x"]
)
def test_parse_vn_date_rejects(text):
    assert parse_vn_date(text) is None
