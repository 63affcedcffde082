/* The commonest lines of a function body read straight from the bytes:
 * `vN = op operands` of the usual formats, jump and brif, block
 * parameters, plain signatures, and the token after them where it is a
 * value, blockN or a short word.  Each reads a whole line and checks it
 * before it keeps anything; then it is what the token way (parse.c) makes
 * of it, token after it included.  Anything else, or anything wrong, it
 * leaves as it was for the token way, which reads it again with its
 * errors: so these change no result and no message, only the work (the
 * reader's instructions a byte of gen_many.py 5000 under callgrind:
 * 34.5 -> 24.2; tools/mutdiff.py checks old against new). */
#include <string.h>

#include "internal.h"

/* The length of the word of letters at q when it is shorter than eight
 * (then a byte that is not a letter); 0 for none or a longer one; in
 * *word its bytes as read (little endian), the rest zero.  Needs eight
 * bytes at q. */
static inline uint32_t short_letters_w(const char *q, uint64_t *word)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t w, x;
    memcpy(&w, q, 8);
    /* as lex.c's letters(): each byte's top bit tells */
    x = (w | 0x2020202020202020ull) & 0x7f7f7f7f7f7f7f7full;
    uint64_t other = ~((x + 0x1f1f1f1f1f1f1f1full) & ~(x + 0x0505050505050505ull) & ~w) & 0x8080808080808080ull;
    /* the word's bytes: below the lowest bit of other */
    *word = w & (((other & -other) >> 7) - 1);
    return other ? (uint32_t)__builtin_ctzll(other) / 8 : 0;
#else
    (void)q, (void)word;
    return 0;
#endif
}
static inline uint32_t short_letters(const char *q)
{
    uint64_t w;
    return short_letters_w(q, &w);
}

/* The lexer and token after a quick next token [s, r) on the line that
 * starts at ls (the one before ended at q), as rd_lex_next leaves them. */
static inline __attribute__((always_inline)) void quick_token_at(parser *p, const char *q, uint32_t line,
                                                                 const char *ls, const char *s, const char *r)
{
    p->prev_end = q;
    p->lx.line = line;
    p->lx.line_start = ls;
    p->lx.p = r;
    p->t.text = s;
    p->t.len = (uint32_t)(r - s);
    p->t.line = line;
    p->t.col = (uint32_t)(s - ls) + 1;
}

/* A value token vN read from the bytes: its number, its text [s, r),
 * the line it is on (which starts at ls) and where the token before it
 * ended (prev). */
typedef struct qvalue {
    uint32_t num, line;
    const char *s, *r, *ls, *prev;
} qvalue;

/* At q, a newline, fewer than eight spaces and a value (the next
 * instruction line's vN, as most lines end): true with it in *t, the
 * line after `line`; false for anything else. */
static inline __attribute__((always_inline)) bool next_value(const char *q, const char *end, uint32_t line, qvalue *t)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const char *ls = q + 1;
    uint64_t w;
    if (end - q < 16 || *q != '\n')
        return false;
    memcpy(&w, ls, 8);
    w ^= 0x2020202020202020ull;
    if (!w)
        return false;
    const char *s = ls + __builtin_ctzll(w) / 8, *r;
    uint32_t v;
    if (*s != 'v' || !(r = value_number(s + 1, end, &v)))
        return false;
    *t = (qvalue){v, line + 1, s, r, ls, q};
    return true;
#else
    (void)q, (void)end, (void)line, (void)t;
    return false;
#endif
}

/* Value token t made the current token, as rd_lex_next makes it. */
static inline __attribute__((always_inline)) void set_value_token(parser *p, const qvalue *t)
{
    p->t.kind = T_ENTITY;
    p->t.ent = E_VALUE;
    p->t.num = t->num;
    quick_token_at(p, t->prev, t->line, t->ls, t->s, t->r);
}

/* At q, the next line's vN (see next_value): the token rd_lex_next would
 * make there, set as it sets it; false, with nothing changed, for
 * anything else.  (A like path for the words and blockN that start the
 * other lines measured no better than rd_lex_next.) */
