"""The portal's heavy work, run in worker processes so the event loop never waits on it.

A school's upload is guarded, validated, and (on demand) annotated; the office's merge
reads every current return. Each function here takes and returns plain data (paths,
strings, dicts) so it crosses the process boundary cheaply, and calls only the library API
(``file_guard``, ``check_files``, ``write_annotated``, ``merge``): the web layer adds no
rules of its own.
"""

from __future__ import annotations

import os
import signal
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from cchc_xlsx.checking.report import SEVERITY_VI, FileResult, Issue, IssueLine, grouped

_STATE: dict[str, Any] = {}


def _init_worker() -> None:
    """Leave signals to the server (it drains requests first), die with the forkserver
    (which dies with the server: a ``kill -9`` leaves no worker behind), and import the
    checker once so the first upload is as fast as the rest."""
    from cchc_xlsx.lifeline import die_with_parent

    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    from cchc_xlsx.checking import validate  # noqa: F401
    from cchc_xlsx.forms.specs import load_catalog

    _STATE["catalog"] = load_catalog()
    import pandas  # noqa: F401
    import pandera.pandas  # noqa: F401


def pool_size(workers: int | None = None) -> int:
    return workers or max(1, min(os.cpu_count() or 1, 4))


def make_pool(workers: int | None = None) -> ProcessPoolExecutor:
    """A forkserver pool (forking a threaded server process is unsafe)."""
    _start_forkserver()
    return ProcessPoolExecutor(pool_size(workers), mp_context=get_context("forkserver"),
                               initializer=_init_worker)


def _start_forkserver() -> None:
    """Start the forkserver now, from the main thread, importing ``forkserver_preload`` so
    it dies with the server (its workers die with it). The kernel's parent-death signal
    follows the *thread* that started a child: a forkserver started from a passing thread
    (a test client's) would die with that thread under a pool still in use, so from any
    other thread it is left to start as before, untied."""
    import threading
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():
        return
    forkserver.set_forkserver_preload(["cchc_xlsx.web.forkserver_preload"])
    try:
        forkserver.ensure_running()  # a no-op when one runs already
    finally:
        forkserver.set_forkserver_preload([])  # a later restart elsewhere: untied


def warm() -> int:
    return os.getpid()


def _catalog() -> Any:
    if "catalog" not in _STATE:
        from cchc_xlsx.forms.specs import load_catalog

        _STATE["catalog"] = load_catalog()
    return _STATE["catalog"]


def findings(res: FileResult, shown_name: str, hide: str) -> dict[str, Any]:
    """A file's result as the pages show it; the stored path never reaches a page.

    Bounded (``checking.bounded``): at most ``MAX_LISTED`` findings in full, the rest as
    one summary per rule and sheet, so a hostile file's receipt stays a few hundred KB."""
    from cchc_xlsx.checking.bounded import MAX_MESSAGE, MAX_VALUE, bound, clip

    def clean(text: str) -> str:
        return clip(text.replace(hide, shown_name) if hide else text, MAX_MESSAGE) or ""

    listed, rest = bound(res.issues)
    return {
        "usable": res.usable, "valid": res.valid, "errors": res.errors,
        "warnings": res.warnings, "unit_code": res.unit_code, "unit_name": res.unit_name,
        "plan_id": res.plan_id, "period_id": res.period_id, "not_return": res.not_return,
        "issues": [{"sheet": i.sheet, "cell": i.cell, "value": clip(i.value, MAX_VALUE),
                    "message": clean(i.message), "rule_id": i.rule_id,
                    "severity": i.severity, "severity_vi": SEVERITY_VI[i.severity]}
                   for i in listed],
        "issues_total": len(res.issues),
        "more": [s.to_dict() | {"message": clean(s.message), "sentence": clean(s.sentence),
                                "severity_vi": SEVERITY_VI[s.severity]} for s in rest],
    }


def issue_lines(issues: list[dict[str, Any]]) -> list[IssueLine]:
    """A page's findings with identical ones on a range as one line (``grouped``, the same
    lines ``validate`` prints)."""
    return grouped([Issue("", i["rule_id"], i["severity"], i["message"], i["sheet"],
                          i["cell"], i["value"]) for i in issues])


def check_uploads(jobs: list[dict[str, Any]], units: dict[tuple[str, str], list[Any]],
                  today: date | None = None) -> list[dict[str, Any]]:
    """Guard, store under the content hash, and validate uploaded files, as one batch.

    Each job: ``tmp`` (the spooled upload), ``files_dir``, ``sha256``, ``shown`` (the
    user's file name, for messages only), ``plan_id``, ``period_id`` and ``unit`` (the
    link's unit, or None for ``/kiem-tra``). With ``files_dir`` the file is moved to
    ``files_dir/<sha256>.<kind>`` (``kind`` from the guard, never from the user's name);
    without it the file is checked and removed. ``units`` maps (plan, period) to the
    round's units. Files of one round are checked in one ``check_files`` pass: its cost is
    mostly per pass, so a busy hour batches and stays fast. Returns, per job, the
    findings, plus ``refusal`` (one sentence) when the file is unusable or not this unit's.
    """
    from cchc_xlsx.reading.file_guard import UnusableFile, inspect_file

    out: list[dict[str, Any] | None] = [None] * len(jobs)
    groups: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for n, job in enumerate(jobs):
        tmp = job["tmp"]
        try:
            kind = inspect_file(tmp)  # before any parser sees the bytes
        except UnusableFile as exc:
            os.unlink(tmp)
            out[n] = {"refusal": exc.message.replace(tmp, job["shown"])}
            continue
        path = f"{tmp}.{kind}"  # the reader picks its parser from the guard; match it
        os.replace(tmp, path)
        groups.setdefault((job["plan_id"], job["period_id"]), []).append((n, path))
    for (plan_id, period_id), members in groups.items():
        _check_group(jobs, out, members, plan_id, period_id, units[(plan_id, period_id)],
                     today)
    return out  # type: ignore[return-value]


