/* The CLIF parser: hand-written recursive descent after Cranelift's
 * cranelift/reader/src/parser.rs, with its error wording.  Errors unwind
 * with longjmp to reader_parse_file, which owns everything allocated. */
#include <stdarg.h>
#include <string.h>

#include "lex.h"

/* Entity numbers index dense arrays: cap them so a stray `v4000000000`
 * is an error, not a 80 GB allocation. */
#define MAX_VALUE_NUM (1u << 22)
#define MAX_BLOCKS 100000u            /* Cranelift's MAX_BLOCKS_IN_A_FUNCTION */
#define MAX_ENTITY_NUM (1u << 16)

/* ---- errors and token helpers -------------------------------------------- */

void perr_at(parser *p, uint32_t line, uint32_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->d->msg, sizeof p->d->msg, fmt, ap);
    va_end(ap);
    p->d->line = line;
    p->d->col = col;
    longjmp(p->fail, 1);
}

void perr(parser *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->d->msg, sizeof p->d->msg, fmt, ap);
    va_end(ap);
    p->d->line = p->t.line;
    p->d->col = p->t.col;
    longjmp(p->fail, 1);
}

bool tok_is(const parser *p, tok_kind k) { return p->t.kind == k; }

bool tok_ident(const parser *p, const char *w)
{
    return p->t.kind == T_IDENT && strlen(w) == p->t.len && !memcmp(p->t.text, w, p->t.len);
}

bool accept(parser *p, tok_kind k)
{
    if (p->t.kind != k)
        return false;
    lex_next(p);
    return true;
}

void expect(parser *p, tok_kind k, const char *msg)
{
    if (!accept(p, k))
        perr(p, "%s", msg);
}

static bool accept_ident(parser *p, const char *w)
{
    if (!tok_ident(p, w))
        return false;
    lex_next(p);
    return true;
}

static bool is_ent(const parser *p, ent_kind e) { return p->t.kind == T_ENTITY && p->t.ent == e; }

static uint32_t match_ent(parser *p, ent_kind e, const char *msg)
{
    if (!is_ent(p, e))
        perr(p, "%s", msg);
    uint32_t n = p->t.num;
    lex_next(p);
    return n;
}

/* ---- integers -------------------------------------------------------------- */

/* Parse the current integer token as a `bits`-wide immediate: decimal or hex,
 * optional sign, `_` separators.  Unsigned and signed ranges are both
 * accepted, as Cranelift's match_imm does; the result is the two's
 * complement bit pattern. */
static unsigned __int128 int_token(parser *p, unsigned bits, const char *msg)
{
    if (p->t.kind != T_INT)
        perr(p, "%s", msg);
    unsigned __int128 v;
    bool neg;
    if (!ir_parse_int128(p->t.text, p->t.len, &v, &neg))
        perr(p, "unable to parse '%.*s' as an integer", (int)p->t.len, p->t.text);
    if (!ir_int_fits(v, neg, bits))
        perr(p, "'%.*s' is out of range for a %u-bit immediate", (int)p->t.len, p->t.text, bits);
    lex_next(p);
    if (neg)
        v = -v;
    if (bits < 128)
        v &= ((unsigned __int128)1 << bits) - 1;
    return v;
}

uint64_t parse_imm(parser *p, unsigned bits, const char *msg) { return (uint64_t)int_token(p, bits, msg); }

static int64_t sext64(uint64_t v, unsigned bits)
{
    return bits >= 64 ? (int64_t)v : (int64_t)(v << (64 - bits)) >> (64 - bits);
}

/* Unsigned decimal (or hex) without sign, e.g. sizes and entity numbers. */
static uint32_t match_uimm32(parser *p, const char *msg)
{
    if (p->t.kind != T_INT || p->t.text[0] == '-' || p->t.text[0] == '+')
        perr(p, "%s", msg);
    return (uint32_t)sext64(parse_imm(p, 32, msg), 64);
}

/* Optional `+N` / `-N` offset (the sign is required, as in Cranelift). */
static int64_t optional_offset(parser *p, unsigned bits)
{
    if (p->t.kind == T_INT && (p->t.text[0] == '+' || p->t.text[0] == '-')) {
        unsigned __int128 v;
        bool neg;
        if (!ir_parse_int128(p->t.text, p->t.len, &v, &neg) ||
            (neg ? v > ((unsigned __int128)1 << (bits - 1)) : v >= ((unsigned __int128)1 << (bits - 1))))
            perr(p, "offset '%.*s' out of range for a %u-bit offset", (int)p->t.len, p->t.text, bits);
        lex_next(p);
        return neg ? -(int64_t)v : (int64_t)v;
    }
    return 0;
}

/* ---- literals of a type: run-line values and vector immediates ------------ */

static void parse_float(parser *p, unsigned bits, uint8_t *out)
{
    static const char *const msg[] = {"expected an f16", "expected an f32", "expected an f64", "expected an f128"};
    const char *m = msg[bits == 16 ? 0 : bits == 32 ? 1 : bits == 64 ? 2 : 3];
    if (p->t.kind != T_FLOAT && p->t.kind != T_INT)
        perr(p, "%s", m);
    if (!ir_parse_ieee(p->t.text, p->t.len, bits, out))
        perr(p, "invalid %u-bit float literal '%.*s'", bits, (int)p->t.len, p->t.text);
    lex_next(p);
}

static void put_le(uint8_t *out, unsigned __int128 v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++, v >>= 8)
        out[i] = (uint8_t)v;
}

static void parse_scalar(parser *p, ir_type t, uint8_t *out)
{
    static const char *const imsg[] = {"", "expected a i8", "expected an i16", "expected an i32",
                                       "expected an i64", "expected an i128"};
    if (ir_type_is_int(t))
        put_le(out, int_token(p, ir_type_lane_bits(t), imsg[ir_type_lane(t)]), ir_type_bytes(t));
    else
        parse_float(p, ir_type_lane_bits(t), out);
}

/* A hex constant (0x...) into `size` bytes, little endian, zero-extended. */
static void parse_hex_bytes(parser *p, uint8_t *out, unsigned size)
{
    if (p->t.kind != T_INT || p->t.len < 3 || p->t.text[0] != '0' || p->t.text[1] != 'x')
        perr(p, "expected an immediate hexadecimal operand");
    memset(out, 0, size);
    unsigned nibble = 0;
    for (uint32_t i = p->t.len; i > 2; i--) {
        char c = p->t.text[i - 1];
        unsigned d;
        if (c == '_')
            continue;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            perr(p, "expected hexadecimal immediate, failed to parse: invalid character '%c'", c);
        if (nibble / 2 >= size) {
            if (d)
                perr(p, "expected parsed constant to have %u bytes", size);
            continue;
        }
        out[nibble / 2] |= (uint8_t)(d << (4 * (nibble & 1)));
        nibble++;
    }
    lex_next(p);
}

void parse_uimm128(parser *p, ir_type t, uint8_t out[16])
{
    unsigned size = ir_type_bytes(t);
    if (size > 16)
        perr(p, "vectors larger than 128 bits are not currently supported");
    if (accept(p, T_LBRACKET)) {
        if (!ir_type_is_vector(t))
            perr(p, "Expected a controlling vector type, not %s", ir_type_name(t, (char[16]){0}));
        ir_type lane = ir_type_lane(t);
        unsigned lb = ir_type_bytes(lane);
        for (unsigned i = 0; i < ir_type_lanes(t); i++)
            parse_scalar(p, lane, out + i * lb);
        expect(p, T_RBRACKET, "expected a terminating right bracket");
    } else {
        parse_hex_bytes(p, out, size);
    }
}

void parse_data_value(parser *p, ir_type t, ir_data_value *out)
{
    memset(out, 0, sizeof *out);
    out->type = t;
    if (ir_type_is_vector(t))
        parse_uimm128(p, t & 0xff, out->bytes);
    else
        parse_scalar(p, t, out->bytes);
}

/* ---- entities ---------------------------------------------------------------- */

