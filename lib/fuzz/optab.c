/* The opcode signatures the generator draws from.  Expanded from lib/ir's
 * opcode table (as fuzzgen's OPCODE_SIGNATURES): every opcode of a plain
 * format, every controlling type of the pool its type set holds, every
 * choice of its free type variables; then each candidate is probed as a
 * one-instruction function that must verify and compile for the target, so
 * the table follows the back ends without a hand-kept list of what they do.
 * Probes use baseline ISA flags: the result does not depend on the host. */
#include "internal.h"

#include <pthread.h>
#include <string.h>

#include "reader/reader.h"
#include "verify/verify.h"

const ir_type fuzz_scalar_types[7] = {IR_I8, IR_I16, IR_I32, IR_I64, IR_I128, IR_F32, IR_F64};
const ir_type fuzz_vector_types[6] = {
    ir_type_make(IR_I8, 4), ir_type_make(IR_I16, 3), ir_type_make(IR_I32, 2),
    ir_type_make(IR_I64, 1), ir_type_make(IR_F32, 2), ir_type_make(IR_F64, 1),
};

const ir_type fuzz_wide_floats[2] = {IR_F16, IR_F128};

static bool wide_float(ir_type t) { return t == IR_F16 || t == IR_F128; }

bool fuzz_sig_wide_float(const fuzz_sig *s)
{
    bool w = wide_float(s->ctrl);
    for (unsigned k = 0; k < s->nargs; k++)
        w |= wide_float(s->args[k]);
    for (unsigned k = 0; k < s->nres; k++)
        w |= wide_float(s->res[k]);
    return w;
}

ir_type fuzz_scalar_type(fuzz_rng *r)
{
    if (fuzz_rng_chance(r, 4))
        return fuzz_wide_floats[fuzz_rng_below(r, 2)];
    return fuzz_scalar_types[fuzz_rng_below(r, 7)];
}

const char *fuzz_tname(ir_type t)
{
    static const char *const sc[] = {"?", "i8", "i16", "i32", "i64", "i128", "f16", "f32", "f64", "f128"};
    if (!ir_type_is_vector(t))
        return ir_type_lane(t) <= IR_F128 ? sc[ir_type_lane(t)] : "?";
    for (unsigned i = 0; i < 6; i++)
        if (fuzz_vector_types[i] == t)
            return (const char *[]){"i8x16", "i16x8", "i32x4", "i64x2", "f32x4", "f64x2"}[i];
    return "?";
}

/* Opcodes with their own generators (constants, memory, control flow,
 * calls) or left out: target-specific (x86_*), values that differ between
 * runs (get_*), dynamic vectors, stack switching. */
static bool generic_op(ir_opcode op)
{
    const ir_opinfo *r = &ir_opcodes[op];
    if (r->flags & (IR_OPF_LEGACY | IR_OPF_TERMINATOR | IR_OPF_BRANCH | IR_OPF_CALL | IR_OPF_RETURN |
                    IR_OPF_CAN_LOAD | IR_OPF_CAN_STORE | IR_OPF_SIDE_EFFECT))
        return false;
    if (!strncmp(r->name, "x86_", 4) || !strncmp(r->name, "get_", 4))
        return false;
    switch (r->format) {
    case IR_FMT_Unary: case IR_FMT_Binary: case IR_FMT_Ternary: case IR_FMT_IntCompare:
    case IR_FMT_FloatCompare: case IR_FMT_BinaryImm8: case IR_FMT_TernaryImm8: case IR_FMT_Shuffle:
        break;
    case IR_FMT_LoadNoOffset:
        return op == IR_OP_bitcast;
    default:
        return false;
    }
    return op != IR_OP_nop && op != IR_OP_extract_vector && op != IR_OP_uadd_overflow_trap;
}

