"""Plans from the documents offices already have: a Word plan, an Excel appendix, or the
plan workbook. ``open_plan`` loads any of them (or YAML) by its kind."""

from cchc_xlsx.plan_import.opener import PLAN_SUFFIXES, open_plan

__all__ = ["PLAN_SUFFIXES", "open_plan"]
