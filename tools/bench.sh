#!/usr/bin/env bash
# tools/bench.sh — compile-throughput figures (run by `make bench`).
#
# Generates $BUILD/bench/many$N.clif with $SHARED/bench/gen/gen_many.py N
# (N=5000 unless BENCH_N is set: 5,000 functions, ~236,000 instructions,
# 6.7 MB) once, then runs `clifrun bench FILE`, which parses and verifies
# it and reports its own figures (MB/s, functions/s).  This script prints
# those figures and the wall time of the whole command.  It never asserts a
# time: it fails only when it cannot produce the figures.
# Environment: BUILD (build), CLIFRUN ($BUILD/clifrun), SHARED (../shared), RUN, BENCH_N.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
CLIFRUN=${CLIFRUN:-$BUILD/clifrun}
SHARED=${SHARED:-../shared}
RUN=${RUN:-}
N=${BENCH_N:-5000}

gen=$SHARED/bench/gen/gen_many.py
[ -f "$gen" ] || { echo "bench: $gen not found (set SHARED=)" >&2; exit 1; }
[ -x "$CLIFRUN" ] || { echo "bench: $CLIFRUN not built: run make" >&2; exit 1; }

out=$BUILD/bench/many$N.clif
mkdir -p "$BUILD/bench"
if [ ! -s "$out" ] || [ "$gen" -nt "$out" ]; then
    echo "bench: python3 $gen $N -o $out"
    python3 "$gen" "$N" -o "$out.tmp"
    mv "$out.tmp" "$out"
fi

bytes=$(wc -c <"$out")
funcs=$(grep -c '^function' "$out" || true)
insts=$(grep -E '^    (v[0-9]+(, v[0-9]+)* = )?[a-z_]' "$out" |
        grep -cvE '^    (fn|sig|ss|dss|gv|jt|dt|const)[0-9]+ ' || true)
echo "input: $out: $bytes bytes, $funcs functions, $insts instructions"
echo "command: ${RUN:+$RUN }$CLIFRUN bench $out"
[ -n "$RUN" ] && echo "note: run under '$RUN': figures are not the host's"
status=0
t0=$(date +%s%N)
$RUN "$CLIFRUN" bench "$out" || status=$?
t1=$(date +%s%N)
if [ $status -ne 0 ]; then
    echo "bench: clifrun bench exited with status $status" >&2
    exit 1
fi
ms=$(( (t1 - t0) / 1000000 ))
printf 'wall time of the clifrun bench command (all its repetitions, start-up and exit): %d.%03d s\n' \
    $((ms / 1000)) $((ms % 1000))
