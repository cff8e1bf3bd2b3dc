"""Merging: per-unit aggregates that compose, the consolidation and its workbook."""
