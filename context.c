// SPDX-License-Identifier: GPL-2.0
/*
 * pfc - per-file contexts for loadable kernel modules: the contexts
 *
 * OBJECTS
 *
 * A consumer embeds a struct pfc_context in its own structure and attaches
 * it to an inode.  pfc keeps, for every inode that carries contexts, one
 * struct pfc_entry: an RCU list of the contexts (newest first), found
 * through an rhashtable keyed on the inode pointer, and an fsnotify inode
 * mark of pfc's own group that tells pfc when the inode goes away.
 *
 * REFCNT
 *
 * A context starts with one reference (pfc_init_context()).  A successful
 * insert hands it to the inode's list; pfc_lookup_get() and
 * pfc_insert_unique() take more, pfc_put() drops one.  Unlinking a context
 * (pfc_remove(), pfc_teardown(), pfc_remove_owner(), eviction) moves or
 * drops the list's reference.  A linked context therefore always has a
 * reference; when the last one goes, the context is unlinked already, and
 * its free callback is queued behind an RCU grace period.
 *
 * The entry is the fsnotify mark (embedded).  The mark's initial reference
 * is the entry's own and is dropped in pfc_freeing_mark(), the one place
 * where an entry dies; fsnotify drops its other references itself and calls
 * pfc_free_mark() at the end, which frees the entry after a grace period.
 *
 * LOCKING
 *
 * pfc_lookup() and pfc_lookup_get() take no lock: rhashtable lookup plus an
 * RCU list walk.  Writers of an entry's list take entry->lock.  Creating an
 * entry is serialised by pfc_create_lock, which no eviction path takes.
 * pfc_entries_lock protects pfc_entries, the list the sweeps, debugfs and
 * module exit walk.  Lock order:
 *
 *	pfc_create_lock
 *	  fsnotify group->mark_mutex (inside fsnotify_add_mark())
 *	  inode->i_lock
 *	  pfc_entries_lock
 *	    entry->lock
 *	      rhashtable bucket lock
 *
 * pfc_freeing_mark() takes entry->lock and pfc_entries_lock one after the
 * other, never nested.  None of them is IRQ-safe: the calls that take them
 * are for task context (pfc_assert_task_context()).
 *
 * Eviction may run inside memory reclaim and takes entry->lock, the bucket
 * lock and pfc_entries_lock; none is ever held across an allocation that
 * can enter reclaim (rhashtable inserts allocate with GFP_ATOMIC).  The one
 * sleeping allocation, the entry itself, happens with no lock held, and
 * fsnotify allocates its connector under the group mutex with NOFS set.
 *
 * LIFETIME
 *
 * An entry is NEW from its allocation until pfc_entry_create() publishes
 * it (hashed, on pfc_entries: LIVE); it dies in pfc_freeing_mark(), which
 * fsnotify calls once the mark is destroyed:
 *
 *  - when the inode is destroyed (__destroy_inode() -> fsnotify_inode_delete()):
 *    last iput() of an unlinked inode, inode cache shrinking, drop_caches;
 *  - on the last dput() of an unlinked file (fsnotify_inoderemove()), on
 *    6.1 on the dput() of any alias of an inode with no links left;
 *  - on umount (fsnotify_sb_delete());
 *  - when pfc itself is unloaded (pfc_destroy_all_marks()).
 *
 * In every case but the last the inode is alive while pfc_freeing_mark()
 * runs, and the entry is unhashed before the inode's memory can be freed
 * and reused, so a recycled inode pointer never finds stale contexts.  At
 * unload an eviction may free the inode while pfc destroys its mark: no
 * insert can run then, and pfc_freeing_mark() does not dereference it.
 * The marks are "evictable" (FSNOTIFY_MARK_FLAG_NO_IREF): they hold no
 * inode reference, so contexts never keep an inode in memory.
 *
 * THE WINDOWS, and the race-point case of kunit/pfc_race_kunit.c that
 * parks a thread in each (pfc_race.h):
 *
 *  1. mark added, entry not yet published (PFC_RACE_CREATE_MARKED):
 *     fsnotify may destroy the mark; pfc_freeing_mark() finds the entry
 *     NEW, makes it DEAD and leaves the initial reference to the creator,
 *     which does not publish it and starts again.  Lookups see nothing;
 *     other inserts wait on pfc_create_lock.
 *     test_race_create_marked_vs_inode_delete, and without race points
 *     test_race_insert_vs_inoderemove.
 *  2. mark destroyed, pfc_freeing_mark() not yet in (PFC_RACE_FREEING):
 *     the entry is LIVE; inserts, removes and sweeps work on it as usual,
 *     and whatever is linked then is dropped with the entry.
 *     test_race_freeing_vs_insert.
 *  3. unhashed and dropped, still on pfc_entries (PFC_RACE_EVICT_DROPPED):
 *     walks skip the DEAD entry; an insert creates a new entry.
 *     test_race_evict_dropped_vs_remove_owner.
 *  4. a walk between two batches, no lock held (PFC_RACE_WALK_BATCH): its
 *     cursor keeps its place while entries before and after it die.
 *     test_race_walk_batch_vs_evict.
 *  5. module exit holding a mark reference, no lock (PFC_RACE_UNLOAD_MARK):
 *     a umount or eviction destroys the mark and frees the inode first.
 *     kunit/hardening/unload-umount.sh (exit cannot run under KUnit: it
 *     sleeps there through the race_delay_* parameters).
 *  6. open hook: superblock mark added, watch not yet listed
 *     (PFC_RACE_WATCH_MARKED): unwatch finds nothing; umount marks the
 *     watch dead.  test_race_watch_marked_vs_unwatch.
 *
 * Unhashing and dropping the contexts are one section of entry->lock, and
 * linking a context into an entry checks LIVE under the same lock: there
 * is no window between them.

 * An entry whose contexts were all removed stays with its inode, empty,
 * until the inode is destroyed: a later insert then costs no allocation.
 *
 * A context dies when its last reference is dropped after it was unlinked:
 * pfc_put() queues it with call_rcu(), the RCU callback moves it to
 * pfc_free_list, and pfc_free_work calls its free callback in process
 * context with no pfc lock held.  pfc_barrier() waits for both stages.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/dcache.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/fsnotify_backend.h>
#include <linux/hash.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rculist.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "pfc.h"
#include "internal.h"

#define CREATE_TRACE_POINTS
#include "pfc_trace.h"

/* ctx->flags bits */
#define PFC_CTX_LINKED		0	/* on an inode's list (owns a reference) */
#define PFC_CTX_INSERTED	1	/* was inserted once: gets a free callback */

