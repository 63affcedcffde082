/* lib/verify: the IR verifier, run before any compilation. */
#ifndef CLIFRUN_VERIFY_H
#define CLIFRUN_VERIFY_H

#include "ir.h"

/* Check SSA form and dominance, operand and result types against the
 * opcode table, block arguments on every branch, terminators, calls against
 * signatures, returns, and references to entities.  Reports the first error
 * at the line and column of the offending instruction or value. */
bool verify_function(const ir_function *f, ir_diag *d);

/* Across the functions of a file: every declaration of a function name
 * (fn0 = %my_function(i32)) agrees with the others and with the file's own
 * definition of that name, parameters, results, extensions, purposes and
 * calling convention alike — else the JIT would call it with the wrong
 * ABI.  The error is at the later declaration and names the other one
 * ("%f is declared here as (i64), and as (i32) at f.clif:8:11").
 * Libcalls are not checked. */
bool verify_file(const ir_file *file, ir_diag *d);

#endif
