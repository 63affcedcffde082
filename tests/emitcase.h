/* tests/emitcase.h: what the encoder tests (x64emit_test.c, a64emit_test.c)
 * share, in the manner of Cranelift's emit_tests.rs: a case is one machine
 * instruction with its operands' registers, emitted by the back end in a
 * function of its own, its bytes decoded by capstone and compared with the
 * assembly the case wants (several instructions joined by "; "; a want
 * ending in "*" compares only that much).  Each test gives its back end
 * (emit_isa), its cases and its opcode names; emit_main runs them and
 * fails an opcode no case checks. */
#ifndef TESTS_EMITCASE_H
#define TESTS_EMITCASE_H

#include "codegen/cg.h"

#include <capstone/capstone.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;
static csh cs;

typedef struct tcase {
    uint16_t op;
    uint8_t cc, size, amode, scale;
    int32_t disp;
    uint32_t aux;
    int64_t imm;
    uint8_t n, r[10];       /* operands and their registers */
    const char *want;
} tcase;

typedef struct emit_isa {
    const cg_isa *isa;
    jit_arch arch;
    cs_arch cs_arch;
    cs_mode cs_mode;
    uint16_t ret_op;            /* ends blocks 1 and 2 */
    uint32_t first_float;       /* registers from here on are of the float class */
    bool (*emit)(cg_ctx *c);    /* with c->buf set up */
    /* ops, or a branch's target rewritten into rel as .+N from start */
    const char *(*branch_ops)(const cs_insn *insn, uint64_t start, char *rel, size_t size);
    bool words;                 /* what capstone cannot decode shows as ".word 0x..." */
} emit_isa;

/* got is want (or starts with it, where want ends in '*') */
static void expect(const char *got, const char *want, const char *what)
{
    size_t wl = strlen(want);
    bool prefix = wl && want[wl - 1] == '*';
    if (prefix ? !strncmp(got, want, wl - 1) : !strcmp(got, want)) {
        passed++;
    } else {
        failed++;
        printf("FAIL %s: \"%s\", want \"%s\"\n", what, got, want);
    }
}

/* Bytes [p, p + left) at offset start as "mnemonic operands; ..." */
static void decode(const emit_isa *e, const uint8_t *p, size_t left, uint64_t start, char *got, size_t size)
{
    size_t len = 0;
    uint64_t addr = start;
    cs_insn *insn = cs_malloc(cs);
    while (left && len < size) {
        if (!cs_disasm_iter(cs, &p, &left, &addr, insn)) {
            if (!e->words)
                break;
            uint32_t w = 0, n = left < 4 ? (uint32_t)left : 4;    /* capstone 4 predates it */
            memcpy(&w, p, n);
            len += (size_t)snprintf(got + len, size - len, "%s.word 0x%08x", len ? "; " : "", w);
            p += n, left -= n, addr += 4;
            continue;
        }
        char rel[256];
        const char *ops = e->branch_ops(insn, start, rel, sizeof rel);
        len += (size_t)snprintf(got + len, size - len, "%s%s%s%s", len ? "; " : "", insn->mnemonic,
                                ops[0] ? " " : "", ops);
    }
    if (left && len < size)
        snprintf(got + len, size - len, "%s(%zu bytes undecoded)", len ? "; " : "", left);
    cs_free(insn, 1);
}

/* One case: the instruction in block 0 (IR instruction 0, for the marks
 * that find its bytes), then blocks 1 and 2 (labels 1, 2) that return.
 * Stack slot 0 at sp+0, slot 1 at sp+16; the constant 0 of the pool;
 * symbol 0 "callee"; the jump table at vlist 0: labels 1, 2, 1. */
