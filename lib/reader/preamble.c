/* Signatures, names, memory flags and the entities of a function's preamble
 * (stack slots, global values, signatures, function refs, constants, ...). */
#include <string.h>

#include "internal.h"

/* ---- names and signatures ---------------------------------------------------- */

void rd_parse_user_ref(parser *p, ir_extname *n)
{
    n->kind = IR_NAME_USER;
    n->ns = p->t.num;
    rd_lex_next(p);
    if (!rd_accept(p, T_COLON))
        rd_perr_expected(p, "expected user function name in the form uX:Y");
    n->index = rd_match_u32_decimal(p, "expected integer", "the integer given overflows the u32 type");
}

static void parse_external_name(parser *p, ir_extname *n, ir_arena *a)
{
    uint32_t line = p->t.line, col = p->t.col;
    memset(n, 0, sizeof *n);
    n->line = line;
    n->col = col;
    if (p->t.kind == T_NAME) {
        n->kind = IR_NAME_TESTCASE;
        n->str = ir_arena_strndup(a, p->t.text, p->t.len);
        rd_lex_next(p);
    } else if (rd_is_ent(p, E_USER)) {
        rd_parse_user_ref(p, n);
    } else if (rd_is_ent(p, E_USERNAME)) {
        n->kind = IR_NAME_USERREF;
        n->index = p->t.num;
        rd_lex_next(p);
    } else {
        rd_perr_expected(p, "expected external name");
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
            rd_lex_next(p);
            return true;
        }
    for (unsigned i = 0; i < sizeof legacy_cc / sizeof *legacy_cc; i++)
        if (tok_ident(p, legacy_cc[i].name)) {
            *cc = legacy_cc[i].cc;
            rd_lex_next(p);
            return true;
        }
    return false;
}

static void parse_abi_param(parser *p, ir_function *f)
{
    if (p->t.kind != T_TYPE)
        rd_type_expected(p, "expected parameter type");
    ir_abi_param a = {.type = p->t.type, .line = p->t.line, .col = p->t.col};
    rd_lex_next(p);
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
            rd_expect(p, T_LPAR, "expected '(' to begin sarg size");
            a.purpose = IR_PURPOSE_SARG;
            a.sarg_size = rd_match_uimm32(p, "expected byte-size in sarg decl");
            rd_expect(p, T_RPAR, "expected ')' to end sarg size");
        } else
            break;
    }
    ir_vec_push(&f->abi_params, a);
}

static uint32_t parse_abi_list(parser *p, ir_function *f)
{
    uint32_t n = 1;
    parse_abi_param(p, f);
    while (rd_accept(p, T_COMMA)) {
        parse_abi_param(p, f);
        n++;
    }
    return n;
}

void rd_parse_signature(parser *p, ir_function *f, ir_signature *s)
{
    memset(s, 0, sizeof *s);
    if (!tok_is(p, T_LPAR) || !rd_quick_signature(p, f, s)) {
        rd_expect(p, T_LPAR, "expected function signature: ( args... )");
        s->params = f->abi_params.n;
        if (!tok_is(p, T_RPAR))
            s->nparams = parse_abi_list(p, f);
        rd_expect(p, T_RPAR, "expected ')' after function arguments");
        s->rets = f->abi_params.n;
        if (rd_accept(p, T_ARROW))
            s->nrets = parse_abi_list(p, f);
    }
    /* Cranelift: no convention means `fast`, or the host's C convention in a
     * file with `test run` so that the harness can call it */
    s->callconv = p->run_default_cc ? IR_CC_system_v : IR_CC_fast;
    if (p->t.kind == T_IDENT && !parse_callconv(p, &s->callconv)) {
        const char *c = rd_closest(p->t.text, p->t.len, ir_callconv_names, IR_CC_COUNT);
        if (c)
            rd_perr(p, "unknown calling convention: %.*s; did you mean `%s`?", (int)p->t.len, p->t.text, c);
        rd_perr(p, "unknown calling convention: %.*s", (int)p->t.len, p->t.text);
    }
}

/* ---- memory flags -------------------------------------------------------------- */

