#!/usr/bin/env bash
# tools/deps.sh — install what building and testing clifrun needs on Debian 12.
#
# Installs only the packages that are missing (checked with dpkg) and says
# which.  Runs apt-get update first when it has something to install.  Works
# as root or through sudo, with no terminal (CI).
#
#   tools/deps.sh              host build: compiler, libffi, readline, capstone, libseccomp,
#                              python3 (test generators), tmux (REPL tests),
#                              qemu-user (runs on baseline CPUs: make test's isa
#                              suite, make conformance-baseline);
#                              optional: graphviz (clifrun cfg -o, its test)
#   tools/deps.sh --check      only report what is missing; exit 1 if anything is
#   ARCH=aarch64 tools/deps.sh also the AArch64 cross toolchain, arm64 libraries
#                              and qemu-user to run the result
set -euo pipefail

check_only=0
for arg in "$@"; do
    case $arg in
        --check) check_only=1 ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "deps.sh: unknown argument '$arg'" >&2; exit 2 ;;
    esac
done

# What each package is for (README.md says the same):
#   build-essential   gcc, make, libc headers
#   pkg-config        finds the libraries' flags for the Makefile
#   libffi-dev        calling compiled code with any signature
#   libreadline-dev   the REPL's line editing and history
#   libcapstone-dev   disassembly of generated code (clifrun compile -D)
#   libseccomp-dev    the sandbox that called code runs under (seccomp filters)
#   clang, libclang-rt-dev  CI's second sanitizer build (make CC=clang SAN=1 test)
#   python3           the test and benchmark input generators
#   tmux              driving the REPL in tests
#   qemu-user         running on a baseline CPU (qemu-x86_64 -cpu Conroe) and AArch64
#   graphviz          (optional) `dot`: clifrun cfg -o F.svg renders with it, and
#                     the cfg suite renders clifrun cfg's output (skipped without)
pkgs=(build-essential pkg-config libffi-dev libreadline-dev libcapstone-dev libseccomp-dev
      clang libclang-rt-dev python3 tmux qemu-user)
optional=(graphviz)

host_arch=$(uname -m)
arch=${ARCH:-$host_arch}
foreign=
if [ "$arch" != "$host_arch" ]; then
    case $arch in
        aarch64) foreign=arm64
                 pkgs+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
                        libffi-dev:arm64 libreadline-dev:arm64 libcapstone-dev:arm64
                        libseccomp-dev:arm64) ;;
        x86_64)  foreign=amd64
                 pkgs+=(gcc-x86-64-linux-gnu libc6-dev-amd64-cross qemu-user
                        libffi-dev:amd64 libreadline-dev:amd64 libcapstone-dev:amd64
                        libseccomp-dev:amd64) ;;
        *) echo "deps.sh: no cross setup for ARCH=$arch" >&2; exit 2 ;;
    esac
fi

# Installed for the right architecture?  (`dpkg -s NAME` is ambiguous once a
# foreign architecture's instance of NAME is installed too.)
native=$(dpkg --print-architecture)
installed() {
    local name=${1%%:*} want=${1#*:}
    [ "$want" != "$1" ] || want=$native
    dpkg-query -W -f='${Architecture} ${db:Status-Abbrev}\n' "$name" 2>/dev/null |
        grep -qE "^($want|all) .i"
}

missing=()
for p in "${pkgs[@]}"; do
    installed "$p" || missing+=("$p")
done
opt_missing=()
for p in "${optional[@]}"; do
    installed "$p" || opt_missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ] && { [ ${#opt_missing[@]} -eq 0 ] || [ $check_only = 1 ]; }; then
    echo "deps: all present (${pkgs[*]})"
    [ ${#opt_missing[@]} -eq 0 ] || echo "deps: optional, missing: ${opt_missing[*]} (clifrun cfg -o needs it)"
    exit 0
fi
if [ $check_only = 1 ]; then
    echo "deps: missing: ${missing[*]}"
    [ ${#opt_missing[@]} -eq 0 ] || echo "deps: optional, missing: ${opt_missing[*]} (clifrun cfg -o needs it)"
    echo "deps: run 'make deps' (or tools/deps.sh) to install them"
    exit 1
fi
[ ${#missing[@]} -eq 0 ] || echo "deps: missing: ${missing[*]}"
[ ${#opt_missing[@]} -eq 0 ] || echo "deps: optional, missing: ${opt_missing[*]} (installed too)"

if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    echo "deps: not root and no sudo: install as root: apt-get install ${missing[*]}" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if [ -n "$foreign" ] && ! dpkg --print-foreign-architectures | grep -qx "$foreign"; then
    echo "deps: dpkg --add-architecture $foreign"
    "${sudo[@]}" dpkg --add-architecture "$foreign"
fi
echo "deps: apt-get update"
"${sudo[@]}" apt-get update -q
if [ ${#missing[@]} -ne 0 ]; then
    echo "deps: apt-get install -y ${missing[*]}"
    "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
fi
# optional: a failure to install it is reported, not fatal
if [ ${#opt_missing[@]} -ne 0 ]; then
    echo "deps: apt-get install -y ${opt_missing[*]} (optional)"
    "${sudo[@]}" apt-get install -y -q --no-install-recommends "${opt_missing[@]}" </dev/null ||
        echo "deps: could not install the optional ${opt_missing[*]}: clifrun cfg -o will say so" >&2
fi

still=()
for p in "${missing[@]}"; do
    installed "$p" || still+=("$p")
done
if [ ${#still[@]} -ne 0 ]; then
    echo "deps: still missing after install: ${still[*]}" >&2
    exit 1
fi
echo "deps: installed ${missing[*]} ${opt_missing[*]}"
