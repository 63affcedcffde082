/* The printer: canonical CLIF text after Cranelift's write.rs, so that
 * print -> parse -> print is the identity and the output reads back in
 * Cranelift.  Where write.rs loses information (memflags of atomics,
 * dynamic type declarations, user names of symbols) this prints what the
 * reader needs instead, and a vconst/f128const literal stays inline since
 * the IR has no constant pool entry for it; see the comments there. */
#include "ir.h"

#include <inttypes.h>
#include <string.h>

typedef struct printer {
    FILE *out;
    const ir_function *f;
    unsigned indent;          /* 4, or 36 when any instruction has a source location */
    uint32_t *alias_start;    /* aliases of value v: alias_list[alias_start[v] .. alias_start[v+1]) */
    uint32_t *alias_list;
    uint32_t *stack;          /* work stack for nested aliases */
    uint32_t *pos;            /* layout position of each instruction */
} printer;

/* ---- numbers ------------------------------------------------------------------ */

/* Hex in groups of four digits: 0xffff_ffff_fff8_4400 (write_hex). */
static void put_hex_groups(FILE *o, uint64_t x)
{
    unsigned lz = 0;
    while (lz < 64 && !(x >> (63 - lz) & 1))
        lz++;
    unsigned pos = (64 - lz - 1) & 0xf0;
    fprintf(o, "0x%04x", (unsigned)(x >> pos & 0xffff));
    while (pos > 0) {
        pos -= 16;
        fprintf(o, "_%04x", (unsigned)(x >> pos & 0xffff));
    }
}

/* Imm64: decimal below 10000 (and every negative), else grouped hex. */
static void put_imm64(FILE *o, int64_t x)
{
    if (x < 10000)
        fprintf(o, "%" PRId64, x);
    else
        put_hex_groups(o, (uint64_t)x);
}

/* Offset32: empty for 0, otherwise always signed. */
static void put_offset32(FILE *o, int64_t x)
{
    if (x == 0)
        return;
    fputc(x < 0 ? '-' : '+', o);
    uint64_t a = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
    if (a < 10000)
        fprintf(o, "%" PRIu64, a);
    else
        put_hex_groups(o, a);
}

static int64_t sext(int64_t x, unsigned bits)
{
    if (bits == 0 || bits >= 64)
        return x;
    unsigned d = 64 - bits;
    return (int64_t)((uint64_t)x << d) >> d;
}

/* ConstantData: 0x and the bytes from the most significant. */
static void put_bytes_hex(FILE *o, const uint8_t *b, uint32_t n)
{
    if (!n)
        return;
    fputs("0x", o);
    for (uint32_t i = n; i-- > 0;)
        fprintf(o, "%02x", b[i]);
}

static void put_ieee(FILE *o, unsigned bits, const uint8_t *b)
{
    char buf[64];
    ir_print_ieee(buf, sizeof buf, bits, b);
    fputs(buf, o);
}

/* ---- names, types, signatures --------------------------------------------------- */

static void put_type(FILE *o, ir_type t)
{
    char buf[16];
    if (t & IR_TYPE_DYNAMIC)
        fprintf(o, "dt%u", ir_type_dt(t));
    else
        fputs(ir_type_name(t, buf), o);
}

/* write.rs prints a user name of a symbol as `userextnameN`, which does not
 * read back; u<ns>:<index> does, so user names always print resolved
 * (but as write.rs does for ir_print_function_as_cranelift). */
static bool as_cranelift;

static bool before(const ir_extname *a, const ir_extname *b)
{
    return a->line < b->line || (a->line == b->line && a->col < b->col);
}

static bool same_user(const ir_extname *a, const ir_extname *b)
{
    return a->kind == IR_NAME_USER && b->kind == IR_NAME_USER && a->ns == b->ns && a->index == b->index;
}

/* Cranelift's UserExternalNameRef of a user name: the number of distinct
 * user names of the function's declarations met before its first use. */
static uint32_t user_ref_index(const ir_function *f, const ir_extname *n)
{
    const ir_extname *first = n;
    for (uint32_t k = 0; k < f->gvs.n; k++)
        if (same_user(&f->gvs.v[k].name, n) && before(&f->gvs.v[k].name, first))
            first = &f->gvs.v[k].name;
    for (uint32_t k = 0; k < f->func_refs.n; k++)
        if (same_user(&f->func_refs.v[k].name, n) && before(&f->func_refs.v[k].name, first))
            first = &f->func_refs.v[k].name;
    /* distinct names whose first mention is before `first` */
    uint32_t count = 0;
    for (uint32_t pass = 0; pass < 2; pass++)
        for (uint32_t k = 0; k < (pass ? f->func_refs.n : f->gvs.n); k++) {
            const ir_extname *m = pass ? &f->func_refs.v[k].name : &f->gvs.v[k].name;
            if (m->kind != IR_NAME_USER || !before(m, first))
                continue;
            bool earlier = false;      /* counted at an earlier mention */
            for (uint32_t q = 0; q < 2 && !earlier; q++)
                for (uint32_t j = 0; j < (q ? f->func_refs.n : f->gvs.n) && !earlier; j++) {
                    const ir_extname *x = q ? &f->func_refs.v[j].name : &f->gvs.v[j].name;
                    earlier = x != m && same_user(x, m) && before(x, m);
                }
            count += !earlier;
        }
    return count;
}

