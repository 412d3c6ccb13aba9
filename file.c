// SPDX-License-Identifier: GPL-2.0
/*
 * pfc - per-open contexts: FsRtl's per-file-object contexts and FltMgr's
 * stream-handle contexts, on struct file
 *
 * OBJECTS
 *
 * A file that carries contexts has a struct pfc_fentry: its context list,
 * found through pfc_file_table keyed on the file pointer (so a lookup
 * costs the same however many files are open), and a link in the file's
 * inode entry (inode.c), on entry->files.  The inode entry also holds a
 * close mark (struct pfc_close_mark): an inode mark of a second fsnotify
 * group, pfc_close_group, whose mask is FS_CLOSE_WRITE | FS_CLOSE_NOWRITE.
 * A file's last fput() runs __fput(), which sends that event through
 * fsnotify_close() before the file system's ->release() and before the
 * file is freed; the handler unhashes the file's entry and drops its
 * contexts.  Files that pfc would not hear closing (FMODE_NONOTIFY,
 * FMODE_PATH, not yet FMODE_OPENED: __fput() sends no event for them, or a
 * file whose f_path is not its inode's: the event goes elsewhere) are
 * refused.  Files of other inodes pay nothing: no mark of pfc's asks for
 * their events.  Once an inode has a close mark, every close of any of its
 * files looks the file up (one hash lookup); the mark stays until the
 * inode entry dies.
 *
 * LIFETIME
 *
 * A file's entry dies, under entry->list.lock then fentry->list.lock, in
 * pfc_fentry_die():
 *
 *  - at the file's last fput() (pfc_close_event()): close(), exit(), the
 *    last of the dup()/fork() holders, the munmap() of a mapping that
 *    outlived the descriptor: they all end in one __fput();
 *  - when its inode entry dies (pfc_files_die() from pfc_freeing_mark()):
 *    on 6.1 the dput() of another alias of an inode with no links left
 *    destroys the inode's marks while the file is open; and at unload;
 *  - when the close mark dies (pfc_close_freeing_mark()): with the inode
 *    entry, for the same reasons.
 *
 * The file itself is never dereferenced after its close event: the key is
 * compared, not followed, and the entry leaves the table before __fput()
 * can free the file, so a recycled file pointer never finds stale contexts.
 *
 * The close mark's initial reference belongs to entry->close once
 * published: whoever clears entry->close, under entry->list.lock, drops it
 * (pfc_freeing_mark() through pfc_close_take(), which then destroys the
 * mark, or pfc_close_freeing_mark()).  A close mark also holds a reference
 * on its inode entry's mark, dropped in pfc_close_free_mark(), so that the
 * entry's memory outlives it.
 *
 * THE WINDOWS
 *
 *  7. close mark added, not yet published in entry->close
 *     (PFC_RACE_CLOSE_MARKED): fsnotify may destroy it;
 *     pfc_close_freeing_mark() finds it unpublished and marks it dead, and
 *     pfc_close_add() drops the initial reference instead of publishing.
 *     Files are not inserted meanwhile: they need entry->close.
 *     test_race_close_marked_vs_inode_delete.
 *  8. a file's entry allocated, the file closing on another CPU: cannot
 *     happen, the inserter holds a file reference.  An insert from inside
 *     the file's own __fput() (a close hook) holds none: fsnotify_close()
 *     read the inode's marks before, so the close mark it would add would
 *     not see this close; pfc_file_supported() refuses a file whose count
 *     is 0.  test_pfc_close_hook.  A file's entry found
 *     by a lookup while the close event kills it: the lookup has RCU, the
 *     entry is freed after a grace period, its contexts after theirs.
 *     test_pfc_file_close_vs_lookup (kunit/pfc_kunit.c), with KASAN.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/fsnotify_backend.h>
#include <linux/hash.h>
#include <linux/module.h>
#include <linux/rhashtable.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "pfc.h"
#include "internal.h"
#include "pfc_trace.h"

/**
 * struct pfc_fentry - the contexts of one open file
 * @node: in pfc_file_table, keyed on @file, while @list is LIVE.
 * @file: the file; not a reference, never dereferenced once its close
 *	event ran.
 * @entry: the entry of the file's inode; its memory outlives this one.
 * @link: in @entry->files, under @entry->list.lock.
 * @list: the contexts.
 * @rcu: frees the entry a grace period after it died.
 */
