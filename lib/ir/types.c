/* Types of the opcode table: deriving operand types from the controlling
 * type, and membership in a "ctrl" type set (see ir.h and opcodes.def).
 *
 * A "ctrl" type set is Cranelift's TypeSet of an opcode's controlling type
 * variable, written as a comma-separated union of terms:
 *   i  f    scalar ints / floats
 *   I  F    fixed SIMD vectors with int / float lanes
 *   dI dF   dynamic vectors (i32x4*gv0 style; the lane count is the minimum)
 * A term may be followed by its lane width in bits, N or N..M (powers of two,
 * inclusive; default all: 8..128 for ints, 16..128 for floats), and a vector
 * term by its lane count, xN or xN..M (default 2..256).  Examples:
 *   "i8..64"  iconst         "i,I,dI"  iadd         "I8x16"  one type
 *   "I16..32x4..8"  sqmul_round_sat   "I16..64x2..8,dI16..64x2..8"  snarrow
 * "" is the set of a monomorphic opcode and contains nothing.
 *
 * Derivations follow Cranelift's ir::Type methods (as_truthy, half_width,
 * double_width, split_lanes, merge_lanes, lane_of, dynamic_to_vector) and
 * the meta crate's half_vector/double_vector, returning IR_TYPE_NONE where
 * Cranelift returns None: no i4, no i256, at most 256 lanes, and a dynamic
 * vector's fixed base at most 256 bits (vector_to_dynamic). */
#include "ir.h"

#define LOG2_MAX_LANES 8u
#define DYN_MAX_BITS 256u

/* Is t a type Cranelift can express?  (Ignores a dynamic type's dtN bits.) */
static bool type_valid(ir_type t)
{
    unsigned lane = ir_type_lane(t), l2 = ir_type_log2_lanes(t);
    if (lane < IR_I8 || lane > IR_F128 || l2 > LOG2_MAX_LANES)
        return false;
    if (t & IR_TYPE_DYNAMIC)
        return l2 >= 1 && ir_type_lane_bits(t) << l2 <= DYN_MAX_BITS;
    return true;
}

/* The type of lane kind `lane` with log2 lanes l2, dynamic if dyn; NONE if
 * Cranelift has no such type.  Derived dynamic types carry no dtN number. */
static ir_type make(unsigned lane, unsigned l2, bool dyn)
{
    if (lane == 0 || l2 > LOG2_MAX_LANES || (dyn && l2 == 0))
        return IR_TYPE_NONE;
    ir_type t = ir_type_make(lane, l2);
    if (dyn)
        t |= IR_TYPE_DYNAMIC;
    return type_valid(t) ? t : IR_TYPE_NONE;
}

static unsigned lane_half(unsigned lane)
{
    switch (lane) {
    case IR_I16: case IR_I32: case IR_I64: case IR_I128: return lane - 1;
    case IR_F32: case IR_F64: case IR_F128: return lane - 1;
    default: return 0;      /* i8, f16 */
    }
}

static unsigned lane_double(unsigned lane)
{
    switch (lane) {
    case IR_I8: case IR_I16: case IR_I32: case IR_I64: return lane + 1;
    case IR_F16: case IR_F32: case IR_F64: return lane + 1;
    default: return 0;      /* i128, f128 */
    }
}

/* The int lane of the same width (as_int). */
static unsigned lane_int(unsigned lane)
{
    switch (lane) {
    case IR_F16: return IR_I16;
    case IR_F32: return IR_I32;
    case IR_F64: return IR_I64;
    case IR_F128: return IR_I128;
    default: return lane;
    }
}

