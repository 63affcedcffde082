/* clifrun: the command line.  The pipeline, top to bottom:
 * read (lib/reader) → verify (lib/verify) → print or, later, compile and run. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <capstone/capstone.h>

#include "codegen.h"
#include "ir.h"
#include "reader.h"
#include "verify.h"

#define CLIFRUN_VERSION "0.1.0"

static bool use_color(void)
{
    const char *nc = getenv("NO_COLOR");
    return isatty(2) && !(nc && *nc);
}

static const char usage[] =
    "usage: clifrun COMMAND [OPTIONS] FILE...\n"
    "\n"
    "Commands:\n"
    "  print FILE        parse, verify and print FILE as canonical CLIF\n"
    "  check FILE...     parse and verify each FILE; print nothing on success\n"
    "  bench FILE...     time parsing and verifying each FILE (MB/s, functions/s)\n"
    "  compile FILE      compile each function; print its code size (-D: disassembly)\n"
    "\n"
    "Options:\n"
    "  --no-verify       (print) skip the verifier\n"
    "  --target ARCH     (compile) x86_64 or aarch64; default: the host\n"
    "  -D                (compile) disassemble, with relocations and trap sites\n"
    "  -h, --help        show this help\n"
    "  --version         show the version\n"
    "\n"
    "Exit status: 0 success, 1 test failures, 2 bad input or usage.\n";

/* Read a whole file; NULL with errno on failure. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf)
            break;
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *nb = realloc(buf, cap *= 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
    }
    int err = ferror(f);
    fclose(f);
    if (!buf || err) {
        free(buf);
        errno = err ? EIO : ENOMEM;
        return NULL;
    }
    *len = n;
    return buf;
}

/* Parse and verify a file.  On failure prints the diagnostic. */
static bool load(const char *path, ir_file *file, char **src, bool verify)
{
    size_t len;
    *src = read_file(path, &len);
    if (!*src) {
        fprintf(stderr, "%s: error: cannot read: %s\n", path, strerror(errno));
        memset(file, 0, sizeof *file);
        return false;
    }
    ir_diag d;
    if (!reader_parse_file(file, path, *src, len, &d)) {
        ir_diag_print(stderr, &d, use_color());
        return false;
    }
    for (uint32_t i = 0; i < file->funcs.n; i++) {
        ir_function *fn = file->funcs.v[i];
        if (!ir_legacy_rewrite(fn, &d) || (verify && !verify_function(fn, &d))) {
            d.file = path;
            d.src = *src;
            d.len = len;
            ir_diag_print(stderr, &d, use_color());
            return false;
        }
    }
    return true;
}

static int cmd_print(int argc, char **argv)
{
    bool verify = true;
    const char *path = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--no-verify"))
            verify = false;
        else if (!path)
            path = argv[i];
        else {
            fputs("clifrun print: one file at a time\n", stderr);
            return 2;
        }
    }
    if (!path) {
        fputs(usage, stderr);
        return 2;
    }
    ir_file file;
    char *src;
    int rc = 0;
    if (load(path, &file, &src, verify))
        ir_print_file(stdout, &file);
    else
        rc = 2;
    ir_file_free(&file);
    free(src);
    return rc;
}

