/* lib/filetest: running .clif files the way Cranelift's filetest runner does
 * (cranelift/filetests/src/test_run.rs, function_runner.rs, runone.rs).
 *
 *   load.c     read, parse, verify; which target lines run on this host and
 *              with which flags; `set` flags applied, accepted or refused
 *   module.c   every function of a file compiled into one JIT module (plus
 *              call trampolines), calls, run commands checked and reported
 *   interp.c   run commands through lib/interp (`test interpret`, `clifrun interpret`)
 *   kinds.c    `test verifier`, `test cat`, `test print-cfg`; why other kinds skip
 *   filecheck.c  the filecheck crate's checker, for cat and print-cfg
 *   harness.c  `clifrun test`: files and directories, -j forked workers that
 *              take files in turn, per-file results, the summary
 *   report.c   the text report and JUnit XML
 *
 * Everything here returns errors as ir_diag; nothing exits. */
#ifndef CLIFRUN_FILETEST_H
#define CLIFRUN_FILETEST_H

#include "codegen/codegen.h"
#include "interp/interp.h"
#include "ir/ir.h"
#include "jit/jit.h"
#include "run/run.h"

/* ---- loading (load.c) ------------------------------------------------------- */

/* The whole file ("-": standard input), NUL-terminated; NULL with errno
 * on failure.  ft_load names standard input "<stdin>" in messages. */
char *ft_read_file(const char *path, size_t *len);
/* Free what ft_read_file, ft_load or ft_check gave (free() is wrong for
 * it once ft_map_files is on). */
void ft_free_file(char *src);
/* From now on ft_read_file maps a large regular file read-only rather than
 * copying it (for a short-lived command: a file truncated while mapped
 * makes its reader fault). */
void ft_map_files(bool on);
/* Read, parse, rewrite legacy opcodes and verify every function (verify
 * false: skip the verifier).  On failure d holds the diagnostic ("cannot
 * read: ..." at line 0 for an unreadable file); file and *src are always
 * safe to free (ir_file_free, ft_free_file). */
bool ft_load(ir_file *file, const char *path, char **src, bool verify, ir_diag *d);
/* The same for text already read (kept by the caller while file lives). */
bool ft_load_text(ir_file *file, const char *path, const char *src, size_t len, bool verify, ir_diag *d);
/* ft_load with the verifier, for a check alone: each function is verified
 * as it is read and its body freed (file keeps names, signatures and
 * function references, not bodies).  The same diagnostics as ft_load. */
bool ft_check(ir_file *file, const char *path, char **src, ir_diag *d);
/* The same, calling each(ctx, file, i) once function i is verified, before
 * its body goes, while no function before it has failed (clifrun compile
 * compiles it then).  The file's target and set lines are read by then. */
typedef void ft_each_fn(void *ctx, ir_file *file, uint32_t func);
bool ft_check_each(ir_file *file, const char *path, char **src, ir_diag *d, ft_each_fn *each, void *ctx);

/* For every file ft_load reads after: sets ("NAME=VALUE" or "NAME") as
 * `set` lines after the file's own, applied for each of its target lines
 * (ir_file.ncli_settings); target, a target line's words ("x86_64
 * has_avx2", "aarch64-unknown-linux-gnu has_lse"), instead of the file's
 * target lines (NULL: the file's).  The strings must outlive the loads. */
void ft_set_overrides(const char *const *sets, unsigned nsets, const char *target);

/* Offsets of the start of each line of the file's text: [0] is line 1,
 * one more entry for the end.  Run lines look at their neighbours with it
 * (a file can have thousands of run lines: no scan from the top each time). */
uint32_t *ft_line_index(const ir_file *file, uint32_t *nlines);
/* Line `line` (1-based) without its newline; NULL if there is none. */
const char *ft_line_text(const ir_file *file, const uint32_t *index, uint32_t nlines, uint32_t line,
                         size_t *len);

/* Has the file a `test run` line?  A `test interpret` line? */
bool ft_is_run_test(const ir_file *file);
bool ft_is_interpret_test(const ir_file *file);

typedef enum { FT_RUN, FT_SKIP, FT_ERROR } ft_verdict;

/* How target line ti of the file runs on a host of architecture `arch`
 * (IR_NONE: a file without target lines, which runs on the host with the
 * host's ISA flags).  FT_RUN fills t (the `set` flags before the line
 * applied); FT_SKIP writes Cranelift's reason into why ("host can't run
 * aarch64 programs", "host does not support ISA flag has_avx512f");
 * FT_ERROR fills d (an unknown ISA flag or `set` flag, a refused setting). */
ft_verdict ft_target(const ir_file *file, uint32_t ti, jit_arch arch, cg_target *t,
                     char *why, size_t n, ir_diag *d);

/* ---- one file in one module (module.c) ------------------------------------- */

