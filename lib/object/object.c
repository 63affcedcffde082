/* lib/object/object.c: the ELF64 relocatable object writer (object.h has
 * the layout), and a whole file compiled into one. */
#include "object.h"
#include "opt/opt.h"

#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct osym {
    const char *name;       /* o->names */
    uint64_t value, size;
    bool defined, local;
    uint32_t line;
    uint32_t out;           /* index in .symtab */
} osym;

typedef struct orel {
    uint64_t offset;        /* in .text */
    uint32_t type, sym;     /* ELF type, index in o->syms */
    int64_t addend;
} orel;

typedef struct otrap {
    uint64_t offset;
    uint32_t code;
} otrap;

struct obj_file {
    jit_arch arch;
    char *source;
    IR_VEC(uint8_t) text;
    IR_VEC(osym) syms;
    IR_VEC(orel) relocs;
    IR_VEC(otrap) traps;
    uint32_t *hash, hcap;   /* open addressing: index+1 into syms, 0 empty */
    uint64_t align;
    ir_arena names;
};

static bool fail(jit_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err->line = err->col = 0;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return false;
}

obj_file *obj_new(jit_arch arch, const char *source)
{
    obj_file *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->arch = arch == JIT_ARCH_HOST ? jit_host_arch() : arch;
    o->align = 16;
    if (source && !(o->source = strdup(source))) {
        free(o);
        return NULL;
    }
    return o;
}

void obj_free(obj_file *o)
{
    if (!o)
        return;
    free(o->source);
    ir_vec_free(&o->text);
    ir_vec_free(&o->syms);
    ir_vec_free(&o->relocs);
    ir_vec_free(&o->traps);
    free(o->hash);
    ir_arena_free(&o->names);
    free(o);
}

/* ---- symbols ------------------------------------------------------------------ */

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static bool rehash(obj_file *o)
{
    uint32_t cap = o->hcap ? o->hcap * 2 : 64;
    uint32_t *h = calloc(cap, sizeof *h);
    if (!h)
        return false;
    for (uint32_t i = 0; i < o->syms.n; i++) {
        uint32_t k = hash_str(o->syms.v[i].name) & (cap - 1);
        while (h[k])
            k = (k + 1) & (cap - 1);
        h[k] = i + 1;
    }
    free(o->hash);
    o->hash = h, o->hcap = cap;
    return true;
}

/* The index of name in o->syms, added (undefined) if new; UINT32_MAX if
 * out of memory. */
static uint32_t intern(obj_file *o, const char *name)
{
    if ((o->syms.n + 1) * 2 > o->hcap && !rehash(o))
        return UINT32_MAX;
    uint32_t k = hash_str(name) & (o->hcap - 1);
    for (; o->hash[k]; k = (k + 1) & (o->hcap - 1))
        if (!strcmp(o->syms.v[o->hash[k] - 1].name, name))
            return o->hash[k] - 1;
    const char *copy = ir_arena_strndup(&o->names, name, strlen(name));
    if (!copy)
        return UINT32_MAX;
    ir_vec_push(&o->syms, ((osym){.name = copy}));
    o->hash[k] = o->syms.n;
    return o->syms.n - 1;
}

const char *obj_undefined(const obj_file *o, uint32_t i)
{
    for (uint32_t k = 0; k < o->syms.n; k++)
        if (!o->syms.v[k].defined && i-- == 0)
            return o->syms.v[k].name;
    return NULL;
}

bool obj_is_runtime_symbol(const char *name)
{
    static const char *const names[] = {
        "__cranelift_fixsfti_sat", "__cranelift_fixdfti_sat", "__cranelift_fixunssfti_sat",
        "__cranelift_fixunsdfti_sat", "__cranelift_probestack",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(name, names[i]))
            return true;
    return false;
}

/* ---- relocations ---------------------------------------------------------------- */

