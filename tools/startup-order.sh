#!/bin/bash
# tools/startup-order.sh [CLIFRUN] — rewrite tools/startup.order: the functions
# that the start-up figures of `make bench` run (clifrun --version, check FILE
# and FILE of a one-function file), in the order they first run, from
# callgrind.  The link puts them first in .text and together (Makefile), so
# their code costs a few page faults instead of one per 64 KiB window of the
# whole text.  Valgrind cannot run the seccomp sandbox, so the calls run with
# CLIFRUN_NO_SANDBOX=1; the functions of the sandbox's path, of archives
# (libgcc, libffi, libc_nonshared, libm's ifunc resolvers) and crt1's are
# listed by hand: `perf record -e page-faults -d` on a start shows any that
# still fault outside them.
# A stale list costs start-up time, never correctness.
set -euo pipefail
cd "$(dirname "$0")/.."
CLIFRUN=${1:-build/clifrun}
command -v valgrind >/dev/null || { echo "startup-order: needs valgrind" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%s\n' 'test run' 'function %add(i32, i32) -> i32 {' 'block0(v0: i32, v1: i32):' \
    '    v2 = iadd v0, v1' '    return v2' '}' '; run: %add(1, 2) == 3' >"$tmp/one.clif"
n=0
for args in "--version" "check $tmp/one.clif" "$tmp/one.clif"; do
    n=$((n + 1))
    # shellcheck disable=SC2086
    CLIFRUN_NO_SANDBOX=1 valgrind -q --tool=callgrind --compress-strings=no \
        --callgrind-out-file="$tmp/cg.$n" "$CLIFRUN" $args >/dev/null
done
exe=$(readlink -f "$CLIFRUN")
{
    echo "# The functions a one-function file's start runs, in the order they first run"
    echo "# (tools/startup-order.sh writes this list; the Makefile links them first)."
    echo "# Lines with a ( are FILE(SECTION) patterns: crt1's _start, archive members."
    echo '*crt1.o(.text)'; echo '*crtbegin*.o(.text)'
    for f in "$tmp"/cg.1 "$tmp"/cg.2 "$tmp"/cg.3; do
        awk -v exe="$exe" '/^ob=/ { ob = substr($0, 4) } /^fn=/ && ob == exe { print substr($0, 4) }' "$f"
    done | sed "s/'[0-9]*\$//" | grep -E '^[A-Za-z_][A-Za-z0-9_.]*$' | awk '!seen[$0]++' |
        grep -vxE 'main|_start|__libc_csu_init'
    echo "# the sandbox's path, which valgrind cannot take"
    printf '%s\n' run_sandbox_supported run_sandbox_install host_features
    echo "# archive members: libgcc's 128-bit division, libffi's call path, pthread_atfork"
    printf '%s\n' '*libgcc.a:_udivdi3.o(.text)' '*libgcc.a:_divdi3.o(.text)' '*libgcc.a:_popcountsi2.o(.text)' \
        '*libffi_pic.a:prep_cif.o(.text .text.*)' '*libffi_pic.a:ffi64.o(.text .text.*)' \
        '*libffi_pic.a:unix64.o(.text .text.*)' '*libc_nonshared.a:*(.text .text.*)'
    echo "# libm.a's ifunc resolvers, which the dynamic loader runs at every start"
    for f in ceil floor trunc nearbyint fma; do
        printf "*libm-*.a:s_%s.o(.text)\n*libm-*.a:s_%sf.o(.text)\n" "$f" "$f"
    done
} >tools/startup.order
echo "startup-order: $(grep -vc '^#' tools/startup.order) entries in tools/startup.order"
