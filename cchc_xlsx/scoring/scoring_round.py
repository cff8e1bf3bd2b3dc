"""One scoring round over the returns: check every file, apply the office's appraisal,
rank, and write the ranking workbook (and, when asked, the appraisal workbook).

A unit is ranked only when its return has no error; the others are listed with their
status, as the office has to chase them. When a unit sent several valid files, the latest
(by file time) counts. A ranking workbook given as input contributes its units' exact
scores, so district rankings roll up into a province's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from cchc_xlsx.checking.report import FileResult, Report
from cchc_xlsx.checking.validate import expand_paths
from cchc_xlsx.errors import UserError
from cchc_xlsx.merging.merge_writer import Office
from cchc_xlsx.model import Unit
from cchc_xlsx.plans.names import same_body
from cchc_xlsx.plans.office_profile import OfficeProfile
from cchc_xlsx.reading.file_guard import UnusableFile
from cchc_xlsx.reading.normalize import ascii_fold
from cchc_xlsx.scoring.appraisal import apply_appraisal, read_appraisal, write_appraisal
from cchc_xlsx.scoring.check import UnitScores, check_files
from cchc_xlsx.scoring.criteria import CriteriaSet
from cchc_xlsx.scoring.ranking import Ranking, compute_ranking
from cchc_xlsx.scoring.ranking_writer import Submission, write_ranking


@dataclass
class RoundResult:
    report: Report
    ranking: Ranking
    submissions: list[Submission]
    out: Path
    appraisal_out: Path | None = None
    appraisal: FileResult | None = None
    missing: list[Unit] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 every unit in and valid; 1 a unit missing, a file with errors or unusable (the
        ranking is still written), as ``merge`` does."""
        if self.missing or any(not f.valid for f in self.report.files):
            return 1
        if self.appraisal is not None and not self.appraisal.valid:
            return 1
        return 0


def office_for(units: Sequence[Unit], name: str | None = None, code: str | None = None,
               profile: OfficeProfile | None = None) -> Office:
    """The scoring office: its profile (header, ký hiệu, number, date, signer, Nơi nhận)
    when given, else the units' common "nơi nhận" and superior; a name or code given as an
    option wins over both."""
    if profile is not None:
        office = Office.from_profile(profile)
        if name:
            office = replace(office, name=name.upper())
        return replace(office, code=code) if code else office

    def common(values: list[str]) -> str:
        values = [v for v in values if v]
        return max(set(values), key=values.count) if values else ""

    office_name = name or common([u.recipient for u in units]) or "Cơ quan chấm điểm"
    superior = common([u.superior for u in units])
    if same_body(superior, office_name):
        # the units' managing body is the office itself (a Sở's schools): never its own
        # name printed twice in the header, nor itself in Nơi nhận
        superior = ""
    return Office(superior=superior, name=office_name.upper(),
                  place=common([u.place for u in units]),
                  code=code or re.sub(r"[^a-z0-9]+", "-", ascii_fold(office_name)).strip("-"))


def _received(path: str | Path) -> datetime | None:
    """When a file reached the office: its save time, as the inbox keeps it."""
    try:
        return datetime.fromtimestamp(Path(path).stat().st_mtime)
    except OSError:
        return None


def _status(res: FileResult) -> str:
    if not res.usable:
        return "Không dùng được"
    return "Có lỗi" if res.errors else "Hợp lệ"


def score_round(inputs: Iterable[str | Path], crit: CriteriaSet, units: Sequence[Unit],
                out: str | Path, office: Office | None = None,
                appraisal: str | Path | None = None,
                appraisal_out: str | Path | None = None, workers: int | None = None,
                progress: Callable[[int], object] | None = None) -> RoundResult:
    files = expand_paths(inputs)
    out = Path(out)
    inputs_resolved = {p.resolve() for p in files if p.exists()}
    for target in (out, Path(appraisal_out) if appraisal_out else None):
        if target is not None and target.resolve() in inputs_resolved:
            raise UserError(f"Tệp kết quả «{target}» trùng với một tệp đầu vào; hãy chọn tên "
                            "khác để không ghi đè dữ liệu.")
    report, scored = check_files(files, crit, units, workers, progress)
    by_file = {f.file: f for f in report.files}
    # latest valid file per unit; a ranking workbook brings many units
    chosen: dict[str, tuple[float, UnitScores]] = {}
    messages: list[str] = []
    for s in scored:
        res = by_file.get(s.source)
        if res is None or not res.valid:
            continue
        when = Path(s.source).stat().st_mtime if Path(s.source).exists() else 0.0
        if s.code in chosen:
            older, newer = sorted([chosen[s.code], (when, s)], key=lambda x: x[0])
            messages.append(f"{s.name} ({s.code}) có trong hai tệp hợp lệ; dùng tệp mới hơn "
                            f"«{Path(newer[1].source).name}», bỏ «"
                            f"{Path(older[1].source).name}».")
            chosen[s.code] = newer
        else:
            chosen[s.code] = (when, s)
    known = {u.code: u for u in units}
    ranked = [chosen[u.code][1] for u in units if u.code in chosen]
    ranked += [s for code, (_, s) in sorted(chosen.items()) if code not in known]
    appraisal_res = None
    if appraisal:
        try:
            a = read_appraisal(appraisal, crit)
        except UnusableFile as exc:
            raise UserError(exc.message) from None
        if a.result.usable:
            apply_appraisal(a, crit, ranked)
        appraisal_res = a.result
    ranking = compute_ranking(crit, ranked)
    submissions = []
    files_of: dict[str, list[FileResult]] = {}
    for res in report.files:
        files_of.setdefault(res.unit_code, []).append(res)
    for u in units:
        if u.code in chosen:
            src = chosen[u.code][1].source
            submissions.append(Submission(u.code, u.name, "Hợp lệ", 0,
                                          by_file[src].warnings, Path(src).name,
                                          _received(src)))
        elif u.code in files_of:
            res = files_of[u.code][-1]
            submissions.append(Submission(u.code, u.name, _status(res), res.errors,
                                          res.warnings, Path(res.file).name,
                                          _received(res.file)))
        else:
            submissions.append(Submission(u.code, u.name, "Chưa nộp", 0, 0, ""))
    for res in report.files:
        if res.unit_code not in known and not (res.kind == "consolidation" and res.valid):
            name = res.unit_name or "Không xác định được đơn vị"  # never a file name
            submissions.append(Submission(res.unit_code, name,
                                          _status(res) if res.unit_code else "Không dùng được",
                                          res.errors, res.warnings, Path(res.file).name,
                                          _received(res.file), listed=False))
    missing = [u for u in units if u.code not in chosen and u.code not in files_of]
    office = office or office_for(units)
    write_ranking(crit, ranking, ranked, submissions, office, out)
    written = write_appraisal(crit, ranked, appraisal_out, office) if appraisal_out else None
    return RoundResult(report, ranking, submissions, out, written, appraisal_res, missing,
                       messages)
