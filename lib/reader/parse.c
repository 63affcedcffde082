/* The CLIF parser: hand-written recursive descent after Cranelift's
 * cranelift/reader/src/parser.rs, with its error wording.  Errors unwind
 * with longjmp to reader_parse_file, which owns everything allocated. */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include "internal.h"


/* ---- errors and token helpers -------------------------------------------- */

void rd_perr_at(parser *p, uint32_t line, uint32_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->d->msg, sizeof p->d->msg, fmt, ap);
    va_end(ap);
    p->d->line = line;
    p->d->col = col;
    longjmp(p->fail, 1);
}

/* "X expected": at the current token, or just after the previous one when
 * the current token (or the end of the text) is on a later line, as X was
 * then missing at the end of that line. */
void rd_perr_expected(parser *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->d->msg, sizeof p->d->msg, fmt, ap);
    va_end(ap);
    uint32_t pl, pc;
    rd_prev_pos(p, &pl, &pc);
    bool after = p->t.line != pl;
    p->d->line = after ? pl : p->t.line;
    p->d->col = after ? pc : p->t.col;
    longjmp(p->fail, 1);
}

void rd_perr(parser *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->d->msg, sizeof p->d->msg, fmt, ap);
    va_end(ap);
    p->d->line = p->t.line;
    p->d->col = p->t.col;
    longjmp(p->fail, 1);
}

/* A name where one of a table was expected: the message, what was found
 * and the closest name (names[0] may be "" for a table indexed from 1). */
_Noreturn static void name_expected(parser *p, const char *msg, const char *const *names, size_t count)
{
    char hint[160] = "";
    if (p->t.kind == T_IDENT || p->t.kind == T_TYPE || p->t.kind == T_ENTITY) {
        const char *c = rd_closest(p->t.text, p->t.len, names, count);
        if (c)
            rd_perr(p, "%s, found `%.*s`; did you mean `%s`?", msg, (int)p->t.len, p->t.text, c);
        /* a short table is worth listing */
        size_t len = 0;
        for (size_t i = 0; i < count && len < sizeof hint - 16; i++)
            if (names[i] && names[i][0])
                len += (size_t)snprintf(hint + len, sizeof hint - len, "%s%s", len ? " " : "", names[i]);
        rd_perr(p, "%s, found `%.*s` (one of: %s)", msg, (int)p->t.len, p->t.text, hint);
    }
    rd_perr_expected(p, "%s", msg);
}

void rd_type_expected(parser *p, const char *msg)
{
    if (p->t.kind == T_IDENT || p->t.kind == T_ENTITY) {
        char hint[200];
        rd_hint(hint, sizeof hint, rd_removed_type(p->t.text, p->t.len), rd_closest_type(p->t.text, p->t.len));
        if (hint[0])
            rd_perr(p, "%s, found `%.*s`%s", msg, (int)p->t.len, p->t.text, hint);
    }
    rd_perr_expected(p, "%s", msg);
}

uint32_t rd_match_ent(parser *p, ent_kind e, const char *msg)
{
    if (!rd_is_ent(p, e))
        rd_perr_expected(p, "%s", msg);
    uint32_t n = p->t.num;
    rd_lex_next(p);
    return n;
}

/* ---- entities ---------------------------------------------------------------- */

const char rd_ent_letters[E_COUNT][12] = {"v", "block", "ss", "dss", "dt", "gv", "mt", "const", "fn",
                                        "sig", "u", "userextname", "extable", "tag", "region", "ret",
                                        "exn", "jt"};

void rd_check_num(parser *p, uint32_t n, uint32_t max, uint32_t line, uint32_t col)
{
    if (n >= max)
        rd_perr_at(p, line, col, "entity number %u is too large (at most %u)", n, max - 1);
}

/* Mark entity e number n defined; a second definition is an error. */
void rd_define(parser *p, uint8_t *defined, ent_kind e, uint32_t n, uint32_t line, uint32_t col)
{
    if (*defined)
        rd_perr_at(p, line, col, "duplicate entity: %s%u", rd_ent_letters[e], n);
    *defined = 1;
}

void rd_check_defined(parser *p, const uint8_t *defined, uint32_t count, uint32_t n,
                          const char *what, ent_kind e, uint32_t line, uint32_t col)
{
    if (n >= count || !defined[n])
        rd_perr_at(p, line, col, "undefined %s %s%u", what, rd_ent_letters[e], n);
}

void rd_grow_values(parser *p, uint32_t v, uint32_t line, uint32_t col)
{
    rd_check_num(p, v, MAX_VALUE_NUM, line, col);
    ir_function *f = p->fn;
    ir_vec_reserve(&f->values, v + 1 - f->values.n);
    memset(&f->values.v[f->values.n], 0, (v + 1 - f->values.n) * sizeof *f->values.v);
    f->values.n = v + 1;
}

uint32_t rd_use_value(parser *p, const char *msg)
{
    if (!rd_is_ent(p, E_VALUE))
        rd_perr_expected(p, "%s", msg);
    uint32_t v = p->t.num;
    rd_ensure_value(p, v, p->t.line, p->t.col);
    if (p->fn->values.v[v].kind == IR_VAL_UNUSED) {
        ir_vec_push(&p->fwd_uses, v);
        ir_vec_push(&p->fwd_uses, p->t.line);
        ir_vec_push(&p->fwd_uses, p->t.col);
    }
    rd_lex_next(p);
    return v;
}

uint32_t rd_ensure_block(parser *p, uint32_t b, uint32_t line, uint32_t col)
{
    if (b >= MAX_BLOCKS)
        rd_perr_at(p, line, col, "too many blocks");
    ir_function *f = p->fn;
    while (f->blocks.n <= b) {
        ir_block_data d = {0};
        d.first = d.last = IR_NONE;
        ir_vec_push(&f->blocks, d);
    }
    return b;
}

/* ---- blocks and instructions ---------------------------------------------------- */

/* `(vA, vB ...)` right after blockN, of values already defined: read from
 * the bytes into the pool after off's block and count.  False, with
 * nothing read, for anything else (the token way then reads it). */
