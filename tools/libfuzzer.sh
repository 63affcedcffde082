#!/usr/bin/env bash
# tools/libfuzzer.sh — the libFuzzer harnesses of tests/libfuzzer/.
#
#   tools/libfuzzer.sh run [TARGET...]   run each harness ($FUZZ_BUILD/fuzz_TARGET,
#                        built by `make fuzz-libfuzzer`) for $FUZZ_SECONDS seconds;
#                        exit 1 on a finding (its input is kept as
#                        $FUZZ_BUILD/crashes/TARGET-*; copy it into testdata/libfuzzer/)
#   tools/libfuzzer.sh replay            the `libfuzzer` suite of `make test`: every
#                        testdata/libfuzzer/*.clif through clifrun itself
#
# Seeds, made afresh at each run, never copied into the tree: read and
# compile start from testdata/'s .clif files and $SHARED/conformance's
# (read in place); runline from the `; run:` lines of both.  Each harness
# keeps what it learns in $FUZZ_BUILD/corpus/TARGET.  Environment: FUZZ_BUILD
# (build-libfuzzer), FUZZ_SECONDS (60), SHARED (../shared); for replay the
# test.sh ones (BUILD, CLIFRUN, RUN, TEST_COUNTS, V).
set -uo pipefail
cd "$(dirname "$0")/.."
CLIFRUN=${CLIFRUN:-${BUILD:-build}/clifrun}
FUZZ_BUILD=${FUZZ_BUILD:-build-libfuzzer}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
SHARED=${SHARED:-../shared}
SUITE=$SHARED/conformance/cranelift-runtests

seed_dirs() {   # the seed directories of target $1
    local dirs=()
    case $1 in
        read)    dirs=(testdata/run testdata/parse testdata/bugs testdata/errors testdata/cli
                       testdata/object testdata/opt testdata/interp testdata/libfuzzer "$SUITE") ;;
        compile) dirs=(testdata/run testdata/bugs testdata/object testdata/opt testdata/interp
                       testdata/libfuzzer "$SUITE") ;;
        runline) local s=$FUZZ_BUILD/seeds/runline
                 rm -rf "$s" && mkdir -p "$s"
                 # one file per distinct run line (what follows `; run:`), at most 3000
                 cat testdata/run/*.clif testdata/interp/*.clif "$SUITE"/*.clif 2>/dev/null |
                     sed -n 's/^; *run: *//p' | sort -u | head -n 3000 |
                     split -l 1 -a 4 - "$s/line-"
                 dirs=("$s") ;;
    esac
    for d in "${dirs[@]}"; do
        [ -d "$d" ] && printf '%s\n' "$d"
    done
}

run() {
    local targets=("$@") status=0
    [ ${#targets[@]} -gt 0 ] || targets=(read compile runline)
    for t in "${targets[@]}"; do
        local bin=$FUZZ_BUILD/fuzz_$t
        if [ ! -x "$bin" ]; then
            echo "libfuzzer: $bin is not built (make fuzz-libfuzzer)" >&2
            return 1
        fi
        mkdir -p "$FUZZ_BUILD/corpus/$t" "$FUZZ_BUILD/crashes"
        local seeds
        mapfile -t seeds < <(seed_dirs "$t")
        echo "== libfuzzer $t: ${FUZZ_SECONDS}s from ${seeds[*]}"
        # -max_len: the seeds are up to ~200 KB; findings are small.
        # -timeout: one input that takes 10 s is a finding (a hang).
        local log=$FUZZ_BUILD/$t.log
        "$bin" -max_total_time="$FUZZ_SECONDS" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
            -print_final_stats=1 -artifact_prefix="$FUZZ_BUILD/crashes/$t-" \
            "$FUZZ_BUILD/corpus/$t" "${seeds[@]}" >"$log" 2>&1
        local rc=$?
        grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" | sed 's/^/   /'
        if [ $rc -ne 0 ]; then
            echo "FAIL libfuzzer $t: exit status $rc (log: $log)"
            grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -n 10 | sed 's/^/   /'
            status=1
        fi
    done
    return $status
}

# Each kept finding, through the normal binary: check, and compile for both
# targets.  Exit status 0 (accepted) or 2 (a located error) only; a signal,
# a hang or a sanitizer report fails.
replay() {
    local counts=${TEST_COUNTS:-/dev/null} passed=0 failed=0
    local marks='ERROR: AddressSanitizer|runtime error:|LeakSanitizer|ERROR: UndefinedBehaviorSanitizer'
    local files=(testdata/libfuzzer/*.clif)
    if [ ! -e "${files[0]}" ]; then
        echo "FAIL testdata/libfuzzer: no .clif file"
        echo "libfuzzer 0 1" >>"$counts"
        return 1
    fi
    local cmds=(check) t targets
    # shellcheck disable=SC2086
    targets=$(${RUN:-} "$CLIFRUN" targets | awk 'NR > 1 {print $1}')
    if [ -z "$targets" ]; then
        echo "FAIL $CLIFRUN targets: no target (is clifrun built?)"
        echo "libfuzzer 0 1" >>"$counts"
        return 1
    fi
    for t in $targets; do cmds+=("compile --target $t"); done
    for f in "${files[@]}"; do
        for cmd in "${cmds[@]}"; do
            # shellcheck disable=SC2086
            out=$(timeout 20 ${RUN:-} "$CLIFRUN" $cmd "$f" 2>&1 >/dev/null)
            rc=$?
            if { [ $rc -ne 0 ] && [ $rc -ne 2 ]; } || grep -qE "$marks" <<<"$out"; then
                echo "FAIL $f: clifrun $cmd: exit status $rc"
                grep -E "$marks" <<<"$out" | head -n 3 | sed 's/^/     /'
                failed=$((failed + 1))
            else
                [ "${V:-}" = 1 ] && echo "ok   $f: clifrun $cmd (exit $rc)"
                passed=$((passed + 1))
            fi
        done
    done
    echo "-- libfuzzer: $passed passed, $failed failed"
    echo "libfuzzer $passed $failed" >>"$counts"
    [ $failed -eq 0 ]
}

case ${1:-} in
    run) shift; run "$@" ;;
    replay) replay ;;
    *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
