#!/usr/bin/env bash
# tools/errtest.sh — the malformed-input corpus (run by `make test`).
#
# 1. Runs every generator testdata/errors/gen/*.py into $BUILD/gen/ (large
#    inputs are made at test time, never committed): rejected inputs go to
#    $BUILD/gen/errors/, inputs that must be accepted to $BUILD/gen/ok/.
# 2. For every testdata/errors/*.clif and $BUILD/gen/errors/*.clif runs
#    `clifrun check FILE` (10 s timeout) and requires exit status 2 and the
#    diagnostic its first line (or FILE.expect) announces, `; error: LINE:COL: MESSAGE`,
#    followed by the quoted source line and a caret; for $BUILD/gen/ok/*.clif
#    requires exit status 0.  Crashes, hangs and sanitizer reports fail.
# See tools/harness.py for the exact rules.  Environment: CLIFRUN, BUILD, RUN, V.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD CLIFRUN=${CLIFRUN:-$BUILD/clifrun}

gen_failed=0
gen=$BUILD/gen
rm -rf "$gen/errors" "$gen/ok"
mkdir -p "$gen/errors" "$gen/ok"
shopt -s nullglob
gens=(testdata/errors/gen/*.py)
if [ ${#gens[@]} -eq 0 ]; then
    echo "FAIL testdata/errors/gen: no generators"
    gen_failed=1
fi
for g in "${gens[@]}"; do
    if ! out=$(python3 "$g" "$gen" 2>&1); then
        echo "FAIL $g: generator failed"
        printf '     %s\n' "$out" | head -5
        gen_failed=$((gen_failed + 1))
    fi
done
if [ "$gen_failed" -ne 0 ] && [ -n "${TEST_COUNTS:-}" ]; then
    echo "generators 0 $gen_failed" >>"$TEST_COUNTS"
fi

python3 tools/harness.py errors testdata/errors "$gen/errors" --ok "$gen/ok"
rc=$?
[ "$gen_failed" -eq 0 ] || rc=1
exit $rc
