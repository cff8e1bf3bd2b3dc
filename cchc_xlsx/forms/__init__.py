"""Forms and generation: form specs, the NĐ 30/2020 layout, workbook writing, identity."""
