/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfc - what the parts of the module share.  Not for consumers: they use
 * pfc.h.
 */
#ifndef _PFC_INTERNAL_H
#define _PFC_INTERNAL_H

#include <linux/fsnotify_backend.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/percpu.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>

#include "compat.h"
#include "pfc_race.h"

/**
 * struct pfc_walk_node - a place in pfc_entries
 * @link: in pfc_entries, under pfc_entries_lock.
 * @cursor: this node is a walker's cursor, not an entry's.
 *
 * A walk leaves its cursor in the list when it drops pfc_entries_lock
 * between batches, and goes on after it: entries that die meanwhile leave
 * the list without disturbing the walk.
 */
struct pfc_walk_node {
	struct list_head link;
	bool cursor;
};

/**
 * enum pfc_entry_state - where an entry is in its life
 * @PFC_ENTRY_NEW: being created: the mark may be on the inode, the entry
 *	is not hashed.  The creator holds the mark's initial reference.
 * @PFC_ENTRY_LIVE: hashed, on pfc_entries, takes contexts.  The mark's
 *	initial reference is the entry's own.
 * @PFC_ENTRY_DEAD: fsnotify destroyed the mark (or the creator gave up):
 *	unhashed, no contexts, takes none.
 */
enum pfc_entry_state {
	PFC_ENTRY_NEW,
	PFC_ENTRY_LIVE,
	PFC_ENTRY_DEAD,
};

/**
 * struct pfc_entry - the contexts of one inode
 * @mark: pfc's fsnotify mark on @inode; the entry is freed with it.
 * @node: link in pfc_table, keyed on @inode.  Removed under @lock when the
 *	entry dies, before the inode can be freed.
 * @inode: the inode; not a reference.  Dereferenced only under @lock
 *	while @state is LIVE, or by callers that hold an inode reference:
 *	module exit destroys marks of inodes that may be freed meanwhile.
 * @dev: @inode's device, for tracepoints that may run after it is freed.
 * @ino: @inode's number, likewise.
 * @lock: protects @contexts and @state.  Taken from the eviction path
 *	(possibly in reclaim), so never held across a sleeping allocation;
 *	not IRQ-safe, so never taken from interrupt context.
 * @state: enum pfc_entry_state, under @lock.
 * @contexts: RCU list of struct pfc_context, newest first.  Readers walk it
 *	under rcu_read_lock() only; writers hold @lock.
 * @all: in pfc_entries while LIVE and until pfc_freeing_mark() takes it
 *	off; the entry is not freed before.
 * @rcu: frees the entry a grace period after fsnotify is done with it.
 */
struct pfc_entry {
	struct fsnotify_mark mark;
	struct rhash_head node;
	struct inode *inode;
	dev_t dev;
	unsigned long ino;
	spinlock_t lock; /* see above */
	u8 state;
	struct hlist_head contexts;
	struct pfc_walk_node all;
	struct rcu_head rcu;
};

/* Event counters, per CPU so that lookups do not share a cache line. */
enum pfc_stat {
	PFC_STAT_INSERTS,
	PFC_STAT_REMOVES,
	PFC_STAT_LOOKUPS,
	PFC_STAT_EVICTIONS,
	PFC_STAT_CALLBACKS,
	PFC_STAT_ENTRIES,
	PFC_STAT_QUEUED,
	PFC_STAT_NR
};

DECLARE_PER_CPU(unsigned long[PFC_STAT_NR], pfc_stats);

static inline void pfc_stat_inc(enum pfc_stat stat)
{
	this_cpu_inc(pfc_stats[stat]);
}

unsigned long pfc_stat_sum(enum pfc_stat stat);

/*
 * Gauges, derived from the counters rather than kept in shared atomics
 * that every insert and unlink would bounce between CPUs: exact when
 * nothing runs concurrently (at unload, after a test), a snapshot
 * otherwise.
 */
static inline long pfc_live_entries(void)
{
	return pfc_stat_sum(PFC_STAT_ENTRIES) - pfc_stat_sum(PFC_STAT_EVICTIONS);
}

static inline long pfc_live_contexts(void)
{
	return pfc_stat_sum(PFC_STAT_INSERTS) - pfc_stat_sum(PFC_STAT_REMOVES);
}

static inline long pfc_pending_callbacks(void)
{
	return pfc_stat_sum(PFC_STAT_QUEUED) - pfc_stat_sum(PFC_STAT_CALLBACKS);
}

/*
 * Every entry that was published and has not finished dying, in creation
 * order, and the cursors of the walks in progress.  The lock nests outside
 * entry->lock and is never taken from interrupt context.
 */
extern struct list_head pfc_entries;
extern spinlock_t pfc_entries_lock;

void pfc_walk_begin(struct pfc_walk_node *cursor);
struct pfc_entry *pfc_walk_peek(struct pfc_walk_node *cursor);
struct pfc_entry *pfc_walk_next(struct pfc_walk_node *cursor);
void pfc_walk_rewind(struct pfc_walk_node *cursor);
void pfc_walk_end(struct pfc_walk_node *cursor);

/*
 * A function called on every live entry with its lock and pfc_entries_lock
 * held: it must not sleep.
 */
typedef void (*pfc_entry_fn)(struct pfc_entry *entry, void *arg);

void pfc_walk_entries(pfc_entry_fn fn, void *arg);

/*
 * entry->lock is not IRQ-safe: the calls that take it are for task
 * context (FsRtl's rule is the same: IRQL <= APC_LEVEL), atomic sections
 * included.  Lockdep builds check it.
 */
#define pfc_assert_task_context()	lockdep_assert(in_task())

int pfc_context_init(void);
void pfc_context_exit(void);

#ifdef CONFIG_DEBUG_FS
void pfc_debugfs_init(void);
void pfc_debugfs_exit(void);
#else
static inline void pfc_debugfs_init(void) { }
static inline void pfc_debugfs_exit(void) { }
#endif

#endif /* _PFC_INTERNAL_H */