typedef struct ft_module {
    jit_ctx *ctx;
    jit_module *mod;
    const ir_file *file;
    cg_target target;
    run_callee *callees;    /* per function of the file */
    char **tramp_err;       /* per function: why it has no trampoline, or NULL */
    ir_diag **fn_err;       /* FT_PARTIAL: per function, why it did not compile, or NULL */
    const run_sig **sigs;   /* per function: its signature for calls, found at its first
                             * call (ft_call), or NULL */
    size_t *frames;         /* per function, with sigs: the bytes of its stack slots */
    uint32_t nfn_err;
    const uint32_t *lines;  /* ft_line_index of the file: its own, or the caller's */
    uint32_t nlines;
    bool own_lines;
    bool interruptible;     /* set after building: SIGINT ends a call (the REPL) */
    bool keeps_mask;        /* its code reaches no other module's, and no host code but
                             * the embedder's (ft_ctx_new's): none changes the signal mask */
} ft_module;

/* Compile every function of file for t, with a call trampoline for each
 * signature libffi cannot call, into one module of ctx named after the
 * file; link and finalize it.  A compile or link error fails with d (the
 * module is then freed).  With FT_PARTIAL, a function that does not
 * compile is left out (fn_err says why; calling it is an error) unless
 * the module then does not link, when d is the first compile error.
 * Needs cg_define_libcalls(ctx) done once (ft_ctx_new does it). */
enum { FT_PARTIAL = 1 };
bool ft_module_build(ft_module *m, jit_ctx *ctx, const ir_file *file, const cg_target *t,
                     unsigned flags, ir_diag *d);
/* The same as one link of a chain of modules alive together (clifrun
 * --modules N --keep): the file's functions are defined as name@def and
 * their calls to the file's functions go to name@ref (another module's,
 * or this one's when ref == def); trampolines call name@def.  def < 0: as
 * ft_module_build.  lines: the file's ft_line_index, which the caller keeps
 * while m lives (one index for many modules of a file), or NULL: the
 * module makes its own. */
bool ft_module_build_chain(ft_module *m, jit_ctx *ctx, const ir_file *file, const cg_target *t,
                           unsigned flags, long def, long ref, const uint32_t *lines, uint32_t nlines,
                           ir_diag *d);
void ft_module_free(ft_module *m);
/* From now on, keep the call trampolines of the modules built in ctx, one
 * per signature and target, in modules that live as long as ctx: a
 * suite's files share their signatures (the Cranelift suite's 2,050
 * trampolines are 700).  ft_tramp_cache_end (forgetting them) before ctx
 * is freed; begin again for another context. */
void ft_tramp_cache_begin(jit_ctx *ctx);
void ft_tramp_cache_end(void);
/* The call trampoline of fn (of file) for t, named name: lib/run's CLIF
 * function (run_make_trampoline) compiled like any other function. */
bool ft_compile_trampoline(const cg_target *t, const ir_file *file, const ir_function *fn, const char *name,
                           cg_output *out, ir_diag *d);

/* A jit_ctx for running files: config from jit_config_from_env (so
 * CLIFRUN_JIT_SPREAD is honoured) plus spread, libcalls and
 * __cranelift_throw (run_throw) defined. */
jit_ctx *ft_ctx_new(bool spread, jit_error *err);

/* Call function func with args under the guard (timeout seconds, 0 for
 * none); results gets fn->sig.nrets values.  Traps are described as
 * "trap: int_divz at %f+0x1c" from the module's trap tables. */
run_status ft_call(const ft_module *m, uint32_t func, const ir_data_value *args, uint32_t nargs,
                   ir_data_value *results, double timeout, run_outcome *oc);

/* `; trap: CODE` (or cg_test's older `; cg_test trap: CODE`) on the line
 * before a run line: a clifrun extension saying the call must trap with
 * CODE.  Returns CODE's text in buf, or NULL. */
const char *ft_expected_trap(const ft_module *m, const ir_run_cmd *rc, char *buf, size_t n);
/* The same for a file and its ft_line_index. */
const char *ft_expected_trap_at(const ir_file *file, const uint32_t *lines, uint32_t nlines,
                                const ir_run_cmd *rc, char *buf, size_t n);

/* Check the outcome of a run command (or its expected trap) and print its
 * line as ft_run_cmd does.  Returns whether it passed. */
bool ft_report_cmd(const ir_file *file, const uint32_t *lines, uint32_t nlines, const ir_run_cmd *rc,
                   const ir_data_value *actual, const run_outcome *oc, FILE *out, unsigned flags);

/* Run one run or print command: call, check (or expect its trap) and,
 * unless it passed and flags has RUN_REPORT_FAILURES, print its line with
 * run_report ("%f(1, 2) == 3", "FAIL file:line: ... got 4", "%f(1) -> 3").
 * flags: RUN_FMT_LANES, RUN_REPORT_FAILURES.  Returns whether it passed;
 * oc (may be NULL) gets the outcome. */
bool ft_run_cmd(const ft_module *m, const ir_run_cmd *rc, double timeout, FILE *out, unsigned flags,
                run_outcome *oc);
/* The report of a run command that ended with oc (and returned actual, if
 * oc->status is RUN_OK), as ft_run_cmd prints it: for a call whose process
 * ended (RUN_ENDED, from run_batch_run) in the parent. */
bool ft_report(const ft_module *m, const ir_run_cmd *rc, const ir_data_value *actual,
               const run_outcome *oc, FILE *out, unsigned flags);