/* Does free type code c admit t, given the controlling type? */
static bool free_ok(char c, ir_type t, ir_type ctrl, ir_opcode op)
{
    bool vec = ir_type_is_vector(t), cvec = ir_type_is_vector(ctrl);
    bool same_shape = vec == cvec && (!vec || (ir_type_lanes(t) == ir_type_lanes(ctrl) &&
                                               ir_type_lane_bits(t) == ir_type_lane_bits(ctrl)));
    switch (c) {
    case '*': return ir_type_bits(t) == ir_type_bits(ctrl) && t != ctrl;
    case 'i': return !vec && ir_type_is_int(t);
    case 'n': return ir_type_is_int(t) && same_shape;
    case 'F': return ir_type_is_float(t) && same_shape;
    case 'r': return !vec && ir_type_is_float(t);
    case 'v': return vec;
    case 'a': return t == IR_I64;
    case 'W': case 'N': {
        if (vec || cvec || ir_type_is_int(t) != ir_type_is_int(ctrl))
            return false;
        unsigned a = ir_type_bits(t), b = ir_type_bits(ctrl);
        return c == 'W' ? a > b : a < b;
    }
    default:
        (void)op;
        return false;
    }
}

typedef struct cand { IR_VEC(fuzz_sig) v; } cand;

static void expand(cand *out, ir_opcode op, const ir_type *pool, unsigned npool)
{
    const ir_opinfo *r = &ir_opcodes[op];
    unsigned na = (unsigned)strlen(r->args), nr = (unsigned)strlen(r->res);
    ir_type ctrls[16];
    unsigned nc = 0;
    if (!r->ctrl[0]) {
        ctrls[nc++] = 0;
    } else {
        for (unsigned i = 0; i < npool; i++)
            if (ir_typeset_contains(r->ctrl, pool[i]))
                ctrls[nc++] = pool[i];
    }
    for (unsigned ci = 0; ci < nc; ci++) {
        ir_type ctrl = ctrls[ci];
        fuzz_sig s = {.op = (uint16_t)op, .ctrl = ctrl, .nargs = (uint8_t)na, .nres = (uint8_t)nr};
        bool ok = true;
        for (unsigned k = 0; k < nr && ok; k++)
            ok = (s.res[k] = ir_type_derive(r->res[k], ctrl)) != IR_TYPE_NONE;
        /* the fixed operands; at most one free one (true of every generic opcode) */
        int free_k = -1;
        for (unsigned k = 0; k < na && ok; k++) {
            s.args[k] = ir_type_derive(r->args[k], ctrl);
            if (s.args[k] == IR_TYPE_NONE) {
                if (free_k >= 0)
                    ok = false;
                free_k = (int)k;
            }
        }
        if (!ok)
            continue;
        if (free_k < 0) {
            ir_vec_push(&out->v, s);
            continue;
        }
        for (unsigned i = 0; i < npool; i++)
            if (free_ok(r->args[free_k], pool[i], ctrl, op)) {
                s.args[free_k] = pool[i];
                ir_vec_push(&out->v, s);
            }
    }
}

void fuzz_inst_text(fuzz_buf *b, const fuzz_sig *s, const uint32_t *res, const uint32_t *v, unsigned cond,
                  unsigned imm, const uint8_t *mask)
{
    const ir_opinfo *r = &ir_opcodes[s->op];
    for (unsigned k = 0; k < s->nres; k++)
        fuzz_buf_printf(b, "%sv%u", k ? ", " : "", res[k]);
    fuzz_buf_printf(b, "%s%s", s->nres ? " = " : "", r->name);
    if (r->ctrl[0] && ir_op_ctrl_arg((ir_opcode)s->op) < 0)
        fuzz_buf_printf(b, ".%s", fuzz_tname(s->ctrl));
    if (s->op == IR_OP_bitcast && ir_type_lanes(s->args[0]) != ir_type_lanes(s->ctrl))
        fuzz_buf_printf(b, " little");
    if (r->format == IR_FMT_IntCompare)
        fuzz_buf_printf(b, " %s", ir_intcc_names[cond % IR_INTCC_COUNT]);
    else if (r->format == IR_FMT_FloatCompare)
        fuzz_buf_printf(b, " %s", ir_floatcc_names[cond % IR_FLOATCC_COUNT]);
    for (unsigned k = 0; k < s->nargs; k++)
        fuzz_buf_printf(b, "%sv%u", k ? ", " : " ", v[k]);
    if (r->format == IR_FMT_BinaryImm8 || r->format == IR_FMT_TernaryImm8)
        fuzz_buf_printf(b, ", %u", imm);
    if (r->format == IR_FMT_Shuffle) {
        fuzz_buf_printf(b, ", 0x");
        for (int k = 15; k >= 0; k--)
            fuzz_buf_printf(b, "%02x", mask[k]);
    }
}