struct pfc_fentry {
	struct rhash_head node;
	struct file *file;
	struct pfc_entry *entry;
	struct hlist_node link;
	struct pfc_clist list;
	struct rcu_head rcu;
};

/**
 * struct pfc_close_mark - asks fsnotify for the close events of an inode
 * @mark: inode mark of pfc_close_group, mask FS_CLOSE.
 * @entry: the inode's entry; @mark holds a reference on its mark.
 * @dead: under @entry->list.lock: fsnotify destroyed the mark before it
 *	was published in @entry->close (window 7).
 */
struct pfc_close_mark {
	struct fsnotify_mark mark;
	struct pfc_entry *entry;
	bool dead;
};

static u32 pfc_file_hashfn(const void *key, u32 len, u32 seed)
{
	return hash_long(*(const unsigned long *)key ^ seed, 32);
}

static int pfc_file_cmpfn(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct pfc_fentry *fe = obj;

	return fe->file != *(struct file * const *)arg->key;
}

static const struct rhashtable_params pfc_file_params = {
	.key_len = sizeof(struct file *),
	.key_offset = offsetof(struct pfc_fentry, file),
	.head_offset = offsetof(struct pfc_fentry, node),
	.hashfn = pfc_file_hashfn,
	.obj_cmpfn = pfc_file_cmpfn,
	.automatic_shrinking = true,
};

/* Every live file entry, keyed on its file pointer. */
static struct rhashtable pfc_file_table;
static struct fsnotify_group *pfc_close_group;
/* Completed when pfc_close_group is freed: every close mark is gone. */
static DECLARE_COMPLETION(pfc_close_group_freed);
/* Serialises close mark creation, so that an inode never gets two. */
static DEFINE_MUTEX(pfc_close_lock);

static struct pfc_fentry *pfc_fentry_find(const struct file *file)
{
	return rhashtable_lookup(&pfc_file_table, &file, pfc_file_params);
}

/* Kill a file's entry.  Under fe->entry->list.lock. */
static void pfc_fentry_die(struct pfc_fentry *fe)
{
	unsigned int dropped;

	lockdep_assert_held(&fe->entry->list.lock);
	hlist_del_init(&fe->link);
	spin_lock(&fe->list.lock);
	rhashtable_remove_fast(&pfc_file_table, &fe->node, pfc_file_params);
	dropped = pfc_clist_drop(&fe->list, NULL);
	WRITE_ONCE(fe->list.state, PFC_ENTRY_DEAD);
	spin_unlock(&fe->list.lock);
	trace_pfc_evict(&fe->list, dropped);
	pfc_stat_inc(PFC_STAT_FILES_CLOSED);
	kfree_rcu(fe, rcu);
}

/* The inode entry dies: so do its files'.  Under entry->list.lock. */
void pfc_files_die(struct pfc_entry *entry)
{
	struct pfc_fentry *fe;
	struct hlist_node *tmp;

	hlist_for_each_entry_safe(fe, tmp, &entry->files, link)
		pfc_fentry_die(fe);
}

/* pfc_remove_owner() on an inode's files.  Under entry->list.lock. */
void pfc_files_drop_owner(struct pfc_entry *entry, const void *owner)
{
	struct pfc_fentry *fe;

	hlist_for_each_entry(fe, &entry->files, link) {
		spin_lock(&fe->list.lock);
		pfc_clist_drop(&fe->list, owner);
		spin_unlock(&fe->list.lock);
	}
}

/* Unpublish the close mark.  Under entry->list.lock. */
struct pfc_close_mark *pfc_close_take(struct pfc_entry *entry)
{
	struct pfc_close_mark *cm = entry->close;

	WRITE_ONCE(entry->close, NULL);
	return cm;
}

/* Destroy a close mark taken with pfc_close_take(), and drop its reference. */
void pfc_close_destroy(struct pfc_close_mark *cm)
{
	fsnotify_destroy_mark(&cm->mark, pfc_close_group);
	fsnotify_put_mark(&cm->mark);
}

/*
 * fsnotify_close() from __fput(): the last reference to @file is gone, its
 * ->release() and its freeing come after us.
 */
static void pfc_close_event(struct file *file)
{
	struct pfc_entry *entry;
	struct pfc_fentry *fe;

	rcu_read_lock();
	fe = pfc_fentry_find(file);
	if (fe) {
		/* A LIVE fentry's inode entry is freed after our grace period. */
		entry = fe->entry;
		spin_lock(&entry->list.lock);
		if (!hlist_unhashed(&fe->link))
			pfc_fentry_die(fe);
		spin_unlock(&entry->list.lock);
	}
	rcu_read_unlock();
}

