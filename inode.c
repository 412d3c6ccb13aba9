// SPDX-License-Identifier: GPL-2.0
/*
 * pfc - per-file contexts for loadable kernel modules: the entries of
 * inodes and superblocks
 *
 * For every inode or superblock that carries contexts, pfc keeps one
 * struct pfc_entry: its context list (context.c), found through an
 * rhashtable keyed on the object's pointer, and an fsnotify mark of one of
 * pfc's groups (one per creation shard) that tells pfc when the object
 * goes away.  The entry is the mark (embedded).  The mark's initial
 * reference is the entry's own and is dropped in pfc_freeing_mark(), the
 * one place where an entry dies; fsnotify drops its other references
 * itself and calls pfc_free_mark() at the end, which frees the entry after
 * a grace period.  An inode's entry
 * is also the parent of the per-open lists of its files (file.c), which
 * die with it at the latest.
 *
 * LOCKING
 *
 * pfc_lookup() and pfc_lookup_get() take no lock: rhashtable lookup plus an
 * RCU list walk.  Writers of an entry's list take entry->list.lock.
 * Creating an entry is serialised per shard of the object pointers
 * (struct pfc_shard: its create_lock, and the fsnotify group whose marks
 * that shard's entries are, since fsnotify serialises the mark additions
 * of one group on its mark_mutex), so that first inserts on different
 * objects rarely wait for each other and one object always finds the
 * same lock.  No task holds two shards' create_locks (they share one
 * lockdep class), and the caller's function runs on a new entry under
 * its shard's create_lock and the entry's lock.  Creating an inode's close
 * mark is serialised by pfc_close_lock (file.c).  No eviction path takes
 * either.  Publishing still takes pfc_entries_lock, global, for the hash
 * insert and the list, so first inserts in different shards meet there
 * (briefly: no allocation, no sleep).
 * pfc_entries_lock protects pfc_entries, the list the sweeps, debugfs and
 * module exit walk.  Lock order:
 *
 *	a shard's create_lock, pfc_close_lock (file.c; never both)
 *	  fsnotify group->mark_mutex (inside fsnotify_add_mark(), or
 *	  fsnotify_destroy_mark() of an unpublished close mark)
 *	  inode->i_lock
 *	  pfc_entries_lock
 *	    entry->list.lock
 *	      fentry->list.lock (file.c)
 *	        rhashtable bucket lock
 *
 * pfc_freeing_mark() takes entry->list.lock and pfc_entries_lock one after
 * the other, never nested.  None of them is IRQ-safe: the calls that take them
 * are for task context (pfc_assert_task_context()).
 *
 * Eviction may run inside memory reclaim and takes the list locks, the
 * bucket locks, pfc_entries_lock, and the close group's mark_mutex
 * (pfc_freeing_mark() destroys the close mark).  None of the spinlocks is
 * ever held across an allocation that can enter reclaim (rhashtable
 * inserts allocate with GFP_ATOMIC), and fsnotify sets NOFS while it holds
 * a group's mark_mutex (PFC_GROUP_NOFS on 6.1), where it allocates
 * connectors.  The sleeping allocations, the entry, a file's entry and a
 * close mark, happen with no lock held.
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
 *  - on umount (fsnotify_sb_delete()), which is also the one way a
 *    superblock's entry dies, with the unload below;
 *  - when pfc itself is unloaded (pfc_destroy_all_marks()).
 *
 * In every case but the last the object is alive while pfc_freeing_mark()
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
 *     other inserts on the object wait on its shard's create_lock.
 *     test_race_create_marked_vs_inode_delete, and without race points
 *     test_race_insert_vs_inoderemove.  A superblock's entry has no
 *     conflicting path here while the caller keeps the superblock
 *     mounted, as pfc_sb_insert() asks: fsnotify destroys superblock
 *     marks only in generic_shutdown_super(), which needs the last
 *     reference to the mount gone.
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
 *  7. and 8.: per-open lists, in file.c.
 *
 * Unhashing and dropping the contexts are one section of entry->list.lock,
 * and linking a context into an entry checks LIVE under the same lock:
 * there is no window between them.  The windows of per-open lists are in
 * file.c.

 * An entry whose contexts were all removed stays with its object, empty,
 * until the object is destroyed: a later insert then costs no allocation.
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

#include "pfc_trace.h"

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

	return entry->key != *(const void * const *)arg->key;
}

static const struct rhashtable_params pfc_params = {
	.key_len = sizeof(void *),
	.key_offset = offsetof(struct pfc_entry, key),
	.head_offset = offsetof(struct pfc_entry, node),
	.hashfn = pfc_hashfn,
	.obj_cmpfn = pfc_cmpfn,
	.automatic_shrinking = true,
};

/*
 * Every live entry, keyed on its object's pointer: an inode and a
 * superblock never share an address while both are alive, and an entry
 * leaves the table before its object is freed.
 */