/* A trap code as Cranelift's TrapCode::from_str reads it: user codes are
 * 0 .. 250 (user0 is refused today but was valid until wasmtime 26, and bug
 * reports of those years use it), the rest of the byte is reserved. */
static bool trapcode(const parser *p, ir_trapcode *tc)
{
    return p->t.kind == T_IDENT && ir_trapcode_parse(p->t.text, p->t.len, tc) &&
           (*tc < IR_TRAP_USER || *tc - IR_TRAP_USER <= 250);
}

ir_memflags rd_parse_memflags(parser *p)
{
    ir_memflags m = {.trap = IR_TRAP_heap_oob};
    for (;;) {
        if (p->t.kind == T_ENTITY && p->t.ent == E_REGION) {
            if (m.region)
                rd_perr(p, "cannot set more than one alias region");
            if (p->t.num > 254)
                rd_perr(p, "alias region number too large");
            m.region = (uint8_t)(p->t.num + 1);
            rd_lex_next(p);
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
                rd_perr(p, "cannot set both big and little endian bits");
            m.bits |= little ? IR_MF_LITTLE : IR_MF_BIG;
            rd_lex_next(p);
        } else if (accept_ident(p, "checked") || accept_ident(p, "heap") || accept_ident(p, "table") ||
                   accept_ident(p, "vmctx")) {
            /* flags of older releases with no meaning today */
        } else if (trapcode(p, &tc)) {
            m.trap = tc;
            rd_lex_next(p);
        } else
            break;
    }
    return m;
}

ir_trapcode rd_parse_trapcode(parser *p)
{
    ir_trapcode tc;
    if (!trapcode(p, &tc))
        rd_perr_expected(p, "expected trap code");
    rd_lex_next(p);
    return tc;
}

/* ---- preamble -------------------------------------------------------------------- */

/* The head of a declaration `entN =`: a new number of its kind, its arrays
 * grown to hold it, a duplicate refused. */
#define DECLARE(p, f, n, kind, vec, defvec, msg_num, msg_eq)                   \
    do {                                                                       \
        (n) = rd_match_ent(p, kind, msg_num);                                     \
        rd_check_num(p, n, MAX_ENTITY_NUM, line, col);                            \
        ENSURE(vec, n, defvec);                                                \
        rd_define(p, &(defvec)->v[n], kind, n, line, col);                        \
        rd_expect(p, T_EQUAL, msg_eq);                                            \
    } while (0)


static void parse_stack_slot(parser *p, ir_function *f, uint32_t line, uint32_t col)
{
    uint32_t n;
    DECLARE(p, f, n, E_SS, &f->stack_slots, &f->ss_defined, "expected stack slot number: ss«n»", "expected '=' in stack slot declaration");
    if (!accept_ident(p, "explicit_slot") && !accept_ident(p, "spill_slot")) {
        if (tok_ident(p, "incoming_arg") || tok_ident(p, "outgoing_arg") || tok_ident(p, "emergency_slot"))
            rd_perr(p, "stack slot kind '%.*s' of older releases is not supported", (int)p->t.len, p->t.text);
        rd_perr_expected(p, "expected stack slot kind");
    }
    ir_stack_slot *ss = &f->stack_slots.v[n];
    ss->line = line, ss->col = col;
    uint32_t vline = p->t.line, vcol = p->t.col;
    int64_t size = (int64_t)rd_parse_imm(p, 64, "expected byte-size in stack_slot decl");
    if (size < 0)
        rd_perr_at(p, vline, vcol, "negative stack slot size");
    if (size > UINT32_MAX)
        rd_perr_at(p, vline, vcol, "stack slot too large");
    ss->size = (uint32_t)size;
    int64_t align = 1;
    uint32_t aline = line, acol = col;
    while (rd_accept(p, T_COMMA)) {
        if (accept_ident(p, "align")) {
            rd_expect(p, T_EQUAL, "expected `=` after flag");
            aline = p->t.line, acol = p->t.col;
            align = (int64_t)rd_parse_imm(p, 64, "expected alignment-size after `align` flag");
            if (align < 0 || align > UINT32_MAX)
                rd_perr_at(p, aline, acol, "alignment must be a 32-bit unsigned integer");
        } else if (accept_ident(p, "key")) {
            rd_expect(p, T_EQUAL, "expected `=` after flag");
            ss->key = rd_match_uimm64(p, "expected `u64` value for `key` flag");
            ss->has_key = true;
        } else
            rd_perr(p, "invalid flag for stack slot");
    }
    if (!align || (align & (align - 1)))
        rd_perr_at(p, aline, acol, "stack slot alignment is not a power of two");
    while ((1ull << ss->align_shift) < (uint64_t)align)
        ss->align_shift++;
}

