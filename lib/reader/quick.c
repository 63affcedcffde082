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
/* The length of the word at q up to its first byte below '0' (a space,
 * '.', ',' ...) when that is among its first eight bytes, 0 else; in
 * *word its bytes as read (little endian), the rest zero.  Needs eight
 * bytes at q.  (With a name of letters looked up, as short_letters_w.) */
static inline uint32_t word_before_punct(const char *q, uint64_t *word)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t w;
    memcpy(&w, q, 8);
    /* the lowest byte below 0x30 gets its top bit (no borrow reaches it) */
    uint64_t lt = (w - 0x3030303030303030ull) & ~w & 0x8080808080808080ull;
    *word = w & (((lt & -lt) >> 7) - 1);
    return lt ? (uint32_t)__builtin_ctzll(lt) / 8 : 0;
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
 * the line it is on (which starts at ls; the token before it ended at
 * its newline, ls - 1, where next_value finds it). */
typedef struct qvalue {
    uint32_t num, line;
    const char *s, *r, *ls;
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
    *t = (qvalue){v, line + 1, s, r, ls};
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
    quick_token_at(p, t->ls - 1, t->line, t->ls, t->s, t->r);
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
 * or a short lowercase word of letters (jump, brif, return ...), or a
 * '}': the
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
    } else if (*s == '}') {   /* a body's end */
        r = s + 1;
        p->t.kind = T_RBRACE;
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
/* Jump, brif and return, for rd_quick_branch (with Q_NONE): brif, and
 * its controlling type from the condition; return. */
enum { Q_BRIF = 1, Q_BRCTRL = 2, Q_RETURN = 4, Q_BRANCH = 128 };

static __attribute__((noinline, cold)) uint8_t quick_op_kind(ir_opcode op)
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
    case IR_FMT_Jump:
    case IR_FMT_Brif:
        k = info->format == IR_FMT_Brif ? Q_BRIF : 0;
        if (rd_op_nres[op] || (info->flags & IR_OPF_CALL))
            return Q_NONE;
        if (info->ctrl[0]) {
            if (!k || ir_op_ctrl_arg(op) != 0)
                return Q_NONE;
            k |= Q_BRCTRL;
        }
        return (uint8_t)(Q_NONE | Q_BRANCH | k);
    case IR_FMT_MultiAry:
        if (rd_op_nres[op] || (info->flags & IR_OPF_CALL) || info->ctrl[0])
            return Q_NONE;
        return Q_NONE | Q_BRANCH | Q_RETURN;
    default: return Q_NONE;
    }
    if (rd_op_nres[op] != 1 || (info->flags & IR_OPF_CALL))
        return Q_NONE;
    for (const char *c = info->name; *c; c++)   /* as the lexer reads a word of letters */
        if ((unsigned)(*c - 'a') >= 26)
            return Q_NONE;
    int ca = info->ctrl[0] ? ir_op_ctrl_arg(op) : -1;
    if (ca >= 0 && (unsigned)ca < (k & Q_NVALS))
        k |= (unsigned)(ca + 1) << Q_CA_SHIFT;
    return (uint8_t)k;
}

/* The type of the one result of op with controlling type ctrl (0: none
 * given or found), as parse_instruction finds it; 0 where it reports an
 * error. */
static __attribute__((noinline, cold)) ir_type quick_result_type(ir_opcode op, ir_type ctrl)
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
    qvalue vt = {p->t.num, p->lx.line, p->t.text, p->lx.p, p->lx.line_start}, nt;
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

/* Bytes from the end of a line's result that rd_quick_inst may read: it
 * checks them once a line, and caps what it reads of each field, so that
 * the reads inside need no bounds of their own.  NEAR(x): an end for the
 * readers of a field at x (value_number, next_value) where 32 bytes are
 * known to be there, which folds their checks; they read less than that,
 * so they read as with the real end. */
enum { QUICK_WINDOW = 128 };
#define NEAR(x) ((x) + 32)