static struct rhashtable pfc_table;
/* See internal.h. */
LIST_HEAD(pfc_entries);
DEFINE_SPINLOCK(pfc_entries_lock);
/**
 * struct pfc_shard - where entries of one shard of object pointers are made
 * @create_lock: serialises creating the entries of the shard, so that an
 *	object never gets two.  Held across fsnotify_add_mark() of @group.
 * @group: the fsnotify group of the shard's entry marks.
 *
 * pfc_shard() picks the shard from the object's pointer.
 */
struct pfc_shard {
	struct mutex create_lock; /* see above */
	struct fsnotify_group *group;
} ____cacheline_aligned_in_smp;

#define PFC_SHARD_BITS 4
static struct pfc_shard pfc_shards[1 << PFC_SHARD_BITS];
static struct kmem_cache *pfc_entry_cache;
/* Completed once per group freed: every mark of it is gone by then. */
static DECLARE_COMPLETION(pfc_group_freed);

static struct pfc_shard *pfc_shard(const void *key)
{
	return &pfc_shards[hash_ptr(key, PFC_SHARD_BITS)];
}

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

struct pfc_entry *pfc_entry_find(const void *key)
{
	return rhashtable_lookup(&pfc_table, &key, pfc_params);
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
	struct pfc_close_mark *close = NULL;
	unsigned int dropped = 0;
	bool live;

