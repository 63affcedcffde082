/* lib/verify/preamble.c: what the verifier checks before any instruction
 * (the global values, alias regions, entity references, entry block and
 * signatures), in Cranelift's order; verify.c walks the instructions. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

/* GlobalValueData::global_type: the declared type of a load or iadd_imm,
 * the ISA's pointer type for the others.  IR_TYPE_NONE without an ISA. */
ir_type verify_gv_type(const vctx *c, const ir_global_value *g)
{
    if (g->kind == IR_GV_LOAD || g->kind == IR_GV_IADD_IMM)
        return g->type;
    if (!c->isa || !c->isa->pointer_bits)
        return IR_TYPE_NONE;
    return c->isa->pointer_bits == 32 ? IR_I32 : IR_I64;
}

ir_type verify_pointer_type(const vctx *c)
{
    return !c->isa || !c->isa->pointer_bits ? IR_TYPE_NONE : c->isa->pointer_bits == 32 ? IR_I32 : IR_I64;
}

static bool has_vmctx_param(const ir_function *f)
{
    for (uint32_t i = 0; i < f->sig.nparams; i++)
        if (f->abi_params.v[f->sig.params + i].purpose == IR_PURPOSE_VMCTX)
            return true;
    return false;
}

/* Global values (verify_global_values): one cycle reported, at the first
 * global value found on it (colouring keeps the walk linear); bases exist;
 * vmctx declared; iadd_imm integer types; with an ISA, the base types.
 * Each error at its declaration; none stops the others. */