/* Up to four bytes as a little-endian load reads them (load4 swaps on a
 * big-endian host), for comparing a few bytes at once. */
#define W2(a, b) ((uint32_t)(a) | (uint32_t)(b) << 8)
#define W3(a, b, c) (W2(a, b) | (uint32_t)(c) << 16)
#define W4(a, b, c, d) (W3(a, b, c) | (uint32_t)(d) << 24)
static inline uint32_t load4(const char *q)
{
    uint32_t w;
    memcpy(&w, q, 4);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap32(w);
#endif
    return w;
}
static inline bool comma_space(const char *q) { return (load4(q) & 0xffff) == W2(',', ' '); }

/* The type of op's one result for controlling type ctrl, 0 where the
 * token way reports an error: remembered by opcode and type. */
static inline ir_type quick_result(parser *p, ir_opcode op, ir_type ctrl)
{
    if (ctrl < 16) {   /* scalars: a table */
        uint16_t *e = &p->quick_res[op][ctrl];   /* 0x8000 | the type once known */
        if (!*e) {
            ir_type t = quick_result_type(op, ctrl);
            if (t & 0x8000)
                return t;
            *e = (uint16_t)(t | 0x8000);
        }
        return *e & 0x7fff;
    }
    __typeof__(p->quick_ctrl[0]) *m = &p->quick_ctrl[(op * 7u + ctrl) & 63];
    if (m->op1 != op + 1u || m->t != ctrl)
        m->op1 = (uint16_t)(op + 1u), m->t = ctrl, m->res = quick_result_type(op, ctrl);
    return m->res;
}

/* The condition code of a compare of format fmt named by the m letters
 * at r (read as the word cw), ~0u for none: remembered by its bytes. */