	pfc_race_point(PFC_RACE_FREEING, entry->key);
	/*
	 * Unhash and drop in one section of the lock: a walker that finds
	 * the entry DEAD under the lock sees its contexts dropped already,
	 * and its files' too.  The inode may be freed under us at module
	 * exit: use the list's dev and ino, not the inode.
	 */
	spin_lock(&entry->list.lock);
	live = entry->list.state == PFC_ENTRY_LIVE;
	if (live) {
		rhashtable_remove_fast(&pfc_table, &entry->node, pfc_params);
		dropped = pfc_clist_drop(&entry->list, NULL);
		pfc_files_die(entry);
		close = pfc_close_take(entry);
	}
	WRITE_ONCE(entry->list.state, PFC_ENTRY_DEAD);
	spin_unlock(&entry->list.lock);
	/*
	 * Never published: pfc_entry_create() holds the initial reference,
	 * sees DEAD and drops it.
	 */
	if (!live)
		return;
	/* No file entry is left to need close events. */
	if (close)
		pfc_close_destroy(close);
	trace_pfc_evict(&entry->list, dropped);
	pfc_stat_inc(PFC_STAT_EVICTIONS);
	pfc_race_point(PFC_RACE_EVICT_DROPPED, entry->key);
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
 * Is the object on its way out, past the point where fsnotify destroys
 * its marks?  A superblock stops being SB_ACTIVE in generic_shutdown_super()
 * before fsnotify_sb_delete().
 */
static bool pfc_obj_freeing(const void *key, enum pfc_obj_kind kind)
{
	if (kind == PFC_OBJ_SB)
		return !(READ_ONCE(((const struct super_block *)key)->s_flags) &
			 SB_ACTIVE);
	return pfc_inode_freeing(key);
}

static int pfc_obj_add_mark(struct fsnotify_mark *mark, void *key,
			    enum pfc_obj_kind kind)
{
	if (kind == PFC_OBJ_SB)
		return pfc_add_sb_mark(mark, key);
	return fsnotify_add_inode_mark(mark, key, 0);
}

/*
 * Create, attach and publish the entry of @key, unless another thread
 * published one first, and call @fn on ours under its lock, in the same
 * section that makes it LIVE (*@done then).  Returns 0 once @key has a
 * published entry.
 */
static int pfc_entry_create(void *key, enum pfc_obj_kind kind,
			    pfc_entry_fn fn, void *arg, bool *done)
{
	struct pfc_shard *shard = pfc_shard(key);
	struct pfc_entry *new;
	bool freeing;
	int err;

	might_sleep();
	new = kmem_cache_zalloc(pfc_entry_cache, GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	new->key = key;
	spin_lock_init(&new->list.lock);
	new->list.kind = kind;
	if (kind == PFC_OBJ_SB) {
		new->list.dev = new->sb->s_dev;
	} else {
		new->list.dev = new->inode->i_sb->s_dev;
		new->list.ino = new->inode->i_ino;
	}
	INIT_HLIST_HEAD(&new->list.contexts);
	new->list.state = PFC_ENTRY_NEW;
	INIT_HLIST_HEAD(&new->files);
	INIT_LIST_HEAD(&new->all.link);
	fsnotify_init_mark(&new->mark, shard->group);
	new->mark.flags |= FSNOTIFY_MARK_FLAG_NO_IREF;

	mutex_lock(&shard->create_lock);
	rcu_read_lock();
	if (pfc_entry_find(key)) {
		/*
		 * Lost the race.  The entry may still die before our caller
		 * links into it (fsnotify_inoderemove(), umount);
		 * pfc_entry_attach() then finds it not LIVE, or gone, and
		 * calls us again.
		 */
		rcu_read_unlock();
		mutex_unlock(&shard->create_lock);
		fsnotify_put_mark(&new->mark);
		return 0;
	}
	rcu_read_unlock();

	err = pfc_obj_add_mark(&new->mark, key, kind);
	if (err) {
		mutex_unlock(&shard->create_lock);
		fsnotify_put_mark(&new->mark);
		/*
		 * -ENOENT: the object's connector is being destroyed (unlink +
		 * last dput, umount): transient, the caller tries again.
		 * -EEXIST should not happen (an attached mark of ours is
		 * hashed, or destroyed under the create_lock); were it to, the
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
	pfc_race_point(PFC_RACE_CREATE_MARKED, key);

	/*
	 * The caller's reference keeps the object from starting to free:
	 * an inode's i_count stays above zero, a superblock stays active.
	 * Only a caller that breaks the contract (inserting from an
	 * eviction path, or on a superblock it does not keep mounted) gets
	 * here with a freeing object: once fsnotify is past destroying its
	 * marks nothing would destroy ours, so we do, which is right only
	 * if fsnotify has not got there yet.  Warn for an inode: that caller
	 * has a use-after-free of its own.  A superblock may be shutting
	 * down under a caller that holds a reference to one of its inodes
	 * only: refuse quietly.
	 */
	if (kind == PFC_OBJ_INODE) {
		spin_lock(&new->inode->i_lock);
		freeing = pfc_inode_freeing(new->inode);
		spin_unlock(&new->inode->i_lock);
		WARN_ON_ONCE(freeing);
	} else {
		freeing = pfc_obj_freeing(key, kind);
	}
	if (freeing) {
		err = -EOPNOTSUPP;
		goto destroy;
	}

	spin_lock(&pfc_entries_lock);
	spin_lock(&new->list.lock);
	if (new->list.state == PFC_ENTRY_NEW) {
		err = rhashtable_lookup_insert_fast(&pfc_table, &new->node,
						    pfc_params);
		if (!err) {
			WRITE_ONCE(new->list.state, PFC_ENTRY_LIVE);
			list_add_tail(&new->all.link, &pfc_entries);
		} else {
			err = -ENOMEM;
		}
	} else {
		/* The mark was destroyed under us: try again. */
		err = -EAGAIN;
	}
	spin_unlock(&pfc_entries_lock);
	/* LIVE since we took the lock: nothing can have killed it. */
	if (!err) {
		fn(new, arg);
		*done = true;
	}
	spin_unlock(&new->list.lock);
	if (!err) {
		pfc_stat_inc(PFC_STAT_ENTRIES);
		mutex_unlock(&shard->create_lock);
		return 0;
	}
	if (err == -EAGAIN) {
		mutex_unlock(&shard->create_lock);
		fsnotify_put_mark(&new->mark);
		return err;
	}

destroy:
	/*
	 * @new is not LIVE: pfc_freeing_mark() leaves our reference alone.
	 * Destroy the mark before another insert can run: an attached mark
	 * of ours that is not hashed would make its fsnotify_add_mark()
	 * fail with -EEXIST.  (The create_lock before the group's
	 * mark_mutex, as on the way in.)
	 */
	fsnotify_destroy_mark(&new->mark, shard->group);
	mutex_unlock(&shard->create_lock);
	fsnotify_put_mark(&new->mark);
	return err;
}

/*
 * pfc_entry_create() failed with @err: go on (0) or give up (-errno)?
 * -EAGAIN and -ENOENT mean that fsnotify is (or was) destroying the
 * object's marks.
 */
static int pfc_entry_retry(void *key, enum pfc_obj_kind kind, int err)
{
	if (err != -EAGAIN && err != -ENOENT)
		return err;
	if (pfc_obj_freeing(key, kind))
		return -EOPNOTSUPP;
	if (err == -ENOENT)
		schedule_timeout_uninterruptible(1);
	return 0;
}

/*
 * Call @fn on the live entry of @key, under the entry's lock, creating the
 * entry if needed.  Inlined, so that @fn is a direct call where the entry
 * exists (the fast path).
 * Return: 0 once @fn ran, or the error that stopped creating the entry.
 */
static __always_inline int pfc_entry_live(void *key, enum pfc_obj_kind kind,
					  pfc_entry_fn fn, void *arg)
{
	struct pfc_entry *entry;
	bool done = false;
	int err;

	for (;;) {
		rcu_read_lock();
		entry = pfc_entry_find(key);
		if (entry) {
			spin_lock(&entry->list.lock);
			if (entry->list.state == PFC_ENTRY_LIVE) {
				fn(entry, arg);
				done = true;
			}
			spin_unlock(&entry->list.lock);
		}
		rcu_read_unlock();
		if (done)
			return 0;
		err = pfc_entry_create(key, kind, fn, arg, &done);
		if (err)
			err = pfc_entry_retry(key, kind, err);
		if (err)
			return err;
		if (done)
			return 0;
	}
}

struct pfc_attach_arg {
	struct pfc_context *ctx;
	enum pfc_add_mode mode;
	struct pfc_context *old;
};

static void pfc_entry_add(struct pfc_entry *entry, void *arg)
{
	struct pfc_attach_arg *a = arg;

	a->old = pfc_clist_add(&entry->list, a->ctx, a->mode);
}

/*
 * Link @ctx (claimed by pfc_ctx_claim()) into the live entry of @key,
 * creating the entry if needed; see pfc_clist_add() for @mode and the
 * return value, ERR_PTR() on failure with @ctx unclaimed.
 */
struct pfc_context *pfc_entry_attach(void *key, enum pfc_obj_kind kind,
				     struct pfc_context *ctx,
				     enum pfc_add_mode mode)
{
	struct pfc_attach_arg a = { .ctx = ctx, .mode = mode };
	int err = pfc_entry_live(key, kind, pfc_entry_add, &a);

	if (err) {
		pfc_ctx_unclaim(ctx);
		return ERR_PTR(err);
	}
	return a.old;
}

static void pfc_entry_hold(struct pfc_entry *entry, void *arg)
{
	/* LIVE: the initial reference keeps the count above zero. */
	refcount_inc(&entry->mark.refcnt);
	*(struct pfc_entry **)arg = entry;
}

/*
 * The live entry of @inode, created if needed, with a reference on its
 * mark that the caller drops with fsnotify_put_mark().
 */
int pfc_entry_get_live(struct inode *inode, struct pfc_entry **entryp)
{
	return pfc_entry_live(inode, PFC_OBJ_INODE, pfc_entry_hold, entryp);
}

struct pfc_context *pfc_entry_lookup(const void *key, const void *owner,
				     const void *instance)
{
	struct pfc_entry *entry;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "needs rcu_read_lock()");
	pfc_stat_inc(PFC_STAT_LOOKUPS);
	if (pfc_keys_match_nothing(key, owner, instance))
		return NULL;
	entry = pfc_entry_find(key);
	return entry ? pfc_clist_match(&entry->list, owner, instance) : NULL;
}

struct pfc_context *pfc_entry_lookup_get(const void *key, const void *owner,
					 const void *instance)
{
	struct pfc_context *ctx = NULL;
	struct pfc_entry *entry;

	pfc_stat_inc(PFC_STAT_LOOKUPS);
	if (pfc_keys_match_nothing(key, owner, instance))
		return NULL;
	rcu_read_lock();
	entry = pfc_entry_find(key);
	if (entry)
		ctx = pfc_clist_get(&entry->list, owner, instance);
	rcu_read_unlock();
	return ctx;
}

struct pfc_context *pfc_entry_remove(const void *key, const void *owner,
				     const void *instance)
{
	struct pfc_context *ctx = NULL;
	struct pfc_entry *entry;

	pfc_assert_task_context();
	if (pfc_keys_match_nothing(key, owner, instance))
		return NULL;
	rcu_read_lock();
	entry = pfc_entry_find(key);
	if (entry)
		ctx = pfc_clist_remove(&entry->list, owner, instance);
	rcu_read_unlock();
	return ctx;
}

/* Claim @ctx for an insert on @inode. */
static int pfc_insert_check(struct inode *inode, struct pfc_context *ctx)
{
	int err;

	if (!inode)
		return -EINVAL;
	err = pfc_ctx_claim(ctx);
	if (err)
		return err;
	if (!pfc_supported(inode)) {
		pfc_ctx_unclaim(ctx);
		return -EOPNOTSUPP;
	}
	return 0;
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

	return err ?: PTR_ERR_OR_ZERO(pfc_entry_attach(inode, PFC_OBJ_INODE,
						       ctx, PFC_ADD));
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

	return err ? ERR_PTR(err) :
		     pfc_entry_attach(inode, PFC_OBJ_INODE, ctx, PFC_ADD_UNIQUE);
}
EXPORT_SYMBOL_NS_GPL(pfc_insert_unique, PFC);

/**
 * pfc_replace() - attach a context in place of the one with its keys
 * @inode: the inode; the caller holds a reference on it
 * @ctx: a context set up by pfc_init_context() and not inserted anywhere
 *
 * Like FltSetFileContext() with FLT_SET_CONTEXT_REPLACE_IF_EXISTS: in one
 * step, @ctx is linked and the newest context with the same owner and
 * instance is unlinked.  A concurrent lookup of those keys finds one of the
 * two, never both and never neither (pfc_lookup_get(), which skips a
 * context whose last reference is gone, walks again when it meets the old
 * one so: only 16 replaces of the same keys during one lookup could make
 * it miss).  @ctx takes the old context's place
 * in the inode's order (what a lookup with a NULL instance, or none, sees
 * first); with no old context it goes first, as with pfc_insert().
 *
 * Context: Process context; may sleep.
 * Return: NULL if there was no such context; the old context, unlinked,
 * with the list's reference now the caller's (drop it with pfc_put()); or
 * ERR_PTR() with the errors of pfc_insert(), nothing changed.
 */
struct pfc_context *pfc_replace(struct inode *inode, struct pfc_context *ctx)
{
	int err = pfc_insert_check(inode, ctx);

	return err ? ERR_PTR(err) :
		     pfc_entry_attach(inode, PFC_OBJ_INODE, ctx, PFC_ADD_REPLACE);
}
EXPORT_SYMBOL_NS_GPL(pfc_replace, PFC);

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
	return pfc_entry_lookup(inode, owner, instance);
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
	return pfc_entry_lookup_get(inode, owner, instance);
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
	return pfc_entry_remove(inode, owner, instance);
}
EXPORT_SYMBOL_NS_GPL(pfc_remove, PFC);

/**
 * pfc_teardown() - unlink and release every context of an inode
 * @inode: the inode
 *
 * The counterpart of FsRtlTeardownPerFileContexts(): every context is
 * unlinked and its list reference dropped; callbacks follow once each has
 * no other reference.  A file system or consumer may call it when it knows
 * the file is gone; eviction does the same on its own.  The per-open
 * contexts of the inode's open files stay: they die with their file.
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
		spin_lock(&entry->list.lock);
		pfc_clist_drop(&entry->list, NULL);
		spin_unlock(&entry->list.lock);
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
		spin_lock(&entry->list.lock);
		if (entry->list.state == PFC_ENTRY_LIVE)
			fn(entry, arg);
		spin_unlock(&entry->list.lock);
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
	pfc_clist_drop(&entry->list, owner);
	pfc_files_drop_owner(entry, owner);
}

/**
 * pfc_remove_owner() - unlink every context of an owner, on every object
 * @owner: the owner
 *
 * What FltUnregisterFilter() does to a filter's contexts: a consumer calls
 * it from its module exit, after it stopped inserting.  Every context of
 * @owner on every inode, superblock and open file is unlinked and its list
 * reference dropped, and the call returns once all of their free callbacks
 * have run, so none can run into unloaded code.  References to @owner's
 * contexts must be dropped first, by the consumer and by anyone else: a
 * context found with a NULL owner through pfc_lookup_get() and still held
 * keeps its callback pending past this call.
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
	 * An eviction drops its entry's contexts, and its files', under the
	 * entry's lock before it
	 * takes the entry off pfc_entries: whether the walk found the entry
	 * DEAD or gone, the drops of @owner's contexts, and so the queueing
	 * of their callbacks, came before.  Wait for the callbacks.
	 */
	pfc_barrier();
}
EXPORT_SYMBOL_NS_GPL(pfc_remove_owner, PFC);

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
			if (READ_ONCE(entry->list.state) == PFC_ENTRY_LIVE)
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
		pfc_race_point(PFC_RACE_UNLOAD_MARK, entry->key);
		/* A no-op if an eviction destroyed it meanwhile. */
		fsnotify_destroy_mark(&entry->mark, entry->mark.group);
		/*
		 * Still LIVE: fsnotify is destroying the mark on another task,
		 * which has not reached pfc_freeing_mark() yet (window 2).  We
		 * would pick this entry again at once: let that task run.
		 */
		live = READ_ONCE(entry->list.state) == PFC_ENTRY_LIVE;
		fsnotify_put_mark(&entry->mark);
		if (live)
			schedule_timeout_uninterruptible(1);
		else
			cond_resched();
	}
}