def _check_group(jobs: list[dict[str, Any]], out: list[Any], members: list[tuple[int, str]],
                 plan_id: str, period_id: str, units: list[Any], today: date | None) -> None:
    """Check one round's files in one pass; keep the accepted ones under their hash.

    Every file is checked under its own temp name, and only an accepted one is moved to
    ``<sha256>.<kind>``: a refused upload never touches a stored file, even one with the
    same bytes that another upload is storing at the same moment.
    """
    from cchc_xlsx.checking.validate import check_files

    paths = [path for _, path in members]
    try:
        checked = check_files(paths, units=units, period_id=period_id, plan_id=plan_id,
                              catalog=_catalog(), today=today, workers=1)
        for (n, path), res in zip(members, checked.report.files, strict=True):
            job = jobs[n]
            found = findings(res, job["shown"], path)
            found["stored_name"] = ""
            if not res.usable:
                found["refusal"] = found["issues"][0]["message"] if found["issues"] else (
                    f"Không đọc được tệp «{job['shown']}».")
            elif job["unit"] is not None:
                found["refusal"] = _belongs_elsewhere(res, job["shown"], plan_id, period_id,
                                                      job["unit"])
            if job["files_dir"] and not found.get("refusal"):
                found["stored_name"] = f"{job['sha256']}{Path(path).suffix}"
                os.replace(path, os.path.join(job["files_dir"], found["stored_name"]))
            out[n] = found
    finally:
        for _, path in members:  # checked only, refused, or a failed batch: not kept
            if os.path.exists(path):
                os.unlink(path)


def _belongs_elsewhere(res: FileResult, shown: str, plan_id: str, period_id: str,
                       unit: str) -> str:
    """Why a readable file cannot count for this unit's link ("" when it can)."""
    if not res.unit_code or not res.plan_id:
        return (f"Tệp «{shown}» không phải mẫu báo cáo do hệ thống phát (không có thông tin "
                "nhận dạng); hãy tải mẫu ở trang này, điền vào đó rồi gửi lại.")
    if res.unit_code != unit:
        return (f"Tệp «{shown}» là báo cáo của đơn vị khác (mã «{res.unit_code}»); hãy gửi "
                "đúng tệp của đơn vị mình, điền trên mẫu tải ở trang này.")
    if res.plan_id != plan_id or res.period_id != period_id:
        return (f"Tệp «{shown}» là báo cáo của kỳ hoặc kế hoạch khác (kỳ «{res.period_id}»);"
                " hãy tải mẫu của kỳ này ở trang này, điền vào đó rồi gửi lại.")
    return ""


def annotate(stored: str, out_dir: str, plan_id: str, period_id: str,
             units: list[Any], shown: str = "") -> str | None:
    """Write the annotated copy of a stored return (validated again: same bytes, same
    findings), once; returns its path, or None when the format cannot carry comments."""
    from cchc_xlsx.checking.annotate import annotated_name, write_annotated
    from cchc_xlsx.checking.validate import check_files

    target = Path(out_dir) / annotated_name(stored)
    if target.exists():
        return str(target)
    checked = check_files([stored], units=units, period_id=period_id, plan_id=plan_id,
                          catalog=_catalog(), workers=1)
    written = write_annotated(checked.report.files[0], out_dir, shown)
    return str(written) if written else None


def merge_round(files: list[str], plan_file: str, units: list[Any], period_id: str,
                due: date, out: str, db: str, include_invalid: bool,
                profile: Any = None) -> dict[str, Any]:
    """The consolidated workbook of a round, by the library's ``merge``; signed with the
    office's profile (``OfficeProfile`` with this download's number and date) when given."""
    from cchc_xlsx.inbox.history import History
    from cchc_xlsx.merging.merge import merge, office_from_units
    from cchc_xlsx.web.round_plan import load_round_plan, with_due

    plan = with_due(load_round_plan(plan_file), period_id, due)
    office = office_from_units(units, plan, profile=profile)
    with History(db) as history:
        result = merge(files, plan, units, period_id, out, office, history=history,
                       include_invalid=include_invalid, catalog=_catalog(), workers=1)
    return {"out": str(result.out), "messages": result.messages}


def word_report(merged: str, out: str) -> str:
    """The drafted Word report of a consolidated workbook, by the ``report`` command's own
    ``write_report`` (the office details come from the workbook, as merge signed it)."""
    from cchc_xlsx.reporting.word_report import write_report

    return str(write_report(merged, out))
