/* Unit test of lib/object (object.h), for what the object suite
 * (tools/objtest.py) cannot reach through .clif files: the ELF type of every
 * JIT relocation kind (most are not emitted by the back ends yet), the
 * GOTPCREL forms, bad records, and an object of hand-made functions read
 * back field by field.
 *
 *   make object-test
 *
 * Prints the failures and "N passed, N failed"; exit 1 on any failure. */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "object/object.h"

static int passed, failed;
#define CHECK(c, ...)                                                       \
    do {                                                                    \
        if (c) {                                                            \
            passed++;                                                       \
        } else {                                                            \
            failed++;                                                       \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                     \
            printf(__VA_ARGS__);                                            \
            printf("\n");                                                   \
        }                                                                   \
    } while (0)

static void test_types(void)
{
    static const struct { jit_reloc_kind k; jit_arch a; uint32_t elf; } t[] = {
        {JIT_R_ABS8, JIT_ARCH_X86_64, R_X86_64_64},
        {JIT_R_X86_CALL_PCREL4, JIT_ARCH_X86_64, R_X86_64_PLT32},
        {JIT_R_X86_PCREL4, JIT_ARCH_X86_64, R_X86_64_PC32},
        {JIT_R_ABS8, JIT_ARCH_AARCH64, R_AARCH64_ABS64},
        {JIT_R_A64_CALL26, JIT_ARCH_AARCH64, R_AARCH64_CALL26},
        {JIT_R_A64_JUMP26, JIT_ARCH_AARCH64, R_AARCH64_JUMP26},
        {JIT_R_A64_ADR_PREL_PG_HI21, JIT_ARCH_AARCH64, R_AARCH64_ADR_PREL_PG_HI21},
        {JIT_R_A64_ADD_ABS_LO12_NC, JIT_ARCH_AARCH64, R_AARCH64_ADD_ABS_LO12_NC},
        {JIT_R_A64_LDST8_ABS_LO12_NC, JIT_ARCH_AARCH64, R_AARCH64_LDST8_ABS_LO12_NC},
        {JIT_R_A64_LDST16_ABS_LO12_NC, JIT_ARCH_AARCH64, R_AARCH64_LDST16_ABS_LO12_NC},
        {JIT_R_A64_LDST32_ABS_LO12_NC, JIT_ARCH_AARCH64, R_AARCH64_LDST32_ABS_LO12_NC},
        {JIT_R_A64_LDST64_ABS_LO12_NC, JIT_ARCH_AARCH64, R_AARCH64_LDST64_ABS_LO12_NC},
        {JIT_R_A64_LDST128_ABS_LO12_NC, JIT_ARCH_AARCH64, R_AARCH64_LDST128_ABS_LO12_NC},
        {JIT_R_A64_ADR_GOT_PAGE, JIT_ARCH_AARCH64, R_AARCH64_ADR_GOT_PAGE},
        {JIT_R_A64_LD64_GOT_LO12_NC, JIT_ARCH_AARCH64, R_AARCH64_LD64_GOT_LO12_NC},
        {JIT_R_A64_MOVW_UABS_G0, JIT_ARCH_AARCH64, R_AARCH64_MOVW_UABS_G0},
        {JIT_R_A64_MOVW_UABS_G0_NC, JIT_ARCH_AARCH64, R_AARCH64_MOVW_UABS_G0_NC},
        {JIT_R_A64_MOVW_UABS_G1, JIT_ARCH_AARCH64, R_AARCH64_MOVW_UABS_G1},
        {JIT_R_A64_MOVW_UABS_G1_NC, JIT_ARCH_AARCH64, R_AARCH64_MOVW_UABS_G1_NC},
        {JIT_R_A64_MOVW_UABS_G2, JIT_ARCH_AARCH64, R_AARCH64_MOVW_UABS_G2},
        {JIT_R_A64_MOVW_UABS_G2_NC, JIT_ARCH_AARCH64, R_AARCH64_MOVW_UABS_G2_NC},
        {JIT_R_A64_MOVW_UABS_G3, JIT_ARCH_AARCH64, R_AARCH64_MOVW_UABS_G3},
    };
    static const uint8_t zero[8];
    bool seen[JIT_R_COUNT] = {0};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        uint32_t got = obj_elf_reloc_type(t[i].a, t[i].k, zero, 0, 0);
        CHECK(got == t[i].elf, "%s on %s: ELF type %u, want %u", jit_reloc_name(t[i].k),
              jit_arch_name(t[i].a), got, t[i].elf);
        if (t[i].k != JIT_R_ABS8) {
            jit_arch other = t[i].a == JIT_ARCH_X86_64 ? JIT_ARCH_AARCH64 : JIT_ARCH_X86_64;
            CHECK(obj_elf_reloc_type(other, t[i].k, zero, 0, 0) == 0, "%s has a type on %s",
                  jit_reloc_name(t[i].k), jit_arch_name(other));
        }
        seen[t[i].k] = true;
    }
    seen[JIT_R_X86_GOTPCREL4] = true;   /* below */
    for (int k = 0; k < JIT_R_COUNT; k++)
        CHECK(seen[k], "relocation kind %s not covered", jit_reloc_name((jit_reloc_kind)k));

    /* GOT loads: mov r64, [rip+x] may be relaxed, anything else may not */
    static const struct { uint8_t code[8]; uint32_t off; int64_t addend; uint32_t want; } g[] = {
        {{0x48, 0x8b, 0x05}, 3, -4, R_X86_64_REX_GOTPCRELX},    /* mov rax, [rip+x] */
        {{0x4c, 0x8b, 0x1d}, 3, -4, R_X86_64_REX_GOTPCRELX},    /* mov r11, [rip+x] */
        {{0x90, 0x8b, 0x05}, 3, -4, R_X86_64_GOTPCREL},         /* 32-bit mov */
        {{0x48, 0x8b, 0x05}, 3, -8, R_X86_64_GOTPCREL},         /* an immediate follows */
        {{0x48, 0x8b, 0x44}, 3, -4, R_X86_64_GOTPCREL},         /* not rip-relative */
        {{0x90, 0xff, 0x15}, 3, -4, R_X86_64_GOTPCREL},         /* call [rip+x] */
        {{0x8b, 0x05}, 2, -4, R_X86_64_GOTPCREL},               /* too close to the start */
    };
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++) {
        uint32_t got = obj_elf_reloc_type(JIT_ARCH_X86_64, JIT_R_X86_GOTPCREL4, g[i].code, g[i].off, g[i].addend);
        CHECK(got == g[i].want, "GOT load form %zu: ELF type %u, want %u", i, got, g[i].want);
    }
    CHECK(obj_is_runtime_symbol("__cranelift_fixunsdfti_sat") && !obj_is_runtime_symbol("floor") &&
              !obj_is_runtime_symbol("__divti3"), "runtime symbols");
}

