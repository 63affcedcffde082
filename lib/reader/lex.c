/* The CLIF lexer: Cranelift's token rules (cranelift/reader/src/lexer.rs),
 * with byte columns for diagnostics.  One pass, no allocation but the list
 * of run comments. */
#include <stdarg.h>
#include <string.h>

#include "internal.h"

void rd_lex_init(lexer *lx, const char *src, size_t len, uint32_t line, const char *line_start)
{
    memset(lx, 0, sizeof *lx);
    lx->src = lx->p = src;
    lx->end = src + len;
    lx->line = line;
    lx->line_start = lx->line_start0 = line_start;
}

void rd_prev_pos(const parser *p, uint32_t *line, uint32_t *col)
{
    const lexer *lx = &p->lx;
    const char *e = p->prev_end;
    *line = p->t.line, *col = p->t.col;
    if (!e || e < lx->src || e > p->t.text || p->t.text > lx->end)
        return;   /* no token before this one in this text */
    for (const char *q = e; q < p->t.text; q++)
        *line -= *q == '\n';
    const char *ls = e;
    while (ls > lx->src && ls[-1] != '\n')
        ls--;
    if (ls == lx->src)
        ls = lx->line_start0;   /* after a byte-order mark, or a run line's text */
    *col = (uint32_t)(e - ls) + 1;
}

/* Is the current token on the line where the one before it ended? */
bool rd_same_line_as_prev(const parser *p)
{
    uint32_t l, c;
    rd_prev_pos(p, &l, &c);
    return l == p->t.line;
}

/* Character classes by table: the lexer touches every byte once. */
const uint8_t rd_cclass[256] = {
    ['0' ... '9'] = C_DIGIT | C_HEX, ['a' ... 'f'] = C_ALPHA | C_HEX, ['g' ... 'z'] = C_ALPHA,
    ['A' ... 'F'] = C_ALPHA | C_HEX, ['G' ... 'Z'] = C_ALPHA, ['_'] = C_UNDERSCORE,
    [' '] = C_SPACE, ['\t'] = C_SPACE, ['\v'] = C_SPACE, ['\f'] = C_SPACE, ['\r'] = C_SPACE,
};
#define cclass rd_cclass
static bool is_digit(int c) { return cclass[(unsigned char)c] & C_DIGIT; }
static bool is_alpha(int c) { return cclass[(unsigned char)c] & C_ALPHA; }
static bool is_word(int c) { return cclass[(unsigned char)c] & (C_DIGIT | C_ALPHA | C_UNDERSCORE); }
static bool is_hex(int c) { return cclass[(unsigned char)c] & C_HEX; }

static bool looking_at(const lexer *lx, const char *q, const char *s)
{
    size_t n = strlen(s);
    return (size_t)(lx->end - q) >= n && !memcmp(q, s, n);
}

static bool looking_at_numeric(const lexer *lx, const char *q)
{
    if (q >= lx->end)
        return false;
    if (is_digit(*q) || *q == '-' || *q == '+' || *q == '.')
        return true;
    return looking_at(lx, q, "NaN") || looking_at(lx, q, "Inf") || looking_at(lx, q, "sNaN");
}

/* The entity whose prefix is the n letters at w (Cranelift's
 * numbered_entity), E_COUNT if none. */
static unsigned ent_of_prefix(const char *w, size_t n)
{
#define IS(lit) (n == sizeof lit - 1 && !memcmp(w, lit, sizeof lit - 1))
    switch (w[0]) {
    case 'v': return n == 1 ? E_VALUE : E_COUNT;
    case 'u': return n == 1 ? E_USER : IS("userextname") ? E_USERNAME : E_COUNT;
    case 'b': return IS("block") ? E_BLOCK : E_COUNT;
    case 's': return IS("ss") ? E_SS : IS("sig") ? E_SIG : E_COUNT;
    case 'd': return IS("dss") ? E_DSS : IS("dt") ? E_DT : E_COUNT;
    case 'g': return IS("gv") ? E_GV : E_COUNT;
    case 'm': return IS("mt") ? E_MT : E_COUNT;
    case 'c': return IS("const") ? E_CONST : E_COUNT;
    case 'f': return IS("fn") ? E_FN : E_COUNT;
    case 'e': return IS("extable") ? E_EXTABLE : IS("exn") ? E_EXN : E_COUNT;
    case 't': return IS("tag") ? E_TAG : E_COUNT;
    case 'r': return IS("region") ? E_REGION : IS("ret") ? E_RET : E_COUNT;
    case 'j': return IS("jt") ? E_JT : E_COUNT;
    }
    return E_COUNT;
#undef IS
}