/* One candidate as a function: must parse, verify and compile. */
static bool probe(const fuzz_sig *s, jit_arch arch, char *why, size_t n)
{
    fuzz_buf b = {0};
    fuzz_buf_printf(&b, "function %%p(");
    for (unsigned k = 0; k < s->nargs; k++)
        fuzz_buf_printf(&b, "%s%s", k ? ", " : "", fuzz_tname(s->args[k]));
    fuzz_buf_printf(&b, ")");
    for (unsigned k = 0; k < s->nres; k++)
        fuzz_buf_printf(&b, "%s%s", k ? ", " : " -> ", fuzz_tname(s->res[k]));
    fuzz_buf_printf(&b, " {\nblock0(");
    uint32_t v[3], res[2];
    for (unsigned k = 0; k < s->nargs; k++) {
        v[k] = k;
        fuzz_buf_printf(&b, "%sv%u: %s", k ? ", " : "", k, fuzz_tname(s->args[k]));
    }
    fuzz_buf_printf(&b, "):\n    ");
    for (unsigned k = 0; k < s->nres; k++)
        res[k] = 10 + k;
    uint8_t mask[16] = {0};
    fuzz_inst_text(&b, s, res, v, 0, 0, mask);
    fuzz_buf_printf(&b, "\n    return");
    for (unsigned k = 0; k < s->nres; k++)
        fuzz_buf_printf(&b, "%sv%u", k ? ", " : " ", res[k]);
    fuzz_buf_printf(&b, "\n}\n");

    ir_file file;
    ir_diag d = {0};
    bool ok = reader_parse_file(&file, "probe", b.s, b.n, &d) && ir_legacy_rewrite(file.funcs.v[0], &d) &&
              verify_function(file.funcs.v[0], &d);
    const char *stage = "verifier";
    if (ok) {
        cg_target t = {.arch = arch};
        cg_output o;
        stage = "code generator";
        ok = cg_compile(&t, &file, 0, &o, &d);
        if (ok)
            cg_output_free(&o);
    }
    if (ok) {
        interp_ctx *ic = interp_new(&file);
        stage = "interpreter";
        ok = ic && interp_supported(ic, 0, &d);
        if (ic)
            interp_free(ic);
    }
    if (!ok)
        snprintf(why, n, "%s: %.80s", stage, d.msg);
    ir_file_free(&file);
    fuzz_buf_free(&b);
    return ok;
}

static fuzz_optab *build(const fuzz_gen_opts *o)
{
    ir_type pool[15];
    unsigned np = 0;
    for (unsigned i = 0; i < 7; i++)
        pool[np++] = fuzz_scalar_types[i];
    pool[np++] = IR_F16, pool[np++] = IR_F128;
    for (unsigned i = 0; o->vectors && i < 6; i++)
        pool[np++] = fuzz_vector_types[i];
    cand c = {0};
    for (unsigned op = 0; op < IR_OP_COUNT; op++)
        if (generic_op((ir_opcode)op))
            expand(&c, (ir_opcode)op, pool, np);
    fuzz_optab *t = calloc(1, sizeof *t);
    t->v = calloc(c.v.n + 1, sizeof *t->v);
    t->left = calloc(c.v.n + 1, sizeof *t->left);
    t->why = calloc(c.v.n + 1, sizeof *t->why);
    t->ops = calloc(IR_OP_COUNT + 1, sizeof *t->ops);
    for (uint32_t i = 0; i < c.v.n; i++) {
        const fuzz_sig *s = &c.v.v[i];
        if (probe(s, o->arch, t->why[t->nleft], sizeof t->why[0])) {
            if (!t->n || t->v[t->n - 1].op != s->op)
                t->ops[t->nops++] = t->n;
            t->v[t->n++] = *s;
        } else {
            t->left[t->nleft++] = *s;
        }
    }
    t->ops[t->nops] = t->n;
    ir_vec_free(&c.v);
    return t;
}

