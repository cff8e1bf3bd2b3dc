"""The print stage: how a sheet's table is laid out on paper (column widths by the text
they hold; page breaks by measured blocks). Writers describe their tables; this package
decides widths and pages, the same way for every workbook."""
