#!/usr/bin/env bash
# The other tools the benchmarks and comparisons run beside csctools, each in a venv of its own (never a csctools
# dependency): the DfE-sector reference validators and the published demand model, at the versions docs/ cite.
# Usage: scripts/install_references.sh [FOLDER]   (default /work; makes FOLDER/refvenv and FOLDER/dmvenv)
set -euo pipefail
FOLDER=${1:-/work}
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
"$PYTHON" -m venv "$FOLDER/refvenv"
"$FOLDER/refvenv/bin/pip" install --quiet csc-validator-be-903==0.1.17 csc-validator-be-cin==0.1.13
"$PYTHON" -m venv "$FOLDER/dmvenv"
"$FOLDER/dmvenv/bin/pip" install --quiet cs-demand-model==0.5.1
echo "reference validators: $FOLDER/refvenv/bin/python; demand model: $FOLDER/dmvenv/bin/python"