static bool quick_block_args(parser *p, uint32_t off)
{
    const ir_function *f = p->fn;
    const char *q = p->lx.p, *end = p->lx.end;
    uint32_t vals[16], n = 0;
    if (end - q < 2 || *q++ != '(')
        return false;
    if (*q != ')') {
        for (;;) {
            uint32_t v;
            if (n == 16 || *q != 'v' || !(q = value_number(q + 1, end, &v)) || v >= f->values.n ||
                f->values.v[v].kind == IR_VAL_UNUSED)
                return false;
            vals[n++] = v;   /* IR_BLOCKARG(IR_BLOCKARG_VALUE, v) */
            if (q < end && *q == ')')
                break;
            if (end - q < 3 || q[0] != ',' || q[1] != ' ')
                return false;
            q += 2;
        }
    }
    ir_function *fm = p->fn;
    ir_vec_reserve(&fm->pool, n);
    memcpy(&fm->pool.v[fm->pool.n], vals, n * sizeof *vals);
    fm->pool.n += n;
    fm->pool.v[off + 1] = n;
    p->lx.p = q + 1;
    rd_lex_next(p);
    return true;
}

/* A block call: blockN or blockN(args); stored as block, nargs, args. */
static uint32_t parse_block_call(parser *p, const char *msg)
{
    ir_function *f = p->fn;
    if (!rd_is_ent(p, E_BLOCK))
        rd_perr_expected(p, "%s", msg);
    uint32_t off = f->pool.n;
    ir_vec_push(&f->pool, rd_ensure_block(p, p->t.num, p->t.line, p->t.col));
    ir_vec_push(&f->pool, 0);
    if (quick_block_args(p, off))
        return off;
    rd_lex_next(p);
    if (!rd_accept(p, T_LPAR))
        return off;
    uint32_t n = 0;
    while (!tok_is(p, T_RPAR)) {
        if (n && !rd_accept(p, T_COMMA))
            rd_perr_expected(p, "expected ')' after arguments");
        uint32_t a;
        if (rd_is_ent(p, E_VALUE))
            a = IR_BLOCKARG(IR_BLOCKARG_VALUE, rd_use_value(p, ""));
        else if (rd_is_ent(p, E_RET) || rd_is_ent(p, E_EXN)) {
            if (p->t.num > 0x3fffffff)
                rd_perr(p, "block argument number too large");
            a = IR_BLOCKARG(rd_is_ent(p, E_RET) ? IR_BLOCKARG_RET : IR_BLOCKARG_EXN, p->t.num);
            rd_lex_next(p);
        } else
            rd_perr_expected(p, "expected value in argument list");
        ir_vec_push(&f->pool, a);
        n++;
    }
    rd_lex_next(p);
    f->pool.v[off + 1] = n;
    return off;
}

/* Value list up to `)`: returns count; values pushed to the pool. */
static uint16_t parse_value_list(parser *p)
{
    uint32_t n = 0;
    if (!rd_is_ent(p, E_VALUE))
        return 0;
    do {
        if (n == UINT16_MAX)
            rd_perr(p, "too many arguments");
        ir_vec_push(&p->fn->pool, rd_use_value(p, "expected value in argument list"));
        n++;
    } while (rd_accept(p, T_COMMA));
    return (uint16_t)n;
}

static uint32_t parse_exception_table(parser *p)
{
    ir_function *f = p->fn;
    uint32_t sig = rd_match_ent(p, E_SIG, "expected signature of called function");
    rd_check_defined(p, f->sig_defined.v, f->sig_defined.n, sig, "signature", E_SIG, p->t.line, p->t.col);
    rd_expect(p, T_COMMA, "expected comma after signature argument");
    uint32_t normal = parse_block_call(p, "expected branch destination block");
    rd_expect(p, T_COMMA, "expected comma after normal-return destination");
    rd_expect(p, T_LBRACKET, "expected an open-bracket for exception table list");
    /* items are collected first: block calls go to the pool as they parse */
    p->scratch.n = 0;
    while (!tok_is(p, T_RBRACKET)) {
        uint32_t kind, val, bc = IR_NONE;
        if (rd_is_ent(p, E_TAG)) {
            kind = IR_EXN_TAG;
            val = p->t.num;
            rd_lex_next(p);
            if (!rd_accept(p, T_COLON))
                rd_perr_expected(p, "expected ':' after exception tag");
            bc = parse_block_call(p, "expected branch destination block");
        } else if (accept_ident(p, "default")) {
            kind = IR_EXN_DEFAULT;
            val = 0;
            if (!rd_accept(p, T_COLON))
                rd_perr_expected(p, "expected ':' after 'default'");
            bc = parse_block_call(p, "expected branch destination block");
        } else if (accept_ident(p, "context")) {
            kind = IR_EXN_CONTEXT;
            if (!rd_is_ent(p, E_VALUE))
                rd_perr_expected(p, "expected value for exception-handler context");
            val = rd_use_value(p, "");
        } else {
            rd_perr(p, "invalid token");
        }
        ir_vec_push(&p->scratch, kind);
        ir_vec_push(&p->scratch, val);
        ir_vec_push(&p->scratch, bc);
        if (!rd_accept(p, T_COMMA))
            break;
    }
    if (!rd_accept(p, T_RBRACKET))
        rd_perr_expected(p, "expected closing bracket");
    uint32_t off = f->pool.n;
    ir_vec_push(&f->pool, sig);
    ir_vec_push(&f->pool, normal);
    ir_vec_push(&f->pool, p->scratch.n / 3);
    for (uint32_t i = 0; i < p->scratch.n; i++)
        ir_vec_push(&f->pool, p->scratch.v[i]);
    return off;
}

static void comma(parser *p) { rd_expect(p, T_COMMA, "expected ',' between operands"); }

/* The index of the current word in a table of names, count if none (the
 * first letter tells most apart; the names are short, compared here, not
 * by a call).  Not inlined: that keeps parse_instruction small enough to
 * be inlined in its one caller (1 Ir a byte less, measured). */
unsigned rd_find_name(const char *w, uint32_t n, const char *const *names, unsigned count)
{
    for (unsigned k = 0; k < count; k++) {
        const char *s = names[k];
        if (s[0] != w[0])
            continue;
        uint32_t i = 1;
        while (i < n && s[i] && s[i] == w[i])
            i++;
        if (i >= n && !s[n])
            return k;
    }
    return count;
}

static __attribute__((noinline)) unsigned find_name(const parser *p, const char *const *names, unsigned count)
{
    if (p->t.kind != T_IDENT)
        return count;
    return rd_find_name(p->t.text, p->t.len, names, count);
}