/* Put the groups of the first @n shards and wait until they are freed. */
static void pfc_put_groups(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		fsnotify_put_group(pfc_shards[i].group);
	fsnotify_wait_marks_destroyed();
	for (i = 0; i < n; i++)
		wait_for_completion(&pfc_group_freed);
}

int __init pfc_entries_init(void)
{
	struct fsnotify_group *group;
	unsigned int i;
	int err;

	pfc_entry_cache = KMEM_CACHE(pfc_entry, 0);
	if (!pfc_entry_cache)
		return -ENOMEM;
	err = rhashtable_init(&pfc_table, &pfc_params);
	if (err)
		goto err_cache;
	for (i = 0; i < ARRAY_SIZE(pfc_shards); i++)
		mutex_init(&pfc_shards[i].create_lock);
	for (i = 0; i < ARRAY_SIZE(pfc_shards); i++) {
		group = fsnotify_alloc_group(&pfc_fsnotify_ops, PFC_GROUP_NOFS);
		if (IS_ERR(group)) {
			err = PTR_ERR(group);
			goto err_groups;
		}
		pfc_shards[i].group = group;
	}
	return 0;

err_groups:
	pfc_put_groups(i);
	rhashtable_destroy(&pfc_table);
err_cache:
	kmem_cache_destroy(pfc_entry_cache);
	return err;
}

void pfc_entries_exit(void)
{
	/*
	 * Destroy every mark: each one's freeing_mark drops its contexts and
	 * its files', and destroys its close mark.
	 */
	pfc_destroy_all_marks();
	/*
	 * Marks of inodes that were dying during the walk are destroyed by
	 * their eviction; a group goes once every mark of it is freed.
	 */
	pfc_put_groups(ARRAY_SIZE(pfc_shards));
	/*
	 * The last put may have been the reaper's, which is still returning
	 * through pfc_free_group_priv(): let it leave our text first.
	 */
	fsnotify_wait_marks_destroyed();
	/* Entries are freed by RCU callbacks: wait for them. */
	rcu_barrier();
	rhashtable_destroy(&pfc_table);
	kmem_cache_destroy(pfc_entry_cache);
}
