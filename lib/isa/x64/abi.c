/* System V AMD64 as Cranelift implements it (isa/x64/abi.rs), and its
 * relatives `fast` (the same), `tail` (more return registers; the callee
 * pops its stack arguments), `winch` and `windows_fastcall`: where each
 * parameter and return value lives.  Integer arguments in rdi rsi rdx rcx
 * r8 r9, floats and vectors in xmm0-7, the rest on the stack in 8-byte
 * slots (a vector in 16 aligned bytes); an i128 takes two registers or 16
 * aligned bytes.  Returns in rax rdx / xmm0 xmm1 (tail: eight of each),
 * further ones in a return area whose address is a hidden first argument
 * (rdi).  lib/codegen/abi.c does the rest with the primitives at the end. */
#include "x64.h"

#include <string.h>

/* Passed in an xmm register: floats and vectors. */
static bool xmm_type(ir_type t) { return ir_type_is_float(t) || ir_type_is_vector(t); }

static const uint8_t int_args[] = {X64_RDI, X64_RSI, X64_RDX, X64_RCX, X64_R8, X64_R9};
static const uint8_t int_rets[] = {X64_RAX, X64_RDX};
static const uint8_t tail_int_rets[] = {X64_RAX, X64_RCX, X64_RDX, X64_RSI, X64_RDI, X64_R8, X64_R9, X64_R10};
static const uint8_t win_int_args[] = {X64_RCX, X64_RDX, X64_R8, X64_R9};

/* windows_fastcall: registers by position (rcx rdx r8 r9 / xmm0-3), 32
 * bytes of shadow space before the stack arguments, one return register
 * per class. */
static bool win64_locs(cg_abi *a, const ir_abi_param *params, uint32_t nparams, const ir_abi_param *rets_,
                       uint32_t nrets, cg_sig *out, char *what, size_t wn)
{
    char tb[16];
    out->ret_ptr_reg = X64_RCX;
    for (uint32_t pass = 0; pass < 2; pass++) {
        bool rets = pass == 0;
        const ir_abi_param *ps = rets ? rets_ : params;
        uint32_t n = rets ? nrets : nparams;
        unsigned pos = !rets && out->ret_ptr, gpr = 0, xmm = 0;
        uint32_t stack = rets ? 0 : 32;
        cg_locs_begin(a, out, rets);
        for (uint32_t i = 0; i < n; i++, pos++) {
            const ir_abi_param *p = &ps[i];
            if (p->purpose == IR_PURPOSE_SARG || p->purpose == IR_PURPOSE_SRET || p->type == IR_I128 ||
                !(ir_type_is_int(p->type) || p->type == IR_F32 || p->type == IR_F64) || ir_type_is_vector(p->type)) {
                snprintf(what, wn, "%s %s with windows_fastcall", ir_type_name(p->type, tb),
                         rets ? "return value" : "parameter");
                return false;
            }
            bool fl = ir_type_is_float(p->type);
            cg_loc l = {p->type, p->ext, 1, {CG_STACK, CG_STACK}, 8, {0, 0}, 0};
            if (rets) {
                if (fl ? xmm < 1 : gpr < 2)
                    l.reg[0] = fl ? (uint8_t)(X64_XMM0 + xmm++) : int_rets[gpr++];
            } else if (pos < 4) {
                l.reg[0] = fl ? (uint8_t)(X64_XMM0 + pos) : win_int_args[pos];
            }
            if (l.reg[0] == CG_STACK)
                l.off[0] = stack, stack += 8;
            ir_vec_push(&a->locs, l);
        }
        cg_locs_end(out, rets, n, stack, false);
    }
    return true;
}

/* winch returns: the last in rax or xmm0, the others on the stack, packed
 * at their own size unless one has an extension (then 8-byte slots). */
static bool packed(const ir_abi_param *rets, uint32_t nrets)
{
    for (uint32_t i = 0; i < nrets; i++)
        if (rets[i].ext != IR_EXT_NONE)
            return false;
    return true;
}

static uint32_t winch_size(const cg_loc *l, bool packed)
{
    uint32_t size = l->nparts == 2 ? 8 : ir_type_bytes(l->type);
    return packed || size > 8 ? size : 8;
}

static void winch_ret(cg_loc *l, bool last, uint32_t *stack, bool packed)
{
    l->nparts = l->type == IR_I128 ? 2 : 1;
    uint32_t size = winch_size(l, packed);
    for (unsigned k = 0; k < l->nparts; k++) {
        if (last && k + 1 == l->nparts) {
            l->reg[k] = xmm_type(l->type) ? X64_XMM0 : X64_RAX;
        } else {
            if (!packed)
                *stack = (*stack + size - 1) & ~(size - 1);
            l->off[k] = *stack;
            *stack += size;
        }
    }
}

