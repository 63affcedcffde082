/* lib/filetest/filecheck.c: the filecheck crate's checker, as Cranelift's
 * `test cat` and `test print-cfg` use it (cranelift/filetests/src/subtest.rs
 * run_filecheck): directives check:, sameln:, nextln:, unordered:, not:
 * and regex: in comments; patterns of text with $$, $(), $VAR, $(VAR) and
 * $(VAR=PATTERN) definitions.  Rust's regex syntax is read into POSIX
 * extended syntax with glibc's \b and \w (\d and \s are spelled out). */
#include "filetest.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

typedef struct fc_var {
    char name[32];
    char *text;             /* the regex (regex:) or the matched text */
    bool regex;
} fc_var;

typedef struct fc_ctx {
    IR_VEC(fc_var) vars;
} fc_ctx;

typedef struct sbuf {
    char *s;
    size_t n, cap;
} sbuf;

static void put(sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->n + n + 1) * 2;
        char *ns = ir_xrealloc(b->s, cap);
        if (!ns)
            return;
        b->s = ns, b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = 0;
}

static void puts_(sbuf *b, const char *s) { put(b, s, strlen(s)); }

static fc_var *find_var(fc_ctx *c, const char *name, size_t n)
{
    for (uint32_t i = c->vars.n; i-- > 0;)
        if (strlen(c->vars.v[i].name) == n && !strncmp(c->vars.v[i].name, name, n))
            return &c->vars.v[i];
    return NULL;
}

static void set_var(fc_ctx *c, const char *name, size_t n, const char *text, size_t tn, bool regex)
{
    fc_var v = {.regex = regex, .text = ir_xstrndup(text, tn)};
    snprintf(v.name, sizeof v.name, "%.*s", (int)n, name);
    ir_vec_push(&c->vars, v);
}

/* A Rust regex into POSIX ERE; groups counts its capturing groups. */
static void rust_regex(sbuf *b, const char *r, size_t n, unsigned *groups)
{
    bool in_class = false;
    for (size_t i = 0; i < n; i++) {
        char ch = r[i];
        if (ch == '\\' && i + 1 < n) {
            char e = r[++i];
            if (e == 'd')
                puts_(b, in_class ? "0-9" : "[0-9]");
            else if (e == 's')
                puts_(b, in_class ? "[:space:]" : "[[:space:]]");
            else {
                char two[2] = {'\\', e};
                put(b, two, 2);
            }
            continue;
        }
        if (in_class) {
            in_class = ch != ']';
        } else if (ch == '[') {
            in_class = true;
            if (i + 1 < n && r[i + 1] == ']') {     /* a leading ] is literal */
                put(b, "[]", 2);
                i++;
                continue;
            }
        } else if (ch == '(') {
            ++*groups;
            if (i + 2 < n && r[i + 1] == '?' && r[i + 2] == ':') {
                put(b, "(", 1);
                i += 2;
                continue;
            }
        }
        put(b, &ch, 1);
    }
}

static void literal(sbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strchr(".[]{}()\\*+?^$|", s[i]))
            put(b, "\\", 1);
        put(b, &s[i], 1);
    }
}

typedef struct def {
    char name[32];
    unsigned group;
} def;

/* The pattern of a directive as a POSIX regex; defs gets its $(VAR=...)
 * definitions and their group numbers.  False (why) for an unknown
 * variable or a malformed one. */