static void put_extname(FILE *o, const ir_function *f, const ir_extname *n)
{
    switch (n->kind) {
    case IR_NAME_TESTCASE:
    case IR_NAME_LIBCALL:
        fprintf(o, "%%%s", n->str ? n->str : "");
        break;
    case IR_NAME_USER:
        fprintf(o, "u%" PRIu32 ":%" PRIu32, n->ns, n->index);
        break;
    case IR_NAME_USERREF:
        if (f && n->index < f->user_names.n && f->user_names.v[n->index].kind == IR_NAME_USER)
            put_extname(o, f, &f->user_names.v[n->index]);
        else
            fprintf(o, "userextname%" PRIu32, n->index);
        break;
    default:
        fputs("%", o);
    }
}

static void put_abi_param(FILE *o, const ir_abi_param *a)
{
    put_type(o, a->type);
    if (a->ext == IR_EXT_UEXT)
        fputs(" uext", o);
    else if (a->ext == IR_EXT_SEXT)
        fputs(" sext", o);
    switch (a->purpose) {
    case IR_PURPOSE_SRET: fputs(" sret", o); break;
    case IR_PURPOSE_VMCTX: fputs(" vmctx", o); break;
    case IR_PURPOSE_SARG: fprintf(o, " sarg(%" PRIu32 ")", a->sarg_size); break;
    case IR_PURPOSE_STACK_LIMIT: fputs(" stack_limit", o); break; /* older releases */
    }
}

static void put_abi_list(FILE *o, const ir_function *f, uint32_t first, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            fputs(", ", o);
        put_abi_param(o, &f->abi_params.v[first + i]);
    }
}

static void put_signature(FILE *o, const ir_function *f, const ir_signature *s)
{
    fputc('(', o);
    put_abi_list(o, f, s->params, s->nparams);
    fputc(')', o);
    if (s->nrets) {
        fputs(" -> ", o);
        put_abi_list(o, f, s->rets, s->nrets);
    }
    /* no convention given and none chosen: print none rather than guess */
    if (s->callconv > 0 && s->callconv < IR_CC_COUNT)
        fprintf(o, " %s", ir_callconv_names[s->callconv]);
}

/* MachMemFlags then the alias region, each with a leading space. */
static void put_memflags(FILE *o, ir_memflags m)
{
    char buf[16];
    if (m.trap == IR_TRAP_NONE)
        fputs(" notrap", o);
    else if (m.trap != IR_TRAP_heap_oob)
        fprintf(o, " %s", ir_trapcode_name(m.trap, buf));
    if (m.bits & IR_MF_ALIGNED)
        fputs(" aligned", o);
    if (m.bits & IR_MF_READONLY)
        fputs(" readonly", o);
    if (m.bits & IR_MF_CAN_MOVE)
        fputs(" can_move", o);
    if (m.bits & IR_MF_BIG)
        fputs(" big", o);
    if (m.bits & IR_MF_LITTLE)
        fputs(" little", o);
    if (m.region)
        fprintf(o, " region%u", m.region - 1u);
}

/* ---- preamble ------------------------------------------------------------------ */

static bool defined(const uint8_t *bits, uint32_t n, uint32_t i) { return i < n && bits[i]; }

static void put_gv(FILE *o, const ir_function *f, const ir_global_value *g)
{
    char buf[16];
    switch (g->kind) {
    case IR_GV_VMCTX:
        fputs("vmctx", o);
        break;
    case IR_GV_LOAD:
        fprintf(o, "load.%s", ir_type_name(g->type, buf));
        put_memflags(o, g->flags);
        fprintf(o, " gv%" PRIu32, g->base);
        put_offset32(o, g->offset);
        break;
    case IR_GV_IADD_IMM:
        fprintf(o, "iadd_imm.%s gv%" PRIu32 ", ", ir_type_name(g->type, buf), g->base);
        put_imm64(o, g->offset);
        break;
    case IR_GV_SYMBOL:
        fputs("symbol ", o);
        if (g->colocated)
            fputs("colocated ", o);
        if (g->tls)
            fputs("tls ", o);
        if (as_cranelift && g->name.kind == IR_NAME_USER)
            fprintf(o, "userextname%" PRIu32, user_ref_index(f, &g->name));
        else
            put_extname(o, f, &g->name);
        /* `u1:2-8` lexes as one number, in Cranelift too: keep them apart */
        if (g->offset < 0 && g->name.kind == IR_NAME_USER)
            fputc(' ', o);
        if (g->offset > 0)
            fputc('+', o);
        if (g->offset != 0)
            put_imm64(o, g->offset);
        break;
    case IR_GV_DYN_SCALE:
        fprintf(o, "dyn_scale_target_const.%s", ir_type_name(g->type, buf));
        break;
    }
}

/* Cranelift's order (write_preamble), with dynamic types first: write.rs
 * omits them, but dynamic stack slots and instructions refer to them. */
