"""The fast path for plain pieces of the CIN census (datasets/cin/plain.py): taken where a piece is plain, the walk
where it is not, and the same tables, read reports and problems either way."""

from __future__ import annotations

from pathlib import Path

import pytest

from csctools.datasets.cin import read as reader
from csctools.datasets.cin import segments
from csctools.io.result import ReturnData

HEAD = """<?xml version="1.0" encoding="utf-8"?>
<Message>
  <Header>
    <CollectionDetails>
      <Collection>CIN</Collection>
      <Year>2026</Year>
      <ReferenceDate>2026-03-31</ReferenceDate>
    </CollectionDetails>
    <Source>
      <SourceLevel>L</SourceLevel>
      <LEA>383</LEA>
    </Source>
  </Header>
  <Children>
"""
TAIL = """  </Children>
</Message>
"""
CHILD = """    <Child>
      <ChildIdentifiers>
        <LAchildID>{id}</LAchildID>
        <UPN>a1234567890{n}</UPN>
        <PersonBirthDate> 2015-01-02 </PersonBirthDate>
        <Sex>f</Sex>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>WBRI</Ethnicity>
        <Disabilities>
          <Disability>hear</Disability>
          <Disability>MOB</Disability>
        </Disabilities>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2025-05-01</CINreferralDate>
        <ReferralSource>1a</ReferralSource>
        <ReferralNFA>false</ReferralNFA>
        <Assessments>
          <AssessmentActualStartDate>2025-05-02</AssessmentActualStartDate>
          <FactorsIdentifiedAtAssessment>
            <AssessmentFactors>1a</AssessmentFactors>
            <AssessmentFactors>2B</AssessmentFactors>
          </FactorsIdentifiedAtAssessment>
        </Assessments>
        <Assessments>
          <AssessmentActualStartDate>2025-06-02</AssessmentActualStartDate>
        </Assessments>
        <Section47>
          <S47ActualStartDate>2025-05-03</S47ActualStartDate>
          <DateOfInitialCPC>2025-05-20</DateOfInitialCPC>
        </Section47>
        <ChildProtectionPlans>
          <CPPstartDate>2025-05-20</CPPstartDate>
          <InitialCategoryOfAbuse>neg</InitialCategoryOfAbuse>
          <NumberOfPreviousCPP>0</NumberOfPreviousCPP>
          <Reviews>
            <CPPreviewDate>2025-08-01</CPPreviewDate>
            <CPPreviewDate>2025-11-01</CPPreviewDate>
          </Reviews>
        </ChildProtectionPlans>
      </CINdetails>
      <CINdetails>
        <CINreferralDate>2025-09-01</CINreferralDate>
        <ReferralNFA>true</ReferralNFA>
        <CINPlanDates>
          <CINPlanStartDate>2025-09-05</CINPlanStartDate>
        </CINPlanDates>
      </CINdetails>
    </Child>
"""

