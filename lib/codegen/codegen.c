/* The pipeline of one function, top to bottom: lower, allocate, lay out
 * the frame, emit.  Also targets and their ISA flags, symbol names, trap
 * names. */
#include "cg.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* The back ends: a column of the architecture table. */
#define ARCH(id, name, alias, em, abs64, pad, stub, near, got, csa, csm, isa) extern const cg_isa isa;
#include "jit/arch.def"
#undef ARCH
static const cg_isa *const isas[JIT_ARCH_COUNT] = {
#define ARCH(id, name, alias, em, abs64, pad, stub, near, got, csa, csm, isa) [JIT_ARCH_##id] = &isa,
#include "jit/arch.def"
#undef ARCH
};

static const cg_isa *isa_for(jit_arch a)
{
    return (unsigned)a < JIT_ARCH_COUNT ? isas[a] : NULL;
}

/* ---- host features --------------------------------------------------------- */

uint64_t cg_host_isa(jit_arch arch)
{
    static _Atomic uint64_t cached;    /* bit 63: known (racing threads agree) */
    if (arch == JIT_ARCH_HOST)
        arch = jit_host_arch();
    const cg_isa *isa = isa_for(arch);
    if (arch != jit_host_arch() || !isa)
        return 0;
    uint64_t v = cached;
    if (!(v >> 63))
        cached = v = isa->host_features() | 1ull << 63;
    return v & ~(1ull << 63);
}

/* ---- target lines ---------------------------------------------------------- */

static const char *const isa_flag_names[CG_ISA_COUNT] = {
#define CG_F(name) #name,
    CG_ISA_FLAGS(CG_F)
#undef CG_F
};

/* Flags accepted that no lowering reads (yet). */
static const char *const ignored_flags[] = {
    "has_i8mm", "use_bti", "sign_return_address_all", "sign_return_address_with_bkey",
    "has_fp16fml", "has_rcpc",
};

/* ---- `set` lines ---------------------------------------------------------------
 * Cranelift's shared settings (meta/src/shared/settings.rs), today's and
 * those of the releases whose bug reports clifrun reads (wasmtime 0.93 on,
 * and use_pinned_reg_as_heap_base from just before): one table, the only
 * place that says what each does here.  APPLIED ones reach the code
 * generator; NO_EFFECT ones cannot change what a run test computes with
 * clifrun's code generators (the README lists them); REFUSED ones would,
 * and are refused when true. */
enum { SET_APPLIED, SET_NO_EFFECT, SET_REFUSED };
/* kind: BOOL, NUM (0 to 255, Cranelift's u8), or an enum's values as
 * Cranelift lists them in its error ("none, speed, speed_and_size"). */