static bool put_preamble(FILE *o, const ir_function *f)
{
    bool any = false;
    char buf[16];
    for (uint32_t i = 0; i < f->dyn_types.n; i++)
        if (defined(f->dt_defined.v, f->dt_defined.n, i)) {
            any = true;
            fprintf(o, "    dt%" PRIu32 " = %s*gv%" PRIu32 "\n", i,
                    ir_type_name(f->dyn_types.v[i].base, buf), f->dyn_types.v[i].gv);
        }
    for (uint32_t i = 0; i < f->dyn_slots.n; i++)
        if (defined(f->dss_defined.v, f->dss_defined.n, i)) {
            any = true;
            fprintf(o, "    dss%" PRIu32 " = explicit_dynamic_slot dt%" PRIu32 "\n", i,
                    f->dyn_slots.v[i].dyn_type);
        }
    for (uint32_t i = 0; i < f->stack_slots.n; i++)
        if (defined(f->ss_defined.v, f->ss_defined.n, i)) {
            const ir_stack_slot *ss = &f->stack_slots.v[i];
            any = true;
            fprintf(o, "    ss%" PRIu32 " = explicit_slot %" PRIu32, i, ss->size);
            if (ss->align_shift)
                fprintf(o, ", align = %" PRIu64, (uint64_t)1 << ss->align_shift);
            if (ss->has_key)
                fprintf(o, ", key = %" PRIu64, ss->key);
            fputc('\n', o);
        }
    for (uint32_t i = 0; i < f->regions.n; i++)
        if (defined(f->region_defined.v, f->region_defined.n, i)) {
            any = true;
            fprintf(o, "    region%" PRIu32 " = %" PRIu32 " \"%s\"\n", i, f->regions.v[i].user_id,
                    f->regions.v[i].desc ? f->regions.v[i].desc : "");
        }
    for (uint32_t i = 0; i < f->gvs.n; i++)
        if (defined(f->gv_defined.v, f->gv_defined.n, i)) {
            any = true;
            fprintf(o, "    gv%" PRIu32 " = ", i);
            put_gv(o, f, &f->gvs.v[i]);
            fputc('\n', o);
        }
    for (uint32_t i = 0; i < f->sigs.n; i++)
        if (defined(f->sig_defined.v, f->sig_defined.n, i)) {
            any = true;
            fprintf(o, "    sig%" PRIu32 " = ", i);
            put_signature(o, f, &f->sigs.v[i]);
            fputc('\n', o);
        }
    for (uint32_t i = 0; i < f->func_refs.n; i++)
        if (defined(f->fn_defined.v, f->fn_defined.n, i)) {
            const ir_func_ref *r = &f->func_refs.v[i];
            any = true;
            fprintf(o, "    fn%" PRIu32 " = %s%s", i, r->colocated ? "colocated " : "",
                    r->patchable ? "patchable " : "");
            put_extname(o, f, &r->name);
            fprintf(o, " sig%" PRIu32 "\n", r->sig);
        }
    for (uint32_t i = 0; i < f->constants.n; i++)
        if (defined(f->const_defined.v, f->const_defined.n, i)) {
            const ir_constant *c = &f->constants.v[i];
            any = true;
            fprintf(o, "    const%" PRIu32 " = ", i);
            put_bytes_hex(o, f->bytes.v + c->off, c->len);
            fputc('\n', o);
        }
    if (f->stack_limit != IR_NONE) {
        any = true;
        fprintf(o, "    stack_limit = gv%" PRIu32 "\n", f->stack_limit);
    }
    return any;
}

/* ---- instructions ---------------------------------------------------------------- */

static void put_block_call(FILE *o, const ir_function *f, uint32_t off)
{
    const uint32_t *p = &f->pool.v[off];
    fprintf(o, "block%" PRIu32, p[0]);
    if (!p[1])
        return;
    fputc('(', o);
    for (uint32_t i = 0; i < p[1]; i++) {
        uint32_t a = p[2 + i];
        if (i)
            fputs(", ", o);
        switch (IR_BLOCKARG_KIND(a)) {
        case IR_BLOCKARG_RET: fprintf(o, "ret%" PRIu32, IR_BLOCKARG_INDEX(a)); break;
        case IR_BLOCKARG_EXN: fprintf(o, "exn%" PRIu32, IR_BLOCKARG_INDEX(a)); break;
        default: fprintf(o, "v%" PRIu32, IR_BLOCKARG_INDEX(a));
        }
    }
    fputc(')', o);
}

static void put_values(FILE *o, const uint32_t *v, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        fprintf(o, i ? ", v%" PRIu32 : "v%" PRIu32, v[i]);
}

/* DisplayExceptionTable: sigN, normal, [ tagN: bc, default: bc, context vN ] */
static void put_exception_table(FILE *o, const ir_function *f, uint32_t off)
{
    const uint32_t *p = &f->pool.v[off];
    fprintf(o, "sig%" PRIu32 ", ", p[0]);
    put_block_call(o, f, p[1]);
    fputs(", [", o);
    for (uint32_t i = 0; i < p[2]; i++) {
        const uint32_t *it = &p[3 + 3 * i];
        fputs(i ? ", " : " ", o);
        if (it[0] == IR_EXN_CONTEXT) {
            fprintf(o, "context v%" PRIu32, it[1]);
            continue;
        }
        if (it[0] == IR_EXN_TAG)
            fprintf(o, "tag%" PRIu32 ": ", it[1]);
        else
            fputs("default: ", o);
        put_block_call(o, f, it[2]);
    }
    fputs(p[2] ? " ]" : "]", o);
}

