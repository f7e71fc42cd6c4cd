"""--format iati (issue 16, item 6): iati-activities.xml, IATI 2.03, validated against the official
schema in ../shared/iati; the seeds' output and invented records that carry every field."""
from __future__ import annotations

import io
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from lxml import etree

from kp_extract.model import Project, Source
from kp_extract.outputs.datapackage import write_datapackage
from kp_extract.outputs.iati import IATI_FILE, IatiExporter, date_bounds, iati_identifier, iati_mapping, \
    report_time_from_environment
from kp_extract.outputs.records import project_to_dict
from kp_extract.outputs.writer import parse_formats, record_files, write_outputs
from kp_extract.run import pipeline
from kp_extract.training import SHARED
from tests.conftest import RAW

SCHEMA_FILE = SHARED / "iati" / "iati-activities-schema.xsd"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
PREFIX = iati_mapping()["reporting_org"]["ref"]


@pytest.fixture(scope="module")
def iati_schema() -> etree.XMLSchema:
    if not SCHEMA_FILE.is_file():
        pytest.fail(f"the IATI 2.03 schema is missing: expected {SCHEMA_FILE} (../shared/iati beside the "
                    "repository, with iati-common.xsd and xml.xsd)")
    return etree.XMLSchema(etree.parse(str(SCHEMA_FILE)))


def valid_tree(data: bytes, schema: etree.XMLSchema) -> etree._Element:
    root = etree.fromstring(data)
    assert schema.validate(root), "\n".join(str(e) for e in schema.error_log)
    return root


def project(**fields) -> Project:
    base = dict(record_id="kp-0000000000000001", title="Clean Water for Everyone",
                swedish_partners=["Exempelby kommun"], swedish_partner_codes=["9999"],
                international_partners=["Sample Town Council"], other_participants=[], countries=["KE"],
                project_areas=[], themes=[], sdgs=[], start_date=None, end_date=None, duration_years=None,
                amount_sek=None, tags=[], languages=["en"], summary="", sources=[Source("a.txt", 0, 10)],
                possible_duplicates=[], confidence=1.0)
    base.update(fields)
    return Project(**base)


def export(records: list[Project], report_time: datetime | None = None) -> tuple[bytes, IatiExporter]:
    sink = io.StringIO()
    exporter = IatiExporter(sink, report_time)
    exporter.start_exporting()
    for r in records:
        exporter.export_item(project_to_dict(r))
    exporter.finish_exporting()
    return sink.getvalue().encode("utf-8"), exporter


FULL = project(
    record_id="kp-00000000000000ff", title="Safer Streets <& \"Lights\">",
    swedish_partners=["Exempelby kommun", "Region Provlän"], swedish_partner_codes=["9999", "99"],
    international_partners=["Sample Town Council", "Demo District"], countries=["KE", "UG"],
    sdgs=[5, 11], start_date="2019-01", end_date="2021", amount_sek=2550000, languages=["sv", "en"],
    summary="Projektet startade i januari 2019 och ska avslutas 2021. ICLD och Sida finansierar arbetet.",
    sources=[Source("site/page one.html", 0, 50), Source("b.txt", 3, 9), Source("site/page one.html", 60, 80)])


# ------------------------------------------------------------------ the invented record with every field

def test_a_record_with_every_field_validates_and_maps_each_field(iati_schema):
    root = valid_tree(export([FULL])[0], iati_schema)
    assert root.get("version") == "2.03"
    (act,) = root.findall("iati-activity")
    assert act.get(XML_LANG) == "sv"
    assert act.findtext("iati-identifier") == f"{PREFIX}-kp-00000000000000ff"
    assert act.find("reporting-org").get("ref") == PREFIX
    assert act.findtext("title/narrative") == 'Safer Streets <& "Lights">'
    assert act.findtext("description/narrative") == FULL.summary
    orgs = [(o.get("role"), o.get("type"), o.get("ref"), o.findtext("narrative")) for o in act.findall("participating-org")]
    assert orgs == [("4", "11", None, "Exempelby kommun"), ("4", "11", None, "Region Provlän"),
                    ("4", "11", None, "Sample Town Council"), ("4", "11", None, "Demo District"),
                    ("3", None, None, "International Centre for Local Democracy (ICLD)"),
                    ("1", "10", "SE-0", "Swedish International Development Cooperation Agency (Sida)")]
    # started as the text reports (actual start, type 2); the end is what the text plans (type 3)
    dates = [(d.get("type"), d.get("iso-date"), d.findtext("narrative")) for d in act.findall("activity-date")]
    assert dates == [("2", "2019-01-01", "2019-01"), ("3", "2021-12-31", "2021")]
    assert act.find("activity-status").get("code") == "2"
    assert [c.get("code") for c in act.findall("recipient-country")] == ["KE", "UG"]
    assert [(s.get("vocabulary"), s.get("code")) for s in act.findall("sector")] == [("1", "15112")]
    assert [(t.get("vocabulary"), t.get("code")) for t in act.findall("tag")] == [("2", "5"), ("2", "11")]
    (budget,) = act.findall("budget")
    assert budget.find("period-start").get("iso-date") == "2019-01-01"
    assert budget.find("period-end").get("iso-date") == "2021-12-31"
    value = budget.find("value")
    assert (value.text, value.get("currency"), value.get("value-date")) == ("2550000", "SEK", "2019-01-01")
    links = [(d.get("url"), d.get("format"), d.findtext("title/narrative"), d.find("category").get("code"))
             for d in act.findall("document-link")]
    assert links == [("site/page%20one.html", "text/html", "site/page one.html", "A12"),
                     ("b.txt", "text/plain", "b.txt", "A12")]


