#!/usr/bin/env bash
# tools/test.sh [SUITE...] — run test suites and print the one closing line
# "N passed, N failed"; exit status 1 if anything failed or nothing ran.
#
# Suites: errors       tools/errtest.sh (malformed inputs, generated large inputs)
#         roundtrip    tools/roundtrip.sh on testdata/run, testdata/parse and the
#                      generated valid inputs
#         grammar      grammar/clif.ebnf against lib/ir's opcode tables, and
#                      README.md against the settings table (tools/check-settings.sh)
#         generated    testdata/run's generated files (tools/gen-run-tests.py --check):
#                      each must equal what the generator makes now, and every
#                      file marked generated must be made
#         opt          lib/opt: testdata/run again with every pass forced on and
#                      the result verified (CLIFRUN_OPT=speed CLIFRUN_OPT_VERIFY=1),
#                      testdata/opt again without the passes (CLIFRUN_OPT=none),
#                      a generated 200,000-instruction naive function at both
#                      levels (testdata/opt/gen; 10 s each, 120 s under qemu), and
#                      tools/optdiff.py: 40 random programs whose answers must not
#                      change at speed
#         symbols      every global symbol of lib/FOLDER's objects carries the
#                      folder's prefix (lib/reader's `accept` once sat in the
#                      dynamic symbol table, in place of accept(2)); clifrun's
#                      dynamic symbol table defines no function of its own
#         unit         tools/unittest.sh: the C unit tests
#         run          tools/runtest.py: clifrun running testdata/run and testdata/interp
#                      (transcripts FILE.out, else `clifrun test` must pass: the
#                      interpreter's files are `test interpret`), testdata/cli and
#                      testdata/bugs transcripts, JUnit output of testdata/cli/junit
#         object       tools/objtest.py: `clifrun compile -o` objects of testdata/object
#                      for both targets, checked, linked with C mains and run (the
#                      other architecture's under qemu; skipped, saying why, without it)
#         repl         tools/repltest.sh: the REPL driven in tmux as a person uses it
#         cfg          tools/cfgtest.py: `clifrun cfg` of files of testdata/cli, bugs, run
#                      rendered by Graphviz's dot (skipped, saying why, without it)
#         isa          tools/isatest.py: bare target lines get baseline code (SSE2,
#                      ARMv8.0): testdata disassembled for both targets, and run
#                      under qemu's baseline CPUs (Conroe, qemu64,-sse3; cortex-a53)
#         fuzz         tools/fuzztest.py: the generator's determinism, a short
#                      campaign, `reduce --until` and reduce's refusals (testdata/fuzz)
#         harness      tools/hygiene.py: clifrun test's workers die with it, stop on
#                      SIGINT/SIGTERM with a partial summary, exact totals after a
#                      worker dies (what it had not sent too); tools/shardtest.py:
#                      --shard K/N and Bazel's TEST_TOTAL_SHARDS/TEST_SHARD_INDEX
#                      slices add up to the whole, TEST_SHARD_STATUS_FILE,
#                      XML_OUTPUT_FILE
#         oom          tools/oomtest.py: a ulimit -v sweep (exit 0, 2 or 3 with
#                      "clifrun: out of memory", never a signal), writes to /dev/full
#         libfuzzer    tools/libfuzzer.sh replay: every input the libFuzzer harnesses
#                      ever found (testdata/libfuzzer/) through clifrun check and
#                      compile for both targets: no crash, hang or sanitizer report
#         conformance  tools/conformance.py: `clifrun test` over
#                      $SHARED/conformance/cranelift-runtests against the ratchet
#                      testdata/conformance/ARCH.pass, and again with --jit-spread
#                      and with lib/opt's passes forced on (CLIFRUN_OPT=speed)
#         conformance-baseline  the same under each baseline CPU (tools/isatest.py
#                      --conformance), and the suite disassembled for bare targets
#         roundtrip-suite  tools/roundtrip.sh --check on the same suite
# Default: errors roundtrip grammar generated symbols unit run opt object isa repl fuzz harness oom
# cfg libfuzzer.  Environment: BUILD (build), CLIFRUN ($BUILD/clifrun),
# RUN (prefix, e.g. qemu-aarch64 -L /usr/aarch64-linux-gnu), SHARED (../shared), V=1.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SHARED=${SHARED:-../shared}
export BUILD CLIFRUN=${CLIFRUN:-$BUILD/clifrun} RUN=${RUN:-}

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(errors roundtrip grammar generated symbols unit run opt object isa repl fuzz harness oom cfg libfuzzer)

