"""The Word report drafted from a consolidated workbook."""
