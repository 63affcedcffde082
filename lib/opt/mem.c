/* Redundant load elimination and store-to-load forwarding (after
 * Cranelift's alias_analysis.rs, simplified to extended basic blocks).
 *
 * Memory is split into classes that cannot alias one another:
 *  - each stack slot, when no slot's address escapes (every stack_addr is
 *    only the address of plain loads and stores, in bounds): nothing
 *    else, not even a call, can reach it;
 *  - each alias region of the memflags (Cranelift: an address is only ever
 *    accessed with one region), and "other" for accesses without one.
 * Every class has a version, bumped by a store that may write it: a store
 * with region R bumps R; one without a region, a call, an atomic or a fence
 * bumps every region (not the private slots).  A load is keyed by (address,
 * offset, type, opcode, byte order, class, version): an equal key met
 * before, in a dominating position, holds the same bytes — the stored
 * value of a `store`, or the result of the earlier load.  Trapping
 * instructions change no memory, so values flow across them; the later
 * load cannot trap where the earlier access to the same bytes did not.
 *
 * The walk covers each extended basic block (a block and the blocks whose
 * only predecessor it is) depth first, undoing its table entries and
 * version changes on the way back; a merge point starts afresh.  Then a
 * private slot that is no longer loaded from at all loses its stores. */
#include "internal.h"

#include <string.h>

enum { K_LOAD_BASE = 0 };

typedef struct memkey {
    uint32_t addr;          /* value, or slot | SLOT_BIT */
    int32_t offset;
    uint32_t ver;
    uint16_t op, type;
    uint8_t endian;
} memkey;
#define SLOT_BIT 0x80000000u

typedef struct entry {
    memkey k;
    uint32_t value;
    bool used;
} entry;

typedef struct memctx {
    opt_fn *o;
    uint8_t *private_slot;  /* per stack slot */
    uint32_t nslots;
    uint32_t *ver;          /* 0: no region; 1..255 regions; 256 + s: slot s */
    uint32_t fence, any, clock;
    entry *tab;
    uint32_t mask, count;
    IR_VEC(uint32_t) undo;  /* table slots, or (1 << 31 | index) version changes with old value */
    IR_VEC(uint32_t) undo_old;
    bool changed;
} memctx;

#define NREG 256u
#define VER_FENCE UINT32_MAX
#define VER_ANY (UINT32_MAX - 1)

static bool is_plain_load(ir_opcode op)
{
    switch (op) {
    case IR_OP_load: case IR_OP_uload8: case IR_OP_sload8: case IR_OP_uload16: case IR_OP_sload16:
    case IR_OP_uload32: case IR_OP_sload32:
        return true;
    default:
        return false;
    }
}

static bool is_plain_store(ir_opcode op)
{
    return op == IR_OP_store || op == IR_OP_istore8 || op == IR_OP_istore16 || op == IR_OP_istore32;
}

static unsigned access_size(const ir_function *f, uint32_t inst)
{
    const ir_inst_data *in = &f->insts.v[inst];
    ir_type t = opt_access_type(f, inst);
    switch (in->op) {
    case IR_OP_uload8: case IR_OP_sload8: case IR_OP_istore8: return 1;
    case IR_OP_uload16: case IR_OP_sload16: case IR_OP_istore16: return 2;
    case IR_OP_uload32: case IR_OP_sload32: case IR_OP_istore32: return 4;
    default: return t & IR_TYPE_DYNAMIC ? 0 : ir_type_bytes(t);
    }
}

/* The slot behind a direct access's address, IR_NONE if none or escaping. */
static uint32_t slot_of(const memctx *m, uint32_t inst, uint32_t addr, int64_t *off)
{
    const ir_function *f = m->o->f;
    uint32_t d = opt_value_def(f, addr);
    if (d == IR_NONE || f->insts.v[d].op != IR_OP_stack_addr)
        return IR_NONE;
    uint32_t s = f->insts.v[d].ent;
    if (s >= m->nslots || !m->private_slot[s])
        return IR_NONE;
    *off = f->insts.v[d].imm + f->insts.v[inst].imm;
    return s;
}

/* ---- which slots are private -------------------------------------------------- */

static void escape(memctx *m, uint32_t v)
{
    uint32_t d = opt_value_def(m->o->f, v);
    if (d != IR_NONE && m->o->f->insts.v[d].op == IR_OP_stack_addr && m->o->f->insts.v[d].ent < m->nslots)
        m->private_slot[m->o->f->insts.v[d].ent] = 0;
}