#define BOOL NULL
#define NUM "#"
static const struct { const char *name; uint8_t how; const char *kind; } settings[] = {
    {"opt_level", SET_APPLIED, "none, speed, speed_and_size"},
    {"preserve_frame_pointers", SET_APPLIED, BOOL},
    {"enable_probestack", SET_APPLIED, BOOL},
    {"bb_padding_log2_minus_one", SET_APPLIED, NUM},
    {"enable_pinned_reg", SET_REFUSED, BOOL},
    {"enable_nan_canonicalization", SET_APPLIED, BOOL},
    {"regalloc_checker", SET_NO_EFFECT, BOOL},
    {"regalloc_verbose_logs", SET_NO_EFFECT, BOOL},
    {"regalloc_algorithm", SET_NO_EFFECT, "backtracking, single_pass"},
    {"enable_alias_analysis", SET_NO_EFFECT, BOOL},
    {"enable_verifier", SET_NO_EFFECT, BOOL},
    {"is_pic", SET_NO_EFFECT, BOOL},
    {"use_colocated_libcalls", SET_NO_EFFECT, BOOL},
    {"tls_model", SET_NO_EFFECT, "none, elf_gd, macho, coff"},
    {"stack_switch_model", SET_NO_EFFECT, "none, basic, update_windows_tib"},
    {"libcall_call_conv", SET_NO_EFFECT, "isa_default, fast, cold, system_v, windows_fastcall, apple_aarch64, probestack, preserve_all"},
    {"enable_llvm_abi_extensions", SET_NO_EFFECT, BOOL},   /* i128, f16, f128 always allowed */
    {"enable_multi_ret_implicit_sret", SET_NO_EFFECT, BOOL},
    {"unwind_info", SET_NO_EFFECT, BOOL},
    {"machine_code_cfg_info", SET_NO_EFFECT, BOOL},
    {"probestack_size_log2", SET_APPLIED, NUM},
    {"probestack_strategy", SET_NO_EFFECT, "outline, inline"},
    {"enable_heap_access_spectre_mitigation", SET_NO_EFFECT, BOOL},
    {"enable_table_access_spectre_mitigation", SET_NO_EFFECT, BOOL},
    {"enable_incremental_compilation_cache_checks", SET_NO_EFFECT, BOOL},
    {"log2_min_function_alignment", SET_NO_EFFECT, NUM},
    {"enable_compact_unwind_abi", SET_NO_EFFECT, BOOL},
    /* removed from Cranelift since 0.93 (the last release that had each) */
    {"avoid_div_traps", SET_NO_EFFECT, BOOL},           /* 0.94: traps stay traps */
    {"use_egraphs", SET_NO_EFFECT, BOOL},               /* 0.95 */
    {"enable_simd", SET_NO_EFFECT, BOOL},               /* 0.97: vectors always allowed */
    {"probestack_func_adjusts_sp", SET_NO_EFFECT, BOOL}, /* 0.107: no probestack function */
    {"enable_atomics", SET_NO_EFFECT, BOOL},            /* 0.124 */
    {"enable_float", SET_NO_EFFECT, BOOL},              /* 0.124 */
    {"enable_jump_tables", SET_NO_EFFECT, BOOL},        /* 0.124 */
    {"enable_safepoints", SET_NO_EFFECT, BOOL},         /* 0.124: no reference types */
    {"enable_pcc", SET_NO_EFFECT, BOOL},                /* 0.130: proof-carrying code checks */
    {"use_pinned_reg_as_heap_base", SET_NO_EFFECT, BOOL}, /* 0.91 */
};
#undef BOOL
#undef NUM

static bool parse_bool(const char *v, bool *out)
{
    if (!v || !strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "on") || !strcmp(v, "yes"))
        return *out = true;
    if (!strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "off") || !strcmp(v, "no"))
        return !(*out = false);
    return false;
}

const char *cg_setting_name(size_t i, bool *applied)
{
    if (i >= sizeof settings / sizeof settings[0])
        return NULL;
    if (applied)
        *applied = settings[i].how == SET_APPLIED;
    return settings[i].name;
}

/* Is value one of the comma-separated choices? */
static bool enum_has(const char *choices, const char *value)
{
    size_t n = strlen(value);
    for (const char *p = choices; *p;) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == n && !strncmp(p, value, n))
            return true;
        p = e ? e + 2 : p + l;
    }
    return false;
}

int cg_check_setting(const char *name, const char *value, bool refuse, char *msg, size_t size)
{
    size_t k = 0, n = sizeof settings / sizeof settings[0];
    while (k < n && strcmp(settings[k].name, name))
        k++;
    const char *kind = k < n ? settings[k].kind : NULL;
    bool b = true;
    /* Cranelift's words (reader/src/isaspec.rs, codegen/src/settings.rs) */
    if (k == n)
        snprintf(msg, size, value ? "unknown setting '%s=%s'" : "unknown setting '%s'", name, value);
    else if (!value && kind)
        snprintf(msg, size, "not a boolean flag: '%s'", name);
    else if (!kind && !parse_bool(value, &b))
        snprintf(msg, size, "invalid setting value for '%s=%s', expected bool", name, value);
    else if (kind && !strcmp(kind, "#") && !(value[0] >= '0' && value[0] <= '9' && strlen(value) <= 3 &&
                                               strspn(value, "0123456789") == strlen(value) && atoi(value) <= 255))
        snprintf(msg, size, "invalid setting value for '%s=%s', expected number", name, value);
    else if (kind && strcmp(kind, "#") && !enum_has(kind, value))
        snprintf(msg, size, "invalid setting value for '%s=%s', expected any among %s", name, value, kind);
    else if (refuse && settings[k].how == SET_REFUSED && b)
        snprintf(msg, size, !strcmp(name, "enable_pinned_reg") ? "Cannot run runtests with pinned_reg enabled."
                                                              : "setting '%s' is not supported by clifrun's "
                                                                "code generators", name);
    else
        return (int)k;
    return -1;
}

