#!/usr/bin/env bash
# tools/roundtrip.sh [--check] DIR... — every DIR/*.clif must go through
# `clifrun print` -> parse -> `clifrun print` unchanged (same bytes, the same
# number of functions as the source, exit status 0, nothing on stderr).  With
# --check, `clifrun check FILE` must accept each file too.  A missing
# directory or one without .clif files fails.  See tools/harness.py.
# Environment: CLIFRUN, BUILD, RUN, V.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD CLIFRUN=${CLIFRUN:-$BUILD/clifrun}
exec python3 tools/harness.py roundtrip "$@"
