/* tests/ir_test.c: lib/ir where no filetest reaches — a function whose
 * body is dropped (ir_file_drop_body: the head alone, packed into the
 * file's arena) copied, freed and checked across the file as a whole
 * function would be; the next function read into its storage.  Run under
 * SAN=1 to see any read past a head.  Also the opcode table's order
 * ir_legacy_rewrite relies on.  Ends with "N passed, N failed";
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

/* A file read a function at a time, each body dropped once read: the
 * next function is read into the dropped one's arrays (file->spare), and
 * must come out as a fresh one would. */
typedef struct reuse_ctx {
    ir_function *first;     /* function 0 as read, before its drop */
    bool reused, verified;
    uint32_t values[2];
} reuse_ctx;

static void reuse_one(void *ctx, ir_file *file, uint32_t i)
{
    reuse_ctx *c = ctx;
    ir_function *f = file->funcs.v[i];
    ir_diag d;
    if (i == 0) {
        c->first = f;
    } else {   /* (function 0 is no valid function: gv0 = vmctx without one) */
        c->reused |= f == c->first;
        c->verified = verify_function(f, &d);
    }
    c->values[i] = f->values.n;
    ir_file_drop_body(file, i);
}

static void test_reuse(void)
{
    ir_file file;
    ir_diag d;
    reuse_ctx c = {0};
    bool ok = reader_parse_file_each(&file, "reuse", src, sizeof src - 1, &d, reuse_one, &c);
    CHECK(ok && file.funcs.n == 2, "the file reads a function at a time: %s", ok ? "" : d.msg);
    CHECK(c.reused, "function 1 is read into function 0's storage");
    CHECK(c.verified, "function 1 verifies");
    CHECK(c.values[0] == 4 && c.values[1] == 3, "each has its own values (%u, %u)", c.values[0], c.values[1]);
    CHECK(file.spare.n == 1, "one function's storage kept for the next (%u)", file.spare.n);
    const ir_function *h1 = file.funcs.v[1];
    CHECK(h1->body_dropped && h1->func_refs.n == 2 && !strcmp(h1->func_refs.v[0].name.str, "callee"),
          "the head of a function read into reused storage");
    ir_diag dd = {0};
    CHECK(verify_file_decls(&file, &dd), "declarations across the file check: %s", dd.msg);
    ir_file_free(&file);
}

/* ir_legacy_rewrite looks only at opcodes from the first legacy one on */
static void test_legacy_last(void)
{
    unsigned wrong = IR_OP_COUNT;
    for (unsigned op = 0; op < IR_OP_COUNT && wrong == IR_OP_COUNT; op++)
        if (!(ir_opcodes[op].flags & IR_OPF_LEGACY) != (op < IR_OP_iadd_imm))
            wrong = op;
    CHECK(wrong == IR_OP_COUNT, "legacy opcodes are opcodes.def's last rows, from iadd_imm (%s)",
          wrong < IR_OP_COUNT ? ir_opcodes[wrong].name : "");
}

int main(void)
{
    verbose = getenv("V") && !strcmp(getenv("V"), "1");
    test_drop();
    test_reuse();
    test_legacy_last();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
