/* The pass pipeline, pass selection (CLIFRUN_OPT), the function copy the
 * passes work on, and opt_compile, where the optimizer meets lib/codegen. */
#include "internal.h"
#include "verify/verify.h"

#include <string.h>

/* ---- pass selection -------------------------------------------------------------- */

static const struct { const char *name; unsigned bits; } pass_names[] = {
    {"fold", OPT_FOLD}, {"strength", OPT_STRENGTH}, {"gvn", OPT_GVN}, {"mem", OPT_MEM},
    {"licm", OPT_LICM}, {"dce", OPT_DCE}, {"promote", OPT_PROMOTE}, {"speed", OPT_ALL}, {"all", OPT_ALL}, {"none", 0},
};

bool opt_parse_passes(const char *s, unsigned *passes)
{
    *passes = 0;
    while (*s) {
        size_t n = strcspn(s, ",");
        bool known = false;
        for (size_t k = 0; k < sizeof pass_names / sizeof *pass_names; k++)
            if (strlen(pass_names[k].name) == n && !memcmp(s, pass_names[k].name, n)) {
                *passes |= pass_names[k].bits;
                known = true;
            }
        if (!known && n)
            return false;
        s += n + (s[n] == ',');
    }
    return true;
}

unsigned opt_default_passes(bool *force)
{
    static int cached = -1;
    static bool forced;
    if (cached < 0) {
        const char *e = getenv("CLIFRUN_OPT");
        unsigned p = OPT_ALL;
        forced = e && *e;
        if (forced && !opt_parse_passes(e, &p)) {
            fprintf(stderr, "clifrun: CLIFRUN_OPT: unknown pass in '%s' "
                    "(promote, fold, strength, gvn, mem, licm, dce, speed, none)\n", e);
            p = OPT_ALL;
        }
        cached = (int)p;
    }
    *force = forced;
    return (unsigned)cached;
}

/* ---- the pipeline ----------------------------------------------------------------- */

static void resolve_operand(void *arg, uint32_t *slot)
{
    *slot = ir_value_resolve(arg, *slot);
}

/* Operands name the values they stand for; aliases and the results of
 * removed instructions are no longer values, so a stale reference fails
 * the verifier instead of reaching code. */
static void tidy(ir_function *f)
{
    uint8_t *used = calloc(f->stack_slots.n + 1, 1);
    if (!used) {
        fputs("clifrun: out of memory\n", stderr);
        exit(3);
    }
    for (uint32_t li = 0; li < f->layout.n; li++)
        for (uint32_t i = f->blocks.v[f->layout.v[li]].first; i != IR_NONE; i = f->insts.v[i].next) {
            opt_each_operand(f, i, resolve_operand, f);
            const ir_inst_data *in = &f->insts.v[i];
            if (ir_opcodes[in->op].format == IR_FMT_StackAddr && in->ent < f->stack_slots.n)
                used[in->ent] = 1;
        }
    /* A slot nothing refers to any more (promoted, or its stores dead)
     * takes no room in the frame, unless an address of a slot escapes:
     * code may reach past that slot into its neighbours. */
    uint8_t *priv = opt_private_slots(f);
    bool all_private = true;
    for (uint32_t s = 0; s < f->stack_slots.n; s++)
        all_private &= !used[s] || priv[s];
    for (uint32_t s = 0; all_private && s < f->stack_slots.n; s++)
        if (!used[s] && !f->stack_slots.v[s].dynamic)
            f->stack_slots.v[s].size = 0;
    free(priv);
    free(used);
    for (uint32_t v = 0; v < f->values.n; v++) {
        ir_value_data *vd = &f->values.v[v];
        if (vd->kind == IR_VAL_ALIAS || (vd->kind == IR_VAL_RESULT && f->insts.v[vd->def].block == IR_NONE))
            vd->kind = IR_VAL_UNUSED;
    }
}

/* The flow graph again after a pass changed it; unreachable blocks go. */
static void rebuild(opt_fn *o)
{
    opt_cfg_build(o);
    if (o->nrpo < o->f->layout.n) {
        opt_cfg_prune(o);
        opt_cfg_build(o);
    }
}

bool opt_run(ir_function *f, unsigned passes, ir_diag *d)
{
    if (!f->layout.n || !passes)
        return true;
    opt_fn o = {.f = f, .d = d, .passes = passes};
    rebuild(&o);
    bool ok = true;
    if ((passes & OPT_FOLD) && opt_fold_branches(&o))
        rebuild(&o);
    if (passes & OPT_PROMOTE)
        opt_promote(&o);
    if (passes & (OPT_FOLD | OPT_STRENGTH | OPT_GVN))
        ok = opt_gvn(&o);
    if (ok && (passes & OPT_MEM)) {
        o.changed = false;
        ok = opt_mem(&o);
        if (ok && o.changed && (passes & (OPT_FOLD | OPT_STRENGTH | OPT_GVN)))
            ok = opt_gvn(&o);   /* forwarded values fold and merge further */
    }
    if (ok && (passes & OPT_FOLD) && opt_fold_branches(&o))
        rebuild(&o);
    if (ok && (passes & OPT_LICM)) {
        o.changed = false;
        ok = opt_licm(&o);
        if (ok && o.changed && (passes & OPT_GVN))
            ok = opt_gvn(&o);   /* what left different loops may now be equal */
    }
    if (ok && (passes & OPT_DCE))
        ok = opt_dce(&o);
    tidy(f);
    opt_cfg_free(&o);
    return ok;
}

/* ---- compiling ------------------------------------------------------------------- */

bool opt_compile(const cg_target *t, const ir_file *file, uint32_t func, cg_output *out, ir_diag *d)
{
    bool force;
    unsigned passes = opt_default_passes(&force);
    if (!(force ? passes != 0 : t->opt && passes))
        return cg_compile(t, file, func, out, d);
    static int check = -1;
    if (check < 0) {
        const char *e = getenv("CLIFRUN_OPT_VERIFY");
        check = e && *e && strcmp(e, "0") != 0;
    }
    const ir_function *src = file->funcs.v[func];
    ir_function fn;
    ir_function_copy(&fn, src);
    d->file = file->path;
    d->src = file->src;
    d->len = file->len;
    memset(out, 0, sizeof *out);
    bool ok = opt_run(&fn, passes, d);
    if (ok && check) {
        ir_diag vd = *d;
        if (!verify_function(&fn, &vd)) {
            ir_diag_set(d, vd.line, vd.col, "internal error: the optimized function does not verify: %s", vd.msg);
            ok = false;
        }
    }
    ok = ok && cg_compile_function(t, file, &fn, out, d);
    ir_function_free(&fn);
    return ok;
}