static int pfc_close_handle_event(struct fsnotify_group *group, u32 mask,
				  const void *data, int data_type,
				  struct inode *dir, const struct qstr *name,
				  u32 cookie, struct fsnotify_iter_info *iter)
{
	const struct path *path = fsnotify_data_path(data, data_type);

	/* FS_CLOSE_* come only from fsnotify_close(), with &file->f_path. */
	if ((mask & (FS_CLOSE_WRITE | FS_CLOSE_NOWRITE)) && path)
		pfc_close_event(container_of(path, struct file, f_path));
	return 0;
}

static void pfc_close_freeing_mark(struct fsnotify_mark *mark,
				   struct fsnotify_group *group)
{
	struct pfc_close_mark *cm =
		container_of(mark, struct pfc_close_mark, mark);
	struct pfc_entry *entry = cm->entry;
	bool published;

	/* No more close events: no file of this inode may keep an entry. */
	spin_lock(&entry->list.lock);
	pfc_files_die(entry);
	published = entry->close == cm;
	if (published)
		WRITE_ONCE(entry->close, NULL);
	else
		cm->dead = true;
	spin_unlock(&entry->list.lock);
	if (published)
		fsnotify_put_mark(mark);
}

static void pfc_close_free_mark(struct fsnotify_mark *mark)
{
	struct pfc_close_mark *cm =
		container_of(mark, struct pfc_close_mark, mark);

	/* fsnotify waited for its SRCU readers: no handler uses @cm. */
	if (cm->entry)
		fsnotify_put_mark(&cm->entry->mark);
	kfree(cm);
	pfc_stat_inc(PFC_STAT_CLOSE_MARKS_FREED);
}

static void pfc_close_free_group_priv(struct fsnotify_group *group)
{
	complete(&pfc_close_group_freed);
}

static const struct fsnotify_ops pfc_close_ops = {
	.handle_event = pfc_close_handle_event,
	.freeing_mark = pfc_close_freeing_mark,
	.free_mark = pfc_close_free_mark,
	.free_group_priv = pfc_close_free_group_priv,
};

/*
 * Give @entry (LIVE, referenced by the caller) a close mark on @inode,
 * unless it has one.  Returns 0 once entry->close was set, -EAGAIN if the
 * entry died meanwhile, -ENOENT if it is dying, -ENOMEM.
 */
static int pfc_close_add(struct pfc_entry *entry, struct inode *inode)
{
	struct pfc_close_mark *cm;
	bool published = false;
	int err;

	if (READ_ONCE(entry->close))
		return 0;
	cm = kzalloc(sizeof(*cm), GFP_KERNEL);
	if (!cm)
		return -ENOMEM;
	fsnotify_init_mark(&cm->mark, pfc_close_group);
	cm->mark.mask = FS_CLOSE_WRITE | FS_CLOSE_NOWRITE;
	cm->mark.flags |= FSNOTIFY_MARK_FLAG_NO_IREF;
	pfc_stat_inc(PFC_STAT_CLOSE_MARKS);

	mutex_lock(&pfc_close_lock);
	spin_lock(&entry->list.lock);
	if (entry->close || entry->list.state != PFC_ENTRY_LIVE) {
		err = entry->close ? 0 : -EAGAIN;
		spin_unlock(&entry->list.lock);
		goto out_put;
	}
	/* LIVE: the entry's initial reference keeps the count above zero. */
	refcount_inc(&entry->mark.refcnt);
	cm->entry = entry;
	spin_unlock(&entry->list.lock);

	err = fsnotify_add_inode_mark(&cm->mark, inode, 0);
	if (err) {
		/*
		 * -ENOENT: the inode's marks are being destroyed, the entry's
		 * with them: the caller waits for that, and starts again.
		 */
		if (err != -ENOMEM && err != -ENOENT)
			err = -EAGAIN;
		goto out_put;
	}
	pfc_race_point(PFC_RACE_CLOSE_MARKED, inode);
	spin_lock(&entry->list.lock);
	if (!cm->dead && entry->list.state == PFC_ENTRY_LIVE) {
		WRITE_ONCE(entry->close, cm);
		published = true;
	}
	spin_unlock(&entry->list.lock);
	if (published) {
		mutex_unlock(&pfc_close_lock);
		return 0;
	}
	/* The entry died meanwhile, or the mark did: start again. */
	fsnotify_destroy_mark(&cm->mark, pfc_close_group);
	err = -EAGAIN;
out_put:
	mutex_unlock(&pfc_close_lock);
	/* Never published: the initial reference is ours. */
	fsnotify_put_mark(&cm->mark);
	return err;
}