uint32_t obj_elf_reloc_type(jit_arch arch, jit_reloc_kind k, const uint8_t *code, uint32_t off,
                            int64_t addend)
{
    static const struct { jit_arch arch; uint32_t elf; } types[] = {
#define X(name, arch, cls, elf) {arch, elf},
        JIT_RELOCS(X)
#undef X
    };
    const jit_arch_info *ai = arch == JIT_ARCH_HOST ? NULL : jit_arch_get(arch);
    if (!ai || (unsigned)k >= JIT_R_COUNT)
        return 0;
    if (k == JIT_R_ABS8)
        return ai->elf_abs64;
    if (types[k].arch != arch)
        return 0;
    /* mov r64, [rip+disp32] (REX.W 8B, ModRM 00 reg 101) may be relaxed by
     * the linker to lea when the symbol is local */
    if (k == JIT_R_X86_GOTPCREL4 && addend == -4 && off >= 3 && code[off - 2] == 0x8b &&
        (code[off - 1] & 0xc7) == 0x05 && (code[off - 3] & 0xf8) == 0x48)
        return R_X86_64_REX_GOTPCRELX;
    return types[k].elf;
}

/* ---- functions -------------------------------------------------------------------- */

bool obj_add_func(obj_file *o, const jit_func *f, jit_error *err)
{
    const char *name = f->name ? f->name : "";
    uint64_t align = f->align ? f->align : 16;
    if (!*name)
        return fail(err, "a function without a name cannot be a symbol");
    if (align & (align - 1))
        return fail(err, "function %s: alignment %llu is not a power of two", name,
                     (unsigned long long)align);
    for (size_t i = 0; i < f->nrelocs; i++) {
        const jit_reloc *r = &f->relocs[i];
        uint32_t field = r->kind == JIT_R_ABS8 ? 8 : 4;
        if (!r->sym || !*r->sym || r->offset > f->size || f->size - r->offset < field) {
            fail(err, "function %s: bad relocation record at offset %u", name, r->offset);
            err->line = r->line, err->col = r->col;
            return false;
        }
        if (!obj_elf_reloc_type(o->arch, (jit_reloc_kind)r->kind, f->code, r->offset, r->addend)) {
            fail(err, "function %s: relocation %s has no ELF form on %s", name,
                 jit_reloc_name((jit_reloc_kind)r->kind), jit_arch_name(o->arch));
            err->line = r->line, err->col = r->col;
            return false;
        }
    }
    for (size_t i = 0; i < f->ntraps; i++)
        if (f->traps[i].offset >= f->size)
            return fail(err, "function %s: trap record beyond its code", name);
    uint32_t s = intern(o, name);
    if (s == UINT32_MAX)
        return fail(err, "out of memory");
    if (o->syms.v[s].defined)
        return fail(err, "duplicate definition of %s (lines %u and %u)", name, o->syms.v[s].line,
                    f->line);
    /* padding: int3 on x86-64, udf #0 on AArch64 (4-byte words) */
    uint8_t pad = jit_arch_get(o->arch) ? jit_arch_get(o->arch)->pad : 0;
    while (o->text.n & (align - 1))
        ir_vec_push(&o->text, pad);
    uint64_t base = o->text.n;
    if (f->size > UINT32_MAX - base)
        return fail(err, "the text section would exceed 4 GiB");
    ir_vec_reserve(&o->text, (uint32_t)f->size);
    if (f->size)
        memcpy(o->text.v + base, f->code, f->size);
    o->text.n += (uint32_t)f->size;
    if (align > o->align)
        o->align = align;
    osym *sy = &o->syms.v[s];
    sy->value = base, sy->size = f->size, sy->defined = true, sy->local = f->local;
    sy->line = f->line;
    for (size_t i = 0; i < f->nrelocs; i++) {
        const jit_reloc *r = &f->relocs[i];
        uint32_t t = obj_elf_reloc_type(o->arch, (jit_reloc_kind)r->kind, f->code, r->offset, r->addend);
        uint32_t rs = intern(o, r->sym);
        if (rs == UINT32_MAX)
            return fail(err, "out of memory");
        ir_vec_push(&o->relocs, ((orel){base + r->offset, t, rs, r->addend}));
    }
    for (size_t i = 0; i < f->ntraps; i++)
        ir_vec_push(&o->traps, ((otrap){base + f->traps[i].offset, f->traps[i].code}));
    return true;
}