def test_identifier_is_the_provisional_prefix_and_the_record_id():
    assert iati_identifier("kp-32580081c4c68f45") == f"{PREFIX}-kp-32580081c4c68f45"
    assert PREFIX.startswith("XX-")  # no registration agency: a placeholder until a publisher registers


# ------------------------------------------------------------------ the seeds

@pytest.fixture(scope="module")
def seeds_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("iati-seeds")
    pipeline.run(RAW, out, workers=1, formats="json,iati")
    return out


def test_seed_output_validates_against_the_official_schema(seeds_out, iati_schema):
    root = valid_tree((seeds_out / IATI_FILE).read_bytes(), iati_schema)
    projects = json.loads((seeds_out / "projects.json").read_text(encoding="utf-8"))
    dated = [p for p in projects if p["start_date"] or p["end_date"]]
    undated = [p["record_id"] for p in projects if not (p["start_date"] or p["end_date"])]
    assert dated and undated, "the seeds have projects with and without dates"
    ids = [a.findtext("iati-identifier") for a in root.findall("iati-activity")]
    assert ids == [f"{PREFIX}-{p['record_id']}" for p in dated]
    # the records left out are named in a comment at the end, with the reason
    (comment,) = [c for c in root.iter(etree.Comment) if "activity-date" in c.text]
    assert comment.text.split(": ", 1)[1].split() == undated
    for act, p in zip(root.findall("iati-activity"), dated):
        assert act.get(XML_LANG) == p["languages"][0]
        assert [c.get("code") for c in act.findall("recipient-country")] == p["countries"]
        assert [t.get("code") for t in act.findall("tag")] == [str(g) for g in p["sdgs"]]
        assert [d.get("url") for d in act.findall("document-link")] == list(dict.fromkeys(s["file"] for s in p["sources"]))


def test_seed_file_is_byte_identical_on_a_rerun_with_workers(seeds_out, tmp_path):
    pipeline.run(RAW, tmp_path, workers=2, formats="iati")
    assert (tmp_path / IATI_FILE).read_bytes() == (seeds_out / IATI_FILE).read_bytes()
    assert b"generated-datetime" not in (seeds_out / IATI_FILE).read_bytes()  # no clock read


def test_generated_datetime_is_the_stated_source_date_epoch(tmp_path, monkeypatch, iati_schema):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    pipeline.run(RAW, tmp_path, workers=1, formats="iati")
    root = valid_tree((tmp_path / IATI_FILE).read_bytes(), iati_schema)
    assert root.get("generated-datetime") == "2026-01-01T00:00:00Z"
    assert report_time_from_environment({"SOURCE_DATE_EPOCH": "soon"}) is None
    assert report_time_from_environment({}) is None


# ------------------------------------------------------------------ dates, status, organisations

def test_dates_as_xs_date_start_first_day_end_last_day():
    assert date_bounds("2023") == (datetime(2023, 1, 1).date(), datetime(2023, 12, 31).date())
    assert date_bounds("2020-02") == (datetime(2020, 2, 1).date(), datetime(2020, 2, 29).date())
    assert date_bounds("2019-01-15") == (datetime(2019, 1, 15).date(), datetime(2019, 1, 15).date())
    assert date_bounds("2019-13") is None and date_bounds("våren 2019") is None and date_bounds(None) is None


@pytest.mark.parametrize("summary, types", [
    ("The project will run from 2022 to 2024.", ["1", "3"]),
    ("Projektet pågick 2022-2024 och avslutades med en konferens.", ["2", "4"]),
    ("The project started in 2022 and is planned to end in 2024.", ["2", "3"]),
    ("", ["1", "3"]),
])
def test_date_type_is_actual_only_where_the_text_reports_it(summary, types, iati_schema):
    root = valid_tree(export([project(start_date="2022", end_date="2024", summary=summary)])[0], iati_schema)
    assert [d.get("type") for d in root.iter("activity-date")] == types


@pytest.mark.parametrize("report_day, status", [("2021-06-01", "1"), ("2023-06-01", "2"), ("2025-01-01", "3")])
def test_status_from_the_dates_against_a_stated_report_date(report_day, status, iati_schema):
    when = datetime.fromisoformat(report_day).replace(tzinfo=timezone.utc)
    data = export([project(start_date="2022", end_date="2024")], when)[0]
    root = valid_tree(data, iati_schema)
    assert root.find("iati-activity/activity-status").get("code") == status
    assert b"placeholder" not in data