/* ---- the interpreter (interp.c) --------------------------------------------
 * `test interpret` and `clifrun interpret`: run lines through lib/interp
 * instead of compiled code, reported the same way. */

/* Run one run or print command through the interpreter (as ft_run_cmd:
 * checked, its expected trap honoured, printed with run_report).  lines is
 * the file's ft_line_index. */
bool ft_interp_run_cmd(interp_ctx *ic, const ir_file *file, const uint32_t *lines, uint32_t nlines,
                       const ir_run_cmd *rc, const interp_opts *opts, FILE *out, unsigned flags,
                       run_outcome *oc);

/* ---- other filetest kinds (kinds.c, filecheck.c) ----------------------------- */

/* Does text pass the filecheck directives (check:, sameln:, nextln:,
 * unordered:, not:, regex:) found in comments?  If not, why says which. */
bool ft_filecheck(const char *const *comments, size_t ncomments, const char *text, char *why, size_t wn);

/* Where the cases of a kind go: kase for each function's case (status
 * FT_PASS or FT_FAIL, its `function` line, a name, the failure's report),
 * log for the text report of a failure. */
typedef struct ft_kind_out {
    void (*kase)(void *arg, int status, uint32_t line, const char *name, const char *msg);
    void (*log)(void *arg, const char *text);
    void *arg;
} ft_kind_out;

/* `test verifier`, `test cat` or `test print-cfg` over the file's text: a
 * case per function (kinds.c says the rules).  False if kind is none of
 * these. */
bool ft_run_kind(const char *kind, const char *path, const char *src, size_t len, const ft_kind_out *o,
                 unsigned *passed, unsigned *failed);
/* Why clifrun skips `test KIND`, or NULL for a kind it runs. */
const char *ft_kind_skip_reason(const char *kind);
/* The functions of a text (its `function` lines). */
uint32_t ft_count_functions(const char *src, size_t len);

/* ---- the test harness (harness.c, report.c) --------------------------------- */

typedef struct ft_opts {
    jit_arch arch;          /* target lines of this architecture run; HOST default */
    double timeout;         /* per run line, seconds (0: none) */
    unsigned jobs;          /* files at once; 0: the number of cores */
    bool verbose;           /* a line per file and target */
    bool spread;            /* --jit-spread: modules > 4 GiB apart */
    bool interp;            /* --interpret: every `test run` or `test interpret` file's run
                               lines through the interpreter only, target lines ignored */
    bool sandbox;           /* calls run sandboxed (run_sandbox_install) */
    FILE *out;              /* the text report: failures, -v lines, summary */
    FILE *junit;            /* JUnit XML here too, or NULL */
} ft_opts;

typedef struct ft_counts {
    unsigned long passed, failed, skipped;  /* run lines, once per target line run */
    unsigned files, files_passed, files_failed, files_skipped;
} ft_counts;

/* Expand paths (directories recursively, *.clif, sorted) into a list.  A
 * missing path or a directory without .clif files is an error in d. */
bool ft_collect(char *const *paths, int n, char ***files, size_t *nfiles, ir_diag *d);

/* `clifrun test`: run every file by Cranelift's rules in opts->jobs worker
 * processes, each taking the next file when done with one; print one line
 * per failing run line (and with -v a line per file), then "N passed, N
 * failed, N skipped".  Returns 0 if nothing failed, 1 otherwise. */
int ft_test(char *const *files, size_t nfiles, const ft_opts *opts, ft_counts *c);

/* ---- per-file results, shared by harness.c and report.c -------------------- */

/* FT_CASE_ERROR: the case could not run (its file does not read or verify, its
 * function does not compile or cannot be interpreted): a JUnit <error>,
 * counted as failed in the text report. */
enum { FT_PASS, FT_FAIL, FT_SKIPPED, FT_CASE_ERROR };

typedef struct ft_case {
    uint8_t status;         /* FT_PASS, FT_FAIL, FT_SKIPPED, FT_CASE_ERROR */
    double secs;            /* how long it took */
    uint32_t line;          /* of the run line; 0 for the file as a whole */
    char *target;           /* "x86_64 has_avx", or "" */
    char *name;             /* "%f(1, 2) == 3" */
    char *msg;              /* report text for failures, reason for skips */
} ft_case;

/* Run lines skipped for one reason, one after another: how a text report
 * (no JUnit) keeps them. */
typedef struct ft_skip {
    char *why;
    unsigned long cases, lines;     /* lines: the cases of a run line (not of a file) */
} ft_skip;

typedef struct ft_file_result {
    const char *path;
    IR_VEC(ft_case) cases;  /* those that passed or were skipped only with a JUnit report */
    IR_VEC(ft_skip) skips;  /* the skipped ones without it */
    char *log;              /* what the text report prints for the file */
    char *vlog;             /* the -v lines */
    double secs;
    unsigned long passed, failed, skipped;
    bool broken;            /* its worker died in it: the file fails */
    bool rerun;             /* run again by a careful worker */
} ft_file_result;

void ft_junit_write(FILE *out, const ft_file_result *r, size_t n, double secs);
void ft_file_result_free(ft_file_result *r);

#endif