/**
 * pfc_file_supported() - can this open file carry per-open contexts?
 * @file: the file, or NULL
 *
 * A file can if pfc hears its last fput(): it is opened (FMODE_OPENED; the
 * open hook's callback runs before that), its last fput() has not begun
 * (the close hook's callback runs in it), it is not an O_PATH file and
 * does not suppress fsnotify events (FMODE_NONOTIFY: files fanotify opens
 * for its listeners, overlayfs' real files on 6.1), its f_path is its
 * inode's (not a file opened with a fake path), and its inode can carry
 * contexts (pfc_supported()).
 *
 * Context: Any context.
 * Return: true if pfc_file_insert() may attach contexts to @file.
 */
bool pfc_file_supported(const struct file *file)
{
	if (!file)
		return false;
	if (!(file->f_mode & FMODE_OPENED) || (file->f_mode & FMODE_PATH))
		return false;
	/*
	 * In __fput(): fsnotify took the inode's mark list before the close
	 * hook ran, so a close mark added now would miss this close.  A
	 * caller that holds a reference, as it must, never sees 0 here.
	 */
	if (!file_count(file))
		return false;
	if (pfc_fmode_nonotify(file->f_mode))
		return false;
	if (d_inode(file->f_path.dentry) != file_inode(file))
		return false;
	return pfc_supported(file_inode(file));
}
EXPORT_SYMBOL_NS_GPL(pfc_file_supported, PFC);

/* Give @file a live entry, unless it has one: 0 or -errno. */
static int pfc_fentry_create(struct file *file)
{
	struct inode *inode = file_inode(file);
	struct pfc_entry *entry;
	struct pfc_fentry *fe;
	int err;

	fe = kzalloc(sizeof(*fe), GFP_KERNEL);
	if (!fe)
		return -ENOMEM;
	fe->file = file;
	spin_lock_init(&fe->list.lock);
	fe->list.kind = PFC_OBJ_FILE;
	fe->list.dev = inode->i_sb->s_dev;
	fe->list.ino = inode->i_ino;
	fe->list.state = PFC_ENTRY_NEW;
	INIT_HLIST_HEAD(&fe->list.contexts);
	INIT_HLIST_NODE(&fe->link);

	do {
		err = pfc_entry_get_live(inode, &entry);
		if (err)
			break;
		err = pfc_close_add(entry, inode);
		if (!err) {
			fe->entry = entry;
			spin_lock(&entry->list.lock);
			if (entry->list.state != PFC_ENTRY_LIVE || !entry->close) {
				err = -EAGAIN;
			} else {
				/* Private until hashed: LIVE before it shows. */
				fe->list.state = PFC_ENTRY_LIVE;
				err = rhashtable_lookup_insert_fast(&pfc_file_table,
								    &fe->node,
								    pfc_file_params);
				if (!err) {
					hlist_add_head(&fe->link, &entry->files);
					pfc_stat_inc(PFC_STAT_FILES);
				}
			}
			spin_unlock(&entry->list.lock);
		}
		/* The entry stays referenced by its close mark, if it lives. */
		fsnotify_put_mark(&entry->mark);
		if (err == -ENOENT) {
			/* Let the task that destroys the marks finish. */
			schedule_timeout_uninterruptible(1);
			err = -EAGAIN;
		}
	} while (err == -EAGAIN);
	if (err) {
		kfree(fe);
		/* Another thread published one first. */
		if (err == -EEXIST)
			return 0;
		return err == -EOPNOTSUPP ? err : -ENOMEM;
	}
	return 0;
}

static struct pfc_context *pfc_file_attach(struct file *file,
					   struct pfc_context *ctx,
					   enum pfc_add_mode mode)
{
	struct pfc_context *old = NULL;
	struct pfc_fentry *fe;
	bool linked = false;
	int err;

