#!/usr/bin/env bash
# tools/bench.sh — benchmark figures (run by `make bench`); never asserts a time.
#
# 1. Run time: for each workload of $SHARED/bench/clif, $BUILD/cgbench times
#    the BENCH run line of clifrun's code (best of BENCH_REPS, default 5, as
#    Cranelift's figures in the kit's README are the minimum of five);
#    beside it the C twin of $SHARED/bench/c built with gcc -O0 and -O2 (whole
#    process, default arguments) and Cranelift's figures from the kit's README.
# 2. Naive code: each workload of bench/naive/clif (code as a naive frontend
#    emits it) at opt_level=none and speed (CLIFRUN_OPT forces the level),
#    wall and thread CPU time of the BENCH call, the speed-up of speed over
#    none (by CPU time), beside the C twin of bench/naive/c at -O0 and -O2
#    and Cranelift speed on that twin as naive wasm (tools/wasmbench.sh;
#    "-" without its tools: make bench-deps).
# 3. Compile throughput: $SHARED/bench/gen/gen_many.py N (N=5000 unless
#    BENCH_N is set) once into $BUILD/bench/many$N.clif; cgbench --compile
#    parses, verifies, compiles and links it (functions compiled 16 at a time
#    as they are read, their IR then dropped), at opt_level=none and again at
#    speed with the CPU time of lib/opt's passes alone; `clifrun bench`
#    times parsing and verifying alone; tools/startbench.py the whole
#    process's CPU (min of 5) and peak RSS per MB of input of `clifrun check`
#    and cgbench --compile, then the start-up of a one-function file
#    (run, check, --version and /bin/true in turn BENCH_START_ROUNDS times,
#    default 100).
# 4. Modules per second and memory of `clifrun --modules` and of
#    `--modules --keep` (N alive at once, bytes per module) (BENCH_MODULES,
#    default 100000), the CPU time of inputs that grow (tools/gen_scale.py:
#    a value used N times, N functions :loaded in the REPL) at N, 2N, 4N,
#    and `clifrun test` over the conformance suite: the CPU time of -j 1
#    (min of 5), as Cranelift's runner's 0.25 s, and the wall time at the
#    default -j.
# 5. The interpreter's throughput: $BUILD/interpbench checks each workload's
#    small run lines through lib/interp, then runs its BENCH call for at most
#    BENCH_INTERP_STEPS IR instructions (default 300,000,000) and prints
#    instructions per CPU second (wall time on a shared machine says little).
# Environment: BUILD (build), CLIFRUN ($BUILD/clifrun), SHARED (../shared), RUN,
# BENCH_N, BENCH_REPS, BENCH_ONLY (space-separated workload names), CC_BENCH (gcc),
# BENCH_MODULES, BENCH_START_ROUNDS.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
CLIFRUN=${CLIFRUN:-$BUILD/clifrun}
CGBENCH=$BUILD/cgbench
INTERPBENCH=$BUILD/interpbench
SHARED=${SHARED:-../shared}
RUN=${RUN:-}
N=${BENCH_N:-5000}
REPS=${BENCH_REPS:-5}
CCB=${CC_BENCH:-gcc}

kit=$SHARED/bench
gen=$kit/gen/gen_many.py
[ -f "$gen" ] || { echo "bench: $gen not found (set SHARED=)" >&2; exit 1; }
[ -x "$CLIFRUN" ] || { echo "bench: $CLIFRUN not built: run make" >&2; exit 1; }
[ -x "$CGBENCH" ] || { echo "bench: $CGBENCH not built: run make bench" >&2; exit 1; }
[ -x "$INTERPBENCH" ] || { echo "bench: $INTERPBENCH not built: run make bench" >&2; exit 1; }
mkdir -p "$BUILD/bench"
[ -n "$RUN" ] && echo "note: run under '$RUN': figures are not the host's"

secs() {    # secs CMD...: wall time of CMD in seconds (its output discarded)
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || { echo "-"; return; }
    t1=$(date +%s%N)
    awk -v d=$((t1 - t0)) 'BEGIN { printf "%.2f", d / 1e9 }'
}