/*
 * The key is a pointer: hash and compare it as one word rather than with
 * the default jhash2() and memcmp() over its bytes (the lookup is pfc's
 * hot path; the benchmark measured this as about a fifth of it).
 */
static u32 pfc_hashfn(const void *key, u32 len, u32 seed)
{
	return hash_long(*(const unsigned long *)key ^ seed, 32);
}

static int pfc_cmpfn(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct pfc_entry *entry = obj;

	return entry->inode != *(struct inode * const *)arg->key;
}

static const struct rhashtable_params pfc_params = {
	.key_len = sizeof(struct inode *),
	.key_offset = offsetof(struct pfc_entry, inode),
	.head_offset = offsetof(struct pfc_entry, node),
	.hashfn = pfc_hashfn,
	.obj_cmpfn = pfc_cmpfn,
	.automatic_shrinking = true,
};

/* Every live entry, keyed on its inode pointer. */
static struct rhashtable pfc_table;
/* See internal.h. */
LIST_HEAD(pfc_entries);
DEFINE_SPINLOCK(pfc_entries_lock);
/* Serialises entry creation so that an inode never gets two entries. */
static DEFINE_MUTEX(pfc_create_lock);
static struct kmem_cache *pfc_entry_cache;
static struct fsnotify_group *pfc_group;
/* Completed when pfc_group is freed: every mark is gone by then. */
static DECLARE_COMPLETION(pfc_group_freed);

/* Contexts whose grace period has passed, waiting for their callback. */
static LLIST_HEAD(pfc_free_list);
static void pfc_free_workfn(struct work_struct *work);
static DECLARE_WORK(pfc_free_work, pfc_free_workfn);
static struct workqueue_struct *pfc_wq;
/*
 * Callbacks queued by free callbacks (a callback that drops the last
 * reference to another context): pfc_barrier() waits for those too.
 */
static atomic_long_t pfc_nested_queued = ATOMIC_LONG_INIT(0);

DEFINE_PER_CPU(unsigned long[PFC_STAT_NR], pfc_stats);

unsigned long pfc_stat_sum(enum pfc_stat stat)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(pfc_stats, cpu)[stat];
	return sum;
}

/**
 * pfc_init_context() - initialise a per-file context before inserting it
 * @ctx: the context, usually embedded in the caller's structure
 * @owner: the owner key; must not be NULL for pfc_insert() to accept @ctx
 * @instance: optional instance key, or NULL
 * @free: called once after @ctx is unlinked and its last reference dropped
 *
 * The counterpart of FsRtlInitPerFileContext().  @ctx gets one reference,
 * which a successful insert hands to the inode.
 *
 * Context: Any context.
 */
void pfc_init_context(struct pfc_context *ctx, const void *owner,
		      const void *instance, pfc_free_fn free)
{
	ctx->owner = owner;
	ctx->instance = instance;
	ctx->free = free;
	refcount_set(&ctx->ref, 1);
	ctx->flags = 0;
	ctx->unlinked = 0;
	INIT_HLIST_NODE(&ctx->node);
}
EXPORT_SYMBOL_NS_GPL(pfc_init_context, PFC);

static bool pfc_inode_freeing(const struct inode *inode)
{
	return READ_ONCE(inode->i_state) & (I_FREEING | I_WILL_FREE | I_CLEAR);
}

/**
 * pfc_supported() - can this inode carry per-file contexts?
 * @inode: the inode, or NULL
 *
 * The counterpart of FsRtlSupportsPerFileContexts().  The shared anonymous
 * inode behind anon_inode_getfile() (one inode for many unrelated files)
 * and inodes that are being freed cannot.
 *
 * Context: Any context.
 * Return: true if pfc_insert() may attach contexts to @inode.
 */
bool pfc_supported(const struct inode *inode)
{
	if (!inode)
		return false;
	if (inode->i_sb->s_magic == ANON_INODE_FS_MAGIC)
		return false;
	return !pfc_inode_freeing(inode);
}
EXPORT_SYMBOL_NS_GPL(pfc_supported, PFC);

/**
 * pfc_file_inode() - the inode that carries a file's contexts
 * @file: an open file
 *
 * The counterpart of FsRtlGetPerFileContextPointer().  On overlayfs this is
 * the inode of the file system @file was opened on: the overlay inode for
 * a file opened through the overlay, the real inode for the file overlayfs
 * opens underneath; pfc_file_data_inode() gives the inode holding the data.
 *
 * Context: Any context.
 * Return: file_inode(@file), or NULL if it cannot carry contexts.
 */
struct inode *pfc_file_inode(const struct file *file)
{
	struct inode *inode = file ? file_inode(file) : NULL;