/* The block that defines v (after aliases), IR_NONE if none. */
static uint32_t def_block(const ir_function *f, uint32_t v)
{
    v = ir_value_resolve(f, v);
    if (v >= f->values.n)
        return IR_NONE;
    const ir_value_data *d = &f->values.v[v];
    if (d->kind == IR_VAL_PARAM)
        return d->def;
    if (d->kind == IR_VAL_RESULT && d->def < f->insts.n)
        return f->insts.v[d->def].block;
    return IR_NONE;
}

/* write.rs type_suffix: a polymorphic opcode gets `.type` unless its
 * controlling type comes from an operand defined in the same block.  Also,
 * for invalid IR to read back the same, when that operand is defined
 * further down or its type is not the controlling type. */
static bool needs_suffix(const printer *pr, uint32_t i)
{
    const ir_function *f = pr->f;
    const ir_inst_data *in = &f->insts.v[i];
    const ir_opinfo *info = &ir_opcodes[in->op];
    if (!info->ctrl[0])
        return false;
    int k = ir_op_ctrl_arg((ir_opcode)in->op); /* Cranelift's typevar operand */
    if (k < 0)
        return true;
    if (k >= in->nargs)
        return true;
    uint32_t v = ir_value_resolve(f, f->pool.v[in->args + (uint32_t)k]);
    uint32_t b = def_block(f, v);
    if (b == IR_NONE || b != in->block)
        return true;
    const ir_value_data *d = &f->values.v[v];
    if (d->type != in->type)
        return true; /* a suffix that disagrees with the operand: keep it */
    return d->kind == IR_VAL_RESULT && pr->pos[d->def] >= pr->pos[i];
}

/* Does instruction i define a constant (iconst, f32const, vconst ...)? */
static bool is_const_format(const ir_function *f, uint32_t i)
{
    switch ((ir_format)ir_opcodes[f->insts.v[i].op].format) {
    case IR_FMT_UnaryImm:
    case IR_FMT_UnaryIeee16:
    case IR_FMT_UnaryIeee32:
    case IR_FMT_UnaryIeee64:
    case IR_FMT_UnaryIeee128:
    case IR_FMT_UnaryConst:
        return true;
    default:
        return false;
    }
}

/* The immediate a constant-defining instruction stands for, as the
 * `; v1 = 42` comments show it. */
static void put_const_of(FILE *o, const ir_function *f, uint32_t src)
{
    const ir_inst_data *in = &f->insts.v[src];
    uint8_t b[16];
    switch ((ir_format)ir_opcodes[in->op].format) {
    case IR_FMT_UnaryImm:
        put_imm64(o, sext(in->imm, ir_type_bits(in->type)));
        break;
    case IR_FMT_UnaryIeee16:
    case IR_FMT_UnaryIeee32:
    case IR_FMT_UnaryIeee64: {
        unsigned bits = ir_opcodes[in->op].format == IR_FMT_UnaryIeee16 ? 16 : ir_opcodes[in->op].format == IR_FMT_UnaryIeee32 ? 32 : 64;
        for (unsigned k = 0; k < 8; k++)
            b[k] = (uint8_t)((uint64_t)in->imm >> (8 * k));
        put_ieee(o, bits, b);
        break;
    }
    case IR_FMT_UnaryIeee128:
    case IR_FMT_UnaryConst:
        if (in->op == IR_OP_f128const) {
            const uint8_t *p = NULL;
            if (in->ent == IR_NONE)
                p = f->bytes.v + in->imm;
            else if (in->ent < f->constants.n && f->constants.v[in->ent].len == 16)
                p = f->bytes.v + f->constants.v[in->ent].off;
            if (p)
                put_ieee(o, 128, p);
            else
                fprintf(o, "const%" PRIu32, in->ent);
        } else if (in->ent != IR_NONE) {
            fprintf(o, "const%" PRIu32, in->ent);
        } else {
            put_bytes_hex(o, f->bytes.v + in->imm, ir_type_bytes(in->type & 0xff));
        }
        break;
    default:
        break;
    }
}

static void comment_value(FILE *o, const ir_function *f, uint32_t v, const char **sep)
{
    uint32_t r = ir_value_resolve(f, v);
    if (r >= f->values.n || f->values.v[r].kind != IR_VAL_RESULT || f->values.v[r].def >= f->insts.n ||
        !is_const_format(f, f->values.v[r].def))
        return;
    fprintf(o, "%sv%" PRIu32 " = ", *sep, v);
    put_const_of(o, f, f->values.v[r].def);
    *sep = ", ";
}

static void comment_block_call(FILE *o, const ir_function *f, uint32_t off, const char **sep)
{
    const uint32_t *p = &f->pool.v[off];
    for (uint32_t i = 0; i < p[1]; i++)
        if (IR_BLOCKARG_KIND(p[2 + i]) == IR_BLOCKARG_VALUE)
            comment_value(o, f, IR_BLOCKARG_INDEX(p[2 + i]), sep);
}

/* `  ; v1 = 42, v2 = 0x1.0p0` for operands defined by constants, in the
 * order of dfg.inst_values: arguments, branch arguments, contexts. */