/* A word from s: a numbered entity (letters, then a number without a
 * leading zero), a type, or an identifier.  One pass over its bytes.
 * Returns false for an entity whose number does not fit in 32 bits. */
/* The end of the run of letters from q. */
static inline __attribute__((always_inline)) const char *letters(const char *q, const char *end)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* eight bytes at a time: a byte is a letter if it is ASCII and, with
     * bit 5 set, in 'a'..'z' (each byte's top bit tells, no carries) */
    while (end - q >= 8) {
        uint64_t w, x;
        memcpy(&w, q, 8);
        x = (w | 0x2020202020202020ull) & 0x7f7f7f7f7f7f7f7full;
        uint64_t letter = (x + 0x1f1f1f1f1f1f1f1full) & ~(x + 0x0505050505050505ull) & ~w;
        uint64_t other = ~letter & 0x8080808080808080ull;
        if (other)
            return q + __builtin_ctzll(other) / 8;
        q += 8;
    }
#endif
    while (q < end && (cclass[(unsigned char)*q] & C_ALPHA))
        q++;
    return q;
}

/* The rest of a word from s whose letters end at q (before a digit or
 * an underscore). */
static bool lex_word_rest(lexer *lx, tok *t, const char *s, const char *q)
{
    const char *end = lx->end;
    const char *d = q;
    uint64_t v = 0;
    while (q < end && (cclass[(unsigned char)*q] & C_DIGIT))
        v = v * 10 + (uint64_t)(*q++ - '0');
    size_t plen = (size_t)(d - s), digits = (size_t)(q - d), lead_digits = digits;
    char c = s[0];
    ir_type ty = 0;
    if (digits && plen == 1 && (c == 'i' || c == 'f') && (q == end || !is_word(*q))) {
        /* i32, f64: the usual types (no entity is written i or f and digits) */
        static const ir_type ints[] = {[8] = IR_I8, [16] = IR_I16, [32] = IR_I32, [64] = IR_I64},
                             floats[] = {[16] = IR_F16, [32] = IR_F32, [64] = IR_F64};
        if (digits <= 2 && v < 65 && !(digits > 1 && *d == '0'))   /* (v may have wrapped) */
            ty = c == 'i' ? ints[v] : floats[v];
        else if (v == 128 && digits == 3)
            ty = c == 'i' ? IR_I128 : IR_F128;
        t->kind = ty ? T_TYPE : T_IDENT;
        t->type = ty;
        t->len = (uint32_t)(q - s);
        lx->p = q;
        return true;
    }
    if (digits > 10)
        v = (uint64_t)UINT32_MAX + 1;   /* too large, whatever wrapped */
    if (q < end && is_word(*q)) {   /* more after the digits: not an entity */
        while (q < end && is_word(*q))
            q++;
        digits = 0;
    }
    t->len = (uint32_t)(q - s);
    lx->p = q;
    if (digits && plen && !(digits > 1 && *d == '0')) {
        unsigned e = ent_of_prefix(s, plen);
        if (e != E_COUNT) {
            if (v > UINT32_MAX)
                return false;
            t->kind = T_ENTITY;
            t->ent = (uint8_t)e;
            t->num = (uint32_t)v;
            return true;
        }
    }
    if (plen == 1 && lead_digits && (c == 'i' || c == 'f' || c == 'r') && t->len <= 8) {
        /* a type is a letter and digits, then maybe xN: not iadd, fcmp */
        ty = ir_type_parse(s, t->len);
    }
    if (ty) {
        t->kind = T_TYPE;
        t->type = ty;
        return true;
    }
    t->kind = T_IDENT;
    return true;
}

