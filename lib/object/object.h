/* lib/object: relocatable ELF objects (ET_REL) of compiled functions, for
 * x86-64 (EM_X86_64) and AArch64 (EM_AARCH64), that a C compiler links:
 * `clifrun compile -o foo.o FILE`, then `cc main.c foo.o -lm`.
 *
 * The records are the JIT's (jit_func, jit_reloc, jit_trap): each JIT
 * relocation kind maps to one ELF relocation type, so the object is the
 * JIT module's code with the linking left to the system linker.  Sections:
 *
 *   .text            every function, each aligned as the backend asks
 *                    (constant pools and jump tables are inside the code)
 *   .rela.text       calls R_X86_64_PLT32 / R_AARCH64_CALL26, JUMP26;
 *                    GOT loads R_X86_64_REX_GOTPCRELX (GOTPCREL) /
 *                    R_AARCH64_ADR_GOT_PAGE + LD64_GOT_LO12_NC; and the rest
 *                    of JIT_RELOCS (obj_elf_reloc_type)
 *   .clifrun_traps   (when there are traps) 16-byte records {u64 address,
 *                    u32 trap code, u32 0}, in address order: the address
 *                    is .text + offset through an R_X86_64_64 / R_AARCH64_ABS64
 *                    relocation (.rela.clifrun_traps), so a linked program
 *                    holds link-time addresses; codes as cg_trap_name
 *                    (1 stk_ovf, 2 heap_oob, 3 int_ovf, 4 int_divz,
 *                    5 bad_toint, 16+N userN).  Not loaded (no SHF_ALLOC).
 *   .note.GNU-stack  empty: the stack need not be executable
 *   .symtab/.strtab  an STT_FILE symbol, then the functions (STT_FUNC,
 *                    global unless jit_func.local), then every symbol the
 *                    code refers to but does not define (undefined, global)
 *
 * Calls between functions of the object stay relocations against their
 * symbols: the linker resolves them (directly, or through the PLT in a
 * shared library).  The code is position independent (external data and
 * function addresses through the GOT), so the object also links into a PIE
 * or a shared library.  Nothing here asserts or exits on bad input. */
#ifndef CLIFRUN_OBJECT_H
#define CLIFRUN_OBJECT_H

#include <stdio.h>

#include "codegen/codegen.h"
#include "ir/ir.h"
#include "jit/jit.h"

typedef struct obj_file obj_file;

/* An empty object for arch (JIT_ARCH_HOST: this host's); source names
 * the STT_FILE symbol (may be NULL).  NULL if out of memory. */
obj_file *obj_new(jit_arch arch, const char *source);
void obj_free(obj_file *o);

/* Append a function to .text (copies everything).  A second definition of
 * a name, or a relocation kind of the other architecture, is an error. */
bool obj_add_func(obj_file *o, const jit_func *f, jit_error *err);

/* The ELF image in a malloc'ed buffer (*size bytes). */
bool obj_emit(obj_file *o, uint8_t **bytes, size_t *size, jit_error *err);
/* Write the image to path (removed again if writing fails). */
bool obj_write(obj_file *o, const char *path, jit_error *err);

/* Undefined symbols, in first-reference order: i = 0, 1, ... until NULL. */
const char *obj_undefined(const obj_file *o, uint32_t i);

/* The ELF relocation type for a JIT relocation at code[off] (the patched
 * field; the instruction bytes before it choose between GOTPCREL forms),
 * or 0 if the kind has none on arch. */
uint32_t obj_elf_reloc_type(jit_arch arch, jit_reloc_kind k, const uint8_t *code, uint32_t off,
                            int64_t addend);

/* Symbols the generated code may call that only clifrun's JIT defines (no
 * C library has them): the saturating i128 conversions, the probestack. */
bool obj_is_runtime_symbol(const char *name);

/* Compile every function of file for t and write the object to path.  A
 * function that does not compile fails the whole object (d says where);
 * nothing is left at path then.  With warn, each runtime-only symbol the
 * object needs gets a warning line there. */
bool obj_compile_file(const cg_target *t, const ir_file *file, const char *path, FILE *warn,
                      ir_diag *d);

#endif
