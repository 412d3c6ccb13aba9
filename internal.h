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
#include <linux/rculist.h>
#include <linux/refcount.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>

#include "compat.h"
#include "pfc.h"
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
 * enum pfc_entry_state - where an object's list is in its life
 * @PFC_ENTRY_NEW: being created: the mark may be on the object, the entry
 *	is not hashed.  The creator holds the mark's initial reference.
 * @PFC_ENTRY_LIVE: hashed, takes contexts.  For an entry, on pfc_entries,
 *	and the mark's initial reference is the entry's own.
 * @PFC_ENTRY_DEAD: the object is gone (or the creator gave up): unhashed,
 *	no contexts, takes none.
 */
enum pfc_entry_state {
	PFC_ENTRY_NEW,
	PFC_ENTRY_LIVE,
	PFC_ENTRY_DEAD,
};

/* What a list belongs to. */
enum pfc_obj_kind {
	PFC_OBJ_INODE,
	PFC_OBJ_SB,
	PFC_OBJ_FILE,
};

/**
 * struct pfc_clist - the contexts of one object, whatever the object
 * @lock: protects @contexts and @state.  Taken from the eviction path
 *	(possibly in reclaim), so never held across a sleeping allocation;
 *	not IRQ-safe, so never taken from interrupt context.
 * @state: enum pfc_entry_state, under @lock; written with WRITE_ONCE() for
 *	the lockless peeks of module exit.
 * @kind: enum pfc_obj_kind; constant.
 * @dev: the object's device, for tracepoints and debugfs, which may run
 *	after the object is freed; constant.
 * @ino: the inode number (0 for a superblock); constant.
 * @contexts: RCU list of struct pfc_context, newest first.  Readers walk
 *	it under rcu_read_lock() only; writers hold @lock.
 */
struct pfc_clist {
	spinlock_t lock; /* see above */
	u8 state;
	u8 kind;
	dev_t dev;
	unsigned long ino;
	struct hlist_head contexts;
};

/* How pfc_clist_add() treats a context with the same keys. */
enum pfc_add_mode {
	PFC_ADD,		/* ignore it (pfc_insert()) */
	PFC_ADD_UNIQUE,		/* keep it and return it (pfc_insert_unique()) */
	PFC_ADD_REPLACE,	/* put the new one in its place (pfc_replace()) */
};

/* ctx->flags bits */
#define PFC_CTX_LINKED		0	/* on a list (owns a reference) */
#define PFC_CTX_INSERTED	1	/* was inserted once: gets a free callback */

int pfc_ctx_claim(struct pfc_context *ctx);
void pfc_ctx_unclaim(struct pfc_context *ctx);
struct pfc_context *pfc_clist_add(struct pfc_clist *list,
				  struct pfc_context *ctx,
				  enum pfc_add_mode mode);
struct pfc_context *pfc_clist_remove(struct pfc_clist *list, const void *owner,
				     const void *instance);
unsigned int pfc_clist_drop(struct pfc_clist *list, const void *owner);

/*
 * FSRTL matching: no owner and no instance match anything; an owner alone
 * matches all of its contexts; both match the exact pair.  An instance
 * without an owner matches nothing: callers check pfc_keys_match_nothing()
 * first.
 */
static inline bool pfc_match(const struct pfc_context *ctx,
			     const void *owner, const void *instance)
{
	if (!owner)
		return true;
	return ctx->owner == owner && (!instance || ctx->instance == instance);
}

/*
 * The newest context of @list that matches.  Under rcu_read_lock() or
 * @list->lock.
 */
static inline struct pfc_context *
pfc_clist_match(struct pfc_clist *list, const void *owner, const void *instance)
{
	struct pfc_context *ctx;

	hlist_for_each_entry_rcu(ctx, &list->contexts, node,
				 lockdep_is_held(&list->lock))
		if (pfc_match(ctx, owner, instance))
			return ctx;
	return NULL;
}

/* Walks of pfc_clist_get() that may start again, see there. */
#define PFC_GET_RETRIES	16

/*
 * The newest match that is not going away, with a reference.  Under
 * rcu_read_lock().  A match whose count is 0 is unlinked already; if a
 * replace unlinked it, its successor took its place, behind us: walk
 * again from the head, so that a replace does not make the lookup miss
 * both.  Each walk again needs another unlink and last put of a match
 * meanwhile: bounded, in case they never stop.
 */
static inline struct pfc_context *
pfc_clist_get(struct pfc_clist *list, const void *owner, const void *instance)
{
	struct pfc_context *ctx;
	unsigned int walks = 0;

again:
	hlist_for_each_entry_rcu(ctx, &list->contexts, node) {
		if (!pfc_match(ctx, owner, instance))
			continue;
		if (refcount_inc_not_zero(&ctx->ref))
			return ctx;
		if (++walks < PFC_GET_RETRIES)
			goto again;
	}
	return NULL;
}

/* An instance without an owner matches nothing (FSRTL). */
static inline bool pfc_keys_match_nothing(const void *obj, const void *owner,
					  const void *instance)
{
	return !obj || (!owner && instance);
}

