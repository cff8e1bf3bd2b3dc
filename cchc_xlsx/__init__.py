"""cchc-xlsx: official-layout Excel templates for CCHC plans and reports, read back,
validated and merged."""

__version__ = "0.1.0"
