/* tests/cg_test.c: compile .clif files with lib/codegen for the host, link
 * every function of a file into one JIT module, and check the `; run:`
 * lines.  Integer-only signatures (i8..i64, up to 6 parameters, up to 2
 * results) are called straight through a C function pointer; others go
 * through lib/run: libffi, or a trampoline from cg_compile_trampoline.  Every call is
 * guarded, so a crash or a trap is a failure, not the end of the run.
 *
 *   cg_test [-v] [--strict] FILE|DIR...
 *
 * Prints per file what failed, then counts: files where every function
 * compiles, files where besides every run line passes, run lines passed,
 * failed and skipped; a file with several x86_64 target lines counts once
 * per line.  With --strict, any compile error, failed or skipped
 * line is a failure (exit status 1): for clifrun's own test files.  Files
 * that name targets but no x86_64 one are not counted. */
#include "codegen.h"
#include "jit.h"
#include "reader.h"
#include "run.h"
#include "verify.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static bool verbose, strict;
static jit_ctx *ctx;
static struct {
    unsigned files, compiled, passed, skipped_files;    /* of (file, target) pairs */
    unsigned ufiles, ucompiled, upassed;                /* of files */
    unsigned runs_ok, runs_failed, runs_skipped;
} n;

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)sz + 1);
    if (buf && fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf)
        buf[sz] = 0, *len = (size_t)sz;
    return buf;
}

static const char *describe_pc(uintptr_t pc, char *buf, size_t size)
{
    jit_trap_info ti;
    if (!jit_trap_lookup(ctx, pc, &ti))
        return NULL;
    char tb[16];
    if (ti.has_trap)
        snprintf(buf, size, "%s at %%%s+0x%x", cg_trap_name(ti.code, tb), ti.func_name ? ti.func_name : "?",
                 ti.func_offset);
    else
        snprintf(buf, size, "%%%s+0x%x", ti.func_name ? ti.func_name : "?", ti.func_offset);
    return buf;
}

static bool int_type(ir_type t) { return t >= IR_I8 && t <= IR_I64; }

/* ---- the direct call ------------------------------------------------------- */

typedef struct { int64_t a, b; } pair;
typedef pair (*fn6)(int64_t, int64_t, int64_t, int64_t, int64_t, int64_t);

typedef struct direct_call {
    void *code;
    int64_t args[6];
    pair result;
} direct_call;

static void direct_body(void *p)
{
    direct_call *dc = p;
    /* extra arguments are ignored by the callee under System V */
    dc->result = ((fn6)dc->code)(dc->args[0], dc->args[1], dc->args[2], dc->args[3], dc->args[4],
                                 dc->args[5]);
}

static int64_t sext(const uint8_t *b, unsigned bytes)
{
    uint64_t x = 0;
    for (unsigned i = 0; i < bytes; i++)
        x |= (uint64_t)b[i] << (8 * i);
    unsigned sh = 64 - 8 * bytes;
    return sh ? (int64_t)(x << sh) >> sh : (int64_t)x;
}

static bool is_x64(const ir_file *file, uint32_t i)
{
    return !strcmp(file->targets.v[i].arch, "x86_64");
}

/* `; cg_test trap: CODE` on the line before a run line: the call must trap
 * with CODE (run lines cannot say so). */
static const char *expected_trap(const ir_file *file, uint32_t line, char *buf, size_t size)
{
    const char *p = file->src, *end = file->src + file->len;
    for (uint32_t l = 1; l + 1 < line && p < end; l++) {
        p = memchr(p, '\n', (size_t)(end - p));
        if (!p)
            return NULL;
        p++;
    }
    static const char tag[] = "; cg_test trap: ";
    if (p >= end || (size_t)(end - p) < sizeof tag || memcmp(p, tag, sizeof tag - 1))
        return NULL;
    p += sizeof tag - 1;
    size_t k = 0;
    while (p < end && *p != '\n' && *p != ' ' && k + 1 < size)
        buf[k++] = *p++;
    buf[k] = 0;
    return buf;
}