struct pfc_close_mark;

/**
 * struct pfc_entry - the contexts of one inode or superblock
 * @mark: pfc's fsnotify mark on the object; the entry is freed with it.
 * @node: link in pfc_table, keyed on @key.  Removed under @list.lock when
 *	the entry dies, before the object can be freed.
 * @key: the object, @inode or @sb; not a reference.  Dereferenced only
 *	under @list.lock while the list is LIVE, or by callers that hold a
 *	reference: module exit destroys marks of inodes that may be freed
 *	meanwhile.
 * @inode: @key of an inode's entry (@list.kind PFC_OBJ_INODE).
 * @sb: @key of a superblock's entry (@list.kind PFC_OBJ_SB).
 * @list: the contexts; @list.lock protects the fields below too.
 * @files: inode entries only: struct pfc_fentry of the inode's open files
 *	that carry contexts, under @list.lock.
 * @close: inode entries only: the close mark that tells pfc about the last
 *	fput() of those files, under @list.lock; whoever clears it drops
 *	its initial reference.
 * @all: in pfc_entries while LIVE and until pfc_freeing_mark() takes it
 *	off; the entry is not freed before.
 * @rcu: frees the entry a grace period after fsnotify is done with it.
 */
struct pfc_entry {
	struct fsnotify_mark mark;
	struct rhash_head node;
	union {
		const void *key;
		struct inode *inode;
		struct super_block *sb;
	};
	struct pfc_clist list;
	struct hlist_head files;
	struct pfc_close_mark *close;
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
	PFC_STAT_FILES,
	PFC_STAT_FILES_CLOSED,
	PFC_STAT_CLOSE_MARKS,
	PFC_STAT_CLOSE_MARKS_FREED,
	PFC_STAT_NR
};

DECLARE_PER_CPU(unsigned long[PFC_STAT_NR], pfc_stats);

/*
 * PFC_NO_STATS (make PFC_NO_STATS=1, bench/native.sh only): no counters,
 * and debugfs's stats read 0.  On x86 this_cpu_inc() is one instruction;
 * User-Mode Linux has no per-CPU instructions and brackets each one with
 * two calls that block and unblock signals, which the native benchmark
 * measures this way.
 */
static inline void pfc_stat_inc(enum pfc_stat stat)
{
#ifndef PFC_NO_STATS
	this_cpu_inc(pfc_stats[stat]);
#endif
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

static inline long pfc_live_files(void)
{
	return pfc_stat_sum(PFC_STAT_FILES) - pfc_stat_sum(PFC_STAT_FILES_CLOSED);
}

static inline long pfc_live_close_marks(void)
{
	return pfc_stat_sum(PFC_STAT_CLOSE_MARKS) -
	       pfc_stat_sum(PFC_STAT_CLOSE_MARKS_FREED);
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
 * A function called on a live entry with its lock held (by a walk, also
 * with pfc_entries_lock; by pfc_entry_live(), also with a shard's
 * create_lock when the entry is new): it must not sleep.
 */
typedef void (*pfc_entry_fn)(struct pfc_entry *entry, void *arg);

void pfc_walk_entries(pfc_entry_fn fn, void *arg);

/*
 * entry->lock is not IRQ-safe: the calls that take it are for task
 * context (FsRtl's rule is the same: IRQL <= APC_LEVEL), atomic sections
 * included.  Lockdep builds check it.
 */
#define pfc_assert_task_context()	lockdep_assert(in_task())

/* inode.c: entries of inodes and superblocks */
struct pfc_entry *pfc_entry_find(const void *key);
struct pfc_context *pfc_entry_attach(void *key, enum pfc_obj_kind kind,
				     struct pfc_context *ctx,
				     enum pfc_add_mode mode);
struct pfc_context *pfc_entry_lookup(const void *key, const void *owner,
				     const void *instance);
struct pfc_context *pfc_entry_lookup_get(const void *key, const void *owner,
					 const void *instance);
struct pfc_context *pfc_entry_remove(const void *key, const void *owner,
				     const void *instance);
int pfc_entry_get_live(struct inode *inode, struct pfc_entry **entryp);

/* file.c: per-open contexts, children of their inode's entry */
void pfc_files_die(struct pfc_entry *entry);
void pfc_files_drop_owner(struct pfc_entry *entry, const void *owner);
struct seq_file;
void pfc_files_show(struct seq_file *m, struct pfc_entry *entry);
struct pfc_close_mark *pfc_close_take(struct pfc_entry *entry);
void pfc_close_destroy(struct pfc_close_mark *cm);
int pfc_files_init(void);
void pfc_files_exit(void);

int pfc_contexts_init(void);
void pfc_contexts_exit(void);
int pfc_entries_init(void);
void pfc_entries_exit(void);

#ifdef CONFIG_DEBUG_FS
void pfc_debugfs_init(void);
void pfc_debugfs_exit(void);
#else
static inline void pfc_debugfs_init(void) { }
static inline void pfc_debugfs_exit(void) { }
#endif

#endif /* _PFC_INTERNAL_H */