#define ENSURE(vec, n, defvec)                                             \
    do {                                                                   \
        while ((vec)->n <= (n)) {                                          \
            ir_vec_reserve(vec, 1);                                        \
            memset(&(vec)->v[(vec)->n], 0, sizeof *(vec)->v);              \
            (vec)->n++;                                                    \
            ir_vec_push(defvec, 0);                                        \
        }                                                                  \
    } while (0)

static char ent_letters[E_COUNT][12] = {"v", "block", "ss", "dss", "dt", "gv", "mt", "const", "fn",
                                        "sig", "u", "userextname", "extable", "tag", "region", "ret",
                                        "exn", "jt"};

static void check_num(parser *p, uint32_t n, uint32_t max, uint32_t line, uint32_t col)
{
    if (n >= max)
        perr_at(p, line, col, "entity number %u is too large (at most %u)", n, max - 1);
}

/* Mark entity e number n defined; a second definition is an error. */
static void define(parser *p, uint8_t *defined, ent_kind e, uint32_t n, uint32_t line, uint32_t col)
{
    if (*defined)
        perr_at(p, line, col, "duplicate entity: %s%u", ent_letters[e], n);
    *defined = 1;
}

static void check_defined(parser *p, const uint8_t *defined, uint32_t count, uint32_t n,
                          const char *what, ent_kind e, uint32_t line, uint32_t col)
{
    if (n >= count || !defined[n])
        perr_at(p, line, col, "undefined %s %s%u", what, ent_letters[e], n);
}

static void ensure_value(parser *p, uint32_t v, uint32_t line, uint32_t col)
{
    check_num(p, v, MAX_VALUE_NUM, line, col);
    ir_function *f = p->fn;
    while (f->values.n <= v) {
        ir_value_data d = {0};
        ir_vec_push(&f->values, d);
    }
}

static uint32_t use_value(parser *p, const char *msg)
{
    if (!is_ent(p, E_VALUE))
        perr(p, "%s", msg);
    uint32_t v = p->t.num;
    ensure_value(p, v, p->t.line, p->t.col);
    lex_next(p);
    return v;
}

static uint32_t ensure_block(parser *p, uint32_t b, uint32_t line, uint32_t col)
{
    if (b >= MAX_BLOCKS)
        perr_at(p, line, col, "too many blocks");
    ir_function *f = p->fn;
    while (f->blocks.n <= b) {
        ir_block_data d = {0};
        d.first = d.last = IR_NONE;
        ir_vec_push(&f->blocks, d);
    }
    return b;
}

/* ---- names and signatures ---------------------------------------------------- */

static void parse_user_ref(parser *p, ir_extname *n)
{
    n->kind = IR_NAME_USER;
    n->ns = p->t.num;
    lex_next(p);
    if (!accept(p, T_COLON))
        perr(p, "expected user function name in the form uX:Y");
    if (p->t.kind != T_INT || p->t.text[0] == '-' || p->t.text[0] == '+')
        perr(p, "expected integer");
    n->index = (uint32_t)parse_imm(p, 32, "expected integer");
}

static void parse_external_name(parser *p, ir_extname *n, ir_arena *a)
{
    memset(n, 0, sizeof *n);
    if (p->t.kind == T_NAME) {
        n->kind = IR_NAME_TESTCASE;
        n->str = ir_arena_strndup(a, p->t.text, p->t.len);
        lex_next(p);
    } else if (is_ent(p, E_USER)) {
        parse_user_ref(p, n);
    } else if (is_ent(p, E_USERNAME)) {
        n->kind = IR_NAME_USERREF;
        n->index = p->t.num;
        lex_next(p);
    } else {
        perr(p, "expected external name");
    }
}

static const struct { const char *name; ir_callconv cc; } legacy_cc[] = {
    {"wasmtime_system_v", IR_CC_system_v}, {"wasmtime_fastcall", IR_CC_windows_fastcall},
    {"wasmtime_apple_aarch64", IR_CC_apple_aarch64}, {"cold", IR_CC_fast},
};

static bool parse_callconv(parser *p, ir_callconv *cc)
{
    for (unsigned i = 1; i < IR_CC_COUNT; i++)
        if (tok_ident(p, ir_callconv_names[i])) {
            *cc = (ir_callconv)i;
            lex_next(p);
            return true;
        }
    for (unsigned i = 0; i < sizeof legacy_cc / sizeof *legacy_cc; i++)
        if (tok_ident(p, legacy_cc[i].name)) {
            *cc = legacy_cc[i].cc;
            lex_next(p);
            return true;
        }
    return false;
}

static void parse_abi_param(parser *p, ir_function *f)
{
    if (p->t.kind != T_TYPE)
        perr(p, "expected parameter type");
    ir_abi_param a = {.type = p->t.type};
    lex_next(p);
    for (;;) {
        if (accept_ident(p, "uext"))
            a.ext = IR_EXT_UEXT;
        else if (accept_ident(p, "sext"))
            a.ext = IR_EXT_SEXT;
        else if (accept_ident(p, "sret"))
            a.purpose = IR_PURPOSE_SRET;
        else if (accept_ident(p, "vmctx"))
            a.purpose = IR_PURPOSE_VMCTX;
        else if (accept_ident(p, "stack_limit"))
            a.purpose = IR_PURPOSE_STACK_LIMIT;
        else if (accept_ident(p, "normal"))
            a.purpose = IR_PURPOSE_NORMAL;
        else if (accept_ident(p, "sarg")) {
            expect(p, T_LPAR, "expected '(' to begin sarg size");
            a.purpose = IR_PURPOSE_SARG;
            a.sarg_size = match_uimm32(p, "expected byte-size in sarg decl");
            expect(p, T_RPAR, "expected ')' to end sarg size");
        } else
            break;
    }
    ir_vec_push(&f->abi_params, a);
}

static uint32_t parse_abi_list(parser *p, ir_function *f)
{
    uint32_t n = 1;
    parse_abi_param(p, f);
    while (accept(p, T_COMMA)) {
        parse_abi_param(p, f);
        n++;
    }
    return n;
}

static void parse_signature(parser *p, ir_function *f, ir_signature *s)
{
    memset(s, 0, sizeof *s);
    expect(p, T_LPAR, "expected function signature: ( args... )");
    s->params = f->abi_params.n;
    if (!tok_is(p, T_RPAR))
        s->nparams = parse_abi_list(p, f);
    expect(p, T_RPAR, "expected ')' after function arguments");
    s->rets = f->abi_params.n;
    if (accept(p, T_ARROW))
        s->nrets = parse_abi_list(p, f);
    /* Cranelift: no convention means `fast`, or the host's C convention in a
     * file with `test run` so that the harness can call it */
    s->callconv = p->run_default_cc ? IR_CC_system_v : IR_CC_fast;
    if (p->t.kind == T_IDENT && !parse_callconv(p, &s->callconv))
        perr(p, "unknown calling convention: %.*s", (int)p->t.len, p->t.text);
}

/* ---- memory flags -------------------------------------------------------------- */

static ir_memflags parse_memflags(parser *p)
{
    ir_memflags m = {.trap = IR_TRAP_heap_oob};
    for (;;) {
        if (p->t.kind == T_ENTITY && p->t.ent == E_REGION) {
            if (m.region)
                perr(p, "cannot set more than one alias region");
            if (p->t.num > 254)
                perr(p, "alias region number too large");
            m.region = (uint8_t)(p->t.num + 1);
            lex_next(p);
            continue;
        }
        if (p->t.kind != T_IDENT)
            break;
        ir_trapcode tc;
        if (accept_ident(p, "notrap"))
            m.trap = IR_TRAP_NONE;
        else if (accept_ident(p, "aligned"))
            m.bits |= IR_MF_ALIGNED;
        else if (accept_ident(p, "readonly"))
            m.bits |= IR_MF_READONLY;
        else if (accept_ident(p, "can_move"))
            m.bits |= IR_MF_CAN_MOVE;
        else if (tok_ident(p, "little") || tok_ident(p, "big")) {
            bool little = p->t.text[0] == 'l';
            if (m.bits & (little ? IR_MF_BIG : IR_MF_LITTLE))
                perr(p, "cannot set both big and little endian bits");
            m.bits |= little ? IR_MF_LITTLE : IR_MF_BIG;
            lex_next(p);
        } else if (accept_ident(p, "checked") || accept_ident(p, "heap") || accept_ident(p, "table") ||
                   accept_ident(p, "vmctx")) {
            /* flags of older releases with no meaning today */
        } else if (ir_trapcode_parse(p->t.text, p->t.len, &tc)) {
            m.trap = tc;
            lex_next(p);
        } else
            break;
    }
    return m;
}