# Cranelift's figures: | name | gcc -O0 | gcc -O2 | none | speed | in the README
readme_col() {
    awk -F'|' -v w="$1" -v c="$2" '{ gsub(/ /, "", $2) } $2 == w { gsub(/ /, "", $c); print $c; exit }' \
        "$kit/README.md"
}
# Cranelift speed with the host's ISA flags: the README's "Measured again" table
readme_host() {
    awk -F'|' -v w="$1" '/^### Measured again/ { on = 1 } on { gsub(/ /, "", $2) }
        on && $2 == w { gsub(/ /, "", $3); print $3; exit }' "$kit/README.md"
}
ratio() {   # ratio A B: A / B as "0.00x", or - when either is missing
    awk -v a="${1%% *}" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2fx", a / b; else print "-" }'
}

echo "== run time of the BENCH call, seconds (clifrun: best of $REPS; gcc: whole process) =="
echo "   (clifrun: the file's target line; +host: with the host's ISA features, as cranelift_native;"
echo "    speed: at opt_level=speed, CLIFRUN_OPT=speed; the ratios are clifrun's time over Cranelift speed's;"
echo "    +host / CL+host: both with the host's ISA flags, Cranelift's from the README's 2026-12-04 table)"
printf '%-9s %8s %8s %8s %8s %8s %8s %8s %8s  %s\n' workload clifrun +host speed "gcc -O0" "gcc -O2" "CL none" \
    "CL speed" "CL+host" "clifrun, speed / CL speed, +host / CL+host"