static void escape_operand(void *arg, uint32_t *slot) { escape(arg, *slot); }

static bool direct_ok(const memctx *m, uint32_t inst, uint32_t addr)
{
    const ir_function *f = m->o->f;
    uint32_t d = opt_value_def(f, addr);
    if (d == IR_NONE || f->insts.v[d].op != IR_OP_stack_addr)
        return true;
    const ir_stack_slot *ss = &f->stack_slots.v[f->insts.v[d].ent];
    int64_t off = f->insts.v[d].imm + f->insts.v[inst].imm;
    unsigned size = access_size(f, inst);
    return size && !ss->dynamic && off >= 0 && (uint64_t)off + size <= ss->size;
}

uint8_t *opt_private_slots(const ir_function *f)
{
    memctx m = {.o = &(opt_fn){.f = (ir_function *)f}};
    m.nslots = f->stack_slots.n;
    m.private_slot = malloc(m.nslots + 1);
    if (!m.private_slot) {
        fputs("clifrun: out of memory\n", stderr);
        exit(3);
    }
    memset(m.private_slot, 1, m.nslots + 1);
    for (uint32_t s = 0; s < m.nslots; s++)
        if (f->stack_slots.v[s].dynamic)
            m.private_slot[s] = 0;
    for (uint32_t li = 0; li < f->layout.n; li++)
        for (uint32_t i = f->blocks.v[f->layout.v[li]].first; i != IR_NONE; i = f->insts.v[i].next) {
            const ir_inst_data *in = &f->insts.v[i];
            const uint32_t *a = ir_inst_args(f, i);
            if (in->op == IR_OP_get_frame_pointer || in->op == IR_OP_get_stack_pointer) {
                memset(m.private_slot, 0, m.nslots);    /* the frame is in reach */
                return m.private_slot;
            }
            if (is_plain_load(in->op)) {
                if (!direct_ok(&m, i, a[0]))
                    escape(&m, a[0]);
            } else if (is_plain_store(in->op)) {
                escape(&m, a[0]);
                if (!direct_ok(&m, i, a[1]))
                    escape(&m, a[1]);
            } else {
                opt_each_operand((ir_function *)f, i, escape_operand, &m);
            }
        }
    /* An escaping address may reach past its slot into the others: the
     * frame is one piece of memory (the suite's i128-load-store.clif
     * stores at ss1+16 into ss2), so one escape makes no slot private. */
    for (uint32_t s = 0; s < m.nslots; s++)
        if (!m.private_slot[s] && !f->stack_slots.v[s].dynamic) {
            memset(m.private_slot, 0, m.nslots);
            break;
        }
    return m.private_slot;
}

/* ---- versions and the table ----------------------------------------------------- */

static void set_ver(memctx *m, uint32_t idx, uint32_t v)
{
    uint32_t *p = idx == VER_FENCE ? &m->fence : idx == VER_ANY ? &m->any : &m->ver[idx];
    ir_vec_push(&m->undo, (uint32_t)1 << 31 | (idx >= VER_ANY ? (idx - VER_ANY) | 0x40000000u : idx));
    ir_vec_push(&m->undo_old, *p);
    *p = v;
}

static void undo_to(memctx *m, uint32_t mark)
{
    while (m->undo.n > mark) {
        uint32_t u = m->undo.v[--m->undo.n], old = m->undo_old.v[--m->undo_old.n];
        if (!(u >> 31)) {
            m->tab[u].used = false;
            m->count--;
            continue;
        }
        uint32_t idx = u & 0x7fffffffu;
        if (idx & 0x40000000u)
            *((idx & 1) ? &m->fence : &m->any) = old;
        else
            m->ver[idx] = old;
    }
}

static uint32_t max3(uint32_t a, uint32_t b, uint32_t c)
{
    uint32_t x = a > b ? a : b;
    return x > c ? x : c;
}

static uint32_t hash_key(const memkey *k)
{
    uint64_t h = 0x243f6a8885a308d3ull;
    h = (h ^ k->addr) * 0x100000001b3ull;
    h = (h ^ (uint32_t)k->offset) * 0x100000001b3ull;
    h = (h ^ k->ver) * 0x100000001b3ull;
    h = (h ^ (k->op | (uint32_t)k->type << 16)) * 0x100000001b3ull;
    h = (h ^ k->endian) * 0x100000001b3ull;
    return (uint32_t)(h ^ h >> 31);
}