static ir_trapcode parse_trapcode(parser *p)
{
    ir_trapcode tc;
    if (p->t.kind != T_IDENT || !ir_trapcode_parse(p->t.text, p->t.len, &tc))
        perr(p, "expected trap code");
    lex_next(p);
    return tc;
}

/* ---- preamble -------------------------------------------------------------------- */

static void parse_stack_slot(parser *p, ir_function *f, uint32_t line, uint32_t col)
{
    uint32_t n = match_ent(p, E_SS, "expected stack slot number: ss«n»");
    check_num(p, n, MAX_ENTITY_NUM, line, col);
    ENSURE(&f->stack_slots, n, &f->ss_defined);
    define(p, &f->ss_defined.v[n], E_SS, n, line, col);
    expect(p, T_EQUAL, "expected '=' in stack slot declaration");
    if (!accept_ident(p, "explicit_slot") && !accept_ident(p, "spill_slot")) {
        if (tok_ident(p, "incoming_arg") || tok_ident(p, "outgoing_arg") || tok_ident(p, "emergency_slot"))
            perr(p, "stack slot kind '%.*s' of older releases is not supported", (int)p->t.len, p->t.text);
        perr(p, "expected stack slot kind");
    }
    ir_stack_slot *ss = &f->stack_slots.v[n];
    if (p->t.kind != T_INT)
        perr(p, "expected byte-size in stack_slot decl");
    if (p->t.text[0] == '-')
        perr(p, "negative stack slot size");
    uint64_t size = parse_imm(p, 64, "expected byte-size in stack_slot decl");
    if (size > UINT32_MAX)
        perr_at(p, line, col, "stack slot too large");
    ss->size = (uint32_t)size;
    uint64_t align = 1;
    while (accept(p, T_COMMA)) {
        if (accept_ident(p, "align")) {
            expect(p, T_EQUAL, "expected `=` after flag");
            if (p->t.kind != T_INT)
                perr(p, "expected alignment-size after `align` flag");
            if (p->t.text[0] == '-')
                perr(p, "alignment must be a 32-bit unsigned integer");
            align = parse_imm(p, 64, "expected alignment-size after `align` flag");
            if (align > UINT32_MAX)
                perr(p, "alignment must be a 32-bit unsigned integer");
        } else if (accept_ident(p, "key")) {
            expect(p, T_EQUAL, "expected `=` after flag");
            if (p->t.kind != T_INT || p->t.text[0] == '-')
                perr(p, "expected `u64` value for `key` flag");
            ss->key = parse_imm(p, 64, "expected `u64` value for `key` flag");
            ss->has_key = true;
        } else
            perr(p, "invalid flag for stack slot");
    }
    if (!align || (align & (align - 1)))
        perr_at(p, line, col, "stack slot alignment is not a power of two");
    while ((1ull << ss->align_shift) < align)
        ss->align_shift++;
}

static void parse_global_value(parser *p, ir_function *f, uint32_t line, uint32_t col)
{
    uint32_t n = match_ent(p, E_GV, "expected global value number: gv«n»");
    check_num(p, n, MAX_ENTITY_NUM, line, col);
    ENSURE(&f->gvs, n, &f->gv_defined);
    define(p, &f->gv_defined.v[n], E_GV, n, line, col);
    expect(p, T_EQUAL, "expected '=' in global value declaration");
    ir_global_value *g = &f->gvs.v[n];
    if (p->t.kind != T_IDENT)
        perr(p, "expected global value kind");
    if (accept_ident(p, "vmctx")) {
        g->kind = IR_GV_VMCTX;
    } else if (accept_ident(p, "load")) {
        g->kind = IR_GV_LOAD;
        expect(p, T_DOT, "expected '.' followed by type in load global value decl");
        if (p->t.kind != T_TYPE)
            perr(p, "expected load type");
        g->type = p->t.type;
        lex_next(p);
        g->flags = parse_memflags(p);
        g->base = match_ent(p, E_GV, "expected global value: gv«n»");
        g->offset = optional_offset(p, 32);
        if (g->flags.trap != IR_TRAP_NONE || !(g->flags.bits & IR_MF_ALIGNED))
            perr(p, "global-value load must be notrap and aligned");
    } else if (accept_ident(p, "iadd_imm")) {
        g->kind = IR_GV_IADD_IMM;
        expect(p, T_DOT, "expected '.' followed by type in iadd_imm global value decl");
        if (p->t.kind != T_TYPE)
            perr(p, "expected iadd type");
        g->type = p->t.type;
        lex_next(p);
        g->base = match_ent(p, E_GV, "expected global value: gv«n»");
        expect(p, T_COMMA, "expected ',' followed by rhs in iadd_imm global value decl");
        g->offset = (int64_t)parse_imm(p, 64, "expected iadd_imm immediate");
    } else if (accept_ident(p, "symbol")) {
        g->kind = IR_GV_SYMBOL;
        g->colocated = accept_ident(p, "colocated");
        g->tls = accept_ident(p, "tls");
        parse_external_name(p, &g->name, &f->arena);
        g->offset = optional_offset(p, 64);
    } else if (accept_ident(p, "dyn_scale_target_const")) {
        g->kind = IR_GV_DYN_SCALE;
        expect(p, T_DOT, "expected '.' followed by type in dynamic scale global value decl");
        if (p->t.kind != T_TYPE || !ir_type_is_vector(p->t.type))
            perr(p, "expected vector type");
        g->type = p->t.type;
        lex_next(p);
    } else {
        perr(p, "Unknown global value kind '%.*s'", (int)p->t.len, p->t.text);
    }
}

static uint32_t add_signature(ir_function *f, const ir_signature *s, uint32_t n)
{
    ENSURE(&f->sigs, n, &f->sig_defined);
    f->sigs.v[n] = *s;
    return n;
}

static void parse_function_decl(parser *p, ir_function *f, uint32_t line, uint32_t col)
{
    uint32_t n = match_ent(p, E_FN, "expected function number: fn«n»");
    check_num(p, n, MAX_ENTITY_NUM, line, col);
    ENSURE(&f->func_refs, n, &f->fn_defined);
    define(p, &f->fn_defined.v[n], E_FN, n, line, col);
    expect(p, T_EQUAL, "expected '=' in function decl");
    ir_func_ref fr = {0};
    fr.colocated = accept_ident(p, "colocated");
    fr.patchable = accept_ident(p, "patchable");
    parse_external_name(p, &fr.name, &f->arena);
    if (tok_is(p, T_LPAR)) {
        /* an inline signature becomes the next signature, as in Cranelift */
        ir_signature s;
        parse_signature(p, f, &s);
        uint32_t k = f->sigs.n;
        check_num(p, k, MAX_ENTITY_NUM, line, col);
        add_signature(f, &s, k);
        f->sig_defined.v[k] = 1;
        fr.sig = k;
    } else if (is_ent(p, E_SIG)) {
        check_defined(p, f->sig_defined.v, f->sig_defined.n, p->t.num, "signature", E_SIG, p->t.line, p->t.col);
        fr.sig = p->t.num;
        lex_next(p);
    } else {
        perr(p, "expected 'function' or sig«n» in function decl");
    }
    f->func_refs.v[n] = fr;
}