static inline __attribute__((always_inline)) bool lex_word(lexer *lx, tok *t, const char *s)
{
    const char *q = letters(s, lx->end);
    if (q == lx->end || !is_word(*q)) {   /* letters only (most opcodes): no entity, no type */
        t->kind = T_IDENT;
        t->len = (uint32_t)(q - s);
        lx->p = q;
        return true;
    }
    return lex_word_rest(lx, t, s, q);
}

/* A comment: note it if it is a run or print command (Cranelift's rule:
 * after leading spaces and semicolons, the word `run` or `print`). */
static __attribute__((noinline)) void scan_comment(parser *p)
{
    lexer *lx = &p->lx;
    const char *start = lx->p;
    uint32_t col = (uint32_t)(start - lx->line_start) + 1;
    const char *e = memchr(start, '\n', (size_t)(lx->end - start));
    if (!e)
        e = lx->end;
    const char *q = start;
    while (q < e && (*q == ' ' || *q == ';'))
        q++;
    const char *w = q;
    while (q < e && is_word(*q))
        q++;
    if (lx->keep_runs && ((q - w == 3 && !memcmp(w, "run", 3)) || (q - w == 5 && !memcmp(w, "print", 5)))) {
        pending_run r = {(uint32_t)(w - lx->src), (uint32_t)(e - lx->src), lx->line,
                         col + (uint32_t)(w - start)};
        ir_vec_push(&p->runs, r);
    }
    lx->p = e;
}


/* Spaces from q (which is one): on a little-endian host eight bytes at a
 * time while that many remain, the indentation of a line in one step. */
static inline const char *skip_spaces(const char *q, const char *end)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (end - q >= 8) {
        uint64_t w;
        memcpy(&w, q, 8);
        w ^= 0x2020202020202020ull;
        if (w)
            return q + __builtin_ctzll(w) / 8;
        q += 8;
    }
#endif
    while (q < end && *q == ' ')
        q++;
    return q;
}

static void lex_other(parser *p, const char *s);

_Noreturn static __attribute__((noinline, cold)) void entity_too_large(parser *p)
{
    rd_perr_at(p, p->t.line, p->t.col, "entity number %.*s is too large", (int)p->t.len, p->t.text);
}

/* A word that is not a value: opcodes, types, blocks, keywords. */
static __attribute__((noinline)) void lex_word_more(parser *p, const char *s, const char *q)
{
    if (!lex_word_rest(&p->lx, &p->t, s, q))
        entity_too_large(p);
}

static __attribute__((noinline)) void lex_word_at(parser *p, const char *s)
{
    const char *end = p->lx.end, *q = letters(s, end);
    if (q == end || !is_word(*q)) {   /* letters only (most opcodes): no entity, no type */
        p->t.kind = T_IDENT;
        p->t.len = (uint32_t)(q - s);
        p->lx.p = q;
        return;
    }
    /* the commonest of the rest, as lex_word_rest would read them: i64 and
     * the like, then blockN; anything else (i128, v0x, block01) goes there */
    size_t plen = (size_t)(q - s);
    if (plen == 1 && end - q >= 3 && is_digit(q[0]) && is_digit(q[1]) && !is_word(q[2]) && q[0] != '0') {
        static const ir_type ints[65] = {[16] = IR_I16, [32] = IR_I32, [64] = IR_I64},
                             floats[65] = {[16] = IR_F16, [32] = IR_F32, [64] = IR_F64};
        unsigned v = (unsigned)(q[0] - '0') * 10 + (unsigned)(q[1] - '0');
        ir_type ty = v > 64 ? 0 : *s == 'i' ? ints[v] : *s == 'f' ? floats[v] : 0;
        if (ty) {
            p->t.kind = T_TYPE;
            p->t.type = ty;
            p->t.len = 3;
            p->lx.p = q + 2;
            return;
        }
    } else if (plen == 5 && !memcmp(s, "block", 5) && is_digit(q[0]) && (q[0] != '0' || end - q == 1 || !is_digit(q[1]))) {
        const char *r = q, *lim = end - r > 9 ? r + 9 : end;
        uint32_t v = 0;
        while (r < lim && is_digit(*r))
            v = v * 10 + (uint32_t)(*r++ - '0');
        if (r == end || !is_word(*r)) {
            p->t.kind = T_ENTITY;
            p->t.ent = E_BLOCK;
            p->t.num = v;
            p->t.len = (uint32_t)(r - s);
            p->lx.p = r;
            return;
        }
    }
    lex_word_more(p, s, q);
}

