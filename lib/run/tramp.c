/* lib/run/tramp.c: the call trampoline of a signature libffi cannot call,
 * built as a CLIF function (function_runner.rs: make_trampoline) that the
 * code generator compiles like any other.  For `(i128, i32x4) -> i8, f64
 * tail` it is:
 *
 *   function %__trampoline_f(i64, i64, i64) system_v {
 *       sig0 = (i128, i32x4) -> i8, f64 tail
 *   block0(v0: i64, v1: i64, v2: i64):      ; callee, args_buf, results_buf
 *       v3 = load.i128 notrap aligned v1
 *       v4 = load.i32x4 notrap aligned little v1+16
 *       v5, v6 = call_indirect sig0, v0(v3, v4)
 *       store notrap aligned v5, v2
 *       store notrap aligned v6, v2+16
 *       return
 *   }
 *
 * sig0 is the callee's signature as written, so its convention, `sarg`,
 * `sret`, `vmctx` and extensions are the call's business, as they are for
 * any call_indirect. */
#include "run.h"

#include <string.h>

/* A new instruction at the end of block 0, at the callee's line: its
 * operands are args, its results new values of the types rtypes. */
static uint32_t append(ir_function *f, ir_opcode op, ir_type type, const uint32_t *args, uint32_t nargs,
                       const ir_type *rtypes, uint32_t nres)
{
    uint32_t i = ir_inst_append(f, 0);
    ir_inst_data *in = &f->insts.v[i];
    in->op = (uint16_t)op;
    in->type = type;
    in->line = f->line, in->col = f->col;
    in->ent = IR_NONE;
    in->args = f->pool.n, in->nargs = (uint16_t)nargs;
    for (uint32_t k = 0; k < nargs; k++)
        ir_vec_push(&f->pool, args[k]);
    uint32_t res = f->pool.n;
    for (uint32_t k = 0; k < nres; k++)
        ir_vec_push(&f->pool, 0);
    for (uint32_t k = 0; k < nres; k++)
        f->pool.v[res + k] = ir_value_new(f, IR_VAL_RESULT, rtypes[k], i, k);
    f->insts.v[i].res = res, f->insts.v[i].nres = (uint16_t)nres;
    return i;
}

/* Slot access flags: the slots are 16-byte aligned and always mapped;
 * vectors little endian, as ir_data_value holds them. */
static ir_memflags slot_flags(ir_type t)
{
    uint8_t bits = IR_MF_ALIGNED | (ir_type_is_vector(t) ? IR_MF_LITTLE : 0);
    return (ir_memflags){.bits = bits, .trap = IR_TRAP_NONE};
}

void run_make_trampoline(const ir_function *fn, const ir_signature *sig, const char *name, ir_function *out)
{
    ir_function *f = out;
    ir_function_init(f);
    f->name = (ir_extname){.kind = IR_NAME_TESTCASE, .str = ir_arena_strndup(&f->arena, name, strlen(name))};
    f->line = fn->line, f->col = fn->col, f->end_line = fn->end_line;
    /* its own signature: three pointers, the host's C convention */
    for (int k = 0; k < 3; k++)
        ir_vec_push(&f->abi_params, ((ir_abi_param){.type = IR_I64}));
    f->sig = (ir_signature){.params = 0, .nparams = 3, .rets = 3, .callconv = IR_CC_system_v};
    /* sig0: the callee's */
    ir_signature s = *sig;
    s.params = f->abi_params.n;
    for (uint32_t k = 0; k < sig->nparams; k++)
        ir_vec_push(&f->abi_params, fn->abi_params.v[sig->params + k]);
    s.rets = f->abi_params.n;
    for (uint32_t k = 0; k < sig->nrets; k++)
        ir_vec_push(&f->abi_params, fn->abi_params.v[sig->rets + k]);
    ir_vec_push(&f->sigs, s);
    ir_vec_push(&f->sig_defined, 1);
    const ir_abi_param *ps = &f->abi_params.v[s.params], *rs = &f->abi_params.v[s.rets];

    ir_block_data b0 = {.params = f->pool.n, .nparams = 3, .first = IR_NONE, .last = IR_NONE,
                        .in_layout = true, .line = fn->line, .col = fn->col};
    ir_vec_push(&f->blocks, b0);
    ir_vec_push(&f->layout, 0);
    uint32_t v[3];
    for (uint32_t k = 0; k < 3; k++) {
        v[k] = ir_value_new(f, IR_VAL_PARAM, IR_I64, 0, k);
        ir_vec_push(&f->pool, v[k]);
    }
    /* the callee, then each argument loaded from its slot */
    uint32_t *cargs = ir_xmalloc((sig->nparams + 1) * sizeof *cargs);
    cargs[0] = v[0];
    for (uint32_t k = 0; k < s.nparams; k++) {
        uint32_t i = append(f, IR_OP_load, ps[k].type, &v[1], 1, &ps[k].type, 1);
        f->insts.v[i].mf = slot_flags(ps[k].type);
        f->insts.v[i].imm = (int64_t)k * RUN_SLOT_SIZE;
        cargs[k + 1] = f->pool.v[f->insts.v[i].res];
    }
    ir_type *rtypes = ir_xmalloc((s.nrets + 1) * sizeof *rtypes);
    for (uint32_t k = 0; k < s.nrets; k++)
        rtypes[k] = rs[k].type;
    uint32_t call = append(f, IR_OP_call_indirect, IR_I64, cargs, s.nparams + 1, rtypes, s.nrets);
    f->insts.v[call].ent = 0;
    /* each result to its slot */
    for (uint32_t k = 0; k < s.nrets; k++) {
        uint32_t sv[2] = {f->pool.v[f->insts.v[call].res + k], v[2]};
        uint32_t i = append(f, IR_OP_store, rtypes[k], sv, 2, NULL, 0);
        f->insts.v[i].mf = slot_flags(rtypes[k]);
        f->insts.v[i].imm = (int64_t)k * RUN_SLOT_SIZE;
    }
    append(f, IR_OP_return_, 0, NULL, 0, NULL, 0);
    free(cargs);
    free(rtypes);
}
