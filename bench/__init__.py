"""Benchmarks: rightsize against plain DuckDB on the same data in the same run (`make bench`)."""