static bool key_eq(const memkey *a, const memkey *b)
{
    return a->addr == b->addr && a->offset == b->offset && a->ver == b->ver && a->op == b->op &&
           a->type == b->type && a->endian == b->endian;
}

static entry *lookup(memctx *m, const memkey *k, uint32_t *slot)
{
    uint32_t h = hash_key(k) & m->mask;
    while (m->tab[h].used) {
        if (key_eq(&m->tab[h].k, k))
            return &m->tab[h];
        h = (h + 1) & m->mask;
    }
    *slot = h;
    return NULL;
}

static void insert(memctx *m, const memkey *k, uint32_t value)
{
    uint32_t slot;
    entry *e = lookup(m, k, &slot);
    if (e || m->count >= m->mask / 4 * 3)
        return;
    m->tab[slot].k = *k;
    m->tab[slot].value = value;
    m->tab[slot].used = true;
    m->count++;
    ir_vec_push(&m->undo, slot);
    ir_vec_push(&m->undo_old, 0);
}

/* The key of a plain access; false if its offset does not fit. */
static bool make_key(memctx *m, uint32_t inst, uint32_t addr, ir_opcode keyop, memkey *k, uint32_t *cls)
{
    const ir_inst_data *in = &m->o->f->insts.v[inst];
    int64_t off = in->imm;
    uint32_t s = slot_of(m, inst, addr, &off);
    memset(k, 0, sizeof *k);
    k->op = (uint16_t)keyop;
    k->type = opt_access_type(m->o->f, inst);
    k->endian = in->mf.bits & (IR_MF_LITTLE | IR_MF_BIG);
    if (s != IR_NONE) {
        k->addr = s | SLOT_BIT;
        off = off - 0;  /* total offset in the slot */
        *cls = NREG + s;
        k->ver = m->ver[NREG + s];
    } else {
        k->addr = ir_value_resolve(m->o->f, addr);
        off = in->imm;
        *cls = in->mf.region;
        k->ver = in->mf.region ? max3(m->ver[in->mf.region], m->fence, 0) : max3(m->any, m->fence, 0);
    }
    if (off != (int32_t)off)
        return false;
    k->offset = (int32_t)off;
    return true;
}

static void clobber_all(memctx *m)
{
    set_ver(m, VER_FENCE, ++m->clock);
    set_ver(m, VER_ANY, m->clock);
}

static void visit_inst(memctx *m, uint32_t i)
{
    ir_function *f = m->o->f;
    ir_inst_data *in = &f->insts.v[i];
    unsigned fl = ir_opcodes[in->op].flags;
    if (is_plain_load(in->op) && !(in->type & IR_TYPE_DYNAMIC)) {
        if (in->mf.bits & IR_MF_READONLY)
            return;     /* gvn.c merges these */
        memkey k;
        uint32_t cls, slot;
        if (!make_key(m, i, ir_inst_args(f, i)[0], in->op, &k, &cls))
            return;
        entry *e = lookup(m, &k, &slot);
        uint32_t r = ir_inst_results(f, i)[0];
        if (e && f->values.v[ir_value_resolve(f, e->value)].type == f->values.v[r].type) {
            ir_value_replace(f, r, e->value);
            ir_inst_remove(f, i);
            m->changed = true;
            return;
        }
        insert(m, &k, r);
        return;
    }
    if (is_plain_store(in->op) && !(in->type & IR_TYPE_DYNAMIC)) {
        memkey k;
        uint32_t cls;
        const uint32_t *a = ir_inst_args(f, i);
        int64_t off;
        uint32_t s = slot_of(m, i, a[1], &off);
        if (s != IR_NONE)
            set_ver(m, NREG + s, ++m->clock);
        else if (in->mf.region) {
            set_ver(m, in->mf.region, ++m->clock);
            set_ver(m, VER_ANY, m->clock);
        } else
            clobber_all(m);
        if (in->op == IR_OP_store && make_key(m, i, a[1], IR_OP_load, &k, &cls))
            insert(m, &k, a[0]);
        return;
    }
    if ((fl & (IR_OPF_CALL | IR_OPF_CAN_STORE | IR_OPF_SIDE_EFFECT)))
        clobber_all(m);
}