# Pieces the fast path reads: plain, with what it must get right.
PLAIN = {
    "entities": ("</UPN>", " &amp;B&lt;&gt;&quot;&apos;&amp;lt;</UPN>"),
    "empty leaf": ("<Sex>f</Sex>", "<Sex/>"),
    "empty text": ("<Ethnicity>WBRI</Ethnicity>", "<Ethnicity></Ethnicity>"),
    "missing required": ("<ReferralNFA>false</ReferralNFA>", ""),
    "windows lines": ("\n", "\n"),  # every line ends in CR LF (census() below)
    "tabs": ("        <LAchildID>", "\t\t<LAchildID>"),
    "blank lines": ("      </ChildIdentifiers>\n", "      </ChildIdentifiers>\n\n   \n"),
}
# Pieces that are walked (the fast path says no): everything the walk treats specially.
ODD = {
    "comment": ("<Sex>f</Sex>", "<Sex>f</Sex><!-- note -->"),
    "comment line": ("      <ChildCharacteristics>", "      <!-- note -->\n      <ChildCharacteristics>"),
    "cdata": ("<Sex>f</Sex>", "<Sex><![CDATA[f]]></Sex>"),
    "processing instruction": ("      <ChildCharacteristics>", "      <?pi x?>\n      <ChildCharacteristics>"),
    "character reference": ("<Sex>f</Sex>", "<Sex>&#70;</Sex>"),
    "namespace prefix": ("<Sex>f</Sex>", '<x:Sex xmlns:x="urn:x">f</x:Sex>'),
    "attribute": ("<Sex>f</Sex>", '<Sex code="1">f</Sex>'),
    "attribute on a group": ("      <ChildIdentifiers>", '      <ChildIdentifiers id="1">'),
    "tag over lines": ("<Sex>f</Sex>", "<Sex>\nf</Sex>"),
    "two elements on a line": ("<Sex>f</Sex>", "<Sex>f</Sex><Ethnicity>WBRI</Ethnicity>"),
    "unknown element": ("<Sex>f</Sex>", "<Sex>f</Sex>\n        <Shoe>9</Shoe>"),
    "unknown group": ("      <ChildCharacteristics>", "      <Extra>\n      </Extra>\n      <ChildCharacteristics>"),
    "out of order": ("<Sex>f</Sex>", "<Sex>f</Sex>\n        <UPNunknown>UN1</UPNunknown>"),
    "repeated": ("<Sex>f</Sex>", "<Sex>f</Sex>\n        <Sex>m</Sex>"),
    "leaf after a nested group": ("        </Disabilities>\n", "        </Disabilities>\n<Ethnicity>X</Ethnicity>\n"),
    "leaf in the wrong group": ("<Ethnicity>WBRI</Ethnicity>", "<Sex>f</Sex>"),
    "group in the wrong place": (
        "        <CINPlanDates>",
        "        <Disabilities>\n        </Disabilities>\n        <CINPlanDates>",
    ),
    "empty group": ("        <Disabilities>\n", "        <Disabilities/>\n        <Disabilities>\n"),
    "leaf as a group": ("<Sex>f</Sex>", "<Sex>\n</Sex>"),
    "non-ASCII text": ("<Sex>f</Sex>", "<Sex>f\u00e9</Sex>"),
    "lone carriage return": ("<Sex>f</Sex>", "<Sex>f\rx</Sex>"),
    "nested child": ("      <ChildCharacteristics>", "      <Child>\n      </Child>\n      <ChildCharacteristics>"),
    "text between children": ("    <Child>\n", "    loose text\n    <Child>\n"),
    "malformed end tag": ("<Sex>f</Sex>", "<Sex>f</Sax>"),
    "bare ampersand": ("<Sex>f</Sex>", "<Sex>f & g</Sex>"),
    "unclosed group": ("      </ChildIdentifiers>\n", ""),
}


def census(count: int, variant: tuple[str, str] | None = None, at: int = 0) -> str:
    """`count` children; `variant` (old, new) applied to child number `at` only."""
    children = []
    for n in range(count):
        child = CHILD.format(id=f"C{n:05d}", n=n % 10)
        if variant is not None and n == at:
            assert variant[0] in child  # the variant changes the child
            child = child.replace(variant[0], variant[1], 1)
        children.append(child)
    text = HEAD + "".join(children) + TAIL
    return text.replace("\n", "\r\n") if variant is PLAIN["windows lines"] else text


def walked(path: Path, monkeypatch: pytest.MonkeyPatch) -> ReturnData:
    """The census read with the fast path turned off: every piece walked."""
    with monkeypatch.context() as patch:
        patch.setattr(reader, "_take_plain", lambda *args: False)
        return reader.read_cin(path, workers=1)


def plain_pieces(path: Path) -> int:
    collector = reader._read_in_pieces(path, None, 1)
    return -1 if collector is None else collector.plain_pieces


def same(a: ReturnData, b: ReturnData) -> None:
    assert a.tables.keys() == b.tables.keys()
    for name in a.tables:
        assert a.tables[name].schema == b.tables[name].schema, name
        assert a.tables[name].rows() == b.tables[name].rows(), name
    assert repr(a.files) == repr(b.files)  # read reports: tables, counts, rejected rows and every problem