/* Stack slot operand with offset: ssN+off, or the older `ssN, off`. */
static void parse_slot_offset(parser *p, ir_inst_data *in)
{
    ir_function *f = p->fn;
    uint32_t line = p->t.line, col = p->t.col;
    in->ent = rd_match_ent(p, E_SS, "expected stack slot number: ss«n»");
    rd_check_defined(p, f->ss_defined.v, f->ss_defined.n, in->ent, "stack slot", E_SS, line, col);
    in->imm = rd_optional_offset(p, 32);
    if (!in->imm && tok_is(p, T_COMMA) && (in->op == IR_OP_stack_load || in->op == IR_OP_stack_store)) {
        rd_lex_next(p);
        in->imm = sext64(rd_parse_imm(p, 32, "expected stack slot offset"), 32);
    }
}

static uint32_t arg(parser *p, const char *msg)
{
    ir_function *f = p->fn;
    uint32_t v = p->t.num;
    /* the common case first: a value already defined */
    if (p->t.kind == T_ENTITY && p->t.ent == E_VALUE && v < f->values.n && f->values.v[v].kind != IR_VAL_UNUSED)
        rd_lex_next(p);
    else
        v = rd_use_value(p, msg);
    ir_vec_push(&f->pool, v);
    return v;
}

/* `vA, vB`, two values already defined, as most binary operands are: the
 * comma and vB are read straight from the bytes after vA, with no token
 * made for them.  Anything else (another spacing, an undefined or odd
 * value) goes the token way from the same place, so its errors are the
 * same. */