	return pfc_supported(inode) ? inode : NULL;
}
EXPORT_SYMBOL_NS_GPL(pfc_file_inode, PFC);

/**
 * pfc_file_data_inode() - the inode that holds a file's data
 * @file: an open file, or one being opened (the open hook's @file)
 *
 * On most file systems the same as pfc_file_inode().  On a stacked file
 * system they differ: pfc_file_inode() of a file opened through an
 * overlayfs mount is the overlay inode, which lives as long as the
 * overlay's dentry and whose contexts say nothing about the lower or
 * upper file; this returns the real inode whose pages reads of @file
 * return now (d_real_inode()): the upper inode once the file is copied
 * up, else the lower one.  The file overlayfs opens on the real file
 * system for an overlay file (a backing file with FMODE_BACKING on 6.12,
 * one opened with the overlay's path on 6.1) has the real inode as its
 * file_inode(), and both functions return that.  A consumer that caches
 * anything about a file's content (a verdict, a digest) keys it on this
 * inode and watches its change attributes and i_writecount; copy-up moves
 * the data to a new inode, whose contexts start empty.
 *
 * The data inode is pinned by the file's dentry (an overlay dentry holds
 * its upper and lower dentries until it dies), so it may be used for as
 * long as the caller holds @file.
 *
 * Context: Process context.  May sleep on overlayfs with data-only lower
 * layers (6.12), whose lower data is looked up on first use; if that
 * lookup fails (the data object is missing, or a signal arrives while
 * waiting for the overlay inode's lock), overlayfs prints a warning and
 * this returns NULL.  An opened file has its lower data looked up already.
 * Return: the data inode, or NULL if it cannot carry contexts or cannot
 * be found.
 */
struct inode *pfc_file_data_inode(const struct file *file)
{
	struct dentry *dentry;
	struct inode *inode;

	if (!file)
		return NULL;
	inode = file_inode(file);
	dentry = file->f_path.dentry;
	/*
	 * A file whose f_path is not its inode's (6.1's real file of an
	 * overlay file) reads that inode for as long as it is open.
	 */
	if (inode == d_inode(dentry)) {
		inode = d_real_inode(dentry);
		/* overlayfs gives a regular file's own dentry back on failure. */
		if (inode == d_inode(dentry) && d_is_reg(dentry) &&
		    (dentry->d_flags & DCACHE_OP_REAL))
			return NULL;
	}
	return pfc_supported(inode) ? inode : NULL;
}
EXPORT_SYMBOL_NS_GPL(pfc_file_data_inode, PFC);

/**
 * pfc_mapping_inode() - the inode that carries a mapping's contexts
 * @mapping: an address_space
 *
 * Context: Any context.
 * Return: the host inode of @mapping, or NULL if it cannot carry contexts.
 */
struct inode *pfc_mapping_inode(const struct address_space *mapping)
{
	struct inode *inode = mapping ? mapping->host : NULL;

	return pfc_supported(inode) ? inode : NULL;
}
EXPORT_SYMBOL_NS_GPL(pfc_mapping_inode, PFC);

/*
 * FSRTL matching: no owner and no instance match anything; an owner alone
 * matches all of its contexts; both match the exact pair.  An instance
 * without an owner matches nothing: callers check pfc_keys_match_nothing()
 * first.
 */
static bool pfc_match(const struct pfc_context *ctx, const void *owner,
		      const void *instance)
{
	if (!owner)
		return true;
	return ctx->owner == owner && (!instance || ctx->instance == instance);
}

static bool pfc_keys_match_nothing(const struct inode *inode,
				   const void *owner, const void *instance)
{
	return !inode || (!owner && instance);
}

static struct pfc_entry *pfc_entry_find(struct inode *inode)
{
	return rhashtable_lookup(&pfc_table, &inode, pfc_params);
}

static void pfc_ctx_rcu(struct rcu_head *head)
{
	struct pfc_context *ctx = container_of(head, struct pfc_context, rcu);

	llist_add(&ctx->free_node, &pfc_free_list);
	queue_work(pfc_wq, &pfc_free_work);
}

static void pfc_free_workfn(struct work_struct *work)
{
	struct llist_node *list = llist_reverse_order(llist_del_all(&pfc_free_list));
	struct pfc_context *ctx, *next;

	llist_for_each_entry_safe(ctx, next, list, free_node) {
		trace_pfc_free(ctx);
		ctx->free(ctx);
		pfc_stat_inc(PFC_STAT_CALLBACKS);
		cond_resched();
	}
}

/**
 * pfc_put() - drop a reference to a per-file context
 * @ctx: the context
 *
 * The counterpart of FltReleaseContext().  When the last reference of a
 * context that was inserted and has been unlinked goes away, its free
 * callback is queued to run after an RCU grace period.  The last reference
 * of a context that was never inserted just returns it to its owner: no
 * callback.
 *
 * Context: Any context.
 */
void pfc_put(struct pfc_context *ctx)
{
	if (!refcount_dec_and_test(&ctx->ref))
		return;
	/* The list owns a reference: a linked context cannot get here. */
	if (WARN_ON_ONCE(test_bit(PFC_CTX_LINKED, &ctx->flags)))
		return;
	if (!test_bit(PFC_CTX_INSERTED, &ctx->flags))
		return;
	pfc_stat_inc(PFC_STAT_QUEUED);
	if (current_work() == &pfc_free_work)
		atomic_long_inc(&pfc_nested_queued);
	call_rcu(&ctx->rcu, pfc_ctx_rcu);
}
EXPORT_SYMBOL_NS_GPL(pfc_put, PFC);

