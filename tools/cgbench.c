/* tools/cgbench.c: figures for `make bench` (tools/bench.sh), never asserted.
 *
 *   cgbench [-r N] [--host-isa] FILE...   run the BENCH line of each workload
 *   cgbench --compile FILE                parse, verify, compile and link FILE
 *
 * A workload's BENCH line is the last run line after a comment starting
 * `; BENCH` (../shared/bench/README.md).  The file is compiled for its
 * target line of the host's architecture, linked into one JIT module, and that call
 * alone is timed, the best of N runs (default 1); prints
 * "workload NAME SECONDS ok|WRONG|ERROR cpu SECONDS" (wall, then the CPU
 * time of the calling thread, each the best of the N runs).  --host-isa adds the host's ISA
 * features (popcnt, lzcnt, bmi ... as cranelift_native would) to the
 * target line's.  --compile prints the time of
 * each phase and the total per 1,000 functions; it compiles functions 16
 * at a time as they are read and drops their IR (the phases are summed). */
#include "codegen/codegen.h"
#include "filetest/filetest.h"
#include "jit/jit.h"
#include "opt/opt.h"
#include "reader/reader.h"
#include "run/run.h"
#include "verify/verify.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static bool host_isa;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of this thread: on a machine shared with other work the wall
 * time of a call can be several times its CPU time. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct loaded {
    char *src;
    ir_file file;
    jit_module *m;
    cg_output *outs;            /* until each is in m */
    size_t code_bytes;
    uint32_t nouts;
    double t_parse, t_verify, t_compile, t_link;
    double c_compile;           /* CPU time of the compile phase */
    cg_target target;
} loaded;

static void unload(loaded *l)
{
    jit_error err;
    if (l->m)
        jit_module_free(l->m, &err);
    for (uint32_t i = 0; l->outs && i < l->nouts; i++)
        cg_output_free(&l->outs[i]);
    free(l->outs);
    ir_file_free(&l->file);
    ft_free_file(l->src);
}

/* Function i's code into the module, then its output freed (the module
 * has its copy), as clifrun's modules take it (lib/filetest/module.c). */
static bool add_func(loaded *l, uint32_t i, cg_output *o)
{
    char name[128];
    jit_error err;
    jit_func jf = {.name = cg_symbol_name(l->file.funcs.v[i], name, sizeof name), .code = o->code.v,
                   .size = o->code.n, .align = o->align, .relocs = o->relocs.v,
                   .nrelocs = o->relocs.n, .traps = o->traps.v, .ntraps = o->traps.n,
                   .line = l->file.funcs.v[i]->line};
    bool ok = jit_module_add_func(l->m, &jf, &err);
    if (!ok)
        fprintf(stderr, "cgbench: %s: %s\n", l->file.path, err.msg);
    l->code_bytes += o->code.n;
    cg_output_free(o);
    memset(o, 0, sizeof *o);
    return ok;
}

/* The target of the file's line for the host's architecture (its first
 * target line if none). */
static bool host_target(const ir_file *file, cg_target *t, ir_diag *d)
{
    *t = (cg_target){.arch = jit_host_arch()};
    for (uint32_t i = 0; i < file->targets.n; i++)
        if (!strcmp(file->targets.v[i].arch, jit_arch_name(t->arch))) {
            if (!cg_target_from_file(t, file, i, d))
                return false;
            break;
        }
    if (host_isa)
        t->isa |= cg_host_isa(t->arch);
    return true;
}

/* --compile: functions are verified and compiled as soon as they are read,
 * 16 at a time (the clocks are read per batch: a thread's CPU clock is a
 * system call; and a batch's bodies and outputs are alive together, 64
 * of them 100 more fresh pages than 16), then their bodies dropped (only
 * name, signature and code stay), as a single-pass compiler would: memory
 * in proportion to the largest functions and the code, not the file.
 * Phases are summed. */