bool cg_apply_settings(cg_target *t, const ir_file *file, uint32_t count, ir_diag *d)
{
    /* the file's first `count` set lines, then the command line's (--set) */
    uint32_t cli = file->settings.n - file->ncli_settings;
    for (uint32_t i = 0; i < file->settings.n; i++) {
        if (i >= count && i < cli)
            i = cli;
        if (i >= file->settings.n)
            break;
        const ir_setting *s = &file->settings.v[i];
        char msg[300];
        if (cg_check_setting(s->name, s->value, true, msg, sizeof msg) < 0) {
            if (i >= cli)
                ir_diag_set(d, 0, 0, "--set %s%s%s: %s", s->name, s->value ? "=" : "", s->value ? s->value : "", msg);
            else
                ir_diag_set(d, s->line, 1, "%s", msg);
            return false;
        }
        bool b = true;
        parse_bool(s->value, &b);
        if (!strcmp(s->name, "opt_level"))
            t->opt = strcmp(s->value, "none") != 0;
        else if (!strcmp(s->name, "preserve_frame_pointers"))
            t->preserve_frame_pointers = b;
        else if (!strcmp(s->name, "enable_probestack"))
            t->enable_probestack = b;
        else if (!strcmp(s->name, "enable_nan_canonicalization"))
            t->nan_canonicalization = b;
        else if (!strcmp(s->name, "probestack_size_log2"))
            t->probestack_size_log2 = (uint8_t)(atoi(s->value) > 32 ? 32 : atoi(s->value) < 1 ? 1 : atoi(s->value));
        else if (!strcmp(s->name, "bb_padding_log2_minus_one"))
            t->bb_padding = (uint8_t)(atoi(s->value) > 28 ? 28 : atoi(s->value));
    }
    return true;
}

bool cg_target_from_file(cg_target *t, const ir_file *file, uint32_t target_index, ir_diag *d)
{
    memset(t, 0, sizeof *t);
    const ir_target *tg = &file->targets.v[target_index];
    const cg_isa *isa = isa_for(jit_arch_parse(tg->arch, strlen(tg->arch)));
    if (!isa) {
        ir_diag_set(d, tg->line, 1, "%sunsupported target '%s'", tg->line ? "" : "--target: ", tg->arch);
        return false;
    }
    t->arch = isa->arch;
    if (!cg_apply_settings(t, file, tg->settings, d))
        return false;
    for (uint32_t i = 0; i < tg->nflags; i++) {
        const ir_setting *s = &file->target_flags.v[tg->flags + i];
        const char *n = s->name;
        bool on = true, known = false;
        if (s->value && !parse_bool(s->value, &on)) {
            ir_diag_set(d, s->line, 1, "%sinvalid value '%s' for ISA flag '%s'", s->line ? "" : "--target: ",
                        s->value, n);
            return false;
        }
        if (isa->target_flag && isa->target_flag(t, n, on))
            continue;
        if (!strncmp(n, "has_", 4)) {
            for (unsigned k = 0; k < CG_ISA_COUNT && !known; k++)
                if (!strcmp(n + 4, isa_flag_names[k])) {
                    known = true;
                    t->isa = on ? t->isa | 1ull << k : t->isa & ~(1ull << k);
                }
        }
        for (const cg_preset *p = isa->presets; p && p->name && !known; p++)
            if (!strcmp(n, p->name)) {
                known = true;
                t->isa |= p->isa;
            }
        for (size_t k = 0; !known && k < sizeof ignored_flags / sizeof ignored_flags[0]; k++)
            known = !strcmp(n, ignored_flags[k]);
        if (!known) {
            ir_diag_set(d, s->line, 1, "%sunknown ISA flag '%s' for %s", s->line ? "" : "--target: ", n, tg->arch);
            return false;
        }
    }
    return true;
}

/* ---- names ------------------------------------------------------------------ */

const char *cg_trap_name(uint32_t code, char buf[16])
{
    return ir_trapcode_name((ir_trapcode)code, buf);
}

const char *cg_symbol_name(const ir_function *f, char *buf, size_t n)
{
    if (f->name.kind == IR_NAME_USER) {
        snprintf(buf, n, "u%u:%u", f->name.ns, f->name.index);
        return buf;
    }
    /* snprintf's "%s" without its cost: called twice a function */
    const char *s = f->name.str ? f->name.str : "";
    size_t len = strlen(s);
    if (n) {
        len = len < n - 1 ? len : n - 1;
        memcpy(buf, s, len);
        buf[len] = 0;
    }
    return buf;
}

/* The code buffer of the last output freed on this thread, for the next
 * compile: a caller that copies the code out and frees the output (every
 * module build) then mallocs no buffer per function.  Kept in the thread's
 * IR_KEEP_CODE slot (ir_thread_release frees it), its capacity in its
 * first bytes. */