/* Unlink @ctx from its entry; the caller inherits the list's reference. */
static void pfc_unlink(struct pfc_entry *entry, struct pfc_context *ctx)
{
	lockdep_assert_held(&entry->lock);
	trace_pfc_unlink(entry, ctx);
	hlist_del_rcu(&ctx->node);
	ctx->unlinked = get_state_synchronize_rcu();
	/* Pairs with test_and_set_bit_lock() in pfc_insert_check(). */
	clear_bit_unlock(PFC_CTX_LINKED, &ctx->flags);
	pfc_stat_inc(PFC_STAT_REMOVES);
}

static void pfc_link(struct pfc_entry *entry, struct pfc_context *ctx)
{
	lockdep_assert_held(&entry->lock);
	set_bit(PFC_CTX_INSERTED, &ctx->flags);
	hlist_add_head_rcu(&ctx->node, &entry->contexts);
	trace_pfc_insert(entry, ctx);
	pfc_stat_inc(PFC_STAT_INSERTS);
}

/* Unlink and put every context of @entry that matches. */
static unsigned int pfc_entry_drop(struct pfc_entry *entry, const void *owner)
{
	struct pfc_context *ctx;
	struct hlist_node *tmp;
	unsigned int n = 0;

	lockdep_assert_held(&entry->lock);
	hlist_for_each_entry_safe(ctx, tmp, &entry->contexts, node) {
		if (!pfc_match(ctx, owner, NULL))
			continue;
		pfc_unlink(entry, ctx);
		pfc_put(ctx);
		n++;
	}
	return n;
}

/*
 * fsnotify calls this exactly once per attached mark, whatever destroys it:
 * inode destruction, umount, unlink + last close, or pfc_exit().  It runs in
 * process context (possibly inside reclaim) with no fsnotify lock held.
 */
static void pfc_freeing_mark(struct fsnotify_mark *mark,
			     struct fsnotify_group *group)
{
	struct pfc_entry *entry = container_of(mark, struct pfc_entry, mark);
	unsigned int dropped = 0;
	bool live;

	pfc_race_point(PFC_RACE_FREEING, entry->inode);
	/*
	 * Unhash and drop in one section of entry->lock: a walker that finds
	 * the entry DEAD under the lock sees its contexts dropped already.
	 * The inode may be freed under us at module exit: use entry->dev
	 * and entry->ino, not the inode.
	 */
	spin_lock(&entry->lock);
	live = entry->state == PFC_ENTRY_LIVE;
	if (live) {
		rhashtable_remove_fast(&pfc_table, &entry->node, pfc_params);
		dropped = pfc_entry_drop(entry, NULL);
	}
	WRITE_ONCE(entry->state, PFC_ENTRY_DEAD);
	spin_unlock(&entry->lock);
	/*
	 * Never published: pfc_entry_create() holds the initial reference,
	 * sees DEAD and drops it.
	 */
	if (!live)
		return;
	trace_pfc_evict(entry, dropped);
	pfc_stat_inc(PFC_STAT_EVICTIONS);
	pfc_race_point(PFC_RACE_EVICT_DROPPED, entry->inode);
	spin_lock(&pfc_entries_lock);
	list_del(&entry->all.link);
	spin_unlock(&pfc_entries_lock);
	/* The entry's own reference, taken by fsnotify_init_mark(). */
	fsnotify_put_mark(mark);
}

static void pfc_entry_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(pfc_entry_cache,
			container_of(head, struct pfc_entry, rcu));
}

/* fsnotify is done with the mark; lockless readers may still see it. */
static void pfc_free_mark(struct fsnotify_mark *mark)
{
	struct pfc_entry *entry = container_of(mark, struct pfc_entry, mark);

	call_rcu(&entry->rcu, pfc_entry_free_rcu);
}

/* Marks have an empty mask: no event is ever delivered to them. */
static int pfc_handle_inode_event(struct fsnotify_mark *mark, u32 mask,
				  struct inode *inode, struct inode *dir,
				  const struct qstr *name, u32 cookie)
{
	return 0;
}

static void pfc_free_group_priv(struct fsnotify_group *group)
{
	complete(&pfc_group_freed);
}

static const struct fsnotify_ops pfc_fsnotify_ops = {
	.handle_inode_event = pfc_handle_inode_event,
	.freeing_mark = pfc_freeing_mark,
	.free_mark = pfc_free_mark,
	.free_group_priv = pfc_free_group_priv,
};

/*
 * Create, attach and publish the entry of @inode, unless another thread
 * published one first.  Returns 0 once @inode has a published entry.
 */