static void check(const emit_isa *e, const tcase *t, const char *what)
{
    cg_target tg = {.arch = e->arch, .isa = (1ull << CG_ISA_COUNT) - 1, .listing = true};    /* the marks */
    ir_inst_data ii = {0};
    ir_function fn = {0};
    fn.insts.v = &ii, fn.insts.n = fn.insts.cap = 1;
    cg_output out = {0};
    ir_diag d = {0};
    cg_ctx c = {.isa = e->isa, .target = &tg, .fn = &fn, .out = &out, .d = &d};
    cg_func_init(&c.f);
    c.f.nlabels = 3;
    static const uint8_t k16[16] = {1, 2, 3, 4};
    cg_const_add(&c.f, k16, 16, 16);
    ir_vec_push(&c.f.syms, "callee");
    ir_vec_push(&c.f.sym_decl, 0u);
    ir_vec_push(&c.f.sym_decl, 0u);
    static const uint32_t jt[] = {1, 2, 1};
    for (unsigned k = 0; k < 3; k++)
        ir_vec_push(&c.f.vlist, jt[k]);
    cg_inst in = {.op = t->op, .size = t->size, .cc = t->cc, .nopnd = t->n, .amode = t->amode,
                  .scale = t->scale, .disp = t->disp, .aux = t->aux, .imm = t->imm, .ir = 0};
    ir_vec_push(&c.f.insts, in);
    for (unsigned k = 0; k < t->n; k++) {
        cg_operand o = {CG_VREG0 + k, CG_USE, CG_ANY, 0, t->r[k] >= e->first_float ? CG_CLS_FLOAT : CG_CLS_INT};
        ir_vec_push(&c.f.opnds, o);
        ir_vec_push(&c.f.allocs, (uint32_t)t->r[k]);
    }
    cg_inst ret = {.op = e->ret_op, .ir = CG_NONE};
    for (unsigned b = 0; b < 3; b++) {
        cg_block bl = {.label = b, .first = b, .end = b + 1};
        ir_vec_push(&c.f.blocks, bl);
        if (b)
            ir_vec_push(&c.f.insts, ret);
    }
    ir_vec_push(&c.frame.slot_off, 0u);
    ir_vec_push(&c.frame.slot_off, 16u);
    c.frame.spill_off = 32, c.frame.size = 48, c.frame.align = 16;
    bool ok = e->emit(&c);
    cg_buf_free(&c.buf);
    char got[512] = "";
    if (!ok) {
        snprintf(got, sizeof got, "(not emitted: %.400s)", d.msg);
    } else {
        uint32_t start = 0, end = 0;
        bool found = false;
        for (uint32_t k = 0; k + 1 < out.marks.n; k += 2)
            if (out.marks.v[k + 1] == 0) {
                start = out.marks.v[k];
                end = k + 2 < out.marks.n ? out.marks.v[k + 2] : out.code.n;
                found = true;
            }
        decode(e, out.code.v + start, found ? end - start : 0, start, got, sizeof got);
    }
    expect(got, t->want, what);
    cg_output_free(&out);
    cg_func_free(&c.f);
    ir_vec_free(&c.frame.slot_off);
}

/* Open capstone, check every case (and extra(), if any), fail each opcode
 * below opcount that no case names; print the counts. */
static int emit_main(const emit_isa *e, const tcase *cases, size_t n, const char *const *names,
                     unsigned opcount, void (*extra)(const emit_isa *e))
{
    if (cs_open(e->cs_arch, e->cs_mode, &cs) != CS_ERR_OK) {
        printf("FAIL capstone: cannot open %s\n0 passed, 1 failed\n", jit_arch_name(e->arch));
        return 1;
    }
    bool *covered = calloc(opcount, sizeof *covered);
    for (size_t i = 0; i < n; i++) {
        char what[48];
        snprintf(what, sizeof what, "%s (case %zu)", names[cases[i].op], i);
        covered[cases[i].op] = true;
        check(e, &cases[i], what);
    }
    if (extra)
        extra(e);
    for (unsigned op = 0; op < opcount; op++)
        if (!covered[op]) {
            failed++;
            printf("FAIL %s: no case checks this opcode\n", names[op]);
        }
    free(covered);
    cs_close(&cs);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}

#endif