static void arg_pair(parser *p, const char *msg1, const char *msg2)
{
    ir_function *f = p->fn;
    uint32_t a = p->t.num;
    const char *q = p->lx.p, *end = p->lx.end, *r;
    uint32_t b;
    if (p->t.kind == T_ENTITY && p->t.ent == E_VALUE && a < f->values.n &&
        f->values.v[a].kind != IR_VAL_UNUSED && end - q >= 4 && q[0] == ',' && q[1] == ' ' && q[2] == 'v' &&
        (r = value_number(q + 3, end, &b))) {
        if (b < f->values.n && f->values.v[b].kind != IR_VAL_UNUSED) {
            ir_vec_reserve(&f->pool, 2);
            f->pool.v[f->pool.n++] = a;
            f->pool.v[f->pool.n++] = b;
            p->lx.p = r;
            rd_lex_next(p);
            return;
        }
    }
    arg(p, msg1);
    comma(p);
    arg(p, msg2);
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
            rd_perr_at(p, in->line, in->col, "expected one of the following type: i8, i16, i32 or i64");
        static const char *const msg[] = {"expected immediate 8-bit integer operand",
            "expected immediate 16-bit integer operand", "expected immediate 32-bit integer operand",
            "expected immediate 64-bit integer operand"};
        /* zero-extended, as Cranelift stores it */
        in->imm = (int64_t)rd_parse_imm(p, bits, msg[bits == 8 ? 0 : bits == 16 ? 1 : bits == 32 ? 2 : 3]);
        break;
    }
    case IR_FMT_UnaryIeee16:
    case IR_FMT_UnaryIeee32:
    case IR_FMT_UnaryIeee64: {
        unsigned bits = in->op == IR_OP_f16const ? 16 : in->op == IR_OP_f32const ? 32 : 64;
        static const char *const msg[] = {"expected immediate 16-bit float operand",
            "expected immediate 32-bit float operand", "expected immediate 64-bit float operand"};
        uint8_t b[8] = {0};
        rd_parse_float(p, bits, b, msg[bits == 16 ? 0 : bits == 32 ? 1 : 2]);
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
        if (rd_is_ent(p, E_CONST) && ir_opcodes[in->op].format != IR_FMT_Shuffle) {
            in->ent = p->t.num;
            rd_check_defined(p, f->const_defined.v, f->const_defined.n, in->ent, "constant", E_CONST, line, col);
            rd_lex_next(p);
            break;
        }
        uint8_t b[16] = {0};
        if (in->op == IR_OP_f128const) {
            rd_parse_float(p, 128, b, "expected immediate 128-bit float operand");
        } else if (ir_opcodes[in->op].format == IR_FMT_Shuffle) {
            rd_parse_uimm128(p, ir_type_make(IR_I8, 4), b);
        } else if (suffix) {
            rd_parse_uimm128(p, suffix & 0xff, b);
        } else {
            rd_perr_expected(p, "Expected either a const entity or a typed value, e.g. inst.i32x4 [...]");
        }
        in->imm = f->bytes.n;
        for (int i = 0; i < 16; i++)
            ir_vec_push(&f->bytes, b[i]);
        break;
    }
    case IR_FMT_UnaryGlobalValue:
        in->ent = rd_match_ent(p, E_GV, "expected global value");
        rd_check_defined(p, f->gv_defined.v, f->gv_defined.n, in->ent, "global value", E_GV, line, col);
        break;
    case IR_FMT_Binary:
        arg_pair(p, "expected SSA value first operand", "expected SSA value second operand");
        break;
    case IR_FMT_BinaryImm8:
        arg(p, "expected SSA value first operand");
        comma(p);
        in->imm = rd_match_uimm8(p, "expected unsigned 8-bit immediate");
        break;
    case IR_FMT_BinaryImm64:
        arg(p, "expected SSA value first operand");
        comma(p);
        in->imm = (int64_t)rd_parse_imm(p, 64, "expected immediate 64-bit integer operand");
        break;
    case IR_FMT_Ternary:
        arg_pair(p, "expected SSA value control operand", "expected SSA value true operand");
        comma(p);
        arg(p, "expected SSA value false operand");
        break;
    case IR_FMT_TernaryImm8:
        arg(p, "expected SSA value first operand");
        comma(p);
        arg(p, "expected SSA value last operand");
        comma(p);
        in->imm = rd_match_uimm8(p, "expected 8-bit immediate");
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
        uint32_t x = rd_use_value(p, "expected SSA value operand");
        comma(p);
        p->scratch.n = 0;
        ir_vec_push(&p->scratch, parse_block_call(p, "expected branch destination block"));
        if (!rd_accept(p, T_COMMA))
            rd_perr_expected(p, "expected ',' between operands");
        if (rd_is_ent(p, E_JT)) {
            uint32_t jt = p->t.num;
            if (jt >= p->jt_off.n || p->jt_off.v[jt] == IR_NONE)
                rd_perr(p, "undefined jump table jt%u", jt);
            rd_lex_next(p);
            uint32_t o = p->jt_off.v[jt];
            for (uint32_t i = 0; i < f->pool.v[o]; i++) {
                uint32_t bc = f->pool.n;
                uint32_t b = f->pool.v[o + 1 + i];
                ir_vec_push(&f->pool, b);
                ir_vec_push(&f->pool, 0);
                ir_vec_push(&p->scratch, bc);
            }
        } else {
            if (!rd_accept(p, T_LBRACKET))
                rd_perr_expected(p, "expected '[' before jump table contents");
            while (!tok_is(p, T_RBRACKET)) {
                if (p->scratch.n > 1 && !rd_accept(p, T_COMMA))
                    rd_perr_expected(p, "expected ']' after jump table contents");
                if (!rd_is_ent(p, E_BLOCK))
                    rd_perr_expected(p, "expected jump_table entry");
                ir_vec_push(&p->scratch, parse_block_call(p, "expected jump_table entry"));
            }
            rd_lex_next(p);
        }
        in->args = f->pool.n;
        ir_vec_push(&f->pool, x);
        in->nargs = 1;
        in->ent = f->pool.n;
        ir_vec_push(&f->pool, p->scratch.n);
        for (uint32_t i = 0; i < p->scratch.n; i++)
            ir_vec_push(&f->pool, p->scratch.v[i]);
        return;
    }
    case IR_FMT_Call:
    case IR_FMT_TryCall:
        in->ent = rd_match_ent(p, E_FN, "expected function reference");
        rd_check_defined(p, f->fn_defined.v, f->fn_defined.n, in->ent, "function", E_FN, line, col);
        rd_expect(p, T_LPAR, "expected '(' before arguments");
        in->args = f->pool.n;
        in->nargs = parse_value_list(p);
        rd_expect(p, T_RPAR, "expected ')' after arguments");
        if (ir_opcodes[in->op].format == IR_FMT_TryCall) {
            rd_expect(p, T_COMMA, "expected ',' after argument list");
            /* the exception table goes in imm: ent is the callee */
            in->imm = parse_exception_table(p);
        }
        return;
    case IR_FMT_CallIndirect:
        in->ent = rd_match_ent(p, E_SIG, "expected signature reference");
        rd_check_defined(p, f->sig_defined.v, f->sig_defined.n, in->ent, "signature", E_SIG, line, col);
        comma(p);
        /* the callee and arguments follow */
        __attribute__((fallthrough));
    case IR_FMT_TryCallIndirect: {
        uint32_t callee = rd_use_value(p, "expected SSA value callee operand");
        rd_expect(p, T_LPAR, "expected '(' before arguments");
        in->args = f->pool.n;
        ir_vec_push(&f->pool, callee);
        uint32_t n = 1u + parse_value_list(p);
        if (n > UINT16_MAX)
            rd_perr(p, "too many arguments");
        in->nargs = (uint16_t)n;
        rd_expect(p, T_RPAR, "expected ')' after arguments");
        if (ir_opcodes[in->op].format == IR_FMT_TryCallIndirect) {
            rd_expect(p, T_COMMA, "expected ',' after argument list");
            in->imm = parse_exception_table(p);
        }
        return;
    }
    case IR_FMT_FuncAddr:
        in->ent = rd_match_ent(p, E_FN, "expected function reference");
        rd_check_defined(p, f->fn_defined.v, f->fn_defined.n, in->ent, "function", E_FN, line, col);
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
        in->ent = rd_match_ent(p, E_DSS, "expected dynamic stack slot number: dss«n»");
        rd_check_defined(p, f->dss_defined.v, f->dss_defined.n, in->ent, "dynamic stack slot", E_DSS, line, col);
        break;
    case IR_FMT_Load:
    case IR_FMT_LoadNoOffset:
        in->mf = rd_parse_memflags(p);
        arg(p, "expected SSA value address");
        if (ir_opcodes[in->op].format == IR_FMT_Load)
            in->imm = rd_optional_offset(p, 32);
        break;
    case IR_FMT_Store:
    case IR_FMT_StoreNoOffset:
        in->mf = rd_parse_memflags(p);
        arg(p, "expected SSA value operand");
        comma(p);
        arg(p, "expected SSA value address");
        if (ir_opcodes[in->op].format == IR_FMT_Store)
            in->imm = rd_optional_offset(p, 32);
        break;
    case IR_FMT_Trap:
        in->trap = rd_parse_trapcode(p);
        break;
    case IR_FMT_CondTrap:
        arg(p, "expected SSA value operand");
        comma(p);
        in->trap = rd_parse_trapcode(p);
        break;
    case IR_FMT_IntAddTrap:
        arg(p, "expected SSA value operand");
        comma(p);
        arg(p, "expected SSA value operand");
        comma(p);
        in->trap = rd_parse_trapcode(p);
        break;
    case IR_FMT_IntCompare:
    case IR_FMT_IntCompareImm: {
        unsigned k = find_name(p, ir_intcc_names, IR_INTCC_COUNT);
        if (k == IR_INTCC_COUNT)
            name_expected(p, "expected intcc condition code", ir_intcc_names, IR_INTCC_COUNT);
        in->cond = (uint8_t)k;
        rd_lex_next(p);
        if (ir_opcodes[in->op].format == IR_FMT_IntCompare) {
            arg_pair(p, "expected SSA value first operand", "expected SSA value second operand");
        } else {
            arg(p, "expected SSA value first operand");
            comma(p);
            in->imm = (int64_t)rd_parse_imm(p, 64, "expected immediate 64-bit integer operand");
        }
        break;
    }
    case IR_FMT_FloatCompare: {
        unsigned k = find_name(p, ir_floatcc_names, IR_FLOATCC_COUNT);
        if (k == IR_FLOATCC_COUNT)
            name_expected(p, "expected floatcc condition code", ir_floatcc_names, IR_FLOATCC_COUNT);
        in->cond = (uint8_t)k;
        rd_lex_next(p);
        arg_pair(p, "expected SSA value first operand", "expected SSA value second operand");
        break;
    }
    case IR_FMT_AtomicRmw: {
        in->mf = rd_parse_memflags(p);
        unsigned k = find_name(p, ir_atomic_rmw_names, IR_RMW_COUNT);
        if (k == IR_RMW_COUNT)
            name_expected(p, "expected AtomicRmwOp", ir_atomic_rmw_names, IR_RMW_COUNT);
        in->cond = (uint8_t)k;
        rd_lex_next(p);
        arg(p, "expected SSA value address");
        comma(p);
        arg(p, "expected SSA value address");
        break;
    }
    case IR_FMT_AtomicCas:
        in->mf = rd_parse_memflags(p);
        arg(p, "expected SSA value address");
        comma(p);
        arg(p, "expected SSA value address");
        comma(p);
        arg(p, "expected SSA value address");
        break;
    case IR_FMT_ExceptionHandlerAddress:
        in->ent = rd_match_ent(p, E_BLOCK, "expected block");
        rd_ensure_block(p, in->ent, line, col);
        comma(p);
        in->imm = (int64_t)rd_parse_imm(p, 64, "expected immediate handler index");
        return;
    case IR_FMT_TableAddr:
        rd_perr_at(p, in->line, in->col, "table_addr was removed from Cranelift in 2023 and is not supported");
    case IR_FMT_COUNT:
        break;
    }
    in->nargs = (uint16_t)(f->pool.n - in->args);
}