static int cmd_check(int argc, char **argv)
{
    if (argc == 0) {
        fputs(usage, stderr);
        return 2;
    }
    int rc = 0;
    for (int i = 0; i < argc; i++) {
        ir_file file;
        char *src;
        if (!load(argv[i], &file, &src, true))
            rc = 2;
        ir_file_free(&file);
        free(src);
    }
    return rc;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Figures only: the best of several runs of parse + verify. */
static int cmd_bench(int argc, char **argv)
{
    if (argc == 0) {
        fputs(usage, stderr);
        return 2;
    }
    for (int a = 0; a < argc; a++) {
        size_t len;
        char *src = read_file(argv[a], &len);
        if (!src) {
            fprintf(stderr, "%s: error: cannot read: %s\n", argv[a], strerror(errno));
            return 2;
        }
        double best_parse = 1e30, best_total = 1e30;
        uint32_t nfuncs = 0, ninsts = 0;
        for (int rep = 0; rep < 5; rep++) {
            ir_file file;
            ir_diag d;
            double t0 = now();
            bool ok = reader_parse_file(&file, argv[a], src, len, &d);
            double t1 = now();
            for (uint32_t i = 0; ok && i < file.funcs.n; i++)
                ok = ir_legacy_rewrite(file.funcs.v[i], &d) && verify_function(file.funcs.v[i], &d);
            double t2 = now();
            if (!ok) {
                d.src = src;
                d.len = len;
                ir_diag_print(stderr, &d, use_color());
                ir_file_free(&file);
                free(src);
                return 2;
            }
            nfuncs = file.funcs.n;
            ninsts = 0;
            for (uint32_t i = 0; i < file.funcs.n; i++)
                ninsts += file.funcs.v[i]->insts.n;
            ir_file_free(&file);
            if (t1 - t0 < best_parse)
                best_parse = t1 - t0;
            if (t2 - t0 < best_total)
                best_total = t2 - t0;
        }
        printf("%s: %.2f MB, %u functions, %u instructions\n", argv[a], (double)len / 1e6, nfuncs, ninsts);
        printf("  parse          %8.4f s  %8.1f MB/s  %10.0f functions/s\n", best_parse,
               (double)len / 1e6 / best_parse, nfuncs / best_parse);
        printf("  parse+verify   %8.4f s  %8.1f MB/s  %10.0f functions/s\n", best_total,
               (double)len / 1e6 / best_total, nfuncs / best_total);
        free(src);
    }
    return 0;
}

/* Capstone's listing of one function, its relocations and trap records. */
static void disassemble(jit_arch arch, const cg_output *o)
{
    csh cs;
    if (cs_open(arch == JIT_ARCH_AARCH64 ? CS_ARCH_ARM64 : CS_ARCH_X86,
                arch == JIT_ARCH_AARCH64 ? CS_MODE_ARM : CS_MODE_64, &cs) != CS_ERR_OK) {
        fputs("  (capstone cannot disassemble this architecture)\n", stdout);
        return;
    }
    cs_insn *insn;
    size_t n = cs_disasm(cs, o->code.v, o->code.n, 0, 0, &insn);
    size_t end = 0;
    for (size_t i = 0; i < n; i++) {
        printf("  %4" PRIx64 ":  %-7s %s\n", insn[i].address, insn[i].mnemonic, insn[i].op_str);
        for (uint32_t k = 0; k < o->relocs.n; k++)
            if (o->relocs.v[k].offset >= insn[i].address && o->relocs.v[k].offset < insn[i].address + insn[i].size)
                printf("         ; reloc %s %s%+" PRId64 "\n", jit_reloc_name(o->relocs.v[k].kind),
                       o->relocs.v[k].sym, o->relocs.v[k].addend);
        for (uint32_t k = 0; k < o->traps.n; k++)
            if (o->traps.v[k].offset == insn[i].address) {
                char tb[16];
                printf("         ; trap: %s\n", cg_trap_name(o->traps.v[k].code, tb));
            }
        end = insn[i].address + insn[i].size;
    }
    if (end < o->code.n)   /* constant pool, jump tables */
        printf("  %4zx:  (%zu bytes of data)\n", end, o->code.n - end);
    if (n)
        cs_free(insn, n);
    cs_close(&cs);
}

static int cmd_compile(int argc, char **argv)
{
    const char *path = NULL, *arch_name = NULL;
    bool disasm = false;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-D"))
            disasm = true;
        else if (!strcmp(argv[i], "--target") && i + 1 < argc)
            arch_name = argv[++i];
        else if (!path)
            path = argv[i];
        else {
            fputs("clifrun compile: one file at a time\n", stderr);
            return 2;
        }
    }
    if (!path) {
        fputs(usage, stderr);
        return 2;
    }
    jit_arch arch = jit_host_arch();
    if (arch_name && !strcmp(arch_name, "x86_64"))
        arch = JIT_ARCH_X86_64;
    else if (arch_name && !strcmp(arch_name, "aarch64"))
        arch = JIT_ARCH_AARCH64;
    else if (arch_name) {
        fprintf(stderr, "clifrun compile: unknown target '%s' (x86_64 or aarch64)\n", arch_name);
        return 2;
    }
    ir_file file;
    char *src;
    int rc = 0;
    if (!load(path, &file, &src, true)) {
        ir_file_free(&file);
        free(src);
        return 2;
    }
    /* ISA flags from the file's first target line for this architecture */
    cg_target t = {.arch = arch};
    ir_diag d;
    for (uint32_t i = 0; i < file.targets.n; i++)
        if (!strcmp(file.targets.v[i].arch, jit_arch_name(arch))) {
            if (!cg_target_from_file(&t, &file, i, &d)) {
                d.file = path, d.src = src, d.len = strlen(src);
                ir_diag_print(stderr, &d, use_color());
                rc = 2;
            }
            break;
        }
    for (uint32_t i = 0; !rc && i < file.funcs.n; i++) {
        cg_output o;
        if (!cg_compile(&t, &file, i, &o, &d)) {
            ir_diag_print(stderr, &d, use_color());
            rc = 2;
            break;
        }
        char name[128];
        printf("%%%s: %u bytes\n", cg_symbol_name(file.funcs.v[i], name, sizeof name), o.code.n);
        if (disasm)
            disassemble(arch, &o);
        cg_output_free(&o);
    }
    ir_file_free(&file);
    free(src);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
        fputs(usage, stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        printf("clifrun %s\n", CLIFRUN_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "print"))
        return cmd_print(argc - 2, argv + 2);
    if (!strcmp(cmd, "check"))
        return cmd_check(argc - 2, argv + 2);
    if (!strcmp(cmd, "bench"))
        return cmd_bench(argc - 2, argv + 2);
    if (!strcmp(cmd, "compile"))
        return cmd_compile(argc - 2, argv + 2);
    fprintf(stderr, "clifrun: unknown command '%s'\n\n%s", cmd, usage);
    return 2;
}