#define BATCH 16
typedef struct stream {
    loaded *l;
    size_t len;
    bool started, failed;
    bool opt_share, force;      /* time lib/opt's passes alone, on a copy */
    unsigned passes;
    uint32_t first, n;          /* the batch: functions first .. first+n-1 */
    ir_diag d;
    double t_verify, t_compile, t_link, c_opt;
    bool reported;              /* failed, and said why */
} stream;

static void flush(stream *s, ir_file *file)
{
    loaded *l = s->l;
    uint32_t first = s->first, n = s->n;
    s->first += n, s->n = 0;
    if (s->failed || !n)
        return;
    double t0 = now();
    for (uint32_t i = first; i < first + n; i++)
        if (!ir_legacy_rewrite(file->funcs.v[i], &s->d) || !verify_function(file->funcs.v[i], &s->d)) {
            s->d.file = file->path, s->d.src = file->src, s->d.len = s->len;
            s->failed = true;
            return;
        }
    /* one batch of outputs, reused: each goes into the module once compiled */
    if (!l->outs)
        l->outs = ir_xcalloc(BATCH, sizeof *l->outs), l->nouts = BATCH;
    double t1 = now(), c1 = cpu_now();
    for (uint32_t i = first; i < first + n; i++)
        if (!opt_compile(&l->target, file, i, &l->outs[i - first], &s->d)) {
            s->failed = true;
            return;
        }
    double c2 = cpu_now(), t2 = now();
    s->t_verify += t1 - t0, s->t_compile += t2 - t1, l->c_compile += c2 - c1;
    for (uint32_t i = first; i < first + n; i++)
        if (!add_func(l, i, &l->outs[i - first])) {
            s->failed = s->reported = true;
            return;
        }
    s->t_link += now() - t2;
    for (uint32_t i = first; i < first + n && s->opt_share; i++) {
        ir_function copy;
        ir_diag d;
        ir_function_copy(&copy, file->funcs.v[i]);
        opt_run(&copy, s->passes, &d);
        ir_function_free(&copy);
    }
    if (s->opt_share)
        s->c_opt += cpu_now() - c2;
    for (uint32_t i = first; i < first + n; i++)
        ir_file_drop_body(file, i);
}

static void stream_one(void *ctx, ir_file *file, uint32_t i)
{
    stream *s = ctx;
    if (s->failed)
        return;
    if (!s->started) {  /* the header is read: the target lines are known */
        s->started = true;
        if (!host_target(file, &s->l->target, &s->d)) {
            s->failed = true;
            return;
        }
        s->opt_share = s->force ? s->passes != 0 : s->l->target.opt && s->passes;
    }
    s->n = i + 1 - s->first;
    if (s->n == BATCH)
        flush(s, file);
}

/* Parse, verify, compile every function for the host's target line, link;
 * stream_it: a few functions at a time as they are read (see stream). */
