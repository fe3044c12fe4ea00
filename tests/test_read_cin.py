"""CIN census XML reader: linked tables, ids per parent, lines, the 2025/26 block, bad XML."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from csctools.datasets.cin.read import read_cin
from csctools.read import read_files
from csctools.years import CollectionYear

SAMPLE = """<?xml version="1.0" encoding="utf-8"?>
<Message>
  <Header>
    <CollectionDetails><Collection>CIN</Collection><Year>2026</Year><ReferenceDate>2026-03-31</ReferenceDate>
    </CollectionDetails>
    <Source><SourceLevel>L</SourceLevel><LEA>383</LEA></Source>
  </Header>
  <Children>
    <Child>
      <ChildIdentifiers><LAchildID>A1</LAchildID><PersonBirthDate>2015-01-02</PersonBirthDate><Sex>F</Sex>
      </ChildIdentifiers>
      <ChildCharacteristics><Ethnicity>WBRI</Ethnicity>
        <Disabilities><Disability>HEAR</Disability><Disability>VIS</Disability></Disabilities>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2025-05-01</CINreferralDate><ReferralNFA>false</ReferralNFA>
        <Assessments><AssessmentActualStartDate>2025-05-02</AssessmentActualStartDate>
          <FactorsIdentifiedAtAssessment><AssessmentFactors>2A</AssessmentFactors>
          <AssessmentFactors>3B</AssessmentFactors></FactorsIdentifiedAtAssessment>
        </Assessments>
        <Assessments><AssessmentActualStartDate>2025-09-02</AssessmentActualStartDate></Assessments>
        <ChildProtectionPlans><CPPstartDate>2025-06-01</CPPstartDate><NumberOfPreviousCPP>0</NumberOfPreviousCPP>
          <Reviews><CPPreviewDate>2025-08-20</CPPreviewDate><CPPreviewDate>2026-02-10</CPPreviewDate></Reviews>
        </ChildProtectionPlans>
        <PreProceedingsandFGDM><PPStartDate>2025-07-01</PPStartDate><PPOutcome>A</PPOutcome>
        </PreProceedingsandFGDM>
      </CINdetails>
      <CINdetails><CINreferralDate>2026-01-01</CINreferralDate><ReferralNFA>1</ReferralNFA></CINdetails>
    </Child>
  </Children>
