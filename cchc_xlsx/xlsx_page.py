"""An xlsxwriter worksheet whose page number is not printed on page 1.

NĐ 30/2020 puts the page number centred in the top margin and not on the first page.
SpreadsheetML says so with ``differentFirst="1"`` on ``<headerFooter>`` and no first-page
header; xlsxwriter has no option for it, so this subclass writes the element itself.
Tests read the XML back and render the PDF to make sure it holds across xlsxwriter updates.
"""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet


class OfficialWorksheet(Worksheet):
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