/* How the token at a byte starts: punctuation (its tok_kind), or one of
 * these; 0 for the rest (lex_other: numbers with a sign, names, strings,
 * NaN, Inf, sNaN, bad characters ...). */
enum { L_VALUE = 0x40, L_DIGIT, L_WORD, L_BLANK };
static const uint8_t lead[256] = {
    ['('] = T_LPAR, [')'] = T_RPAR, ['{'] = T_LBRACE, ['}'] = T_RBRACE, ['['] = T_LBRACKET,
    [']'] = T_RBRACKET, ['<'] = T_LANGLE, ['>'] = T_RANGLE, [','] = T_COMMA, ['.'] = T_DOT,
    [':'] = T_COLON, ['='] = T_EQUAL, ['!'] = T_BANG, ['*'] = T_STAR,
    ['v'] = L_VALUE, ['0' ... '9'] = L_DIGIT,
    ['a' ... 'r'] = L_WORD, ['t' ... 'u'] = L_WORD, ['w' ... 'z'] = L_WORD,
    ['A' ... 'H'] = L_WORD, ['J' ... 'M'] = L_WORD, ['O' ... 'Z'] = L_WORD,
    [' '] = L_BLANK, ['\t'] = L_BLANK, ['\v'] = L_BLANK, ['\f'] = L_BLANK, ['\r'] = L_BLANK,
    ['\n'] = L_BLANK, [';'] = L_BLANK,
};

static void lex_blanks(parser *p, const char *q);

/* The token at q: punctuation, values and plain numbers here, with only
 * tail calls (so no registers to save); the rest in lex_word_at,
 * lex_other and lex_blanks. */
static inline __attribute__((always_inline)) void lex_token(parser *p, const char *q)
{
    lexer *lx = &p->lx;
    tok *t = &p->t;
    const char *end = lx->end;
    t->text = q;
    t->line = lx->line;
    t->col = (uint32_t)(q - lx->line_start) + 1;
    if (q == end) {
        lex_other(p, q);
        return;
    }
    unsigned k = lead[(unsigned char)*q];
    if (k < L_VALUE) {
        if (!k) {
            lex_other(p, q);
            return;
        }
        t->kind = k;
        t->len = 1;
        lx->p = q + 1;
        return;
    }
    /* the commonest words first: vN (a value) and a plain number; anything
     * unusual about them (a leading zero, ten digits, a '.' or '-' after
     * the digits) goes the general way */
    if (k == L_VALUE) {
        if (end - q >= 2 && (cclass[(unsigned char)q[1]] & C_DIGIT) &&
            (q[1] != '0' || end - q == 2 || !(cclass[(unsigned char)q[2]] & C_DIGIT))) {
            const char *r = q + 1, *lim = end - r > 9 ? r + 9 : end;
            uint32_t v = 0;
            while (r < lim && (cclass[(unsigned char)*r] & C_DIGIT))
                v = v * 10 + (uint32_t)(*r++ - '0');
            if (r == end || !is_word(*r)) {
                t->kind = T_ENTITY;
                t->ent = E_VALUE;
                t->num = v;
                t->len = (uint32_t)(r - q);
                lx->p = r;
                return;
            }
        }
        lex_word_at(p, q);
    } else if (k == L_DIGIT) {
        const char *r = q + 1;
        while (r < end && is_word(*r))
            r++;
        if (r == end || (*r != '-' && *r != '.' && *r != '+')) {
            t->kind = T_INT;
            t->len = (uint32_t)(r - q);
            lx->p = r;
            return;
        }
        lex_other(p, q);
    } else if (k == L_WORD) {
        lex_word_at(p, q);
    } else {
        lex_blanks(p, q);
    }
}

