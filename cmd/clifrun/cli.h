/* cmd/clifrun: what the command line (main.c) and the REPL (repl.c) share. */
#ifndef CLIFRUN_CLI_H
#define CLIFRUN_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "codegen.h"

#define CLIFRUN_VERSION "0.1.0"

/* Colour in diagnostics: standard error is a terminal and NO_COLOR is unset
 * or empty (no-color.org). */
bool cli_use_color(void);

/* Capstone's listing of one compiled function, with its relocations and
 * trap sites (clifrun compile -D, the REPL's :disasm). */
void cli_disassemble(FILE *out, jit_arch arch, const cg_output *o);

/* Whether calls run in the sandbox: not with --no-sandbox (no_sandbox) or
 * CLIFRUN_NO_SANDBOX=1; if they do and the kernel cannot install seccomp
 * filters, print why and what runs without it and return false (fail
 * closed: never silently unsandboxed). */
bool cli_sandbox(bool no_sandbox, bool *sandbox);

/* --lib FILE.so (each of libs) and then CLIFRUN_LIB=a.so:b.so: loaded
 * (RTLD_NOW | RTLD_GLOBAL) before anything is linked or sandboxed, so that
 * `fn0 = %my_function(i32)` finds the user's function.  False after
 * printing the loader's error. */
#define CLI_LIB_ENV "CLIFRUN_LIB"
bool cli_load_libs(const char *const *libs, int n);

/* The REPL: `clifrun` on a terminal, `clifrun -i [FILE]`. */
typedef struct repl_opts {
    const char *path;       /* loaded first, or NULL */
    double timeout;         /* per call, seconds; 0: none (Ctrl-C stops a call) */
    jit_arch arch;          /* --target, JIT_ARCH_HOST if not given */
    bool spread;            /* --jit-spread */
    bool sandbox;           /* calls run sandboxed (cli_sandbox said yes) */
} repl_opts;
/* Returns the exit status: 0 after :quit or end of input, 2 if it cannot start. */
int repl_main(const repl_opts *o);

#endif