static int pfc_entry_create(struct inode *inode)
{
	struct pfc_entry *new;
	bool freeing;
	int err;

	might_sleep();
	new = kmem_cache_zalloc(pfc_entry_cache, GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	new->inode = inode;
	new->dev = inode->i_sb->s_dev;
	new->ino = inode->i_ino;
	spin_lock_init(&new->lock);
	INIT_HLIST_HEAD(&new->contexts);
	new->state = PFC_ENTRY_NEW;
	INIT_LIST_HEAD(&new->all.link);
	fsnotify_init_mark(&new->mark, pfc_group);
	new->mark.flags |= FSNOTIFY_MARK_FLAG_NO_IREF;

	mutex_lock(&pfc_create_lock);
	rcu_read_lock();
	if (pfc_entry_find(inode)) {
		/*
		 * Lost the race.  The entry may still die before our caller
		 * links into it (fsnotify_inoderemove(), umount); pfc_attach()
		 * then finds it not LIVE, or gone, and calls us again.
		 */
		rcu_read_unlock();
		mutex_unlock(&pfc_create_lock);
		fsnotify_put_mark(&new->mark);
		return 0;
	}
	rcu_read_unlock();

	err = fsnotify_add_inode_mark(&new->mark, inode, 0);
	if (err) {
		mutex_unlock(&pfc_create_lock);
		fsnotify_put_mark(&new->mark);
		/*
		 * -ENOENT: the inode's connector is being destroyed (unlink +
		 * last dput, umount): transient, the caller tries again.
		 * -EEXIST should not happen (an attached mark of ours is
		 * hashed, or destroyed under pfc_create_lock); were it to, the
		 * other mark is on its way out: try again too.
		 */
		if (err == -EEXIST)
			return -EAGAIN;
		if (err == -ENOMEM || err == -ENOENT)
			return err;
		return -EOPNOTSUPP;
	}
	/*
	 * From here until the entry is published, fsnotify may destroy the
	 * mark (fsnotify_inoderemove(), umount): pfc_freeing_mark() then
	 * finds the entry NEW, makes it DEAD and leaves the initial
	 * reference, and with it the entry's memory, to us.
	 */
	pfc_race_point(PFC_RACE_CREATE_MARKED, inode);

	/*
	 * The caller's inode reference keeps i_count above zero, so the
	 * inode cannot have started freeing (pfc_insert_check() refused one
	 * that had).  Only a caller that breaks the contract, inserting from
	 * an eviction path, gets here with a freeing inode: once eviction is
	 * past fsnotify_inode_delete() nothing would destroy the mark, so we
	 * do, which is right only if eviction has not got there yet.  Warn:
	 * that caller has a use-after-free of its own.
	 */
	spin_lock(&inode->i_lock);
	freeing = pfc_inode_freeing(inode);
	spin_unlock(&inode->i_lock);
	if (WARN_ON_ONCE(freeing)) {
		err = -EOPNOTSUPP;
		goto destroy;
	}

	spin_lock(&pfc_entries_lock);
	spin_lock(&new->lock);
	if (new->state == PFC_ENTRY_NEW) {
		err = rhashtable_lookup_insert_fast(&pfc_table, &new->node,
						    pfc_params);
		if (!err) {
			WRITE_ONCE(new->state, PFC_ENTRY_LIVE);
			list_add_tail(&new->all.link, &pfc_entries);
		} else {
			err = -ENOMEM;
		}
	} else {
		/* The mark was destroyed under us: try again. */
		err = -EAGAIN;
	}
	spin_unlock(&new->lock);
	spin_unlock(&pfc_entries_lock);
	if (!err) {
		pfc_stat_inc(PFC_STAT_ENTRIES);
		mutex_unlock(&pfc_create_lock);
		return 0;
	}
	if (err == -EAGAIN) {
		mutex_unlock(&pfc_create_lock);
		fsnotify_put_mark(&new->mark);
		return err;
	}

destroy:
	/*
	 * @new is not LIVE: pfc_freeing_mark() leaves our reference alone.
	 * Destroy the mark before another insert can run: an attached mark
	 * of ours that is not hashed would make its fsnotify_add_inode_mark()
	 * fail with -EEXIST.  (pfc_create_lock before the group's
	 * mark_mutex, as on the way in.)
	 */
	fsnotify_destroy_mark(&new->mark, pfc_group);
	mutex_unlock(&pfc_create_lock);
	fsnotify_put_mark(&new->mark);
	return err;
}

/*
 * Validate an insert and claim @ctx.  On success PFC_CTX_LINKED is set, so
 * a concurrent insert of the same context fails with -EINVAL.
 */
static int pfc_insert_check(struct inode *inode, struct pfc_context *ctx)
{
	if (!inode || !ctx || !ctx->owner || !ctx->free)
		return -EINVAL;
	if (test_and_set_bit_lock(PFC_CTX_LINKED, &ctx->flags))
		return -EINVAL;
	if (!pfc_supported(inode)) {
		clear_bit_unlock(PFC_CTX_LINKED, &ctx->flags);
		return -EOPNOTSUPP;
	}
	/*
	 * A context that was removed may still be seen by lockless readers
	 * of its old list: let them finish before it joins another list.
	 */
	if (test_bit(PFC_CTX_INSERTED, &ctx->flags))
		cond_synchronize_rcu(ctx->unlinked);
	return 0;
}

static struct pfc_context *pfc_entry_match(struct pfc_entry *entry,
					   const void *owner,
					   const void *instance)
{
	struct pfc_context *ctx;

	hlist_for_each_entry_rcu(ctx, &entry->contexts, node,
				 lockdep_is_held(&entry->lock))
		if (pfc_match(ctx, owner, instance))
			return ctx;
	return NULL;
}

/* The attached context with exactly @ctx's keys, if any. */
static struct pfc_context *pfc_entry_same_key(struct pfc_entry *entry,
					      const struct pfc_context *ctx)
{
	struct pfc_context *old;

	lockdep_assert_held(&entry->lock);
	hlist_for_each_entry(old, &entry->contexts, node)
		if (old->owner == ctx->owner && old->instance == ctx->instance)
			return old;
	return NULL;
}

/*
 * Link @ctx (claimed by pfc_insert_check()) into the live entry of @inode,
 * creating the entry if needed.  With @unique, an attached context with the
 * same keys is returned referenced instead, and @ctx is released.
 */
static struct pfc_context *pfc_attach(struct inode *inode,
				      struct pfc_context *ctx, bool unique)
{
	struct pfc_context *old = NULL;
	struct pfc_entry *entry;
	bool linked = false;
	int err;

	for (;;) {
		rcu_read_lock();
		entry = pfc_entry_find(inode);
		if (entry) {
			spin_lock(&entry->lock);
			if (entry->state == PFC_ENTRY_LIVE) {
				old = unique ? pfc_entry_same_key(entry, ctx) : NULL;
				/* Linked: the list's reference keeps it above 0. */
				if (old)
					refcount_inc(&old->ref);
				else
					pfc_link(entry, ctx);
				linked = true;
			}
			spin_unlock(&entry->lock);
		}
		rcu_read_unlock();
		if (linked)
			break;
		err = pfc_entry_create(inode);
		if (err == -EAGAIN || err == -ENOENT) {
			/* fsnotify is (or was) destroying the inode's marks. */
			if (pfc_inode_freeing(inode)) {
				old = ERR_PTR(-EOPNOTSUPP);
				break;
			}
			if (err == -ENOENT)
				schedule_timeout_uninterruptible(1);
			continue;
		}
		if (err) {
			old = ERR_PTR(err);
			break;
		}
	}
	if (old)
		clear_bit_unlock(PFC_CTX_LINKED, &ctx->flags);
	return old;
}

/**
 * pfc_insert() - attach a per-file context to an inode
 * @inode: the inode; the caller holds a reference on it
 * @ctx: a context set up by pfc_init_context() and not inserted anywhere
 *
 * The counterpart of FsRtlInsertPerFileContext(): @ctx goes first in the
 * inode's list, duplicates are not checked.  On success the reference
 * @ctx holds moves to the inode's list.  On failure @ctx remains the
 * caller's, untouched, and the inode's list is unchanged.
 *
 * Context: Process context; may sleep.
 * Return: 0 on success, -EINVAL for a NULL @inode or @ctx, a @ctx with no
 * owner or no free callback or already inserted, -EOPNOTSUPP if @inode
 * cannot carry contexts, -ENOMEM if memory ran out.
 */
int pfc_insert(struct inode *inode, struct pfc_context *ctx)
{
	int err = pfc_insert_check(inode, ctx);

	return err ?: PTR_ERR_OR_ZERO(pfc_attach(inode, ctx, false));
}
EXPORT_SYMBOL_NS_GPL(pfc_insert, PFC);

/**
 * pfc_insert_unique() - attach a context unless its key is already there
 * @inode: the inode; the caller holds a reference on it
 * @ctx: a context set up by pfc_init_context() and not inserted anywhere
 *
 * Like FltSetFileContext() with FLT_SET_CONTEXT_KEEP_IF_EXISTS: atomically
 * looks for a context with the same owner and instance as @ctx and inserts
 * @ctx only if there is none.
 *
 * Context: Process context; may sleep.
 * Return: NULL if @ctx was inserted; the context already attached, with a
 * reference the caller must drop with pfc_put(), in which case @ctx is left
 * untouched and still the caller's; or ERR_PTR() with the errors of
 * pfc_insert().
 */
struct pfc_context *pfc_insert_unique(struct inode *inode,
				      struct pfc_context *ctx)
{
	int err = pfc_insert_check(inode, ctx);

	return err ? ERR_PTR(err) : pfc_attach(inode, ctx, true);
}
EXPORT_SYMBOL_NS_GPL(pfc_insert_unique, PFC);

/**
 * pfc_lookup() - find a per-file context, without taking a reference
 * @inode: the inode
 * @owner: owner to match, or NULL for any
 * @instance: instance to match, or NULL for any of @owner's
 *
 * The counterpart of FsRtlLookupPerFileContext().  Both keys NULL match any
 * context; @owner alone matches any of its contexts; both match the exact
 * pair; @instance without @owner matches nothing.  The most recently
 * inserted match wins.  Takes no lock and never sleeps.
 *
 * Context: Must be called under rcu_read_lock().
 * Return: the context, valid until rcu_read_unlock(), or NULL.
 */
struct pfc_context *pfc_lookup(struct inode *inode, const void *owner,
			       const void *instance)
{
	struct pfc_entry *entry;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "needs rcu_read_lock()");
	pfc_stat_inc(PFC_STAT_LOOKUPS);
	if (pfc_keys_match_nothing(inode, owner, instance))
		return NULL;
	entry = pfc_entry_find(inode);
	return entry ? pfc_entry_match(entry, owner, instance) : NULL;
}
EXPORT_SYMBOL_NS_GPL(pfc_lookup, PFC);