/* ---- the image ----------------------------------------------------------------------- */

typedef IR_VEC(uint8_t) bytes;

static void put(bytes *b, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        ir_vec_push(b, (uint8_t)(v >> 8 * i));
}

static uint32_t add_str(bytes *b, const char *s)
{
    uint32_t at = b->n;
    size_t len = strlen(s) + 1;
    ir_vec_reserve(b, (uint32_t)len);
    memcpy(b->v + b->n, s, len);
    b->n += (uint32_t)len;
    return at;
}

static void put_sym(bytes *b, uint32_t name, unsigned bind, unsigned type, uint16_t shndx, uint64_t value,
                    uint64_t size)
{
    put(b, name, 4);
    put(b, ELF64_ST_INFO(bind, type), 1);
    put(b, STV_DEFAULT, 1);
    put(b, shndx, 2);
    put(b, value, 8);
    put(b, size, 8);
}

static void put_rela(bytes *b, uint64_t off, uint32_t sym, uint32_t type, int64_t addend)
{
    put(b, off, 8);
    put(b, ELF64_R_INFO((uint64_t)sym, type), 8);
    put(b, (uint64_t)addend, 8);
}

typedef struct section {
    const char *name;
    uint32_t type, link, info;
    uint64_t flags, align, entsize;
    const uint8_t *p;
    uint64_t n, off;
} section;

static int trap_cmp(const void *a, const void *b)
{
    uint64_t x = ((const otrap *)a)->offset, y = ((const otrap *)b)->offset;
    return x < y ? -1 : x > y;
}

enum { SEC_TEXT = 1, SEC_RELA_TEXT, SEC_TRAPS, SEC_RELA_TRAPS, SEC_STACK, SEC_SYMTAB, SEC_STRTAB,
       SEC_SHSTRTAB, SEC_COUNT };

