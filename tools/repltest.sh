#!/usr/bin/env bash
# tools/repltest.sh — drive the REPL as a person does: in a terminal (tmux),
# keys in, screen out.  Run by `make test` (suite repl); counts go to
# $TEST_COUNTS as "repl PASSED FAILED".
#
# Every expected string follows from what the typed IR computes (20 + 22 is
# 42, 1 + ... + 10 is 55), from the line and column of the typed mistake,
# and from the REPL's documented words (defined, redefined, loaded,
# interrupted, the clif> prompt) — never pasted from a run unchecked.
#
# tmux runs on a private socket with no user configuration, in a fixed
# 100x50 window; waits poll the screen against a deadline (DEADLINE seconds,
# default 20: qemu is slow).  Environment: CLIFRUN, RUN, BUILD, TEST_COUNTS, V.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
CLIFRUN=${CLIFRUN:-$BUILD/clifrun}
RUN=${RUN:-}
COUNTS=${TEST_COUNTS:-/dev/null}
DEADLINE=${DEADLINE:-20}
# tmux needs a terminal type it knows, CI may have none
case ${TERM:-dumb} in dumb|unknown|'') export TERM=xterm ;; esac

passed=0 failed=0
ok()   { passed=$((passed + 1)); [ "${V:-}" = 1 ] && echo "ok   $1"; return 0; }
fail() { failed=$((failed + 1)); echo "FAIL repl: $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | tail -n 15 | sed 's/^/     | /'; return 0; }
finish() {
    echo "repl $passed $failed" >>"$COUNTS"
    echo "repl: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}

if ! command -v tmux >/dev/null 2>&1; then
    fail "tmux is not installed (make deps installs it)"
    finish
fi
if [ ! -x "$CLIFRUN" ]; then
    fail "$CLIFRUN: not built"
    finish
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/repltest.XXXXXX")
export TMUX_TMPDIR=$tmp     # the server's socket goes away with $tmp
unset TMUX
sock=repltest
printf 'set -g default-terminal screen\nset -g history-limit 5000\n' >"$tmp/tmux.conf"
T() { tmux -L "$sock" -f "$tmp/tmux.conf" "$@"; }
cleanup() { T kill-server >/dev/null 2>&1; rm -rf "$tmp"; }
trap cleanup EXIT
mkdir -p "$tmp/home"
bin=$(realpath "$CLIFRUN")

# start NAME ENV... -- ARGS...: clifrun in a pane that stays after it exits
start() {
    local name=$1; shift
    local envs=()
    while [ "$1" != -- ]; do envs+=("$1"); shift; done
    shift
    local cmd
    cmd="env HOME='$tmp/home' TERM=screen ${envs[*]} $RUN '$bin' $*; echo \"[exit \$?]\"; sleep 600"
    T new-session -d -s "$name" -x 100 -y 50 "$cmd"
}
screen() { T capture-pane -p -J -S - -t "$1" "${@:2}" 2>&1 | sed 's/ *$//'; }
# clifrun has ended (or the pane is gone): no use waiting
ended() { screen "$1" | grep -qE '^\[exit [0-9]+\]$|^can.t find|^no server running'; }
# wait_for NAME REGEX: until the screen matches (grep -E), or the deadline
wait_for() {
    local end=$((SECONDS + DEADLINE))
    while [ $SECONDS -le $end ]; do
        screen "$1" | grep -qE -- "$2" && return 0
        if ended "$1"; then   # one last look: it may have ended just now
            screen "$1" | grep -qE -- "$2"
            return
        fi
        sleep 0.1
    done
    return 1
}
# the last non-empty line is the prompt
prompt_back() {
    local end=$((SECONDS + DEADLINE))
    while [ $SECONDS -le $end ] && ! ended "$1"; do
        [ "$(screen "$1" | grep -v '^$' | tail -n 1)" = "${2:-clif>}" ] && return 0
        sleep 0.1
    done
    return 1
}
# expect NAME WHAT REGEX: one check, then the prompt must be back
expect() {
    if wait_for "$1" "$3" && prompt_back "$1"; then ok "$2"; else fail "$2: no /$3/ then prompt" "$(screen "$1")"; fi
}
keys() { T send-keys -t "$1" "${@:2}"; }
send_line() { keys "$1" -l "$2"; keys "$1" Enter; }
# type NAME LINE...: as a person types: the line, seen on the screen after
# the prompt, then Enter, then wait for the next prompt before the next line
last_line() { screen "$1" | grep -v '^$' | tail -n 1; }
type_lines() {
    local n=$1 l end; shift
    for l in "$@"; do
        keys "$n" -l "$l"
        end=$((SECONDS + DEADLINE))
        # (the end of the line: after a Tab, the line holds more than l)
        until [[ "$(last_line "$n")" =~ ^(clif|\.\.\.\.)\>\ (.*)$ && "${BASH_REMATCH[2]}" == *"${l%"${l##*[! ]}"}" ]]; do
            [ $SECONDS -le $end ] && ! ended "$n" || break
            sleep 0.05
        done
        keys "$n" Enter
        end=$((SECONDS + DEADLINE))
        until [[ "$(last_line "$n")" =~ ^(clif|\.\.\.\.)\>$ ]]; do
            [ $SECONDS -le $end ] && ! ended "$n" || break
            sleep 0.05
        done
    done
}

# ---- session 1: define, call, mistakes, traps, Ctrl-C, load, disassemble ----
start s1 NO_COLOR=1 --
if wait_for s1 '^clif>' && prompt_back s1; then ok "the REPL starts at a prompt"; else fail "no prompt" "$(screen s1)"; finish; fi

type_lines s1 'function %add(i32, i32) -> i32 {' 'block0(v0: i32, v1: i32):' \
    '    v2 = iadd v0, v1' '    return v2' '}'
expect s1 "define %add" '^defined %add\(i32, i32\) -> i32'
if screen s1 | grep -q '^\.\.\.\.> block0'; then ok "continuation prompt inside the braces"; else fail "no continuation prompt" "$(screen s1)"; fi
type_lines s1 '%add(20, 22)'
expect s1 "call %add: 20 + 22" '^%add\(20, 22\) -> 42$'
type_lines s1 '%add(1, 2) == 3'
expect s1 "checked call passes" '^%add\(1, 2\) == 3$'
type_lines s1 '%add(2, 2) == 5'
expect s1 "checked call fails with what it got" '^FAIL <repl>:1: %add\(2, 2\) == 5, got 4$'

# a caller, to see it follow a redefinition later
type_lines s1 'function %twice(i32) -> i32 {' '    fn0 = %add(i32, i32) -> i32' 'block0(v0: i32):' \
    '    v1 = call fn0(v0, v0)' '    return v1' '}' '%twice(5)'
expect s1 "a function calling another: 5 + 5" '^%twice\(5\) -> 10$'

# a mistake on the entry's third line, column 19 (v9 is never defined)
type_lines s1 'function %bad(i32) -> i32 {' 'block0(v0: i32):' '    v1 = iadd v0, v9' '    return v1' '}'
expect s1 "verifier error located in the entry, prompt again" '^<repl>:3:19: error: .*v9'
if screen s1 | grep -qE '^ {18}\^$'; then ok "the caret under v9"; else fail "no caret under column 19" "$(screen s1)"; fi
type_lines s1 'function %syntax(i32) -> i32 {' 'block0(v0: i32):' '    v1 = iadd v0,' '    return v1' '}'
# the second operand is missing: the error points just past the comma
expect s1 "parse error located in the entry" '^<repl>:3:18: error: expected SSA value'
type_lines s1 '%add(100, 11)'
expect s1 "the session goes on after errors" '^%add\(100, 11\) -> 111$'
type_lines s1 '%bad(1)'
expect s1 "a rejected function is not defined" '^<repl>:1:1: error: no function %bad'

# a trap: integer division by zero
type_lines s1 'function %div(i32, i32) -> i32 {' 'block0(v0: i32, v1: i32):' \
    '    v2 = udiv v0, v1' '    return v2' '}' '%div(7, 0)'
expect s1 "a trapping call reports the trap" '^FAIL <repl>:1: %div\(7, 0\), trap: int_divz at %div\+0x[0-9a-f]+$'
type_lines s1 '%div(84, 2)'
expect s1 "calls work after the trap" '^%div\(84, 2\) -> 42$'

# an endless loop; no --timeout, so only Ctrl-C ends it
type_lines s1 'function %spin() -> i32 {' 'block0:' '    jump block1' 'block1:' '    jump block1' '}'
expect s1 "define %spin" '^defined %spin'
send_line s1 '%spin()'
sleep 1
if screen s1 | grep -qE 'interrupted|^FAIL <repl>:1: %spin'; then
    fail "%spin() returned before Ctrl-C" "$(screen s1)"
else
    ok "%spin() is still running after 1 s"
fi
keys s1 C-c
expect s1 "Ctrl-C interrupts the call" '^FAIL <repl>:1: %spin\(\), interrupted$'
type_lines s1 '%add(40, 2)'
expect s1 "calls work after the interruption" '^%add\(40, 2\) -> 42$'

# Ctrl-C at the prompt drops the line typed so far
keys s1 -l '%add(1'
wait_for s1 '^clif> %add\(1$'
keys s1 C-c
type_lines s1 '%add(4, 4)'
expect s1 "Ctrl-C at the prompt clears the line" '^%add\(4, 4\) -> 8$'
# ... and an unfinished function
type_lines s1 'function %half(i32) -> i32 {'
wait_for s1 '^\.\.\.\.>$'
keys s1 C-c
type_lines s1 '%add(5, 5)'
expect s1 "Ctrl-C drops an unfinished function" '^%add\(5, 5\) -> 10$'

# tab completion: an opcode (popc -> popcnt), a function name, a command
type_lines s1 'function %ones(i32) -> i32 {' 'block0(v0: i32):'
keys s1 -l '    v1 = popc'
keys s1 Tab
type_lines s1 'v0' '    return v1' '}'
type_lines s1 '%ones(255)'
expect s1 "opcode completed (popcnt 255 = 8)" '^%ones\(255\) -> 8$'
# by context: after icmp only condition codes (e -> eq; opcodes such as
# extractlane would compete without it), so 3 == 3 is 1
type_lines s1 'function %same(i32) -> i8 {' 'block0(v0: i32):'
keys s1 -l '    v1 = icmp e'
keys s1 Tab
type_lines s1 'v0, v0' '    return v1' '}'
type_lines s1 '%same(3)'
expect s1 "condition code completed after icmp (eq: 1)" '^%same\(3\) -> 1$'
keys s1 -l '%twi'
keys s1 Tab
type_lines s1 '(21)'
expect s1 "function name completed" '^%twice\(21\) -> 42$'

# the target: which architecture the disassembly is in
# shellcheck disable=SC2086
host=$(${RUN:-} "$CLIFRUN" targets | awk 'NR > 1 && $3 == "yes" {print $1}')
type_lines s1 ':target'
if wait_for s1 "^target $host"; then
    arch=$host
    ok ":target shows the target ($arch)"
else
    arch=$host
    fail ":target shows nothing, or not $host" "$(screen s1)"
fi
prompt_back s1

# load the example and call one of its functions: 1 + ... + 10
type_lines s1 ':load testdata/run/example.clif'
expect s1 ":load the example" '^loaded testdata/run/example\.clif: 2 functions: %add \(replaced\), %sum_to$'
type_lines s1 '%sum_to(10)'
expect s1 "a loaded function: sum 1..10" '^%sum_to\(10\) -> 55$'
type_lines s1 ':list'
expect s1 ":list names where each function comes from" '%sum_to\(i64\) -> i64.*testdata/run/example\.clif:[0-9]+'

# disassembly of %add: an add (lea on x86-64) of the host's architecture
keys s1 -l ':disa'
keys s1 Tab
type_lines s1 '%add'
expect s1 ":disasm %add ($arch)" "^%add: [0-9]+ bytes \\($arch\\)"
if screen s1 | grep -qE "^ +[0-9a-f]+: +([0-9a-f]{2} )+ +(add|lea) +"; then
    ok "an $arch add in the listing"
else
    fail "no $arch add in the listing" "$(screen s1)"
fi
if screen s1 | grep -qE '^ +[0-9a-f]+: +([0-9a-f]{2} )+ +ret'; then ok "the listing ends in ret"; else fail "no ret" "$(screen s1)"; fi

# redefining %add recompiles %twice, which calls it
type_lines s1 'function %add(i32, i32) -> i32 {' 'block0(v0: i32, v1: i32):' \
    '    v2 = imul v0, v1' '    return v2' '}'
expect s1 "redefine %add, its caller named" '^redefined %add\(i32, i32\) -> i32.*callers: %twice'
type_lines s1 '%add(6, 7)'
expect s1 "the new %add: 6 * 7" '^%add\(6, 7\) -> 42$'
type_lines s1 '%twice(5)'
expect s1 "the caller uses the new %add: 5 * 5" '^%twice\(5\) -> 25$'

type_lines s1 ':nonsense'
expect s1 "an unknown command" "^error: unknown command ':nonsense'"
if screen s1 -e | grep -F 'unknown command' | grep -q $'\033'; then
    fail "NO_COLOR=1, yet the error is coloured" "$(screen s1 -e | grep -F 'unknown command')"
else
    ok "NO_COLOR=1: no colour"
fi

send_line s1 ':quit'
if wait_for s1 '^\[exit 0\]$'; then ok ":quit ends the session, status 0"; else fail ":quit" "$(screen s1)"; fi
hist=$tmp/home/.clifrun_history
if [ -f "$hist" ] && grep -qxF '%twice(5)' "$hist" && grep -qxF 'function %spin() -> i32 {' "$hist" &&
   grep -qxF ':quit' "$hist"; then
    ok "history written to \$HOME/.clifrun_history"
else
    fail "history file" "$(cat "$hist" 2>&1)"
fi

# ---- session 2: -i FILE, history recalled, colour, Ctrl-D ----
start s2 -- -i testdata/run/example.clif
expect s2 "-i FILE loads the file" '^loaded testdata/run/example\.clif: 2 functions: %add, %sum_to$'
type_lines s2 '%add(-5, 3)'
expect s2 "-i FILE: call one of its functions" '^%add\(-5, 3\) -> -2$'
type_lines s2 '%sum_to(100000) == 5000050000'
expect s2 "-i FILE: a checked call" '^%sum_to\(100000\) == 5000050000$'
# newest first: this session's two lines, then the last one's :quit, :nonsense, %twice(5)
keys s2 Up Up Up Up Up
if wait_for s2 '^clif> %twice\(5\)$'; then ok "history of the last session recalled with Up"; else fail "no history recall" "$(screen s2)"; fi
keys s2 C-u
type_lines s2 ':nonsense'
if wait_for s2 "unknown command" && screen s2 -e | grep -F 'unknown command' | grep -q $'\033\\['; then
    ok "colour on a terminal without NO_COLOR"
else
    fail "no colour" "$(screen s2 -e | grep -F 'unknown command')"
fi
prompt_back s2
keys s2 C-d
if wait_for s2 '^\[exit 0\]$'; then ok "Ctrl-D ends the session, status 0"; else fail "Ctrl-D" "$(screen s2)"; fi

# ---- session 3: a HOME that cannot hold the history: no failure ----
start s3 HOME=/nonexistent/dir --
if wait_for s3 '^clif>' && prompt_back s3; then ok "an unwritable HOME does not stop the REPL"; else fail "unwritable HOME" "$(screen s3)"; fi
keys s3 C-d
wait_for s3 '^\[exit 0\]$' || fail "Ctrl-D in session 3" "$(screen s3)"

# ---- without a terminal ----
out=$(echo | $RUN "$bin" 2>&1 </dev/null); rc=$?
if [ $rc -eq 2 ] && printf '%s' "$out" | grep -q '^usage: clifrun'; then
    ok "no file, no terminal: usage, status 2"
else
    fail "no file, no terminal: status $rc" "$out"
fi
out=$(printf '%s\n' '%sum_to(4)' ':quit' | $RUN "$bin" -i testdata/run/example.clif 2>&1); rc=$?
if [ $rc -eq 0 ] && printf '%s\n' "$out" | grep -qx '%sum_to(4) -> 10'; then
    ok "-i FILE reads commands from a pipe"
else
    fail "-i FILE from a pipe: status $rc" "$out"
fi

# a caller before its callee: kept, with the link error, until the callee comes;
# then the callee's signature changes under its caller: a warning
out=$(printf '%s\n' 'function %f(i64) -> i64 {' '    fn0 = %g(i64) -> i64' 'block0(v0: i64):' \
      '    v1 = call fn0(v0)' '    return v1' '}' '%f(1)' \
      'function %g(i64) -> i64 {' 'block0(v0: i64):' '    v1 = imul v0, v0' '    return v1' '}' '%f(12)' \
      'function %g(i32) -> i32 {' 'block0(v0: i32):' '    return v0' '}' | $RUN "$bin" -i 2>&1)
if printf '%s\n' "$out" | grep -q "^<repl>:2:11: error: .*'g'" &&
   printf '%s\n' "$out" | grep -qx '%f(12) -> 144' &&
   printf '%s\n' "$out" | grep -qx 'warning: %f calls %g as (i64) -> i64, but it is now (i32) -> i32'; then
    ok "a forward reference links once defined; a changed signature is a warning"
else
    fail "forward reference and signature change" "$out"
fi

finish