static bool pattern(fc_ctx *c, const char *p, sbuf *b, def *defs, unsigned *ndefs, char *why, size_t wn)
{
    unsigned groups = 0;
    size_t n = strlen(p);
    while (n && isspace((unsigned char)p[n - 1]))
        n--;
    while (n && isspace((unsigned char)*p))
        p++, n--;
    if (n && isalnum((unsigned char)p[0]))
        puts_(b, "\\b");
    for (size_t i = 0; i < n;) {
        if (p[i] != '$') {
            size_t k = i;
            while (k < n && p[k] != '$')
                k++;
            literal(b, p + i, k - i);
            i = k;
            continue;
        }
        if (i + 1 < n && p[i + 1] == '$') {
            puts_(b, "\\$");
            i += 2;
            continue;
        }
        const char *name;
        size_t nl, end;
        const char *defpat = NULL;
        size_t dl = 0;
        if (i + 1 < n && p[i + 1] == '(') {
            const char *close = memchr(p + i, ')', n - i);
            /* a definition's pattern may hold parentheses of its own: the
             * closing one is the last that balances */
            int depth = 0;
            size_t k = i + 1;
            for (; k < n; k++) {
                if (p[k] == '\\') {
                    k++;
                    continue;
                }
                depth += p[k] == '(' ? 1 : p[k] == ')' ? -1 : 0;
                if (!depth)
                    break;
            }
            if (!close || k >= n) {
                snprintf(why, wn, "unterminated $( in pattern: %s", p);
                return false;
            }
            end = k + 1;
            name = p + i + 2;
            const char *eq = memchr(name, '=', k - (i + 2));
            nl = eq ? (size_t)(eq - name) : k - (i + 2);
            if (eq)
                defpat = eq + 1, dl = (size_t)(p + k - defpat);
            if (!nl) {      /* $(): an empty match */
                i = end;
                continue;
            }
        } else {
            name = p + i + 1;
            nl = 0;
            while (i + 1 + nl < n && (isalnum((unsigned char)name[nl]) || name[nl] == '_'))
                nl++;
            end = i + 1 + nl;
            if (!nl) {
                snprintf(why, wn, "a lone $ in pattern: %s", p);
                return false;
            }
        }
        if (defpat) {
            put(b, "(", 1);
            unsigned g = ++groups;
            if (*ndefs < 16) {
                snprintf(defs[*ndefs].name, sizeof defs[*ndefs].name, "%.*s", (int)nl, name);
                defs[(*ndefs)++].group = g;
            }
            /* the definition's pattern: a regex, in which $VAR may stand */
            for (size_t k = 0; k < dl;) {
                if (defpat[k] == '$' && k + 1 < dl && (isalpha((unsigned char)defpat[k + 1]) || defpat[k + 1] == '_')) {
                    size_t m = 1;
                    while (k + m < dl && (isalnum((unsigned char)defpat[k + m]) || defpat[k + m] == '_'))
                        m++;
                    fc_var *v = find_var(c, defpat + k + 1, m - 1);
                    if (!v) {
                        snprintf(why, wn, "undefined variable $%.*s", (int)(m - 1), defpat + k + 1);
                        return false;
                    }
                    put(b, "(", 1);
                    groups++;
                    if (v->regex)
                        rust_regex(b, v->text, strlen(v->text), &groups);
                    else
                        literal(b, v->text, strlen(v->text));
                    put(b, ")", 1);
                    k += m;
                    continue;
                }
                size_t m = k;
                while (m < dl && defpat[m] != '$')
                    m++;
                if (m == k)
                    m++;
                rust_regex(b, defpat + k, m - k, &groups);
                k = m;
            }
            put(b, ")", 1);
        } else {
            fc_var *v = find_var(c, name, nl);
            if (!v) {
                snprintf(why, wn, "undefined variable $%.*s", (int)nl, name);
                return false;
            }
            put(b, "(", 1);
            groups++;
            if (v->regex)
                rust_regex(b, v->text, strlen(v->text), &groups);
            else
                literal(b, v->text, strlen(v->text));
            put(b, ")", 1);
        }
        i = end;
    }
    if (n && isalnum((unsigned char)p[n - 1]))
        puts_(b, "\\b");
    if (!b->s)
        puts_(b, "");
    return true;
}

/* Search text[from, to) for the compiled pattern: *ms, *me. */
static bool search(const regex_t *re, const char *text, size_t from, size_t to, regmatch_t *m, size_t nm)
{
    m[0].rm_so = (regoff_t)from;
    m[0].rm_eo = (regoff_t)to;
    int flags = REG_STARTEND;
    if (from > 0 && text[from - 1] != '\n')
        flags |= REG_NOTBOL;
    return regexec(re, text, nm, m, flags) == 0;
}

static size_t next_line(const char *text, size_t len, size_t pos)
{
    const char *nl = memchr(text + pos, '\n', len - pos);
    return nl ? (size_t)(nl - text) + 1 : len;
}

typedef struct pending_not {
    size_t from;
    regex_t re;
    char *pat;
} pending_not;