static void put_operand_comments(FILE *o, const ir_function *f, uint32_t i)
{
    const ir_inst_data *in = &f->insts.v[i];
    const char *sep = "  ; ";
    for (uint32_t k = 0; k < in->nargs; k++)
        comment_value(o, f, f->pool.v[in->args + k], &sep);
    const uint32_t *p;
    switch ((ir_format)ir_opcodes[in->op].format) {
    case IR_FMT_Jump:
        comment_block_call(o, f, in->ent, &sep);
        break;
    case IR_FMT_Brif:
        comment_block_call(o, f, f->pool.v[in->ent], &sep);
        comment_block_call(o, f, f->pool.v[in->ent + 1], &sep);
        break;
    case IR_FMT_BranchTable:
        p = &f->pool.v[in->ent];
        for (uint32_t k = 0; k < p[0]; k++)
            comment_block_call(o, f, p[1 + k], &sep);
        break;
    case IR_FMT_TryCall:
    case IR_FMT_TryCallIndirect:
        p = &f->pool.v[(uint32_t)in->imm];
        for (uint32_t k = 0; k < p[2]; k++)
            if (p[3 + 3 * k] != IR_EXN_CONTEXT)
                comment_block_call(o, f, p[3 + 3 * k + 2], &sep);
        comment_block_call(o, f, p[1], &sep);
        for (uint32_t k = 0; k < p[2]; k++)
            if (p[3 + 3 * k] == IR_EXN_CONTEXT)
                comment_value(o, f, p[3 + 3 * k + 1], &sep);
        break;
    default:
        break;
    }
}