/* Results of each opcode with fixed results, from the table. */
const uint8_t rd_op_nres[IR_OP_COUNT] = {
#define OP(id, name, fmt, flags, ctrl, res, args) sizeof(res) - 1,
#include "ir/opcodes.def"
#undef OP
};

/* Cranelift's TypeSet::example(): i32 if the set has ints of 64 bits or
 * more, else f32 if it has such floats, else i8; with its fewest lanes. */

static const char *typeset_example(const char *set, char buf[16])
{
    bool wide_int = false, wide_float = false;
    unsigned min_l2 = 9;
    for (unsigned l2 = 0; l2 <= 8; l2++)
        for (ir_type lane = IR_I8; lane <= IR_F128; lane++) {
            if (!ir_typeset_contains(set, ir_type_make(lane, l2)))
                continue;
            min_l2 = min_l2 < l2 ? min_l2 : l2;
            wide_int |= lane == IR_I64 || lane == IR_I128;
            wide_float |= lane == IR_F64 || lane == IR_F128;
        }
    ir_type base = wide_int ? IR_I32 : wide_float ? IR_F32 : IR_I8;
    return ir_type_name(ir_type_make(base, min_l2 < 9 ? min_l2 : 0), buf);
}

static ir_opcode lookup_opcode(parser *p) { return rd_lookup_opcode(p, p->t.text, p->t.len); }

/* `.i64` and the like right after the opcode, read from the bytes (the
 * token way reads the same); 0 for any other suffix. */
static __attribute__((noinline)) ir_type quick_suffix(const parser *p)
{
    const char *q = p->lx.p;
    if (p->lx.end - q < 5 || (q[1] != 'i' && q[1] != 'f') || !digit_byte(q[2]) || !digit_byte(q[3]) ||
        word_byte(q[4]))
        return 0;
    bool i = q[1] == 'i';
    switch ((q[2] - '0') * 10 + (q[3] - '0')) {
    case 16: return i ? IR_I16 : IR_F16;
    case 32: return i ? IR_I32 : IR_F32;
    case 64: return i ? IR_I64 : IR_F64;
    default: return 0;
    }
}

