/* lib/verify: the IR verifier, run before any compilation. */
#ifndef CLIFRUN_VERIFY_H
#define CLIFRUN_VERIFY_H

#include "ir/ir.h"

/* What the checks that depend on the target need to know (Cranelift's
 * verifier is given an ISA, or only the shared flags). */
typedef struct verify_isa {
    unsigned pointer_bits;          /* 32 or 64; 0: no ISA (flags only) */
    bool preserve_frame_pointers;   /* `set preserve_frame_pointers=true` */
    bool enable_pinned_reg;
    const char *label;              /* shown after target-dependent messages, or NULL */
} verify_isa;

#define VERIFY_MAX_ERRORS 20        /* per function; a note says when more were left out */

/* Check SSA form and dominance, operand and result types against the
 * opcode table, block arguments on every branch, terminators, calls against
 * signatures, returns, references to entities, and with an ISA the pointer
 * width of addresses and the types of global values.  Every error found
 * (up to VERIFY_MAX_ERRORS) goes to d, in source order, each at the line
 * and column of the offending instruction, block, declaration or parameter;
 * d is left alone when the function verifies. */
bool verify_function(const ir_function *f, ir_diag *d);
bool verify_function_isa(const ir_function *f, const verify_isa *isa, ir_diag *d);

/* The ISA of target line t of file (IR_NONE: the file's settings without
 * an ISA): the pointer width of its architecture (0 if unknown) and the
 * flags of the `set` lines before it. */
void verify_isa_of(const ir_file *file, uint32_t t, verify_isa *isa);

/* Verify every function of file (after ir_legacy_rewrite) against each
 * distinct ISA of its target lines, or for a file without one against
 * the host's (none for a `test verifier` file, as Cranelift's harness
 * does).  Every error of every function goes to d; false if any. */
bool verify_file(const ir_file *file, ir_diag *d);
/* The same one function at a time (a file checked as it is read): the
 * distinct ISAs of the file's target lines, then each function against
 * them, its errors appended to d. */
typedef struct verify_file_isas { verify_isa isas[8]; uint32_t n; } verify_file_isas;
void verify_file_isas_of(const ir_file *file, verify_file_isas *v);
bool verify_file_function(const verify_file_isas *v, const ir_function *f, ir_diag *d);

/* Across the functions of a file: every declaration of a function name
 * (fn0 = %my_function(i32)) agrees with the others and with the file's own
 * definition of that name, parameters, results, extensions, purposes and
 * calling convention alike — else the JIT would call it with the wrong
 * ABI.  The error is at the later declaration and names the other one
 * ("%f is declared here as (i64), and as (i32) at f.clif:8:11").
 * Libcalls are not checked. */
bool verify_file_decls(const ir_file *file, ir_diag *d);

#endif