static inline __attribute__((always_inline)) bool quick_next_value(parser *p, const char *q)
{
    qvalue t;
    if (!next_value(q, p->lx.end, p->lx.line, &t))
        return false;
    set_value_token(p, &t);
    return true;
}

/* At q, a newline, maybe an empty line, fewer than eight spaces and a
 * word the lexer reads without its general way: blockN (a block header)
 * or a short lowercase word of letters (jump, brif, return ...): the
 * token rd_lex_next would make there, set as it sets it; false, with
 * nothing changed, for anything else (values: quick_next_value). */
static inline __attribute__((always_inline)) bool quick_next_word(parser *p, const char *q)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    lexer *lx = &p->lx;
    const char *end = lx->end, *ls = q + 1, *r;
    uint32_t line = lx->line + 1, v;
    uint64_t w;
    if (end - q < 24 || *q != '\n')
        return false;
    if (*ls == '\n')
        ls++, line++;
    memcpy(&w, ls, 8);
    w ^= 0x2020202020202020ull;
    if (!w)
        return false;
    const char *s = ls + __builtin_ctzll(w) / 8;
    if (!memcmp(s, "block", 5)) {   /* as lex_word_at reads blockN */
        if (!(r = value_number(s + 5, end, &v)))
            return false;
        p->t.kind = T_ENTITY;
        p->t.ent = E_BLOCK;
        p->t.num = v;
    } else {   /* as rd_lex_letters reads a word ('s' and 'v' lead elsewhere) */
        uint32_t n = short_letters(s);
        if ((unsigned)(*s - 'a') >= 26 || *s == 's' || *s == 'v' || !n || word_byte(s[n]))
            return false;
        r = s + n;
        p->t.kind = T_IDENT;
    }
    quick_token_at(p, q, line, ls, s, r);
    return true;
#else
    (void)p, (void)q;
    return false;
#endif
}

/* The token at q (after a ':' that ends a block header), as rd_lex_next
 * makes it: the quick ways where they apply. */
void rd_quick_next(parser *p, const char *q)
{
    if (!quick_next_value(p, q) && !quick_next_word(p, q)) {
        p->lx.p = q;
        rd_lex_next(p);
    }
}

/* A comma after the operands of an instruction that is not a call, as
 * parse_instruction reports it. */
_Noreturn static __attribute__((noinline, cold)) void comma_after_operands(parser *p, const ir_opinfo *info)
{
    uint32_t cline = p->t.line, ccol = p->t.col;
    rd_lex_next(p);
    if (!tok_ident(p, "stack_map"))
        rd_perr_at(p, cline, ccol, "unexpected ',' after the operands of %s", info->name);
    rd_perr(p, "stack map can only be attached to a (non-tail) call");
}

/* What quick_inst reads after an opcode: the number of value operands,
 * a condition code first, an integer last, and which value operand
 * gives the controlling type (1-based, 0 if none); Q_NONE for the rest. */
enum { Q_NVALS = 3, Q_CC = 4, Q_IMM = 8, Q_NONE = 16, Q_CA_SHIFT = 5 };

static uint8_t quick_op_kind(ir_opcode op)
{
    const ir_opinfo *info = &ir_opcodes[op];
    unsigned k;
    switch (info->format) {
    case IR_FMT_IntCompare:
    case IR_FMT_FloatCompare: k = Q_CC | 2; break;
    case IR_FMT_Unary: k = 1; break;
    case IR_FMT_Binary: k = 2; break;
    case IR_FMT_Ternary: k = 3; break;
    case IR_FMT_BinaryImm64: k = Q_IMM | 1; break;
    case IR_FMT_UnaryImm: k = Q_IMM; break;
    default: return Q_NONE;
    }
    if (rd_op_nres[op] != 1 || (info->flags & IR_OPF_CALL))
        return Q_NONE;
    int ca = info->ctrl[0] ? ir_op_ctrl_arg(op) : -1;
    if (ca >= 0 && (unsigned)ca < (k & Q_NVALS))
        k |= (unsigned)(ca + 1) << Q_CA_SHIFT;
    return (uint8_t)k;
}