/* write_operands: everything after the opcode, with its leading space. */
static void put_operands(FILE *o, const ir_function *f, uint32_t i)
{
    const ir_inst_data *in = &f->insts.v[i];
    const uint32_t *a = ir_pool_at(f, in->args);
    char buf[16];
    switch ((ir_format)ir_opcodes[in->op].format) {
    case IR_FMT_AtomicRmw:
        /* write.rs drops the memflags here; print them so they survive */
        put_memflags(o, in->mf);
        fprintf(o, " %s v%" PRIu32 ", v%" PRIu32,
                in->cond < IR_RMW_COUNT ? ir_atomic_rmw_names[in->cond] : "?", a[0], a[1]);
        break;
    case IR_FMT_AtomicCas:
        put_memflags(o, in->mf);
        fprintf(o, " v%" PRIu32 ", v%" PRIu32 ", v%" PRIu32, a[0], a[1], a[2]);
        break;
    case IR_FMT_LoadNoOffset:
        put_memflags(o, in->mf);
        fprintf(o, " v%" PRIu32, a[0]);
        break;
    case IR_FMT_StoreNoOffset:
        put_memflags(o, in->mf);
        fprintf(o, " v%" PRIu32 ", v%" PRIu32, a[0], a[1]);
        break;
    case IR_FMT_Unary:
        fprintf(o, " v%" PRIu32, a[0]);
        break;
    case IR_FMT_UnaryImm:
        fputc(' ', o);
        put_imm64(o, sext(in->imm, ir_type_bits(in->type)));
        break;
    case IR_FMT_UnaryIeee16:
    case IR_FMT_UnaryIeee32:
    case IR_FMT_UnaryIeee64:
    case IR_FMT_UnaryIeee128:
    case IR_FMT_UnaryConst:
        /* a literal operand prints inline: the IR keeps no constant pool entry for it */
        if (in->ent != IR_NONE && (in->op == IR_OP_f128const || ir_opcodes[in->op].format == IR_FMT_UnaryConst))
            fprintf(o, " const%" PRIu32, in->ent);
        else {
            fputc(' ', o);
            put_const_of(o, f, i);
        }
        break;
    case IR_FMT_UnaryGlobalValue:
        fprintf(o, " gv%" PRIu32, in->ent);
        break;
    case IR_FMT_Binary:
        fprintf(o, " v%" PRIu32 ", v%" PRIu32, a[0], a[1]);
        break;
    case IR_FMT_BinaryImm8:
        fprintf(o, " v%" PRIu32 ", %u", a[0], (unsigned)(uint8_t)in->imm);
        break;
    case IR_FMT_Ternary:
        fprintf(o, " v%" PRIu32 ", v%" PRIu32 ", v%" PRIu32, a[0], a[1], a[2]);
        break;
    case IR_FMT_MultiAry:
        if (in->nargs) {
            fputc(' ', o);
            put_values(o, a, in->nargs);
        }
        break;
    case IR_FMT_NullAry:
        fputc(' ', o); /* as write.rs */
        break;
    case IR_FMT_TernaryImm8:
        fprintf(o, " v%" PRIu32 ", v%" PRIu32 ", %u", a[0], a[1], (unsigned)(uint8_t)in->imm);
        break;
    case IR_FMT_Shuffle:
        fprintf(o, " v%" PRIu32 ", v%" PRIu32 ", ", a[0], a[1]);
        put_bytes_hex(o, f->bytes.v + in->imm, 16);
        break;
    case IR_FMT_IntCompare:
        fprintf(o, " %s v%" PRIu32 ", v%" PRIu32,
                in->cond < IR_INTCC_COUNT ? ir_intcc_names[in->cond] : "?", a[0], a[1]);
        break;
    case IR_FMT_FloatCompare:
        fprintf(o, " %s v%" PRIu32 ", v%" PRIu32,
                in->cond < IR_FLOATCC_COUNT ? ir_floatcc_names[in->cond] : "?", a[0], a[1]);
        break;
    case IR_FMT_IntAddTrap:
        fprintf(o, " v%" PRIu32 ", v%" PRIu32 ", %s", a[0], a[1], ir_trapcode_name(in->trap, buf));
        break;
    case IR_FMT_Jump:
        fputc(' ', o);
        put_block_call(o, f, in->ent);
        break;
    case IR_FMT_Brif:
        fprintf(o, " v%" PRIu32 ", ", a[0]);
        put_block_call(o, f, f->pool.v[in->ent]);
        fputs(", ", o);
        put_block_call(o, f, f->pool.v[in->ent + 1]);
        break;
    case IR_FMT_BranchTable: {
        const uint32_t *p = &f->pool.v[in->ent];
        fprintf(o, " v%" PRIu32 ", ", a[0]);
        if (p[0])
            put_block_call(o, f, p[1]);
        fputs(", [", o);
        for (uint32_t k = 1; k < p[0]; k++) {
            if (k > 1)
                fputs(", ", o);
            put_block_call(o, f, p[1 + k]);
        }
        fputc(']', o);
        break;
    }
    case IR_FMT_Call:
        fprintf(o, " fn%" PRIu32 "(", in->ent);
        put_values(o, a, in->nargs);
        fputc(')', o);
        break;
    case IR_FMT_CallIndirect:
        fprintf(o, " sig%" PRIu32 ", v%" PRIu32 "(", in->ent, a[0]);
        put_values(o, a + 1, in->nargs ? in->nargs - 1u : 0);
        fputc(')', o);
        break;
    case IR_FMT_TryCall:
        fprintf(o, " fn%" PRIu32 "(", in->ent);
        put_values(o, a, in->nargs);
        fputs("), ", o);
        put_exception_table(o, f, (uint32_t)in->imm);
        break;
    case IR_FMT_TryCallIndirect:
        fprintf(o, " v%" PRIu32 "(", a[0]);
        put_values(o, a + 1, in->nargs ? in->nargs - 1u : 0);
        fputs("), ", o);
        put_exception_table(o, f, (uint32_t)in->imm);
        break;
    case IR_FMT_FuncAddr:
        fprintf(o, " fn%" PRIu32, in->ent);
        break;
    case IR_FMT_StackAddr:
    case IR_FMT_StackLoad:
        fprintf(o, " ss%" PRIu32, in->ent);
        put_offset32(o, in->imm);
        break;
    case IR_FMT_DynamicStackAddr:
    case IR_FMT_DynamicStackLoad:
        fprintf(o, " dss%" PRIu32, in->ent);
        break;
    case IR_FMT_Load:
        put_memflags(o, in->mf);
        fprintf(o, " v%" PRIu32, a[0]);
        put_offset32(o, in->imm);
        break;
    case IR_FMT_Store:
        put_memflags(o, in->mf);
        fprintf(o, " v%" PRIu32 ", v%" PRIu32, a[0], a[1]);
        put_offset32(o, in->imm);
        break;
    case IR_FMT_Trap:
        fprintf(o, " %s", ir_trapcode_name(in->trap, buf));
        break;
    case IR_FMT_CondTrap:
        fprintf(o, " v%" PRIu32 ", %s", a[0], ir_trapcode_name(in->trap, buf));
        break;
    case IR_FMT_ExceptionHandlerAddress:
        fprintf(o, " block%" PRIu32 ", ", in->ent);
        put_imm64(o, in->imm);
        break;
    /* removed opcodes, printed as the last release that had them did */
    case IR_FMT_BinaryImm64:
        fprintf(o, " v%" PRIu32 ", ", a[0]);
        put_imm64(o, sext(in->imm, ir_type_bits(in->type)));
        break;
    case IR_FMT_IntCompareImm:
        fprintf(o, " %s v%" PRIu32 ", ", in->cond < IR_INTCC_COUNT ? ir_intcc_names[in->cond] : "?", a[0]);
        put_imm64(o, sext(in->imm, ir_type_bits(in->type)));
        break;
    case IR_FMT_StackStore:
        fprintf(o, " v%" PRIu32 ", ss%" PRIu32, a[0], in->ent);
        put_offset32(o, in->imm);
        break;
    case IR_FMT_DynamicStackStore:
        fprintf(o, " v%" PRIu32 ", dss%" PRIu32, a[0], in->ent);
        break;
    case IR_FMT_TableAddr:
    case IR_FMT_COUNT:
        break;
    }
}

/* write_value_aliases: `vA -> vT` for every alias of target, depth first. */
static void put_aliases(printer *pr, uint32_t target)
{
    const ir_function *f = pr->f;
    if (!pr->alias_start || target >= f->values.n)
        return;
    uint32_t sp = 0;
    pr->stack[sp++] = target;
    while (sp) {
        uint32_t t = pr->stack[--sp];
        for (uint32_t k = pr->alias_start[t]; k < pr->alias_start[t + 1]; k++) {
            uint32_t a = pr->alias_list[k];
            fprintf(pr->out, "%*sv%" PRIu32 " -> v%" PRIu32 "\n", (int)pr->indent, "", a, t);
            pr->stack[sp++] = a; /* each value is pushed at most once: no cycles */
        }
    }
}

