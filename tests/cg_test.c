/* tests/cg_test.c: the code generator for the host against .clif files,
 * through lib/filetest (the code `clifrun test` runs): every function of a
 * file compiled into one JIT module per target line, then its `; run:`
 * lines called under the guard, so a crash or a trap is a failure, not
 * the end of the run.  Unlike `clifrun test` it runs in one process and
 * counts what compiles, for a code generator's progress.
 *
 *   cg_test [-v] [--strict] FILE|DIR...
 *
 * Prints per file what failed, then counts: files where every function
 * compiles, files where besides every run line passes, run lines passed,
 * failed and skipped; a file with several target lines of the host counts
 * once per line.  With --strict, any compile error, failed or skipped
 * line is a failure (exit status 1): for clifrun's own test files.  Files
 * that name targets but none of the host's architecture are not counted.
 * `; trap: CODE` before a run line says it must trap (lib/filetest). */
#include "filetest/filetest.h"

#include <string.h>

static bool verbose, strict;
static jit_ctx *ctx;
static struct {
    unsigned files, compiled, passed, skipped_files;    /* of (file, target) pairs */
    unsigned ufiles, ucompiled, upassed;                /* of files */
    unsigned runs_ok, runs_failed, runs_skipped;
} n;

/* Compile, link and run the file for one target line.  Returns 0 if
 * something does not compile or link, 1 if a run line failed, 2 if all
 * passed. */
static int do_target(const char *path, ir_file *file, const cg_target *t, uint32_t line)
{
    n.files++;
    ft_module m;
    ir_diag d;
    if (!ft_module_build(&m, ctx, file, t, FT_PARTIAL, &d)) {
        printf("%s ", strict ? "FAIL" : "link:");
        ir_diag_print(stdout, &d, false);
        n.runs_skipped += file->runs.n;
        return 0;
    }
    for (uint32_t i = 0; i < file->funcs.n; i++)
        if (m.fn_err[i]) {
            printf("%s ", strict ? "FAIL" : "compile:");
            ir_diag_print(stdout, m.fn_err[i], false);
        }
    unsigned ok_lines = 0, bad = 0, skipped = 0;
    for (uint32_t r = 0; r < file->runs.n; r++) {
        const ir_run_cmd *rc = &file->runs.v[r];
        if (m.fn_err[rc->func]) {
            skipped++;      /* counted, not reported: its function did not compile */
            continue;
        }
        if (ft_run_cmd(&m, rc, 10, stdout, verbose ? 0 : RUN_REPORT_FAILURES, NULL))
            ok_lines++;
        else
            bad++;
    }
    bool all = !m.nfn_err;
    n.runs_ok += ok_lines, n.runs_failed += bad, n.runs_skipped += skipped;
    n.compiled += all;
    n.passed += all && !bad && !skipped;
    if (verbose || (all && (bad || skipped)))
        printf("%s %s (target line %u): %u passed, %u failed, %u skipped\n",
               all && !bad && !skipped ? "ok  " : "FAIL", path, line, ok_lines, bad, skipped);
    ft_module_free(&m);
    return !all ? 0 : bad || skipped ? 1 : 2;
}

static void do_file(const char *path)
{
    ir_file file;
    char *src;
    ir_diag d;
    if (!ft_load(&file, path, &src, true, &d)) {
        n.files++, n.ufiles++;
        printf("FAIL ");
        ir_diag_print(stdout, &d, false);
    } else if (!file.tests.n || ft_is_run_test(&file)) {
        /* only `test run` files run natively (not `test interpret` alone) */
        int worst = 3;
        uint32_t nt = file.targets.n ? file.targets.n : 1;
        for (uint32_t i = 0; i < nt; i++) {
            uint32_t ti = file.targets.n ? i : IR_NONE;
            if (ti != IR_NONE && strcmp(file.targets.v[ti].arch, jit_arch_name(jit_host_arch())))
                continue;
            cg_target t;
            char why[160];
            int r = 0;
            switch (ft_target(&file, ti, JIT_ARCH_HOST, &t, why, sizeof why, &d)) {
            case FT_ERROR:
                n.files++;
                printf("FAIL ");
                ir_diag_print(stdout, &d, false);
                break;
            case FT_SKIP:
                if (verbose)
                    printf("skip %s: %s\n", path, why);
                n.skipped_files++;
                r = 3;
                break;
            case FT_RUN:
                r = do_target(path, &file, &t, ti == IR_NONE ? 0 : file.targets.v[ti].line);
                break;
            }
            worst = r < worst ? r : worst;
        }
        if (worst < 3) {
            n.ufiles++;
            n.ucompiled += worst >= 1;
            n.upassed += worst == 2;
        }
    }
    ir_file_free(&file);
    free(src);
}

int main(int argc, char **argv)
{
    jit_error err;
    ctx = ft_ctx_new(false, &err);
    if (!ctx) {
        fprintf(stderr, "cg_test: %s\n", err.msg);
        return 2;
    }
    char **paths = calloc((size_t)argc, sizeof *paths);
    int np = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-v"))
            verbose = true;
        else if (!strcmp(argv[i], "--strict"))
            strict = true;
        else
            paths[np++] = argv[i];
    }
    char **files = NULL;
    size_t nfiles = 0;
    ir_diag d;
    if (!np || !ft_collect(paths, np, &files, &nfiles, &d)) {
        if (np)
            ir_diag_print(stderr, &d, false);
        else
            fputs("usage: cg_test [-v] [--strict] FILE|DIR...\n", stderr);
        free(paths);
        jit_ctx_free(ctx);
        return 2;
    }
    for (size_t i = 0; i < nfiles; i++) {
        do_file(files[i]);
        free(files[i]);
    }
    free(files);
    free(paths);
    printf("%u files: %u compile, %u pass every run line (per target line: %u, %u, %u); "
           "run lines: %u passed, %u failed, %u skipped",
           n.ufiles, n.ucompiled, n.upassed, n.files, n.compiled, n.passed, n.runs_ok, n.runs_failed,
           n.runs_skipped);
    if (n.skipped_files)
        printf("; %u files need ISA features the host lacks", n.skipped_files);
    putchar('\n');
    jit_ctx_free(ctx);
    if (strict)
        return n.passed == n.files && !n.runs_failed ? 0 : 1;
    return n.runs_failed ? 1 : 0;
}
