/* lib/verify: the IR verifier, run before any compilation. */
#ifndef CLIFRUN_VERIFY_H
#define CLIFRUN_VERIFY_H

#include "ir.h"

/* Check SSA form and dominance, operand and result types against the
 * opcode table, block arguments on every branch, terminators, calls against
 * signatures, returns, and references to entities.  Reports the first error
 * at the line and column of the offending instruction or value. */
bool verify_function(const ir_function *f, ir_diag *d);

#endif