static __attribute__((noinline)) void lex_token_at(parser *p, const char *q) { lex_token(p, q); }

/* Blanks other than spaces and newlines (tabs, carriage returns ...) and
 * comments, from q: all of them, and then the token. */
static __attribute__((noinline)) void lex_blanks(parser *p, const char *q)
{
    lexer *lx = &p->lx;
    for (;;) {
        if (q < lx->end && (cclass[(unsigned char)*q] & C_SPACE)) {
            q++;
        } else if (q < lx->end && *q == '\n') {
            q++;
            lx->line++;
            lx->line_start = q;
        } else if (q < lx->end && *q == ';') {
            lx->p = q;
            scan_comment(p);
            q = lx->p;
        } else {
            break;
        }
    }
    lex_token_at(p, q);
}

void rd_lex_next(parser *p)
{
    lexer *lx = &p->lx;
    const char *q = lx->p, *end = lx->end;
    p->prev_end = q;
    /* a space between tokens, or a newline and the indentation: the
     * position in locals, these loops touch most bytes */
    if (q < end && *q == ' ')
        q++;
    if (q < end && (*q == ' ' || *q == '\n')) {
        const char *ls = lx->line_start;
        uint32_t line = lx->line;
        while (q < end) {
            if (*q == ' ') {
                q = skip_spaces(q, end);
            } else if (*q == '\n') {
                q++;
                line++;
                ls = q;
            } else {
                break;
            }
        }
        lx->line = line, lx->line_start = ls;
    }
    lex_token(p, q);
}

/* After one space, a word of fewer than eight letters (an opcode after
 * `vN =`): the token rd_lex_next would make, the letters found in one
 * step, without its dispatch; false, with nothing changed, for anything
 * else (longer words, words with digits: the general way). */
bool rd_lex_letters(parser *p)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    lexer *lx = &p->lx;
    const char *q = lx->p + 1;
    if (lx->end - q < 9 || q[-1] != ' ' || !(lead[(unsigned char)*q] == L_WORD || *q == 's'))
        return false;
    uint64_t w, x;
    memcpy(&w, q, 8);
    x = (w | 0x2020202020202020ull) & 0x7f7f7f7f7f7f7f7full;
    uint64_t other = ~((x + 0x1f1f1f1f1f1f1f1full) & ~(x + 0x0505050505050505ull) & ~w) & 0x8080808080808080ull;
    if (!other)
        return false;
    const char *r = q + __builtin_ctzll(other) / 8;
    if (is_word(*r) || (r - q == 4 && !memcmp(q, "sNaN", 4)))
        return false;   /* 's' goes by lex_other, where sNaN is a number */
    p->prev_end = lx->p;
    p->t.text = q;
    p->t.line = lx->line;
    p->t.col = (uint32_t)(q - lx->line_start) + 1;
    p->t.kind = T_IDENT;
    p->t.len = (uint32_t)(r - q);
    lx->p = r;
    return true;
#else
    (void)p;
    return false;
#endif
}

/* Everything but blanks, punctuation and most words: the end, numbers,
 * names, strings, hex sequences, source locations, bad characters. */
