# clifrun — `make` builds build/clifrun, `make test` runs every test.
#
#   make                  build build/clifrun (-Wall -Wextra -Wshadow -Wmissing-prototypes)
#   make test             build, then run every test; ends with "N passed, N failed"
#   make SAN=1 [test]     the same with AddressSanitizer + UBSan, in build-san/
#   make CC=clang SAN=1   clang's sanitizers, in build-san-clang/
#   make ARCH=aarch64     cross build into build-aarch64/ (make test runs it under qemu)
#   make bench            run time of the ../shared/bench workloads beside gcc -O0/-O2,
#                         compile throughput on a generated 5,000-function file
#   make conformance      clifrun test over ../shared/conformance/cranelift-runtests against
#                         the ratchet testdata/conformance/ARCH.pass (and with --jit-spread)
#   make conformance-baseline  the same under qemu's baseline CPUs (x86-64: Conroe and
#                         qemu64,-sse3; AArch64: cortex-a53): a bare target line is baseline code
#   make roundtrip-suite  print round trip + check of every file of that suite
#   make fuzz             clifrun fuzz: FUZZ_COUNT random programs from FUZZ_SEED (5,000
#                         natively, 1,000 under qemu), each against the reference with
#                         every register allocator; any disagreement fails
#   make fuzz-libfuzzer   build the libFuzzer harnesses (clang, ASan, UBSan) into
#                         build-libfuzzer/ and run each FUZZ_SECONDS (60) seconds
#   make cranelift-verifier  Cranelift's verifier and parser filetests (a fetched copy, as data)
#   make deps             install what a fresh Debian 12 machine lacks (tools/deps.sh)
#   make install          PREFIX=/usr/local DESTDIR= : binary and man page
#
# Other variables: O=-O2 (optimisation), WERROR=1 (warnings are errors, as in
# CI), V=1 (tests print every case), SHARED=../shared.
HOST_ARCH := $(shell uname -m)
ARCH ?= $(HOST_ARCH)
SHARED ?= ../shared
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man

ifeq ($(ARCH),$(HOST_ARCH))
BUILD_BASE := build
else
BUILD_BASE := build-$(ARCH)
endif
ifeq ($(SAN),1)
# clang's sanitizers (make CC=clang SAN=1) build apart from gcc's
BUILD ?= $(BUILD_BASE)-san$(if $(findstring clang,$(CC)),-clang)
else
BUILD ?= $(BUILD_BASE)
endif

CC_x86_64 = x86_64-linux-gnu-gcc
CC_aarch64 = aarch64-linux-gnu-gcc
DEB_ARCH_x86_64 = x86_64-linux-gnu
DEB_ARCH_aarch64 = aarch64-linux-gnu
ifeq ($(ARCH),$(HOST_ARCH))
CC_HOST := $(CC)
PKG_CONFIG ?= pkg-config
RUN ?=
else
CC_HOST := $(CC_$(ARCH))
PKG_CONFIG ?= PKG_CONFIG_LIBDIR=/usr/lib/$(DEB_ARCH_$(ARCH))/pkgconfig pkg-config
# qemu-user: -cpu max for LSE and PAuth; -L / takes Debian's multiarch arm64
# libc (the cross toolchain's hangs in a forked child under qemu 7.2).
# qemu-user cannot install seccomp filters, and clifrun refuses to run calls
# unsandboxed unless told: the tests run with CLIFRUN_NO_SANDBOX=1 (the native
# build tests the sandbox; transcripts that need it skip themselves under
# qemu, and one checks that clifrun refuses without the variable).
QEMU_aarch64 = qemu-aarch64 -cpu max -L /
QEMU_x86_64 = qemu-x86_64 -L /usr/$(DEB_ARCH_x86_64)
RUN ?= $(QEMU_$(ARCH))
QEMU_ENV = CLIFRUN_NO_SANDBOX=1
endif

O ?= -O2
# One include directory: another folder's header is "ir/ir.h", "jit/jit.h"
# (a folder's own headers by name, found beside the including file).
# -Wshadow, -Wmissing-prototypes: a file-local function is static, any other
# has its prototype in its folder's header.
CFLAGS_BASE = -std=gnu17 $(O) -g -Wall -Wextra -Wno-unused-parameter -Wshadow -Wmissing-prototypes \
	-MMD -MP -Ilib
