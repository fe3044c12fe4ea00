"""The CIN census read in pieces cut at its <Child> elements (datasets/cin/segments.py), in one or two processes:
exact lines past line 65,535, and the same tables and reports as reading the file as one document."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest

from csctools.datasets.cin import read as reader
from csctools.datasets.cin import segments
from csctools.io.result import ReturnData

HEAD = """<?xml version="1.0" encoding="utf-8"?>
<Message>
  <Header>
    <CollectionDetails><Collection>CIN</Collection><Year>2026</Year><ReferenceDate>2026-03-31</ReferenceDate>
    </CollectionDetails>
    <Source><SourceLevel>L</SourceLevel><LEA>383</LEA></Source>
  </Header>
  <Children>
"""
TAIL = """  </Children>
</Message>
"""
CHILD = """    <Child>
      <ChildIdentifiers>
        <LAchildID>{id}</LAchildID>
        <PersonBirthDate>2015-01-02</PersonBirthDate>
        <Sex>F</Sex>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>WBRI</Ethnicity>
        <Disabilities>
          <Disability>HEAR</Disability>
        </Disabilities>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2025-05-01</CINreferralDate>
        <ReferralNFA>false</ReferralNFA>
        <Assessments>
          <AssessmentActualStartDate>2025-05-02</AssessmentActualStartDate>
        </Assessments>
      </CINdetails>
    </Child>
"""
GROUPS = {"ChildIdentifiers": "<ChildIdentifiers>", "CINdetails": "<CINdetails>", "Assessments": "<Assessments>"}
GROUPS |= {"Disabilities": "<Disability>", "ChildCharacteristics": "<ChildCharacteristics>"}


def census(count: int, gap: str = "") -> str:
    return HEAD + gap.join(CHILD.format(id=f"C{n:05d}") for n in range(count)) + TAIL


def as_one_document(path: Path, monkeypatch: pytest.MonkeyPatch) -> ReturnData:
    """The reading before pieces: the file parsed as one document (the way every unusual file is still read)."""
    with monkeypatch.context() as patch:
        patch.setattr(reader, "layout", lambda source: None)
        return reader.read_cin(path)


Outcome = tuple[dict[str, list[tuple[object, ...]]], list[tuple[str, int | None, str]], list[tuple[object, ...]]]


def outcome(data: ReturnData) -> Outcome:
    """The tables' rows, the problems and each table's counts and rejected rows (with their lines and reasons)."""
    tables = {name: frame.rows() for name, frame in data.tables.items()}
    problems = [(p.kind, p.row, p.message) for p in data.files[0].problems]
    files = data.files[0]
    reads: list[tuple[object, ...]] = [(t.name, t.rows_in, t.rows_read, tuple(t.rejected)) for t in files.tables]
    return tables, problems, reads


def lines_of(text: str, marker: str) -> list[int]:
    return [number for number, line in enumerate(text.splitlines(), 1) if marker in line]


def test_lines_past_65535_are_the_lines_of_the_file(tmp_path: Path) -> None:
    """libxml2 keeps an element's line exactly only below 65,535; each piece (under 60,000 lines) is parsed on its
    own, so every row's line is the line its element starts on, counted here from the text itself."""
    text = census(5, gap="\n" * 24_000)  # children at lines 9, ~24,030, ..., ~96,100
    path = tmp_path / "cin.xml"
    path.write_text(text, encoding="utf-8")
    for workers in (1, 2):
        data = reader.read_cin(path, workers=workers)
        assert data.ok, data.problems
        for table, marker in GROUPS.items():
            assert data.tables[table]["_row"].to_list() == lines_of(text, marker), (workers, table)
    assert max(lines_of(text, "<Assessments>")) > 90_000


