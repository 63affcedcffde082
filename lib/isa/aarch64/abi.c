/* AAPCS64 as Cranelift implements it (isa/aarch64/abi.rs) for system_v,
 * fast and windows_fastcall, and its relatives: where each parameter and
 * return value lives.
 *
 *   integer arguments in x0-x7, floats and vectors (up to 128 bits) in
 *   v0-v7, the rest on the stack in 8-byte slots (a 128-bit vector in 16
 *   aligned bytes); an i128 takes an even/odd register pair or 16 aligned
 *   bytes; returns the same way (8 + 8 registers), further ones in a
 *   return area whose address is passed in x8.
 *   apple_aarch64: stack arguments packed at their natural size and
 *   alignment, i128 pairs need not start at an even register.
 *   tail: x0 holds the return area pointer and x1 is kept free, so
 *   arguments and returns start at x2; the callee pops its stack arguments.
 *
 * lib/codegen/abi.c does the rest with the primitives at the end. */
#include "a64.h"

#include <string.h>

bool a64_compute_locs(cg_abi *a, ir_callconv cc, const ir_abi_param *params, uint32_t nparams,
                      const ir_abi_param *rets_, uint32_t nrets, cg_sig *out, char *what, size_t wn)
{
    char tb[16];
    switch (cc) {
    case IR_CC_default: case IR_CC_system_v: case IR_CC_fast: case IR_CC_tail: case IR_CC_apple_aarch64:
    case IR_CC_windows_fastcall:
        break;
    default:
        snprintf(what, wn, "calling convention %s", ir_callconv_names[cc]);
        return false;
    }
    bool tail = cc == IR_CC_tail, apple = cc == IR_CC_apple_aarch64;
    out->ret_ptr_reg = tail ? A64_X0 : A64_X8;
    for (uint32_t pass = 0; pass < 2; pass++) {
        bool rets = pass == 0;      /* returns first: they decide the hidden argument */
        const ir_abi_param *ps = rets ? rets_ : params;
        uint32_t n = rets ? nrets : nparams;
        unsigned gpr = tail ? 2 : 0, fpr = 0;
        uint64_t stack = 0;     /* an sarg is up to 2^32 - 1 bytes */
        cg_locs_begin(a, out, rets);
        for (uint32_t i = 0; i < n; i++) {
            const ir_abi_param *p = &ps[i];
            cg_loc l = {p->type, p->ext, 1, {CG_STACK, CG_STACK}, 8, {0, 0}, 0};
            bool fl;
            if (!cg_type_ok(&a64_isa, p->type)) {
                snprintf(what, wn, "%s %s", ir_type_name(p->type, tb), rets ? "return value" : "parameter");
                return false;
            }
            if (p->purpose == IR_PURPOSE_SARG) {
                if (rets || p->type != IR_I64) {
                    snprintf(what, wn, "sarg %s", rets ? "return value" : "of a type other than i64");
                    return false;
                }
                stack = cg_loc_sarg(&l, stack, p->sarg_size);
                ir_vec_push(&a->locs, l);
                continue;
            }
            if (p->purpose == IR_PURPOSE_SRET && !rets) {
                if (p->type != IR_I64) {
                    snprintf(what, wn, "sret parameter of a type other than i64");
                    return false;
                }
                l.reg[0] = A64_X8;
                ir_vec_push(&a->locs, l);
                continue;
            }
            if (p->type == IR_I128) {
                l.nparts = 2;
                if (!apple && !tail && gpr % 2)
                    gpr++;
                if (gpr + 2 <= 8) {
                    l.reg[0] = (uint8_t)gpr, l.reg[1] = (uint8_t)(gpr + 1);
                    gpr += 2;
                } else {
                    stack = (stack + 15) & ~15ull;
                    l.off[0] = (uint32_t)stack, l.off[1] = (uint32_t)stack + 8;
                    stack += 16;
                }
            } else if ((fl = cg_type_cls(p->type) == CG_CLS_FLOAT) ? fpr < 8 : gpr < 8) {
                l.reg[0] = fl ? (uint8_t)(A64_V0 + fpr++) : (uint8_t)gpr++;
            } else {    /* at least 8 bytes but apple's; aligned to the size (16 for a q vector) */
                unsigned size = ir_type_bytes(p->type);
                if (!apple || (rets && p->ext != IR_EXT_NONE))
                    size = size < 8 ? 8 : size;
                l.size = (uint8_t)size;
                stack = (stack + size - 1) & ~(uint64_t)(size - 1);
                l.off[0] = (uint32_t)stack;
                stack += size;
            }
            ir_vec_push(&a->locs, l);
        }
        cg_locs_end(out, rets, n, stack, tail);
    }
    return true;
}


/* ---- the primitives the shared lowering emits through ------------------------- */

/* AAPCS64 preserves only the low 64 bits of v8-v15 across a call: in a
 * function with 128-bit float or vector values (wide_spill) the shared
 * call lowering uses clob_call_wide instead, as Cranelift does everywhere. */
unsigned a64_call_clobbers(const cg_ctx *c, ir_callconv cc)
{
    return A64_CLOB_CALL;
}

void a64_addi(cg_ctx *c, uint32_t dst, uint32_t src, int64_t imm)
{
    a64_alu_imm(c, A64_ADD, 8, dst, src, imm);
}
