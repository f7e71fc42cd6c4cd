"""The writer's fast paths give exactly what the general paths give.

jsontext.record_json renders record shapes (flat scalars, lists of strings or numbers, lists of
flat dicts) with few C calls; csv.csv_cell takes exact types first; jsontext.json_line uses one
prebuilt encoder; the exporters write in batches. Each test runs the plain reference (json.dumps,
the cell rules as they were written before the fast paths, the whole-file reference writer of
tests/outputs/reference_writer.py) next to the fast code on generated inputs, so a fast path that
renders anything differently fails."""
from __future__ import annotations

import enum
import json
import math
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kp_extract.model import Conflict, ConflictValue, Decision, FileError, Partnership, Project, Source
from kp_extract.outputs import exporters
from kp_extract.outputs import writer
from kp_extract.outputs.csv import LIST_SEPARATOR, csv_cell
from kp_extract.outputs.files import FileStat
from kp_extract.outputs.jsontext import json_line, record_json
from kp_extract.outputs.records import PARTNERSHIP_FIELDS, PROJECT_FIELDS
from kp_extract.outputs.records import number as _number
from kp_extract.outputs.writer import write_outputs as write_outputs_streaming
from tests.outputs.reference_writer import errors_jsonl, records_csv, write_outputs


class Text(str):
    """A str subclass whose str() differs from its characters (csv_cell must call str())."""

    def __str__(self) -> str:
        return "T:" + str.__str__(self)


class Count(int):
    pass


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 22


# Strings that look like the renderer's own joints and separators, to catch a replace() that
# could touch a value.
tricky_text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["}", "},\n    {", "},\n   {", "\n", ",\n  ", "\"", "\\", "[", "]", "{", "=x", "-1", "@a",
                     "\t", "\r", "a | b", "\ud800", "ö", "", " "]),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                    st.floats(allow_nan=False, allow_infinity=False), tricky_text,
                    st.builds(Text, tricky_text), st.builds(Count, st.integers(-5, 5)), st.sampled_from(list(Level)))
keys = st.one_of(tricky_text, st.builds(Text, tricky_text))
flat_dicts = st.dictionaries(tricky_text, scalars, max_size=4)
sources = st.builds(lambda f, s, e: {"file": f, "start": s, "end": e}, tricky_text, st.integers(0, 10**6),
                    st.integers(0, 10**6))
record_values = st.one_of(
    scalars,
    st.lists(tricky_text, max_size=5),
    st.lists(st.integers(-100, 100), max_size=5),
    st.lists(scalars, max_size=5),
    st.lists(sources, max_size=5),
    st.lists(flat_dicts, max_size=4),
    st.lists(tricky_text, max_size=3).map(tuple),
    st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(keys, inner, max_size=3)), max_leaves=12),
)
records = st.dictionaries(keys, record_values, max_size=8)


def json_array(items) -> str:
    return json.dumps(items, ensure_ascii=False, indent=1, allow_nan=False) + "\n"


def streamed_array(items) -> str:
    body = "".join(("[\n " if i == 0 else ",\n ") + record_json(r) for i, r in enumerate(items))
    return body + "\n]\n" if items else "[]\n"


@settings(max_examples=600, deadline=None)
@given(st.lists(records, max_size=3))
def test_record_json_equals_json_dumps_on_record_shapes(items):
    assert streamed_array(items) == json_array(items)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.dictionaries(st.one_of(st.integers(-3, 3), st.booleans(), st.none(),
                                          st.floats(allow_nan=False, allow_infinity=False), tricky_text),
                                scalars, max_size=3), min_size=1, max_size=3))
def test_record_json_with_keys_json_converts(dicts):
    """Non-str keys: json.dumps turns ints, floats, bools and None into strings."""
    items = [{"sources": dicts, "top": dicts[0]}]
    assert streamed_array(items) == json_array(items)


def test_record_json_deeper_than_the_indent_tables():
    deep: object = ["leaf", {"k": [1, 2.5, None]}, [{"a": 1}]]
    for _ in range(20):
        deep = {"x": [deep, {"y": [1, {"z": "w"}]}]}
    items = [{"deep": deep, "list": [[[["a"]]]]}]
    assert streamed_array(items) == json_array(items)