def test_two_processes_read_what_one_does(year_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The synthetic census with unknown and out-of-order elements in both halves: in two processes the tables,
    their order, the lines and the reports (first line and count of each note) are those of one document."""
    text = (year_folder / "cin_census_2025_26.xml").read_text(encoding="utf-8")
    starts = [m.start() for m in re.finditer(r"<ChildIdentifiers>", text)]
    assert len(starts) > 20
    for at in reversed((starts[1], starts[len(starts) // 2 + 3], starts[-2])):  # one before the cut, two after
        text = text[:at] + "<Pet>cat</Pet><ChildCharacteristics/>" + text[at:]
    path = tmp_path / "cin.xml"
    path.write_text(text, encoding="utf-8")
    expected = outcome(as_one_document(path, monkeypatch))
    assert any("<Pet>" in message and "3 times" in message for _, _, message in expected[1]), expected[1]
    assert outcome(reader.read_cin(path, workers=1)) == expected
    assert outcome(reader.read_cin(path, workers=2)) == expected
    monkeypatch.setattr(segments, "PIECE_BYTES", 3000)  # many small pieces
    assert outcome(reader.read_cin(path, workers=1)) == expected


UNUSUAL = {  # what is put in place of what, after the middle of the file
    "a stray element in <Children>": ("    <Child>", "    <Note>a</Note><Child>"),
    "a <Child> inside a <Child>": ("    </Child>", "<Child><ChildIdentifiers/></Child></Child>"),
    "a <Child> in a comment at the cut": ("    <Child>", "    <!-- <Child> -->\n    <Child>"),
    "an element not closed": ("</ReferralNFA>", "</ReferralNFA><Open>"),
    "a group outside any <Child>": (
        "  </Children>",
        "<CINdetails><CINreferralDate>x</CINreferralDate></CINdetails>\n  </Children>",
    ),
}


@pytest.mark.parametrize("case", sorted(UNUSUAL))
def test_unusual_files_are_read_as_one_document(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Anything but children under <Children> in some piece (or a piece that is not well-formed): the whole file is
    read as one document, giving the same tables, messages and lines (a malformed file: the same one line)."""
    old, new = UNUSUAL[case]
    text = census(40)
    at = text.find(old, len(text) // 2)
    text = text[:at] + text[at:].replace(old, new, 1)
    if "comment" in case:  # spaces after the census put the middle of the file, where it is cut, at the comment
        text += " " * (2 * at - len(text))
    path = tmp_path / "cin.xml"
    path.write_text(text, encoding="utf-8")
    expected = outcome(as_one_document(path, monkeypatch))
    if "comment" in case:  # no problem in it, but the cut falls inside the comment
        source = segments.Source(str(path))
        plan = segments.layout(source)
        assert plan is not None and text.encode()[segments.cuts(source, plan, 2)[1] :].startswith(b"<Child> -->")
        source.close()
    else:
        assert expected[1] or any(rejected for *_, rejected in expected[2]), "a problem is reported"
    assert outcome(reader.read_cin(path, workers=2)) == expected
    assert outcome(reader.read_cin(path, workers=1)) == expected


def test_namespaces_and_a_byte_order_mark_are_in_every_piece(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A default namespace, a prefixed census and a byte-order mark: each piece is wrapped in start tags declaring
    the same names, after the same mark and declaration."""
    plain = census(30).replace("<LAchildID>C00029", "<LAchildID>C00029\u00e9")  # a value that is not ASCII
    default = plain.replace("<Message>", '<Message xmlns="urn:example:cin">')
    prefixed = re.sub(r"<(/?)(\w+)", r"<\1c:\2", plain).replace("<c:Message>", '<c:Message xmlns:c="urn:example:cin">')
    for number, text in enumerate((default, prefixed, "\ufeff" + plain)):
        path = tmp_path / f"cin-{number}.xml"
        path.write_text(text, encoding="utf-8")
        source = segments.Source(str(path))
        plan = segments.layout(source)
        source.close()
        assert plan is not None and plan.cut.startswith(b"<c:" if number == 1 else b"<Child")
        assert plan.prefix.startswith(segments.BOM) == (number == 2)
        expected = outcome(as_one_document(path, monkeypatch))
        assert len(expected[0]["ChildIdentifiers"]) == 30 and not expected[1]
        assert "C00029\u00e9" in expected[0]["ChildIdentifiers"][-1]
        assert outcome(reader.read_cin(path, workers=2)) == expected


def test_two_processes_only_for_a_large_census(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert reader.default_workers(reader.PARALLEL_BYTES - 1) == 1
    assert reader.default_workers(reader.PARALLEL_BYTES) == 2
    assert reader.default_workers(500 << 20) == 2  # a national census too: its worker spills to Arrow files
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert reader.default_workers(reader.PARALLEL_BYTES) == 1


def test_a_worker_spills_its_part_as_arrow_files_and_the_folder_goes(
    year_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker's part comes back as Arrow IPC files, one per chunk (not pickled frames): read back, they are the
    frames the part holds; the private folder they were written to is removed once the census is read."""
    path = year_folder / "cin_census_2025_26.xml"
    source = segments.Source(str(path))
    plan = segments.layout(source)
    assert plan is not None
    start, end = segments.cuts(source, plan, 2)[1:3]
    source.close()
    monkeypatch.setattr(reader, "CHUNK_CHILDREN", 7)  # several chunks per table
    kept = reader.read_part(str(path), str(path), plan, start, end)
    spill = tmp_path / "spill"
    spill.mkdir()
    spilled = reader.read_part(str(path), str(path), plan, start, end, str(spill))
    assert kept is not None and spilled is not None and not spilled.frames
    assert len(spilled.spilled["ChildIdentifiers"]) > 1
    assert sorted(p.name for p in spill.iterdir()) == sorted(
        Path(f).name for files in spilled.spilled.values() for f in files
    )
    back = reader._Collector(str(path))
    back.absorb(spilled)
    assert list(spill.iterdir()) == []  # each file removed once read back
    read_back = back.frames()
    assert sorted(read_back) == sorted(kept.frames)
    for name, frame in kept.frames.items():
        assert read_back[name].equals(frame), name
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))
    (tmp_path / "temp").mkdir()
    assert reader.read_cin(path, workers=2).ok
    assert list((tmp_path / "temp").iterdir()) == []