/* The type of the one result of op with controlling type ctrl (0: none
 * given or found), as parse_instruction finds it; 0 where it reports an
 * error. */
static ir_type quick_result_type(ir_opcode op, ir_type ctrl)
{
    const ir_opinfo *info = &ir_opcodes[op];
    if (info->ctrl[0]) {
        if (!ctrl || !ir_typeset_contains(info->ctrl, ctrl))
            return 0;
    } else if (ctrl) {
        return 0;
    }
    return info->res[0] == 'T' && info->ctrl[0] ? ctrl : ir_type_derive(info->res[0], ctrl);
}

/* `vA, vB ...)` after a `(` at q: values already defined (at most 16),
 * single spaces; the end after the `)`, or NULL for anything else. */
static inline __attribute__((always_inline)) const char *quick_values(const ir_function *f, const char *q,
                                                                      const char *end, uint32_t *args, uint32_t *n)
{
    *n = 0;
    if (q < end && *q == ')')
        return q + 1;
    for (;;) {
        uint32_t v;
        if (*n == 16 || q == end || *q != 'v' || !(q = value_number(q + 1, end, &v)) || v >= f->values.n ||
            f->values.v[v].kind == IR_VAL_UNUSED)
            return NULL;
        args[(*n)++] = v;
        if (q < end && *q == ')')
            return q + 1;
        if (end - q < 3 || q[0] != ',' || q[1] != ' ')
            return NULL;
        q += 2;
    }
}

/* `fnK(vA, vB ...)` at q as parse_operands reads a call's: a function
 * defined, values already defined (at most 16), and its signature with
 * one result (the one `vN = call` wants): its type in *rt.  The end, or
 * NULL for anything else. */
static const char *quick_callee(const parser *p, const char *q, uint32_t *fn, uint32_t *args, uint32_t *n,
                                ir_type *rt)
{
    const ir_function *f = p->fn;
    const char *end = p->lx.end;
    if (end - q < 8 || q[0] != 'f' || q[1] != 'n' || !(q = value_number(q + 2, end, fn)) ||
        *fn >= f->fn_defined.n || !f->fn_defined.v[*fn] || *q != '(')
        return NULL;
    if (!(q = quick_values(f, q + 1, end, args, n)))
        return NULL;
    uint32_t sig = f->func_refs.v[*fn].sig;
    if (sig >= f->sig_defined.n || !f->sig_defined.v[sig] || f->sigs.v[sig].nrets != 1 ||
        !(*rt = ir_sig_rets(f, &f->sigs.v[sig])[0].type))
        return NULL;
    return q;
}

/* `vN = call fnK(values)` with the current token vN, where quick_inst
 * stopped: as it reads the others, the token after it included, read
 * before anything is kept (after a call a comma starts a stack map: the
 * token way reads that).  IR_OP_COUNT, with nothing changed, for anything
 * else. */
ir_opcode rd_quick_call(parser *p, uint32_t block)
{
    const ir_function *f = p->fn;
    qvalue vt = {p->t.num, p->lx.line, p->t.text, p->lx.p, p->lx.line_start, p->prev_end}, nt;
    const char *q = vt.r, *end = p->lx.end, *r;
    uint32_t a[16], n, fn, res = vt.num;
    ir_type rt;
    if (end - q < 16 || memcmp(q, " = call ", 8) || res >= MAX_VALUE_NUM ||
        (res < f->values.n && f->values.v[res].kind != IR_VAL_UNUSED) ||
        !(r = quick_callee(p, q + 8, &fn, a, &n, &rt)))
        return IR_OP_COUNT;
    bool more = next_value(r, end, vt.line, &nt);
    if (!more && !quick_next_word(p, r))
        return IR_OP_COUNT;

    /* kept as rd_quick_inst keeps the others */
    ir_function *fm = p->fn;
    uint32_t line = vt.line, rcol = (uint32_t)(vt.s - vt.ls) + 1;
    rd_ensure_value(p, res, line, rcol);
    uint32_t i = fm->insts.n, args = fm->pool.n;
    ir_vec_reserve(&fm->insts, 1);
    ir_vec_reserve(&fm->pool, n + 1);
    memcpy(&fm->pool.v[args], a, n * sizeof *a);
    fm->pool.v[args + n] = res;
    fm->pool.n = args + n + 1;
    fm->insts.v[i] = (ir_inst_data){.op = IR_OP_call, .nargs = (uint16_t)n, .nres = 1, .args = args,
                                    .res = args + n, .ent = fn, .next = IR_NONE, .block = block, .line = line,
                                    .col = rcol + (uint32_t)(q + 3 - vt.s), .srcloc = IR_NONE};
    fm->values.v[res] = (ir_value_data){IR_VAL_RESULT, rt, i, 0, line, rcol};
    fm->insts.n++;
    ir_block_link_last(fm, &fm->blocks.v[block], i);
    if (more)
        set_value_token(p, &nt);
    return IR_OP_call;
}