bool ft_filecheck(const char *const *comments, size_t ncomments, const char *text, char *why, size_t wn)
{
    static const char *const kinds[] = {"check", "sameln", "nextln", "unordered", "not", "regex"};
    fc_ctx c = {0};
    IR_VEC(pending_not) nots = {0};
    size_t len = strlen(text), max_match = 0, last_ordered = 0;
    bool ok = true;
    why[0] = 0;
    for (size_t ci = 0; ok && ci < ncomments; ci++) {
        const char *cm = comments[ci], *d = NULL;
        size_t kind = 0;
        /* the first directive word of the comment: `\b(kind):\s+` */
        for (const char *p = cm; *p && !d; p++) {
            if (p > cm && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
                continue;
            for (kind = 0; kind < sizeof kinds / sizeof *kinds; kind++) {
                size_t kl = strlen(kinds[kind]);
                if (!strncmp(p, kinds[kind], kl) && p[kl] == ':' && isspace((unsigned char)p[kl + 1])) {
                    d = p + kl + 1;
                    break;
                }
            }
        }
        if (!d)
            continue;
        while (isspace((unsigned char)*d))
            d++;
        if (kind == 5) {        /* regex: NAME=PATTERN */
            const char *eq = strchr(d, '=');
            size_t pl = strlen(d);
            while (pl && isspace((unsigned char)d[pl - 1]))
                pl--;
            if (!eq) {
                snprintf(why, wn, "regex: wants NAME=PATTERN: %s", d);
                ok = false;
                break;
            }
            set_var(&c, d, (size_t)(eq - d), eq + 1, pl - (size_t)(eq + 1 - d), true);
            continue;
        }
        sbuf b = {0};
        def defs[16];
        unsigned ndefs = 0;
        if (!pattern(&c, d, &b, defs, &ndefs, why, wn)) {
            free(b.s);
            ok = false;
            break;
        }
        regex_t re;
        int rc = regcomp(&re, b.s, REG_EXTENDED | REG_NEWLINE);
        free(b.s);
        if (rc) {
            snprintf(why, wn, "bad pattern: %s", d);
            ok = false;
            break;
        }
        if (kind == 4) {        /* not: checked between this and the next match */
            pending_not pn = {.from = last_ordered, .re = re, .pat = ir_xstrdup(d)};
            ir_vec_push(&nots, pn);
            continue;
        }
        size_t from = max_match, to = len;
        if (kind == 1)
            to = next_line(text, len, max_match);
        else if (kind == 2)
            from = next_line(text, len, max_match), to = next_line(text, len, from);
        else if (kind == 3)
            from = last_ordered;
        regmatch_t m[32];
        if (from > to || !search(&re, text, from, to, m, 32)) {
            snprintf(why, wn, "no match for %s: %s", kinds[kind], d);
            regfree(&re);
            ok = false;
            break;
        }
        for (unsigned k = 0; k < ndefs; k++)
            if (defs[k].group < 32 && m[defs[k].group].rm_so >= 0)
                set_var(&c, defs[k].name, strlen(defs[k].name), text + m[defs[k].group].rm_so,
                        (size_t)(m[defs[k].group].rm_eo - m[defs[k].group].rm_so), false);
        regfree(&re);
        if (kind == 3) {
            if ((size_t)m[0].rm_eo > max_match)
                max_match = (size_t)m[0].rm_eo;
            continue;
        }
        for (uint32_t k = 0; ok && k < nots.n; k++) {
            regmatch_t nm[1];
            if (nots.v[k].from <= (size_t)m[0].rm_so && search(&nots.v[k].re, text, nots.v[k].from,
                                                                (size_t)m[0].rm_so, nm, 1)) {
                snprintf(why, wn, "not: %s matched", nots.v[k].pat);
                ok = false;
            }
        }
        for (uint32_t k = 0; k < nots.n; k++)
            regfree(&nots.v[k].re), free(nots.v[k].pat);
        nots.n = 0;
        last_ordered = max_match = (size_t)m[0].rm_eo;
    }
    for (uint32_t k = 0; k < nots.n; k++) {
        regmatch_t nm[1];
        if (ok && search(&nots.v[k].re, text, nots.v[k].from, len, nm, 1)) {
            snprintf(why, wn, "not: %s matched", nots.v[k].pat);
            ok = false;
        }
        regfree(&nots.v[k].re);
        free(nots.v[k].pat);
    }
    ir_vec_free(&nots);
    for (uint32_t i = 0; i < c.vars.n; i++)
        free(c.vars.v[i].text);
    ir_vec_free(&c.vars);
    return ok;
}
