/* The linear-scan allocator's state, shared by ralinear.c (liveness and
 * the scan) and rarewrite.c (allocations and edits from its result); see
 * ralinear.c. */
#ifndef CLIFRUN_RALINEAR_H
#define CLIFRUN_RALINEAR_H

#include "cg.h"

#define RA_PARAM 0xfffffffeu    /* occurrence: block parameter (defined at block start) */
#define RA_ARG 0xfffffffdu      /* occurrence: block argument (read before the terminator) */
#define RA_SPILL 0xfffffffeu    /* loc: in its spill slot */
#define BIT(p) (1ull << (p))
enum { OCC_MAXW = 64 };    /* 4,096 positions: 64 KB of bitmaps at most (see lsra.occ) */

typedef struct rocc { uint32_t inst, op; } rocc;
typedef struct rseg { uint32_t s, e; } rseg;
/* A short interval of a spilled vreg: its operands in instructions
 * [inst, last] of one block */
typedef struct rtiny { uint32_t v, inst, last; rseg sg; } rtiny;
/* p blocked at pos for all but vreg `except`.  kind RF_USES: a clobber or
 * fixed def at the uses' position, only for a non-fixed use there (a
 * pseudo-op may write it before reading them); RF_CLOB: a clobber at the
 * defs' position, not for a fixed def there (moved out after the clobber) */
enum { RF_HARD, RF_USES, RF_CLOB };
typedef struct rfix { uint32_t pos, except; uint8_t kind, preg; } rfix;
typedef struct rnode { uint32_t id, next; } rnode;  /* interval in a register's list */
typedef struct rwm { uint32_t w; uint64_t m; } rwm;  /* a word of a bitmap of positions, the bits asked */
/* The pregs instruction inst clobbers and no fixed operand of it names:
 * RF_USES at 2i and RF_CLOB at 2i+1 for each, both for all vregs.  One
 * entry an instruction, not two a preg (a call clobbers some 25). */
typedef struct rclob { uint32_t inst; uint64_t mask; } rclob;
/* What build_occs saw of an instruction's operands, so later passes skip
 * the plain ones: IF_FIXED a fixed operand or a preg, IF_REUSE a reusing def;
 * IF_SPILL (set by spill) an operand of a spilled vreg, IF_ARGS a jump
 * passing block arguments (it has no operands) */
enum { IF_FIXED = 1, IF_REUSE = 2, IF_SPILL = 4, IF_ARGS = 8 };

typedef struct lsra {
    cg_ctx *c;
    cg_func *f;
    const cg_isa *isa;
    const cg_operand *ops;  /* f->opnds.v: one load less at each operand */
    uint32_t nv, ni, nb;
    uint32_t *blk_of;       /* label -> block */
    uint32_t *iblk;         /* instruction -> block */
    uint32_t *pstart, *preds;
    uint64_t *predm;        /* per block: its predecessors as bits, if at most 64 blocks */
    double *freq;           /* per block: 8^loop depth */
    uint32_t *ostart;       /* per vreg: its occurrences, in instruction order */
    uint32_t *ndef;         /* per vreg: its defs (block parameters too) */
    rocc *occs;
    uint32_t *sstart;       /* per vreg: its live segments in segs, in order */
    IR_VEC(rseg) segs;
    double *w;              /* spill weight */
    uint32_t *hintv;        /* a vreg whose register this one would like */
    uint8_t *hintp;         /* a preg it would like, 0xff */
    uint8_t *vfixed;        /* per vreg: it has a fixed operand */
    uint32_t *rsrc;         /* operand index of the reused use, for the def at s */
    uint32_t *loc;          /* preg, RA_SPILL, CG_NONE */
    uint8_t *via;           /* per operand of a spilled vreg: its short interval's register */
    uint8_t *reload;        /* per operand: the use that loads that register */
    uint32_t *slot;
    uint32_t *mark;         /* scratch per vreg */
    uint8_t *iflag;         /* per instruction: IF_* */
    uint32_t *fixi, nfixi;  /* instructions with a fixed operand, a preg or a clobber */
    const uint32_t *reuses; /* reusing defs, in order: instruction, operand */
    uint32_t nreuses;
    uint32_t *bmark, *bdef, *stack, *bseen, *blo, *bhi, *touched;     /* scratch per block */
    uint64_t fmask;         /* pregs with fixed entries: fixes[fstart[p], fend[p]) */
    rfix *fixes;
    const rclob *clobs;     /* by instruction */
    uint32_t nclobs;
    uint64_t clob_any;      /* union of their masks */
    /* the pregs those block for an interval, found once for all pregs; two
     * entries (choose1 asks of a hinted vreg's and its own in turn), reset
     * at each choose1 */
    struct { const rseg *sg; uint32_t n, s, e, v; uint64_t m; } cb[2];
    unsigned cb_next;
    /* The interval choose1 places is a vreg's (not a short one) with no
     * fixed operand: every fixed entry or clobber at one of its positions
     * blocks it, as fixed_conflict_segs would find (it lives through that
     * instruction, meeting the entry at 2i + 1, or reads a non-fixed use
     * at 2i), so the bitmap test (fbit) decides. */
    bool qplain;
    rseg cur;               /* the tiny interval being placed */
    unsigned via_cls;       /* class of the cycle register found last */
    int cycle_budget;       /* vreg scans left for cycle registers */
    int64_t work;           /* steps left before giving up (near-linear time) */
    IR_VEC(rnode) nodes;
    uint32_t free_node;
    /* In a function of at most OCC_MAXW words of positions: per preg p,
     * occ[p * ow..] the positions its intervals hold and fbit[p * ow..]
     * those where it has a fixed entry or a clobber, so that an interval
     * is tested against a register with a word or two (its segments'
     * words, q, found once by choose1), not a walk of the register's list
     * (which then only eviction reads) and a search of its fixed entries.
     * NULL above. */
    uint64_t *occ, *fbit;
    uint32_t ow, nq;        /* q[0..nq): see below */
    uint64_t allocable[CG_NCLS];
    const uint8_t *order[CG_NCLS];  /* the isa's alloc_order of those */
    uint8_t norder[CG_NCLS];
    IR_VEC(rtiny) tiny;
    IR_VEC(uint32_t) heap;  /* tiny intervals by start */
    uint32_t nslots;
    uint32_t *cnt;          /* per position + 1: the intervals starting there (see scan) */
    bool empty_seg;         /* some segment is empty (see occ_init) */
    bool ok;
    /* not cleared per function (see cg_regalloc_linear): */
    uint32_t fstart[64], fend[64];
    uint32_t head[64];      /* per preg: list of intervals (vreg, or nv + tiny) holding it */
    rwm q[OCC_MAXW];        /* the words of the interval choose1 places */
} lsra;

#define V(r) ((r) - CG_VREG0)

static inline const cg_operand *opnd(const lsra *r, uint32_t k) { return &r->ops[k]; }

/* The end of v's segment holding pos (0 if none). */
static inline uint32_t seg_end(const lsra *r, uint32_t v, uint32_t pos)
{
    uint32_t lo = r->sstart[v], hi = r->sstart[v + 1];
    if (hi - lo == 1)   /* most vregs */
        return r->segs.v[lo].s <= pos && pos < r->segs.v[lo].e ? r->segs.v[lo].e : 0;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (r->segs.v[mid].e <= pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < r->sstart[v + 1] && r->segs.v[lo].s <= pos ? r->segs.v[lo].e : 0;
}

/* Allocations and edits from the scan's result (rarewrite.c). */
void cg_ra_rewrite(lsra *r);

#endif
