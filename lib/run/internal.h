/* Internal to lib/run: what trap.c, child.c and sandbox.c share.  run.h is
 * the folder's interface. */
#ifndef CLIFRUN_RUN_INTERNAL_H
#define CLIFRUN_RUN_INTERNAL_H

#include "run.h"

/* Why a batch child ended on its own (child_state.reason). */
enum {
    CHILD_RUNNING,
    CHILD_DONE,             /* every item run */
    CHILD_RESTART,          /* a fault in host code: a fresh child goes on */
    CHILD_STUCK,            /* an interrupt waited out its grace in host code */
    CHILD_BLOCKED,          /* the sandbox blocked system call `detail` */
    CHILD_NO_SANDBOX,       /* the filter could not be installed: msg */
};

/* One page shared by a batch child and its parent (MAP_SHARED). */
typedef struct child_state {
    volatile uint32_t next;         /* the first item not finished */
    volatile uint32_t cur;          /* the item under way, if in_item */
    volatile uint32_t in_item;
    volatile uint32_t failed;       /* items that did not pass, in this child */
    volatile int reason;            /* CHILD_* */
    volatile int detail;            /* CHILD_STUCK: run_status; CHILD_BLOCKED: syscall */
    volatile int write_errno;
    volatile int64_t item_start_ns; /* CLOCK_MONOTONIC at the start of the item */
    char msg[200];
} child_state;

/* In a batch child: its state; NULL elsewhere. */
extern child_state *run_child;
extern bool run_expendable;     /* run_set_expendable */

/* CLOCK_MONOTONIC in nanoseconds (async-signal-safe). */
int64_t run_now_ns(void);

/* In a child of run_fork: the guard's per-thread timer is the parent's,
 * not this process's (trap.c; fork() runs it as an atfork handler). */
void run_guard_forked(void);

#endif
