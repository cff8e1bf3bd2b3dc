"""One module per appendix of the consolidated workbook (see ``merge_writer``)."""