/**
 * pfc_lookup_get() - find a per-file context and take a reference
 * @inode: the inode
 * @owner: owner to match, or NULL for any
 * @instance: instance to match, or NULL for any of @owner's
 *
 * Like FltGetFileContext(): matching as in pfc_lookup().  A context whose
 * last reference is going away is skipped.
 *
 * Context: Any context that may call rcu_read_lock(); never sleeps.
 * Return: the context with a reference the caller drops with pfc_put(),
 * or NULL.
 */
struct pfc_context *pfc_lookup_get(struct inode *inode, const void *owner,
				   const void *instance)
{
	struct pfc_context *ctx = NULL;
	struct pfc_entry *entry;

	pfc_stat_inc(PFC_STAT_LOOKUPS);
	if (pfc_keys_match_nothing(inode, owner, instance))
		return NULL;
	rcu_read_lock();
	entry = pfc_entry_find(inode);
	if (entry) {
		hlist_for_each_entry_rcu(ctx, &entry->contexts, node)
			if (pfc_match(ctx, owner, instance) &&
			    refcount_inc_not_zero(&ctx->ref))
				break;
	}
	rcu_read_unlock();
	return ctx;
}
EXPORT_SYMBOL_NS_GPL(pfc_lookup_get, PFC);

/**
 * pfc_remove() - unlink a per-file context
 * @inode: the inode
 * @owner: owner to match, or NULL for any
 * @instance: instance to match, or NULL for any of @owner's
 *
 * The counterpart of FsRtlRemovePerFileContext(): unlinks the first match
 * (matching as in pfc_lookup()) and hands the list's reference to the
 * caller, who drops it with pfc_put() or inserts the context again.
 *
 * Context: Task context, atomic sections included (a spinlock held,
 * preemption or interrupts disabled); not from a hard or soft interrupt
 * handler, as FsRtl's is for IRQL <= APC_LEVEL.  Never sleeps.  On
 * PREEMPT_RT, where spinlock_t is a sleeping lock, it takes one: a
 * spinlock_t may be held, but not a raw_spinlock_t, and preemption and
 * interrupts must be enabled.
 * Return: the unlinked context, or NULL if nothing matched.
 */