/* write.rs: `, stack_map=[i32 @ ss0+4, ...]` after a call's operands. */
static void put_stack_map(FILE *o, const ir_function *f, uint32_t i)
{
    bool any = false;
    char tb[16];
    for (uint32_t k = 0; k < f->stack_maps.n; k++) {
        const ir_stack_map_entry *e = &f->stack_maps.v[k];
        if (e->inst != i)
            continue;
        fprintf(o, "%s%s @ ss%" PRIu32 "+%" PRIu32, any ? ", " : ", stack_map=[", ir_type_name(e->type, tb),
                e->slot, e->offset);
        any = true;
    }
    if (any)
        fputc(']', o);
}

static void put_inst(printer *pr, uint32_t i)
{
    FILE *o = pr->out;
    const ir_function *f = pr->f;
    const ir_inst_data *in = &f->insts.v[i];
    char loc[16] = "";
    if (in->srcloc != IR_NONE)
        snprintf(loc, sizeof loc, "@%04" PRIx32 " ", in->srcloc);
    fprintf(o, "%-*s", (int)pr->indent, loc);
    const uint32_t *r = ir_pool_at(f, in->res);
    if (in->nres) {
        put_values(o, r, in->nres);
        fputs(" = ", o);
    }
    fputs(ir_opcodes[in->op].name, o);
    if (needs_suffix(pr, i)) {
        fputc('.', o);
        put_type(o, in->type);
    }
    put_operands(o, f, i);
    put_stack_map(o, f, i);
    put_operand_comments(o, f, i);
    fputc('\n', o);
    for (uint32_t k = 0; k < in->nres; k++)
        put_aliases(pr, r[k]);
}

void ir_print_inst(FILE *out, const ir_function *f, uint32_t inst, const uint32_t *pos)
{
    printer pr = {.out = out, .f = f, .pos = (uint32_t *)pos};
    const ir_inst_data *in = &f->insts.v[inst];
    if (in->nres) {
        put_values(out, &f->pool.v[in->res], in->nres);
        fputs(" = ", out);
    }
    fputs(ir_opcodes[in->op].name, out);
    if (needs_suffix(&pr, inst)) {
        fputc('.', out);
        put_type(out, in->type);
    }
    put_operands(out, f, inst);
}

uint32_t *ir_layout_positions(const ir_function *f)
{
    uint32_t *pos = calloc((size_t)f->insts.n + 1, sizeof *pos), seq = 0;
    if (!pos) {
        fputs("clifrun: out of memory\n", stderr);
        exit(3);
    }
    for (uint32_t k = 0; k < f->layout.n; k++)
        for (uint32_t i = f->blocks.v[f->layout.v[k]].first; i != IR_NONE; i = f->insts.v[i].next)
            pos[i] = seq++;
    return pos;
}

static void put_block(printer *pr, uint32_t b)
{
    FILE *o = pr->out;
    const ir_function *f = pr->f;
    const ir_block_data *bd = &f->blocks.v[b];
    fprintf(o, "%*sblock%" PRIu32, (int)pr->indent - 4, "", b);
    if (bd->nparams) {
        fputc('(', o);
        for (uint32_t k = 0; k < bd->nparams; k++) {
            uint32_t v = f->pool.v[bd->params + k];
            fprintf(o, k ? ", v%" PRIu32 ": " : "v%" PRIu32 ": ", v);
            put_type(o, v < f->values.n ? f->values.v[v].type : 0);
        }
        fputc(')', o);
    }
    fputs(bd->cold ? " cold:\n" : ":\n", o);
    for (uint32_t k = 0; k < bd->nparams; k++)
        put_aliases(pr, f->pool.v[bd->params + k]);
    for (uint32_t i = bd->first; i != IR_NONE; i = f->insts.v[i].next)
        put_inst(pr, i);
}

/* The reverse alias map of write.rs alias_map, as one array per target. */
static void build_aliases(printer *pr)
{
    const ir_function *f = pr->f;
    uint32_t n = f->values.n, count = 0;
    for (uint32_t v = 0; v < n; v++)
        count += f->values.v[v].kind == IR_VAL_ALIAS && f->values.v[v].def < n;
    if (!count)
        return;
    pr->alias_start = ir_xcalloc((size_t)n + 2, sizeof *pr->alias_start);
    pr->alias_list = ir_xmalloc(count * sizeof *pr->alias_list);
    pr->stack = ir_xmalloc(((size_t)count + 1) * sizeof *pr->stack);
    /* counting sort by target keeps each list in value order */
    for (uint32_t v = 0; v < n; v++)
        if (f->values.v[v].kind == IR_VAL_ALIAS && f->values.v[v].def < n)
            pr->alias_start[f->values.v[v].def + 2]++;
    for (uint32_t t = 0; t < n; t++)
        pr->alias_start[t + 2] += pr->alias_start[t + 1];
    for (uint32_t v = 0; v < n; v++)
        if (f->values.v[v].kind == IR_VAL_ALIAS && f->values.v[v].def < n)
            pr->alias_list[pr->alias_start[f->values.v[v].def + 1]++] = v;
}

void ir_print_set_cranelift_display(bool on) { as_cranelift = on; }

void ir_print_function_as_cranelift(FILE *out, const ir_function *f)
{
    as_cranelift = true;
    ir_print_function(out, f);
    as_cranelift = false;
}