	if (!file)
		return ERR_PTR(-EINVAL);
	err = pfc_ctx_claim(ctx);
	if (err)
		return ERR_PTR(err);
	if (!pfc_file_supported(file)) {
		pfc_ctx_unclaim(ctx);
		return ERR_PTR(-EOPNOTSUPP);
	}
	for (;;) {
		rcu_read_lock();
		fe = pfc_fentry_find(file);
		if (fe) {
			spin_lock(&fe->list.lock);
			if (fe->list.state == PFC_ENTRY_LIVE) {
				old = pfc_clist_add(&fe->list, ctx, mode);
				linked = true;
			}
			spin_unlock(&fe->list.lock);
		}
		rcu_read_unlock();
		if (linked)
			return old;
		err = pfc_fentry_create(file);
		if (err) {
			pfc_ctx_unclaim(ctx);
			return ERR_PTR(err);
		}
	}
}

/**
 * pfc_file_insert() - attach a per-open context to a file
 * @file: an open file; the caller holds a reference on it
 * @ctx: a context set up by pfc_init_context() and not inserted anywhere
 *
 * The counterpart of FsRtlInsertPerFileObjectContext(): state for this
 * open, shared by every descriptor and mapping that refers to @file
 * (dup(), fork(), SCM_RIGHTS, mmap()), freed at its last fput(), before
 * the file system's ->release(), or when the inode's contexts die at
 * pfc's unload.  Matching, order, references and callbacks are those of
 * pfc_insert().  On overlayfs a mapping holds overlayfs' real file, not
 * the overlay file that was mapped (ovl_mmap() -> vma_set_file(), 6.12 and
 * 6.1): an overlay file's per-open contexts die at its last close even
 * while it is still mapped.
 *
 * A callback of the open hook gets a file that is not opened yet (the
 * file system's ->open() comes after it and may fail), and the close hook
 * one whose last reference is gone (fsnotify would not deliver the close
 * event of that very fput() to a close mark added now): in both this
 * returns -EOPNOTSUPP.  A consumer that wants per-open state from the open
 * hook decides at open and attaches from the opened callback
 * (pfc_open_hook_set_opened()), which runs once ->open() has succeeded.
 *
 * Context: Process context; may sleep.
 * Return: 0 on success, -EINVAL for a NULL @file or @ctx, a @ctx with no
 * owner or no free callback or already inserted, -EOPNOTSUPP if @file cannot carry
 * per-open contexts (pfc_file_supported()), -ENOMEM if memory ran out.
 */
int pfc_file_insert(struct file *file, struct pfc_context *ctx)
{
	return PTR_ERR_OR_ZERO(pfc_file_attach(file, ctx, PFC_ADD));
}
EXPORT_SYMBOL_NS_GPL(pfc_file_insert, PFC);

/**
 * pfc_file_insert_unique() - attach a per-open context unless its key is
 *	there
 * @file: as for pfc_file_insert()
 * @ctx: as for pfc_file_insert()
 *
 * pfc_insert_unique() for a file: FLT_SET_CONTEXT_KEEP_IF_EXISTS.
 *
 * Context: Process context; may sleep.
 * Return: NULL if @ctx was inserted; the context already attached, with a
 * reference for the caller; or ERR_PTR() with the errors of
 * pfc_file_insert().
 */
struct pfc_context *pfc_file_insert_unique(struct file *file,
					   struct pfc_context *ctx)
{
	return pfc_file_attach(file, ctx, PFC_ADD_UNIQUE);
}
EXPORT_SYMBOL_NS_GPL(pfc_file_insert_unique, PFC);

/**
 * pfc_file_replace() - attach a per-open context in place of the one with
 *	its keys
 * @file: as for pfc_file_insert()
 * @ctx: as for pfc_file_insert()
 *
 * pfc_replace() for a file: FLT_SET_CONTEXT_REPLACE_IF_EXISTS.
 *
 * Context: Process context; may sleep.
 * Return: NULL if there was no such context; the old context, unlinked,
 * with the list's reference for the caller; or ERR_PTR() with the errors of
 * pfc_file_insert(), nothing changed.
 */
struct pfc_context *pfc_file_replace(struct file *file, struct pfc_context *ctx)
{
	return pfc_file_attach(file, ctx, PFC_ADD_REPLACE);
}
EXPORT_SYMBOL_NS_GPL(pfc_file_replace, PFC);

/**
 * pfc_file_lookup() - find a per-open context, without a reference
 * @file: the file
 * @owner: owner to match, or NULL for any
 * @instance: instance to match, or NULL for any of @owner's
 *
 * The counterpart of FsRtlLookupPerFileObjectContext(); matching as in
 * pfc_lookup().  Takes no lock and never sleeps.
 *
 * Context: Must be called under rcu_read_lock().
 * Return: the context, valid until rcu_read_unlock(), or NULL.
 */
