"""An xlsxwriter worksheet whose page number is not printed on page 1.

NĐ 30/2020 puts the page number centred in the top margin and not on the first page.
SpreadsheetML says so with ``differentFirst="1"`` on ``<headerFooter>`` and no first-page
header; xlsxwriter has no option for it, so this subclass writes the element itself.
Tests read the XML back and render the PDF to make sure it holds across xlsxwriter updates.
"""

from __future__ import annotations

from functools import lru_cache

from xlsxwriter.worksheet import Worksheet


@lru_cache(maxsize=8192)
def _prepared(prepare, formula: str, expand: bool, future: bool) -> str:
    return prepare(_Probe(future), formula, expand)


class _Probe:
    """Just the state ``Worksheet._prepare_formula`` reads."""

    def __init__(self, future: bool) -> None:
        self.use_future_functions = future


class OfficialWorksheet(Worksheet):
    """Also caches formula preparation: ~70 regex passes per formula, the same formulas in
    every unit's workbook (profiled at 20 % of generate); the result depends only on the
    formula and two flags."""

    def _prepare_formula(self, formula, expand_future_functions=False):
        return _prepared(Worksheet._prepare_formula, formula, bool(expand_future_functions),
                         bool(self.use_future_functions))
    def _write_header_footer(self) -> None:
        if not self.header_footer_changed:
            super()._write_header_footer()
            return
        attributes = [("differentFirst", 1)]
        if not self.header_footer_scales:
            attributes.append(("scaleWithDoc", 0))
        if not self.header_footer_aligns:
            attributes.append(("alignWithMargins", 0))
        self._xml_start_tag("headerFooter", attributes)
        if self.header:
            self._write_odd_header()
        if self.footer:
            self._write_odd_footer()
        self._xml_end_tag("headerFooter")