ifneq ($(findstring clang,$(CC_HOST)),)
# clang also warns of positional initializers inside designated ones
CFLAGS_BASE += -Wno-missing-field-initializers
endif
ifeq ($(SAN),1)
CFLAGS_BASE += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
ifeq ($(WERROR),1)
CFLAGS_BASE += -Werror
endif
LIBS = -lm
# Start-up: the hash tables and symbol order of -O1; relative relocations
# packed (DT_RELR, glibc 2.36) where the linker can, fewer pages written.
# -no-pie: a position-dependent executable has no relative relocations at
# all, so its 34 KiB of pointer tables (.data.rel.ro: opcode, register and
# instruction names) stay shared pages of the file instead of 9 pages the
# loader writes at every start (9 page faults of 100 for a one-function
# file).  Its image is not randomised; the code a file runs has the
# process's memory anyway, and the seccomp sandbox is what confines it.
LDFLAGS += -Wl,-O1 -no-pie

# ---- libraries ---------------------------------------------------------------
# Found with pkg-config, or failing that by compiling their header.  A library
# is linked only once the code needs it: add it to NEED_LIBS then.  A needed
# library that is missing stops the build; a missing one not yet needed is
# only reported.  Either way the message points to `make deps`.
NEED_LIBS ?= libffi capstone readline libseccomp
# Linked: the rest are loaded when a command needs them (cmd/clifrun/lazy.c).
LINK_LIBS ?= libffi libseccomp
KNOWN_LIBS = libffi readline capstone libseccomp
hdr_libffi = ffi.h
hdr_readline = readline/readline.h
hdr_capstone = capstone/capstone.h
hdr_libseccomp = seccomp.h
deb_libffi = libffi-dev
deb_readline = libreadline-dev
deb_capstone = libcapstone-dev
deb_libseccomp = libseccomp-dev
NO_PROBE_GOALS = clean deps help uninstall grammar-check
ifneq ($(filter-out $(NO_PROBE_GOALS),$(or $(MAKECMDGOALS),all)),)
ifeq ($(shell command -v $(firstword $(CC_HOST)) 2>/dev/null),)
$(error compiler '$(CC_HOST)' not found for ARCH=$(ARCH): run `make deps$(if $(filter-out $(HOST_ARCH),$(ARCH)), ARCH=$(ARCH))`)
endif
HASH := \#
have_lib = $(shell printf '$(HASH)include <stdio.h>\n$(HASH)include <$(hdr_$(1))>\n' | \
	$(CC_HOST) -E -x c - >/dev/null 2>&1 && echo yes)
MISSING_LIBS := $(strip $(foreach l,$(sort $(KNOWN_LIBS) $(NEED_LIBS)),$(if $(call have_lib,$(l)),,$(l))))
ifneq ($(filter $(NEED_LIBS),$(MISSING_LIBS)),)
$(error missing $(foreach l,$(filter $(NEED_LIBS),$(MISSING_LIBS)),$(l) ($(deb_$(l)))): run `make deps` to install them)
endif
ifneq ($(MISSING_LIBS),)
$(info note: $(foreach l,$(MISSING_LIBS),$(l) ($(deb_$(l)), <$(hdr_$(l))>)) not found; not needed yet, but `make deps` installs it)
endif
CFLAGS_BASE += $(foreach l,$(NEED_LIBS),$(shell $(PKG_CONFIG) --cflags $(l) 2>/dev/null))
RELR_FLAG = -Wl,-z,pack-relative-relocs
LDFLAGS += $(shell printf 'int main(void) { return 0; }' | $(CC_HOST) $(RELR_FLAG) -x c - -o /dev/null \
	2>&1 | grep -q . || echo '$(RELR_FLAG)')