static bool load(jit_ctx *ctx, const char *path, loaded *l, bool stream_it, double *c_opt)
{
    memset(l, 0, sizeof *l);
    size_t len;
    ir_diag d;
    if (!(l->src = ft_read_file(path, &len))) {
        fprintf(stderr, "cgbench: cannot read %s\n", path);
        return false;
    }
    double t0 = now(), t3;
    jit_error err;
    if (!(l->m = jit_module_new(ctx, path, &err))) {
        fprintf(stderr, "cgbench: %s\n", err.msg);
        return false;
    }
    if (stream_it) {
        stream s = {.l = l, .len = len};
        s.passes = opt_default_passes(&s.force);
        bool ok = reader_parse_file_each(&l->file, path, l->src, len, &d, stream_one, &s);
        if (ok)
            flush(&s, &l->file);
        if (ok && !s.started && !host_target(&l->file, &l->target, &s.d))
            s.failed = true;
        if (!ok || s.failed) {
            if (!s.reported)
                ir_diag_print(stderr, ok ? &s.d : &d, false);
            return false;
        }
        t3 = now();
        l->t_verify = s.t_verify, l->t_compile = s.t_compile;
        l->t_parse = t3 - t0 - s.t_verify - s.t_compile - s.t_link;
        t3 -= s.t_link;     /* the link phase: adding the functions, then linking */
        *c_opt = s.opt_share ? s.c_opt : -1;
    } else {
        if (!reader_parse_file(&l->file, path, l->src, len, &d)) {
            ir_diag_print(stderr, &d, false);
            return false;
        }
        double t1 = now();
        for (uint32_t i = 0; i < l->file.funcs.n; i++) {
            if (!ir_legacy_rewrite(l->file.funcs.v[i], &d) || !verify_function(l->file.funcs.v[i], &d)) {
                d.file = path, d.src = l->src, d.len = len;
                ir_diag_print(stderr, &d, false);
                return false;
            }
        }
        double t2 = now();
        if (!host_target(&l->file, &l->target, &d)) {
            ir_diag_print(stderr, &d, false);
            return false;
        }
        l->outs = ir_xcalloc(l->file.funcs.n + 1, sizeof *l->outs);
        l->nouts = l->file.funcs.n;
        double c2 = cpu_now();
        for (uint32_t i = 0; i < l->file.funcs.n; i++)
            if (!opt_compile(&l->target, &l->file, i, &l->outs[i], &d)) {
                ir_diag_print(stderr, &d, false);
                return false;
            }
        t3 = now();
        l->c_compile = cpu_now() - c2;
        l->t_parse = t1 - t0, l->t_verify = t2 - t1, l->t_compile = t3 - t2;
        for (uint32_t i = 0; i < l->file.funcs.n; i++)
            if (!add_func(l, i, &l->outs[i]))
                return false;
    }
    if (!jit_module_link(l->m, &err) || !jit_module_finalize(l->m, &err)) {
        fprintf(stderr, "cgbench: %s: link: %s\n", path, err.msg);
        return false;
    }
    l->t_link = now() - t3;
    return true;
}

/* The last run line after the last `; BENCH` comment, or NULL. */
static const ir_run_cmd *bench_line(const loaded *l)
{
    const char *p = l->src, *hit = NULL;
    for (const char *q = p; (q = strstr(q, "; BENCH")); q++)
        hit = q;
    if (!hit)
        return NULL;
    uint32_t line = 1;
    for (const char *q = p; q < hit; q++)
        line += *q == '\n';
    const ir_run_cmd *best = NULL;
    for (uint32_t i = 0; i < l->file.runs.n; i++)
        if (l->file.runs.v[i].line > line && l->file.runs.v[i].kind == IR_RUN_RUN)
            best = &l->file.runs.v[i];
    return best;
}

static const char *base_name(const char *path, char *buf, size_t n)
{
    const char *s = strrchr(path, '/');
    snprintf(buf, n, "%s", s ? s + 1 : path);
    char *dot = strrchr(buf, '.');
    if (dot)
        *dot = 0;
    return buf;
}