/* Run one line; returns 1 passed, 0 failed, -1 skipped. */
static int run_line(const ir_file *file, const ir_run_cmd *rc, jit_module *m, const char *path)
{
    const ir_function *fn = file->funcs.v[rc->func];
    const ir_signature *sig = &fn->sig;
    char name[128];
    void *code = jit_module_lookup(m, cg_symbol_name(fn, name, sizeof name));
    if (!code)
        return -1;
    ir_data_value actual[16];
    memset(actual, 0, sizeof actual);
    run_outcome oc;
    run_opts opts = {.timeout = 10, .describe_pc = describe_pc};
    bool ints = sig->nparams <= 6 && sig->nrets <= 2 && rc->nargs == sig->nparams &&
                (sig->callconv == IR_CC_default || sig->callconv == IR_CC_system_v || sig->callconv == IR_CC_fast);
    for (uint32_t i = 0; ints && i < sig->nparams; i++)
        ints = int_type(fn->abi_params.v[sig->params + i].type) &&
               fn->abi_params.v[sig->params + i].purpose == IR_PURPOSE_NORMAL;
    for (uint32_t i = 0; ints && i < sig->nrets; i++)
        ints = int_type(fn->abi_params.v[sig->rets + i].type);
    if (ints) {
        direct_call dc = {.code = code};
        for (uint32_t i = 0; i < sig->nparams; i++) {
            const ir_data_value *a = &file->data.v[rc->args + i];
            dc.args[i] = sext(a->bytes, ir_type_bytes(fn->abi_params.v[sig->params + i].type));
        }
        run_guarded(direct_body, &dc, &opts, &oc);
        int64_t r[2] = {dc.result.a, dc.result.b};
        for (uint32_t i = 0; i < sig->nrets; i++) {
            actual[i].type = fn->abi_params.v[sig->rets + i].type;
            for (unsigned k = 0; k < 8; k++)
                actual[i].bytes[k] = (uint8_t)((uint64_t)r[i] >> (8 * k));
        }
    } else {
        const char *why = NULL;
        run_callee callee = {code, NULL};
        if (run_needs_trampoline(fn, sig, &why)) {
            char tname[160];
            snprintf(tname, sizeof tname, "__trampoline_%s", name);
            callee.trampoline = (run_trampoline_fn)jit_module_lookup(m, tname);
        }
        if ((why && !callee.trampoline) || sig->nrets > 64) {
            if (verbose)
                printf("skip %s:%u: %s\n", path, rc->line, why ? why : "signature");
            return -1;
        }
        ir_data_value many[64];
        if (sig->nrets > 2) {
            run_call(&callee, fn, sig, &file->data.v[rc->args], rc->nargs, many, &opts, &oc);
            bool ok = oc.status == RUN_OK &&
                      run_check(rc->cmp, many, sig->nrets, &file->data.v[rc->expect], rc->nexpect);
            if (!ok || verbose)
                run_report(stdout, file, rc, many, &oc, 0);
            return ok;
        }
        run_call(&callee, fn, sig, &file->data.v[rc->args], rc->nargs, actual, &opts, &oc);
    }
    bool ok = oc.status == RUN_OK &&
              run_check(rc->cmp, actual, sig->nrets, &file->data.v[rc->expect], rc->nexpect);
    if (rc->kind == IR_RUN_PRINT)
        ok = oc.status == RUN_OK;
    char tb[32];
    const char *trap = expected_trap(file, rc->line, tb, sizeof tb);
    if (trap) {
        char want[64];
        snprintf(want, sizeof want, "trap: %s at", trap);
        ok = oc.status == RUN_TRAP && !strncmp(oc.msg, want, strlen(want));
        if (!ok)
            printf("FAIL %s:%u: expected %s, got %s\n", path, rc->line, want,
                   oc.status == RUN_OK ? "a return" : oc.msg);
        else if (verbose)
            printf("%s:%u: %s\n", path, rc->line, oc.msg);
        return ok;
    }
    if (!ok || verbose)
        run_report(stdout, file, rc, actual, &oc, 0);
    return ok;
}

/* ---- one file --------------------------------------------------------------- */

/* Compile, link and run the file for target ti (IR_NONE: no target line).
 * Returns 0 if something does not compile or link, 1 if a run line failed
 * or was skipped, 2 if all passed, 3 if the target cannot run here. */
