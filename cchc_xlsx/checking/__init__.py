"""Checking: rules compiled to pandera, validation reports, annotated copies."""
