/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfc - what the parts of the module share.  Not for consumers: they use
 * pfc.h.
 */
#ifndef _PFC_INTERNAL_H
#define _PFC_INTERNAL_H

#include <linux/fsnotify_backend.h>
#include <linux/percpu.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>

#include "compat.h"

/**
 * struct pfc_entry - the contexts of one inode
 * @mark: pfc's fsnotify mark on @inode; the entry is freed with it.
 * @node: link in pfc_table, keyed on @inode.  Removed under @lock when the
 *	entry dies, before the inode can be freed.
 * @inode: the inode; not a reference.  Only dereferenced while the entry
 *	is alive (see @dead) or by callers that hold an inode reference.
 * @lock: protects writes to @contexts and @dead.  Taken from the eviction
 *	path, so never held across a sleeping allocation.
 * @dead: set (under @lock) when the entry is unhashed: no more inserts.
 *	An entry that has not been hashed yet is dead too.
 * @contexts: RCU list of struct pfc_context, newest first.  Readers walk it
 *	under rcu_read_lock() only; writers hold @lock.
 * @rcu: frees the entry a grace period after fsnotify is done with it.
 */
struct pfc_entry {
	struct fsnotify_mark mark;
	struct rhash_head node;
	struct inode *inode;
	spinlock_t lock; /* see above */
	bool dead;
	struct hlist_head contexts;
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
 * A function called on every live entry with its lock held, all within one
 * RCU read-side critical section: it must not sleep.
 */
typedef void (*pfc_entry_fn)(struct pfc_entry *entry, void *arg);

void pfc_walk_entries(pfc_entry_fn fn, void *arg);

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