/* `vN = op[.type] operands` with the current token vN: one result, an
 * opcode of fewer than eight letters, single spaces, operands of the
 * commonest formats (Unary, Binary, Ternary, IntCompare, FloatCompare,
 * BinaryImm64, UnaryImm of i64) that are values already defined or a
 * plain number (calls: rd_quick_call).  All of it is read from the
 * bytes and checked before anything is kept, then it is what the token
 * way makes of it: the same
 * instruction, value and pool entries, and the token after it read.
 * IR_OP_COUNT, with nothing changed, for anything else: the token way
 * then reads it from the same place, with its errors. */
ir_opcode rd_quick_inst(parser *p, uint32_t block)
{
    ir_function *f = p->fn;
    const char *end = p->lx.end;
    /* line after line while the next starts with a value: the token
     * that ends one is the next one's result, kept in vt (the lexer and
     * token are set from it only where the lines end) */
    qvalue vt = {p->t.num, p->lx.line, p->t.text, p->lx.p, p->lx.line_start, p->prev_end};
    ir_opcode done = IR_OP_COUNT;
    for (;;) {
        const char *q = vt.r;
        uint32_t res = vt.num;
        if (end - q < 16 || q[0] != ' ' || q[1] != '=' || q[2] != ' ' || res >= MAX_VALUE_NUM ||
            (res < f->values.n && f->values.v[res].kind != IR_VAL_UNUSED))
            goto out;
        const char *s = q + 3, *r;
        uint64_t w;
        uint32_t n = short_letters_w(s, &w);
        if (!n || (s[n] != ' ' && s[n] != '.'))
            goto out;
        ir_opcode op = rd_lookup_opcode_word(p, s, n, w);
        if (op == IR_OP_COUNT)
            goto out;
        const ir_opinfo *info = &ir_opcodes[op];
        unsigned kind = p->quick_op[op];
        if (!kind)
            kind = p->quick_op[op] = quick_op_kind(op);
        if (kind == Q_NONE)
            goto out;

        /* .i8 .i16 .i32 .i64 .f16 .f32 .f64, each a type token */
        r = s + n;
        ir_type suffix = 0;
        if (*r == '.') {
            if (end - r < 6 || (r[1] != 'i' && r[1] != 'f'))
                goto out;
            bool i = r[1] == 'i';
            if (i && r[2] == '8' && r[3] == ' ') {
                suffix = IR_I8;
            } else if (digit_byte(r[2]) && digit_byte(r[3]) && r[4] == ' ') {
                switch ((r[2] - '0') * 10 + (r[3] - '0')) {
                case 16: suffix = i ? IR_I16 : IR_F16; break;
                case 32: suffix = i ? IR_I32 : IR_F32; break;
                case 64: suffix = i ? IR_I64 : IR_F64; break;
                default: goto out;
                }
                r++;
            } else {
                goto out;
            }
            r += 3;
        }
        r++;   /* the space */

        /* the operands */
        uint32_t a[3], nvals = kind & Q_NVALS, cond = 0;
        uint64_t imm = 0;
        if (kind & Q_CC) {
            if (end - r < 8)
                goto out;
            uint32_t m = short_letters(r);
            if (!m || r[m] != ' ')
                goto out;
            bool icc = info->format == IR_FMT_IntCompare;
            unsigned count = icc ? IR_INTCC_COUNT : IR_FLOATCC_COUNT;
            cond = rd_find_name(r, m, icc ? ir_intcc_names : ir_floatcc_names, count);
            if (cond == count)
                goto out;
            r += m + 1;
        }
        for (uint32_t k = 0; k < nvals; k++) {
            if (k) {
                if (end - r < 3 || r[0] != ',' || r[1] != ' ')
                    goto out;
                r += 2;
            }
            uint32_t v;
            if (r == end || *r != 'v' || !(r = value_number(r + 1, end, &v)) || v >= f->values.n ||
                f->values.v[v].kind == IR_VAL_UNUSED)
                goto out;
            a[k] = v;
        }
        if (kind & Q_IMM) {
            if (!nvals && suffix != IR_I64)   /* iconst: match_imm's ranges, the token way */
                goto out;
            if (nvals) {
                if (end - r < 3 || r[0] != ',' || r[1] != ' ')
                    goto out;
                r += 2;
            }
            /* an integer token, as the lexer ends it, as int_token reads it:
             * decimal digits here, anything else by rd_plain_number */
            const char *t = r;
            if (r == end || !digit_byte(*r))
                goto out;
            while (r < end && digit_byte(*r))
                imm = imm * 10 + (uint64_t)(*r++ - '0');
            bool plain = r - t <= 18;   /* (imm may have wrapped after that) */
            if (r < end && word_byte(*r)) {
                while (r < end && word_byte(*r))
                    r++;
                plain = rd_plain_number(t, (uint32_t)(r - t), &imm);
            }
            if ((r < end && (*r == '-' || *r == '.' || *r == '+')) || !plain)
                goto out;
        }

        /* the controlling type and the result's, as parse_instruction finds
         * them; remembered by opcode and controlling type */
        ir_type ctrl = suffix;
        unsigned ca = kind >> Q_CA_SHIFT;
        if (!ctrl && ca && ca <= nvals)
            ctrl = f->values.v[a[ca - 1]].type;
        __typeof__(p->quick_ctrl[0]) *m = &p->quick_ctrl[(op * 7u + ctrl) & 63];
        if (m->op1 != op + 1u || m->t != ctrl)
            m->op1 = (uint16_t)(op + 1u), m->t = ctrl, m->res = quick_result_type(op, ctrl);
        ir_type rt = m->res;
        if (!rt)
            goto out;

        /* all good: the instruction */
        uint32_t line = vt.line, rcol = (uint32_t)(vt.s - vt.ls) + 1, col = (uint32_t)(s - vt.ls) + 1;
        if (res >= f->values.n) {   /* rd_ensure_value, inline */
            if (res == f->values.n && res < f->values.cap)
                f->values.n++;
            else
                rd_grow_values(p, res, line, rcol);
        }
        uint32_t i = f->insts.n;
        ir_vec_reserve(&f->insts, 1);
        ir_vec_reserve(&f->pool, 4);
        uint32_t args = f->pool.n;
        for (uint32_t k = 0; k < nvals; k++)
            f->pool.v[args + k] = a[k];
        f->pool.v[args + nvals] = res;
        f->pool.n = args + nvals + 1;
        ir_block_data *bd = &f->blocks.v[block];
        /* copied from a zero one, then filled: not the string store a
         * compound literal makes */
        static const ir_inst_data zero_inst;
        ir_inst_data *ip = &f->insts.v[i];
        *ip = zero_inst;
        ip->op = (uint16_t)op, ip->type = ctrl, ip->cond = (uint8_t)cond;
        ip->nargs = (uint16_t)nvals, ip->nres = 1, ip->args = args, ip->res = args + nvals;
        ip->imm = (int64_t)imm, ip->next = IR_NONE, ip->block = block;
        ip->line = line, ip->col = col, ip->srcloc = IR_NONE;
        f->values.v[res] = (ir_value_data){IR_VAL_RESULT, rt, i, 0, line, rcol};
        f->insts.n++;
        ir_block_link_last(f, bd, i);
        done = op;
        /* then the token after it: the next line's result, or as the
         * lexer reads it (a comma there is an error) */
        if (next_value(r, end, line, &vt))
            continue;
        p->lx.line = line;
        p->lx.line_start = vt.ls;
        if (!quick_next_word(p, r)) {
            p->lx.p = r;
            rd_lex_next(p);
            if (p->t.kind == T_COMMA)
                comma_after_operands(p, info);
        }
        return op;
    }
out:
    if (done != IR_OP_COUNT)   /* the result of the line not read */
        set_value_token(p, &vt);
    return done;
}