ir_type ir_type_derive(char code, ir_type ctrl)
{
    switch (code) {         /* fixed types, whatever ctrl is */
    case '1': return IR_I8;
    case '2': return IR_I16;
    case '3': return IR_I32;
    case '4': return IR_I64;
    case '5': return IR_I128;
    case 'h': return IR_F16;
    case 'f': return IR_F32;
    case 'q': return IR_F64;
    case 'o': return IR_F128;
    case 'b': return ir_type_make(IR_I8, 4);
    case 'w': return ir_type_make(IR_I16, 3);
    case 'd': return ir_type_make(IR_I32, 2);
    case 'l': return ir_type_make(IR_I64, 1);
    case 's': return ir_type_make(IR_F32, 2);
    case 'p': return ir_type_make(IR_F64, 1);
    default: break;
    }
    if (!type_valid(ctrl))
        return IR_TYPE_NONE;
    unsigned lane = ir_type_lane(ctrl), l2 = ir_type_log2_lanes(ctrl);
    bool dyn = (ctrl & IR_TYPE_DYNAMIC) != 0;
    switch (code) {
    case 'T': case 't':
        return ctrl;
    case 'L':
        return (ir_type)lane;
    case 'B':
        /* Cranelift's as_truthy: i8 unless is_vector(), which is false for
         * dynamic vectors too */
        return l2 == 0 || dyn ? IR_I8 : make(lane_int(lane), l2, false);
    case 'I':
        return make(lane_int(lane), l2, dyn);
    case 'H':
        return make(lane_half(lane), l2, dyn);
    case 'D':
        return make(lane_double(lane), l2, dyn);
    case 'S':               /* half width, twice the lanes: i32 -> i16x2 */
        return make(lane_half(lane), l2 + 1, dyn);
    case 'M':               /* double width, half the lanes: i32x2 -> i64 */
        return l2 == 0 ? IR_TYPE_NONE : make(lane_double(lane), l2 - 1, dyn);
    case 'V':
        return dyn ? make(lane, l2, false) : IR_TYPE_NONE;
    case '<':               /* half_vector */
        return l2 == 0 ? IR_TYPE_NONE : make(lane, l2 - 1, dyn);
    case '>':               /* double_vector */
        return make(lane, l2 + 1, dyn);
    default:                /* free type variables (* i n a F r v W N) */
        return IR_TYPE_NONE;
    }
}

/* Reads N or N..M (powers of two) at *p into [*lo, *hi]; leaves the
 * defaults if no digit follows.  Returns false on a malformed range. */
static bool read_range(const char **p, unsigned *lo, unsigned *hi)
{
    const char *s = *p;
    if (*s < '0' || *s > '9')
        return true;
    unsigned a = 0, b;
    while (*s >= '0' && *s <= '9' && a < 100000)
        a = a * 10 + (unsigned)(*s++ - '0');
    b = a;
    if (s[0] == '.' && s[1] == '.') {
        s += 2;
        if (*s < '0' || *s > '9')
            return false;
        b = 0;
        while (*s >= '0' && *s <= '9' && b < 100000)
            b = b * 10 + (unsigned)(*s++ - '0');
    }
    *lo = a;
    *hi = b;
    *p = s;
    return a <= b;
}

bool ir_typeset_contains(const char *set, ir_type t)
{
    if (!set || !*set || !type_valid(t))
        return false;
    unsigned lane = ir_type_lane(t), bits = ir_type_lane_bits(t);
    unsigned lanes = ir_type_lanes(t), l2 = ir_type_log2_lanes(t);
    bool dyn = (t & IR_TYPE_DYNAMIC) != 0, is_int = lane <= IR_I128;
    for (const char *p = set; *p;) {
        bool dterm = false;
        if (*p == 'd') {
            dterm = true;
            p++;
        }
        char kind = *p++;
        bool vec = kind == 'I' || kind == 'F';
        bool tint = kind == 'i' || kind == 'I';
        if (!vec && (dterm || (kind != 'i' && kind != 'f')))
            return false;   /* malformed set */
        unsigned wlo = tint ? 8 : 16, whi = 128, llo = 2, lhi = 256;
        if (!read_range(&p, &wlo, &whi))
            return false;
        if (vec && *p == 'x') {
            p++;
            if (*p < '0' || *p > '9' || !read_range(&p, &llo, &lhi))
                return false;
        }
        if (*p && *p != ',')
            return false;
        if (*p)
            p++;
        if (tint != is_int || bits < wlo || bits > whi)
            continue;
        if (!vec ? l2 == 0 && !dyn : l2 != 0 && dyn == dterm && lanes >= llo && lanes <= lhi)
            return true;
    }
    return false;
}
