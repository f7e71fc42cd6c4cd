"""kp_extract: project and partnership records from ICLD "kommunala partnerskap" page dumps.

The package's rooms, in the order a run goes through them:

* stages/: s1_read, s2_clean, s3_segment, s4_language, s5_extract (rules propose, a trained model
  decides), s6_dedupe: each a function from the previous stage's objects to new ones;
* lexicon/: the knowledge the stages search with (gazetteer, partner names, value finders);
* run/: the pipeline that wires the stages, the per-page cache, progress and the summary;
* outputs/: the record files, datapackage.json and the schemas they follow;
* review/: the scorer, the HTML report, the one-page inspector.

model.py holds the dataclasses that flow between the stages; data/ the tables, cue words and the
fitted model; schema/ the JSON and Table Schemas of the records.

`read_output(out_dir)` reads a run's records, whatever format it wrote, as pandas DataFrames.
"""
from pathlib import Path

__version__ = "0.1.0"

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"      # gazetteers, cue words, layout labels, the fitted model
SCHEMA_DIR = PACKAGE_DIR / "schema"  # JSON Schemas of the records, Table Schemas of the CSV files


def read_output(out_dir):
    """(projects, partnerships) of the run output in out_dir as pandas DataFrames, read from the
    richest record format there (outputs.reader.read_records: JSON, JSON Lines, Parquet or CSV in
    either dialect). A column per record field, in field order: ids, codes, names and dates as the
    string dtype (a code keeps its leading zero, a date its stated precision: "2019", "2019-03"),
    amount_sek and since_year as the nullable Int64, duration_years and confidence as Float64, list
    fields and sources as Python lists. outputs.reader.NoRunOutput (a FileNotFoundError) when out_dir
    holds no run output."""
    from kp_extract.outputs.reader import read_records, records_frame

    projects, partnerships = read_records(out_dir)
    return records_frame(projects, "projects"), records_frame(partnerships, "partnerships")