static bool add_fails(obj_file *o, const jit_func *f, const char *msg)
{
    jit_error err = {0};
    if (obj_add_func(o, f, &err))
        return false;
    if (!strstr(err.msg, msg))
        printf("     got: %s\n", err.msg);
    return strstr(err.msg, msg) != NULL;
}

static void test_errors(void)
{
    obj_file *o = obj_new(JIT_ARCH_AARCH64, "e.clif");
    uint8_t code[8] = {0};
    jit_reloc x86 = {0, JIT_R_X86_CALL_PCREL4, -4, "f", 3, 5};
    jit_reloc past = {6, JIT_R_A64_CALL26, 0, "f", 0, 0};
    jit_reloc nosym = {0, JIT_R_A64_CALL26, 0, NULL, 0, 0};
    jit_trap trap = {8, 1};
    jit_error err = {0};
    CHECK(add_fails(o, &(jit_func){.name = "a", .code = code, .size = 8, .relocs = &x86, .nrelocs = 1},
                    "relocation X86_CALL_PCREL4 has no ELF form on aarch64"), "x86 reloc on aarch64");
    CHECK(add_fails(o, &(jit_func){.name = "a", .code = code, .size = 8, .relocs = &past, .nrelocs = 1},
                    "bad relocation record at offset 6"), "relocation past the end");
    CHECK(add_fails(o, &(jit_func){.name = "a", .code = code, .size = 8, .relocs = &nosym, .nrelocs = 1},
                    "bad relocation record"), "relocation without a symbol");
    CHECK(add_fails(o, &(jit_func){.name = "a", .code = code, .size = 8, .traps = &trap, .ntraps = 1},
                    "trap record beyond its code"), "trap past the end");
    CHECK(add_fails(o, &(jit_func){.name = "a", .code = code, .size = 8, .align = 12},
                    "alignment 12 is not a power of two"), "alignment");
    CHECK(add_fails(o, &(jit_func){.name = "", .code = code, .size = 8}, "without a name"), "no name");
    CHECK(obj_add_func(o, &(jit_func){.name = "a", .code = code, .size = 8, .line = 4}, &err), "%s", err.msg);
    CHECK(add_fails(o, &(jit_func){.name = "a", .code = code, .size = 8, .line = 9},
                    "duplicate definition of a (lines 4 and 9)"), "duplicate");
    CHECK(!obj_write(o, "/nonexistent-dir/x.o", &err) && strstr(err.msg, "cannot write /nonexistent-dir/x.o"),
          "unwritable path: %s", err.msg);
    obj_free(o);
}