def test_status_without_evidence_is_the_documented_placeholder_and_says_so(iati_schema):
    data = export([project(start_date="2022", end_date="2024")])[0]
    root = valid_tree(data, iati_schema)
    act = root.find("iati-activity")
    assert act.find("activity-status").get("code") == iati_mapping()["activity_status"]["unknown"]
    assert any("placeholder" in c.text for c in act.iter(etree.Comment))


def test_an_end_the_text_reports_gives_finalisation_without_a_report_date(iati_schema):
    root = valid_tree(export([project(start_date="2015", end_date="2017",
                                      summary="Projektet avslutades 2017.")])[0], iati_schema)
    assert root.find("iati-activity/activity-status").get("code") == "3"


def test_icld_and_sida_only_where_the_record_names_them(iati_schema):
    named = project(start_date="2020", summary="Finansierat av Sida genom ICLD.")
    lower = project(record_id="kp-0000000000000002", start_date="2020",
                    summary="Läs mer på kommunens sida om projektet.")
    root = valid_tree(export([named, lower])[0], iati_schema)
    roles = [[o.get("role") for o in a.findall("participating-org")] for a in root.findall("iati-activity")]
    assert roles == [["4", "4", "3", "1"], ["4", "4"]]


def test_budget_needs_the_amount_and_both_dates(iati_schema):
    root = valid_tree(export([project(start_date="2020", amount_sek=700000),
                              project(record_id="kp-0000000000000002", start_date="2020", end_date="2021")])[0],
                      iati_schema)
    assert root.find(".//budget") is None


# ------------------------------------------------------------------ required elements, escaping, empty

def test_untitled_record_without_summary_gets_the_parties_as_title_and_a_template_description(iati_schema):
    root = valid_tree(export([project(title=None, summary="", end_date="2020",
                                      international_partners=["Sample Town Council", "Demo District"])])[0],
                      iati_schema)
    act = root.find("iati-activity")
    assert act.findtext("title/narrative") == "Exempelby kommun – Sample Town Council, Demo District"
    narrative = act.find("description/narrative")
    assert narrative.get(XML_LANG) == "en" and "Sample Town Council" in narrative.text and "KE" in narrative.text


def test_text_is_escaped_and_characters_xml_forbids_are_replaced(iati_schema):
    nasty = 'A & B <script>"x"</script> ]]> \x01\x0b end\ud800 --> <!-- '
    r = project(title=nasty, summary=nasty, start_date="2020", international_partners=["Town\x00 <One>"],
                sources=[Source("dir/fil ö&\udcff.txt", 0, 1)])
    root = valid_tree(export([r])[0], iati_schema)
    act = root.find("iati-activity")
    assert act.findtext("title/narrative") == nasty.replace("\x01", "\ufffd").replace("\x0b", "\ufffd") \
        .replace("\ud800", "\ufffd")
    assert "Town\ufffd <One>" in [o.findtext("narrative") for o in act.findall("participating-org")]
    assert act.find("document-link").get("url") == "dir/fil%20%C3%B6%26%FF.txt"


def test_empty_run_is_well_formed_and_every_record_undated_is_named(tmp_path):
    out = tmp_path / "out"
    write_outputs(out, [], [], [], [], formats="iati")
    root = etree.fromstring((out / IATI_FILE).read_bytes())
    assert root.tag == "iati-activities" and len(root.findall("iati-activity")) == 0
    data, exporter = export([project(), project(record_id="kp-0000000000000002")])
    assert exporter.left_out == ["kp-0000000000000001", "kp-0000000000000002"] and exporter.count == 2
    assert b"kp-0000000000000001 kp-0000000000000002" in data


# ------------------------------------------------------------------ registration with the writer

def test_iati_is_a_format_with_its_own_file_and_stale_files_go(tmp_path):
    assert parse_formats("IATI, csv") == ("csv", "iati")
    assert record_files(["iati"]) == [IATI_FILE]
    assert record_files("json,iati") == ["projects.json", IATI_FILE, "partnerships.json"]
    out = tmp_path / "out"
    written = write_outputs(out, [FULL], [], [], [], formats="iati")
    assert (out / IATI_FILE).stat().st_size == written.files[IATI_FILE].size
    assert not (out / "projects.iati").exists() and not (out / "partnerships.iati").exists()
    write_outputs(out, [FULL], [], [], [], formats="csv")
    assert not (out / IATI_FILE).exists()


def test_datapackage_lists_the_iati_file(tmp_path):
    out = tmp_path / "out"
    written = write_outputs(out, [FULL], [], [], [], formats="iati")
    write_datapackage(out, formats="iati", csv_dialect="rfc4180", include_contacts=False, input_dir="raw",
                      inputs=[], written=written.files)
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    (resource,) = package["resources"]
    assert (resource["path"], resource["mediatype"]) == (IATI_FILE, "application/xml")
    assert resource["hash"] == f"sha256:{written.files[IATI_FILE].sha256}"
