#!/usr/bin/env bash
# tools/unittest.sh — run the C unit tests (tests/*_test.c, built by make into
# $BUILD) and add their counts to $TEST_COUNTS.  Each test binary ends with
# "N passed, N failed"; a binary that is missing, crashes or prints no such
# line counts as a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
RUN=${RUN:-}
COUNTS=${TEST_COUNTS:-/dev/null}
[ -n "$RUN" ] && export RUN_TEST_SINGLE=1

for src in tests/*_test.c; do
    name=$(basename "$src" .c)
    bin=$BUILD/$name
    args=()
    # the backend's test runs its own run-test files strictly
    # (cg_test runs the files of the host's architecture only)
    [ "$name" = cg_test ] && mapfile -t args < <(echo --strict; python3 tools/gen-run-tests.py --list)
    if [ ! -x "$bin" ]; then
        echo "FAIL $bin: not built"
        echo "$name 0 1" >>"$COUNTS"
        continue
    fi
    out=$($RUN "$bin" "${args[@]}" 2>&1)
    rc=$?
    last=$(printf '%s\n' "$out" | grep -oE '[0-9]+ passed, [0-9]+ failed' | tail -n 1)
    if [ $rc -ne 0 ] || [ -z "$last" ]; then
        printf '%s\n' "$out" | grep -E 'FAIL|fail|error' | head -n 20
        echo "FAIL $name: exit status $rc${last:+, $last}"
        p=$(printf '%s' "$last" | awk '{print $1+0}')
        f=$(printf '%s' "$last" | awk '{print $3+0}')
        echo "$name ${p:-0} $(( ${f:-0} > 0 ? ${f:-0} : 1 ))" >>"$COUNTS"
        continue
    fi
    [ "${V:-}" = 1 ] && printf '%s\n' "$out"
    echo "$name: $last"
    echo "$name $(printf '%s' "$last" | awk '{print $1, $3}')" >>"$COUNTS"
done