bool obj_emit(obj_file *o, uint8_t **out, size_t *size, jit_error *err)
{
    const jit_arch_info *ai = jit_arch_get(o->arch);
    if (!ai)
        return fail(err, "no object format for target %s", jit_arch_name(o->arch));
    bytes symtab = {0}, strtab = {0}, rtext = {0}, traps = {0}, rtraps = {0}, shstr = {0}, img = {0};
    bool has_traps = o->traps.n > 0;

    /* symbols: null, file, .text, locals; then globals (defined, undefined) */
    add_str(&strtab, "");
    put_sym(&symtab, 0, 0, 0, 0, 0, 0);
    uint32_t nsym = 1;
    if (o->source) {
        const char *base = strrchr(o->source, '/');
        put_sym(&symtab, add_str(&strtab, base ? base + 1 : o->source), STB_LOCAL, STT_FILE, SHN_ABS, 0, 0);
        nsym++;
    }
    uint32_t text_sym = nsym++;
    put_sym(&symtab, 0, STB_LOCAL, STT_SECTION, SEC_TEXT, 0, 0);
    for (int pass = 0; pass < 3; pass++)
        for (uint32_t i = 0; i < o->syms.n; i++) {
            osym *s = &o->syms.v[i];
            if (pass != (!s->defined ? 2 : s->local ? 0 : 1))
                continue;
            s->out = nsym++;
            uint32_t name = add_str(&strtab, s->name);
            if (s->defined)
                put_sym(&symtab, name, pass ? STB_GLOBAL : STB_LOCAL, STT_FUNC, SEC_TEXT, s->value, s->size);
            else
                put_sym(&symtab, name, STB_GLOBAL, STT_NOTYPE, SHN_UNDEF, 0, 0);
        }
    uint32_t first_global = text_sym + 1;
    for (uint32_t i = 0; i < o->syms.n; i++)
        first_global += o->syms.v[i].defined && o->syms.v[i].local;

    for (uint32_t i = 0; i < o->relocs.n; i++) {
        const orel *r = &o->relocs.v[i];
        put_rela(&rtext, r->offset, o->syms.v[r->sym].out, r->type, r->addend);
    }
    if (o->traps.n)
        qsort(o->traps.v, o->traps.n, sizeof *o->traps.v, trap_cmp);
    for (uint32_t i = 0; i < o->traps.n; i++) {
        put(&traps, o->traps.v[i].offset, 8);   /* also the value a REL reader would see */
        put(&traps, o->traps.v[i].code, 4);
        put(&traps, 0, 4);
        put_rela(&rtraps, 16 * (uint64_t)i, text_sym, ai->elf_abs64,
                 (int64_t)o->traps.v[i].offset);
    }

    section sec[SEC_COUNT] = {
        [SEC_TEXT] = {".text", SHT_PROGBITS, 0, 0, SHF_ALLOC | SHF_EXECINSTR, o->align, 0, o->text.v, o->text.n},
        [SEC_RELA_TEXT] = {".rela.text", SHT_RELA, SEC_SYMTAB, SEC_TEXT, SHF_INFO_LINK, 8, 24, rtext.v, rtext.n},
        [SEC_TRAPS] = {".clifrun_traps", SHT_PROGBITS, 0, 0, 0, 8, 16, traps.v, traps.n},
        [SEC_RELA_TRAPS] = {".rela.clifrun_traps", SHT_RELA, SEC_SYMTAB, SEC_TRAPS, SHF_INFO_LINK, 8, 24, rtraps.v, rtraps.n},
        [SEC_STACK] = {".note.GNU-stack", SHT_PROGBITS, 0, 0, 0, 1, 0, NULL, 0},
        [SEC_SYMTAB] = {".symtab", SHT_SYMTAB, SEC_STRTAB, first_global, 0, 8, 24, symtab.v, symtab.n},
        [SEC_STRTAB] = {".strtab", SHT_STRTAB, 0, 0, 0, 1, 0, strtab.v, strtab.n},
        [SEC_SHSTRTAB] = {".shstrtab", SHT_STRTAB, 0, 0, 0, 1, 0, shstr.v, shstr.n},
    };
    /* without traps the two trap sections are left out: renumber */
    uint32_t idx[SEC_COUNT], n = 1;
    for (int i = 1; i < SEC_COUNT; i++)
        idx[i] = (!has_traps && (i == SEC_TRAPS || i == SEC_RELA_TRAPS)) ? 0 : n++;
    sec[SEC_RELA_TEXT].link = sec[SEC_RELA_TRAPS].link = idx[SEC_SYMTAB];
    sec[SEC_RELA_TRAPS].info = idx[SEC_TRAPS];
    sec[SEC_SYMTAB].link = idx[SEC_STRTAB];
    uint32_t names[SEC_COUNT] = {0};
    add_str(&shstr, "");
    for (int i = 1; i < SEC_COUNT; i++)
        if (idx[i])
            names[i] = add_str(&shstr, sec[i].name);
    sec[SEC_SHSTRTAB].p = shstr.v, sec[SEC_SHSTRTAB].n = shstr.n;

    /* layout: header, section contents, section headers */
    uint64_t off = 64;
    for (int i = 1; i < SEC_COUNT; i++) {
        if (!idx[i])
            continue;
        off = (off + sec[i].align - 1) & ~(sec[i].align - 1);
        sec[i].off = off;
        off += sec[i].n;
    }
    uint64_t shoff = (off + 7) & ~(uint64_t)7;
    uint64_t total = shoff + 64 * (uint64_t)n;
    bool ok = total <= UINT32_MAX;
    if (!ok) {
        fail(err, "the object would exceed 4 GiB");
        goto done;
    }
    ir_vec_reserve(&img, (uint32_t)total);
    memset(img.v, 0, total);
    static const uint8_t ident[] = {ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT,
                                    ELFOSABI_SYSV};
    memcpy(img.v, ident, sizeof ident);
    img.n = EI_NIDENT;
    put(&img, ET_REL, 2);
    put(&img, ai->elf_machine, 2);
    put(&img, EV_CURRENT, 4);
    put(&img, 0, 8);            /* entry */
    put(&img, 0, 8);            /* phoff */
    put(&img, shoff, 8);
    put(&img, 0, 4);            /* flags */
    put(&img, 64, 2);           /* ehsize */
    put(&img, 0, 2);            /* phentsize, phnum */
    put(&img, 0, 2);
    put(&img, 64, 2);           /* shentsize */
    put(&img, n, 2);
    put(&img, idx[SEC_SHSTRTAB], 2);
    for (int i = 1; i < SEC_COUNT; i++)
        if (idx[i] && sec[i].n)
            memcpy(img.v + sec[i].off, sec[i].p, sec[i].n);
    img.n = (uint32_t)shoff + 64;   /* section 0 is all zeros */
    for (int i = 1; i < SEC_COUNT; i++) {
        if (!idx[i])
            continue;
        put(&img, names[i], 4);
        put(&img, sec[i].type, 4);
        put(&img, sec[i].flags, 8);
        put(&img, 0, 8);        /* addr */
        put(&img, sec[i].off, 8);
        put(&img, sec[i].n, 8);
        put(&img, sec[i].link, 4);
        put(&img, sec[i].info, 4);
        put(&img, sec[i].align, 8);
        put(&img, sec[i].entsize, 8);
    }
    *out = img.v, *size = img.n;
    img.v = NULL;
done:
    ir_vec_free(&symtab);
    ir_vec_free(&strtab);
    ir_vec_free(&rtext);
    ir_vec_free(&traps);
    ir_vec_free(&rtraps);
    ir_vec_free(&shstr);
    ir_vec_free(&img);
    return ok;
}