/* A block call at q as parse_block_call reads it: blockN, then maybe
 * `(vA, vB ...)` of values already defined (at most 16); its end, or NULL
 * for anything else.  *paren: whether the arguments were there. */
static const char *quick_call(const parser *p, const char *q, uint32_t *b, uint32_t *args, uint32_t *n, bool *paren)
{
    const ir_function *f = p->fn;
    const char *end = p->lx.end;
    if (end - q < 8 || memcmp(q, "block", 5) || !(q = value_number(q + 5, end, b)) || *b >= MAX_BLOCKS)
        return NULL;
    *n = 0;
    *paren = q < end && *q == '(';
    return *paren ? quick_values(f, q + 1, end, args, n) : q;
}

/* The block call at off of the pool: block, count, arguments. */
static inline __attribute__((always_inline)) uint32_t push_call(parser *p, uint32_t b, const uint32_t *args,
                                                                 uint32_t n, uint32_t line, uint32_t col)
{
    ir_function *f = p->fn;
    if (b >= f->blocks.n)
        rd_ensure_block(p, b, line, col);
    uint32_t off = f->pool.n;
    ir_vec_reserve(&f->pool, n + 2);
    uint32_t *w = &f->pool.v[off];
    w[0] = b;
    w[1] = n;
    for (uint32_t k = 0; k < n; k++)   /* a few: no memcpy call */
        w[2 + k] = args[k];
    f->pool.n = off + 2 + n;
    return off;
}

