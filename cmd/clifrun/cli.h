/* cmd/clifrun: what the command line (main.c) and the REPL (repl.h) share. */
#ifndef CLIFRUN_CLI_H
#define CLIFRUN_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "codegen/codegen.h"

#define CLIFRUN_VERSION "0.1.0"

/* Colour in diagnostics: standard error is a terminal and NO_COLOR is unset
 * or empty (no-color.org). */
bool cli_use_color(void);

/* Write n bytes of help text, "{targets}" in it as the names of the
 * architecture table (jit_arch_list). */
void cli_put_help(FILE *out, const char *text, size_t n);
/* "unknown target 'name' (x86_64 or aarch64)" into buf; returns buf. */
const char *cli_unknown_target(char *buf, size_t size, const char *name);

/* The reader's warnings about file (run lines naming another function). */
void cli_warnings(FILE *out, const ir_file *file);

/* Capstone's listing of one compiled function (clifrun compile -D, the
 * REPL's :disasm): offsets, bytes, instructions; data in the code as data
 * (.long, .quad) and the code after it decoded again; with fn, block labels
 * and branch targets named by block; relocations and trap sites; with
 * CLI_DIS_CLIF, each IR instruction before the code produced for it. */
enum { CLI_DIS_CLIF = 1 };
void cli_disassemble_fn(FILE *out, jit_arch arch, const cg_output *o, const ir_function *fn, unsigned flags);
void cli_disassemble(FILE *out, jit_arch arch, const cg_output *o);   /* without fn */

/* `clifrun cfg [-o OUT] FILE` (cfg.c): the control-flow graphs in dot.
 * Returns the exit status. */
int cli_cfg_main(int argc, char **argv);
/* The dot graph of functions [from, to) of file (the REPL's :cfg). */
void cli_cfg_graph(FILE *out, const ir_file *file, uint32_t from, uint32_t to);

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
    const char *const *sets;/* --set NAME=VALUE: the session's first settings */
    unsigned nsets;
    const char *target;     /* --target with flags: the session's target line, or NULL */
} repl_opts;
/* Returns the exit status: 0 after :quit or end of input, 2 if it cannot start. */
int repl_main(const repl_opts *o);

/* clifrun fuzz, clifrun reduce (fuzzcmd.c): the arguments after the command. */
int cli_fuzz(int argc, char **argv);
int cli_reduce(int argc, char **argv);

#endif
