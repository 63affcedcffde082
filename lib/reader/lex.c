/* The CLIF lexer: Cranelift's token rules (cranelift/reader/src/lexer.rs),
 * with byte columns for diagnostics.  One pass, no allocation but the list
 * of run comments. */
#include <stdarg.h>
#include <string.h>

#include "internal.h"

void lex_init(lexer *lx, const char *src, size_t len, uint32_t line, const char *line_start)
{
    memset(lx, 0, sizeof *lx);
    lx->src = lx->p = src;
    lx->end = src + len;
    lx->line = line;
    lx->line_start = line_start;
}

/* Character classes by table: the lexer touches every byte once. */
enum { C_DIGIT = 1, C_ALPHA = 2, C_SPACE = 4, C_HEX = 8 };
static const uint8_t cclass[256] = {
    ['0' ... '9'] = C_DIGIT | C_HEX, ['a' ... 'f'] = C_ALPHA | C_HEX, ['g' ... 'z'] = C_ALPHA,
    ['A' ... 'F'] = C_ALPHA | C_HEX, ['G' ... 'Z'] = C_ALPHA, ['_'] = 0x10,
    [' '] = C_SPACE, ['\t'] = C_SPACE, ['\v'] = C_SPACE, ['\f'] = C_SPACE, ['\r'] = C_SPACE,
};
static bool is_digit(int c) { return cclass[(unsigned char)c] & C_DIGIT; }
static bool is_alpha(int c) { return cclass[(unsigned char)c] & C_ALPHA; }
static bool is_word(int c) { return cclass[(unsigned char)c] & (C_DIGIT | C_ALPHA | 0x10); }
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

static const char *const ent_prefix[E_COUNT] = {
    [E_VALUE] = "v", [E_BLOCK] = "block", [E_SS] = "ss", [E_DSS] = "dss", [E_DT] = "dt",
    [E_GV] = "gv", [E_MT] = "mt", [E_CONST] = "const", [E_FN] = "fn", [E_SIG] = "sig",
    [E_USER] = "u", [E_USERNAME] = "userextname", [E_EXTABLE] = "extable", [E_TAG] = "tag",
    [E_REGION] = "region", [E_RET] = "ret", [E_EXN] = "exn", [E_JT] = "jt",
};

/* Classify a word: numbered entity, type, or identifier.  Returns false
 * for an entity whose number does not fit in 32 bits. */
static bool classify_word(tok *t)
{
    static uint8_t ent_len[E_COUNT];
    if (!ent_len[0])
        for (unsigned e = 0; e < E_COUNT; e++)
            ent_len[e] = (uint8_t)strlen(ent_prefix[e]);
    uint32_t n = t->len, digits = 0;
    while (digits < n && is_digit(t->text[n - 1 - digits]))
        digits++;
    uint32_t plen = n - digits;
    if (digits && plen && plen <= 11 && !(digits > 1 && t->text[plen] == '0')) {
        for (unsigned e = 0; e < E_COUNT; e++) {
            if (ent_len[e] != plen || ent_prefix[e][0] != t->text[0] || memcmp(t->text, ent_prefix[e], plen))
                continue;
            uint64_t v = 0;
            for (uint32_t i = plen; i < n && v <= UINT32_MAX; i++)
                v = v * 10 + (uint64_t)(t->text[i] - '0');
            if (v > UINT32_MAX)
                return false;
            t->kind = T_ENTITY;
            t->ent = (uint8_t)e;
            t->num = (uint32_t)v;
            return true;
        }
    }
    char c = t->text[0];
    ir_type ty = (c == 'i' || c == 'f' || c == 'r') && n <= 8 ? ir_type_parse(t->text, n) : 0;
    if (ty) {
        t->kind = T_TYPE;
        t->type = ty;
        return true;
    }
    t->kind = T_IDENT;
    return true;
}

/* A comment: note it if it is a run or print command (Cranelift's rule:
 * after leading spaces and semicolons, the word `run` or `print`). */
static void scan_comment(parser *p)
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

void lex_next(parser *p)
{
    lexer *lx = &p->lx;
    tok *t = &p->t;
    p->prev_line = lx->line;
    p->prev_col = (uint32_t)(lx->p - lx->line_start) + 1;
    for (;;) {
        if (lx->p >= lx->end) {
            t->kind = T_EOF;
            t->text = lx->p;
            t->len = 0;
            t->line = lx->line;
            t->col = (uint32_t)(lx->p - lx->line_start) + 1;
            return;
        }
        char c = *lx->p;
        if (c == '\n') {
            lx->p++;
            lx->line++;
            lx->line_start = lx->p;
            continue;
        }
        if (cclass[(unsigned char)c] & C_SPACE) {
            lx->p++;
            continue;
        }
        if (c == ';') {
            scan_comment(p);
            continue;
        }
        break;
    }
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
            perr_at(p, t->line, t->col, "unterminated string");
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
            if (looking_at(lx, s, "NaN") || looking_at(lx, s, "Inf"))
                goto number;
            const char *q = s + 1;
            while (q < lx->end && is_word(*q))
                q++;
            t->len = (uint32_t)(q - s);
            lx->p = q;
            if (!classify_word(t))
                perr_at(p, t->line, t->col, "entity number %.*s is too large", (int)t->len, t->text);
            if (t->kind == T_IDENT && t->len == 4 && !memcmp(s, "sNaN", 4))
                goto number;
            return;
        }
        perr_at(p, t->line, t->col, "invalid character");
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
}
}