static void parse_constant_decl(parser *p, ir_function *f, uint32_t line, uint32_t col)
{
    uint32_t n = match_ent(p, E_CONST, "expected constant number: const«n»");
    check_num(p, n, MAX_ENTITY_NUM, line, col);
    ENSURE(&f->constants, n, &f->const_defined);
    define(p, &f->const_defined.v[n], E_CONST, n, line, col);
    expect(p, T_EQUAL, "expected '=' in constant decl");
    uint8_t buf[16];
    unsigned size;
    if (p->t.kind == T_TYPE) {
        ir_type t = p->t.type;
        lex_next(p);
        size = ir_type_bytes(t);
        parse_uimm128(p, t, buf);
    } else {
        /* untyped hex: as many bytes as its digits need */
        if (p->t.kind != T_INT || p->t.len < 3 || memcmp(p->t.text, "0x", 2))
            perr(p, "expected an immediate hexadecimal operand");
        unsigned digits = 0;
        for (uint32_t i = 2; i < p->t.len; i++)
            digits += p->t.text[i] != '_';
        size = (digits + 1) / 2;
        if (size > 16)
            perr(p, "constants larger than 16 bytes are not supported");
        parse_hex_bytes(p, buf, size ? size : 1);
        if (!size)
            size = 1;
    }
    ir_constant *c = &f->constants.v[n];
    c->off = f->bytes.n;
    c->len = size;
    for (unsigned i = 0; i < size; i++)
        ir_vec_push(&f->bytes, buf[i]);
}

static void parse_preamble(parser *p, ir_function *f)
{
    for (;;) {
        uint32_t line = p->t.line, col = p->t.col;
        if (p->t.kind == T_ENTITY) {
            switch (p->t.ent) {
            case E_SS:
                parse_stack_slot(p, f, line, col);
                continue;
            case E_DSS: {
                uint32_t n = match_ent(p, E_DSS, "expected stack slot number: dss«n»");
                check_num(p, n, MAX_ENTITY_NUM, line, col);
                ENSURE(&f->dyn_slots, n, &f->dss_defined);
                define(p, &f->dss_defined.v[n], E_DSS, n, line, col);
                expect(p, T_EQUAL, "expected '=' in stack slot declaration");
                if (!accept_ident(p, "explicit_dynamic_slot"))
                    perr(p, "expected stack slot kind");
                uint32_t dt = match_ent(p, E_DT, "expected dynamic type");
                check_defined(p, f->dt_defined.v, f->dt_defined.n, dt, "dynamic type", E_DT, line, col);
                f->dyn_slots.v[n].dynamic = 1;
                f->dyn_slots.v[n].dyn_type = dt;
                continue;
            }
            case E_DT: {
                uint32_t n = match_ent(p, E_DT, "expected dynamic type number: dt«n»");
                check_num(p, n, IR_MAX_DYN_TYPES, line, col);
                ENSURE(&f->dyn_types, n, &f->dt_defined);
                define(p, &f->dt_defined.v[n], E_DT, n, line, col);
                expect(p, T_EQUAL, "expected '=' in stack slot declaration");
                if (p->t.kind != T_TYPE)
                    perr(p, "expected base type");
                if (!ir_type_is_vector(p->t.type))
                    perr(p, "expected vector type");
                f->dyn_types.v[n].base = p->t.type;
                lex_next(p);
                expect(p, T_STAR, "expected '*' followed by a dynamic scale value");
                f->dyn_types.v[n].gv = match_ent(p, E_GV, "expected dynamic scale global value");
                continue;
            }
            case E_GV:
                parse_global_value(p, f, line, col);
                continue;
            case E_SIG: {
                uint32_t n = match_ent(p, E_SIG, "expected signature number: sig«n»");
                check_num(p, n, MAX_ENTITY_NUM, line, col);
                expect(p, T_EQUAL, "expected '=' in signature decl");
                ir_signature s;
                parse_signature(p, f, &s);
                add_signature(f, &s, n);
                define(p, &f->sig_defined.v[n], E_SIG, n, line, col);
                continue;
            }
            case E_FN:
                parse_function_decl(p, f, line, col);
                continue;
            case E_CONST:
                parse_constant_decl(p, f, line, col);
                continue;
            case E_REGION: {
                uint32_t n = match_ent(p, E_REGION, "expected alias region number");
                check_num(p, n, 255, line, col);
                ENSURE(&f->regions, n, &f->region_defined);
                define(p, &f->region_defined.v[n], E_REGION, n, line, col);
                expect(p, T_EQUAL, "expected '=' in alias region decl");
                if (p->t.kind != T_INT || p->t.text[0] == '-')
                    perr(p, "expected integer user_id for alias region");
                f->regions.v[n].user_id = (uint32_t)parse_imm(p, 32, "expected integer user_id for alias region");
                if (p->t.kind != T_STRING)
                    perr(p, "expected string description for alias region");
                f->regions.v[n].desc = ir_arena_strndup(&f->arena, p->t.text, p->t.len);
                lex_next(p);
                continue;
            }
            case E_JT: {
                /* jtN = jump_table [block1, block2] (releases of early 2023) */
                uint32_t n = match_ent(p, E_JT, "expected jump table number");
                check_num(p, n, MAX_ENTITY_NUM, line, col);
                while (p->jt_off.n <= n)
                    ir_vec_push(&p->jt_off, IR_NONE);
                if (p->jt_off.v[n] != IR_NONE)
                    perr_at(p, line, col, "duplicate entity: jt%u", n);
                expect(p, T_EQUAL, "expected '=' in jump table decl");
                if (!accept_ident(p, "jump_table"))
                    perr(p, "expected 'jump_table'");
                expect(p, T_LBRACKET, "expected '[' before jump table contents");
                IR_VEC(uint32_t) tmp = {0};
                while (!tok_is(p, T_RBRACKET)) {
                    if (tmp.n && !accept(p, T_COMMA))
                        perr(p, "expected ']' after jump table contents");
                    if (!is_ent(p, E_BLOCK)) {
                        ir_vec_free(&tmp);
                        perr(p, "expected jump_table entry");
                    }
                    ir_vec_push(&tmp, p->t.num);
                    ensure_block(p, p->t.num, p->t.line, p->t.col);
                    lex_next(p);
                }
                lex_next(p);
                p->jt_off.v[n] = f->pool.n;
                ir_vec_push(&f->pool, tmp.n);
                for (uint32_t i = 0; i < tmp.n; i++)
                    ir_vec_push(&f->pool, tmp.v[i]);
                ir_vec_free(&tmp);
                continue;
            }
            default:
                return;
            }
        }
        if (tok_ident(p, "stack_limit")) {
            lex_next(p);
            expect(p, T_EQUAL, "expected '=' in stack limit decl");
            if (f->stack_limit != IR_NONE)
                perr_at(p, line, col, "stack limit defined twice");
            f->stack_limit = match_ent(p, E_GV, "expected global value");
            continue;
        }
        if (p->t.kind == T_IDENT && p->t.len > 4 &&
            (!memcmp(p->t.text, "heap", 4) || !memcmp(p->t.text, "table", 5)))
            perr(p, "'%.*s': heaps and tables were removed from Cranelift in 2023 and are not supported",
                 (int)p->t.len, p->t.text);
        return;
    }
}

/* ---- blocks and instructions ---------------------------------------------------- */

/* A block call: blockN or blockN(args); stored as block, nargs, args. */
static uint32_t parse_block_call(parser *p, const char *msg)
{
    ir_function *f = p->fn;
    if (!is_ent(p, E_BLOCK))
        perr(p, "%s", msg);
    uint32_t off = f->pool.n;
    ir_vec_push(&f->pool, ensure_block(p, p->t.num, p->t.line, p->t.col));
    ir_vec_push(&f->pool, 0);
    lex_next(p);
    if (!accept(p, T_LPAR))
        return off;
    uint32_t n = 0;
    while (!tok_is(p, T_RPAR)) {
        if (n && !accept(p, T_COMMA))
            perr(p, "expected ')' after arguments");
        uint32_t a;
        if (is_ent(p, E_VALUE))
            a = IR_BLOCKARG(IR_BLOCKARG_VALUE, use_value(p, ""));
        else if (is_ent(p, E_RET) || is_ent(p, E_EXN)) {
            if (p->t.num > 0x3fffffff)
                perr(p, "block argument number too large");
            a = IR_BLOCKARG(is_ent(p, E_RET) ? IR_BLOCKARG_RET : IR_BLOCKARG_EXN, p->t.num);
            lex_next(p);
        } else
            perr(p, "expected value in argument list");
        ir_vec_push(&f->pool, a);
        n++;
    }
    lex_next(p);
    f->pool.v[off + 1] = n;
    return off;
}