bool obj_write(obj_file *o, const char *path, jit_error *err)
{
    uint8_t *img;
    size_t size;
    if (!obj_emit(o, &img, &size, err))
        return false;
    FILE *f = fopen(path, "wb");
    if (!f) {
        fail(err, "cannot write %s: %s", path, strerror(errno));
        free(img);
        return false;
    }
    bool ok = fwrite(img, 1, size, f) == size;
    int e = errno;
    ok &= fclose(f) == 0;
    if (!ok) {
        fail(err, "cannot write %s: %s", path, strerror(ok ? errno : e));
        unlink(path);
    }
    free(img);
    return ok;
}

/* ---- a file ------------------------------------------------------------------------------ */

bool obj_compile_file(const cg_target *t, const ir_file *file, const char *path, FILE *warn,
                      ir_diag *d)
{
    d->file = file->path;
    d->src = file->src;
    d->len = file->len;
    obj_file *o = obj_new(t->arch, file->path);
    if (!o) {
        ir_diag_set(d, 0, 0, "out of memory");
        return false;
    }
    jit_error err;
    bool ok = true;
    for (uint32_t i = 0; ok && i < file->funcs.n; i++) {
        const ir_function *fn = file->funcs.v[i];
        cg_output out;
        if (!opt_compile(t, file, i, &out, d)) {
            ok = false;
            break;
        }
        char name[128];
        jit_func jf = {.name = cg_symbol_name(fn, name, sizeof name), .code = out.code.v,
                       .size = out.code.n, .align = out.align, .relocs = out.relocs.v,
                       .nrelocs = out.relocs.n, .traps = out.traps.v, .ntraps = out.traps.n,
                       .line = fn->line};
        if (!obj_add_func(o, &jf, &err)) {
            ir_diag_set(d, err.line ? err.line : fn->line, err.line ? err.col : fn->col, "%s", err.msg);
            ok = false;
        }
        cg_output_free(&out);
    }
    if (ok && !obj_write(o, path, &err)) {
        ir_diag_set(d, 0, 0, "%s", err.msg);
        ok = false;
    }
    for (uint32_t i = 0; ok && warn && i < o->syms.n; i++) {
        const osym *s = &o->syms.v[i];
        if (!s->defined && obj_is_runtime_symbol(s->name))
            fprintf(warn, "%s: warning: the object calls %s, which only clifrun's JIT defines: "
                    "the program must (README: Objects)\n", file->path ? file->path : "-", s->name);
    }
    obj_free(o);
    return ok;
}