static inline __attribute__((always_inline)) void parse_instruction(parser *p, uint32_t block, const uint32_t *res, uint32_t nres,
                              uint32_t srcloc, uint32_t rline, uint32_t rcol)
{
    ir_function *f = p->fn;
    if (p->t.kind != T_IDENT)
        rd_perr(p, "expected instruction opcode");
    ir_opcode op = lookup_opcode(p);
    if (op == IR_OP_COUNT) {
        char hint[240];
        rd_perr(p, "Unknown opcode: '%.*s'%s", (int)p->t.len, p->t.text,
             rd_hint(hint, sizeof hint, rd_removed_opcode(p->t.text, p->t.len),
                     rd_closest_opcode(p->t.text, p->t.len)));
    }
    uint32_t line = p->t.line, col = p->t.col;
    const ir_opinfo *info = &ir_opcodes[op];
    ir_type suffix = 0;
    if (p->lx.p < p->lx.end && *p->lx.p == '.' && (suffix = quick_suffix(p)) != 0) {
        p->lx.p += 4;
        rd_lex_next(p);
    } else if (rd_lex_next(p), rd_accept(p, T_DOT)) {
        if (p->t.kind == T_TYPE) {
            suffix = p->t.type;
        } else if (rd_is_ent(p, E_DT)) {
            uint32_t dt = p->t.num;
            rd_check_defined(p, f->dt_defined.v, f->dt_defined.n, dt, "dynamic type", E_DT, p->t.line, p->t.col);
            suffix = ir_type_make_dynamic(f->dyn_types.v[dt].base, dt);
        } else
            rd_type_expected(p, "expected type after 'opcode.'");
        rd_lex_next(p);
    }
    /* built here, appended to the block once its operands are read (what
     * ir_inst_append does, without zeroing and copying it twice) */
    uint32_t i = f->insts.n;
    ir_vec_reserve(&f->insts, 1);
    ir_inst_data *ip = &f->insts.v[i];   /* insts do not move while its operands are read */
    *ip = (ir_inst_data){.op = (uint16_t)op, .line = line, .col = col, .srcloc = srcloc,
                         .block = block, .next = IR_NONE, .prev = f->blocks.v[block].last};
    parse_operands(p, ip, suffix);

    /* `, stack_map = [...]` after a call: kept for the printer (clifrun has no GC).
     * After any other instruction a comma is one operand too many. */
    uint32_t cline = p->t.line, ccol = p->t.col;
    if (rd_accept(p, T_COMMA)) {
        bool call = (info->flags & IR_OPF_CALL) && !(info->flags & IR_OPF_RETURN);
        if (call && !tok_ident(p, "stack_map"))
            rd_perr_expected(p, "expected `stack_map = [...]`");
        if (!call && !tok_ident(p, "stack_map"))
            rd_perr_at(p, cline, ccol, "unexpected ',' after the operands of %s", info->name);
        if (!call)
            rd_perr(p, "stack map can only be attached to a (non-tail) call");
        rd_lex_next(p);
        rd_expect(p, T_EQUAL, "expected `= [...]`");
        rd_expect(p, T_LBRACKET, "expected `[...]`");
        while (!rd_accept(p, T_RBRACKET)) {
            if (p->t.kind != T_TYPE)
                rd_perr_expected(p, "expected `<type> @ <slot> + <offset>`");
            ir_stack_map_entry sm = {.inst = i, .type = p->t.type};
            rd_lex_next(p);
            rd_expect(p, T_AT, "expected `@ <slot> + <offset>`");
            sm.slot = rd_match_ent(p, E_SS, "expected `<slot> + <offset>`");
            if (!(p->t.kind == T_INT && p->t.text[0] == '+'))   /* ss0+8, or ss0 + 8 */
                rd_expect(p, T_PLUS, "expected `+ <offset>`");
            sm.offset = rd_match_uimm32(p, "expected a u32 offset");
            ir_vec_push(&f->stack_maps, sm);
            if (!rd_accept(p, T_COMMA)) {
                rd_expect(p, T_RBRACKET, "expected `,` or `]`");
                break;
            }
        }
    }

    /* the controlling type: the suffix, or the type of the typevar operand */
    ir_type ctrl = suffix;
    if (info->ctrl[0]) {
        int ca;
        if (!ctrl && (ca = ir_op_ctrl_arg(op)) >= 0 && ca < ip->nargs) {   /* no suffix */
            uint32_t v = f->pool.v[ip->args + (uint32_t)ca];
            if (f->values.v[v].kind == IR_VAL_UNUSED)
                rd_perr_at(p, line, col,
                        "type variable required for polymorphic opcode, e.g. '%s.%s'; can't infer from v%u which is not yet defined",
                        info->name, typeset_example(info->ctrl, (char[16]){0}), v);
            ctrl = f->values.v[v].type;
        }
        if (!ctrl)
            rd_perr_at(p, line, col, "type variable required for polymorphic opcode, e.g. '%s.%s'", info->name,
                    typeset_example(info->ctrl, (char[16]){0}));
        /* asked for every instruction, with few distinct pairs: remembered */
        __typeof__(p->ctrl_ok[0]) *m = &p->ctrl_ok[(op * 7u + ctrl) & 63];
        if (m->op1 != op + 1u || m->t != ctrl)
            m->op1 = (uint16_t)(op + 1u), m->t = ctrl, m->in = ir_typeset_contains(info->ctrl, ctrl);
        if (!m->in)
            rd_perr_at(p, line, col, "%s is not a valid typevar for %s", ir_type_name(ctrl, (char[16]){0}), info->name);
    } else if (suffix) {
        rd_perr_at(p, line, col, "%s does not take a typevar", info->name);
    }
    ip->type = ctrl;

    /* results: from the callee's signature, or derived from the ctrl type */
    const ir_abi_param *rets = NULL;
    uint32_t want;
    /* by format: stack_switch is flagged as a call but has fixed results */
    if ((info->format == IR_FMT_Call || info->format == IR_FMT_CallIndirect ||
         info->format == IR_FMT_TryCall || info->format == IR_FMT_TryCallIndirect) &&
        !(info->flags & IR_OPF_RETURN)) {
        uint32_t sig = info->format == IR_FMT_CallIndirect ? ip->ent
                     : info->format == IR_FMT_TryCallIndirect ? f->pool.v[ip->imm]
                     : f->func_refs.v[ip->ent].sig;
        want = 0;
        if (sig < f->sig_defined.n && f->sig_defined.v[sig]) {
            /* try_call results go to the normal-return block as retN */
            if (info->format != IR_FMT_TryCall && info->format != IR_FMT_TryCallIndirect) {
                want = f->sigs.v[sig].nrets;
                rets = ir_sig_rets(f, &f->sigs.v[sig]);
            }
        }
    } else {
        want = rd_op_nres[op];
    }
    if (nres != want)
        rd_perr_at(p, line, col, "instruction produces %u result values, %u given", want, nres);
    ip->res = f->pool.n;
    ip->nres = (uint16_t)nres;
    for (uint32_t k = 0; k < nres; k++) {
        uint32_t v = res[k];
        /* 'T' is ctrl, checked against the opcode's type set above */
        ir_type t = rets ? rets[k].type
                  : info->res[k] == 'T' && info->ctrl[0] ? ctrl : ir_type_derive(info->res[k], ctrl);
        if (!t)
            rd_perr_at(p, line, col, "%s is not a valid typevar for %s", ir_type_name(ctrl, (char[16]){0}), info->name);
        if (f->values.v[v].kind != IR_VAL_UNUSED)
            rd_perr_at(p, rline, rcol, "duplicate entity: v%u", v);
        f->values.v[v] = (ir_value_data){IR_VAL_RESULT, t, i, k, rline, rcol};
        ir_vec_push(&f->pool, v);
    }
    f->insts.n++;
    ir_block_link_last(f, &f->blocks.v[block], i);
}