/* Value list up to `)`: returns count; values pushed to the pool. */
static uint16_t parse_value_list(parser *p)
{
    uint32_t n = 0;
    if (!is_ent(p, E_VALUE))
        return 0;
    do {
        if (n == UINT16_MAX)
            perr(p, "too many arguments");
        ir_vec_push(&p->fn->pool, use_value(p, "expected value in argument list"));
        n++;
    } while (accept(p, T_COMMA));
    return (uint16_t)n;
}

static uint32_t parse_exception_table(parser *p)
{
    ir_function *f = p->fn;
    uint32_t sig = match_ent(p, E_SIG, "expected signature of called function");
    check_defined(p, f->sig_defined.v, f->sig_defined.n, sig, "signature", E_SIG, p->t.line, p->t.col);
    expect(p, T_COMMA, "expected comma after signature argument");
    uint32_t normal = parse_block_call(p, "expected branch destination block");
    expect(p, T_COMMA, "expected comma after normal-return destination");
    expect(p, T_LBRACKET, "expected an open-bracket for exception table list");
    /* items are collected first: block calls go to the pool as they parse */
    IR_VEC(uint32_t) items = {0};
    while (!tok_is(p, T_RBRACKET)) {
        uint32_t kind, val, bc = IR_NONE;
        if (is_ent(p, E_TAG)) {
            kind = IR_EXN_TAG;
            val = p->t.num;
            lex_next(p);
            if (!accept(p, T_COLON))
                ir_vec_free(&items), perr(p, "expected ':' after exception tag");
            bc = parse_block_call(p, "expected branch destination block");
        } else if (accept_ident(p, "default")) {
            kind = IR_EXN_DEFAULT;
            val = 0;
            if (!accept(p, T_COLON))
                ir_vec_free(&items), perr(p, "expected ':' after 'default'");
            bc = parse_block_call(p, "expected branch destination block");
        } else if (accept_ident(p, "context")) {
            kind = IR_EXN_CONTEXT;
            if (!is_ent(p, E_VALUE))
                ir_vec_free(&items), perr(p, "expected value for exception-handler context");
            val = use_value(p, "");
        } else {
            ir_vec_free(&items);
            perr(p, "invalid token");
        }
        ir_vec_push(&items, kind);
        ir_vec_push(&items, val);
        ir_vec_push(&items, bc);
        if (!accept(p, T_COMMA))
            break;
    }
    if (!accept(p, T_RBRACKET))
        ir_vec_free(&items), perr(p, "expected closing bracket");
    uint32_t off = f->pool.n;
    ir_vec_push(&f->pool, sig);
    ir_vec_push(&f->pool, normal);
    ir_vec_push(&f->pool, items.n / 3);
    for (uint32_t i = 0; i < items.n; i++)
        ir_vec_push(&f->pool, items.v[i]);
    ir_vec_free(&items);
    return off;
}

static void comma(parser *p) { expect(p, T_COMMA, "expected ',' between operands"); }

/* Stack slot operand with offset: ssN+off, or the older `ssN, off`. */
static void parse_slot_offset(parser *p, ir_inst_data *in)
{
    ir_function *f = p->fn;
    uint32_t line = p->t.line, col = p->t.col;
    in->ent = match_ent(p, E_SS, "expected stack slot number: ss«n»");
    check_defined(p, f->ss_defined.v, f->ss_defined.n, in->ent, "stack slot", E_SS, line, col);
    in->imm = optional_offset(p, 32);
    if (!in->imm && tok_is(p, T_COMMA) && (in->op == IR_OP_stack_load || in->op == IR_OP_stack_store)) {
        lex_next(p);
        in->imm = sext64(parse_imm(p, 32, "expected stack slot offset"), 32);
    }
}

static uint32_t arg(parser *p, const char *msg)
{
    uint32_t v = use_value(p, msg);
    ir_vec_push(&p->fn->pool, v);
    return v;
}