static int workload(jit_ctx *ctx, const char *path, int reps)
{
    char name[128];
    base_name(path, name, sizeof name);
    loaded l;
    const ir_run_cmd *rc = NULL;
    if (!load(ctx, path, &l, false, NULL) || !(rc = bench_line(&l))) {
        if (!rc && l.src)
            fprintf(stderr, "cgbench: %s: no run line after `; BENCH`\n", path);
        printf("workload %s - ERROR\n", name);
        unload(&l);
        return 1;
    }
    const ir_function *fn = l.file.funcs.v[rc->func];
    char sym[128], tname[160];
    run_callee callee = {jit_module_lookup(l.m, cg_symbol_name(fn, sym, sizeof sym)), NULL};
    cg_output tout = {0};
    jit_module *tm = NULL;
    jit_error err;
    ir_diag d;
    if (run_needs_trampoline(fn, &fn->sig, NULL)) {    /* as cg_test does */
        cg_target t = {.arch = jit_host_arch()};
        snprintf(tname, sizeof tname, "__bench_trampoline_%s", sym);
        tm = jit_module_new(ctx, "trampoline", &err);
        if (tm && ft_compile_trampoline(&t, &l.file, fn, tname, &tout, &d)) {
            jit_func jf = {.name = tname, .code = tout.code.v, .size = tout.code.n, .align = tout.align,
                           .local = true};
            if (jit_module_add_func(tm, &jf, &err) && jit_module_link(tm, &err) &&
                jit_module_finalize(tm, &err))
                callee.trampoline = (run_trampoline_fn)jit_module_lookup(tm, tname);
        }
    }
    double best = -1, best_cpu = -1;
    bool ok = true;
    for (int r = 0; r < reps && ok; r++) {
        ir_data_value actual[16];
        memset(actual, 0, sizeof actual);
        run_outcome oc;
        run_opts opts = {.timeout = 0};
        double t0 = now(), c0 = cpu_now();
        run_call(&callee, fn, &fn->sig, &l.file.data.v[rc->args], rc->nargs, actual, &opts, &oc);
        double t = now() - t0, c = cpu_now() - c0;
        if (best_cpu < 0 || c < best_cpu)
            best_cpu = c;
        ok = oc.status == RUN_OK && fn->sig.nrets <= 16 &&
             run_check(rc->cmp, actual, fn->sig.nrets, &l.file.data.v[rc->expect], rc->nexpect);
        if (!ok)
            run_report(stderr, &l.file, rc, actual, &oc, 0);
        if (best < 0 || t < best)
            best = t;
    }
    printf("workload %s %.3f %s cpu %.3f\n", name, best, ok ? "ok" : "WRONG", best_cpu);
    if (tm)
        jit_module_free(tm, &err);
    cg_output_free(&tout);
    unload(&l);
    return ok ? 0 : 1;
}

static int compile_only(jit_ctx *ctx, const char *path)
{
    loaded l;
    double c_opt;
    if (!load(ctx, path, &l, true, &c_opt)) {
        unload(&l);
        return 1;
    }
    size_t code = l.code_bytes;
    double total = l.t_parse + l.t_verify + l.t_compile + l.t_link;
    uint32_t n = l.file.funcs.n;
    printf("compile %s: %u functions, %zu bytes of code\n", path, n, code);
    printf("compile phases: parse %.3f s, verify %.3f s, compile %.3f s, link %.3f s; total %.3f s\n",
           l.t_parse, l.t_verify, l.t_compile, l.t_link, total);
    printf("compile per 1000 functions: %.4f s (compile alone %.4f s)\n", n ? total * 1000 / n : 0,
           n ? l.t_compile * 1000 / n : 0);
    /* lib/opt's share: the passes alone on a copy of every function */
    if (c_opt >= 0)
        printf("compile cpu %.3f s, of which lib/opt's passes (with the copy) %.3f s\n", l.c_compile, c_opt);
    else
        printf("compile cpu %.3f s (opt_level=none: no passes)\n", l.c_compile);
    unload(&l);
    return 0;
}

int main(int argc, char **argv)
{
    jit_error err;
    jit_ctx *ctx = ft_ctx_new(false, &err);
    ft_map_files(true);     /* as clifrun's one-shot commands read a file */
    if (!ctx) {
        fprintf(stderr, "cgbench: %s\n", err.msg);
        return 2;
    }
    int reps = 1, status = 0, files = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-r") && i + 1 < argc) {
            reps = atoi(argv[++i]);
            reps = reps < 1 ? 1 : reps;
        } else if (!strcmp(argv[i], "--host-isa")) {
            host_isa = true;
        } else if (!strcmp(argv[i], "--compile") && i + 1 < argc) {
            status |= compile_only(ctx, argv[++i]), files++;
        } else {
            status |= workload(ctx, argv[i], reps), files++;
        }
    }
    if (!files)
        fputs("usage: cgbench [-r N] [--host-isa] FILE... | cgbench --compile FILE\n", stderr);
    jit_ctx_free(ctx);
    return files ? status : 2;
}