# libffi from its PIC archive when there is one: a shared object fewer for
# the dynamic loader to map at every start.
FFI_PIC := $(filter /%,$(shell $(CC_HOST) -print-file-name=libffi_pic.a 2>/dev/null))
ifneq ($(FFI_PIC),)
LIBS += $(FFI_PIC)
LINK_LIBS := $(filter-out libffi,$(LINK_LIBS))
endif
# libseccomp likewise from its archive (PIC on Debian): 5 page faults and
# 17,000 instructions of the loader's fewer at each start.
SECCOMP_A := $(filter /%,$(shell $(CC_HOST) -print-file-name=libseccomp.a 2>/dev/null))
ifneq ($(SECCOMP_A),)
LIBS += $(SECCOMP_A)
LINK_LIBS := $(filter-out libseccomp,$(LINK_LIBS))
endif
LIBS += $(foreach l,$(LINK_LIBS),$(or $(shell $(PKG_CONFIG) --libs $(l) 2>/dev/null),-l$(patsubst lib%,%,$(l))))
# clifrun itself takes libm from its archive on x86-64 with gcc: a shared
# object fewer to map and relocate, 7 page faults of a one-function file's
# 90; cmd/clifrun/libm.c supplies what libm.a wants of libc.a.
ifeq ($(ARCH)$(SAN)$(findstring clang,$(CC_HOST)),x86_64)
LIBM_A := $(filter /%,$(shell $(CC_HOST) -print-file-name=libm.a 2>/dev/null))
endif
endif
CLIFRUN_LIBS = $(if $(LIBM_A),$(filter-out -lm,$(LIBS)) $(LIBM_A),$(LIBS))
$(BUILD)/obj/cmd/clifrun/libm.o: CFLAGS_BASE += $(if $(LIBM_A),-DCLIFRUN_STATIC_LIBM)

