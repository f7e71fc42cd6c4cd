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
"""
from pathlib import Path

__version__ = "0.1.0"

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"      # gazetteers, cue words, layout labels, the fitted model
SCHEMA_DIR = PACKAGE_DIR / "schema"  # JSON Schemas of the records, Table Schemas of the CSV files