def test_a_plain_census_is_read_by_the_fast_path_and_reads_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cin.xml"
    path.write_text(census(3))
    assert plain_pieces(path) == 1
    data = reader.read_cin(path, workers=1)
    same(data, walked(path, monkeypatch))
    # worked out by hand: ids, trimmed and upper-cased codes, lines of the file
    ids = data.tables["ChildIdentifiers"]
    assert ids["LAchildID"].to_list() == ["C00000", "C00001", "C00002"]
    assert ids["Sex"].to_list() == ["F", "F", "F"]
    assert ids["_row"].to_list() == [16, 66, 116]  # 14 lines of head, then 50 a child
    factors = data.tables["AssessmentFactors"]
    assert factors.select("CINdetailsID", "AssessmentID", "AssessmentFactors").rows()[:2] == [
        (1, 1, "1A"),
        (1, 1, "2B"),
    ]
    assessments = data.tables["Assessments"]
    assert assessments.select("CINdetailsID", "AssessmentID").rows()[:2] == [(1, 1), (1, 2)]
    reviews = data.tables["Reviews"]
    assert reviews.select("LAchildID", "CINdetailsID", "CPPID").rows()[:2] == [("C00000", 1, 1), ("C00000", 1, 1)]
    assert data.tables["CINplanDates"]["CINdetailsID"].to_list() == [2, 2, 2]
    assert data.tables["Section47"]["DateOfInitialCPC"].to_list()[0].isoformat() == "2025-05-20"


@pytest.mark.parametrize("name", list(PLAIN))
def test_plain_variants_take_the_fast_path_and_read_as_the_walk(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cin.xml"
    path.write_bytes(census(3, PLAIN[name], at=1).encode())
    assert plain_pieces(path) == 1, name
    same(reader.read_cin(path, workers=1), walked(path, monkeypatch))


@pytest.mark.parametrize("name", list(ODD))
def test_odd_pieces_are_walked_and_read_as_before(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "cin.xml"
    path.write_bytes(census(3, ODD[name], at=1).encode())
    assert plain_pieces(path) in (0, -1), name  # walked, or read as one document (the walk's own fallback)
    same(reader.read_cin(path, workers=1), walked(path, monkeypatch))


def test_only_the_odd_piece_is_walked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Small pieces: the fast path reads every piece but the one with a comment, and the tables are the same."""
    monkeypatch.setattr(segments, "PIECE_BYTES", 8192)
    path = tmp_path / "cin.xml"
    path.write_text(census(60, ODD["out of order"], at=30))
    source = segments.Source(str(path))
    plan = segments.layout(source)
    assert plan is not None
    count = sum(1 for _ in segments.pieces(source, plan, 0, source.size))
    source.close()
    assert count > 5
    assert plain_pieces(path) == count - 1
    data = reader.read_cin(path, workers=1)
    same(data, walked(path, monkeypatch))
    assert any(p.kind == "element-order" for p in data.files[0].problems)


def test_missing_leaves_are_noted_as_the_walk_notes_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(segments, "PIECE_BYTES", 8192)
    text = census(40).replace("<ReferralNFA>false</ReferralNFA>", "").replace("<NumberOfPreviousCPP>0</", "<X>0</")
    text = text.replace("<X>0</NumberOfPreviousCPP>", "<NumberOfPreviousCPP> </NumberOfPreviousCPP>")
    path = tmp_path / "cin.xml"
    path.write_text(text)
    assert plain_pieces(path) > 1
    data = reader.read_cin(path, workers=1)
    same(data, walked(path, monkeypatch))
    missing = [p for p in data.files[0].problems if p.kind == "missing-element"]
    assert [p.message for p in missing] == [
        "<CINdetails> has no <ReferralNFA> (40 times; the first is shown)",
        "<ChildProtectionPlans> has no <NumberOfPreviousCPP> (40 times; the first is shown)",
    ]
    assert missing[0].row == 29  # the first <CINdetails> start tag: 14 lines of head, then line 15 of the child