@pytest.mark.parametrize("value", [
    [1.0, math.nan], [{"a": 1}, {"b": math.inf}], {"d": [-math.inf]}, [{"a": [math.nan]}],
])
def test_record_json_refuses_nan_and_infinity_on_every_path(value):
    with pytest.raises(ValueError):
        json_array([{"v": value}])
    with pytest.raises(ValueError):
        record_json({"v": value})


@pytest.mark.parametrize("value", [[1, {1, 2}], [{"a": object()}], {(1, 2): 3}, [{"a": 1}, {(1,): 2}]])
def test_record_json_refuses_what_json_refuses(value):
    with pytest.raises(TypeError):
        json_array([{"v": value}])
    with pytest.raises(TypeError):
        record_json({"v": value})


# ------------------------------------------------------------------ csv cells

def reference_plain_cell(value) -> str:
    """csv._plain_cell as written before the exact-type fast paths."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        num = _number(value)
        return "" if num is None else repr(num) if isinstance(num, float) else str(num)
    if isinstance(value, (Source, dict)):
        src = value.to_dict() if isinstance(value, Source) else {
            "file": value["file"], "start": int(value["start"]), "end": int(value["end"])}
        return f"{src['file']}:{src['start']}-{src['end']}"
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(reference_plain_cell(v) for v in value)
    return str(value)


def reference_csv_cell(value) -> str:
    text = reference_plain_cell(value)
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


cell_scalars = st.one_of(scalars, st.floats(), st.builds(Source, tricky_text, st.integers(0, 99),
                                                          st.integers(0, 99)))
cell_values = st.one_of(
    cell_scalars, sources,
    st.recursive(st.one_of(cell_scalars, sources), lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.lists(inner, max_size=4).map(tuple)), max_leaves=10),
)


@settings(max_examples=800, deadline=None)
@given(cell_values)
def test_csv_cell_equals_the_plain_rules(value):
    assert csv_cell(value) == reference_csv_cell(value)


def test_csv_cell_calls_str_of_a_subclass():
    assert csv_cell(Text("x")) == "T:x"
    assert csv_cell([Text("x"), "y"]) == "T:x | y"
    assert csv_cell([Count(3), 4]) == "3 | 4"
    assert csv_cell([Level.HIGH]) == "22"
    assert csv_cell([{"file": "f", "start": 1.0, "end": True}, Source("g", 2, 3)]) == "f:1-1 | g:2-3"


# ------------------------------------------------------------------ JSON Lines

@settings(max_examples=300, deadline=None)
@given(st.lists(records, max_size=4))
def test_jsonl_equals_json_dumps_per_line(items):
    expected = "".join(json.dumps(r, ensure_ascii=False, allow_nan=False) + "\n" for r in items)
    assert "".join(json_line(r) + "\n" for r in items) == expected


def test_errors_jsonl_lines(tmp_path):
    errors = [FileError("a.txt", "read", "ring 070-123 45 67"), FileError("b\n.txt", "clean", "boom")]
    write_outputs_streaming(tmp_path, [], [], [], errors)
    text = (tmp_path / "errors.jsonl").read_text("utf-8")
    assert text == errors_jsonl(errors)
    assert [json.loads(line) for line in text.splitlines()] == [
        {"file": "a.txt", "stage": "read", "reason": "ring [telefon]"},
        {"file": "b\n.txt", "stage": "clean", "reason": "boom"}]


# ------------------------------------------------------------------ batched writes

def _project(i: int) -> Project:
    return Project(
        record_id=f"kp-{i:04d}", title=f"=Projekt {i}" if i % 7 == 0 else f"Projekt {i}",
        swedish_partners=["Alingsås kommun"] if i % 2 else [], swedish_partner_codes=["1489"],
        international_partners=[f"City {i}", "Town, \"Old\""], other_participants=[], countries=["RW"],
        project_areas=["Miljö"], themes=[], sdgs=[i % 17 + 1, 3], start_date="2019-01" if i % 3 else None,
        end_date=None, duration_years=[None, 1.5, 2.0, math.nan][i % 4], amount_sek=i * 1000 if i % 5 else None,
        tags=["a\nb"], languages=["sv"], summary=f"Rad ett\nrad {i}; ring 070-123 45 67" if i % 11 == 0 else "",
        sources=[Source(f"p{i % 4}.txt", i, i + 10 + k) for k in range(i % 5)],
        possible_duplicates=[f"kp-{i - 1:04d}"] if i % 6 == 0 else [])


def _partnership(i: int) -> Partnership:
    return Partnership(swedish_partner="Alingsås kommun", swedish_partner_code="1489" if i % 2 else None,
                       international_partner=f"City {i}", country="RW" if i % 3 else None,
                       since_year=2000 + i if i % 4 else None, project_ids=[f"kp-{i:04d}"],
                       sources=[Source("p.txt", i, i + 5)])


@pytest.mark.parametrize("batch", [1, 3, 256])
@pytest.mark.parametrize("count", [0, 1, 7, 600])
def test_batched_streaming_equals_write_outputs(batch, count, tmp_path, monkeypatch):
    """Every batch size and record count (none, fewer than a batch, several batches) gives the
    reference writer's bytes."""
    monkeypatch.setattr(exporters, "WRITE_BATCH", batch)
    projects = [_project(i) for i in range(count)]
    partnerships = [_partnership(i) for i in range(count // 2)]
    blocks = [{"file": f"p{i}.txt", "start": i, "end": i + 1, "kind": "prose", "language": None, "item": 0,
               "section": i, "record_ids": [f"kp-{i:04d}"] if i % 2 else []} for i in range(count)]
    errors = [FileError("x.txt", "read", "bad")]
    write_outputs(tmp_path / "ref", projects, partnerships, blocks, errors)
    written = write_outputs_streaming(tmp_path / "new", iter(projects), partnerships, iter(blocks), errors)
    assert written.blocks == count
    for name in ("projects.json", "projects.csv", "partnerships.json", "partnerships.csv", "blocks.jsonl",
                 "errors.jsonl"):
        assert (tmp_path / "new" / name).read_bytes() == (tmp_path / "ref" / name).read_bytes(), name


def _records(count: int):
    projects = [_project(i) for i in range(count)]
    partnerships = [_partnership(i) for i in range(count // 2)]
    blocks = [{"file": f"p{i}.txt", "start": i, "end": i + 1, "kind": "prose", "language": None, "item": 0,
               "section": i, "record_ids": [f"kp-{i:04d}"] if i % 2 else []} for i in range(count)]
    return projects, partnerships, blocks


def _in_a_fresh_process(fn, *args):
    """fn(*args) in a new interpreter (spawn): one with no threads, as a kp-extract run has when it
    writes its outputs; the test process may hold threads other tests left (Dask's offload thread),
    which rightly keep write_outputs_streaming from forking."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


def _write_both_ways(out: str, formats: str) -> dict:
    """Write the same records here and through a forked writer; the file stats the forked run returned."""
    assert writer.can_fork_writer(), "a fresh process runs one thread"
    projects, partnerships, blocks = _records(300)
    errors = [FileError("x.txt", "read", "bad")]
    stats = {}
    for name, side in (("here", False), ("forked", True)):
        written = write_outputs_streaming(Path(out) / name, iter(projects), partnerships, iter(blocks), errors,
                                          formats=formats, side_process=side)
        assert written.blocks == 300
        stats[name] = written.files
    assert stats["here"] == stats["forked"]
    return stats["forked"]


@pytest.mark.parametrize("formats", ["csv,json", "csv,json,jsonl"])
def test_a_forked_writer_writes_the_same_bytes_and_keeps_their_hashes(formats, tmp_path):
    """side_process: partnerships and blocks.jsonl written in a child give the same files, and
    their hashes reach the parent (datapackage.json need not read them back)."""
    import hashlib

    stats = _in_a_fresh_process(_write_both_ways, str(tmp_path), formats)
    names = sorted(p.name for p in (tmp_path / "here").iterdir())
    assert names == sorted(stats)
    for name in names:
        data = (tmp_path / "forked" / name).read_bytes()
        assert data == (tmp_path / "here" / name).read_bytes(), name
        assert stats[name] == FileStat(len(data), hashlib.sha256(data).hexdigest()), name


def _broken_rows():
    yield {"file": "a.txt", "start": 0, "end": 1, "kind": "prose", "language": None, "item": 0,
           "section": 0, "record_ids": []}
    raise ValueError("a broken block row")


def _write_broken_rows(out: str) -> None:
    assert writer.can_fork_writer(), "a fresh process runs one thread"
    write_outputs_streaming(Path(out), [], [], _broken_rows(), [], side_process=True)


def test_an_error_in_the_forked_writer_is_raised_in_the_parent(tmp_path):
    with pytest.raises(ValueError, match="a broken block row"):
        _in_a_fresh_process(_write_broken_rows, str(tmp_path))
    assert not (tmp_path / "blocks.jsonl").exists()


def test_no_fork_while_another_thread_runs(tmp_path, monkeypatch):
    """With a second thread alive, side_process writes everything in this process (same bytes)."""
    import threading

    forks = []
    monkeypatch.setattr(writer.ForkedWriter, "__enter__",
                        lambda self: forks.append(self) or pytest.fail("forked with a thread running"))
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not writer.can_fork_writer()
        projects, partnerships, blocks = _records(20)
        assert write_outputs_streaming(tmp_path, iter(projects), partnerships, iter(blocks), [],
                                       side_process=True).blocks == 20
    finally:
        stop.set()
        other.join()
    assert not forks
    assert (tmp_path / "blocks.jsonl").read_text("utf-8").count("\n") == 20


@pytest.mark.parametrize("batch", [1, 5])
def test_batched_jsonl_and_excel_csv(batch, tmp_path, monkeypatch):
    monkeypatch.setattr(exporters, "WRITE_BATCH", batch)
    projects = [_project(i) for i in range(23)]
    write_outputs_streaming(tmp_path, projects, [], [], [], formats="csv,jsonl", csv_dialect="excel-sv")
    from kp_extract.outputs.records import project_to_dict

    dicts = [project_to_dict(p) for p in projects]
    assert (tmp_path / "projects.jsonl").read_text("utf-8") == "".join(
        json.dumps(d, ensure_ascii=False, allow_nan=False) + "\n" for d in dicts)
    assert (tmp_path / "projects.csv").read_bytes() == records_csv(dicts, PROJECT_FIELDS, "excel-sv").encode()
    assert not Path(tmp_path / "projects.json").exists()
    assert (tmp_path / "partnerships.csv").read_bytes() == records_csv([], PARTNERSHIP_FIELDS, "excel-sv").encode()


# ------------------------------------------------------------------ block rows and summaries

span_lists = st.lists(st.tuples(st.sampled_from(["a", "b"]), st.integers(-3, 40), st.integers(-3, 40)), max_size=12)


class _Rec:
    def __init__(self, rid: str, spans) -> None:
        self.record_id = rid
        self.sources = [Source(f, s, e) for f, s, e in spans]


@settings(max_examples=400, deadline=None)
@given(st.lists(span_lists, max_size=5), span_lists, st.lists(st.tuples(st.sampled_from(["a", "b", "c"]),
                                                                         st.integers(-3, 40), st.integers(-3, 40)),
                                                               min_size=1, max_size=10))
# an end below -1 once fooled a running max that started from -1
@example(project_spans=[], partnership_spans=[("a", -1, -2)], blocks=[("a", -2, 0)])
def test_span_index_equals_the_overlap_scan(project_spans, partnership_spans, blocks):
    from kp_extract.run.blocks import SpanIndex

    projects = [_Rec(f"kp-{i}", spans) for i, spans in enumerate(project_spans)]
    partnerships = [_Rec("", partnership_spans)]
    index = SpanIndex(projects, partnerships)
    for file, start, end in blocks:
        expected = sorted({p.record_id for p in projects for s in p.sources
                           if s.file == file and s.start < end and start < s.end})
        assert index.record_ids(file, start, end) == expected
        assert index.partnered_within(file, start, end) == any(
            s.file == file and s.start < end and start < s.end for s in partnerships[0].sources)


def test_summary_store_resolve_equals_dataclasses_replace():
    import dataclasses

    from kp_extract.run.compact import SummaryStore

    with SummaryStore() as store:
        for i in range(12):
            project = _project(i)
            handle = store.put(project.summary)
            stored = dataclasses.replace(project, summary=handle)
            resolved = store.resolve(stored)
            assert resolved == project and type(resolved) is Project
            assert resolved is not stored and stored.summary == handle


# ------------------------------------------------------------------ hashes taken while writing

def _read_stats(path: Path) -> FileStat:
    import hashlib

    data = path.read_bytes()
    return FileStat(len(data), hashlib.sha256(data).hexdigest())


def test_hashed_atomic_file_records_the_bytes_written(tmp_path):
    from kp_extract.outputs.files import hashed_atomic_file

    path = tmp_path / "x.jsonl"
    with hashed_atomic_file(path) as fh:
        fh.write("\ufeffå,ä\r\n")
        fh.write("x" * 100_000)  # large enough for hashlib to hash without the GIL
        fh.write("")
        fh.write("\n" + "ö" * 3)
    assert path.read_bytes() == ("\ufeffå,ä\r\n" + "x" * 100_000 + "\n" + "ö" * 3).encode("utf-8")
    assert fh.stat == _read_stats(path)


def test_hashed_atomic_file_failure_leaves_the_old_file(tmp_path):
    from kp_extract.outputs.files import hashed_atomic_file

    path = tmp_path / "z.csv"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        with hashed_atomic_file(path) as fh:
            fh.write("ok")
            fh.write("\ud800")
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["z.csv"]


@pytest.mark.parametrize("formats", ["csv,json,jsonl", "json,parquet"])
@pytest.mark.parametrize("handed_in", [True, False])
def test_datapackage_hashes_equal_the_files(formats, handed_in, tmp_path):
    """The stats the writer returns, handed to datapackage.json, are the files' own; without them
    datapackage.json reads the files and writes the same."""
    import json as _json

    written = write_outputs_streaming(tmp_path, [_project(i) for i in range(40)], [_partnership(i) for i in range(9)],
                                      [], [FileError("a", "read", "x")], formats=formats)
    from kp_extract.outputs.datapackage import write_datapackage

    write_datapackage(tmp_path, formats=formats, csv_dialect="rfc4180", include_contacts=False,
                      input_dir="in", inputs=[], written=written.files if handed_in else None)
    package = _json.loads((tmp_path / "datapackage.json").read_text("utf-8"))
    entries = package["resources"] + package["kp_extract"]["outputs"]
    chosen = formats.split(",")
    # 2 record files per format, the link table with csv and with parquet, blocks, errors, candidates
    assert len(entries) == 2 * len(chosen) + ("csv" in chosen) + ("parquet" in chosen) + 3
    assert sorted(e["path"] for e in entries) == sorted(written.files)
    for entry in entries:
        stat = _read_stats(tmp_path / entry["path"])
        assert (entry["bytes"], entry["hash"]) == (stat.size, f"sha256:{stat.sha256}"), entry["path"]


def test_json_line_starts_fresh_after_an_error():
    """json_line keeps one C encoder: after a call that raised half-way through nested containers,
    the next call with those same containers must not be taken for a circular reference."""
    inner = {"a": [1, 2]}
    outer = {"x": [inner, {"bad": math.nan}]}
    cyclic: list = [inner]
    cyclic.append(cyclic)
    for bad, error in ((outer, ValueError), (cyclic, ValueError), ({"k": [inner, object()]}, TypeError)):
        with pytest.raises(error):
            json.dumps(bad, ensure_ascii=False, allow_nan=False)
        with pytest.raises(error):
            json_line(bad)
        assert json_line({"again": [inner, inner]}) == json.dumps({"again": [inner, inner]}, ensure_ascii=False)
    assert json_line("é\n") == json.dumps("é\n", ensure_ascii=False)


# ------------------------------------------------------------------ record -> dict

def _reference_source(src):
    if isinstance(src, Source):
        return src.to_dict()
    return {"file": src["file"], "start": int(src["start"]), "end": int(src["end"])}


def reference_project_to_dict(p: Project) -> dict:
    """records.project_to_dict as written before scrub_items/_sources and the field table."""
    from kp_extract.privacy import scrub

    return {
        "record_id": p.record_id, "title": scrub(p.title), "swedish_partners": scrub(list(p.swedish_partners)),
        "swedish_partner_codes": list(p.swedish_partner_codes),
        "international_partners": scrub(list(p.international_partners)),
        "other_participants": scrub(list(p.other_participants)), "countries": list(p.countries),
        "project_areas": scrub(list(p.project_areas)), "themes": scrub(list(p.themes)),
        "sdgs": [int(x) for x in p.sdgs], "start_date": p.start_date, "end_date": p.end_date,
        "duration_years": _number(p.duration_years),
        "amount_sek": None if p.amount_sek is None else int(p.amount_sek), "tags": scrub(list(p.tags)),
        "languages": list(p.languages), "summary": scrub(p.summary) if p.summary is not None else "",
        "sources": [_reference_source(s) for s in p.sources],
        "conflicts": [{"field": c.field, "values": [{"value": v.value, "sources": [_reference_source(s) for s in v.sources]}
                                                    for v in c.values]} for c in p.conflicts],
        "possible_duplicates": list(p.possible_duplicates),
        "confidence": round(min(max(float(p.confidence), 0.0), 1.0), 3),
        "decisions": [{k: scrub(v) for k, v in d.to_dict().items()} for d in p.decisions],
    }


contact_text = st.one_of(tricky_text, st.sampled_from(["ring 070-123 45 67", "anna@example.se", "Kontakt: Anna Ek.",
                                                       "Tel. 08-123 456 78", "E-post: x@y.se\nrad två"]))
text_items = st.lists(st.one_of(contact_text, st.builds(Text, contact_text), st.integers(0, 3), st.none(),
                                st.lists(contact_text, max_size=2)), max_size=4)
item_containers = st.one_of(text_items, text_items.map(tuple))
source_items = st.lists(st.one_of(st.builds(Source, tricky_text, st.integers(0, 99), st.integers(0, 99)), sources),
                        max_size=4)
# conflicts of text fields (their values exported as they are): dates, country codes
conflict_items = st.lists(st.builds(
    Conflict, field=st.sampled_from(["start_date", "end_date", "countries"]),
    values=st.lists(st.builds(ConflictValue, value=st.sampled_from(["2019", "2019-03", "KE", "UG"]),
                              sources=st.lists(st.builds(Source, tricky_text, st.integers(0, 99), st.integers(0, 99)),
                                               max_size=2).map(tuple)), min_size=2, max_size=3).map(tuple)),
    max_size=2)


@settings(max_examples=300, deadline=None)
@given(st.builds(
    Project, record_id=tricky_text, title=st.one_of(st.none(), contact_text), swedish_partners=item_containers,
    swedish_partner_codes=st.lists(tricky_text, max_size=2), international_partners=item_containers,
    other_participants=item_containers, countries=st.lists(tricky_text, max_size=2), project_areas=item_containers,
    themes=item_containers, sdgs=st.lists(st.integers(1, 17), max_size=3), start_date=st.none(), end_date=st.none(),
    duration_years=st.one_of(st.none(), st.floats()), amount_sek=st.one_of(st.none(), st.integers(0, 10**9)),
    tags=item_containers, languages=st.lists(st.sampled_from(["sv", "en"]), max_size=2),
    summary=st.one_of(st.none(), contact_text), sources=source_items.map(tuple) | source_items,
    conflicts=conflict_items, possible_duplicates=st.lists(tricky_text, max_size=2),
    decisions=st.lists(st.builds(Decision, st.sampled_from(["reject", "set"]), tricky_text, tricky_text,
                                 contact_text, tricky_text, tricky_text, contact_text), max_size=2)))
def test_project_to_dict_equals_the_plain_version(project):
    from kp_extract.outputs.records import project_to_dict

    assert project_to_dict(project) == reference_project_to_dict(project)


@settings(max_examples=200, deadline=None)
@given(st.builds(Partnership, swedish_partner=contact_text, swedish_partner_code=st.none(),
                 international_partner=contact_text, country=st.none(), since_year=st.none(),
                 project_ids=st.lists(tricky_text, max_size=2), sources=source_items))
def test_partnership_to_dict_sources_equal_the_plain_version(partnership):
    from kp_extract.outputs.records import partnership_to_dict

    assert partnership_to_dict(partnership)["sources"] == [_reference_source(s) for s in partnership.sources]