/* `jump blockN(...)` and `brif vC, blockN(...), blockM(...)` with the
 * current token the opcode, as quick_inst reads instructions: checked
 * whole from the bytes, then what parse_instruction makes of them.
 * IR_OP_COUNT, with nothing changed, for anything else. */
ir_opcode rd_quick_branch(parser *p, uint32_t block)
{
    ir_function *f = p->fn;
    const char *q = p->lx.p, *end = p->lx.end;
    if (p->t.len > 8 || end - p->t.text < 8 || end - q < 16 || *q != ' ')
        return IR_OP_COUNT;
    ir_opcode op = rd_lookup_opcode(p, p->t.text, p->t.len);
    if (op == IR_OP_COUNT)
        return IR_OP_COUNT;
    const ir_opinfo *info = &ir_opcodes[op];
    bool brif = info->format == IR_FMT_Brif;
    if ((!brif && info->format != IR_FMT_Jump) || rd_op_nres[op] || (info->flags & IR_OPF_CALL))
        return IR_OP_COUNT;
    q++;
    uint32_t c = 0, b[2], args[2][16], n[2], ncalls = brif ? 2 : 1, bcol[2];
    bool paren = false;
    ir_type ctrl = 0;
    if (brif) {
        if (*q != 'v' || !(q = value_number(q + 1, end, &c)) || c >= f->values.n ||
            f->values.v[c].kind == IR_VAL_UNUSED || end - q < 3 || q[0] != ',' || q[1] != ' ')
            return IR_OP_COUNT;
        q += 2;
    }
    for (uint32_t k = 0; k < ncalls; k++) {
        bcol[k] = (uint32_t)(q - p->lx.line_start) + 1;
        if (!(q = quick_call(p, q, &b[k], args[k], &n[k], &paren)))
            return IR_OP_COUNT;
        if (k + 1 < ncalls) {
            if (end - q < 3 || q[0] != ',' || q[1] != ' ')
                return IR_OP_COUNT;
            q += 2;
        }
    }
    if (!paren) {
        /* blockN at the end of the line: the token after it must not be
         * a '(' of its arguments (or a ','), as a word or '}' is not */
        const char *r = q;
        while (r < end && (*r == ' ' || *r == '\n'))
            r++;
        if (q == end || *q != '\n' || r == end || !((unsigned)((*r | 0x20) - 'a') < 26 || *r == '}'))
            return IR_OP_COUNT;
    }
    /* the controlling type, as parse_instruction finds it */
    if (info->ctrl[0]) {
        int ca = ir_op_ctrl_arg(op);
        if (!brif || ca != 0)
            return IR_OP_COUNT;
        ctrl = f->values.v[c].type;
        __typeof__(p->ctrl_ok[0]) *m = &p->ctrl_ok[(op * 7u + ctrl) & 63];
        if (m->op1 != op + 1u || m->t != ctrl)
            m->op1 = (uint16_t)(op + 1u), m->t = ctrl, m->in = ir_typeset_contains(info->ctrl, ctrl);
        if (!ctrl || !m->in)
            return IR_OP_COUNT;
    }

    uint32_t line = p->t.line, col = p->t.col;
    if (!quick_next_word(p, q)) {
        p->lx.p = q;
        rd_lex_next(p);
        if (p->t.kind == T_COMMA)
            comma_after_operands(p, info);
    }
    uint32_t i = f->insts.n, a = f->pool.n, ent;
    ir_vec_reserve(&f->insts, 1);
    if (brif) {
        ir_vec_push(&f->pool, c);
        uint32_t o1 = push_call(p, b[0], args[0], n[0], line, bcol[0]);
        uint32_t o2 = push_call(p, b[1], args[1], n[1], line, bcol[1]);
        ent = f->pool.n;
        ir_vec_push(&f->pool, o1);
        ir_vec_push(&f->pool, o2);
    } else {
        ent = push_call(p, b[0], args[0], n[0], line, bcol[0]);
    }
    static const ir_inst_data zero_inst;
    ir_block_data *bd = &f->blocks.v[block];
    ir_inst_data *ip = &f->insts.v[i];
    *ip = zero_inst;
    ip->op = (uint16_t)op, ip->type = ctrl, ip->nargs = brif, ip->args = a, ip->res = f->pool.n, ip->ent = ent;
    ip->next = IR_NONE, ip->block = block, ip->line = line, ip->col = col;
    ip->srcloc = IR_NONE;
    f->insts.n++;
    ir_block_link_last(f, bd, i);
    return op;
}