/* The operands of each format (Cranelift's parse_inst_operands). */
static void parse_operands(parser *p, ir_inst_data *in, ir_type suffix)
{
    ir_function *f = p->fn;
    in->args = f->pool.n;
    uint32_t line = p->t.line, col = p->t.col;
    switch ((ir_format)ir_opcodes[in->op].format) {
    case IR_FMT_Unary:
        arg(p, "expected SSA value operand");
        break;
    case IR_FMT_UnaryImm: {
        unsigned bits = suffix == IR_I8 ? 8 : suffix == IR_I16 ? 16 : suffix == IR_I32 ? 32 : suffix == IR_I64 ? 64 : 0;
        if (!bits)
            perr(p, "expected one of the following type: i8, i16, i32 or i64");
        char msg[48];
        snprintf(msg, sizeof msg, "expected immediate %u-bit integer operand", bits);
        in->imm = (int64_t)parse_imm(p, bits, msg); /* zero-extended, as Cranelift stores it */
        break;
    }
    case IR_FMT_UnaryIeee16:
    case IR_FMT_UnaryIeee32:
    case IR_FMT_UnaryIeee64: {
        unsigned bits = in->op == IR_OP_f16const ? 16 : in->op == IR_OP_f32const ? 32 : 64;
        uint8_t b[8] = {0};
        if (p->t.kind != T_FLOAT && p->t.kind != T_INT)
            perr(p, "expected immediate %u-bit float operand", bits);
        parse_float(p, bits, b);
        uint64_t v = 0;
        memcpy(&v, b, 8);
        in->imm = (int64_t)v;
        break;
    }
    case IR_FMT_UnaryIeee128:
    case IR_FMT_UnaryConst:
    case IR_FMT_Shuffle: {
        if (ir_opcodes[in->op].format == IR_FMT_Shuffle) {
            arg(p, "expected SSA value first operand");
            comma(p);
            arg(p, "expected SSA value second operand");
            comma(p);
        }
        in->ent = IR_NONE;
        if (is_ent(p, E_CONST) && ir_opcodes[in->op].format != IR_FMT_Shuffle) {
            in->ent = p->t.num;
            check_defined(p, f->const_defined.v, f->const_defined.n, in->ent, "constant", E_CONST, line, col);
            lex_next(p);
            break;
        }
        uint8_t b[16] = {0};
        if (in->op == IR_OP_f128const) {
            if (p->t.kind != T_FLOAT && p->t.kind != T_INT)
                perr(p, "expected immediate 128-bit float operand");
            parse_float(p, 128, b);
        } else if (ir_opcodes[in->op].format == IR_FMT_Shuffle) {
            parse_uimm128(p, ir_type_make(IR_I8, 4), b);
        } else if (suffix) {
            parse_uimm128(p, suffix & 0xff, b);
        } else {
            perr(p, "Expected either a const entity or a typed value, e.g. inst.i32x4 [...]");
        }
        in->imm = f->bytes.n;
        for (int i = 0; i < 16; i++)
            ir_vec_push(&f->bytes, b[i]);
        break;
    }
    case IR_FMT_UnaryGlobalValue:
        in->ent = match_ent(p, E_GV, "expected global value");
        check_defined(p, f->gv_defined.v, f->gv_defined.n, in->ent, "global value", E_GV, line, col);
        break;
    case IR_FMT_Binary:
        arg(p, "expected SSA value first operand");
        comma(p);
        arg(p, "expected SSA value second operand");
        break;
    case IR_FMT_BinaryImm8:
        arg(p, "expected SSA value first operand");
        comma(p);
        in->imm = (int64_t)(uint8_t)parse_imm(p, 8, "expected unsigned 8-bit immediate");
        break;
    case IR_FMT_BinaryImm64:
        arg(p, "expected SSA value first operand");
        comma(p);
        in->imm = (int64_t)parse_imm(p, 64, "expected immediate 64-bit integer operand");
        break;
    case IR_FMT_Ternary:
        arg(p, "expected SSA value control operand");
        comma(p);
        arg(p, "expected SSA value true operand");
        comma(p);
        arg(p, "expected SSA value false operand");
        break;
    case IR_FMT_TernaryImm8:
        arg(p, "expected SSA value first operand");
        comma(p);
        arg(p, "expected SSA value last operand");
        comma(p);
        in->imm = (int64_t)(uint8_t)parse_imm(p, 8, "expected 8-bit immediate");
        break;
    case IR_FMT_MultiAry:
        in->nargs = parse_value_list(p);
        return;
    case IR_FMT_NullAry:
        break;
    case IR_FMT_Jump:
        in->ent = parse_block_call(p, "expected jump destination block");
        return;
    case IR_FMT_Brif: {
        arg(p, "expected SSA value control operand");
        comma(p);
        uint32_t then = parse_block_call(p, "expected branch then block");
        comma(p);
        uint32_t els = parse_block_call(p, "expected branch else block");
        in->ent = f->pool.n;
        ir_vec_push(&f->pool, then);
        ir_vec_push(&f->pool, els);
        in->nargs = 1;
        return;
    }
    case IR_FMT_BranchTable: {
        /* br_table x, default(args), [block(args), ...]; in early 2023 `, jtN` */
        uint32_t x = use_value(p, "expected SSA value operand");
        comma(p);
        IR_VEC(uint32_t) calls = {0};
        ir_vec_push(&calls, parse_block_call(p, "expected branch destination block"));
        if (!accept(p, T_COMMA))
            ir_vec_free(&calls), perr(p, "expected ',' between operands");
        if (is_ent(p, E_JT)) {
            uint32_t jt = p->t.num;
            if (jt >= p->jt_off.n || p->jt_off.v[jt] == IR_NONE)
                ir_vec_free(&calls), perr(p, "undefined jump table jt%u", jt);
            lex_next(p);
            uint32_t o = p->jt_off.v[jt];
            for (uint32_t i = 0; i < f->pool.v[o]; i++) {
                uint32_t bc = f->pool.n;
                uint32_t b = f->pool.v[o + 1 + i];
                ir_vec_push(&f->pool, b);
                ir_vec_push(&f->pool, 0);
                ir_vec_push(&calls, bc);
            }
        } else {
            if (!accept(p, T_LBRACKET))
                ir_vec_free(&calls), perr(p, "expected '[' before jump table contents");
            while (!tok_is(p, T_RBRACKET)) {
                if (calls.n > 1 && !accept(p, T_COMMA))
                    ir_vec_free(&calls), perr(p, "expected ']' after jump table contents");
                if (!is_ent(p, E_BLOCK))
                    ir_vec_free(&calls), perr(p, "expected jump_table entry");
                ir_vec_push(&calls, parse_block_call(p, "expected jump_table entry"));
            }
            lex_next(p);
        }
        in->args = f->pool.n;
        ir_vec_push(&f->pool, x);
        in->nargs = 1;
        in->ent = f->pool.n;
        ir_vec_push(&f->pool, calls.n);
        for (uint32_t i = 0; i < calls.n; i++)
            ir_vec_push(&f->pool, calls.v[i]);
        ir_vec_free(&calls);
        return;
    }
    case IR_FMT_Call:
    case IR_FMT_TryCall:
        in->ent = match_ent(p, E_FN, "expected function reference");
        check_defined(p, f->fn_defined.v, f->fn_defined.n, in->ent, "function", E_FN, line, col);
        expect(p, T_LPAR, "expected '(' before arguments");
        in->args = f->pool.n;
        in->nargs = parse_value_list(p);
        expect(p, T_RPAR, "expected ')' after arguments");
        if (ir_opcodes[in->op].format == IR_FMT_TryCall) {
            expect(p, T_COMMA, "expected ',' after argument list");
            /* the exception table goes in imm: ent is the callee */
            in->imm = parse_exception_table(p);
        }
        return;
    case IR_FMT_CallIndirect:
        in->ent = match_ent(p, E_SIG, "expected signature reference");
        check_defined(p, f->sig_defined.v, f->sig_defined.n, in->ent, "signature", E_SIG, line, col);
        comma(p);
        /* fallthrough: callee(args) */
    case IR_FMT_TryCallIndirect: {
        uint32_t callee = use_value(p, "expected SSA value callee operand");
        expect(p, T_LPAR, "expected '(' before arguments");
        in->args = f->pool.n;
        ir_vec_push(&f->pool, callee);
        in->nargs = (uint16_t)(1 + parse_value_list(p));
        expect(p, T_RPAR, "expected ')' after arguments");
        if (ir_opcodes[in->op].format == IR_FMT_TryCallIndirect) {
            expect(p, T_COMMA, "expected ',' after argument list");
            in->imm = parse_exception_table(p);
        }
        return;
    }
    case IR_FMT_FuncAddr:
        in->ent = match_ent(p, E_FN, "expected function reference");
        check_defined(p, f->fn_defined.v, f->fn_defined.n, in->ent, "function", E_FN, line, col);
        break;
    case IR_FMT_StackAddr:
    case IR_FMT_StackLoad:
        parse_slot_offset(p, in);
        break;
    case IR_FMT_StackStore:
        arg(p, "expected SSA value operand");
        comma(p);
        parse_slot_offset(p, in);
        break;
    case IR_FMT_DynamicStackStore:
        arg(p, "expected SSA value operand");
        comma(p);
        /* fallthrough */
    case IR_FMT_DynamicStackAddr:
    case IR_FMT_DynamicStackLoad:
        in->ent = match_ent(p, E_DSS, "expected dynamic stack slot number: dss«n»");
        check_defined(p, f->dss_defined.v, f->dss_defined.n, in->ent, "dynamic stack slot", E_DSS, line, col);
        break;
    case IR_FMT_Load:
    case IR_FMT_LoadNoOffset:
        in->mf = parse_memflags(p);
        arg(p, "expected SSA value address");
        if (ir_opcodes[in->op].format == IR_FMT_Load)
            in->imm = optional_offset(p, 32);
        break;
    case IR_FMT_Store:
    case IR_FMT_StoreNoOffset:
        in->mf = parse_memflags(p);
        arg(p, "expected SSA value operand");
        comma(p);
        arg(p, "expected SSA value address");
        if (ir_opcodes[in->op].format == IR_FMT_Store)
            in->imm = optional_offset(p, 32);
        break;
    case IR_FMT_Trap:
        in->trap = parse_trapcode(p);
        break;
    case IR_FMT_CondTrap:
        arg(p, "expected SSA value operand");
        comma(p);
        in->trap = parse_trapcode(p);
        break;
    case IR_FMT_IntAddTrap:
        arg(p, "expected SSA value operand");
        comma(p);
        arg(p, "expected SSA value operand");
        comma(p);
        in->trap = parse_trapcode(p);
        break;
    case IR_FMT_IntCompare:
    case IR_FMT_IntCompareImm: {
        unsigned k = 0;
        for (; k < IR_INTCC_COUNT; k++)
            if (tok_ident(p, ir_intcc_names[k]))
                break;
        if (k == IR_INTCC_COUNT)
            perr(p, "expected intcc condition code");
        in->cond = (uint8_t)k;
        lex_next(p);
        arg(p, "expected SSA value first operand");
        comma(p);
        if (ir_opcodes[in->op].format == IR_FMT_IntCompare)
            arg(p, "expected SSA value second operand");
        else
            in->imm = (int64_t)parse_imm(p, 64, "expected immediate 64-bit integer operand");
        break;
    }
    case IR_FMT_FloatCompare: {
        unsigned k = 0;
        for (; k < IR_FLOATCC_COUNT; k++)
            if (tok_ident(p, ir_floatcc_names[k]))
                break;
        if (k == IR_FLOATCC_COUNT)
            perr(p, "expected floatcc condition code");
        in->cond = (uint8_t)k;
        lex_next(p);
        arg(p, "expected SSA value first operand");
        comma(p);
        arg(p, "expected SSA value second operand");
        break;
    }
    case IR_FMT_AtomicRmw: {
        in->mf = parse_memflags(p);
        unsigned k = 0;
        for (; k < IR_RMW_COUNT; k++)
            if (tok_ident(p, ir_atomic_rmw_names[k]))
                break;
        if (k == IR_RMW_COUNT)
            perr(p, "expected AtomicRmwOp");
        in->cond = (uint8_t)k;
        lex_next(p);
        arg(p, "expected SSA value address");
        comma(p);
        arg(p, "expected SSA value address");
        break;
    }
    case IR_FMT_AtomicCas:
        in->mf = parse_memflags(p);
        arg(p, "expected SSA value address");
        comma(p);
        arg(p, "expected SSA value address");
        comma(p);
        arg(p, "expected SSA value address");
        break;
    case IR_FMT_ExceptionHandlerAddress:
        in->ent = match_ent(p, E_BLOCK, "expected block");
        ensure_block(p, in->ent, line, col);
        comma(p);
        in->imm = (int64_t)parse_imm(p, 64, "expected immediate handler index");
        return;
    case IR_FMT_TableAddr:
        perr_at(p, in->line, in->col, "table_addr was removed from Cranelift in 2023 and is not supported");
    case IR_FMT_COUNT:
        break;
    }
    in->nargs = (uint16_t)(f->pool.n - in->args);
}

