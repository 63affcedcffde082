/* tests/interp_test.c: lib/interp through its interface, where a run file
 * cannot reach — the step limit, the interrupt flag, the depth option, the
 * outcome's trap code and location, steps counted, an unsupported
 * function's diagnostic, several contexts at once, and the inline forms of
 * the dispatch loop against the families' general code on every run line
 * of testdata/interp and testdata/run (run from the top of the tree).  Ends with "N passed,
 * N failed"; exit status 1 on any failure.  V=1 prints every check. */
#include "filetest/filetest.h"
#include "interp/interp.h"
#include "reader/reader.h"
#include "verify/verify.h"

#include <dirent.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int passed, failed;
static bool verbose;

#define CHECK(cond, ...) do { bool ok_ = (cond); check_(ok_, __LINE__, __VA_ARGS__); } while (0)
static void check_(bool ok, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void check_(bool ok, int line, const char *fmt, ...)
{
    ok ? passed++ : failed++;
    if (ok && !verbose)
        return;
    va_list ap;
    va_start(ap, fmt);
    printf("%s interp_test.c:%d: ", ok ? "ok  " : "FAIL", line);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
}

static const char src[] =
    "function %add(i32, i32) -> i32 {\n"                    /* 1 */
    "block0(v0: i32, v1: i32):\n"
    "    v2 = iadd v0, v1\n"
    "    return v2\n"
    "}\n"
    "function %spin(i64) -> i64 {\n"                        /* 6 */
    "block0(v0: i64):\n"
    "    jump block1(v0)\n"
    "block1(v1: i64):\n"
    "    v2 = iadd_imm v1, 1\n"
    "    jump block1(v2)\n"
    "}\n"
    "function %deep(i64) -> i64 {\n"                        /* 13 */
    "    fn0 = %deep(i64) -> i64\n"
    "block0(v0: i64):\n"
    "    brif v0, block1, block2(v0)\n"
    "block1:\n"
    "    v1 = iadd_imm v0, -1\n"
    "    v2 = call fn0(v1)\n"
    "    jump block2(v2)\n"
    "block2(v3: i64):\n"
    "    return v3\n"
    "}\n"
    "function %div(i32, i32) -> i32 {\n"                    /* 24 */
    "block0(v0: i32, v1: i32):\n"
    "    v2 = sdiv v0, v1\n"
    "    return v2\n"
    "}\n"
    "function %half(f16) -> f16 {\n"                        /* 29 */
    "block0(v0: f16):\n"
    "    v1 = splat.f16x8 v0\n"
    "    v2 = extractlane v1, 0\n"
    "    return v2\n"
    "}\n"
    "function %calls_half(f16) -> f16 {\n"                  /* 35 */
    "    fn0 = %half(f16) -> f16\n"
    "block0(v0: f16):\n"
    "    v1 = call fn0(v0)\n"
    "    return v1\n"
    "}\n"
    "function %addr32() -> i32 {\n"                         /* 41 */
    "    ss0 = explicit_slot 4\n"
    "block0:\n"
    "    v0 = stack_addr.i32 ss0\n"
    "    return v0\n"
    "}\n";

enum { F_ADD, F_SPIN, F_DEEP, F_DIV, F_HALF, F_CALLS_HALF, F_ADDR32 };

static ir_data_value i32v(int32_t x)
{
    ir_data_value v = {.type = IR_I32};
    memcpy(v.bytes, &x, 4);
    return v;
}

static ir_data_value i64v(int64_t x)
{
    ir_data_value v = {.type = IR_I64};
    memcpy(v.bytes, &x, 8);
    return v;
}

static int64_t as_i64(const ir_data_value *v, unsigned n)
{
    int64_t x = 0;
    memcpy(&x, v->bytes, n);
    if (n < 8)
        x = (int64_t)((uint64_t)x << (64 - 8 * n)) >> (64 - 8 * n);
    return x;
}

static bool load(ir_file *file)
{
    ir_diag d;
    if (!reader_parse_file(file, "t.clif", src, sizeof src - 1, &d)) {
        printf("FAIL interp_test.c: %s\n", d.msg);
        return false;
    }
    for (uint32_t i = 0; i < file->funcs.n; i++)
        if (!ir_legacy_rewrite(file->funcs.v[i], &d) || !verify_function(file->funcs.v[i], &d)) {
            printf("FAIL interp_test.c: %u:%u: %s\n", d.line, d.col, d.msg);
            return false;
        }
    return true;
}

static void test_calls(interp_ctx *ic)
{
    ir_data_value a[2] = {i32v(2147483647), i32v(1)}, r[1];
    interp_outcome out;
    run_status st = interp_call(ic, F_ADD, a, 2, r, NULL, &out);
    CHECK(st == RUN_OK && as_i64(&r[0], 4) == INT32_MIN, "%%add wraps: status %d, %lld", st,
          (long long)as_i64(&r[0], 4));
    CHECK(r[0].type == IR_I32, "the result has the signature's type (%u)", r[0].type);
    CHECK(out.steps == 2, "steps of a two-instruction block: %llu", (unsigned long long)out.steps);
    /* thousands of calls on one context: frames come and go on its stacks */
    bool all = true;
    for (int32_t i = 0; i < 20000 && all; i++) {
        a[0] = i32v(i);
        all = interp_call(ic, F_ADD, a, 2, r, NULL, &out) == RUN_OK && as_i64(&r[0], 4) == i + 1;
    }
    CHECK(all, "20,000 calls on one context");
    st = interp_call(ic, F_ADD, a, 1, r, NULL, &out);
    CHECK(st == RUN_ERROR, "one argument for two is an error (%s)", out.oc.msg);
}

static void test_limits(interp_ctx *ic)
{
    ir_data_value a[1] = {i64v(0)}, r[1];
    interp_outcome out;
    interp_opts o = {.max_steps = 1000000};
    run_status st = interp_call(ic, F_SPIN, a, 1, r, &o, &out);
    CHECK(st == RUN_TIMEOUT && out.steps >= 1000000 && out.steps < 1000010,
          "the step limit ends an endless loop: status %d after %llu steps (%s)", st,
          (unsigned long long)out.steps, out.oc.msg);
    volatile sig_atomic_t flag = 1;
    o = (interp_opts){.interrupt = &flag};
    st = interp_call(ic, F_SPIN, a, 1, r, &o, &out);
    CHECK(st == RUN_INTERRUPTED && !strcmp(out.oc.msg, "interrupted"), "the interrupt flag: status %d, %s",
          st, out.oc.msg);
    o = (interp_opts){.timeout = 0.05};
    st = interp_call(ic, F_SPIN, a, 1, r, &o, &out);
    CHECK(st == RUN_TIMEOUT && !strcmp(out.oc.msg, "timeout"), "the timeout: status %d, %s", st, out.oc.msg);
    /* the context is whole after each of them */
    a[0] = i64v(50);
    st = interp_call(ic, F_DEEP, a, 1, r, NULL, &out);
    CHECK(st == RUN_OK && as_i64(&r[0], 8) == 0, "a call after the limits: status %d", st);
}

static void test_depth(interp_ctx *ic, const ir_file *file)
{
    ir_data_value a[1] = {i64v(99)}, r[1];
    interp_outcome out;
    interp_opts o = {.max_depth = 100};
    run_status st = interp_call(ic, F_DEEP, a, 1, r, &o, &out);
    CHECK(st == RUN_OK, "100 frames with max_depth 100: status %d (%s)", st, out.oc.msg);
    a[0] = i64v(100);
    st = interp_call(ic, F_DEEP, a, 1, r, &o, &out);
    const ir_function *fn = file->funcs.v[F_DEEP];
    CHECK(st == RUN_TRAP && out.trap == IR_TRAP_stk_ovf && out.func == F_DEEP && out.inst < fn->insts.n &&
              fn->insts.v[out.inst].op == IR_OP_call,
          "101 frames: status %d, trap %u at function %u instruction %u", st, out.trap, out.func, out.inst);
    CHECK(!strcmp(out.oc.msg, "trap: stk_ovf at %deep: v2 = call fn0(v1)"), "message: %s", out.oc.msg);
    a[0] = i64v(9999);
    st = interp_call(ic, F_DEEP, a, 1, r, NULL, &out);
    CHECK(st == RUN_OK, "the default depth is 10,000: status %d (%s)", st, out.oc.msg);
}

static void test_traps(interp_ctx *ic)
{
    ir_data_value a[2] = {i32v(1), i32v(0)}, r[1];
    interp_outcome out;
    run_status st = interp_call(ic, F_DIV, a, 2, r, NULL, &out);
    CHECK(st == RUN_TRAP && out.trap == IR_TRAP_int_divz && out.func == F_DIV,
          "division by zero: status %d, trap %u", st, out.trap);
    CHECK(!strcmp(out.oc.msg, "trap: int_divz at %div: v2 = sdiv v0, v1"), "message: %s", out.oc.msg);
    a[0] = i32v(INT32_MIN), a[1] = i32v(-1);
    st = interp_call(ic, F_DIV, a, 2, r, NULL, &out);
    CHECK(st == RUN_TRAP && out.trap == IR_TRAP_int_ovf, "MIN / -1: status %d, trap %u", st, out.trap);
}

static void test_unsupported(interp_ctx *ic)
{
    ir_diag d;
    CHECK(interp_supported(ic, F_ADD, &d), "%%add is supported");
    bool ok = interp_supported(ic, F_CALLS_HALF, &d);
    CHECK(!ok && d.line == 31 && d.col == 10 && !strncmp(d.msg, "unsupported by the interpreter: f16", 35),
          "a callee's f16 vector is found through the call: %u:%u: %s", d.line, d.col, d.msg);
    ir_data_value a[1] = {{.type = IR_F16}}, r[1];
    interp_outcome out;
    run_status st = interp_call(ic, F_HALF, a, 1, r, NULL, &out);
    CHECK(st == RUN_ERROR && out.diag.line == 31 && strstr(out.oc.msg, "unsupported by the interpreter"),
          "calling it is an error located at the instruction: %u: %s", out.diag.line, out.oc.msg);
}

/* Two contexts at once each have their own stacks. */
static void test_two(const ir_file *file)
{
    interp_ctx *a = interp_new(file), *b = interp_new(file);
    ir_data_value args[1] = {i64v(500)}, r[1];
    interp_outcome out;
    bool ok = a && b && interp_call(a, F_DEEP, args, 1, r, NULL, &out) == RUN_OK &&
              interp_call(b, F_DEEP, args, 1, r, NULL, &out) == RUN_OK;
    CHECK(ok, "two contexts");
    run_status st = a ? interp_call(a, F_ADDR32, NULL, 0, r, NULL, &out) : RUN_ERROR;
    CHECK(st == RUN_OK || (st == RUN_ERROR && strstr(out.oc.msg, "above 4 GiB")),
          "stack_addr.i32: an address, or an error saying why not (%s)", out.oc.msg);
    interp_free(a);
    interp_free(b);
}

/* Every run line of the .clif files in dir, through a context that uses
 * the dispatch loop's inline forms and one that does not: the same status,
 * trap and result bits.  Returns the number of lines compared. */
static unsigned same_both_ways(const char *dir)
{
    DIR *dp = opendir(dir);
    unsigned lines = 0;
    for (struct dirent *de; dp && (de = readdir(dp));) {
        size_t l = strlen(de->d_name);
        if (l < 6 || strcmp(de->d_name + l - 5, ".clif"))
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        ir_file file;
        char *text;
        ir_diag d;
        if (!ft_load(&file, path, &text, true, &d)) {
            ir_file_free(&file);
            free(text);
            continue;
        }
        interp_ctx *fast = interp_new(&file), *slow = interp_new(&file);
        interp_set_generic_only(slow, true);
        interp_opts o = {.max_steps = 5000000};
        for (uint32_t i = 0; fast && slow && i < file.runs.n; i++) {
            const ir_run_cmd *rc = &file.runs.v[i];
            if (!interp_supported(fast, rc->func, &d))
                continue;
            ir_data_value r1[16], r2[16];
            interp_outcome o1, o2;
            uint32_t nr = file.funcs.v[rc->func]->sig.nrets;
            if (nr > 16)
                continue;
            const ir_data_value *args = rc->nargs ? &file.data.v[rc->args] : NULL;
            run_status s1 = interp_call(fast, rc->func, args, rc->nargs, r1, &o, &o1);
            run_status s2 = interp_call(slow, rc->func, args, rc->nargs, r2, &o, &o2);
            bool same = s1 == s2 && o1.trap == o2.trap && !strcmp(o1.oc.msg, o2.oc.msg);
            for (uint32_t k = 0; same && s1 == RUN_OK && k < nr; k++)
                same = !memcmp(r1[k].bytes, r2[k].bytes, 16) && r1[k].type == r2[k].type;
            CHECK(same, "%s:%u: inline and general forms: status %d / %d, %s / %s", path, rc->line, s1, s2,
                  o1.oc.msg, o2.oc.msg);
            lines++;
        }
        interp_free(fast);
        interp_free(slow);
        ir_file_free(&file);
        free(text);
    }
    if (dp)
        closedir(dp);
    return lines;
}

/* func_addr under the sandbox (a `clifrun test` worker's): the closure
 * that lets host code call an interpreted function must not need memory
 * both writable and executable, which the sandbox kills the process for
 * (call_indirect.clif's interpret lines once cost a worker and a rerun). */
static const char closure_src[] =
    "function %callee(i64) -> i64 {\n"
    "block0(v0: i64):\n"
    "    v1 = iadd_imm v0, 10\n"
    "    return v1\n"
    "}\n"
    "function %call_ind(i64) -> i64 {\n"
    "    sig0 = (i64) -> i64\n"
    "    fn0 = %callee sig0\n"
    "block0(v0: i64):\n"
    "    v1 = func_addr.i64 fn0\n"
    "    v2 = call_indirect sig0, v1(v0)\n"
    "    return v2\n"
    "}\n"
    "function %cmp(i64, i64) -> i32 {\n"
    "block0(v0: i64, v1: i64):\n"
    "    v2 = load.i32 v0\n"
    "    v3 = load.i32 v1\n"
    "    v4 = isub v2, v3\n"
    "    return v4\n"
    "}\n"
    "function %sort3() -> i32 {\n"
    "    ss0 = explicit_slot 12\n"
    "    sig0 = (i64, i64, i64, i64) system_v\n"
    "    fn0 = %qsort sig0\n"
    "    fn1 = %cmp(i64, i64) -> i32\n"
    "block0:\n"
    "    v0 = iconst.i32 3\n"
    "    stack_store v0, ss0\n"
    "    v1 = iconst.i32 1\n"
    "    stack_store v1, ss0+4\n"
    "    v2 = iconst.i32 2\n"
    "    stack_store v2, ss0+8\n"
    "    v3 = stack_addr.i64 ss0\n"
    "    v4 = iconst.i64 3\n"
    "    v5 = iconst.i64 4\n"
    "    v6 = func_addr.i64 fn1\n"
    "    call fn0(v3, v4, v5, v6)\n"
    "    v7 = stack_load.i32 ss0\n"
    "    v8 = stack_load.i32 ss0+8\n"
    "    v9 = imul_imm v7, 10\n"
    "    v10 = iadd v9, v8\n"
    "    return v10\n"
    "}\n";

static void test_sandboxed_closure(void)
{
    char why[200];
    if (!run_sandbox_supported(why, sizeof why)) {
        printf("note: closures under the sandbox not tested (%s)\n", why);
        return;
    }
    ir_file file;
    ir_diag d;
    bool ok = reader_parse_file(&file, "c.clif", closure_src, sizeof closure_src - 1, &d);
    for (uint32_t i = 0; ok && i < file.funcs.n; i++)
        ok = ir_legacy_rewrite(file.funcs.v[i], &d) && verify_function(file.funcs.v[i], &d);
    CHECK(ok, "closure source: %u:%u: %s", d.line, d.col, d.msg);
    if (!ok)
        return;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(10);
        if (!run_sandbox_install(why, sizeof why))
            _exit(3);
        interp_ctx *ic = interp_new(&file);
        ir_data_value a[1] = {i64v(32)}, r[1];
        interp_outcome out;
        if (!ic || interp_call(ic, 1, a, 1, r, NULL, &out) != RUN_OK || as_i64(&r[0], 8) != 42)
            _exit(4);
        if (interp_call(ic, 3, NULL, 0, r, NULL, &out) != RUN_OK || as_i64(&r[0], 4) != 13)
            _exit(5);
        interp_free(ic);
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "func_addr and qsort with an interpreted comparator under the sandbox: %s %d",
          WIFSIGNALED(status) ? "killed by signal" : "exit status",
          WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    ir_file_free(&file);
}

int main(void)
{
    verbose = getenv("V") && !strcmp(getenv("V"), "1");
    ir_file file;
    if (!load(&file)) {
        puts("0 passed, 1 failed");
        return 1;
    }
    interp_ctx *ic = interp_new(&file);
    CHECK(ic != NULL, "interp_new");
    if (ic) {
        test_calls(ic);
        test_limits(ic);
        test_depth(ic, &file);
        test_traps(ic);
        test_unsupported(ic);
        interp_free(ic);
    }
    test_two(&file);
    ir_file_free(&file);
    test_sandboxed_closure();
    unsigned n = same_both_ways("testdata/interp") + same_both_ways("testdata/run");
    CHECK(n > 1000, "%u run lines compared both ways", n);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