/* A type token i8 ... i64 or f16 ... f64 at q: its end and *t, or NULL
 * for anything else (the lexer reads the rest). */
static const char *quick_type(const char *q, const char *end, ir_type *t)
{
    if (end - q < 5 || (q[0] != 'i' && q[0] != 'f'))
        return NULL;
    bool i = q[0] == 'i';
    if (i && q[1] == '8' && !word_byte(q[2])) {
        *t = IR_I8;
        return q + 2;
    }
    if (!digit_byte(q[1]) || !digit_byte(q[2]) || word_byte(q[3]))
        return NULL;
    switch ((q[1] - '0') * 10 + (q[2] - '0')) {
    case 16: *t = i ? IR_I16 : IR_F16; break;
    case 32: *t = i ? IR_I32 : IR_F32; break;
    case 64: *t = i ? IR_I64 : IR_F64; break;
    default: return NULL;
    }
    return q + 3;
}

/* A list of types `T, T ...` at q, closed by `)` (params) or by the end
 * of the line or ` {` (returns): at most 16, each kept in ts with its
 * column; the end (the `)` or what follows the last type), or NULL. */
static const char *quick_types(const parser *p, const char *q, bool params, ir_type *ts, uint32_t *cols, uint32_t *n)
{
    const char *end = p->lx.end;
    *n = 0;
    if (params && q < end && *q == ')')
        return q;
    for (;;) {
        if (*n == 16)
            return NULL;
        cols[*n] = (uint32_t)(q - p->lx.line_start) + 1;
        if (!(q = quick_type(q, end, &ts[*n])))
            return NULL;
        ++*n;
        if (end - q < 3)
            return NULL;
        if (q[0] == ',' && q[1] == ' ')
            q += 2;
        else if (params ? q[0] == ')' : q[0] == '\n' || (q[0] == ' ' && q[1] == '{'))
            return q;   /* no attribute (uext, sret ...) after the last */
        else
            return NULL;
    }
}