mkdir -p "$BUILD/test"
TEST_COUNTS=$BUILD/test/counts
export TEST_COUNTS
passed=0 failed=0

if [ ! -x "$CLIFRUN" ]; then
    echo "FAIL $CLIFRUN: no clifrun binary (build it with make)"
    echo "0 passed, 1 failed"
    exit 1
fi

# The generated run tests must be what their generator makes today.
gen_tests() {
    local out
    out=$(python3 tools/gen-run-tests.py --check)
    local rc=$?
    printf '%s\n' "$out" | sed '$d'
    set -- $(printf '%s\n' "$out" | tail -n 1)
    if [ "$rc" -gt 1 ] || [ "${2:-}" != passed, ]; then
        echo "FAIL tools/gen-run-tests.py: the generator failed (exit status $rc)"
        echo "generated 0 1" >>"$TEST_COUNTS"
        return 1
    fi
    echo "generated $1 $3" >>"$TEST_COUNTS"
}

# lib/FOLDER's exports carry its prefix (a name like accept would stand in
# for libc's in the whole process).
symbol_prefixes() {
    local p=0 f=0 dir pre o s nm=nm table isas gnu
    # the back ends' folders and prefixes, and the host's triplet: clifrun targets
    table=$($RUN "$CLIFRUN" targets) || { echo "FAIL $CLIFRUN targets"; echo "symbols 0 1" >>"$TEST_COUNTS"; return 1; }
    isas=$(awk 'NR > 1 {printf "isa/%s:%s_ ", $7, $6}' <<<"$table")
    gnu=$(awk 'NR > 1 && $3 == "yes" {print $8}' <<<"$table")
    [ -n "$RUN" ] && command -v "${CROSS_PREFIX:-$gnu-}nm" >/dev/null && nm=${CROSS_PREFIX:-$gnu-}nm
    for dir in codegen:cg_ filetest:ft_ fuzz:fuzz_ interp:interp_ ir:ir_ jit:jit_ object:obj_ opt:opt_ \
               reader:reader_:rd_ run:run_ verify:verify_ $isas; do
        pre=${dir#*:} dir=${dir%%:*}
        for o in "$BUILD"/obj/lib/"$dir"/*.o; do
            for s in $($nm -g --defined-only "$o" | awk '{print $3}'); do
                case $s in __*) continue ;; esac     # the compiler's own (ASan's __odr_asan.*)
                case ":$pre:" in *":${s%%_*}_:"*) p=$((p + 1)) ;;
                    *) echo "FAIL $o: exports $s without lib/$dir's prefix (${pre//:/ or })"; f=$((f + 1)) ;;
                esac
            done
        done
    done
    # a sanitizer's runtime, linked in, interposes on libc on purpose
    local dyn
    dyn=$($nm -D --defined-only "$CLIFRUN" | awk '$2 == "T" {print $3}')
    case $'\n'"$dyn"$'\n' in *$'\n__asan_init\n'*) dyn= ;; esac
    for s in $dyn; do
        echo "FAIL $CLIFRUN: its dynamic symbol table defines $s (it would interpose on a library's)"
        f=$((f + 1))
    done
    echo "symbols $p $f" >>"$TEST_COUNTS"
}

for s in "${suites[@]}"; do
    : >"$TEST_COUNTS"
    case $s in
        errors)      tools/errtest.sh ;;
        roundtrip)   roundtrip_dirs=(testdata/run testdata/parse testdata/bugs testdata/interp)
                     [ -d "$BUILD/gen/ok" ] && roundtrip_dirs+=("$BUILD/gen/ok")
                     tools/roundtrip.sh "${roundtrip_dirs[@]}" ;;
        run)         ( ulimit -s 8192 2>/dev/null   # traps.clif overflows the stack on purpose
                       python3 tools/runtest.py testdata/run testdata/interp testdata/opt --transcripts testdata/cli \
                           --transcripts testdata/bugs --junit testdata/cli/junit ) ;;
        opt)         ( ulimit -s 8192 2>/dev/null
                       t=10; [ -n "$RUN" ] && t=120     # qemu-user is slower
                       mkdir -p "$BUILD/gen/opt" && python3 testdata/opt/gen/gen_naive.py "$BUILD/gen/opt"
                       CLIFRUN_OPT=speed CLIFRUN_OPT_VERIFY=1 python3 tools/runtest.py testdata/run
                       r1=$?
                       CLIFRUN_OPT_VERIFY=1 TIMEOUT=$t python3 tools/runtest.py testdata/opt "$BUILD/gen/opt"
                       r2=$?
                       CLIFRUN_OPT=none TIMEOUT=$t python3 tools/runtest.py testdata/opt "$BUILD/gen/opt"
                       r3=$?
                       TIMEOUT=$t python3 tools/optdiff.py
                       r4=$?
                       [ $r1 -eq 0 ] && [ $r2 -eq 0 ] && [ $r3 -eq 0 ] && [ $r4 -eq 0 ] ) ;;
        object)      python3 tools/objtest.py testdata/object ;;
        isa)         python3 tools/isatest.py ;;
        conformance-baseline) python3 tools/isatest.py --conformance "$SHARED/conformance/cranelift-runtests" ;;
        conformance) python3 tools/conformance.py ${CONFORMANCE_UPDATE:+--update} \
                         "$SHARED/conformance/cranelift-runtests" ;;
        roundtrip-suite) SUITE_NAME=roundtrip-suite tools/roundtrip.sh --check "$SHARED/conformance/cranelift-runtests" ;;
        grammar)     if tools/gen-ebnf-opcodes.sh --check grammar/clif.ebnf; then
                         echo "grammar 1 0" >>"$TEST_COUNTS"
                     else
                         echo "FAIL grammar/clif.ebnf is out of step with lib/ir (tools/gen-ebnf-opcodes.sh --update)"
                         echo "grammar 0 1" >>"$TEST_COUNTS"
                     fi
                     if tools/check-settings.sh; then
                         echo "settings 1 0" >>"$TEST_COUNTS"
                     else
                         echo "settings 0 1" >>"$TEST_COUNTS"
                     fi ;;
        generated)   gen_tests ;;
        symbols)     symbol_prefixes ;;
        unit)        tools/unittest.sh ;;
        repl)        tools/repltest.sh ;;
        fuzz)        python3 tools/fuzztest.py testdata/fuzz ;;
        cfg)         python3 tools/cfgtest.py testdata/cli/cfg.clif testdata/cli/disasm.clif testdata/bugs \
                         testdata/run/example.clif testdata/run/control.clif testdata/run/exn.clif ;;
        harness)     python3 tools/hygiene.py; python3 tools/shardtest.py ;;
        oom)         python3 tools/oomtest.py ;;
        libfuzzer)   tools/libfuzzer.sh replay ;;
        *)           echo "test.sh: unknown suite '$s'" >&2; false ;;
    esac
    rc=$?
    sp=0 sf=0
    while read -r _ p f; do
        sp=$((sp + p)) sf=$((sf + f))
    done <"$TEST_COUNTS"
    if [ $((sp + sf)) -eq 0 ] || { [ "$rc" -ne 0 ] && [ "$sf" -eq 0 ]; }; then
        echo "FAIL suite $s: exit status $rc, $sp passed, $sf failed"
        sf=$((sf + 1))
    fi
    passed=$((passed + sp)) failed=$((failed + sf))
done
rm -f "$TEST_COUNTS"

if [ $((passed + failed)) -eq 0 ]; then
    echo "FAIL: no test ran"
    failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