struct pfc_context *pfc_remove(struct inode *inode, const void *owner,
			       const void *instance)
{
	struct pfc_context *ctx = NULL;
	struct pfc_entry *entry;

	pfc_assert_task_context();
	if (pfc_keys_match_nothing(inode, owner, instance))
		return NULL;
	/* A dead entry's list is empty: no need to check entry->state. */
	rcu_read_lock();
	entry = pfc_entry_find(inode);
	if (entry) {
		spin_lock(&entry->lock);
		ctx = pfc_entry_match(entry, owner, instance);
		if (ctx)
			pfc_unlink(entry, ctx);
		spin_unlock(&entry->lock);
	}
	rcu_read_unlock();
	return ctx;
}
EXPORT_SYMBOL_NS_GPL(pfc_remove, PFC);

/**
 * pfc_teardown() - unlink and release every context of an inode
 * @inode: the inode
 *
 * The counterpart of FsRtlTeardownPerFileContexts(): every context is
 * unlinked and its list reference dropped; callbacks follow once each has
 * no other reference.  A file system or consumer may call it when it knows
 * the file is gone; eviction does the same on its own.
 *
 * Context: As pfc_remove().
 */
void pfc_teardown(struct inode *inode)
{
	struct pfc_entry *entry;

	pfc_assert_task_context();
	if (!inode)
		return;
	rcu_read_lock();
	entry = pfc_entry_find(inode);
	if (entry) {
		spin_lock(&entry->lock);
		pfc_entry_drop(entry, NULL);
		spin_unlock(&entry->lock);
	}
	rcu_read_unlock();
}
EXPORT_SYMBOL_NS_GPL(pfc_teardown, PFC);

/* Put @cursor at the head of pfc_entries. */
void pfc_walk_begin(struct pfc_walk_node *cursor)
{
	cursor->cursor = true;
	spin_lock(&pfc_entries_lock);
	list_add(&cursor->link, &pfc_entries);
	spin_unlock(&pfc_entries_lock);
}

/* The first entry after @cursor, not moving it.  Under pfc_entries_lock. */
struct pfc_entry *pfc_walk_peek(struct pfc_walk_node *cursor)
{
	struct pfc_walk_node *node = cursor;

	lockdep_assert_held(&pfc_entries_lock);
	list_for_each_entry_continue(node, &pfc_entries, link)
		if (!node->cursor)
			return container_of(node, struct pfc_entry, all);
	return NULL;
}

/*
 * The first entry after @cursor, moving @cursor past it; NULL (and the
 * cursor at the end) when there is none.  Under pfc_entries_lock.
 */
struct pfc_entry *pfc_walk_next(struct pfc_walk_node *cursor)
{
	struct pfc_entry *entry = pfc_walk_peek(cursor);

	if (entry)
		list_move(&cursor->link, &entry->all.link);
	else
		list_move_tail(&cursor->link, &pfc_entries);
	return entry;
}

/* Back to the head.  Under pfc_entries_lock. */
void pfc_walk_rewind(struct pfc_walk_node *cursor)
{
	lockdep_assert_held(&pfc_entries_lock);
	list_move(&cursor->link, &pfc_entries);
}

void pfc_walk_end(struct pfc_walk_node *cursor)
{
	spin_lock(&pfc_entries_lock);
	list_del(&cursor->link);
	spin_unlock(&pfc_entries_lock);
}

#define PFC_WALK_BATCH	128

/*
 * Call @fn on every live entry, locked, in batches: between two batches
 * the walk drops every lock and reschedules, its cursor holding its place
 * in pfc_entries, so that 10^6 entries neither stall RCU nor hog a CPU.
 * Entries that die meanwhile leave the list without disturbing the walk;
 * entries created during the walk may or may not be seen.
 *
 * Context: Process context; sleeps.
 */
void pfc_walk_entries(pfc_entry_fn fn, void *arg)
{
	struct pfc_walk_node cursor;
	struct pfc_entry *entry;
	unsigned int n = 0;

	might_sleep();
	pfc_walk_begin(&cursor);
	spin_lock(&pfc_entries_lock);
	while ((entry = pfc_walk_next(&cursor))) {
		spin_lock(&entry->lock);
		if (entry->state == PFC_ENTRY_LIVE)
			fn(entry, arg);
		spin_unlock(&entry->lock);
		if (++n % PFC_WALK_BATCH)
			continue;
		spin_unlock(&pfc_entries_lock);
		pfc_race_point(PFC_RACE_WALK_BATCH, arg);
		cond_resched();
		spin_lock(&pfc_entries_lock);
	}
	list_del(&cursor.link);
	spin_unlock(&pfc_entries_lock);
}

static void pfc_drop_owner(struct pfc_entry *entry, void *owner)
{
	pfc_entry_drop(entry, owner);
}