static void parse_block(parser *p)
{
    ir_function *f = p->fn;
    uint32_t line = p->t.line, col = p->t.col;
    if (!rd_is_ent(p, E_BLOCK))
        rd_perr(p, "expected block header");
    /* `blockN(` and `blockN:` go on from the bytes; the token after blockN
     * is read only where the token way needs it (the same one: it starts
     * right there) */
    uint32_t b = p->t.num;
    const char *hq = p->lx.p;
    char after = hq < p->lx.end ? *hq : 0;
    if (after != '(' && after != ':')
        rd_lex_next(p);
    if (b >= f->blocks.n)
        rd_ensure_block(p, b, line, col);
    if (f->blocks.v[b].in_layout)
        rd_perr_at(p, line, col, "duplicate entity: block%u", b);
    f->blocks.v[b].in_layout = true;
    f->blocks.v[b].line = line;
    f->blocks.v[b].col = col;
    ir_vec_push(&f->layout, b);
    /* parameters: collected in the pool once the list is complete */
    p->scratch.n = 0;
    if (after == ':') {
        f->blocks.v[b].params = f->pool.n;
        f->blocks.v[b].nparams = 0;
        f->blocks.v[b].cold = false;
        rd_quick_next(p, hq + 1);
        goto body;
    }
    if (after == '(') {
        p->lx.p = hq + 1;
        if (rd_quick_block_params(p, b))
            goto body;
        p->lx.p = hq;
        rd_lex_next(p);
    }
    if (rd_accept(p, T_LPAR) && !rd_accept(p, T_RPAR)) {
        for (;;) {
            if (!rd_is_ent(p, E_VALUE))
                rd_perr(p, "block argument must be a value");
            uint32_t vl = p->t.line, vc = p->t.col, v = p->t.num;
            rd_ensure_value(p, v, vl, vc);
            rd_lex_next(p);
            if (!rd_accept(p, T_COLON))
                rd_perr_expected(p, "expected ':' after block argument");
            ir_type t = 0;
            if (p->t.kind == T_TYPE)
                t = p->t.type;
            else if (rd_is_ent(p, E_DT) && p->t.num < f->dt_defined.n && f->dt_defined.v[p->t.num])
                t = ir_type_make_dynamic(f->dyn_types.v[p->t.num].base, p->t.num);
            else
                rd_type_expected(p, "expected block argument type");
            rd_lex_next(p);
            if (f->values.v[v].kind != IR_VAL_UNUSED)
                rd_perr_at(p, vl, vc, "duplicate entity: v%u", v);
            f->values.v[v] = (ir_value_data){IR_VAL_PARAM, t, b, p->scratch.n, vl, vc};
            ir_vec_push(&p->scratch, v);
            if (!rd_accept(p, T_COMMA))
                break;
        }
        if (!rd_accept(p, T_RPAR))
            rd_perr_expected(p, "expected ')' after block parameters");
    }
    f->blocks.v[b].params = f->pool.n;
    f->blocks.v[b].nparams = p->scratch.n;
    for (uint32_t i = 0; i < p->scratch.n; i++)
        ir_vec_push(&f->pool, p->scratch.v[i]);
    f->blocks.v[b].cold = accept_ident(p, "cold");
    rd_expect(p, T_COLON, "expected ':' after block parameters");

body:
    for (const char *last = NULL;;) {
        if (rd_is_ent(p, E_VALUE)) {
            ir_opcode op = rd_quick_inst(p, b);
            if (op != IR_OP_COUNT || (op = rd_quick_call(p, b)) != IR_OP_COUNT) {
                last = ir_opcodes[op].name;
                continue;
            }
        } else if (p->t.kind == T_IDENT) {
            ir_opcode op = rd_quick_branch(p, b);
            if (op != IR_OP_COUNT) {
                last = ir_opcodes[op].name;
                continue;
            }
        }
        if (!(p->t.kind == T_IDENT || p->t.kind == T_LANGLE || p->t.kind == T_SRCLOC ||
              p->t.kind == T_LBRACKET || rd_is_ent(p, E_VALUE))) {
            /* Cranelift would go on to "expected block header" here; on the
             * instruction's own line the trouble is surely the instruction */
            if (last && !rd_is_ent(p, E_BLOCK) && rd_same_line_as_prev(p) &&
                !tok_is(p, T_RBRACE) && !tok_is(p, T_EOF))
                rd_perr(p, "unexpected '%.*s' after the operands of %s", (int)p->t.len, p->t.text, last);
            return;
        }
        bool tags = tok_is(p, T_LANGLE);
        if (rd_accept(p, T_LANGLE)) {   /* debug tags: read, not kept */
            while (!rd_accept(p, T_RANGLE)) {
                if (p->t.kind == T_INT)
                    rd_match_uimm32(p, "expected a u32 value");
                else if (rd_is_ent(p, E_SS))
                    rd_lex_next(p);
                else
                    rd_perr_expected(p, "expected integer user value or stack slot in debug tags");
                if (!rd_accept(p, T_COMMA)) {
                    rd_expect(p, T_RANGLE, "expected `,` or `>`");
                    break;
                }
            }
        }
        uint32_t srcloc = IR_NONE;
        if (p->t.kind == T_SRCLOC) {
            uint64_t v = 0;
            if (p->t.len > 8)
                rd_perr(p, "invalid source location: %.*s", (int)p->t.len, p->t.text);
            for (uint32_t i = 0; i < p->t.len; i++) {
                char c = p->t.text[i];
                v = v * 16 + (uint64_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
            }
            srcloc = (uint32_t)v;
            rd_lex_next(p);
        }
        uint32_t res[64], nres = 0, rline = p->t.line, rcol = p->t.col;
        const char *q = p->lx.p;
        if (rd_is_ent(p, E_VALUE) && p->lx.end - q >= 4 && q[0] == ' ' && q[1] == '=' && q[2] == ' ' &&
            (unsigned)((q[3] | 0x20) - 'a') < 26) {
            /* `vN = opcode`, one result: the '=' passed over without a token */
            rd_ensure_value(p, p->t.num, p->t.line, p->t.col);
            res[nres++] = p->t.num;
            p->lx.p = q + 2;
            if (!rd_lex_letters(p))
                rd_lex_next(p);
        } else if (rd_is_ent(p, E_VALUE)) {
            do {
                if (nres == 64)
                    rd_perr(p, "too many results");
                if (!rd_is_ent(p, E_VALUE))
                    rd_perr_expected(p, "expected result value");
                rd_ensure_value(p, p->t.num, p->t.line, p->t.col);
                res[nres++] = p->t.num;
                rd_lex_next(p);
            } while (rd_accept(p, T_COMMA));
            if (rd_accept(p, T_ARROW)) {
                if (nres != 1)
                    rd_perr_at(p, rline, rcol, "wrong number of aliases");
                uint32_t dl = p->t.line, dc = p->t.col;
                uint32_t dest = rd_use_value(p, "expected value alias");
                ir_value_data *r = &f->values.v[res[0]];
                if (r->kind == IR_VAL_ALIAS && r->def != dest)
                    rd_perr_at(p, rline, rcol, "value v%u is already defined as an alias with destination v%u", res[0], r->def);
                if (r->kind != IR_VAL_UNUSED && r->kind != IR_VAL_ALIAS)
                    rd_perr_at(p, rline, rcol, "value v%u is already defined", res[0]);
                if (f->values.v[dest].kind == IR_VAL_UNUSED)
                    rd_perr_at(p, dl, dc, "value v%u is not yet defined", dest);
                *r = (ir_value_data){IR_VAL_ALIAS, f->values.v[dest].type, dest, 0, rline, rcol};
                ir_vec_push(&p->aliases, res[0]);
                continue;
            }
            if (!rd_accept(p, T_EQUAL))
                rd_perr_expected(p, "expected -> or =");
        }
        parse_instruction(p, b, res, nres, srcloc, rline, rcol);
        if (tags)
            f->insts.v[f->insts.n - 1].iflags |= IR_INSTF_DEBUG_TAGS;
        last = ir_opcodes[f->insts.v[f->insts.n - 1].op].name;
    }
}

/* Every operand refers to a defined value (Cranelift checks this after the
 * body, so that uses may precede definitions in the text): only the uses
 * that came before a definition need a second look. */
static void check_operands(parser *p)
{
    const ir_function *f = p->fn;
    for (uint32_t i = 0; i < p->fwd_uses.n; i += 3)
        if (f->values.v[p->fwd_uses.v[i]].kind == IR_VAL_UNUSED)
            rd_perr_at(p, p->fwd_uses.v[i + 1], p->fwd_uses.v[i + 2], "undefined operand value v%u",
                    p->fwd_uses.v[i]);
}

/* The body's arrays sized from its length (a line is ~24 bytes and most
 * lines are an instruction): they then grow rarely, rather than by
 * doubling from 4, and hold little more than they need. */
static void reserve_body(parser *p, ir_function *f)
{
    const char *s = p->lx.p, *e = memchr(s, '}', (size_t)(p->lx.end - s));
    size_t n = (size_t)((e ? e : p->lx.end) - s) / 24 + 4;
    if (n > ((size_t)1 << 20))
        n = (size_t)1 << 20;
    ir_vec_reserve_exact(&f->insts, n);
    ir_vec_reserve_exact(&f->values, n + n / 4);
    /* arguments, results and block parameters: ~2.3 n on many5000 (a
     * guess of 2 grew the pool, a realloc and a copy, in every function) */
    ir_vec_reserve_exact(&f->pool, n * 21 / 8);
    /* a block every eight lines or so: one allocation each, not three */
    ir_vec_reserve_exact(&f->blocks, n / 8 + 2);
    ir_vec_reserve_exact(&f->layout, n / 8 + 2);
}

static void parse_function(parser *p)
{
    ir_file *file = p->file;
    ir_function *f = ir_file_new_function(file);
    ir_vec_push(&file->funcs, f);
    p->fn = f;
    p->aliases.n = 0;
    p->jt_off.n = 0;
    p->fwd_uses.n = 0;
    f->line = p->t.line;
    f->col = p->t.col;
    rd_lex_next(p); /* `function` */
    if (p->t.kind == T_NAME) {
        f->name.kind = IR_NAME_TESTCASE;
        f->name.str = ir_arena_strndup(&f->arena, p->t.text, p->t.len);
        rd_lex_next(p);
    } else if (rd_is_ent(p, E_USER)) {
        rd_parse_user_ref(p, &f->name);
    } else {
        rd_perr_expected(p, "expected external name");
    }
    ir_vec_reserve_exact(&f->abi_params, 8);   /* its signature's and a callee's, in one allocation */
    rd_parse_signature(p, f, &f->sig);
    rd_expect(p, T_LBRACE, "expected '{' before function body");
    reserve_body(p, f);
    rd_parse_preamble(p, f);
    while (!tok_is(p, T_RBRACE)) {
        if (tok_is(p, T_EOF))
            rd_perr_expected(p, "expected '}' after function body");
        if (!rd_is_ent(p, E_BLOCK) && p->t.kind == T_IDENT && f->layout.n == 0)
            rd_perr(p, "expected block header");
        parse_block(p);
    }
    f->end_line = p->t.line;
    check_operands(p);
    rd_lex_next(p);
    if (p->keep_bodies && p->lx.end - p->lx.src >= ((ptrdiff_t)1 << 20)) {
        /* reserve_body guessed ahead (~20% over): a large file's bodies
         * kept at their size (many5000: 12% less memory), the slack back
         * to the heap for the next.  A small file's keep theirs: three
         * reallocs a function were 1% of `clifrun test`, which frees a
         * file once run.  Blocks and layout keep theirs: a few dozen
         * bytes, not worth two reallocs a function */
        ir_vec_shrink(&f->insts);
        ir_vec_shrink(&f->values);
        ir_vec_shrink(&f->pool);
    }
}

/* Each thread keeps its last parser for the next file (IR_KEEP_PARSER): a
 * fresh one was a 12 KB calloc a file (its caches), 2% of `clifrun test`'s
 * worker.  A parse started inside another (from a hook) takes one of its
 * own. */
static void parser_free(void *v)
{
    parser *p = v;
    ir_vec_free(&p->runs);
    ir_vec_free(&p->aliases);
    ir_vec_free(&p->jt_off);
    ir_vec_free(&p->gv_refs);
    ir_vec_free(&p->fwd_uses);
    ir_vec_free(&p->scratch);
    free(p);
}

/* A parser as calloc leaves one, but for the storage of its vectors and
 * its caches' entries, which hold whatever file they came from */
static __attribute__((noinline)) parser *parser_take(void)
{
    parser *p = ir_thread_take(IR_KEEP_PARSER);
    if (!p)
        return calloc(1, sizeof *p);
    memset(p, 0, offsetof(parser, runs));
    p->runs.n = p->aliases.n = p->jt_off.n = p->gv_refs.n = p->fwd_uses.n = p->scratch.n = 0;
    return p;
}

static void parser_put(parser *p)
{
    if (!ir_thread_keep(IR_KEEP_PARSER, p, parser_free))
        parser_free(p);
}

bool reader_parse_file(ir_file *file, const char *path, const char *src, size_t len, ir_diag *d)
{
    return reader_parse_file_each(file, path, src, len, d, NULL, NULL);
}

bool reader_parse_file_each(ir_file *file, const char *path, const char *src, size_t len, ir_diag *d,
                            reader_fn_hook *hook, void *ctx)
{
    memset(file, 0, sizeof *file);
    file->path = path;
    file->src = src;
    file->len = len;
    d->file = path;
    d->src = src;
    d->len = len;
    d->line = d->col = 0;
    ir_diag_set(d, 0, 0, "%s", "");
    parser *p = parser_take();
    if (!p) {
        ir_diag_set(d, 0, 0, "out of memory");
        return false;
    }
    p->file = file;
    p->d = d;
    p->keep_bodies = !hook;
    bool ok = false;
    if (setjmp(p->fail) == 0) {
        rd_lex_init(&p->lx, src, len, 1, src);
        if (len >= 3 && memcmp(src, "\xef\xbb\xbf", 3) == 0)  /* a UTF-8 byte-order mark */
            p->lx.p += 3, p->lx.line_start += 3, p->lx.line_start0 += 3;
        p->lx.keep_runs = true;
        rd_lex_next(p);
        rd_parse_header(p);
        /* run comments before the first function belong to no function */
        p->runs.n = 0;
        while (!tok_is(p, T_EOF)) {
            if (!tok_ident(p, "function"))
                rd_perr(p, "expected 'function'");
            uint32_t first_run = p->runs.n;
            parse_function(p);
            /* comments after the body, up to the next `function`, are its run lines */
            while (!tok_is(p, T_EOF) && !tok_ident(p, "function"))
                rd_perr(p, "expected 'function'");
            if (p->read_runs)
                rd_parse_runs_for(p, file->funcs.n - 1, first_run, p->runs.n);
            p->runs.n = 0;
            if (hook)
                hook(ctx, file, file->funcs.n - 1);
        }
        ok = true;
    }
    parser_put(p);
    return ok;
}
