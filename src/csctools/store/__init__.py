"""The regional store: submissions kept append-only in one DuckDB file, published as merged and open datasets."""