static void verify_global_values(vctx *c, uint8_t *state)
{
    const ir_function *f = c->f;
    uint32_t n = f->gvs.n;
    bool cycle_seen = false;
    /* state (zeroed by the caller): 0 new, 1 on the current chain, 2 done, 3 done and on a cycle */
    for (uint32_t gv = 0; gv < n; gv++) {
        if (!DEFINED(c, gv_defined, gv) || state[gv] >= 2)
            continue;
        uint32_t cur = gv;
        bool cyclic = false;
        for (;;) {
            const ir_global_value *g = &f->gvs.v[cur];
            state[cur] = 1;
            if (g->kind != IR_GV_LOAD && g->kind != IR_GV_IADD_IMM)
                break;
            if (!gv_ok(c, g->base)) {
                verify_note(c, AT(c, g), "gv%u: undefined global value gv%u", cur, g->base);
                break;
            }
            if (state[g->base] >= 2) {
                cyclic = state[g->base] == 3;
                break;
            }
            if (state[g->base] == 1) {
                cyclic = true;
                if (!cycle_seen) {
                    /* Cranelift lists the chain from gv up to the repeat */
                    char list[300];
                    int len = snprintf(list, sizeof list, "gv%u", gv);
                    for (uint32_t k = gv; k != cur && len < (int)sizeof list - 24;) {
                        k = f->gvs.v[k].base;
                        len += snprintf(list + len, sizeof list - (size_t)len, ", gv%u", k);
                    }
                    verify_note(c, AT(c, &f->gvs.v[gv]), "global value cycle: [%s]", list);
                    cycle_seen = true;
                }
                break;
            }
            cur = g->base;
        }
        /* everything on the chain: done (and whether it leads into a cycle) */
        for (cur = gv; cur < n && state[cur] == 1;) {
            state[cur] = cyclic ? 3 : 2;
            const ir_global_value *g = &f->gvs.v[cur];
            if ((g->kind != IR_GV_LOAD && g->kind != IR_GV_IADD_IMM) || !gv_ok(c, g->base))
                break;
            cur = g->base;
        }
    }
    bool vmctx = has_vmctx_param(f);
    char lb[48];
    for (uint32_t gv = 0; gv < n; gv++) {
        if (!DEFINED(c, gv_defined, gv) || state[gv] == 3)
            continue;
        const ir_global_value *g = &f->gvs.v[gv];
        if (g->kind == IR_GV_VMCTX && !vmctx)
            verify_note(c, AT(c, g), "undeclared vmctx reference gv%u", gv);
        if (g->kind == IR_GV_IADD_IMM && gv_ok(c, g->base)) {
            ir_type bt = verify_gv_type(c, &f->gvs.v[g->base]);
            if (!ir_type_is_int(g->type) || ir_type_is_vector(g->type))
                verify_note(c, AT(c, g), "iadd_imm global value with non-int type %s", verify_tname(c, g->type));
            else if (bt && !teq(g->type, bt))
                verify_note(c, AT(c, g), "iadd_imm type %s differs from operand type %s%s", verify_tname(c, g->type), verify_tname(c, bt),
                     verify_isa_label(c, lb));
        }
        if (g->kind == IR_GV_LOAD) {
            ir_type bt = gv_ok(c, g->base) ? verify_gv_type(c, &f->gvs.v[g->base]) : IR_TYPE_NONE, pt = verify_pointer_type(c);
            if (bt && pt && !teq(bt, pt))
                verify_note(c, AT(c, g), "base gv%u has type %s, which is not the pointer type %s%s", g->base, verify_tname(c, bt),
                     verify_tname(c, pt), verify_isa_label(c, lb));
            if (g->flags.region && !region_ok(c, g->flags.region - 1u))
                verify_note(c, AT(c, g), "undefined alias region region%u", g->flags.region - 1u);
        }
        if (g->kind == IR_GV_DYN_SCALE && !ir_type_is_vector(g->type))
            verify_note(c, AT(c, g), "gv%u: dyn_scale_target_const needs a vector type, got %s", gv, verify_tname(c, g->type));
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Alias regions (verify_alias_regions): each region whose user id an
 * earlier region has, at its own declaration. */
static void verify_alias_regions(vctx *c)
{
    const ir_function *f = c->f;
    if (f->regions.n < 2)
        return;
    uint32_t n = 0;
    uint64_t keys[256];         /* region numbers are below 255 */
    for (uint32_t i = 0; i < f->regions.n && n < 256; i++)
        if (DEFINED(c, region_defined, i))
            keys[n++] = (uint64_t)f->regions.v[i].user_id << 32 | i;
    qsort(keys, n, sizeof *keys, cmp_u64);
    for (uint32_t k = 1, first = 0; k < n; k++) {
        if (keys[k] >> 32 != keys[k - 1] >> 32) {
            first = k;
            continue;
        }
        uint32_t r = (uint32_t)keys[k], r0 = (uint32_t)keys[first];
        verify_note(c, AT(c, &f->regions.v[r]), "duplicate alias region user_id %u: region%u and region%u",
             f->regions.v[r].user_id, r0, r);
    }
}

/* Other preamble entities that name each other (the parser checks most). */
static void verify_preamble_refs(vctx *c)
{
    const ir_function *f = c->f;
    for (uint32_t i = 0; i < f->func_refs.n; i++)
        if (DEFINED(c, fn_defined, i) && !sig_ok(c, f->func_refs.v[i].sig))
            verify_note(c, AT(c, &f->func_refs.v[i]), "fn%u: undefined signature sig%u", i, f->func_refs.v[i].sig);
    for (uint32_t i = 0; i < f->dyn_types.n; i++)
        if (DEFINED(c, dt_defined, i) && !gv_ok(c, f->dyn_types.v[i].gv))
            verify_note(c, AT(c, &f->dyn_types.v[i]), "dt%u: undefined global value gv%u", i, f->dyn_types.v[i].gv);
    for (uint32_t i = 0; i < f->dyn_slots.n; i++)
        if (DEFINED(c, dss_defined, i) && !dt_ok(c, f->dyn_slots.v[i].dyn_type))
            verify_note(c, AT(c, &f->dyn_slots.v[i]), "dss%u: undefined dynamic type dt%u", i, f->dyn_slots.v[i].dyn_type);
    if (f->stack_limit != IR_NONE && !gv_ok(c, f->stack_limit))
        verify_note(c, f->line, f->col, "undefined global value gv%u", f->stack_limit);
}

static void verify_entry_block(vctx *c)
{
    const ir_function *f = c->f;
    if (c->entry == IR_NONE)
        return;
    const ir_block_data *bd = &f->blocks.v[c->entry];
    if (bd->nparams != f->sig.nparams) {
        verify_note(c, bd->line, bd->col, "entry block parameters (%u) must match function signature (%u)", bd->nparams,
             f->sig.nparams);
    } else {
        for (uint32_t i = 0; i < bd->nparams; i++) {
            const ir_abi_param *p = &f->abi_params.v[f->sig.params + i];
            ir_type t = vtype(f, f->pool.v[bd->params + i]);
            if (!teq(t, p->type))
                verify_note(c, bd->line, bd->col, "entry block parameter %u expected to have type %s, got %s", i,
                     verify_abiname(c, p), verify_tname(c, t));
        }
    }
    if (bd->cold)
        verify_note(c, bd->line, bd->col, "entry block cannot be marked as cold");
}

/* typecheck_function_signature of the function's own signature
 * (extensions are checked only there, as in Cranelift), each error at
 * the parameter or return it is about. */
static void verify_own_signature(vctx *c)
{
    const ir_function *f = c->f;
    const ir_signature *s = &f->sig;
    for (uint32_t k = 0; k < s->nparams + s->nrets; k++) {
        bool ret = k >= s->nparams;
        uint32_t i = ret ? k - s->nparams : k;
        const ir_abi_param *p = &f->abi_params.v[ret ? s->rets + i : s->params + i];
        const char *item = ret ? "Return value" : "Parameter";
        if (!p->type)
            verify_note(c, AT(c, p), "%s at position %u has an invalid type", item, i);
        if (ret && p->purpose == IR_PURPOSE_SARG)
            verify_note(c, AT(c, p), "%s at position %u can't be an struct argument", item, i);
        if (p->ext != IR_EXT_NONE && (!ir_type_is_int(p->type) || ir_type_is_vector(p->type)))
            verify_note(c, AT(c, p), "%s at position %u has invalid extension %s", item, i,
                 p->ext == IR_EXT_UEXT ? "Uext" : "Sext");
    }
}

/* verify_signatures: the function's own, those of function references
 * (reported at the reference), then every other declared signature; each
 * signature once. */
static void verify_signatures(vctx *c, uint8_t *done)
{
    const ir_function *f = c->f;
    static const char msg[] = "Signature with `preserve_all` ABI cannot have return values";
    if (f->sig.callconv == IR_CC_preserve_all && f->sig.nrets)
        verify_note(c, f->line, f->col, "%s", msg);
    /* done: zeroed by the caller */
    for (uint32_t i = 0; i < f->func_refs.n; i++) {
        uint32_t sig = f->func_refs.v[i].sig;
        if (!DEFINED(c, fn_defined, i) || !sig_ok(c, sig) || done[sig])
            continue;
        done[sig] = 1;
        if (f->sigs.v[sig].callconv == IR_CC_preserve_all && f->sigs.v[sig].nrets)
            verify_note(c, AT(c, &f->func_refs.v[i]), "%s", msg);
    }
    for (uint32_t i = 0; i < f->sigs.n; i++) {
        const ir_signature *s = &f->sigs.v[i];
        if (DEFINED(c, sig_defined, i) && !done[i] && s->callconv == IR_CC_preserve_all && s->nrets)
            verify_note(c, AT(c, s), "%s", msg);
    }
}

void verify_preamble(vctx *c, uint8_t *gvstate, uint8_t *sigdone)
{
    if (c->f->gvs.n)    /* most functions have none: no call */
        verify_global_values(c, gvstate);
    if (c->f->regions.n > 1)
        verify_alias_regions(c);
    verify_preamble_refs(c);
    verify_entry_block(c);
    verify_own_signature(c);
    verify_signatures(c, sigdone);
}
