"""Report: RawDocument → ParsedReport (title, agency and year, agency identity, sections 一…六, canonical
cells by label, the numbers stated in the text, fingerprints) → the Batch frames, the one contract the
checks and the warehouse rely on."""