/* One table per (target, vectors), built on first use. */
static fuzz_optab *tables[JIT_ARCH_COUNT][2];
static pthread_mutex_t tables_lock = PTHREAD_MUTEX_INITIALIZER;

const fuzz_optab *fuzz_optab_get(const fuzz_gen_opts *o, ir_diag *d)
{
    unsigned a = (unsigned)o->arch < JIT_ARCH_COUNT ? (unsigned)o->arch : JIT_ARCH_HOST;
    pthread_mutex_lock(&tables_lock);
    fuzz_optab **t = &tables[a][o->vectors];
    if (!*t)
        *t = build(o);
    fuzz_optab *r = *t;
    pthread_mutex_unlock(&tables_lock);
    if (!r || !r->n) {
        ir_diag_set(d, 0, 0, "no opcode signature compiles for %s", jit_arch_name(o->arch));
        return NULL;
    }
    return r;
}

bool fuzz_vectors_supported(jit_arch arch)
{
    (void)arch;     /* both back ends have vectors; the probe is target-neutral */
    /* vector parameters, results, loads, stores and arithmetic */
    static const char text[] =
        "function %p(i32x4, i64) -> f64x2, i8x16 {\n"
        "    ss0 = explicit_slot 16\n"
        "block0(v0: i32x4, v1: i64):\n"
        "    v2 = stack_addr.i64 ss0\n"
        "    store v0, v2\n"
        "    v3 = load.i8x16 v2\n"
        "    v4 = iadd v0, v0\n"
        "    v5 = bitcast.f64x2 little v4\n"
        "    v6 = fadd v5, v5\n"
        "    return v6, v3\n"
        "}\n";
    ir_file file;
    ir_diag d;
    bool ok = reader_parse_file(&file, "probe", text, sizeof text - 1, &d) && verify_function(file.funcs.v[0], &d);
    if (ok) {
        interp_ctx *ic = interp_new(&file);
        ok = ic && interp_supported(ic, 0, &d);
        if (ic)
            interp_free(ic);
    }
    ir_file_free(&file);
    return ok;
}

static void sig_text(FILE *out, const fuzz_sig *s)
{
    fprintf(out, "%s", ir_opcodes[s->op].name);
    if (s->ctrl)
        fprintf(out, ".%s", fuzz_tname(s->ctrl));
    fprintf(out, " (");
    for (unsigned k = 0; k < s->nargs; k++)
        fprintf(out, "%s%s", k ? ", " : "", fuzz_tname(s->args[k]));
    fprintf(out, ") ->");
    for (unsigned k = 0; k < s->nres; k++)
        fprintf(out, " %s", fuzz_tname(s->res[k]));
}

void fuzz_list_ops(FILE *out, const fuzz_gen_opts *o)
{
    ir_diag d;
    const fuzz_optab *t = fuzz_optab_get(o, &d);
    if (!t) {
        fprintf(out, "error: %s\n", d.msg);
        return;
    }
    fprintf(out, "# %u opcodes, %u signatures used, %u left out (%s%s)\n", t->nops, t->n, t->nleft,
            jit_arch_name(o->arch), o->vectors ? ", vectors" : "");
    for (uint32_t i = 0; i < t->n; i++) {
        fputs("+ ", out);
        sig_text(out, &t->v[i]);
        fputc('\n', out);
    }
    for (uint32_t i = 0; i < t->nleft; i++) {
        fputs("- ", out);
        sig_text(out, &t->left[i]);
        fprintf(out, "  # %s\n", t->why[i]);
    }
}
