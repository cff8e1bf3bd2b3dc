"""``cchc-xlsx``: thin click commands over the library API.

Each stage's commands live in their own module and register themselves on ``main``; heavy
imports happen inside commands so ``--help`` stays fast.
"""

from cchc_xlsx.cli import (  # noqa: F401  (register)
    check_cmds,
    inbox_cmds,
    merge_cmds,
    plan_cmds,
    plan_file_cmds,
    report_cmds,
    scoring_cmds,
    unit_plan_cmds,
    web_cmds,
)
from cchc_xlsx.cli.app import friendly, main

__all__ = ["friendly", "main"]
