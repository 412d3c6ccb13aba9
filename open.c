// SPDX-License-Identifier: GPL-2.0
/*
 * pfc - the open hook: a consumer's callback on every open of a file on
 * the file systems it watches, able to attach contexts and to deny the open
 *
 * Each hook owns an fsnotify group of priority FSNOTIFY_PRIO_CONTENT (the
 * priority of fanotify's permission events) with one superblock mark per
 * watched file system, whose mask is FS_OPEN_PERM.  do_dentry_open() sends
 * that event through fsnotify_open_perm() only on superblocks that have
 * such watchers, so opens elsewhere pay nothing; an error returned by the
 * callback fails the open.  A hook with an opened callback also asks for
 * FS_OPEN, which fsnotify_open() sends once the open has succeeded, and
 * one with a close callback for FS_CLOSE_WRITE and FS_CLOSE_NOWRITE,
 * which __fput() sends through fsnotify_close() before ->release().
 * The hook's group has a higher
 * priority than pfc's own close group (file.c), so the close callback
 * runs before the file's per-open contexts die.
 *
 * LIFETIME
 *
 * A watch (struct pfc_open_watch) is the superblock mark.  The mark's
 * initial reference belongs to pfc_open_watch() until it lists the
 * watch, then to hook->watches: whoever takes a watch off that list,
 * under hook->lock, drops it.  That is pfc_open_unwatch() and
 * pfc_open_hook_release(), which then destroy the mark, or
 * pfc_open_freeing_mark() when fsnotify destroys the mark at umount.
 * fsnotify may also destroy the mark before pfc_open_watch() lists it:
 * pfc_open_freeing_mark() then finds the watch unlisted, marks it dead,
 * and pfc_open_watch() drops the reference instead of listing it.
 * pfc_open_hook_release() puts the group and waits until fsnotify frees
 * it, which happens only after every mark is gone and no event handler
 * can still be running (fsnotify waits for its SRCU readers first).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/fsnotify_backend.h>
#include <linux/namei.h>
#include <linux/slab.h>

#include "pfc.h"
#include "internal.h"

/**
 * struct pfc_open_watch - one watched superblock of a hook
 * @mark: fsnotify superblock mark, mask FS_OPEN_PERM, FS_OPEN if the hook
 *	has an opened callback, and FS_CLOSE if it has a close callback.
 * @link: in hook->watches, under hook->lock; empty once taken off.
 * @sb: the superblock, as a key for pfc_open_unwatch(); not a reference.
 * @dead: under hook->lock: fsnotify destroyed the mark before
 *	pfc_open_watch() listed the watch, so it never will.
 */
struct pfc_open_watch {
	struct fsnotify_mark mark;
	struct list_head link;
	struct super_block *sb;
	bool dead;
};

static int pfc_open_handle_event(struct fsnotify_group *group, u32 mask,
				 const void *data, int data_type,
				 struct inode *dir, const struct qstr *name,
				 u32 cookie, struct fsnotify_iter_info *iter)
{
	struct pfc_open_hook *hook = group->private;
	const struct path *path = fsnotify_data_path(data, data_type);
	pfc_opened_fn opened;
	pfc_close_fn close;
	struct file *file;
	int ret;

	if (!path)
		return 0;
	/*
	 * FS_OPEN_PERM is only sent by fsnotify_open_perm(), FS_OPEN by
	 * fsnotify_open() and FS_CLOSE_* by fsnotify_close(), all with
	 * &file->f_path.
	 */
	file = container_of(path, struct file, f_path);
	if (mask & (FS_CLOSE_WRITE | FS_CLOSE_NOWRITE)) {
		close = READ_ONCE(hook->close);
		if (close)
			close(hook, file);
		return 0;
	}
	if (mask & FS_OPEN) {
		opened = READ_ONCE(hook->opened);
		if (opened)
			opened(hook, file);
		return 0;
	}
	if (!(mask & FS_OPEN_PERM))
		return 0;
	ret = hook->open(hook, file);
	return ret < 0 ? ret : 0;
}

static void pfc_open_freeing_mark(struct fsnotify_mark *mark,
				  struct fsnotify_group *group)
{
	struct pfc_open_watch *watch =
		container_of(mark, struct pfc_open_watch, mark);
	struct pfc_open_hook *hook = group->private;
	bool unlisted = false;

	spin_lock(&hook->lock);
	if (!list_empty(&watch->link)) {
		list_del_init(&watch->link);
		unlisted = true;
	} else {
		/* Taken off already, or not listed yet: see pfc_open_watch(). */
		watch->dead = true;
	}
	spin_unlock(&hook->lock);
	if (unlisted)
		fsnotify_put_mark(mark);
}