static const char *typeset_example(const char *set)
{
    static const char *const ex[] = {"i32", "i64", "i8", "f32", "f64", "i32x4", "f32x4", "i8x16", "i128", "f16", "f128"};
    for (unsigned i = 0; i < sizeof ex / sizeof *ex; i++)
        if (ir_typeset_contains(set, ir_type_parse(ex[i], strlen(ex[i]))))
            return ex[i];
    return "i32";
}

static void parse_instruction(parser *p, uint32_t block, const uint32_t *res, uint32_t nres,
                              uint32_t srcloc, uint32_t rline, uint32_t rcol)
{
    ir_function *f = p->fn;
    if (p->t.kind != T_IDENT)
        perr(p, "expected instruction opcode");
    ir_opcode op = ir_opcode_lookup(p->t.text, p->t.len);
    if (op == IR_OP_COUNT)
        perr(p, "Unknown opcode: '%.*s'", (int)p->t.len, p->t.text);
    uint32_t line = p->t.line, col = p->t.col;
    lex_next(p);
    const ir_opinfo *info = &ir_opcodes[op];
    ir_type suffix = 0;
    if (accept(p, T_DOT)) {
        if (p->t.kind == T_TYPE) {
            suffix = p->t.type;
        } else if (is_ent(p, E_DT)) {
            uint32_t dt = p->t.num;
            check_defined(p, f->dt_defined.v, f->dt_defined.n, dt, "dynamic type", E_DT, p->t.line, p->t.col);
            suffix = ir_type_make_dynamic(f->dyn_types.v[dt].base, dt);
        } else
            perr(p, "expected type after 'opcode.'");
        lex_next(p);
    }
    uint32_t i = ir_inst_append(f, block);
    ir_inst_data in = f->insts.v[i];
    in.op = (uint16_t)op;
    in.line = line;
    in.col = col;
    in.srcloc = srcloc;
    parse_operands(p, &in, suffix);

    /* `, stack_map = [...]` after a call: read and dropped (clifrun has no GC). */
    if ((info->flags & IR_OPF_CALL) && accept(p, T_COMMA)) {
        if (!accept_ident(p, "stack_map"))
            perr(p, "expected `stack_map = [...]`");
        expect(p, T_EQUAL, "expected `= [...]`");
        expect(p, T_LBRACKET, "expected `[...]`");
        while (!accept(p, T_RBRACKET)) {
            if (p->t.kind != T_TYPE)
                perr(p, "expected `<type> @ <slot> + <offset>`");
            lex_next(p);
            expect(p, T_AT, "expected `@ <slot> + <offset>`");
            match_ent(p, E_SS, "expected `<slot> + <offset>`");
            if (p->t.kind == T_PLUS)
                lex_next(p);
            match_uimm32(p, "expected a u32 offset");
            if (!accept(p, T_COMMA)) {
                expect(p, T_RBRACKET, "expected `,` or `]`");
                break;
            }
        }
    }

    /* the controlling type: the suffix, or the type of the typevar operand */
    ir_type ctrl = suffix;
    if (info->ctrl[0]) {
        int ca = ir_op_ctrl_arg(op);
        if (!ctrl && ca >= 0 && ca < in.nargs) {
            uint32_t v = f->pool.v[in.args + (uint32_t)ca];
            if (f->values.v[v].kind == IR_VAL_UNUSED)
                perr_at(p, line, col,
                        "type variable required for polymorphic opcode, e.g. '%s.%s'; can't infer from v%u which is not yet defined",
                        info->name, typeset_example(info->ctrl), v);
            ctrl = f->values.v[v].type;
        }
        if (!ctrl)
            perr_at(p, line, col, "type variable required for polymorphic opcode, e.g. '%s.%s'", info->name,
                    typeset_example(info->ctrl));
        if (!ir_typeset_contains(info->ctrl, ctrl))
            perr_at(p, line, col, "%s is not a valid typevar for %s", ir_type_name(ctrl, (char[16]){0}), info->name);
    } else if (suffix) {
        perr_at(p, line, col, "%s does not take a typevar", info->name);
    }
    in.type = ctrl;

    /* results: from the callee's signature, or derived from the ctrl type */
    const ir_abi_param *rets = NULL;
    uint32_t want;
    if (info->flags & IR_OPF_CALL && !(info->flags & IR_OPF_RETURN)) {
        uint32_t sig = info->format == IR_FMT_CallIndirect ? in.ent
                     : info->format == IR_FMT_TryCallIndirect ? f->pool.v[in.imm]
                     : f->func_refs.v[in.ent].sig;
        want = 0;
        if (sig < f->sig_defined.n && f->sig_defined.v[sig]) {
            /* try_call results go to the normal-return block as retN */
            if (info->format != IR_FMT_TryCall && info->format != IR_FMT_TryCallIndirect) {
                rets = &f->abi_params.v[f->sigs.v[sig].rets];
                want = f->sigs.v[sig].nrets;
            }
        }
    } else {
        want = (uint32_t)strlen(info->res);
    }
    if (nres != want)
        perr_at(p, line, col, "instruction produces %u result values, %u given", want, nres);
    in.res = f->pool.n;
    in.nres = (uint16_t)nres;
    for (uint32_t k = 0; k < nres; k++) {
        uint32_t v = res[k];
        ir_type t = rets ? rets[k].type : ir_type_derive(info->res[k], ctrl);
        if (!t)
            perr_at(p, line, col, "%s is not a valid typevar for %s", ir_type_name(ctrl, (char[16]){0}), info->name);
        if (f->values.v[v].kind != IR_VAL_UNUSED)
            perr_at(p, rline, rcol, "duplicate entity: v%u", v);
        f->values.v[v] = (ir_value_data){IR_VAL_RESULT, t, i, k, rline, rcol};
        ir_vec_push(&f->pool, v);
    }
    f->insts.v[i] = in;
}

