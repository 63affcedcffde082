/* tools/interpbench.c: the interpreter's throughput for `make bench`
 * (tools/bench.sh), never asserted.
 *
 *   interpbench [-s STEPS] FILE...
 *
 * For each workload: every run line but the BENCH one is interpreted and
 * checked (so the figure is for code that computes the right thing), then
 * the BENCH line (the last run line after a `; BENCH` comment) runs for at
 * most STEPS IR instructions (default 300,000,000: the full benchmark
 * would take a minute), best of 3, timed in CPU seconds.  Prints "interp
 * NAME INSTRUCTIONS SECONDS MIPS ok|WRONG|ERROR" — ok if the small lines pass and the BENCH
 * call either returns the expected value or reaches the step limit. */
#include "filetest/filetest.h"
#include "interp/interp.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* CPU time of this thread: the figure is per core, whatever else the
 * machine runs (a shared machine's wall time is not) */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The run line that follows the `; BENCH` comment, or IR_NONE. */
static uint32_t bench_line(const ir_file *file)
{
    const char *b = strstr(file->src, "; BENCH");
    if (!b)
        return IR_NONE;
    uint32_t line = 1;
    for (const char *p = file->src; p < b; p++)
        line += *p == '\n';
    for (uint32_t i = 0; i < file->runs.n; i++)
        if (file->runs.v[i].line > line)
            return i;
    return IR_NONE;
}

static int bench(const char *path, uint64_t max_steps)
{
    ir_file file;
    char *src;
    ir_diag d;
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    if (!ft_load(&file, path, &src, true, &d)) {
        ir_diag_print(stderr, &d, false);
        printf("interp %s - - - ERROR\n", name);
        return 1;
    }
    uint32_t nlines, *lines = ft_line_index(&file, &nlines);
    interp_ctx *ic = interp_new(&file);
    uint32_t bl = bench_line(&file);
    bool ok = bl != IR_NONE;
    FILE *null = fopen("/dev/null", "w");
    interp_opts small = {.timeout = 60};
    for (uint32_t i = 0; ok && i < file.runs.n; i++)
        if (i != bl && !ft_interp_run_cmd(ic, &file, lines, nlines, &file.runs.v[i], &small, null, 0, NULL)) {
            ft_interp_run_cmd(ic, &file, lines, nlines, &file.runs.v[i], &small, stderr, 0, NULL);
            ok = false;
        }
    double best = 1e30;
    uint64_t steps = 0;
    const char *verdict = ok ? "ok" : "WRONG";
    for (int rep = 0; ok && rep < 3; rep++) {
        const ir_run_cmd *rc = &file.runs.v[bl];
        ir_data_value res[8];
        interp_outcome out;
        interp_opts o = {.max_steps = max_steps};
        double t0 = now();
        interp_call(ic, rc->func, &file.data.v[rc->args], rc->nargs, res, &o, &out);
        double t = now() - t0;
        if (t < best)
            best = t;
        steps = out.steps;
        if (out.oc.status == RUN_OK) {
            const ir_function *fn = file.funcs.v[rc->func];
            if (!run_check(rc->cmp, res, fn->sig.nrets, &file.data.v[rc->expect], rc->nexpect))
                verdict = "WRONG";
        } else if (out.oc.status != RUN_TIMEOUT) {
            fprintf(stderr, "%s: %s\n", name, out.oc.msg);
            verdict = "ERROR";
        }
    }
    if (ok)
        printf("interp %s %llu %.3f %.0f %s\n", name, (unsigned long long)steps, best, steps / best / 1e6,
               verdict);
    else
        printf("interp %s - - - %s\n", name, verdict);
    fclose(null);
    interp_free(ic);
    free(lines);
    ir_file_free(&file);
    free(src);
    return strcmp(verdict, "ok") != 0;
}

int main(int argc, char **argv)
{
    uint64_t steps = 300000000;
    int rc = 0, i = 1;
    if (i + 1 < argc && !strcmp(argv[i], "-s"))
        steps = strtoull(argv[i + 1], NULL, 10), i += 2;
    for (; i < argc; i++)
        rc |= bench(argv[i], steps);
    return rc;
}