static __attribute__((noinline)) void lex_other(parser *p, const char *at)
{
    lexer *lx = &p->lx;
    tok *t = &p->t;
    if (at >= lx->end) {
        lx->p = at;
        t->kind = T_EOF;
        t->len = 0;
        return;
    }
    lx->p = at;
    const char *s = lx->p;
    t->text = s;
    t->line = lx->line;
    t->col = (uint32_t)(s - lx->line_start) + 1;
    tok_kind k;
    switch (*s) {
    case '(': k = T_LPAR; goto one;
    case ')': k = T_RPAR; goto one;
    case '{': k = T_LBRACE; goto one;
    case '}': k = T_RBRACE; goto one;
    case '[': k = T_LBRACKET; goto one;
    case ']': k = T_RBRACKET; goto one;
    case '<': k = T_LANGLE; goto one;
    case '>': k = T_RANGLE; goto one;
    case ',': k = T_COMMA; goto one;
    case '.': k = T_DOT; goto one;
    case ':': k = T_COLON; goto one;
    case '=': k = T_EQUAL; goto one;
    case '!': k = T_BANG; goto one;
    case '*': k = T_STAR; goto one;
    one:
        t->kind = k;
        lx->p++;
        break;
    case '-':
        if (looking_at(lx, s, "->")) {
            t->kind = T_ARROW;
            lx->p += 2;
            break;
        }
        /* fall through */
    case '+':
        if (!looking_at_numeric(lx, s + 1)) {
            t->kind = *s == '-' ? T_MINUS : T_PLUS;
            lx->p++;
            break;
        }
        goto number;
    case '%': {
        const char *q = s + 1;
        while (q < lx->end && is_word(*q))
            q++;
        t->kind = T_NAME;
        t->text = s + 1;
        t->len = (uint32_t)(q - s - 1);
        lx->p = q;
        return;
    }
    case '"': {
        const char *q = memchr(s + 1, '"', (size_t)(lx->end - s - 1));
        if (!q)
            rd_perr_at(p, t->line, t->col, "unterminated string");
        for (const char *r = s; r < q; r++)   /* strings may span lines */
            if (*r == '\n')
                lx->line++, lx->line_start = r + 1;
        t->kind = T_STRING;
        t->text = s + 1;
        t->len = (uint32_t)(q - s - 1);
        lx->p = q + 1;
        return;
    }
    case '#': {
        const char *q = s + 1;
        while (q < lx->end && is_hex(*q))
            q++;
        t->kind = T_HEXSEQ;
        t->text = s + 1;
        t->len = (uint32_t)(q - s - 1);
        lx->p = q;
        return;
    }
    case '@': {
        const char *q = s + 1;
        while (q < lx->end && is_hex(*q))
            q++;
        if (q == s + 1) {
            t->kind = T_AT;
            lx->p = q;
            break;
        }
        t->kind = T_SRCLOC;
        t->text = s + 1;
        t->len = (uint32_t)(q - s - 1);
        lx->p = q;
        return;
    }
    default:
        if (is_digit(*s))
            goto number;
        if (is_alpha(*s) || *s == '_') {
            if ((*s == 'N' || *s == 'I') && (looking_at(lx, s, "NaN") || looking_at(lx, s, "Inf")))
                goto number;
            if (!lex_word(lx, t, s))
                rd_perr_at(p, t->line, t->col, "entity number %.*s is too large", (int)t->len, t->text);
            if (t->kind == T_IDENT && t->len == 4 && !memcmp(s, "sNaN", 4))
                goto number;
            return;
        }
        rd_perr_at(p, t->line, t->col, "invalid character");
    }
    t->len = (uint32_t)(lx->p - s);
    return;

number: {
    const char *q = s;
    bool is_float = false;
    if (*q == '-' || *q == '+')
        q++;
    if (looking_at(lx, q, "NaN:") || looking_at(lx, q, "sNaN:")) {
        q = memchr(q, ':', (size_t)(lx->end - q)) + 1;
        is_float = true;
    } else if (looking_at(lx, q, "NaN") || looking_at(lx, q, "Inf") || looking_at(lx, q, "sNaN")) {
        is_float = true;
    }
    bool hex = looking_at(lx, q, "0x") || looking_at(lx, q, "0X");
    while (q < lx->end && (is_word(*q) || *q == '-' || *q == '.' ||
                           /* an exponent as C's %a prints it: 0x1.8p+1 */
                           (*q == '+' && hex && (q[-1] == 'p' || q[-1] == 'P')))) {
        if (*q == '.')
            is_float = true;
        q++;
    }
    t->kind = is_float ? T_FLOAT : T_INT;
    t->len = (uint32_t)(q - s);
    lx->p = q;
    return;
}
}