enum { SPARE_CODE_MAX = 1 << 16 };

void cg_output_free(cg_output *o)
{
    uint32_t cap = o->code.cap;
    if (o->code.v && cap >= sizeof cap && cap <= SPARE_CODE_MAX) {
        memcpy(o->code.v, &cap, sizeof cap);
        if (!ir_thread_keep(IR_KEEP_CODE, o->code.v, free))
            free(o->code.v);
        o->code.v = NULL, o->code.n = o->code.cap = 0;
    }
    /* most are empty (a module build frees each output twice): no call */
#define FREE_VEC(x) ((x).v ? ir_vec_free(&(x)) : ((x).n = (x).cap = 0))
    FREE_VEC(o->code);
    FREE_VEC(o->relocs);
    FREE_VEC(o->traps);
    FREE_VEC(o->data);
    FREE_VEC(o->block_off);
    FREE_VEC(o->marks);
    FREE_VEC(o->vcode);
#undef FREE_VEC
    if (o->names.head)
        ir_arena_free(&o->names);
}

/* i128 division and conversions the backends call; C has the semantics
 * (the range checks and traps are in the generated code). */
typedef __int128 i128;
typedef unsigned __int128 u128;
static i128 cg_divti3(i128 a, i128 b) { return a / b; }
static u128 cg_udivti3(u128 a, u128 b) { return a / b; }
static i128 cg_modti3(i128 a, i128 b) { return b == -1 ? 0 : a % b; }
static u128 cg_umodti3(u128 a, u128 b) { return a % b; }
static float cg_floattisf(i128 a) { return (float)a; }
static double cg_floattidf(i128 a) { return (double)a; }
static float cg_floatuntisf(u128 a) { return (float)a; }
static double cg_floatuntidf(u128 a) { return (double)a; }
#define I128_MAX ((i128)(~(u128)0 >> 1))
static i128 cg_fixsfti_sat(float x)
{
    return x != x ? 0 : x >= 0x1p127f ? I128_MAX : x < -0x1p127f ? -I128_MAX - 1 : (i128)x;
}
static i128 cg_fixdfti_sat(double x)
{
    return x != x ? 0 : x >= 0x1p127 ? I128_MAX : x < -0x1p127 ? -I128_MAX - 1 : (i128)x;
}
static u128 cg_fixunssfti_sat(float x)
{
    return x != x || x <= 0 ? 0 : (double)x >= 0x1p128 ? ~(u128)0 : (u128)x;
}
static u128 cg_fixunsdfti_sat(double x)
{
    return x != x || x <= 0 ? 0 : x >= 0x1p128 ? ~(u128)0 : (u128)x;
}

bool cg_define_libcalls(jit_ctx *ctx, jit_error *err)
{
    static const jit_host_sym fns[] = {
        {"ceilf", (const void *)ceilf}, {"ceil", (const void *)ceil},
        {"floorf", (const void *)floorf}, {"floor", (const void *)floor},
        {"truncf", (const void *)truncf}, {"trunc", (const void *)trunc},
        {"nearbyintf", (const void *)nearbyintf}, {"nearbyint", (const void *)nearbyint},
        {"fmaf", (const void *)fmaf}, {"fma", (const void *)fma},
        {"memcpy", (const void *)memcpy}, {"memset", (const void *)memset},
        {"memmove", (const void *)memmove}, {"memcmp", (const void *)memcmp},
        {"__divti3", (const void *)cg_divti3}, {"__udivti3", (const void *)cg_udivti3},
        {"__modti3", (const void *)cg_modti3}, {"__umodti3", (const void *)cg_umodti3},
        {"__floattisf", (const void *)cg_floattisf}, {"__floattidf", (const void *)cg_floattidf},
        {"__floatuntisf", (const void *)cg_floatuntisf}, {"__floatuntidf", (const void *)cg_floatuntidf},
        {"__cranelift_fixsfti_sat", (const void *)cg_fixsfti_sat},
        {"__cranelift_fixdfti_sat", (const void *)cg_fixdfti_sat},
        {"__cranelift_fixunssfti_sat", (const void *)cg_fixunssfti_sat},
        {"__cranelift_fixunsdfti_sat", (const void *)cg_fixunsdfti_sat},
    };
    return jit_define_symbols(ctx, fns, sizeof fns / sizeof fns[0], err) &&
           cg_define_softfp_libcalls(ctx, err);
}

