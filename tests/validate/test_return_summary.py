"""The summary of the return in the validation reports: tiny returns whose figures were worked out by hand."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from lxml import html as lxml_html
from python_calamine import CalamineWorkbook

from csctools.io.result import ReturnData
from csctools.validate.engine import ERROR_COLUMNS, ValidationResult
from csctools.validate.export import write_report
from csctools.validate.return_summary import Figure, breakdowns, return_summary
from csctools.years import CollectionYear
from tests.rules.build903 import E, H
from tests.rules.harness import typed

YEAR = CollectionYear(2026)  # 1 April 2025 to 31 March 2026
HEADERS = [H(CHILD=c) for c in "123456"]


def this_year() -> ReturnData:
    episodes = [
        # child 1: started in the year, still looked after at 31 March (U4, C2, N1)
        E(CHILD="1", DECOM="01/06/2025"),
        # child 2: started last year; a change of placement (X1) is not leaving; left by adoption in January
        E(CHILD="2", DECOM="01/01/2025", PLACE="U1", CIN="N2", DEC="01/07/2025", REC="X1"),
        E(CHILD="2", DECOM="01/07/2025", RNE="P", PLACE="K2", CIN="N2", DEC="10/01/2026", REC="E11"),
        # child 3: short breaks (V3): counted nowhere
        E(CHILD="3", DECOM="01/05/2025", LS="V3", PLACE="T4", DEC="02/05/2025", REC="E8"),
        # child 4: left on 31 March itself: a leaver, not looked after at 31 March
        E(CHILD="4", DECOM="01/02/2024", LS="C1", PLACE="U1", CIN="N4", DEC="31/03/2026", REC="E4A"),
        # child 5: looked after all year; a new legal status in September (X1) is not leaving (U1, J2, N1)
        E(CHILD="5", DECOM="01/04/2024", DEC="01/09/2025", REC="X1"),
        E(CHILD="5", DECOM="01/09/2025", RNE="L", LS="J2", PLACE="U1"),
        # child 6: a start date that cannot be read: counted nowhere, though the end is in the year
        E(CHILD="6", DECOM="31/02/2025", DEC="01/03/2026", REC="E11"),
    ]
    return ReturnData("ssda903", YEAR, typed("ssda903", {"Header": HEADERS, "Episodes": episodes}), [])


def last_year() -> ReturnData:
    episodes = [  # the same children as last year's return had them at its end (31 March 2025)
        E(CHILD="2", DECOM="01/01/2025", PLACE="U1", CIN="N2"),
        E(CHILD="4", DECOM="01/02/2024", LS="C1", PLACE="U1", CIN="N4"),
        E(CHILD="5", DECOM="01/04/2024"),
    ]
    return ReturnData("ssda903", YEAR.previous(), typed("ssda903", {"Header": HEADERS, "Episodes": episodes}), [])


def test_903_summary_worked_by_hand() -> None:
    figures = return_summary(this_year(), YEAR, last_year())
    headlines = [(f.label, f.this_year, f.last_year) for f in figures if not f.group]
    assert headlines == [
        ("children looked after at 31 March", 2, 3),  # children 1, 5; last year 2, 4, 5
        ("children who started to be looked after", 1, 2),  # child 1 (3 is on short breaks); last year 2, 5
        ("children who ceased to be looked after", 2, 0),  # children 2 and 4
    ]
    groups = {g: [(f.label, f.this_year, f.last_year) for f in rows] for g, rows in breakdowns(figures).items()}
    assert groups == {
        "looked after at 31 March by placement type": [("U1", 1, 2), ("U4", 1, 1)],
        "looked after at 31 March by legal status": [("C2", 1, 2), ("J2", 1, 0), ("C1", 0, 1)],
        "looked after at 31 March by category of need": [("N1", 2, 1), ("N2", 0, 1), ("N4", 0, 1)],
    }


def test_903_summary_without_last_year_has_no_last_year_column() -> None:
    figures = return_summary(this_year(), YEAR)
    assert figures[0] == Figure("", "children looked after at 31 March", 2, None)
    assert all(f.last_year is None for f in figures)


def cin_return() -> ReturnData:
    details = [
        {"LAchildID": "C1", "CINdetailsID": "1", "CINreferralDate": "2025-04-10"},  # open at 31 March
        {"LAchildID": "C1", "CINdetailsID": "2", "CINreferralDate": "2024-02-01", "CINclosureDate": "2025-05-01"},
        {"LAchildID": "C2", "CINdetailsID": "1", "CINreferralDate": "2026-03-01", "CINclosureDate": "2026-03-31"},
    ]
    assessments = [
        {"LAchildID": "C1", "CINdetailsID": "1", "AssessmentID": "1", "AssessmentActualStartDate": "2025-04-15"},
        {"LAchildID": "C1", "CINdetailsID": "2", "AssessmentID": "1", "AssessmentActualStartDate": "2024-03-01"},
        {"LAchildID": "C2", "CINdetailsID": "1", "AssessmentID": "1", "AssessmentActualStartDate": "2026-02-31"},
    ]
    enquiries = [{"LAchildID": "C1", "CINdetailsID": "1", "S47ActualStartDate": "2025-04-20"}]
    plans = [
        {"LAchildID": "C1", "CINdetailsID": "1", "CPPID": "1", "CPPstartDate": "2025-05-01"},
        {"LAchildID": "C1", "CINdetailsID": "2", "CPPID": "1", "CPPstartDate": "2025-01-01"},  # open, older
        {
            "LAchildID": "C2",
            "CINdetailsID": "1",
            "CPPID": "1",
            "CPPstartDate": "2025-06-01",
            "CPPendDate": "2025-09-01",
        },
    ]
    tables = {
        "CINdetails": details,
        "Assessments": assessments,
        "Section47": enquiries,
        "ChildProtectionPlans": plans,
    }
    return ReturnData("cin", YEAR, typed("cin", tables), [])


def test_cin_summary_worked_by_hand() -> None:
    figures = {f.label: f.this_year for f in return_summary(cin_return(), YEAR)}
    assert figures == {
        "children in need at 31 March": 1,  # C1 (C2's episode closed on 31 March)
        "referrals": 2,  # 10 April 2025 and 1 March 2026
        "assessments started": 1,  # 15 April 2025 (2024 is last year's; 31 February cannot be read)
        "section 47 enquiries": 1,
        "child protection plans started": 2,  # May and June 2025
        "child protection plans open at 31 March": 2,  # C1's two; C2's ended in September
    }


def test_the_summary_in_the_html_and_xlsx_reports(tmp_path: Path) -> None:
    result = ValidationResult("ssda903", YEAR, None, pl.DataFrame(schema=ERROR_COLUMNS))
    write_report(result, this_year(), tmp_path / "r.html", previous=last_year())
    write_report(result, this_year(), tmp_path / "r.xlsx", previous=last_year())
    page = lxml_html.parse(str(tmp_path / "r.html")).getroot()
    table = page.get_element_by_id("summary-table")
    assert [th.text_content() for th in table.xpath(".//thead//th")] == ["What", "2025/26", "2024/25"]
    rows = [[c.text_content() for c in tr] for tr in table.xpath(".//tbody/tr")]
    assert rows[0] == ["Children looked after at 31 March", "2", "3"]
    legal = page.xpath("//table[@class='breakdown'][caption='Looked after at 31 March by legal status']")
    assert [[c.text_content() for c in tr] for tr in legal[0].xpath(".//tbody/tr")] == [
        ["C2", "1", "2"],
        ["J2", "1", "0"],
        ["C1", "0", "1"],
    ]
    sheet = CalamineWorkbook.from_path(str(tmp_path / "r.xlsx")).get_sheet_by_name("Summary").to_python()
    start = next(i for i, r in enumerate(sheet) if r[0] == "the return")
    assert sheet[start][2:4] == ["2025/26", "2024/25"]
    lines = {(r[0], r[1]): r[2:4] for r in sheet[start + 2 : start + 2 + 11]}
    assert lines[("children who ceased to be looked after", "")] == [2, 0]
    assert lines[("looked after at 31 March by placement type", "U1")] == [1, 2]