/**
 * pfc_remove_owner() - unlink every context of an owner, on every inode
 * @owner: the owner
 *
 * What FltUnregisterFilter() does to a filter's contexts: a consumer calls
 * it from its module exit, after it stopped inserting.  Every context of
 * @owner is unlinked and its list reference dropped, and the call returns
 * once all of their free callbacks have run, so none can run into unloaded
 * code.  References to @owner's contexts must be dropped first, by the
 * consumer and by anyone else: a context found with a NULL owner through
 * pfc_lookup_get() and still held keeps its callback pending past this
 * call.
 *
 * Context: Process context; sleeps.
 */
void pfc_remove_owner(const void *owner)
{
	might_sleep();
	if (!owner)
		return;
	pfc_walk_entries(pfc_drop_owner, (void *)owner);
	/*
	 * An eviction drops its entry's contexts under entry->lock before it
	 * takes the entry off pfc_entries: whether the walk found the entry
	 * DEAD or gone, the drops of @owner's contexts, and so the queueing
	 * of their callbacks, came before.  Wait for the callbacks.
	 */
	pfc_barrier();
}
EXPORT_SYMBOL_NS_GPL(pfc_remove_owner, PFC);

/**
 * pfc_barrier() - wait for pending free callbacks
 *
 * Returns once every free callback queued before the call has run, and
 * every callback that those queued in turn (a free callback may drop the
 * last reference to another context).
 *
 * Context: Process context; sleeps.
 */
void pfc_barrier(void)
{
	long nested;

	might_sleep();
	do {
		nested = atomic_long_read(&pfc_nested_queued);
		rcu_barrier();
		flush_work(&pfc_free_work);
	} while (atomic_long_read(&pfc_nested_queued) != nested);
}
EXPORT_SYMBOL_NS_GPL(pfc_barrier, PFC);

/*
 * At module exit, destroy the mark of every entry through pfc's own list,
 * as fsnotify destroys a group's marks: no inode reference is taken, so a
 * concurrent umount finds no busy inode, and an inode freed meanwhile is
 * never touched (pfc_freeing_mark() does not dereference it).  A listed
 * entry holds its mark's initial reference, so the mark's count is above
 * zero when we take ours (fsnotify_get_mark() is not exported).  No insert
 * can run any more: consumers and debugfs are gone.
 */
static void pfc_destroy_all_marks(void)
{
	struct pfc_entry *entry;
	struct pfc_walk_node *node;
	bool live;

	for (;;) {
		entry = NULL;
		spin_lock(&pfc_entries_lock);
		list_for_each_entry(node, &pfc_entries, link) {
			if (node->cursor)
				continue;
			entry = container_of(node, struct pfc_entry, all);
			/* A DEAD one leaves the list on its own. */
			if (READ_ONCE(entry->state) == PFC_ENTRY_LIVE)
				break;
			entry = NULL;
		}
		if (entry)
			refcount_inc(&entry->mark.refcnt);
		spin_unlock(&pfc_entries_lock);
		if (!entry) {
			if (list_empty_careful(&pfc_entries))
				break;
			/*
			 * Only dying entries (window 3) are left; each
			 * leaves the list within a few steps of another task:
			 * sleep, don't spin against it.
			 */
			schedule_timeout_uninterruptible(1);
			continue;
		}
		pfc_race_point(PFC_RACE_UNLOAD_MARK, entry->inode);
		/* A no-op if an eviction destroyed it meanwhile. */
		fsnotify_destroy_mark(&entry->mark, pfc_group);
		/*
		 * Still LIVE: fsnotify is destroying the mark on another task,
		 * which has not reached pfc_freeing_mark() yet (window 2).  We
		 * would pick this entry again at once: let that task run.
		 */
		live = READ_ONCE(entry->state) == PFC_ENTRY_LIVE;
		fsnotify_put_mark(&entry->mark);
		if (live)
			schedule_timeout_uninterruptible(1);
		else
			cond_resched();
	}
}

int __init pfc_context_init(void)
{
	int err;

	pfc_entry_cache = KMEM_CACHE(pfc_entry, 0);
	if (!pfc_entry_cache)
		return -ENOMEM;
	err = rhashtable_init(&pfc_table, &pfc_params);
	if (err)
		goto err_cache;
	pfc_wq = alloc_workqueue("pfc", WQ_UNBOUND, 0);
	if (!pfc_wq) {
		err = -ENOMEM;
		goto err_table;
	}
	pfc_group = fsnotify_alloc_group(&pfc_fsnotify_ops, PFC_GROUP_NOFS);
	if (IS_ERR(pfc_group)) {
		err = PTR_ERR(pfc_group);
		goto err_wq;
	}
	return 0;

err_wq:
	destroy_workqueue(pfc_wq);
err_table:
	rhashtable_destroy(&pfc_table);
err_cache:
	kmem_cache_destroy(pfc_entry_cache);
	return err;
}

void pfc_context_exit(void)
{
	/* Destroy every mark: each one's freeing_mark drops its contexts. */
	pfc_destroy_all_marks();
	/*
	 * Marks of inodes that were dying during the walk are destroyed by
	 * their eviction; the group goes once every mark is freed.
	 */
	fsnotify_put_group(pfc_group);
	fsnotify_wait_marks_destroyed();
	wait_for_completion(&pfc_group_freed);
	/*
	 * The last put may have been the reaper's, which is still returning
	 * through pfc_free_group_priv(): let it leave our text first.
	 */
	fsnotify_wait_marks_destroyed();
	/*
	 * Entries' and contexts' RCU callbacks, then the free callbacks and
	 * those they queued, before the workqueue goes.
	 */
	pfc_barrier();
	destroy_workqueue(pfc_wq);
	WARN_ON_ONCE(pfc_live_entries() || pfc_live_contexts() ||
		     pfc_pending_callbacks());
	rhashtable_destroy(&pfc_table);
	kmem_cache_destroy(pfc_entry_cache);
}