bool x64_compute_locs(cg_abi *a, ir_callconv cc, const ir_abi_param *params, uint32_t nparams,
                         const ir_abi_param *rets_, uint32_t nrets, cg_sig *out, char *what, size_t wn)
{
    char tb[16];
    switch (cc) {
    case IR_CC_default: case IR_CC_system_v: case IR_CC_fast: case IR_CC_tail: case IR_CC_winch:
        break;
    case IR_CC_windows_fastcall:
        return win64_locs(a, params, nparams, rets_, nrets, out, what, wn);
    default:
        snprintf(what, wn, "calling convention %s", ir_callconv_names[cc]);
        return false;
    }
    bool tail = cc == IR_CC_tail, winch = cc == IR_CC_winch;
    out->ret_ptr_reg = X64_RDI;
    for (uint32_t pass = 0; pass < 2; pass++) {
        bool rets = pass == 0;      /* returns first: they decide the hidden argument */
        const ir_abi_param *ps = rets ? rets_ : params;
        uint32_t n = rets ? nrets : nparams;
        const uint8_t *iregs = rets ? (tail ? tail_int_rets : int_rets) : int_args;
        unsigned nireg = rets ? (tail ? 8 : 2) : 6, nfreg = rets && !tail ? 2 : 8;
        unsigned gpr = !rets && out->ret_ptr, xmm = 0;
        uint32_t stack = 0;
        cg_locs_begin(a, out, rets);
        for (uint32_t i = 0; i < n; i++) {
            const ir_abi_param *p = &ps[i];
            if (p->purpose == IR_PURPOSE_SRET || (p->purpose == IR_PURPOSE_SARG && (rets || p->type != IR_I64))) {
                snprintf(what, wn, "%s", p->purpose == IR_PURPOSE_SRET ? "sret parameter"
                                         : rets ? "sarg return value" : "sarg of a type other than i64");
                return false;
            }
            if (!cg_type_ok(&x64_isa, p->type)) {
                snprintf(what, wn, "%s %s", ir_type_name(p->type, tb), rets ? "return value" : "parameter");
                return false;
            }
            cg_loc l = {p->type, p->ext, 1, {CG_STACK, CG_STACK}, 8, {0, 0}, 0};
            if (p->purpose == IR_PURPOSE_SARG) {
                /* the struct's bytes in the argument area, 8-aligned, as Cranelift's x64 ABI */
                stack = (uint32_t)cg_loc_sarg(&l, stack, p->sarg_size);
                ir_vec_push(&a->locs, l);
                continue;
            }
            if (winch && rets) {
                winch_ret(&l, i + 1 == n, &stack, packed(rets_, nrets));
            } else if (p->type == IR_I128 && !rets) {
                /* both halves in registers or both on the stack, 16-aligned */
                l.nparts = 2;
                if (gpr + 2 <= nireg) {
                    l.reg[0] = iregs[gpr], l.reg[1] = iregs[gpr + 1];
                } else {
                    stack = (stack + 15) & ~15u;
                    l.off[0] = stack, l.off[1] = stack + 8;
                    stack += 16;
                }
                gpr += 2;
            } else {
                l.nparts = p->type == IR_I128 ? 2 : 1;
                bool x = xmm_type(p->type);
                uint32_t sz = ir_type_bytes(p->type) > 8 && l.nparts == 1 ? 16 : 8;
                for (unsigned k = 0; k < l.nparts; k++) {
                    if (x ? xmm < nfreg : gpr < nireg) {
                        l.reg[k] = x ? (uint8_t)(X64_XMM0 + xmm++) : iregs[gpr++];
                    } else {    /* a vector takes 16 aligned bytes */
                        stack = (stack + sz - 1) & ~(sz - 1);
                        l.off[k] = stack, stack += sz;
                    }
                }
            }
            ir_vec_push(&a->locs, l);
        }
        if (winch && rets)      /* winch writes the first result at the highest offset */
            for (uint32_t i = 0; i < n; i++) {
                cg_loc *l = &a->locs.v[out->rets + i];
                for (unsigned k = 0; k < l->nparts; k++)
                    if (l->reg[k] == CG_STACK)
                        l->off[k] = stack - l->off[k] - winch_size(l, packed(rets_, nrets));
            }
        cg_locs_end(out, rets, n, stack, tail);
    }
    return true;
}

unsigned x64_call_clobbers(const cg_ctx *c, ir_callconv cc)
{
    return cc == IR_CC_windows_fastcall ? X64_CLOB_WIN64
           : cc == IR_CC_winch          ? X64_CLOB_ALL      /* winch saves nothing */
                                        : X64_CLOB_CALL;
}

/* ---- the primitives the shared lowering emits through ------------------------- */

void x64_add_imm(cg_ctx *c, uint32_t dst, uint32_t src, int64_t imm)
{
    if (imm == (int32_t)imm)
        x64_ri(c, X64_ALUI, X64_ADD, 8, dst, src, imm);
    else
        x64_rr(c, X64_ALU, X64_ADD, 8, dst, src, x64_movi(c, 8, imm));
}