static void visit_block(memctx *m, uint32_t b)
{
    ir_function *f = m->o->f;
    for (uint32_t i = f->blocks.v[b].first, nx; i != IR_NONE; i = nx) {
        nx = f->insts.v[i].next;
        visit_inst(m, i);
    }
}

/* Stores into private slots nothing loads from any more. */
static void dead_slot_stores(memctx *m)
{
    ir_function *f = m->o->f;
    uint8_t *loaded = calloc(m->nslots + 1, 1);
    if (!loaded)
        exit(3);
    for (uint32_t li = 0; li < f->layout.n; li++)
        for (uint32_t i = f->blocks.v[f->layout.v[li]].first; i != IR_NONE; i = f->insts.v[i].next) {
            int64_t off;
            if (is_plain_load(f->insts.v[i].op)) {
                uint32_t s = slot_of(m, i, ir_inst_args(f, i)[0], &off);
                if (s != IR_NONE)
                    loaded[s] = 1;
            }
        }
    for (uint32_t li = 0; li < f->layout.n; li++)
        for (uint32_t i = f->blocks.v[f->layout.v[li]].first, nx; i != IR_NONE; i = nx) {
            nx = f->insts.v[i].next;
            int64_t off;
            if (is_plain_store(f->insts.v[i].op)) {
                uint32_t s = slot_of(m, i, ir_inst_args(f, i)[1], &off);
                if (s != IR_NONE && !loaded[s]) {
                    ir_inst_remove(f, i);
                    m->changed = true;
                }
            }
        }
    free(loaded);
}

bool opt_mem(opt_fn *o)
{
    ir_function *f = o->f;
    if (!o->nrpo)
        return true;
    uint32_t nmem = 0, nload = 0;
    for (uint32_t i = 0; i < f->insts.n; i++)
        if (f->insts.v[i].block != IR_NONE) {
            unsigned fl = ir_opcodes[f->insts.v[i].op].flags;
            nmem += (fl & (IR_OPF_CAN_LOAD | IR_OPF_CAN_STORE)) != 0;
            nload += (fl & IR_OPF_CAN_LOAD) != 0;
        }
    if (!nload && !f->stack_slots.n)
        return true;    /* nothing to forward, no slot store to drop */
    memctx m = {.o = o, .private_slot = opt_private_slots(f), .nslots = f->stack_slots.n};
    m.ver = calloc(NREG + m.nslots + 1, sizeof *m.ver);
    uint32_t cap = 64;
    while (cap < 2 * (nmem + 16))
        cap *= 2;
    m.tab = calloc(cap, sizeof *m.tab);
    m.mask = cap - 1;
    uint32_t *stack = malloc((o->nrpo + 1) * sizeof *stack), *next = malloc((o->nrpo + 1) * sizeof *next),
             *mark = malloc((o->nrpo + 1) * sizeof *mark);
    if (!m.ver || !m.tab || !stack || !next || !mark) {
        fputs("clifrun: out of memory\n", stderr);
        exit(3);
    }
    uint32_t entry_block = o->rpo[0];
#define SINGLE_PRED(s) (o->pred_off[(s) + 1] - o->pred_off[s] == 1 && (s) != entry_block && \
                        o->pred[o->pred_off[s]] != (s))
    for (uint32_t r = 0; r < o->nrpo; r++) {
        uint32_t root = o->rpo[r];
        if (root != entry_block && SINGLE_PRED(root))
            continue;   /* inside another block's tree */
        clobber_all(&m);    /* a merge point: nothing known */
        uint32_t sp = 0;
        stack[sp] = root;
        mark[sp] = m.undo.n;
        next[sp++] = o->succ_off[root];
        visit_block(&m, root);
        while (sp) {
            uint32_t b = stack[sp - 1];
            if (next[sp - 1] < o->succ_off[b + 1]) {
                uint32_t s = o->succ[next[sp - 1]++];
                if (!SINGLE_PRED(s))
                    continue;
                stack[sp] = s;
                mark[sp] = m.undo.n;
                next[sp++] = o->succ_off[s];
                visit_block(&m, s);
                continue;
            }
            sp--;
            undo_to(&m, mark[sp]);
        }
    }
#undef SINGLE_PRED
    dead_slot_stores(&m);
    o->changed |= m.changed;
    free(stack);
    free(next);
    free(mark);
    free(m.tab);
    free(m.ver);
    free(m.private_slot);
    ir_vec_free(&m.undo);
    ir_vec_free(&m.undo_old);
    return true;
}
