"""Province-scale batch runs on Dask distributed over Parquet partitions (docs/distributed.md)."""