/* A signature `(T, T ...) -> T ...` after its `(` (the current token) with
 * plain types only and nothing after them on the line but `{`: its params
 * and returns as rd_parse_signature keeps them, the token after it read
 * (no calling convention then).  False, with nothing changed, for the
 * rest. */
bool rd_quick_signature(parser *p, ir_function *f, ir_signature *s)
{
    const char *q = p->lx.p, *end = p->lx.end;
    ir_type pt[16], rt[16];
    uint32_t pc[16], rc[16], np, nr = 0;
    if (!(q = quick_types(p, q, true, pt, pc, &np)))
        return false;
    q++;   /* the ')' */
    if (end - q >= 8 && q[0] == ' ' && q[1] == '-' && q[2] == '>' && q[3] == ' ') {
        if (!(q = quick_types(p, q + 4, false, rt, rc, &nr)) || !nr)
            return false;
    } else if (end - q < 2 || !(q[0] == '\n' || (q[0] == ' ' && q[1] == '{'))) {
        return false;
    }
    uint32_t line = p->lx.line;
    s->params = f->abi_params.n;
    s->nparams = np;
    for (uint32_t k = 0; k < np; k++)
        ir_vec_push(&f->abi_params, ((ir_abi_param){.type = pt[k], .line = line, .col = pc[k]}));
    s->rets = f->abi_params.n;
    s->nrets = nr;
    for (uint32_t k = 0; k < nr; k++)
        ir_vec_push(&f->abi_params, ((ir_abi_param){.type = rt[k], .line = line, .col = rc[k]}));
    p->lx.p = q;
    rd_lex_next(p);
    return true;
}

/* `vA: T, vB: T):` after `blockN(` (the current token), of new values
 * and types i8 ... i64, f16 ... f64: read from the bytes, checked before
 * anything is kept, then kept as parse_block keeps them, with the token
 * after the ':' read.  False, with nothing changed, for anything else. */
bool rd_quick_block_params(parser *p, uint32_t b)
{
    ir_function *f = p->fn;
    const char *q = p->lx.p, *end = p->lx.end;
    uint32_t vals[16], cols[16], n = 0;
    ir_type types[16];
    for (;;) {
        uint32_t v;
        const char *s = q;
        if (n == 16 || end - q < 8 || *q != 'v' || !(q = value_number(q + 1, end, &v)) || v >= MAX_VALUE_NUM ||
            (v < f->values.n && f->values.v[v].kind != IR_VAL_UNUSED) || q[0] != ':' || q[1] != ' ')
            return false;
        for (uint32_t k = 0; k < n; k++)
            if (vals[k] == v)
                return false;
        q += 2;
        ir_type t;
        if (!(q = quick_type(q, end, &t)))
            return false;
        vals[n] = v, types[n] = t, cols[n] = (uint32_t)(s - p->lx.line_start) + 1;
        n++;
        if (q[0] == ')')
            break;
        if (q[0] != ',' || q[1] != ' ')
            return false;
        q += 2;
    }
    if (end - q < 2 || q[1] != ':')   /* `cold`, or anything else: the token way */
        return false;
    uint32_t line = p->lx.line, off = f->pool.n;
    ir_vec_reserve(&f->pool, n);
    for (uint32_t k = 0; k < n; k++) {
        rd_ensure_value(p, vals[k], line, cols[k]);
        f->values.v[vals[k]] = (ir_value_data){IR_VAL_PARAM, types[k], b, k, line, cols[k]};
        f->pool.v[off + k] = vals[k];
    }
    f->pool.n = off + n;
    f->blocks.v[b].params = off;
    f->blocks.v[b].nparams = n;
    f->blocks.v[b].cold = false;
    if (!quick_next_value(p, q + 2)) {
        p->lx.p = q + 2;
        rd_lex_next(p);
    }
    return true;
}
