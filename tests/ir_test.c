/* tests/ir_test.c: lib/ir where no filetest reaches — a function whose
 * body is dropped (ir_file_drop_body: the head alone, packed into the
 * file's arena) copied, freed and checked across the file as a whole
 * function would be.  Run under
 * SAN=1 to see any read past a head.  Ends with "N passed, N failed";
 * exit status 1 on any failure.  V=1 prints every check. */
#include "reader/reader.h"
#include "verify/verify.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    printf("%s ir_test.c:%d: ", ok ? "ok  " : "FAIL", line);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
}

static const char src[] =
    "function %callee(i64, i32) -> i64 {\n"
    "    ss0 = explicit_slot 16\n"
    "    gv0 = vmctx\n"
    "block0(v0: i64, v1: i32):\n"
    "    v2 = uextend.i64 v1\n"
    "    v3 = iadd v0, v2\n"
    "    return v3\n"
    "}\n"
    "function u0:7(i64) -> i64 {\n"
    "    sig0 = (i64, i32) -> i64\n"
    "    sig1 = (i64) -> i64\n"
    "    fn0 = %callee sig0\n"
    "    fn1 = u0:7 sig1\n"
    "    ss0 = explicit_slot 8\n"
    "block0(v0: i64):\n"
    "    v1 = iconst.i32 3\n"
    "    v2 = call fn0(v0, v1)\n"
    "    return v2\n"
    "}\n";

/* A copy of a dropped head: the head's fields, an empty body. */
static void check_copy(const ir_function *h, const char *what)
{
    ir_function c;
    ir_function_copy(&c, h);
    CHECK(!c.body_dropped, "%s: the copy owns its arrays", what);
    CHECK(c.name.kind == h->name.kind && c.sig.nparams == h->sig.nparams && c.sig.nrets == h->sig.nrets,
          "%s: the copy's name and signature", what);
    CHECK(c.func_refs.n == h->func_refs.n && c.sigs.n == h->sigs.n && c.abi_params.n == h->abi_params.n,
          "%s: the copy's declarations", what);
    CHECK(!c.stack_slots.n && !c.gvs.n && !c.values.n && !c.blocks.n && !c.layout.n && !c.insts.n &&
              !c.constants.n && !c.bytes.n && !c.ss_defined.n && !c.gv_defined.n,
          "%s: the copy's body is empty (%u values, %u insts, %u stack slots)", what, c.values.n,
          c.insts.n, c.stack_slots.n);
    CHECK(c.pool.v != NULL, "%s: the copy's pool is allocated, as ir_function_init says", what);
    ir_function_free(&c);
}

static void test_drop(void)
{
    ir_file file;
    ir_diag d;
    bool ok = reader_parse_file(&file, "drop", src, sizeof src - 1, &d);
    CHECK(ok && file.funcs.n == 2, "the file reads: %s", ok ? "" : d.msg);
    if (!ok || file.funcs.n != 2) {
        ir_file_free(&file);
        return;
    }
    /* both packed in the arena, function 1 twice */
    ir_file_drop_body(&file, 0);
    ir_file_drop_body(&file, 1);
    ir_file_drop_body(&file, 1);    /* again: nothing to do */
    const ir_function *h0 = file.funcs.v[0], *h1 = file.funcs.v[1];
    CHECK(h0->body_dropped && h1->body_dropped, "file_drop_body: heads in the arena");
    CHECK(h0->name.kind == IR_NAME_TESTCASE && !strcmp(h0->name.str, "callee"), "file_drop_body keeps function 0's name");
    CHECK(h1->name.kind == IR_NAME_USER && h1->name.index == 7, "file_drop_body keeps the name");
    CHECK(h1->func_refs.n == 2 && h1->func_refs.v[0].name.str && !strcmp(h1->func_refs.v[0].name.str, "callee"),
          "file_drop_body keeps the callees' names");
    CHECK(h1->sigs.n == 2 && h1->sigs.v[0].nparams == 2, "file_drop_body keeps the signatures");
    ir_diag dd = {0};
    CHECK(verify_file_decls(&file, &dd), "declarations across the file check against the heads: %s", dd.msg);
    check_copy(h0, "function 0");
    check_copy(h1, "function 1");
    ir_file_free(&file);
}

int main(void)
{
    verbose = getenv("V") && !strcmp(getenv("V"), "1");
    test_drop();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
