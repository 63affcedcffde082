/* VCode listings after register allocation (`clifrun compile --vcode`):
 * the walk over blocks, the allocator's moves and instructions is the same
 * on every target; a back end gives only data: each opcode's mnemonic and
 * operand layout (its x64inst.def, a64inst.def), name tables and memory operand formats
 * (cg_isa.insts, names, amodes; the notation is in cg.h). */
#include "cg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void put(cg_text *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    ir_vec_reserve(o, (uint32_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(o->v + o->n, (size_t)n + 1, fmt, ap);
    va_end(ap);
    o->n += (uint32_t)n;
}

/* An allocation: a register's name, or spill slot n. */
static void put_alloc(const cg_ctx *c, cg_text *o, uint32_t a)
{
    if (cg_alloc_is_slot(a))
        put(o, "spill%u", cg_alloc_slot(a));
    else
        put(o, "%s", cg_reg_name(c->isa, a));
}

static void put_label(const cg_ctx *c, cg_text *o, uint32_t l)
{
    if (l < c->fn->blocks.n)
        put(o, "block%u", l);
    else
        put(o, "L%u", l);
}

static const cg_names *table(const cg_isa *isa, const char *name, size_t len)
{
    for (const cg_names *t = isa->names; t && t->name; t++)
        if (strlen(t->name) == len && !memcmp(t->name, name, len))
            return t;
    return NULL;
}

/* The name of value x in table t (NULL if the table has none for it);
 * buf holds a lower-case copy. */
static const char *name_of(const cg_names *t, uint64_t x, char buf[32])
{
    const char *n = NULL;
    if (t && t->keys) {
        for (unsigned i = 0; i < t->n && !n; i++)
            n = (x & t->mask) == t->keys[i] ? t->v[i] : NULL;
    } else if (t && x < t->n) {
        n = t->v[x];
    }
    if (!n || !t->lower)
        return n;
    size_t i = 0;
    for (; n[i] && i < 31; i++)
        buf[i] = (char)(n[i] >= 'A' && n[i] <= 'Z' ? n[i] - 'A' + 'a' : n[i]);
    buf[i] = 0;
    return buf;
}