</Message>
"""


def write(tmp_path: Path, text: str, name: str = "cin.xml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_linked_tables(tmp_path: Path) -> None:
    data = read_cin(write(tmp_path, SAMPLE))
    assert data.ok and data.year == CollectionYear(2026)
    t = data.tables
    assert t["Header"]["LEA"].to_list() == ["383"]
    assert t["ChildIdentifiers"]["PersonBirthDate"].to_list() == [date(2015, 1, 2)]
    assert t["Disabilities"]["Disability"].to_list() == ["HEAR", "VIS"]
    assert t["CINdetails"]["CINdetailsID"].to_list() == [1, 2]
    assert t["CINdetails"]["ReferralNFA"].to_list() == [False, True]
    assert t["Assessments"]["AssessmentID"].to_list() == [1, 2]
    assert t["AssessmentFactors"].select("AssessmentID", "AssessmentFactors").rows() == [(1, "2A"), (1, "3B")]
    assert t["Reviews"].select("CINdetailsID", "CPPID").rows() == [(1, 1), (1, 1)]
    assert t["PreProceedings"]["PPOutcome"].to_list() == ["A"]
    assert t["CINdetails"]["_row"].to_list() == [15, 28]


def test_reads_the_synthetic_census(year_folder: Path) -> None:
    data = read_cin(year_folder / "cin_census_2025_26.xml")
    assert data.ok, [p.describe() for p in data.problems]
    ids = data.tables["ChildIdentifiers"]["LAchildID"]
    assert ids.n_unique() == len(ids) > 50
    assert set(data.tables["CINdetails"]["LAchildID"]) <= set(ids)


def test_malformed_names_line(tmp_path: Path) -> None:
    broken = SAMPLE.replace("</Ethnicity>", "</Ethnic>")
    data = read_cin(write(tmp_path, broken))
    assert [p.kind for p in data.problems] == ["malformed-xml"]
    assert data.problems[0].row == 12
    assert "line 12" in data.problems[0].describe()


def test_unknown_elements_and_bad_values_are_reported(tmp_path: Path) -> None:
    text = SAMPLE.replace("<Ethnicity>WBRI</Ethnicity>", "<Ethnicity>WBRI</Ethnicity><Hobby>chess</Hobby>")
    text = text.replace("2025-05-02", "02/13/2025")
    data = read_cin(write(tmp_path, text))
    assert [p.kind for p in data.problems] == ["unknown-element"]
    assert data.problems[0].row == 12
    assert data.tables["Assessments"]["AssessmentActualStartDate_raw"].to_list() == ["02/13/2025", None]


def test_year_given_wins(tmp_path: Path) -> None:
    assert read_cin(write(tmp_path, SAMPLE), CollectionYear(2025)).year == CollectionYear(2025)


def test_structure_order_and_required_elements(tmp_path: Path) -> None:
    text = SAMPLE.replace(
        "<CINreferralDate>2025-05-01</CINreferralDate><ReferralNFA>false</ReferralNFA>",
        "<ReferralNFA>false</ReferralNFA><CINreferralDate>2025-05-01</CINreferralDate>",
    ).replace(
        "<CINdetails><CINreferralDate>2026-01-01</CINreferralDate><ReferralNFA>1</ReferralNFA></CINdetails>",
        "<CINdetails><ReferralNFA>1</ReferralNFA></CINdetails>",
    )
    data = read_cin(write(tmp_path, text))
    found = {(p.kind, p.message, p.row) for p in data.problems}
    assert ("element-order", "<CINreferralDate> is out of order in <CINdetails>", 16) in found
    assert ("missing-element", "<CINdetails> has no <CINreferralDate>", 28) in found
    assert data.ok  # structure problems are warnings: everything else is still read and validated


def test_group_outside_its_parent_is_reported_not_a_crash(tmp_path: Path) -> None:
    # Assessments written straight under Child (no CINdetails around it), holding a CINdetails leaf
    stray = (
        "<Child><ChildIdentifiers><LAchildID>B2</LAchildID></ChildIdentifiers>"
        "<Assessments><AssessmentActualStartDate>2025-10-02</AssessmentActualStartDate>"
        "<CINreferralDate>2025-10-01</CINreferralDate></Assessments></Child>"
    )
    data = read_cin(write(tmp_path, SAMPLE.replace("<Children>", "<Children>" + stray)))
    problems = [p.message for p in data.files[0].problems]
    assert any("<CINreferralDate>" in m for m in problems), problems
    assert data.tables["Assessments"]["LAchildID"].to_list() == ["B2", "A1", "A1"]


def test_streamed_and_whole_file_parsing_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from csctools.datasets.cin import read as reader

    path = write(tmp_path, SAMPLE.replace("<Children>", "<Children><!-- a comment -->"))
    whole = read_cin(path)
    monkeypatch.setattr(reader, "WHOLE_FILE_BYTES", 0)  # as for a file too big to parse in one go
    streamed = read_cin(path)
    assert whole.tables.keys() == streamed.tables.keys()
    for name, frame in whole.tables.items():
        assert frame.equals(streamed.tables[name]), name
    assert [p.message for p in whole.files[0].problems] == [p.message for p in streamed.files[0].problems]
    broken = write(tmp_path, SAMPLE.replace("</ChildIdentifiers>", "", 1), "broken.xml")
    streamed_error = [(p.kind, p.row) for p in read_cin(broken).files[0].problems]
    monkeypatch.setattr(reader, "WHOLE_FILE_BYTES", 1 << 24)
    assert [(p.kind, p.row) for p in read_cin(broken).files[0].problems] == streamed_error == [("malformed-xml", 29)]


def test_a_large_census_streamed_in_chunks_reads_as_the_whole_file(
    year_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """read_files streams a census too large to parse in one go from its file (never reading it whole) and turns
    its rows into frames a few children at a time: the tables, row order and reports are those of one parse."""
    from csctools import read as files_reader
    from csctools.datasets.cin import read as reader

    path = year_folder / "cin_census_2025_26.xml"
    whole = read_cin(path)
    monkeypatch.setattr(reader, "WHOLE_FILE_BYTES", 0)
    monkeypatch.setattr(files_reader, "WHOLE_FILE_BYTES", 0)
    monkeypatch.setattr(reader, "CHUNK_CHILDREN", 7)
    read_whole: list[bytes] = []
    monkeypatch.setattr(Path, "read_bytes", lambda self: read_whole.append(self) or b"")  # type: ignore[func-returns-value]
    returns, others = read_files([path])
    assert not read_whole and not others  # detected from its first bytes, then parsed from the file
    streamed = returns[0]
    assert streamed.tables.keys() == whole.tables.keys()
    for name, frame in whole.tables.items():
        assert frame.equals(streamed.tables[name]), name
        assert frame.height > 7 or name in ("Header", "PreProceedings"), name  # several chunks were joined
    assert [(t.name, t.rows_in, t.rows_read) for t in streamed.files[0].tables] == [
        (t.name, t.rows_in, t.rows_read) for t in whole.files[0].tables
    ]


def test_values_are_trimmed_and_codes_upper_cased(tmp_path: Path) -> None:
    padded = (
        SAMPLE.replace("<Sex>F</Sex>", "<Sex> f </Sex>")
        .replace("<LAchildID>A1</LAchildID>", "<LAchildID> A1\n</LAchildID>")
        .replace("<PersonBirthDate>2015-01-02</PersonBirthDate>", "<PersonBirthDate> 2015-01-02 </PersonBirthDate>")
        .replace("<Disability>HEAR</Disability>", "<Disability>hear</Disability>")
        .replace("<Ethnicity>WBRI</Ethnicity>", "<Ethnicity>  </Ethnicity>")
    )
    t = read_cin(write(tmp_path, padded)).tables
    child = t["ChildIdentifiers"].row(0, named=True)
    assert (child["LAchildID"], child["Sex"], child["PersonBirthDate"]) == ("A1", "F", date(2015, 1, 2))
    assert t["Disabilities"].select("LAchildID", "Disability").rows() == [("A1", "HEAR"), ("A1", "VIS")]
    assert t["ChildCharacteristics"]["Ethnicity"].to_list() == [None]
    assert t["CINdetails"]["LAchildID"].to_list() == ["A1", "A1"]


def test_the_garbage_collector_runs_again_after_reading(tmp_path: Path) -> None:
    import gc

    read_cin(write(tmp_path, SAMPLE))
    assert gc.isenabled()
    read_cin(write(tmp_path, "<Message><Children><Child>", "bad.xml"))  # malformed: the reader stops early
    assert gc.isenabled()
