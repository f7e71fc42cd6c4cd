"""What a run writes: the record files in each format (export, stream, parquet), datapackage.json,
and the scrubbing, CSV dialects and atomic files they share."""