static int do_target(const char *path, ir_file *file, uint32_t ti)
{
    ir_diag d;
    cg_target t = {.arch = JIT_ARCH_X86_64};
    n.files++;
    if (ti != IR_NONE && !cg_target_from_file(&t, file, ti, &d)) {
        printf("FAIL ");
        ir_diag_print(stdout, &d, false);
        return 0;
    }
    if (t.isa & ~cg_host_isa(JIT_ARCH_X86_64)) {
        if (verbose)
            printf("skip %s: the host lacks ISA features the target line asks for\n", path);
        n.skipped_files++;
        n.files--;
        return 3;
    }
    jit_error err;
    jit_module *m = jit_module_new(ctx, path, &err);
    cg_output *outs = calloc(file->funcs.n + 1, sizeof *outs);
    bool all = true;
    for (uint32_t i = 0; i < file->funcs.n; i++) {
        if (!cg_compile(&t, file, i, &outs[i], &d)) {
            all = false;
            printf("%s ", strict ? "FAIL" : "compile:");
            ir_diag_print(stdout, &d, false);
            continue;
        }
        char name[128];
        jit_func jf = {.name = cg_symbol_name(file->funcs.v[i], name, sizeof name),
                       .code = outs[i].code.v, .size = outs[i].code.n, .align = outs[i].align,
                       .relocs = outs[i].relocs.v, .nrelocs = outs[i].relocs.n,
                       .traps = outs[i].traps.v, .ntraps = outs[i].traps.n,
                       .line = file->funcs.v[i]->line};
        if (!jit_module_add_func(m, &jf, &err)) {
            printf("FAIL %s:%u: %s\n", path, err.line, err.msg);
            all = false;
        }
    }
    /* trampolines for the signatures libffi cannot call */
    cg_output *touts = calloc(file->funcs.n + 1, sizeof *touts);
    for (uint32_t i = 0; i < file->funcs.n; i++) {
        const ir_function *fn = file->funcs.v[i];
        if (!run_needs_trampoline(fn, &fn->sig, NULL) || !outs[i].code.n)
            continue;
        if (!cg_compile_trampoline(&t, fn, &touts[i], &d))
            continue;   /* its run lines are skipped */
        char name[128], tname[160];
        snprintf(tname, sizeof tname, "__trampoline_%s", cg_symbol_name(fn, name, sizeof name));
        jit_func jf = {.name = tname, .code = touts[i].code.v, .size = touts[i].code.n,
                       .align = touts[i].align, .local = true};
        if (!jit_module_add_func(m, &jf, &err))
            printf("FAIL %s: %s\n", path, err.msg);
    }
    bool linked = jit_module_link(m, &err) && jit_module_finalize(m, &err);
    if (!linked)
        printf("%s %s:%u: link: %s\n", all || strict ? "FAIL" : "link:", path, err.line, err.msg);
    unsigned ok_lines = 0, bad = 0, skipped = 0;
    for (uint32_t r = 0; linked && r < file->runs.n; r++) {
        int res = run_line(file, &file->runs.v[r], m, path);
        if (res < 0)
            skipped++;
        else if (res)
            ok_lines++;
        else
            bad++;
    }
    if (!linked)
        skipped = file->runs.n;
    n.runs_ok += ok_lines, n.runs_failed += bad, n.runs_skipped += skipped;
    if (all && linked)
        n.compiled++;
    if (all && linked && !bad && !skipped)
        n.passed++;
    if (verbose || (all && linked && (bad || skipped)))
        printf("%s %s (target line %u): %u passed, %u failed, %u skipped\n",
               all && linked && !bad && !skipped ? "ok  " : "FAIL", path,
               ti == IR_NONE ? 0 : file->targets.v[ti].line, ok_lines, bad, skipped);
    jit_module_free(m, &err);
    for (uint32_t i = 0; i < file->funcs.n; i++) {
        cg_output_free(&outs[i]);
        cg_output_free(&touts[i]);
    }
    free(outs);
    free(touts);
    return !(all && linked) ? 0 : bad || skipped ? 1 : 2;
}

static void do_file(const char *path)
{
    size_t len;
    char *src = slurp(path, &len);
    if (!src) {
        printf("FAIL %s: cannot read: %s\n", path, strerror(errno));
        n.files++;
        return;
    }
    ir_file file;
    ir_diag d;
    bool ok = reader_parse_file(&file, path, src, len, &d);
    for (uint32_t i = 0; ok && i < file.funcs.n; i++) {
        ok = ir_legacy_rewrite(file.funcs.v[i], &d) && verify_function(file.funcs.v[i], &d);
        d.file = path, d.src = src, d.len = len;
    }
    bool run_test = false;     /* only `test run` files run natively (not `test interpret` alone) */
    for (uint32_t i = 0; ok && i < file.tests.n; i++)
        run_test |= !strcmp(file.tests.v[i], "run");
    if (ok && file.tests.n && !run_test) {
        ir_file_free(&file);
        free(src);
        return;
    }
    int worst = 3;
    if (!ok) {
        n.files++;
        worst = 0;
        printf("FAIL ");
        ir_diag_print(stdout, &d, false);
    } else if (!file.targets.n) {
        worst = do_target(path, &file, IR_NONE);
    } else {
        for (uint32_t i = 0; i < file.targets.n; i++)
            if (is_x64(&file, i)) {
                int r = do_target(path, &file, i);
                worst = r < worst ? r : worst;
            }
    }
    if (worst < 3) {
        n.ufiles++;
        n.ucompiled += worst >= 1;
        n.upassed += worst == 2;
    }
    ir_file_free(&file);
    free(src);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void do_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        DIR *dir = opendir(path);
        if (!dir)
            return;
        char **names = NULL;
        size_t k = 0, cap = 0;
        for (struct dirent *de; (de = readdir(dir));) {
            size_t l = strlen(de->d_name);
            if (l < 5 || strcmp(de->d_name + l - 5, ".clif"))
                continue;
            if (k == cap)
                names = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof *names);
            names[k] = malloc(strlen(path) + l + 2);
            sprintf(names[k++], "%s/%s", path, de->d_name);
        }
        closedir(dir);
        qsort(names, k, sizeof *names, by_name);
        for (size_t i = 0; i < k; i++) {
            do_file(names[i]);
            free(names[i]);
        }
        free(names);
    } else {
        do_file(path);
    }
}

int main(int argc, char **argv)
{
    jit_config cfg = {0};
    jit_config_from_env(&cfg);
    jit_error err;
    ctx = jit_ctx_new(&cfg, &err);
    if (!ctx || !cg_define_libcalls(ctx, &err)) {
        fprintf(stderr, "cg_test: %s\n", err.msg);
        return 2;
    }
    int files = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-v"))
            verbose = true;
        else if (!strcmp(argv[i], "--strict"))
            strict = true;
        else
            do_path(argv[i]), files++;
    }
    if (!files) {
        fputs("usage: cg_test [-v] [--strict] FILE|DIR...\n", stderr);
        return 2;
    }
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