static void pfc_open_free_mark(struct fsnotify_mark *mark)
{
	kfree(container_of(mark, struct pfc_open_watch, mark));
}

static void pfc_open_free_group_priv(struct fsnotify_group *group)
{
	struct pfc_open_hook *hook = group->private;

	complete(&hook->released);
}

static const struct fsnotify_ops pfc_open_ops = {
	.handle_event = pfc_open_handle_event,
	.freeing_mark = pfc_open_freeing_mark,
	.free_mark = pfc_open_free_mark,
	.free_group_priv = pfc_open_free_group_priv,
};

/**
 * pfc_open_hook_init() - set up an open hook
 * @hook: the hook, embedded in the consumer's state
 * @open: the callback, see &typedef pfc_open_fn
 *
 * The hook watches nothing until pfc_open_watch().  Undo with
 * pfc_open_hook_release().
 *
 * Context: Process context; may sleep.
 * Return: 0, -EINVAL for a NULL @hook or @open, -EOPNOTSUPP on a kernel
 * without CONFIG_FANOTIFY_ACCESS_PERMISSIONS (no open permission events),
 * or -ENOMEM.
 */
int pfc_open_hook_init(struct pfc_open_hook *hook, pfc_open_fn open)
{
	struct fsnotify_group *group;

	if (!hook || !open)
		return -EINVAL;
	if (!IS_ENABLED(CONFIG_FANOTIFY_ACCESS_PERMISSIONS))
		return -EOPNOTSUPP;
	group = fsnotify_alloc_group(&pfc_open_ops, 0);
	if (IS_ERR(group))
		return PTR_ERR(group);
	/* Permission events go only to groups of this priority or above. */
	group->priority = FSNOTIFY_PRIO_CONTENT;
	group->private = hook;
	hook->open = open;
	hook->opened = NULL;
	hook->close = NULL;
	hook->group = group;
	spin_lock_init(&hook->lock);
	INIT_LIST_HEAD(&hook->watches);
	init_completion(&hook->released);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(pfc_open_hook_init, PFC);

/**
 * pfc_open_watch() - call a hook on every open on a file system
 * @hook: the hook
 * @sb: the superblock; the caller keeps it active for the call
 *
 * The watch ends with pfc_open_unwatch(), pfc_open_hook_release(), or when
 * the file system is unmounted.  An unwatch of @sb that runs while this
 * call is in progress may return -ENOENT, as if it came first.  Must not
 * run concurrently with or after pfc_open_hook_release().
 *
 * Context: Process context; may sleep.
 * Return: 0, -EEXIST if @hook watches @sb already, or -ENOMEM.
 */
int pfc_open_watch(struct pfc_open_hook *hook, struct super_block *sb)
{
	struct pfc_open_watch *watch;
	int err;

	watch = kzalloc(sizeof(*watch), GFP_KERNEL);
	if (!watch)
		return -ENOMEM;
	fsnotify_init_mark(&watch->mark, hook->group);
	watch->mark.mask = FS_OPEN_PERM;
	if (READ_ONCE(hook->opened))
		watch->mark.mask |= FS_OPEN;
	if (READ_ONCE(hook->close))
		watch->mark.mask |= FS_CLOSE_WRITE | FS_CLOSE_NOWRITE;
	watch->sb = sb;
	INIT_LIST_HEAD(&watch->link);

	/*
	 * The watch goes on the list only once its mark is on @sb: listed
	 * earlier, an unwatch could take it and put the mark while
	 * fsnotify_add_mark() still uses it, and a duplicate that fails
	 * with -EEXIST could be the one an unwatch picks.
	 */
	err = pfc_add_sb_mark(&watch->mark, sb);
	if (err) {
		/* Never attached: no freeing_mark, the reference is ours. */
		fsnotify_put_mark(&watch->mark);
		return err;
	}
	pfc_race_point(PFC_RACE_WATCH_MARKED, sb);
	spin_lock(&hook->lock);
	if (watch->dead) {
		/* Unmounted meanwhile: the watch has ended already. */
		spin_unlock(&hook->lock);
		fsnotify_put_mark(&watch->mark);
		return 0;
	}
	list_add(&watch->link, &hook->watches);
	spin_unlock(&hook->lock);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(pfc_open_watch, PFC);

/**
 * pfc_open_watch_path() - pfc_open_watch() on the file system of a path
 * @hook: the hook
 * @pathname: a path on the file system to watch, e.g. its mount point
 *
 * Context: Process context; may sleep.
 * Return: as pfc_open_watch(), or the error of the path lookup.
 */
int pfc_open_watch_path(struct pfc_open_hook *hook, const char *pathname)
{
	struct path path;
	int err;

	err = kern_path(pathname, LOOKUP_FOLLOW, &path);
	if (err)
		return err;
	err = pfc_open_watch(hook, path.dentry->d_sb);
	path_put(&path);
	return err;
}
EXPORT_SYMBOL_NS_GPL(pfc_open_watch_path, PFC);

/**
 * pfc_open_hook_set_close() - also call a hook at the last close of a file
 * @hook: a hook set up by pfc_open_hook_init(), watching nothing yet
 * @close: the callback, see &typedef pfc_close_fn
 *
 * Call it before the first pfc_open_watch(): a watch asks fsnotify for
 * close events only if the hook had a close callback when it was made.
 *
 * Context: Any context.
 */
void pfc_open_hook_set_close(struct pfc_open_hook *hook, pfc_close_fn close)
{
	WRITE_ONCE(hook->close, close);
}
EXPORT_SYMBOL_NS_GPL(pfc_open_hook_set_close, PFC);

/**
 * pfc_open_hook_set_opened() - also call a hook once an open has succeeded
 * @hook: a hook set up by pfc_open_hook_init(), watching nothing yet
 * @opened: the callback, see &typedef pfc_opened_fn
 *
 * Call it before the first pfc_open_watch(), as pfc_open_hook_set_close().
 *
 * Context: Any context.
 */
void pfc_open_hook_set_opened(struct pfc_open_hook *hook,
			      pfc_opened_fn opened)
{
	WRITE_ONCE(hook->opened, opened);
}
EXPORT_SYMBOL_NS_GPL(pfc_open_hook_set_opened, PFC);

/* Destroy a watch taken off its hook's list, dropping the list's reference. */
static void pfc_open_destroy_watch(struct pfc_open_hook *hook,
				   struct pfc_open_watch *watch)
{
	fsnotify_destroy_mark(&watch->mark, hook->group);
	fsnotify_put_mark(&watch->mark);
}

/**
 * pfc_open_unwatch() - stop calling a hook on opens on a file system
 * @hook: the hook
 * @sb: the superblock
 *
 * Opens that are already in the callback finish; pfc_open_hook_release()
 * waits for them.
 *
 * Context: Process context; may sleep.
 * Return: 0, or -ENOENT if @hook does not watch @sb.
 */
int pfc_open_unwatch(struct pfc_open_hook *hook, struct super_block *sb)
{
	struct pfc_open_watch *watch, *found = NULL;

	spin_lock(&hook->lock);
	list_for_each_entry(watch, &hook->watches, link) {
		if (watch->sb == sb) {
			list_del_init(&watch->link);
			found = watch;
			break;
		}
	}
	spin_unlock(&hook->lock);
	if (!found)
		return -ENOENT;
	pfc_open_destroy_watch(hook, found);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(pfc_open_unwatch, PFC);

/**
 * pfc_open_unwatch_path() - pfc_open_unwatch() of the file system of a path
 * @hook: the hook
 * @pathname: a path on the watched file system, e.g. its mount point
 *
 * Context: Process context; may sleep.
 * Return: as pfc_open_unwatch(), or the error of the path lookup.
 */
int pfc_open_unwatch_path(struct pfc_open_hook *hook, const char *pathname)
{
	struct path path;
	int err;

	err = kern_path(pathname, LOOKUP_FOLLOW, &path);
	if (err)
		return err;
	err = pfc_open_unwatch(hook, path.dentry->d_sb);
	path_put(&path);
	return err;
}
EXPORT_SYMBOL_NS_GPL(pfc_open_unwatch_path, PFC);

/**
 * pfc_open_hook_release() - unwatch everything and wait for callbacks
 * @hook: a hook set up by pfc_open_hook_init()
 *
 * On return the callback is not running and will not be called again, so
 * a consumer may call this from its module exit and then unload.
 *
 * Context: Process context; sleeps.
 */
void pfc_open_hook_release(struct pfc_open_hook *hook)
{
	struct pfc_open_watch *watch;

	for (;;) {
		spin_lock(&hook->lock);
		watch = list_first_entry_or_null(&hook->watches,
						 struct pfc_open_watch, link);
		if (watch)
			list_del_init(&watch->link);
		spin_unlock(&hook->lock);
		if (!watch)
			break;
		pfc_open_destroy_watch(hook, watch);
	}
	fsnotify_put_group(hook->group);
	fsnotify_wait_marks_destroyed();
	wait_for_completion(&hook->released);
}
EXPORT_SYMBOL_NS_GPL(pfc_open_hook_release, PFC);
