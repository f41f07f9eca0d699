"""Everything computed from the tidy table: statistics (``stats``, the one home of intervals,
tests and agreement coefficients), baselines, the rows each rate counts (``samples``), tables,
findings, figures, the HTML report, the release gate and terminal summaries; each layer reads
only the ones before it (``tests/test_analysis_layers.py``)."""