/* Is w a whole word of the layout? */
static bool has_word(const char *layout, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = strstr(layout, w); p; p = strstr(p + 1, w))
        if ((p == layout || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
            return true;
    return false;
}

static int64_t field(const cg_inst *in, const char *f, size_t len)
{
#define F(s) (len == sizeof s - 1 && !memcmp(f, s, len))
    return F("cc") ? in->cc : F("aux") ? in->aux : F("imm") ? in->imm : F("disp") ? in->disp
         : F("scale") ? in->scale : F("size") ? in->size : F("amode") ? in->amode : 0;
#undef F
}

/* A field shown as kind k: a label, symbol, constant, stack slot, trap
 * code, jump table, hex or a name of one of the target's tables. */
static void put_field(const cg_ctx *c, cg_text *o, const cg_inst *in, int64_t x, const char *k, size_t kl)
{
#define K(s) (kl == sizeof s - 1 && !memcmp(k, s, kl))
    char buf[16];
    if (K("label")) {
        put_label(c, o, (uint32_t)x);
    } else if (K("sym")) {
        put(o, "%%%s", (uint64_t)x < c->f.syms.n ? c->f.syms.v[x] : "?");
    } else if (K("const")) {
        put(o, "const%u", (uint32_t)x);
    } else if (K("slot")) {
        put(o, "ss%u", (uint32_t)x);
    } else if (K("trap")) {
        put(o, "%s", x ? cg_trap_name((uint32_t)x, buf) : "notrap");
    } else if (K("storei")) {       /* the immediate << 32 | trap */
        put(o, "#%d, ", (int32_t)(x >> 32));
        put_field(c, o, in, x & 0xffffffff, "trap", 4);
    } else if (K("jt")) {           /* f->vlist of imm labels, the default first */
        put(o, "[");
        for (int64_t i = 0; i < in->imm && (uint64_t)(x + i) < c->f.vlist.n; i++) {
            put(o, i ? ", " : "");
            put_label(c, o, c->f.vlist.v[x + i]);
        }
        put(o, "]");
    } else if (K("shift")) {
        put(o, "#%lld", (long long)x);
    } else if (K("hex")) {
        put(o, "0x%llx", (unsigned long long)x);
    } else {
        char lb[32];
        const char *n = name_of(table(c->isa, k, kl), (uint64_t)x, lb);
        n ? put(o, "%s", n) : put(o, "%lld", (long long)x);
    }
#undef K
}

/* The memory operand from allocs a (as many as its format names). */
static unsigned put_mem(const cg_ctx *c, cg_text *o, const cg_inst *in, const uint32_t *a, unsigned na)
{
    const char *f = in->amode < c->isa->namodes ? c->isa->amodes[in->amode] : NULL;
    unsigned used = 0;
    if (!f) {
        put(o, "mem%u", in->amode);
        return 0;
    }
    for (; *f; f++) {
        if (*f != '%' || !f[1]) {
            put(o, "%c", *f);
            continue;
        }
        switch (*++f) {
        case 'b': case 'i':
            if (used < na)
                put_alloc(c, o, a[used++]);
            break;
        case 's': put(o, "%u", 1u << in->scale); break;
        case 'S': put(o, "%u", in->scale); break;
        case 'd': in->disp ? put(o, "%+d", in->disp) : (void)0; break;
        case 'a': put(o, "%u", in->aux); break;
        case 'x': put(o, "%s", in->aux == 1 ? ", uxtw" : in->aux == 2 ? ", sxtw" : ""); break;
        default: put(o, "%%%c", *f); break;
        }
    }
    return used;
}

/* Registers of the memory operand: as many as its format names. */
static unsigned mem_regs(const cg_isa *isa, const cg_inst *in)
{
    const char *f = in->amode < isa->namodes ? isa->amodes[in->amode] : NULL;
    unsigned n = 0;
    for (; f && *f; f++)
        if (f[0] == '%' && (f[1] == 'b' || f[1] == 'i'))
            n++;
    return n;
}

/* Do the instruction's operands follow its layout: each d a def, u a use,
 * t an early def (x? : may be absent), m the memory operand's registers,
 * * anything from there on? */
static bool layout_ok(const cg_ctx *c, const cg_inst *in, const char *lay)
{
    const cg_operand *op = c->f.opnds.v + in->opnd;
    unsigned k = 0, n = in->nopnd;
    const char *q = strchr(lay, '[');
    if (!q)
        return n == 0;
    for (q++; *q && *q != ']'; q++) {
        bool opt = q[1] == '?';
        if (*q == '*')
            return true;
        if (*q == 'm') {
            k += mem_regs(c->isa, in);
        } else if (*q == 'd' || *q == 'u' || *q == 't') {
            unsigned want = *q == 'd' ? CG_DEF : *q == 'u' ? CG_USE : CG_EARLY_DEF;
            if (k < n && op[k].kind == want)
                k++;
            else if (!opt)
                return false;
        }
        q += opt;
    }
    return k == n;
}

static void put_name(const cg_ctx *c, cg_text *o, const cg_inst *in, const cg_inst_info *r)
{
    const char *lay = r->layout;
    for (const char *p = r->name; *p; p++) {
        const char *f = p[0] != '%' ? NULL : p[1] == 'c' ? "cc" : p[1] == 'a' ? "aux" : p[1] == 'i' ? "imm" : NULL;
        if (!f) {
            put(o, "%c", *p);
            continue;
        }
        p++;
        /* the table: the layout's word f:T */
        const char *w = strstr(lay, f[0] == 'c' ? "cc:" : f[0] == 'a' ? "aux:" : "imm:");
        size_t tl = w ? strcspn(w + strlen(f) + 1, " ") : 0;
        char lb[32];
        const char *n = w ? name_of(table(c->isa, w + strlen(f) + 1, tl), (uint64_t)field(in, f, strlen(f)), lb)
                          : NULL;
        n ? put(o, "%s", n) : put(o, "%s%lld", f, (long long)field(in, f, strlen(f)));
    }
    const char *sz = strstr(lay, "size:");
    if (sz && (sz == lay || sz[-1] == ' ')) {     /* size as a name: an arrangement */
        char lb[32];
        const char *n = name_of(table(c->isa, sz + 5, strcspn(sz + 5, " ")), in->size, lb);
        n ? put(o, ".%s", n) : put(o, ".%u", in->size);
    } else if (has_word(lay, "size") && in->size) {
        put(o, ".%u", in->size * 8u);
    }
}

static void put_inst(const cg_ctx *c, cg_text *o, const cg_inst *in)
{
    const cg_isa *isa = c->isa;
    if (in->op >= isa->ninsts || !isa->insts[in->op].name) {
        put(o, "op%u", in->op);
        return;
    }
    const cg_inst_info *r = &isa->insts[in->op];
    put_name(c, o, in, r);
    const uint32_t *a = c->f.allocs.v + in->opnd;
    unsigned k = 0, n = in->nopnd;
    bool first = true;
#define SEP() (put(o, first ? " " : ", "), first = false)
    for (const char *p = r->layout; *p;) {
        size_t wl = *p == '[' ? strcspn(p, "]") + (strchr(p, ']') != NULL) : strcspn(p, " ");
        if (*p == '[') {
            for (const char *q = p + 1; q < p + wl && *q != ']'; q++) {
                if (*q == 'm') {
                    SEP();
                    k += put_mem(c, o, in, a + k, n - k);
                } else if (*q == '*') {
                    for (; k < n; k++)
                        SEP(), put_alloc(c, o, a[k]);
                } else if (*q != ' ' && *q != '?' && k < n) {
                    SEP(), put_alloc(c, o, a[k++]);
                }
            }
            for (; k < n; k++)      /* more operands than the layout says: all the same */
                SEP(), put_alloc(c, o, a[k]);
        } else if (strncmp(p, "size", 4) || (wl != 4 && p[4] != ':')) {
            const char *sep = memchr(p, ':', wl), *eq = memchr(p, '=', wl);
            size_t fl = sep ? (size_t)(sep - p) : eq ? (size_t)(eq - p) : wl;
            int64_t x = field(in, p, fl);
            const char *tn = sep ? sep + 1 : NULL;
            size_t tl = sep ? wl - fl - 1 : 0;
            const cg_names *t = sep ? table(isa, tn, tl) : NULL;
            char lb[32];
            const char *nm = name_of(t, (uint64_t)x, lb);
            bool in_name = sep && ((fl == 2 && !memcmp(p, "cc", 2) && strstr(r->name, "%c")) ||
                                   (fl == 3 && !memcmp(p, "aux", 3) && strstr(r->name, "%a")) ||
                                   (fl == 3 && !memcmp(p, "imm", 3) && strstr(r->name, "%i")));
            bool silent = !x && (eq || (sep && ((tl == 4 && !memcmp(tn, "trap", 4)) ||
                                                (tl == 5 && !memcmp(tn, "shift", 5)))));
            if (in_name || (nm && !*nm) || silent) {
                /* in the mnemonic already, or a value that says nothing */
            } else if (eq) {
                SEP(), put(o, "%.*s=%lld", (int)(wl - fl - 1), eq + 1, (long long)x);
            } else if (sep) {
                SEP(), put_field(c, o, in, x, tn, tl);
            } else {
                SEP(), put(o, "#%lld", (long long)x);
            }
        }
        p += wl;
        while (*p == ' ')
            p++;
    }
#undef SEP
    /* a table that no longer says what lowering emits: tests/vcode_test.c looks for this */
    if (!layout_ok(c, in, r->layout))
        put(o, "  ; operands differ from the layout %s", r->layout);
}

void cg_vcode_print(const cg_ctx *c, cg_text *o)
{
    const cg_func *f = &c->f;
    uint32_t ei = 0;
    for (uint32_t b = 0; b < f->blocks.n; b++) {
        const cg_block *bl = &f->blocks.v[b];
        put_label(c, o, bl->label);
        put(o, ":\n");
        for (uint32_t i = bl->first; i < bl->end; i++) {
            for (int after = 0; after < 2; after++) {
                if (after) {
                    put(o, "    ");
                    put_inst(c, o, &f->insts.v[i]);
                    put(o, "\n");
                }
                for (; ei < f->edits.n && f->edits.v[ei].pos <= 2 * i + (uint32_t)after; ei++) {
                    put(o, "    move ");
                    put_alloc(c, o, f->edits.v[ei].to);
                    put(o, ", ");
                    put_alloc(c, o, f->edits.v[ei].from);
                    put(o, "\n");
                }
            }
        }
    }
    if (!o->n)
        put(o, "%s", "");
    ir_vec_reserve(o, 1);
    o->v[o->n] = 0;
}