status=0
geo=(0 0 0) geon=0   # sums of log ratios for the geomean line
for f in "$kit"/clif/*.clif; do
    w=$(basename "$f" .clif)
    if [ -n "${BENCH_ONLY:-}" ] && [[ " $BENCH_ONLY " != *" $w "* ]]; then
        continue
    fi
    line=$($RUN "$CGBENCH" -r "$REPS" "$f" 2>"$BUILD/bench/$w.err" | grep '^workload' || true)
    t=$(printf '%s' "$line" | awk '{print $3}')
    verdict=$(printf '%s' "$line" | awk '{print $4}')
    [ "$verdict" = ok ] || { status=1; t="${t:--} ${verdict:-ERROR}"; cat "$BUILD/bench/$w.err" >&2; }
    line=$($RUN "$CGBENCH" -r "$REPS" --host-isa "$f" 2>>"$BUILD/bench/$w.err" | grep '^workload' || true)
    th=$(printf '%s' "$line" | awk '{print $3}')
    [ "$(printf '%s' "$line" | awk '{print $4}')" = ok ] || { status=1; th="${th:--} WRONG"; }
    line=$(CLIFRUN_OPT=speed $RUN "$CGBENCH" -r "$REPS" "$f" 2>>"$BUILD/bench/$w.err" | grep '^workload' || true)
    ts=$(printf '%s' "$line" | awk '{print $3}')
    [ "$(printf '%s' "$line" | awk '{print $4}')" = ok ] || { status=1; ts="${ts:--} WRONG"; }
    o0=- o2=-
    if [ -f "$kit/c/$w.c" ] && [ -z "$RUN" ]; then
        for o in 0 2; do
            exe=$BUILD/bench/$w-O$o
            if [ ! -x "$exe" ] || [ "$kit/c/$w.c" -nt "$exe" ]; then
                "$CCB" -O$o -o "$exe" "$kit/c/$w.c" -lm 2>/dev/null || rm -f "$exe"
            fi
            [ -x "$exe" ] && eval "o$o=\$(secs \"\$exe\")"
        done
    fi
    cn=$(readme_col "$w" 5) cs=$(readme_col "$w" 6) ch=$(readme_host "$w")
    r=$(ratio "$t" "$cs") rs=$(ratio "$ts" "$cs") rh=$(ratio "$th" "$ch")
    printf '%-9s %8s %8s %8s %8s %8s %8s %8s %8s  %s, %s, %s\n' "$w" "$t" "$th" "$ts" "$o0" "$o2" "${cn:--}" \
        "${cs:--}" "${ch:--}" "$r" "$rs" "$rh"
    if [[ $r$rs$rh != *-* ]]; then
        i=0
        for x in "$r" "$rs" "$rh"; do
            geo[i]=$(awk -v g="${geo[i]}" -v x="${x%x}" 'BEGIN { printf "%.6f", g + log(x) }')
            i=$((i + 1))
        done
        geon=$((geon + 1))
    fi
done
if [ "$geon" -gt 0 ]; then
    printf '%-9s %71s  %s\n' geomean "($geon workloads; goal: at most 0.80, none above 1.00)" \
        "$(awk -v a="${geo[0]}" -v b="${geo[1]}" -v c="${geo[2]}" -v n="$geon" \
            'BEGIN { printf "%.2fx, %.2fx, %.2fx", exp(a / n), exp(b / n), exp(c / n) }')"
fi

echo
echo "== naive frontend code (bench/naive): opt_level none and speed, seconds of the BENCH call =="
echo "   (best of $REPS; wall, and the calling thread's CPU time, which a loaded machine inflates less;"
echo "    speed-up = none / speed by CPU time; gcc: the C twin, whole process, user time;"
echo "    CL speed: Cranelift opt_level=speed on the C twin as clang -O0 wasm, CPU (tools/wasmbench.sh))"
printf '%-9s %8s %8s %8s %8s %9s %8s %8s %8s  %s\n' workload none "cpu" speed "cpu" speed-up "gcc -O0" "gcc -O2" \
    "CL speed" "speed / CL speed"
ngeo=0 ngeon=0
for f in bench/naive/clif/*.clif; do
    w=$(basename "$f" .clif)
    if [ -n "${BENCH_ONLY:-}" ] && [[ " $BENCH_ONLY " != *" $w "* ]]; then
        continue
    fi
    t_none=- c_none=- t_speed=- c_speed=-
    for l in none speed; do
        line=$(CLIFRUN_OPT=$l $RUN "$CGBENCH" -r "$REPS" "$f" 2>"$BUILD/bench/$w-$l.err" | grep '^workload' || true)
        if [ "$(printf '%s' "$line" | awk '{print $4}')" = ok ]; then
            t=$(printf '%s' "$line" | awk '{print $3}') c=$(printf '%s' "$line" | awk '{print $6}')
        else
            status=1 t=WRONG c=-
            cat "$BUILD/bench/$w-$l.err" >&2
        fi
        if [ $l = none ]; then t_none=$t c_none=$c; else t_speed=$t c_speed=$c; fi
    done
    up=$(ratio "$c_none" "$c_speed")
    o0=- o2=-
    if [ -f "bench/naive/c/$w.c" ] && [ -z "$RUN" ]; then
        for o in 0 2; do
            exe=$BUILD/bench/naive-$w-O$o
            if [ ! -x "$exe" ] || [ "bench/naive/c/$w.c" -nt "$exe" ]; then
                "$CCB" -O$o -o "$exe" "bench/naive/c/$w.c" 2>/dev/null || rm -f "$exe"
            fi
            [ -x "$exe" ] || continue
            u=$( { /usr/bin/time -f %U "$exe" >/dev/null; } 2>&1 | tail -n 1)
            if [ $o = 0 ]; then o0=$u; else o2=$u; fi
        done
    fi
    cl=- rcl=-
    bl=$(awk '/^; BENCH/ { on = 1 } on && /^; run:/ { print; exit }' "$f")
    if [ -z "$RUN" ] && [[ $bl =~ %([a-z0-9_]+\([^\)]*\))\ ==\ (-?[0-9]+) ]]; then
        cl=$(tools/wasmbench.sh "bench/naive/c/$w.c" "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}")
        rcl=$(ratio "$c_speed" "$cl")
        if [ "$rcl" != - ]; then
            ngeo=$(awk -v g="$ngeo" -v x="${rcl%x}" 'BEGIN { printf "%.6f", g + log(x) }')
            ngeon=$((ngeon + 1))
        fi
    fi
    printf '%-9s %8s %8s %8s %8s %9s %8s %8s %8s  %s\n' "$w" "$t_none" "$c_none" "$t_speed" "$c_speed" "$up" \
        "$o0" "$o2" "$cl" "$rcl"
done
if [ "$ngeon" -gt 0 ]; then
    printf '%-9s %70s  %s\n' geomean "($ngeon workloads; goal: at most 0.90)" \
        "$(awk -v a="$ngeo" -v n="$ngeon" 'BEGIN { printf "%.2fx", exp(a / n) }')"
fi

echo
echo "== compile throughput =="
out=$BUILD/bench/many$N.clif
if [ ! -s "$out" ] || [ "$gen" -nt "$out" ]; then
    echo "bench: python3 $gen $N -o $out"
    python3 "$gen" "$N" -o "$out.tmp"
    mv "$out.tmp" "$out"
fi
bytes=$(wc -c <"$out")
funcs=$(grep -c '^function' "$out" || true)
echo "input: $out: $bytes bytes, $funcs functions"
echo "opt_level=none:"
CLIFRUN_OPT=none $RUN "$CGBENCH" --compile "$out" || status=1
echo "opt_level=speed (lib/opt's passes on every function):"
CLIFRUN_OPT=speed $RUN "$CGBENCH" --compile "$out" || status=1
echo "parse + verify alone (clifrun bench):"
$RUN "$CLIFRUN" bench "$out" || status=1
if [ -z "$RUN" ]; then
    echo "whole process, CPU min of 5 (Cranelift: 0.61 s at none, 0.80 s at speed, parsing 0.14 s;"
    echo "tcc on the C twin 0.054 s), and peak RSS per MB of input:"
    for c in "$CLIFRUN check:0.14:parsing" "$CGBENCH --compile:0.61:none"; do
        ref=${c#*:} c=${c%%:*}
        line=$(python3 tools/startbench.py 5 $c "$out")
        ms=$(printf '%s' "$line" | awk '{print $2}') kib=$(printf '%s' "$line" | awk '{print $9}')
        printf '  %-22s %8.3f s CPU  %7s KiB peak  %s MB per MB of input  Cranelift %s / clifrun: %sx\n' \
            "${c##*/}" "$(awk -v m="$ms" 'BEGIN { print m / 1000 }')" "$kib" \
            "$(awk -v k="$kib" -v b="$bytes" 'BEGIN { if (k + 0 > 0) printf "%.1f", k * 1024 / b; else print "-" }')" \
            "${ref#*:}" "$(awk -v m="$ms" -v r="${ref%%:*}" 'BEGIN { printf "%.2f", r * 1000 / m }')"
    done
fi
echo
echo "== start-up: a one-function file, whole process (Cranelift: ~2 ms wall, 11.5 MiB peak) =="
echo "   (the four commands take turns ${BENCH_START_ROUNDS:-100} times; CPU min and median, and above /bin/true's)"
one=$BUILD/bench/one.clif
printf '%s\n' 'test run' 'function %add(i32, i32) -> i32 {' 'block0(v0: i32, v1: i32):' \
    '    v2 = iadd v0, v1' '    return v2' '}' '; run: %add(1, 2) == 3' >"$one"
if [ -z "$RUN" ]; then
    python3 tools/startbench.py "${BENCH_START_ROUNDS:-100}" --rounds /bin/true ::: "$CLIFRUN" "$one" \
        ::: "$CLIFRUN" check "$one" ::: "$CLIFRUN" --version |
        sed -e "s|^/bin/true\t|  /bin/true (this machine)  |" -e "s|^$CLIFRUN check [^\t]*\t|  clifrun check FILE        |" \
            -e "s|^$CLIFRUN --version\t|  clifrun --version         |" -e "s|^$CLIFRUN [^\t]*\t|  clifrun FILE              |"
fi
echo
echo "== modules: compile, link, run and free testdata/run/modules.clif N times (clifrun --modules) =="
$RUN "$CLIFRUN" --modules "${BENCH_MODULES:-100000}" testdata/run/modules.clif || status=1
echo
echo "== fuzzer: clifrun fuzz, programs per second (each through the reference, the JIT with 3 allocators and linear at the other opt_level) =="
fuzzdir=$BUILD/bench/fuzz-out
rm -rf "$fuzzdir"
TIMEFORMAT='%R s wall, %U s user, %S s system'
time { $RUN "$CLIFRUN" fuzz --seed 1 --count "${BENCH_FUZZ:-1000}" --out "$fuzzdir" | tail -n 1 || true; }

echo
echo "== modules alive: N modules of testdata/run/modules.clif kept at once, each calling the one before (clifrun --modules N --keep) =="
echo "   (Cranelift's JIT fails after ~30,000, #6646)"
$RUN "$CLIFRUN" --modules "${BENCH_MODULES:-100000}" --keep testdata/run/modules.clif | grep -v -e '^%' -e '^module ' || status=1
echo
echo "== growth: whole-process CPU at N, 2N, 4N (linear: each about twice the one before; min of 3) =="
echo "   (tools/gen_scale.py; were quadratic: the AArch64 allocator's straddles(), the REPL's :load)"
if [ -z "$RUN" ]; then
    sdir=$BUILD/bench-scale
    mkdir -p "$sdir"
    whats=()
    for t in $("$CLIFRUN" targets | awk 'NR > 1 {print $1}'); do whats+=("uses 100000 $t"); done
    for what in "${whats[@]}" "funcs 25000 repl"; do
        set -- $what
        printf '  %-28s' "$1 x N (N=$2), $3:"
        for k in 1 2 4; do
            n=$(( $2 * k ))
            f=$sdir/$1$n.clif
            [ -s "$f" ] || python3 tools/gen_scale.py "$1" "$n" >"$f"
            if [ "$3" = repl ]; then
                line=$(python3 tools/startbench.py 3 "$CLIFRUN" -i --no-sandbox "$f" </dev/null)
            else
                line=$(python3 tools/startbench.py 3 "$CLIFRUN" compile --target "$3" "$f")
            fi
            printf '  %7.3f s' "$(printf '%s' "$line" | awk '{print $2 / 1000}')"
        done
        echo
    done
fi
echo
echo "== harness: clifrun test over the conformance suite (Cranelift's runner: 0.25 s CPU in one process) =="
# The figure beside Cranelift's: CPU time (user + system, the workers
# included) of -j 1, a parent and one worker, minimum of 5.  Then the wall
# time at the default -j, minimum of 5 (the first runs after the growth
# rows above may find the suite's files evicted from the page cache).
suite=$SHARED/conformance/cranelift-runtests
$RUN "$CLIFRUN" test "$suite" | tail -n 1 || true
line=$(python3 tools/startbench.py 5 $RUN "$CLIFRUN" test -j 1 "$suite")
set -- $line
printf 'CPU, -j 1: %.3f s, %s of Cranelift'"'"'s 0.25 s (%s page faults)\n' "$(awk -v c="$2" 'BEGIN { print c / 1000 }')" \
    "$(ratio "$(awk -v c="$2" 'BEGIN { print c / 1000 }')" 0.25)" "${13:-?}"
line=$(python3 tools/startbench.py 5 $RUN "$CLIFRUN" test "$suite")
set -- $line
printf 'wall, -j %s: %.3f s (CPU %.3f s)\n' "$(nproc)" "$(awk -v c="$5" 'BEGIN { print c / 1000 }')" \
    "$(awk -v c="$2" 'BEGIN { print c / 1000 }')"
echo
echo "== interpreter: IR instructions per CPU second on the BENCH call (at most ${BENCH_INTERP_STEPS:-300000000} of them; best of 3) =="
printf '%-9s %12s %8s %10s  %s\n' workload instructions "CPU s" "M insts/s" verdict
for f in "$kit"/clif/*.clif; do
    w=$(basename "$f" .clif)
    if [ -n "${BENCH_ONLY:-}" ] && [[ " $BENCH_ONLY " != *" $w "* ]]; then
        continue
    fi
    line=$($RUN "$INTERPBENCH" -s "${BENCH_INTERP_STEPS:-300000000}" "$f" 2>"$BUILD/bench/$w.interp.err" | grep '^interp' || true)
    set -- $line
    [ "${6:-}" = ok ] || { status=1; cat "$BUILD/bench/$w.interp.err" >&2; }
    printf '%-9s %12s %8s %10s  %s\n' "$w" "${3:--}" "${4:--}" "${5:--}" "${6:-ERROR}"
done
[ $status -eq 0 ] || echo "bench: some figures are missing or wrong (see above)" >&2
exit $status
