#!/bin/bash
# Before (9c586a8, /tmp/guards/base/src) and after (this branch): `csc validate` as a user types it, 5 runs each.
cd /work/wt/guards
D=/tmp/guards/benchdata
if [ ! -f $D/done ]; then
  rm -rf $D
  .venv/bin/csc synth --out $D/5k --la 383 --from 2024/25 --to 2025/26 --children 5000 --seed 2026 --format csv --no-annex-a >/dev/null 2>&1
  .venv/bin/csc synth --out $D/1k --la 383 --from 2025/26 --to 2025/26 --children 1000 --seed 2026 --format csv --no-annex-a >/dev/null 2>&1
  .venv/bin/csc synth --out $D/50k --la 383 --from 2025/26 --to 2025/26 --children 50000 --seed 2026 --format csv --no-annex-a >/dev/null 2>&1
  touch $D/done
fi
run() {  # label, PYTHONPATH, args...
  local label=$1 path=$2; shift 2
  for i in 1 2 3 4 5; do
    /usr/bin/time -f "$label %e %U %S %M" env PYTHONPATH=$path .venv/bin/python -c "from csctools.cli.main import run; run()" "$@" > /dev/null 2>>/tmp/guards/bench.times
    tail -1 /tmp/guards/bench.times
  done
}
for who in base:/tmp/guards/base/src mine:/work/wt/guards/src; do
  name=${who%%:*}; path=${who#*:}
  run "$name-903-5k" $path validate 903 $D/5k/383/2025_26/ssda903 --previous $D/5k/383/2024_25/ssda903 --la 383
  run "$name-cin-1k" $path validate cin $D/1k/383/2025_26/cin_census_2025_26.xml --la 383
  run "$name-cin-50k" $path validate cin $D/50k/383/2025_26/cin_census_2025_26.xml --la 383
done