static void parse_block(parser *p)
{
    ir_function *f = p->fn;
    uint32_t line = p->t.line, col = p->t.col;
    uint32_t b = match_ent(p, E_BLOCK, "expected block header");
    ensure_block(p, b, line, col);
    if (f->blocks.v[b].in_layout)
        perr_at(p, line, col, "duplicate entity: block%u", b);
    f->blocks.v[b].in_layout = true;
    f->blocks.v[b].line = line;
    f->blocks.v[b].col = col;
    ir_vec_push(&f->layout, b);
    /* parameters: collected in the pool once the list is complete */
    IR_VEC(uint32_t) params = {0};
    if (accept(p, T_LPAR) && !accept(p, T_RPAR)) {
        for (;;) {
            if (!is_ent(p, E_VALUE))
                ir_vec_free(&params), perr(p, "block argument must be a value");
            uint32_t vl = p->t.line, vc = p->t.col, v = p->t.num;
            ensure_value(p, v, vl, vc);
            lex_next(p);
            if (!accept(p, T_COLON))
                ir_vec_free(&params), perr(p, "expected ':' after block argument");
            ir_type t = 0;
            if (p->t.kind == T_TYPE)
                t = p->t.type;
            else if (is_ent(p, E_DT) && p->t.num < f->dt_defined.n && f->dt_defined.v[p->t.num])
                t = ir_type_make_dynamic(f->dyn_types.v[p->t.num].base, p->t.num);
            else
                ir_vec_free(&params), perr(p, "expected block argument type");
            lex_next(p);
            if (f->values.v[v].kind != IR_VAL_UNUSED)
                ir_vec_free(&params), perr_at(p, vl, vc, "duplicate entity: v%u", v);
            f->values.v[v] = (ir_value_data){IR_VAL_PARAM, t, b, params.n, vl, vc};
            ir_vec_push(&params, v);
            if (!accept(p, T_COMMA))
                break;
        }
        if (!accept(p, T_RPAR))
            ir_vec_free(&params), perr(p, "expected ')' after block parameters");
    }
    f->blocks.v[b].params = f->pool.n;
    f->blocks.v[b].nparams = params.n;
    for (uint32_t i = 0; i < params.n; i++)
        ir_vec_push(&f->pool, params.v[i]);
    ir_vec_free(&params);
    f->blocks.v[b].cold = accept_ident(p, "cold");
    expect(p, T_COLON, "expected ':' after block parameters");

    for (;;) {
        if (!(p->t.kind == T_IDENT || p->t.kind == T_LANGLE || p->t.kind == T_SRCLOC ||
              p->t.kind == T_LBRACKET || is_ent(p, E_VALUE)))
            return;
        if (accept(p, T_LANGLE)) {   /* debug tags: read, not kept */
            while (!accept(p, T_RANGLE)) {
                if (p->t.kind == T_INT)
                    match_uimm32(p, "expected a u32 value");
                else if (is_ent(p, E_SS))
                    lex_next(p);
                else
                    perr(p, "expected integer user value or stack slot in debug tags");
                if (!accept(p, T_COMMA)) {
                    expect(p, T_RANGLE, "expected `,` or `>`");
                    break;
                }
            }
        }
        uint32_t srcloc = IR_NONE;
        if (p->t.kind == T_SRCLOC) {
            uint64_t v = 0;
            if (p->t.len > 8)
                perr(p, "invalid source location: %.*s", (int)p->t.len, p->t.text);
            for (uint32_t i = 0; i < p->t.len; i++) {
                char c = p->t.text[i];
                v = v * 16 + (uint64_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
            }
            srcloc = (uint32_t)v;
            lex_next(p);
        }
        uint32_t res[64], nres = 0, rline = p->t.line, rcol = p->t.col;
        if (is_ent(p, E_VALUE)) {
            do {
                if (nres == 64)
                    perr(p, "too many results");
                if (!is_ent(p, E_VALUE))
                    perr(p, "expected result value");
                ensure_value(p, p->t.num, p->t.line, p->t.col);
                res[nres++] = p->t.num;
                lex_next(p);
            } while (accept(p, T_COMMA));
            if (accept(p, T_ARROW)) {
                if (nres != 1)
                    perr(p, "wrong number of aliases");
                uint32_t dl = p->t.line, dc = p->t.col;
                uint32_t dest = use_value(p, "expected value alias");
                ir_value_data *r = &f->values.v[res[0]];
                if (r->kind == IR_VAL_ALIAS && r->def != dest)
                    perr_at(p, rline, rcol, "value v%u is already defined as an alias with destination v%u", res[0], r->def);
                if (r->kind != IR_VAL_UNUSED && r->kind != IR_VAL_ALIAS)
                    perr_at(p, rline, rcol, "value v%u is already defined", res[0]);
                if (f->values.v[dest].kind == IR_VAL_UNUSED)
                    perr_at(p, dl, dc, "value v%u is not yet defined", dest);
                *r = (ir_value_data){IR_VAL_ALIAS, f->values.v[dest].type, dest, 0, rline, rcol};
                ir_vec_push(&p->aliases, res[0]);
                continue;
            }
            if (!accept(p, T_EQUAL))
                perr(p, "expected -> or =");
        }
        parse_instruction(p, b, res, nres, srcloc, rline, rcol);
    }
}

/* Every operand refers to a defined value (Cranelift checks this after the
 * body, so that uses may precede definitions in the text). */
static void check_operands(parser *p)
{
    ir_function *f = p->fn;
    for (uint32_t i = 0; i < f->insts.n; i++) {
        const ir_inst_data *in = &f->insts.v[i];
        for (uint32_t k = 0; k < in->nargs; k++) {
            uint32_t v = f->pool.v[in->args + k];
            if (f->values.v[v].kind == IR_VAL_UNUSED)
                perr_at(p, in->line, in->col, "undefined operand value v%u", v);
        }
    }
}

static void parse_function(parser *p)
{
    ir_file *file = p->file;
    ir_function *f = calloc(1, sizeof *f);
    if (!f)
        perr(p, "out of memory");
    ir_function_init(f);
    ir_vec_push(&file->funcs, f);
    p->fn = f;
    p->aliases.n = 0;
    p->jt_off.n = 0;
    f->line = p->t.line;
    f->col = p->t.col;
    lex_next(p); /* `function` */
    if (p->t.kind == T_NAME) {
        f->name.kind = IR_NAME_TESTCASE;
        f->name.str = ir_arena_strndup(&f->arena, p->t.text, p->t.len);
        lex_next(p);
    } else if (is_ent(p, E_USER)) {
        parse_user_ref(p, &f->name);
    } else {
        perr(p, "expected external name");
    }
    parse_signature(p, f, &f->sig);
    expect(p, T_LBRACE, "expected '{' before function body");
    parse_preamble(p, f);
    while (!tok_is(p, T_RBRACE)) {
        if (tok_is(p, T_EOF))
            perr(p, "expected '}' after function body");
        if (!is_ent(p, E_BLOCK) && p->t.kind == T_IDENT && f->layout.n == 0)
            perr(p, "expected block header");
        parse_block(p);
    }
    f->end_line = p->t.line;
    check_operands(p);
    lex_next(p);
}

bool reader_parse_file(ir_file *file, const char *path, const char *src, size_t len, ir_diag *d)
{
    memset(file, 0, sizeof *file);
    file->path = path;
    file->src = src;
    file->len = len;
    d->file = path;
    d->src = src;
    d->len = len;
    d->line = d->col = 0;
    d->msg[0] = 0;
    parser *p = calloc(1, sizeof *p);
    if (!p) {
        ir_diag_set(d, 0, 0, "out of memory");
        return false;
    }
    p->file = file;
    p->d = d;
    bool ok = false;
    if (setjmp(p->fail) == 0) {
        lex_init(&p->lx, src, len, 1, src);
        p->lx.keep_runs = true;
        lex_next(p);
        parse_header(p);
        /* run comments before the first function belong to no function */
        p->runs.n = 0;
        while (!tok_is(p, T_EOF)) {
            if (!tok_ident(p, "function"))
                perr(p, "expected 'function'");
            uint32_t first_run = p->runs.n;
            parse_function(p);
            /* comments after the body, up to the next `function`, are its run lines */
            while (!tok_is(p, T_EOF) && !tok_ident(p, "function"))
                perr(p, "expected 'function'");
            parse_runs_for(p, file->funcs.n - 1, first_run, p->runs.n);
            p->runs.n = 0;
        }
        ok = true;
    }
    ir_vec_free(&p->runs);
    ir_vec_free(&p->aliases);
    ir_vec_free(&p->jt_off);
    free(p);
    return ok;
}
