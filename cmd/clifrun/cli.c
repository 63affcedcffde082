/* cmd/clifrun/cli.c: colour and disassembly, for main.c and repl.c. */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <unistd.h>

#include <capstone/capstone.h>

bool cli_use_color(void)
{
    const char *nc = getenv("NO_COLOR");
    return isatty(2) && !(nc && *nc);
}

void cli_warnings(FILE *out, const ir_file *file)
{
    for (uint32_t i = 0; i < file->warnings.n; i++)
        ir_warn_print(out, file->path, file->src, file->len, file->warnings.v[i].line, file->warnings.v[i].col,
                      file->warnings.v[i].msg, cli_use_color());
}

void cli_disassemble(FILE *out, jit_arch arch, const cg_output *o)
{
    csh cs;
    if (cs_open(arch == JIT_ARCH_AARCH64 ? CS_ARCH_ARM64 : CS_ARCH_X86,
                arch == JIT_ARCH_AARCH64 ? CS_MODE_ARM : CS_MODE_64, &cs) != CS_ERR_OK) {
        fputs("  (capstone cannot disassemble this architecture)\n", out);
        return;
    }
    cs_insn *insn;
    size_t n = cs_disasm(cs, o->code.v, o->code.n, 0, 0, &insn);
    size_t end = 0;
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "  %4" PRIx64 ":  %-7s %s\n", insn[i].address, insn[i].mnemonic, insn[i].op_str);
        for (uint32_t k = 0; k < o->relocs.n; k++)
            if (o->relocs.v[k].offset >= insn[i].address && o->relocs.v[k].offset < insn[i].address + insn[i].size)
                fprintf(out, "         ; reloc %s %s%+" PRId64 "\n", jit_reloc_name(o->relocs.v[k].kind),
                        o->relocs.v[k].sym, o->relocs.v[k].addend);
        for (uint32_t k = 0; k < o->traps.n; k++)
            if (o->traps.v[k].offset == insn[i].address) {
                char tb[16];
                fprintf(out, "         ; trap: %s\n", cg_trap_name(o->traps.v[k].code, tb));
            }
        end = insn[i].address + insn[i].size;
    }
    if (end < o->code.n)   /* constant pool, jump tables */
        fprintf(out, "  %4zx:  (%zu bytes of data)\n", end, o->code.n - end);
    if (n)
        cs_free(insn, n);
    cs_close(&cs);
}
