"""The shipped schemas of the records (src/kp_extract/schema/), loaded, and validation against them.

* `load_schema("project" | "partnership")`: the JSON Schema (draft 2020-12) of one record, what
  `kp-extract schema` prints;
* `table_schema("projects" | "partnerships")`: the Frictionless Table Schema of the CSV file, which
  datapackage.json embeds;
* `validate_records(projects, partnerships)`: one message per violation of the JSON Schemas.

Both kinds of schema list the record fields in the order of the record dataclasses
(records.PROJECT_FIELDS, PARTNERSHIP_FIELDS); tests/outputs/test_schema.py checks that they agree
with them and with each other (names, order, types, patterns).
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["SCHEMA_KINDS", "load_schema", "table_schema", "validate_records"]

# record stem (file name) -> JSON Schema kind (one record)
SCHEMA_KINDS = {"projects": "project", "partnerships": "partnership"}


@lru_cache(maxsize=None)
def _schema_text(name: str) -> str:
    return resources.files("kp_extract").joinpath("schema", name).read_text(encoding="utf-8")


def load_schema(kind: str) -> dict:
    """The shipped JSON Schema for kind "project" or "partnership" (a fresh dict on every call)."""
    return json.loads(_schema_text(f"{kind}.schema.json"))


@lru_cache(maxsize=None)
def table_schema(stem: str) -> dict:
    """The Table Schema of stem ("projects" or "partnerships") CSV, from schema/STEM.tableschema.json
    (one dict per process: do not change it)."""
    return json.loads(_schema_text(f"{stem}.tableschema.json"))


def _path_text(prefix: str, index: int, path: Iterable[Any]) -> str:
    out = f"{prefix}[{index}]"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def validate_records(projects_json: list[dict], partnerships_json: list[dict]) -> list[str]:
    """Validate record dicts against the shipped schemas; one message per violation,
    e.g. "projects[3].sdgs[0]: 18 is greater than the maximum of 17". Empty when valid."""
    from jsonschema import Draft202012Validator

    messages: list[str] = []
    for prefix, records in (("projects", projects_json), ("partnerships", partnerships_json)):
        validator = Draft202012Validator(load_schema(SCHEMA_KINDS[prefix]))
        for i, rec in enumerate(records):
            errs = sorted(validator.iter_errors(rec), key=lambda e: [str(p) for p in e.path])
            for err in errs:
                messages.append(f"{_path_text(prefix, i, err.path)}: {err.message}")
    return messages
