#!/usr/bin/env bash
# tools/wasmbench.sh C_FILE CALL EXPECTED — Cranelift opt_level=speed on a
# naive workload, for make bench's naive rows: the C twin compiled by clang
# -O0 for wasm32 (as a naive frontend emits wasm: locals in a shadow stack in
# linear memory) and run by wasmtime's Cranelift inside wizer, which calls
# the module's `wizer-initialize` export.  Prints the CPU seconds of CALL
# (min of BENCH_REPS whole processes, less the same with CALL's first
# argument 0: parsing, compiling and snapshotting), WRONG when CALL's value
# is not EXPECTED, or - (and why, on stderr) without the tools.
# Tools: clang with the wasm32 target and wasm-ld (Debian's clang, lld) and
# wizer from npm (`make bench-deps` puts it in $BUILD/npm).
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
REPS=${BENCH_REPS:-3}
src=$1 call=$2 expected=$3
WIZER=${WIZER:-$BUILD/npm/node_modules/.bin/wizer}
CLANG=${CLANG_WASM:-$(command -v clang || command -v clang-14 || true)}
if [ ! -x "$WIZER" ] || [ -z "$CLANG" ] || ! command -v wasm-ld >/dev/null; then
    echo "wasmbench: needs wizer ($WIZER), clang and wasm-ld: make bench-deps" >&2
    echo -; exit 0
fi
dir=$BUILD/bench/wasm
mkdir -p "$dir/inc"
# the twins' common.h wants stdio and stdlib; main is never called
printf '#define printf(...) 0\n' >"$dir/inc/stdio.h"
printf '#define abort __builtin_trap\n#define NULL ((void *)0)\nstatic unsigned long long strtoull(const char *s, char **e, int b) { (void)s; (void)e; (void)b; return 0; }\n' \
    >"$dir/inc/stdlib.h"
w=$(basename "$src" .c)
small=$(printf '%s' "$call" | sed -E 's/\(([^,)]*)/(0/')
build() {   # build OUT CALL CHECK: the module whose initializer makes CALL
    cat >"$dir/$1.c" <<EOC
#define main twin_main
#include "$PWD/$src"
unsigned long long bench_result;
__attribute__((export_name("wizer-initialize"))) void bench_init(void)
{
    bench_result = (unsigned long long)$2;
    if ($3 && bench_result != (unsigned long long)$expected) __builtin_trap();
}
EOC
    "$CLANG" --target=wasm32 -O0 -nostdlib -I"$dir/inc" -Wl,--no-entry -Wl,--export-dynamic \
        -o "$dir/$1.wasm" "$dir/$1.c" 2>/dev/null
}
cpu() {     # cpu WASM: min over REPS of wizer's whole-process user+sys CPU
    local best=- t i
    for i in $(seq "$REPS"); do
        /usr/bin/time -o "$dir/time" -f "%U %S" "$WIZER" "$1" -o /dev/null >/dev/null 2>&1 || { echo WRONG; return; }
        t=$(awk '{print $1 + $2}' "$dir/time")
        best=$(awk -v a="$best" -v b="$t" 'BEGIN { print (a == "-" || b < a) ? b : a }')
    done
    echo "$best"
}
build "$w-big" "$call" 1 && build "$w-small" "$small" 0 || { echo "wasmbench: clang failed on $src" >&2; echo -; exit 0; }
big=$(cpu "$dir/$w-big.wasm") base=$(cpu "$dir/$w-small.wasm")
[ "$big" = WRONG ] && { echo WRONG; exit 0; }
awk -v a="$big" -v b="$base" 'BEGIN { printf "%.3f\n", a - b }'
