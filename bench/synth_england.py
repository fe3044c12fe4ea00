"""The synthetic returns' indicator values beside England's: `csc synth` then `csc indicators`, as a user types them.

Usage: python bench/synth_england.py [--la 383] [--children N] [--seed 1] [--out bench/_data/synth-england]
Writes a Markdown table (indicator, numerator, denominator, value, England 2024/25) of the 2025/26 returns to stdout;
without --children the generator sizes the authority from LAIT (docs/synth.md).
"""

from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import sys
from pathlib import Path

CSC = Path(sys.executable).with_name("csc")
# The indicators docs/indicators.md ("Synthetic returns against England") reports, in its order.
SHOWN = (
    "LACnum",
    "LAC",
    "LAC_Start_Rate",
    "LAC_Cease_Rate",
    "LAC_Foster_Placements",
    "LAC_SecHome_And_ChildHome",
    "LAC_Ind_SInd_Liv_Arr",
    "LAC_Parents_OR_Others",
    "Unacc_Asylmn_Seek_Childn%",
    "LACStable_2016on",
    "LAC_LongStable%",
    "Stability_SocialWorker",
    "%_of LAC Adopted",
    "LAC_ceased_SGO%",
    "LACHealth%",
    "LACVaccinations%",
    "LACDental%",
    "LACSubstance",
    "Emotional_LAC",
    "CareLeaverEET",
    "CareLeaversNEET",
    "CareLeaverAcc",
    "CareLeavers_LA_NotInTouch",
    "StayingPut",
    "CPP_Total_Rateper10,000",
    "CPP_rate",
    "ReReferral",
    "CIN_Refferals_NFA",
    "RefBySource_Police_%",
    "RefBySource_Schl_%",
    "RefBySource_HealthServ_%",
    "Continue_Assess_Comp",
    "CP_conf_15days",
    "PrevRegCPR",
    "CINTime3months",
    "CINTime3-6",
    "CINTime6-1",
    "CINTime1-2",
    "CINTime2more",
    "CINCease3months",
    "CINCease2more",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--la", default="383")
    parser.add_argument("--children", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "_data" / "synth-england")
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    size = ["--children", str(args.children)] if args.children else []
    synth = [str(CSC), "synth", "--la", args.la, *size, "--seed", str(args.seed), "--out", str(args.out)]
    subprocess.run(synth, check=True, stdout=subprocess.DEVNULL)
    folder = next(p for p in args.out.iterdir() if p.is_dir())
    this, last = folder / "2025_26", folder / "2024_25"
    table = args.out / "indicators.csv"
    files = [this / "ssda903", this / "cin_census_2025_26.xml", folder / "annex_a_2025_26.xlsx"]
    command = [str(CSC), "indicators", *map(str, files), "--la", args.la, "--previous", str(last / "ssda903")]
    subprocess.run([*command, "-o", str(table)], check=True, stdout=subprocess.DEVNULL)
    with table.open(encoding="utf-8") as handle:
        rows = {r["indicator"]: r for r in csv.DictReader(handle) if r["period_end"] == "2026-03-31"}
    print(f"`{' '.join(synth[1:])}`\n")
    print("| indicator | numerator | denominator | value | England 2024/25 |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name in SHOWN:
        row = rows.get(name)
        if row is None:
            print(f"| {name} | | | not computed | |")
            continue
        value = f"{float(row['value']):.1f}" if row["value"] else ""
        print(f"| {name} | {row['numerator']} | {row['denominator']} | {value} | {row['england']} |")


if __name__ == "__main__":
    main()