static inline unsigned quick_cond(parser *p, const char *r, uint32_t m, uint64_t cw, unsigned fmt)
{
    bool icc = fmt == IR_FMT_IntCompare;
    __typeof__(p->cond_cache[0]) *e = &p->cond_cache[((cw * 0x9e3779b97f4a7c15ull) >> 60) ^ icc];
    if (e->w == cw && e->icc == icc)
        return e->cond;
    unsigned count = icc ? IR_INTCC_COUNT : IR_FLOATCC_COUNT;
    unsigned cond = rd_find_name(r, m, icc ? ir_intcc_names : ir_floatcc_names, count);
    if (cond == count)
        return ~0u;
    e->w = cw, e->icc = icc, e->cond = (uint8_t)cond;
    return cond;
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
    qvalue vt = {p->t.num, p->lx.line, p->t.text, p->lx.p, p->lx.line_start};
    ir_opcode done = IR_OP_COUNT;
    for (;;) {
        const char *q = vt.r;
        uint32_t res = vt.num;
        if (end - q < QUICK_WINDOW || (load4(q) & 0xffffff) != W3(' ', '=', ' ') || res >= MAX_VALUE_NUM ||
            (res < f->values.n && f->values.v[res].kind != IR_VAL_UNUSED))
            goto out;
        const char *s = q + 3, *r;
        uint64_t w;
        uint32_t n = word_before_punct(s, &w);   /* quick_op_kind: names of letters */
        if (!n || (s[n] != ' ' && s[n] != '.'))
            goto out;
        ir_opcode op = rd_lookup_opcode_word(p, s, n, w);
        if (op == IR_OP_COUNT)
            goto out;
        unsigned kind = p->quick_op[op];
        if (!kind)
            kind = p->quick_op[op] = quick_op_kind(op);
        if (kind & Q_NONE)
            goto out;

        /* .i8 .i16 .i32 .i64 .f16 .f32 .f64, each a type token, then a space */
        r = s + n + 1;
        ir_type suffix = 0;
        if (r[-1] == '.') {
            uint32_t t = load4(r);
            r += 4;
            switch (t) {
            case W4('i', '1', '6', ' '): suffix = IR_I16; break;
            case W4('i', '3', '2', ' '): suffix = IR_I32; break;
            case W4('i', '6', '4', ' '): suffix = IR_I64; break;
            case W4('f', '1', '6', ' '): suffix = IR_F16; break;
            case W4('f', '3', '2', ' '): suffix = IR_F32; break;
            case W4('f', '6', '4', ' '): suffix = IR_F64; break;
            default:
                if ((t & 0xffffff) != W3('i', '8', ' '))
                    goto out;
                suffix = IR_I8, r--;
            }
        }

        /* the operands */
        const ir_value_data *vals = f->values.v;
        uint32_t nv = f->values.n, a[3] = {0, 0, 0}, nvals = kind & Q_NVALS, cond = 0;
        uint64_t imm = 0;
        if (kind & Q_CC) {
            uint64_t cw;
            uint32_t m = short_letters_w(r, &cw);
            if (!m || r[m] != ' ' || (cond = quick_cond(p, r, m, cw, ir_opcodes[op].format)) == ~0u)
                goto out;
            r += m + 1;
        }
        for (uint32_t k = 0; k < nvals; k++) {
            if (k) {
                if (!comma_space(r))
                    goto out;
                r += 2;
            }
            uint32_t v;
            if (*r != 'v' || !(r = value_number(r + 1, NEAR(r + 1), &v)) || v >= nv || vals[v].kind == IR_VAL_UNUSED)
                goto out;
            a[k] = v;
        }
        if (kind & Q_IMM) {
            if (!nvals && suffix != IR_I64)   /* iconst: match_imm's ranges, the token way */
                goto out;
            if (nvals) {
                if (!comma_space(r))
                    goto out;
                r += 2;
            }
            /* an integer token as the lexer ends it and int_token reads it
             * (rd_plain_number): at most 18 decimal digits, or 0x and at
             * most 16 hex digits; anything else the token way */
            uint32_t nd = 0;
            if ((load4(r) & 0xffff) == W2('0', 'x')) {
                r += 2;
                for (; nd < 17; nd++) {
                    unsigned c = (unsigned char)r[nd], d = c - '0';
                    if (d > 9) {
                        d = (c | 0x20) - 'a';
                        if (d > 5)
                            break;
                        d += 10;
                    }
                    imm = imm << 4 | d;
                }
                if (!nd || nd > 16)
                    goto out;
            } else {
                for (; nd < 19 && digit_byte(r[nd]); nd++)
                    imm = imm * 10 + (uint64_t)(r[nd] - '0');
                if (!nd || nd > 18)
                    goto out;
            }
            r += nd;
            if (word_byte(*r) || *r == '-' || *r == '.' || *r == '+')
                goto out;
        }

        /* the controlling type and the result's, as parse_instruction finds them */
        ir_type ctrl = suffix;
        unsigned ca = kind >> Q_CA_SHIFT;
        if (!ctrl && ca)
            ctrl = vals[a[ca - 1]].type;
        ir_type rt = quick_result(p, op, ctrl);
        if (!rt)
            goto out;

        /* all good: the instruction */
        uint32_t line = vt.line, rcol = (uint32_t)(vt.s - vt.ls) + 1, col = (uint32_t)(s - vt.ls) + 1;
        if (res >= nv) {   /* rd_ensure_value, inline */
            if (res == nv && res < f->values.cap)
                f->values.n++;
            else
                rd_grow_values(p, res, line, rcol);
        }
        ir_vec_reserve(&f->insts, 1);
        ir_vec_reserve(&f->pool, 4);
        uint32_t i = f->insts.n, args = f->pool.n;
        ir_inst_data *insts = f->insts.v;
        ir_value_data *vd = &f->values.v[res];
        ir_block_data *bd = &f->blocks.v[block];
        uint32_t *pw = &f->pool.v[args], last = bd->last;
        pw[0] = a[0], pw[1] = a[1], pw[2] = a[2];   /* (room for four) */
        pw[nvals] = res;
        f->pool.n = args + nvals + 1;
        f->insts.n = i + 1;
        bd->last = i;
        if (last != IR_NONE)
            insts[last].next = i;
        else
            bd->first = i;
        /* copied from a zero one, then filled: not the string store a
         * compound literal makes */
        insts[i] = (ir_inst_data){.op = (uint16_t)op, .type = ctrl, .cond = (uint8_t)cond, .nargs = (uint16_t)nvals,
                                  .nres = 1, .args = args, .res = args + nvals, .imm = (int64_t)imm, .prev = last,
                                  .next = IR_NONE, .block = block, .line = line, .col = col, .srcloc = IR_NONE};
        *vd = (ir_value_data){IR_VAL_RESULT, rt, i, 0, line, rcol};
        done = op;
        /* then the token after it: the next line's result, or as the
         * lexer reads it (a comma there is an error) */
        if (next_value(r, NEAR(r), line, &vt))
            continue;
        p->lx.line = line;
        p->lx.line_start = vt.ls;
        if (!quick_next_word(p, r)) {
            p->lx.p = r;
            rd_lex_next(p);
            if (p->t.kind == T_COMMA)
                comma_after_operands(p, &ir_opcodes[op]);
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

/* A block call at w: block, count, arguments; its length. */
static inline __attribute__((always_inline)) uint32_t put_call(uint32_t *w, uint32_t b, const uint32_t *args,
                                                                uint32_t n)
{
    w[0] = b;
    w[1] = n;
    for (uint32_t k = 0; k < n; k++)   /* a few: no memcpy call */
        w[2 + k] = args[k];
    return n + 2;
}

/* `return vA, vB ...` after the opcode op (the current token, then a
 * space): values already defined (at most 16), then the end of the line
 * and a word or '}' (nothing the list could go on with); kept as
 * parse_instruction keeps it, the token after it read.  IR_OP_COUNT,
 * with nothing changed, for anything else. */
static __attribute__((noinline)) ir_opcode quick_return(parser *p, uint32_t block, ir_opcode op)
{
    ir_function *f = p->fn;
    const char *q = p->lx.p + 1, *end = p->lx.end, *r;
    uint32_t args[16], n = 0;
    for (;;) {
        uint32_t v;
        if (n == 16 || q == end || *q != 'v' || !(q = value_number(q + 1, end, &v)) || v >= f->values.n ||
            f->values.v[v].kind == IR_VAL_UNUSED)
            return IR_OP_COUNT;
        args[n++] = v;
        if (end - q < 3 || q[0] != ',' || q[1] != ' ')
            break;
        q += 2;
    }
    for (r = q; r < end && (*r == ' ' || *r == '\n'); r++) {
    }
    if (q == end || *q != '\n' || r == end || !(*r == '}' || ((unsigned)(*r - 'a') < 26 && *r != 'v')))
        return IR_OP_COUNT;

    uint32_t line = p->t.line, col = p->t.col;
    if (!quick_next_word(p, q)) {
        p->lx.p = q;
        rd_lex_next(p);
    }
    uint32_t i = f->insts.n, a = f->pool.n;
    ir_vec_reserve(&f->insts, 1);
    ir_vec_reserve(&f->pool, n);
    memcpy(&f->pool.v[a], args, n * sizeof *args);
    f->pool.n = a + n;
    f->insts.v[i] = (ir_inst_data){.op = (uint16_t)op, .nargs = (uint16_t)n, .args = a, .res = a + n,
                                   .next = IR_NONE, .block = block, .line = line, .col = col, .srcloc = IR_NONE};
    f->insts.n++;
    ir_block_link_last(f, &f->blocks.v[block], i);
    return op;
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
    unsigned kind = p->quick_op[op];
    if (!kind)
        kind = p->quick_op[op] = quick_op_kind(op);
    if (!(kind & Q_BRANCH))
        return IR_OP_COUNT;
    if (kind & Q_RETURN)
        return quick_return(p, block, op);
    bool brif = kind & Q_BRIF;
    q++;
    uint32_t c = 0, b[2], args[2][16], n[2] = {0, 0}, ncalls = brif ? 2 : 1, bcol[2];
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
    if (kind & Q_BRCTRL) {
        const ir_opinfo *info = &ir_opcodes[op];
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
            comma_after_operands(p, &ir_opcodes[op]);
    }
    for (uint32_t k = 0; k < ncalls; k++)
        if (b[k] >= f->blocks.n)
            rd_ensure_block(p, b[k], line, bcol[k]);
    /* the pool: brif's condition, the block calls, brif's offsets of them */
    uint32_t i = f->insts.n, a = f->pool.n, ent;
    ir_vec_reserve(&f->insts, 1);
    ir_vec_reserve(&f->pool, 7 + n[0] + n[1]);
    uint32_t *w = &f->pool.v[a];
    if (brif) {
        uint32_t o1 = 1, o2 = o1 + put_call(&w[o1], b[0], args[0], n[0]), e = o2 + put_call(&w[o2], b[1], args[1], n[1]);
        w[0] = c, w[e] = a + o1, w[e + 1] = a + o2;
        ent = a + e;
        f->pool.n = ent + 2;
    } else {
        ent = a;
        f->pool.n = a + put_call(w, b[0], args[0], n[0]);
    }
    f->insts.v[i] = (ir_inst_data){.op = (uint16_t)op, .type = ctrl, .nargs = brif, .args = a, .res = f->pool.n,
                                   .ent = ent, .next = IR_NONE, .block = block, .line = line, .col = col,
                                   .srcloc = IR_NONE};
    f->insts.n++;
    ir_block_link_last(f, &f->blocks.v[block], i);
    return op;
}

/* A type token i8 ... i64 or f16 ... f64 at q: its end and *t, or NULL
 * for anything else (the lexer reads the rest). */
static inline const char *quick_type(const char *q, const char *end, ir_type *t)
{
    if (end - q < 5)
        return NULL;
    uint32_t w = load4(q);
    switch (w & 0xffffff) {
    case W3('i', '1', '6'): *t = IR_I16; break;
    case W3('i', '3', '2'): *t = IR_I32; break;
    case W3('i', '6', '4'): *t = IR_I64; break;
    case W3('f', '1', '6'): *t = IR_F16; break;
    case W3('f', '3', '2'): *t = IR_F32; break;
    case W3('f', '6', '4'): *t = IR_F64; break;
    default:
        if ((w & 0xffff) != W2('i', '8') || word_byte(q[2]))
            return NULL;
        *t = IR_I8;
        return q + 2;
    }
    return word_byte(q[3]) ? NULL : q + 3;
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
    uint32_t line = p->lx.line, a = f->abi_params.n;
    ir_vec_reserve(&f->abi_params, np + nr);
    ir_abi_param *ap = &f->abi_params.v[a];
    for (uint32_t k = 0; k < np; k++)
        ap[k] = (ir_abi_param){.type = pt[k], .line = line, .col = pc[k]};
    for (uint32_t k = 0; k < nr; k++)
        ap[np + k] = (ir_abi_param){.type = rt[k], .line = line, .col = rc[k]};
    f->abi_params.n = a + np + nr;
    s->params = a, s->nparams = np;
    s->rets = a + np, s->nrets = nr;
    /* then the token after it: the body's '{', or a word on a line after */
    if (q[0] == ' ' && q[1] == '{') {
        quick_token_at(p, q, line, p->lx.line_start, q + 1, q + 2);
        p->t.kind = T_LBRACE;
    } else if (!quick_next_word(p, q)) {
        p->lx.p = q;
        rd_lex_next(p);
    }
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
        uint32_t v = vals[k];
        if (v >= f->values.n) {   /* rd_ensure_value, inline */
            if (v == f->values.n && v < f->values.cap)
                f->values.n++;
            else
                rd_grow_values(p, v, line, cols[k]);
        }
        f->values.v[v] = (ir_value_data){IR_VAL_PARAM, types[k], b, k, line, cols[k]};
        f->pool.v[off + k] = v;
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