/* ---- compiling ---------------------------------------------------------------- */

/* One pass over the values: the facts cg_ctx.vtypes, vscalars, valias. */
static void scan_values(cg_ctx *c)
{
    const ir_function *fn = c->fn;
    uint32_t any = 0, scalars = 0;
    bool alias = false;
    for (uint32_t v = 0; v < fn->values.n; v++) {
        ir_type t = fn->values.v[v].type;
        any |= t;
        scalars |= (uint32_t)(t < 16) << (t & 15);
        alias |= fn->values.v[v].kind == IR_VAL_ALIAS;
    }
    c->vtypes = any, c->vscalars = scalars, c->valias = alias;
}

/* The vectors of the last compile on this thread, kept for the next: a
 * function's instructions, operands and maps then grow once a process, not
 * by doubling from 4 in every function (a tenth of compile time went to
 * realloc).  Holds the largest function's capacity. */
static _Thread_local struct {
    cg_func f;
    uint32_t *vreg_of, *uses;
    uint32_t cap_vreg_of, cap_uses;
    bool have;
} spare;

/* the side given away is left as it is: spare.have says whether spare
 * holds anything, and c's vectors are not used after give_spare */
#define TAKE_VEC(dst, sv) ((dst).v = (sv).v, (dst).cap = (sv).cap, (dst).n = 0)
#define GIVE_VEC(sv, src) ((sv).v = (src).v, (sv).cap = (src).cap, (sv).n = 0)
#define CG_FUNC_VECS(X) X(blocks) X(insts) X(opnds) X(vlist) X(vcls) X(syms) X(sym_decl) X(consts) \
    X(cbytes) X(allocs) X(edits)

static void take_spare(cg_ctx *c)
{
    if (!spare.have)
        return;
#define X(name) TAKE_VEC(c->f.name, spare.f.name);
    CG_FUNC_VECS(X)
#undef X
    c->vreg_of.v = spare.vreg_of, c->vreg_of.cap = spare.cap_vreg_of, c->vreg_of.n = 0;
    c->uses.v = spare.uses, c->uses.cap = spare.cap_uses, c->uses.n = 0;
    spare.vreg_of = spare.uses = NULL;
    spare.have = false;
}

/* c's vectors become the spare (any older one is freed: a nested compile) */
static void give_spare(cg_ctx *c)
{
    if (spare.have) {
        cg_func_free(&spare.f);
        free(spare.vreg_of);
        free(spare.uses);
    }
#define X(name) GIVE_VEC(spare.f.name, c->f.name);
    CG_FUNC_VECS(X)
#undef X
    spare.vreg_of = c->vreg_of.v, spare.cap_vreg_of = c->vreg_of.cap;
    spare.uses = c->uses.v, spare.cap_uses = c->uses.cap;
    c->vreg_of.v = c->uses.v = NULL;
    c->vreg_of.n = c->vreg_of.cap = c->uses.n = c->uses.cap = 0;
    spare.have = true;
}