void ir_print_function(FILE *out, const ir_function *f)
{
    printer pr = {.out = out, .f = f, .indent = 4};
    for (uint32_t i = 0; i < f->insts.n; i++)
        if (f->insts.v[i].srcloc != IR_NONE && f->insts.v[i].block != IR_NONE)
            pr.indent = 36;
    pr.pos = ir_xcalloc((size_t)f->insts.n + 1, sizeof *pr.pos);
    uint32_t seq = 0;
    for (uint32_t k = 0; k < f->layout.n; k++)
        for (uint32_t i = f->blocks.v[f->layout.v[k]].first; i != IR_NONE; i = f->insts.v[i].next)
            pr.pos[i] = seq++;
    build_aliases(&pr);
    fputs("function ", out);
    put_extname(out, f, &f->name);
    put_signature(out, f, &f->sig);
    fputs(" {\n", out);
    bool any = put_preamble(out, f);
    for (uint32_t k = 0; k < f->layout.n; k++) {
        if (any)
            fputc('\n', out);
        put_block(&pr, f->layout.v[k]);
        any = true;
    }
    fputs("}\n", out);
    free(pr.alias_start);
    free(pr.alias_list);
    free(pr.stack);
    free(pr.pos);
}

/* ---- files ------------------------------------------------------------------------ */

/* DataValue's Display: integers in signed decimal, floats as immediates,
 * vectors as constant data (hex). */
static void put_data_value(FILE *o, const ir_data_value *d)
{
    char buf[64];
    ir_type t = d->type;
    if (ir_type_is_vector(t)) {
        unsigned n = ir_type_bytes(t & 0xff);
        put_bytes_hex(o, d->bytes, n > 16 ? 16 : n);
    } else if (ir_type_is_float(t)) {
        put_ieee(o, ir_type_lane_bits(t), d->bytes);
    } else {
        unsigned bits = ir_type_lane_bits(t);
        unsigned __int128 u = 0;
        for (unsigned k = 0; k < bits / 8 && k < 16; k++)
            u |= (unsigned __int128)d->bytes[k] << (8 * k);
        if (bits && bits < 128 && (u >> (bits - 1) & 1))
            u |= ~(unsigned __int128)0 << bits; /* sign-extend */
        ir_print_i128(buf, sizeof buf, (__int128)u);
        fputs(buf, o);
    }
}

static void put_data_values(FILE *o, const ir_file *file, uint32_t first, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            fputs(", ", o);
        put_data_value(o, &file->data.v[first + i]);
    }
}

static void put_run(FILE *o, const ir_file *file, const ir_run_cmd *r)
{
    const char *kind = r->kind == IR_RUN_PRINT ? "print" : "run";
    if (!r->name) {             /* bare `; run` / `; print` */
        fprintf(o, "; %s\n", kind);
        return;
    }
    fprintf(o, "; %s: %s(", kind, r->name);
    put_data_values(o, file, r->args, r->nargs);
    fputc(')', o);
    if (r->kind == IR_RUN_RUN && r->cmp != IR_CMP_NONE) {
        fputs(r->cmp == IR_CMP_EQ ? " == " : " != ", o);
        bool bracket = r->nexpect != 1;  /* DisplayDataValues */
        if (bracket)
            fputc('[', o);
        put_data_values(o, file, r->expect, r->nexpect);
        if (bracket)
            fputc(']', o);
    }
    fputc('\n', o);
}

static void put_setting(FILE *o, const ir_setting *s)
{
    fputs(s->name, o);
    if (s->value)
        fprintf(o, "=%s", s->value);
}

void ir_print_file(FILE *out, const ir_file *file)
{
    bool header = false;
    for (uint32_t i = 0; i < file->tests.n; i++, header = true)
        fprintf(out, "test %s\n", file->tests.v[i]);
    uint32_t s = 0;
    for (uint32_t t = 0; t < file->targets.n; t++) {
        const ir_target *tg = &file->targets.v[t];
        for (; s < tg->settings && s < file->settings.n; s++, header = true) {
            fputs("set ", out);
            put_setting(out, &file->settings.v[s]);
            fputc('\n', out);
        }
        fprintf(out, "target %s", tg->arch);
        for (uint32_t k = 0; k < tg->nflags; k++) {
            fputc(' ', out);
            put_setting(out, &file->target_flags.v[tg->flags + k]);
        }
        fputc('\n', out);
        header = true;
    }
    for (; s < file->settings.n; s++, header = true) {
        fputs("set ", out);
        put_setting(out, &file->settings.v[s]);
        fputc('\n', out);
    }
    /* the run lines of each function, in file order (a counting sort) */
    uint32_t nf = file->funcs.n;
    uint32_t *start = ir_xcalloc((size_t)nf + 2, sizeof *start);
    uint32_t *order = ir_xmalloc(((size_t)file->runs.n + 1) * sizeof *order);
    for (uint32_t k = 0; k < file->runs.n; k++)
        if (file->runs.v[k].func < nf)
            start[file->runs.v[k].func + 2]++;
    for (uint32_t i = 0; i < nf; i++)
        start[i + 2] += start[i + 1];
    for (uint32_t k = 0; k < file->runs.n; k++)
        if (file->runs.v[k].func < nf)
            order[start[file->runs.v[k].func + 1]++] = k;
    for (uint32_t i = 0; i < nf; i++) {
        if (header || i)
            fputc('\n', out);
        ir_print_function(out, file->funcs.v[i]);
        for (uint32_t k = start[i]; k < start[i + 1]; k++)
            put_run(out, file, &file->runs.v[order[k]]);
    }
    free(start);
    free(order);
}