/* ---- an object read back ---------------------------------------------------------- */

typedef struct image {
    const uint8_t *p;
    size_t n;
    Elf64_Ehdr eh;
} image;

static bool section(const image *im, const char *name, Elf64_Shdr *out, uint32_t *index)
{
    Elf64_Shdr str;
    memcpy(&str, im->p + im->eh.e_shoff + 64 * (size_t)im->eh.e_shstrndx, sizeof str);
    for (uint32_t i = 0; i < im->eh.e_shnum; i++) {
        memcpy(out, im->p + im->eh.e_shoff + 64 * (size_t)i, sizeof *out);
        if (!strcmp((const char *)im->p + str.sh_offset + out->sh_name, name)) {
            if (index)
                *index = i;
            return true;
        }
    }
    return false;
}

static void test_image(void)
{
    /* f: 8 AArch64 words with relocations against "data" and a call to g
     * (local, defined after f); traps recorded out of order */
    uint8_t f[32] = {0}, g[4] = {0xc0, 0x03, 0x5f, 0xd6};   /* ret */
    jit_reloc rf[] = {
        {0, JIT_R_A64_ADR_PREL_PG_HI21, 8, "data", 0, 0},
        {4, JIT_R_A64_ADD_ABS_LO12_NC, 8, "data", 0, 0},
        {8, JIT_R_A64_MOVW_UABS_G3, 0, "data", 0, 0},
        {12, JIT_R_A64_LDST64_ABS_LO12_NC, 16, "data", 0, 0},
        {16, JIT_R_A64_CALL26, 0, "g", 0, 0},
        {24, JIT_R_ABS8, -2, "data", 0, 0},
    };
    jit_trap tf[] = {{20, 4}, {4, 16 + 3}};
    jit_error err = {0};
    obj_file *o = obj_new(JIT_ARCH_AARCH64, "dir/test.clif");
    CHECK(obj_add_func(o, &(jit_func){.name = "f", .code = f, .size = sizeof f, .align = 4,
                                      .relocs = rf, .nrelocs = 6, .traps = tf, .ntraps = 2}, &err),
          "%s", err.msg);
    CHECK(obj_add_func(o, &(jit_func){.name = "g", .code = g, .size = 4, .align = 64, .local = true}, &err),
          "%s", err.msg);
    CHECK(obj_undefined(o, 0) && !strcmp(obj_undefined(o, 0), "data") && !obj_undefined(o, 1),
          "undefined symbols");
    uint8_t *bytes = NULL;
    size_t size = 0;
    CHECK(obj_emit(o, &bytes, &size, &err), "%s", err.msg);
    obj_free(o);
    if (!bytes)
        return;
    image im = {.p = bytes, .n = size};
    memcpy(&im.eh, bytes, sizeof im.eh);
    CHECK(!memcmp(im.eh.e_ident, ELFMAG, SELFMAG) && im.eh.e_ident[EI_CLASS] == ELFCLASS64 &&
              im.eh.e_type == ET_REL && im.eh.e_machine == EM_AARCH64 && im.eh.e_shentsize == 64,
          "ELF header");
    Elf64_Shdr text, rela, sym, str, traps, rtraps, note;
    uint32_t ti = 0, si = 0, tri = 0;
    bool all = section(&im, ".text", &text, &ti) && section(&im, ".rela.text", &rela, NULL) &&
               section(&im, ".symtab", &sym, &si) && section(&im, ".strtab", &str, NULL) &&
               section(&im, ".clifrun_traps", &traps, &tri) &&
               section(&im, ".rela.clifrun_traps", &rtraps, NULL) && section(&im, ".note.GNU-stack", &note, NULL);
    CHECK(all, "sections missing");
    if (!all) {
        free(bytes);
        return;
    }
    CHECK(text.sh_size == 68 && text.sh_addralign == 64 && text.sh_flags == (SHF_ALLOC | SHF_EXECINSTR),
          ".text: size %llu, align %llu", (unsigned long long)text.sh_size, (unsigned long long)text.sh_addralign);
    CHECK(!memcmp(bytes + text.sh_offset + 64, g, 4), "g at 64");
    CHECK(note.sh_size == 0 && note.sh_flags == 0, ".note.GNU-stack");
    CHECK(rela.sh_link == si && rela.sh_info == ti && rela.sh_size == 6 * 24, ".rela.text header");

    /* symbols: null, file, .text, g (local), f, data */
    Elf64_Sym s[6];
    CHECK(sym.sh_size == sizeof s && sym.sh_info == 4, ".symtab: %llu bytes, first global %u",
          (unsigned long long)sym.sh_size, sym.sh_info);
    memcpy(s, bytes + sym.sh_offset, sizeof s);
    const char *names = (const char *)bytes + str.sh_offset;
    CHECK(ELF64_ST_TYPE(s[1].st_info) == STT_FILE && !strcmp(names + s[1].st_name, "test.clif"), "file symbol");
    CHECK(ELF64_ST_TYPE(s[2].st_info) == STT_SECTION && s[2].st_shndx == ti, "section symbol");
    CHECK(!strcmp(names + s[3].st_name, "g") && s[3].st_info == ELF64_ST_INFO(STB_LOCAL, STT_FUNC) &&
              s[3].st_value == 64 && s[3].st_size == 4, "g");
    CHECK(!strcmp(names + s[4].st_name, "f") && s[4].st_info == ELF64_ST_INFO(STB_GLOBAL, STT_FUNC) &&
              s[4].st_value == 0 && s[4].st_size == 32 && s[4].st_shndx == ti, "f");
    CHECK(!strcmp(names + s[5].st_name, "data") && s[5].st_shndx == SHN_UNDEF &&
              ELF64_ST_BIND(s[5].st_info) == STB_GLOBAL, "data");

    static const uint32_t want_type[] = {R_AARCH64_ADR_PREL_PG_HI21, R_AARCH64_ADD_ABS_LO12_NC,
                                         R_AARCH64_MOVW_UABS_G3, R_AARCH64_LDST64_ABS_LO12_NC,
                                         R_AARCH64_CALL26, R_AARCH64_ABS64};
    for (int i = 0; i < 6; i++) {
        Elf64_Rela r;
        memcpy(&r, bytes + rela.sh_offset + 24 * i, sizeof r);
        uint32_t want_sym = i == 4 ? 3 : 5;
        CHECK(r.r_offset == rf[i].offset && ELF64_R_TYPE(r.r_info) == want_type[i] &&
                  ELF64_R_SYM(r.r_info) == want_sym && r.r_addend == rf[i].addend,
              "relocation %d: offset %llu type %u sym %u addend %lld", i, (unsigned long long)r.r_offset,
              (unsigned)ELF64_R_TYPE(r.r_info), (unsigned)ELF64_R_SYM(r.r_info), (long long)r.r_addend);
    }
    /* traps sorted by address, each relocated against .text by its value */
    CHECK(traps.sh_size == 32 && traps.sh_flags == 0 && rtraps.sh_info == tri && rtraps.sh_size == 48,
          "trap sections");
    static const uint64_t want_addr[] = {4, 20};
    static const uint32_t want_code[] = {19, 4};
    for (int i = 0; i < 2; i++) {
        uint64_t addr;
        uint32_t code[2];
        Elf64_Rela r;
        memcpy(&addr, bytes + traps.sh_offset + 16 * i, 8);
        memcpy(code, bytes + traps.sh_offset + 16 * i + 8, 8);
        memcpy(&r, bytes + rtraps.sh_offset + 24 * i, sizeof r);
        CHECK(addr == want_addr[i] && code[0] == want_code[i] && code[1] == 0, "trap %d", i);
        CHECK(r.r_offset == 16 * (uint64_t)i && ELF64_R_TYPE(r.r_info) == R_AARCH64_ABS64 &&
                  ELF64_R_SYM(r.r_info) == 2 && r.r_addend == (int64_t)want_addr[i], "trap relocation %d", i);
    }
    free(bytes);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_types();
    test_errors();
    test_image();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