/* lower, allocate, lay out, emit */
static bool compile(const cg_target *t, const ir_file *file, const ir_function *fn, cg_output *out,
                    ir_diag *d)
{
    memset(out, 0, sizeof *out);
    out->align = 16;
    if (file) {
        d->file = file->path;
        d->src = file->src;
        d->len = file->len;
    }
    const cg_isa *isa = isa_for(t->arch);
    if (!isa) {
        ir_diag_set(d, fn->line, fn->col, "unsupported target %s: no code generator yet",
                    jit_arch_name(t->arch));
        return false;
    }
    /* IR passes that make the function the back end lowers: on a copy */
    ir_function copy;
    bool f16_native = isa->f16_arith && isa->f16_arith(t);
    cg_ctx c;
    memset(&c, 0, offsetof(cg_ctx, buf));
    c.isa = isa, c.target = t, c.file = file, c.fn = fn, c.out = out, c.d = d;
    scan_values(&c);
    /* every softfp rewrite is of an f16 or f128 value: most functions have none */
    bool soft = (c.vscalars >> IR_F16 | c.vscalars >> IR_F128) & 1 && cg_softfp_needed(fn, f16_native);
    bool legal = cg_needs_legalize(fn);
    bool copied = t->nan_canonicalization || soft || legal;
    if (copied) {
        ir_function_copy(&copy, fn);
        if (legal && !cg_legalize(&copy, isa->name, d)) {
            ir_function_free(&copy);
            return false;
        }
        if (t->nan_canonicalization)
            cg_nan_canonicalize(&copy);
        cg_softfp_legalize(&copy, f16_native);     /* after: the NaN checks of f16 too */
        c.fn = fn = &copy;
        scan_values(&c);
    }
    cg_func_init(&c.f);
    take_spare(&c);
    ir_vec_reserve(&c.vreg_of, fn->values.n);
    ir_vec_reserve(&c.uses, fn->values.n);
    c.vreg_of.n = c.uses.n = fn->values.n;
    if (fn->values.n)   /* CG_NONE is all ones */
        memset(c.vreg_of.v, 0xff, fn->values.n * sizeof *c.vreg_of.v);
    c.f.nlabels = fn->blocks.n;     /* IR block n has label n */
    bool ok = cg_lower_function(&c);
    ok = ok && cg_regalloc(&c);
    ok = ok && cg_frame_layout(&c);
    if (ok && t->vcode)
        cg_vcode_print(&c, &out->vcode);
    if (ok) {
        cg_buf_init(&c.buf, out, c.f.nlabels, t->listing);
        /* ~4 bytes an instruction on both targets: the code grows once if at all */
        uint8_t *kept_code = out->code.v ? NULL : ir_thread_take(IR_KEEP_CODE);
        if (kept_code) {
            memcpy(&out->code.cap, kept_code, sizeof out->code.cap);
            out->code.v = kept_code, out->code.n = 0;
        }
        ir_vec_reserve_exact(&out->code, 5 * c.f.insts.n + 64);
        if (t->listing)
            ir_vec_reserve_exact(&out->marks, 2 * fn->insts.n + 8);    /* an offset and an IR inst each */
        ok = isa->emit(&c);
        /* IR block n has label n: where each block's code starts */
        if (ok && t->listing)
            ir_vec_reserve_exact(&out->block_off, fn->blocks.n);
        for (uint32_t b = 0; ok && t->listing && b < fn->blocks.n; b++) {
            uint32_t at = b < c.buf.labels.n && fn->blocks.v[b].in_layout ? c.buf.labels.v[b] : CG_NONE;
            ir_vec_push(&out->block_off, at == CG_NONE ? CG_NONE_OFF : at);
        }
        cg_buf_free(&c.buf);
    }
    /* a link error (unresolved, out of range) is about a name: say where it is declared */
    for (uint32_t i = 0; ok && i < out->relocs.n; i++)
        for (uint32_t k = 0; k < c.f.syms.n; k++)
            if (out->relocs.v[i].sym == c.f.syms.v[k] && c.f.sym_decl.v[2 * k]) {
                out->relocs.v[i].line = c.f.sym_decl.v[2 * k];
                out->relocs.v[i].col = c.f.sym_decl.v[2 * k + 1];
                break;
            }
    give_spare(&c);     /* every vector of c.f, vreg_of and uses */
    ir_vec_free(&c.frame.slot_off);
    if (copied)
        ir_function_free(&copy);
    if (!ok) {
        cg_output_free(out);
        memset(out, 0, sizeof *out);
    }
    return ok;
}

bool cg_compile(const cg_target *t, const ir_file *file, uint32_t func, cg_output *out, ir_diag *d)
{
    return compile(t, file, file->funcs.v[func], out, d);
}

bool cg_compile_function(const cg_target *t, const ir_file *file, const ir_function *fn, cg_output *out,
                         ir_diag *d)
{
    return compile(t, file, fn, out, d);
}

bool cg_exn_handler(jit_arch arch, uintptr_t ret_pc, uintptr_t fp, uint32_t tag, uintptr_t *pc,
                    uintptr_t *sp)
{
    const cg_isa *isa = isa_for(arch);
    const uint8_t *t = isa && ret_pc ? isa->exn_table_at((const uint8_t *)ret_pc) : NULL;
    uint32_t w[4];      /* magic, fp - sp, handler count, alignment */
    if (!t)
        return false;
    memcpy(w, t, sizeof w);
    for (uint32_t k = 0; k < w[2]; k++) {
        uint32_t h[3];  /* kind, tag, offset from ret_pc */
        memcpy(h, t + 16 + 12 * k, sizeof h);
        if (h[0] == IR_EXN_DEFAULT || h[1] == tag) {
            *pc = ret_pc + (uintptr_t)(intptr_t)(int32_t)h[2];
            *sp = (fp - w[1]) & -(uintptr_t)w[3];
            return true;
        }
    }
    return false;
}