# ---- build -------------------------------------------------------------------
SRCS := $(wildcard lib/*/*.c lib/isa/*/*.c cmd/clifrun/*.c)
OBJS := $(SRCS:%.c=$(BUILD)/obj/%.o)
LIB_OBJS := $(filter $(BUILD)/obj/lib/%,$(OBJS))
# C unit tests, where a filetest cannot reach: tests/NAME_test.c links lib/.
UNIT_TESTS := $(patsubst tests/%.c,$(BUILD)/%,$(wildcard tests/*_test.c))

all: $(BUILD)/clifrun

# Start-up: the functions a small file's start runs (tools/startup.order,
# written by tools/startup-order.sh) linked first in .text and in the order
# they first run: their code is then 4 windows of the kernel's 64 KiB
# fault-around, not one page fault in each of the 13 windows of the whole
# text.  Each function in its own section for that; the linker's default
# script with the list put at the head of .text (one .text, which valgrind
# needs to read the symbols), or no script where the linker prints none.
CFLAGS_BASE += -ffunction-sections
$(BUILD)/gen/startup.flags: tools/startup.order
	@mkdir -p $(dir $@)
	@echo 'int main(void) { return 0; }' | $(CC_HOST) $(LDFLAGS) -Wl,--verbose -x c - -o /dev/null 2>/dev/null | \
	    sed -n '/^=====/,/^=====/{/^=====/!p}' | \
	    awk -v list=$< 'BEGIN { hot = "    *(.text.startup .text.startup.*)\n"; \
	                            while ((getline l <list) > 0) if (l !~ /^#/) \
	                                hot = hot "    " (l ~ /\(/ ? l : "*(.text." l ")") "\n" } \
	                    { print } /^  \.text +:/ { t = 1; next } t && /^  \{/ { printf "%s", hot; t = 0 }' \
	    >$(BUILD)/gen/startup.ld
	@if grep -q 'text.startup .text.startup' $(BUILD)/gen/startup.ld; then \
	    echo '-Wl,-T,$(BUILD)/gen/startup.ld' >$@; else : >$@; fi

$(BUILD)/clifrun: $(OBJS) $(BUILD)/gen/startup.flags
	$(CC_HOST) $(LDFLAGS) $$(cat $(BUILD)/gen/startup.flags) -o $@ $(OBJS) $(CLIFRUN_LIBS)

# The interpreter's float arithmetic must be IEEE operation by operation:
# no a*b+c fused into an fma (GCC's default for GNU C on AArch64).
$(BUILD)/obj/lib/interp/%.o: CFLAGS_BASE += -ffp-contract=off

# clang 14 (Debian 12) has no _Float16 on x86-64 and glibc declares no
# _Float128 functions to it: the two files computing f16/f128 (the JIT's
# host routines and the interpreter's) are built by gcc, unsanitized, in a
# clang build (and in the libFuzzer build below); libgcc has their routines.
F16_SRCS := lib/codegen/softfp.c lib/interp/float16.c
CC_F16 ?= gcc
F16_CFLAGS = $(filter-out -fsanitize=% -fno-sanitize-recover=%,$(CFLAGS_BASE)) -ffp-contract=off
ifneq ($(findstring clang,$(CC_HOST)),)
$(F16_SRCS:%.c=$(BUILD)/obj/%.o): $(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC_F16) $(F16_CFLAGS) -c -o $@ $<
endif

# The sandbox's seccomp filter, compiled by libseccomp on the build machine
# for the target (lib/run/gen/sandbox.c): at run time it took 1.2 million
# instructions and 30 page faults of a small file's start.
SECCOMP_BUILD_A := $(filter /%,$(shell $(CC) -print-file-name=libseccomp.a 2>/dev/null))
$(BUILD)/gen/sandbox: lib/run/gen/sandbox.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -Wno-missing-field-initializers -o $@ $< $(or $(SECCOMP_BUILD_A),-lseccomp)
$(BUILD)/gen/sandbox_bpf.h: $(BUILD)/gen/sandbox
	$< $(ARCH) >$@.tmp && mv $@.tmp $@
$(BUILD)/obj/lib/run/sandbox.o: $(BUILD)/gen/sandbox_bpf.h
$(BUILD)/obj/lib/run/sandbox.o: CFLAGS_BASE += -I$(BUILD)/gen

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC_HOST) $(CFLAGS_BASE) $(CFLAGS) -c -o $@ $<

$(BUILD)/%_test: tests/%_test.c $(LIB_OBJS)
	$(CC_HOST) $(CFLAGS_BASE) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LIBS)
# neon_test, x64emit_test and a64emit_test check the encoders against capstone directly
# (clifrun loads it lazily)
$(BUILD)/neon_test $(BUILD)/x64emit_test $(BUILD)/a64emit_test: LIBS += $(or $(shell $(PKG_CONFIG) --libs capstone 2>/dev/null),-lcapstone)

# ---- tests and benchmarks ----------------------------------------------------
# tools/test.sh runs the suites (tools/errtest.sh, tools/roundtrip.sh) and
# prints the one closing line "N passed, N failed"; it exits 1 on any failure.
TEST_ENV = BUILD='$(BUILD)' CLIFRUN='$(BUILD)/clifrun' RUN='$(RUN)' SHARED='$(SHARED)' V='$(V)' $(QEMU_ENV)

test: $(BUILD)/clifrun $(UNIT_TESTS) $(BUILD)/test/libclifrun-user.so
	@$(TEST_ENV) tools/test.sh

# A user's own host functions for --lib (testdata/cli/lib.out), built with
# the target's compiler.
$(BUILD)/test/libclifrun-user.so: testdata/cli/userlib.c
	@mkdir -p $(dir $@)
	$(CC_HOST) -shared -fPIC -O2 -o $@ $<

# One unit test alone: make jit-test, run-test, cg-test.
%-test: $(BUILD)/%_test
	$(if $(RUN),RUN_TEST_SINGLE=1) $(QEMU_ENV) $(RUN) $(BUILD)/$*_test

# The grammar's opcode lists must match lib/ir/opcodes.def and formats.def
# (tools/gen-ebnf-opcodes.sh --update refreshes them); make test runs it too.
grammar-check:
	@tools/gen-ebnf-opcodes.sh --check grammar/clif.ebnf

# The backend's test also counts conformance files it compiles (informational);
# clifrun's own back-end files run under each register allocator
# (CLIFRUN_REGALLOC): tools/gen-run-tests.py --list names them (the generated
# ones, most with both targets' lines, of which cg_test runs the host's, and
# the per-target x64-*, a64-*).
CG_TEST_FILES = $(shell python3 tools/gen-run-tests.py --list)
cg-test: $(BUILD)/cg_test
	for a in linear local spill; do \
	    CLIFRUN_REGALLOC=$$a $(RUN) $(BUILD)/cg_test --strict $(CG_TEST_FILES) || exit 1; \
	done
	$(RUN) $(BUILD)/cg_test $(SHARED)/conformance/cranelift-runtests

conformance: $(BUILD)/clifrun
	@$(TEST_ENV) tools/test.sh conformance

# The suite on CPUs with only what a bare target line allows (tools/isatest.py).
conformance-baseline: $(BUILD)/clifrun
	@$(TEST_ENV) tools/test.sh conformance-baseline

# A fixed campaign of the differential fuzzer (lib/fuzz): program k is the
# program of seed FUZZ_SEED + k; disagreements are reduced into
# $(BUILD)/fuzz-out as run tests.  FUZZ_COUNT=N FUZZ_SEED=S for longer ones.
FUZZ_SEED ?= 1
FUZZ_COUNT ?= $(if $(RUN),1000,5000)
fuzz: $(BUILD)/clifrun
	$(RUN) $(BUILD)/clifrun fuzz --seed $(FUZZ_SEED) --count $(FUZZ_COUNT) --out $(BUILD)/fuzz-out

# Adds the suite files that newly pass to testdata/conformance/ARCH.pass.
conformance-update: $(BUILD)/clifrun
	@$(TEST_ENV) CONFORMANCE_UPDATE=1 tools/test.sh conformance

roundtrip-suite: $(BUILD)/clifrun
	@$(TEST_ENV) tools/test.sh roundtrip-suite

# Cranelift's own verifier and parser filetests, read as data from a fetched
# copy of wasmtime's cranelift/filetests/filetests (never copied into the
# project): clifrun test runs them, and tools/crfiletests.py judges them
# again on its own (a second implementation of Cranelift's rules).
CRANELIFT_FILETESTS ?= ../ref/cranelift/filetests/filetests
cranelift-verifier: $(BUILD)/clifrun
	@$(TEST_ENV) $(RUN) $(BUILD)/clifrun test $(CRANELIFT_FILETESTS)/verifier $(CRANELIFT_FILETESTS)/parser
	@$(TEST_ENV) python3 tools/crfiletests.py $(CRANELIFT_FILETESTS)/verifier $(CRANELIFT_FILETESTS)/parser

# The benchmark driver of tools/bench.sh: compiles and times the workloads.
$(BUILD)/cgbench: tools/cgbench.c $(LIB_OBJS)
	$(CC_HOST) $(CFLAGS_BASE) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LIBS)

# The interpreter's throughput (instructions per second) on the same workloads.
$(BUILD)/interpbench: tools/interpbench.c $(LIB_OBJS)
	$(CC_HOST) $(CFLAGS_BASE) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LIBS)

bench: $(BUILD)/clifrun $(BUILD)/cgbench $(BUILD)/interpbench
	@$(TEST_ENV) tools/bench.sh

# What make bench's Cranelift column of the naive rows needs (tools/wasmbench.sh):
# wasmtime's Cranelift inside wizer, from npm, and clang's wasm32 linker.
bench-deps:
	command -v wasm-ld >/dev/null || $(SUDO) apt-get install -y lld
	mkdir -p $(BUILD)/npm && npm install --prefix $(BUILD)/npm @bytecodealliance/wizer@11.0.3

# ---- libFuzzer ----------------------------------------------------------------
# The harnesses of tests/libfuzzer/ (read + verify, compile for both targets,
# run lines), built with clang -fsanitize=fuzzer,address,undefined over lib/
# into $(FUZZ_BUILD)/; tools/libfuzzer.sh runs each for FUZZ_SECONDS seconds
# from seeds taken from testdata/ (and $(SHARED)/conformance, read in place).
# Host only.
FUZZ_CC ?= clang
FUZZ_BUILD ?= build-libfuzzer
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= read compile runline
# (gcc's WERROR=1 build gates warnings; clang's -Wextra also wants every field
# of a positional initializer)
FUZZ_CFLAGS = $(filter-out $(O) -Werror -fsanitize=%,$(CFLAGS_BASE)) -O1 -I$(FUZZ_BUILD) \
	-Wno-missing-field-initializers \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_LIB_OBJS := $(patsubst lib/%.c,$(FUZZ_BUILD)/obj/lib/%.o,$(filter lib/%,$(SRCS)))
FUZZ_BINS := $(patsubst %,$(FUZZ_BUILD)/fuzz_%,$(FUZZ_TARGETS))

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(F16_SRCS:%.c=$(FUZZ_BUILD)/obj/%.o): $(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC_F16) $(filter-out $(O) -Werror,$(F16_CFLAGS)) -O1 -c -o $@ $<

$(FUZZ_BUILD)/runline_base.h: tests/libfuzzer/runline.clif
	@mkdir -p $(dir $@)
	{ printf '#define RUNLINE_BASE \\\n'; sed 's/\\/\\\\/g; s/"/\\"/g; s/^/    "/; s/$$/\\n" \\/' $<; echo '    ""'; } >$@

$(FUZZ_BUILD)/obj/tests/libfuzzer/runline.o: $(FUZZ_BUILD)/runline_base.h

# the sandbox's filter, generated for the host as for the host build
$(FUZZ_BUILD)/obj/lib/run/sandbox.o: $(BUILD)/gen/sandbox_bpf.h
$(FUZZ_BUILD)/obj/lib/run/sandbox.o: FUZZ_CFLAGS += -I$(BUILD)/gen

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/obj/tests/libfuzzer/%.o $(FUZZ_LIB_OBJS)
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_LIB_OBJS) $(LIBS)

# the objects are kept (not intermediate: a pattern rule names them), so a
# second run does not rebuild the harnesses
.SECONDARY: $(FUZZ_LIB_OBJS) $(patsubst %,$(FUZZ_BUILD)/obj/tests/libfuzzer/%.o,$(FUZZ_TARGETS))

fuzz-libfuzzer-build: $(FUZZ_BINS)

fuzz-libfuzzer: $(FUZZ_BINS) $(BUILD)/clifrun
	@$(TEST_ENV) FUZZ_BUILD='$(FUZZ_BUILD)' FUZZ_SECONDS='$(FUZZ_SECONDS)' tools/libfuzzer.sh run $(FUZZ_TARGETS)

# ---- setup and installation --------------------------------------------------
deps:
	@ARCH='$(ARCH)' tools/deps.sh

install: $(BUILD)/clifrun
	install -d '$(DESTDIR)$(BINDIR)' '$(DESTDIR)$(MANDIR)/man1'
	install -m 755 $(BUILD)/clifrun '$(DESTDIR)$(BINDIR)/clifrun'
	install -m 644 man/clifrun.1 '$(DESTDIR)$(MANDIR)/man1/clifrun.1'

uninstall:
	rm -f '$(DESTDIR)$(BINDIR)/clifrun' '$(DESTDIR)$(MANDIR)/man1/clifrun.1'

clean:
	rm -rf build build-san build-san-clang build-aarch64 build-aarch64-san build-x86_64 build-x86_64-san \
		build-libfuzzer

help:
	@sed -n '2,25p' Makefile | sed 's/^# \{0,1\}//'

-include $(OBJS:.o=.d)
# the unit tests and tools are built straight from their .c (-MMD writes BIN.d):
# a change to a header they include (tests/emitcase.h, lib/) rebuilds them
-include $(UNIT_TESTS:=.d) $(BUILD)/cgbench.d $(BUILD)/interpbench.d
ifneq ($(filter fuzz-libfuzzer%,$(MAKECMDGOALS)),)
-include $(FUZZ_LIB_OBJS:.o=.d) $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/obj/tests/libfuzzer/%.d)
endif
.PHONY: all test conformance conformance-baseline conformance-update roundtrip-suite cranelift-verifier bench bench-deps deps install uninstall clean help \
	grammar-check cg-test fuzz fuzz-libfuzzer fuzz-libfuzzer-build