/* A global value named in the preamble: it may be declared further down,
 * so it is checked at the end of the preamble. */
static uint32_t gv_ref(parser *p, const char *msg)
{
    uint32_t line = p->t.line, col = p->t.col;
    uint32_t gv = rd_match_ent(p, E_GV, msg);
    ir_vec_push(&p->gv_refs, gv);
    ir_vec_push(&p->gv_refs, line);
    ir_vec_push(&p->gv_refs, col);
    return gv;
}

static void parse_global_value(parser *p, ir_function *f, uint32_t line, uint32_t col)
{
    uint32_t n;
    DECLARE(p, f, n, E_GV, &f->gvs, &f->gv_defined, "expected global value number: gv«n»", "expected '=' in global value declaration");
    ir_global_value *g = &f->gvs.v[n];
    g->line = line;
    g->col = col;
    if (p->t.kind != T_IDENT)
        rd_perr_expected(p, "expected global value kind");
    uint32_t kline = p->t.line, kcol = p->t.col;
    if (accept_ident(p, "vmctx")) {
        g->kind = IR_GV_VMCTX;
    } else if (accept_ident(p, "load")) {
        g->kind = IR_GV_LOAD;
        rd_expect(p, T_DOT, "expected '.' followed by type in load global value decl");
        if (p->t.kind != T_TYPE)
            rd_type_expected(p, "expected load type");
        g->type = p->t.type;
        rd_lex_next(p);
        g->flags = rd_parse_memflags(p);
        g->base = gv_ref(p, "expected global value: gv«n»");
        g->offset = rd_optional_offset(p, 32);
        if (g->flags.trap != IR_TRAP_NONE || !(g->flags.bits & IR_MF_ALIGNED))
            rd_perr_at(p, kline, kcol, "global-value load must be notrap and aligned");
    } else if (accept_ident(p, "iadd_imm")) {
        g->kind = IR_GV_IADD_IMM;
        rd_expect(p, T_DOT, "expected '.' followed by type in iadd_imm global value decl");
        if (p->t.kind != T_TYPE)
            rd_type_expected(p, "expected iadd type");
        g->type = p->t.type;
        rd_lex_next(p);
        g->base = gv_ref(p, "expected global value: gv«n»");
        rd_expect(p, T_COMMA, "expected ',' followed by rhs in iadd_imm global value decl");
        g->offset = (int64_t)rd_parse_imm(p, 64, "expected iadd_imm immediate");
    } else if (accept_ident(p, "symbol")) {
        g->kind = IR_GV_SYMBOL;
        g->colocated = accept_ident(p, "colocated");
        g->tls = accept_ident(p, "tls");
        parse_external_name(p, &g->name, &f->arena);
        g->offset = rd_optional_offset(p, 64);
    } else if (accept_ident(p, "dyn_scale_target_const")) {
        g->kind = IR_GV_DYN_SCALE;
        rd_expect(p, T_DOT, "expected '.' followed by type in dynamic scale global value decl");
        if (p->t.kind != T_TYPE || !ir_type_is_vector(p->t.type))
            rd_perr_expected(p, "expected vector type");
        g->type = p->t.type;
        rd_lex_next(p);
    } else {
        rd_perr(p, "Unknown global value kind '%.*s'", (int)p->t.len, p->t.text);
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
    uint32_t n;
    DECLARE(p, f, n, E_FN, &f->func_refs, &f->fn_defined, "expected function number: fn«n»", "expected '=' in function decl");
    ir_func_ref fr = {.line = line, .col = col};
    fr.colocated = accept_ident(p, "colocated");
    fr.patchable = accept_ident(p, "patchable");
    parse_external_name(p, &fr.name, &f->arena);
    if (tok_is(p, T_LPAR)) {
        /* an inline signature becomes the next signature, as in Cranelift */
        ir_signature s;
        rd_parse_signature(p, f, &s);
        s.line = line;
        s.col = col;
        uint32_t k = f->sigs.n;
        rd_check_num(p, k, MAX_ENTITY_NUM, line, col);
        add_signature(f, &s, k);
        f->sig_defined.v[k] = 1;
        fr.sig = k;
    } else if (rd_is_ent(p, E_SIG)) {
        rd_check_defined(p, f->sig_defined.v, f->sig_defined.n, p->t.num, "signature", E_SIG, p->t.line, p->t.col);
        fr.sig = p->t.num;
        rd_lex_next(p);
    } else {
        rd_perr_expected(p, "expected 'function' or sig«n» in function decl");
    }
    f->func_refs.v[n] = fr;
}

static void parse_constant_decl(parser *p, ir_function *f, uint32_t line, uint32_t col)
{
    uint32_t n;
    DECLARE(p, f, n, E_CONST, &f->constants, &f->const_defined, "expected constant number: const«n»", "expected '=' in constant decl");
    uint8_t buf[16];
    unsigned size;
    if (p->t.kind == T_TYPE) {
        ir_type t = p->t.type;
        rd_lex_next(p);
        size = ir_type_bytes(t);
        rd_parse_uimm128(p, t, buf);
    } else {
        /* untyped hex: as many bytes as it has digit pairs */
        size = rd_parse_hex_bytes(p, buf, "expected an immediate hexadecimal operand");
    }
    ir_constant *c = &f->constants.v[n];
    c->line = line;
    c->col = col;
    c->off = f->bytes.n;
    c->len = size;
    for (unsigned i = 0; i < size; i++)
        ir_vec_push(&f->bytes, buf[i]);
}

static void parse_entities(parser *p, ir_function *f)
{
    for (;;) {
        uint32_t line = p->t.line, col = p->t.col;
        if (p->t.kind == T_ENTITY) {
            switch (p->t.ent) {
            case E_SS:
                parse_stack_slot(p, f, line, col);
                continue;
            case E_DSS: {
                uint32_t n;
                DECLARE(p, f, n, E_DSS, &f->dyn_slots, &f->dss_defined, "expected stack slot number: dss«n»", "expected '=' in stack slot declaration");
                if (!accept_ident(p, "explicit_dynamic_slot"))
                    rd_perr_expected(p, "expected stack slot kind");
                uint32_t dt = rd_match_ent(p, E_DT, "expected dynamic type");
                rd_check_defined(p, f->dt_defined.v, f->dt_defined.n, dt, "dynamic type", E_DT, line, col);
                f->dyn_slots.v[n].dynamic = 1;
                f->dyn_slots.v[n].dyn_type = dt;
                f->dyn_slots.v[n].line = line;
                f->dyn_slots.v[n].col = col;
                continue;
            }
            case E_DT: {
                uint32_t n = rd_match_ent(p, E_DT, "expected dynamic type number: dt«n»");
                rd_check_num(p, n, IR_MAX_DYN_TYPES, line, col);
                ENSURE(&f->dyn_types, n, &f->dt_defined);
                rd_define(p, &f->dt_defined.v[n], E_DT, n, line, col);
                rd_expect(p, T_EQUAL, "expected '=' in stack slot declaration");
                if (p->t.kind != T_TYPE)
                    rd_type_expected(p, "expected base type");
                if (!ir_type_is_vector(p->t.type))
                    rd_perr_expected(p, "expected vector type");
                f->dyn_types.v[n].base = p->t.type;
                rd_lex_next(p);
                rd_expect(p, T_STAR, "expected '*' followed by a dynamic scale value");
                f->dyn_types.v[n].gv = gv_ref(p, "expected dynamic scale global value");
                f->dyn_types.v[n].line = line;
                f->dyn_types.v[n].col = col;
                continue;
            }
            case E_GV:
                parse_global_value(p, f, line, col);
                continue;
            case E_SIG: {
                uint32_t n = rd_match_ent(p, E_SIG, "expected signature number: sig«n»");
                rd_check_num(p, n, MAX_ENTITY_NUM, line, col);
                rd_expect(p, T_EQUAL, "expected '=' in signature decl");
                ir_signature s;
                rd_parse_signature(p, f, &s);
                s.line = line;
                s.col = col;
                add_signature(f, &s, n);
                rd_define(p, &f->sig_defined.v[n], E_SIG, n, line, col);
                continue;
            }
            case E_FN:
                parse_function_decl(p, f, line, col);
                continue;
            case E_CONST:
                parse_constant_decl(p, f, line, col);
                continue;
            case E_REGION: {
                uint32_t n = rd_match_ent(p, E_REGION, "expected alias region number");
                rd_check_num(p, n, 255, line, col);
                ENSURE(&f->regions, n, &f->region_defined);
                if (f->region_defined.v[n])
                    rd_perr_at(p, line, col, "duplicate alias region region%u", n);
                f->region_defined.v[n] = 1;
                f->regions.v[n].line = line;
                f->regions.v[n].col = col;
                rd_expect(p, T_EQUAL, "expected '=' in alias region decl");
                f->regions.v[n].user_id = rd_match_u32_decimal(p, "expected integer user_id for alias region",
                                                            "expected integer user_id for alias region");
                if (p->t.kind != T_STRING)
                    rd_perr_expected(p, "expected string description for alias region");
                f->regions.v[n].desc = ir_arena_strndup(&f->arena, p->t.text, p->t.len);
                rd_lex_next(p);
                continue;
            }
            case E_JT: {
                /* jtN = jump_table [block1, block2] (releases of early 2023) */
                uint32_t n = rd_match_ent(p, E_JT, "expected jump table number");
                rd_check_num(p, n, MAX_ENTITY_NUM, line, col);
                while (p->jt_off.n <= n)
                    ir_vec_push(&p->jt_off, IR_NONE);
                if (p->jt_off.v[n] != IR_NONE)
                    rd_perr_at(p, line, col, "duplicate entity: jt%u", n);
                rd_expect(p, T_EQUAL, "expected '=' in jump table decl");
                if (!accept_ident(p, "jump_table"))
                    rd_perr_expected(p, "expected 'jump_table'");
                rd_expect(p, T_LBRACKET, "expected '[' before jump table contents");
                p->scratch.n = 0;
                while (!tok_is(p, T_RBRACKET)) {
                    if (p->scratch.n && !rd_accept(p, T_COMMA))
                        rd_perr_expected(p, "expected ']' after jump table contents");
                    if (!rd_is_ent(p, E_BLOCK)) {
                        rd_perr_expected(p, "expected jump_table entry");
                    }
                    ir_vec_push(&p->scratch, p->t.num);
                    rd_ensure_block(p, p->t.num, p->t.line, p->t.col);
                    rd_lex_next(p);
                }
                rd_lex_next(p);
                p->jt_off.v[n] = f->pool.n;
                ir_vec_push(&f->pool, p->scratch.n);
                for (uint32_t i = 0; i < p->scratch.n; i++)
                    ir_vec_push(&f->pool, p->scratch.v[i]);
                continue;
            }
            default:
                return;
            }
        }
        if (tok_ident(p, "stack_limit")) {
            rd_lex_next(p);
            rd_expect(p, T_EQUAL, "expected '=' in stack limit decl");
            if (f->stack_limit != IR_NONE)
                rd_perr_at(p, line, col, "stack limit defined twice");
            f->stack_limit = gv_ref(p, "expected global value");
            continue;
        }
        if (p->t.kind == T_IDENT && p->t.len > 4 &&
            (!memcmp(p->t.text, "heap", 4) || !memcmp(p->t.text, "table", 5)))
            rd_perr(p, "'%.*s': heaps and tables were removed from Cranelift in 2023 and are not supported",
                 (int)p->t.len, p->t.text);
        return;
    }
}

void rd_parse_preamble(parser *p, ir_function *f)
{
    p->gv_refs.n = 0;
    parse_entities(p, f);
    for (uint32_t i = 0; i < p->gv_refs.n; i += 3)
        rd_check_defined(p, f->gv_defined.v, f->gv_defined.n, p->gv_refs.v[i], "global value", E_GV,
                      p->gv_refs.v[i + 1], p->gv_refs.v[i + 2]);
}
