/* x86-64 exceptions, the compiler's side: try_call(_indirect) lowering and
 * the exception table after its call (throw.c reads it at run time). */
#include "x64.h"

#include <stdlib.h>

static void end_block(cg_ctx *c, const uint32_t *succs, uint32_t nsuccs)
{
    cg_block *b = &c->f.blocks.v[c->f.cur];
    b->succs = c->f.vlist.n;
    b->nsuccs = nsuccs;
    for (uint32_t i = 0; i < nsuccs; i++)
        ir_vec_push(&c->f.vlist, succs[i]);
    cg_block_end(&c->f);
}

static void emit_jump(cg_ctx *c, uint32_t label)
{
    cg_emit_inst(&c->f, X64_JMP, 0)->aux = label;
}

/* The edge to block call bc, in a block of its own at `label`: block
 * arguments from the values, the results (retN) or the payload (exnN). */
static void lower_edge(cg_ctx *c, uint32_t label, uint32_t bc, const ir_signature *sig, const uint32_t *rets,
                       const uint32_t *exn)
{
    const ir_function *fn = c->fn;
    cg_block_begin(&c->f, label);
    if (exn) {
        cg_emit_inst(&c->f, X64_ARGS, X64_EXN_REGS);
        for (unsigned k = 0; k < X64_EXN_REGS; k++)
            cg_op_def_fixed(&c->f, exn[k], k ? X64_RDX : X64_RAX);
    }
    cg_edge_args(c, bc, sig, rets, exn, exn ? X64_EXN_REGS : 0);
    const uint32_t *p = &fn->pool.v[bc];
    emit_jump(c, p[0]);
    end_block(c, &p[0], 1);
}

/* try_call(_indirect): the call clobbers every register (a throw resumes
 * at a handler with only rsp, rbp and the payload registers set), then the
 * block ends with edges to the normal return block and to each handler. */
bool x64_lower_try(x64_lowering *L, uint32_t inst)
{
    cg_ctx *c = L->c;
    const ir_function *fn = c->fn;
    const uint32_t *tab = &fn->pool.v[(uint32_t)fn->insts.v[inst].imm];
    const ir_signature *sig = &fn->sigs.v[tab[0]];
    uint32_t rets[64] = {0}, call;
    if (sig->nrets > 64)
        return cg_unsupported(c, inst, "try_call with more than 64 results");
    if (!x64_lower_try_call(c, L->lw, inst, rets, &call))
        return false;
    uint32_t nitems = tab[2], normal = cg_new_label(&c->f), start = c->f.vlist.n;
    ir_vec_push(&c->f.vlist, 0);
    for (uint32_t k = 0; k < nitems; k++) {
        const uint32_t *it = &tab[3 + 3 * k];
        if (it[0] == IR_EXN_CONTEXT)
            continue;
        ir_vec_push(&c->f.vlist, it[0]);
        ir_vec_push(&c->f.vlist, it[1]);
        ir_vec_push(&c->f.vlist, cg_new_label(&c->f));
        c->f.vlist.v[start]++;
    }
    c->f.insts.v[call].cc = 1;
    c->f.insts.v[call].disp = (int32_t)start;
    emit_jump(c, normal);
    uint32_t nh = c->f.vlist.v[start], *succs = malloc((nh + 1) * sizeof *succs);
    succs[0] = normal;
    for (uint32_t k = 0; k < nh; k++)
        succs[1 + k] = c->f.vlist.v[start + 3 + 3 * k];
    end_block(c, succs, nh + 1);
    lower_edge(c, normal, tab[1], sig, rets, NULL);
    for (uint32_t k = 0, h = 0; k < nitems; k++) {
        const uint32_t *it = &tab[3 + 3 * k];
        if (it[0] == IR_EXN_CONTEXT)
            continue;
        uint32_t exn[X64_EXN_REGS];
        for (unsigned r = 0; r < X64_EXN_REGS; r++)
            exn[r] = x64_new_int(c);
        lower_edge(c, succs[1 + h++], it[2], sig, rets, exn);
    }
    free(succs);
    return true;
}

/* Right after a try_call's call: a jump over its table (x64.h). */
void x64_emit_exn_table(cg_buf *b, const cg_func *f, const cg_inst *in, uint32_t frame_off)
{
    const uint32_t *h = &f->vlist.v[in->disp];
    uint32_t n = h[0], ret = cg_buf_off(b), size = 12 + 12 * n;
    if (size < 128) {
        cg_put1(b, 0xeb);
        cg_put1(b, size);
    } else {
        cg_put1(b, 0xe9);
        cg_put4(b, size);
    }
    uint32_t table = cg_buf_off(b);
    cg_put4(b, X64_EXN_MAGIC);
    cg_put4(b, frame_off);
    cg_put4(b, n);
    for (uint32_t k = 0; k < n; k++) {
        cg_put4(b, h[1 + 3 * k]);
        cg_put4(b, h[2 + 3 * k]);
        cg_buf_fixup(b, cg_buf_off(b), h[3 + 3 * k], CG_FIX_DIFF32, (int32_t)ret);
        cg_put4(b, 0);
    }
    cg_buf_data(b, table, cg_buf_off(b) - table, CG_DATA_EXN_TABLE);
}
