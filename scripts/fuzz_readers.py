"""A long fuzzing run of the readers (outside CI): damage valid synthetic files many times and read each result.

Each input is one small synthetic file (903 Header and Episodes CSVs, the 903 XML, the CIN XML, an Annex A workbook)
with one to three damages (synth/damage.py). A broken promise is a reader raising, or a table whose rows in are not
rows read plus rows rejected; each is saved under --keep for a look.
Usage: python scripts/fuzz_readers.py [--inputs 100000] [--seed 1] [--keep fuzz-failures] [--record docs/fuzz.md]
"""

from __future__ import annotations

import argparse
import random
import re
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

from csctools.synth.damage import damage, read_and_account
from csctools.synth.generate import SynthOptions, generate
from csctools.years import CollectionYear

YEAR = CollectionYear(2026)


def cut(text: str, closing: str, count: int, end: str) -> str:
    ends = [m.end() for m in re.finditer(re.escape(closing), text)]
    return text[: ends[min(count, len(ends)) - 1]] + end


def samples(folder: Path) -> dict[str, bytes]:
    generate(SynthOptions(["383"], YEAR, YEAR, children=150, seed=11), folder)
    year = folder / "383" / YEAR.key
    csvs = year / "ssda903"
    episodes = (csvs / f"ssda903_{YEAR.key}_episodes.csv").read_text().splitlines()[:80]
    return {
        "header.csv": (csvs / f"ssda903_{YEAR.key}_header.csv").read_bytes()[:6000],
        "episodes.csv": ("\r\n".join(episodes) + "\r\n").encode(),
        "ssda903.xml": cut((year / f"ssda903_{YEAR.key}.xml").read_text(), "</CHILD>", 8, "\n</EXPSSDA903>\n").encode(),
        "cin_census.xml": cut(
            (year / f"cin_census_{YEAR.key}.xml").read_text(), "</Child>", 8, "\n</Children>\n</Message>\n"
        ).encode(),
        "annex_a.xlsx": (folder / "383" / f"annex_a_{YEAR.key}.xlsx").read_bytes(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, default=Path("fuzz-failures"))
    parser.add_argument("--record", type=Path, help="append the figures to this Markdown file")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    started = time.perf_counter()
    tried: Counter[str] = Counter()
    damages_used: Counter[str] = Counter()
    broken: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as folder:
        originals = samples(Path(folder) / "synthetic")
        names = list(originals)
        for number in range(args.inputs):
            name = names[number % len(names)]
            data, damages = damage(originals[name], rng, rng.randint(1, 3))
            path = Path(folder) / name
            path.write_bytes(data)
            tried[name] += 1
            damages_used.update(damages)
            problems = read_and_account(path)
            if problems:
                broken[name] += 1
                args.keep.mkdir(parents=True, exist_ok=True)
                (args.keep / f"{number}-{name}").write_bytes(data)
                print(f"input {number} ({name}, {', '.join(damages)}): {'; '.join(problems)}")
            if (number + 1) % 5000 == 0:
                print(f"{number + 1:,} inputs, {sum(broken.values())} broken, {time.perf_counter() - started:.0f} s")
    elapsed = time.perf_counter() - started
    lines = [
        f"### Fuzzing the readers ({date.today()}, seed {args.seed})",
        "",
        f"Command: `python scripts/fuzz_readers.py --inputs {args.inputs} --seed {args.seed}`",
        "",
        f"{args.inputs:,} damaged inputs in {elapsed:,.0f} s ({elapsed / max(args.inputs, 1) * 1000:.1f} ms each, "
        "one process, the machine shared with other work).",
        "",
        "| file | inputs | broken promises |",
        "| --- | ---: | ---: |",
        *(f"| {name} | {tried[name]:,} | {broken[name]} |" for name in names),
        "",
        "Damages used: " + ", ".join(f"{name} {count:,}" for name, count in sorted(damages_used.items())) + ".",
        "",
    ]
    print("\n".join(lines))
    if args.record:
        with args.record.open("a", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")
    raise SystemExit(1 if broken else 0)


if __name__ == "__main__":
    main()