struct pfc_context *pfc_file_lookup(struct file *file, const void *owner,
				    const void *instance)
{
	struct pfc_fentry *fe;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "needs rcu_read_lock()");
	pfc_stat_inc(PFC_STAT_LOOKUPS);
	if (pfc_keys_match_nothing(file, owner, instance))
		return NULL;
	fe = pfc_fentry_find(file);
	return fe ? pfc_clist_match(&fe->list, owner, instance) : NULL;
}
EXPORT_SYMBOL_NS_GPL(pfc_file_lookup, PFC);

/**
 * pfc_file_lookup_get() - find a per-open context and take a reference
 * @file: the file
 * @owner: owner to match, or NULL for any
 * @instance: instance to match, or NULL for any of @owner's
 *
 * Like FltGetStreamHandleContext(); matching as in pfc_lookup().
 *
 * Context: Any context that may call rcu_read_lock(); never sleeps.
 * Return: the context with a reference the caller drops with pfc_put(),
 * or NULL.
 */
struct pfc_context *pfc_file_lookup_get(struct file *file, const void *owner,
					const void *instance)
{
	struct pfc_context *ctx = NULL;
	struct pfc_fentry *fe;

	pfc_stat_inc(PFC_STAT_LOOKUPS);
	if (pfc_keys_match_nothing(file, owner, instance))
		return NULL;
	rcu_read_lock();
	fe = pfc_fentry_find(file);
	if (fe)
		ctx = pfc_clist_get(&fe->list, owner, instance);
	rcu_read_unlock();
	return ctx;
}
EXPORT_SYMBOL_NS_GPL(pfc_file_lookup_get, PFC);

/**
 * pfc_file_remove() - unlink a per-open context
 * @file: the file
 * @owner: owner to match, or NULL for any
 * @instance: instance to match, or NULL for any of @owner's
 *
 * The counterpart of FsRtlRemovePerFileObjectContext(); as pfc_remove(),
 * the caller gets the list's reference.
 *
 * Context: As pfc_remove().
 * Return: the unlinked context, or NULL if nothing matched.
 */
struct pfc_context *pfc_file_remove(struct file *file, const void *owner,
				    const void *instance)
{
	struct pfc_context *ctx = NULL;
	struct pfc_fentry *fe;

	pfc_assert_task_context();
	if (pfc_keys_match_nothing(file, owner, instance))
		return NULL;
	rcu_read_lock();
	fe = pfc_fentry_find(file);
	if (fe)
		ctx = pfc_clist_remove(&fe->list, owner, instance);
	rcu_read_unlock();
	return ctx;
}
EXPORT_SYMBOL_NS_GPL(pfc_file_remove, PFC);

/* debugfs: the contexts of @entry's files.  Under entry->list.lock. */
void pfc_files_show(struct seq_file *m, struct pfc_entry *entry)
{
	struct pfc_context *ctx;
	struct pfc_fentry *fe;

	hlist_for_each_entry(fe, &entry->files, link) {
		spin_lock(&fe->list.lock);
		hlist_for_each_entry(ctx, &fe->list.contexts, node)
			seq_printf(m, "%s %lu/file %ps %p %u\n",
				   entry->inode->i_sb->s_id, fe->list.ino,
				   ctx->owner, ctx->instance,
				   refcount_read(&ctx->ref));
		spin_unlock(&fe->list.lock);
	}
}

int __init pfc_files_init(void)
{
	int err;

	err = rhashtable_init(&pfc_file_table, &pfc_file_params);
	if (err)
		return err;
	pfc_close_group = fsnotify_alloc_group(&pfc_close_ops, PFC_GROUP_NOFS);
	if (IS_ERR(pfc_close_group)) {
		rhashtable_destroy(&pfc_file_table);
		return PTR_ERR(pfc_close_group);
	}
	return 0;
}

/*
 * After pfc_entries_exit(): every inode entry died, and with it every file
 * entry and close mark.
 */
void pfc_files_exit(void)
{
	fsnotify_put_group(pfc_close_group);
	fsnotify_wait_marks_destroyed();
	wait_for_completion(&pfc_close_group_freed);
	fsnotify_wait_marks_destroyed();
	/* File entries are freed by kfree_rcu(). */
	rcu_barrier();
	rhashtable_destroy(&pfc_file_table);
}
