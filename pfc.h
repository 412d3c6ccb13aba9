/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfc - per-file contexts for loadable kernel modules
 *
 * The Linux counterpart of the Windows FsRtl per-file context calls
 * (FsRtlInsertPerFileContext, FsRtlLookupPerFileContext,
 * FsRtlRemovePerFileContext): a module attaches private state to an inode,
 * finds it again with a lock-free RCU lookup, and gets a free callback when
 * the inode is evicted.  The same contexts go on an open file (per-open
 * contexts, FsRtlInsertPerFileObjectContext) and on a superblock (FltMgr's
 * volume contexts).  See context.c for the objects and the lifetime rules.
 */
#ifndef _PFC_H
#define _PFC_H

#include <linux/completion.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>

/*
 * Every pfc export is in the PFC symbol namespace
 * (Documentation/core-api/symbol-namespaces.rst): a module that includes
 * this header imports it, and modpost refuses one that uses pfc's symbols
 * without it.  (Linux 6.13 made the namespace argument a string literal;
 * pfc builds for 6.1 and 6.12, which take the bare name.)
 */
MODULE_IMPORT_NS(PFC);

struct fsnotify_group;

struct pfc_context;

/**
 * typedef pfc_free_fn - free callback of a per-file context
 * @ctx: the context, unlinked from its inode with no reference left
 *
 * Called exactly once for every context that was ever inserted, after an
 * RCU grace period, in process context, with no pfc lock held.  It may
 * sleep and usually kfree()s the structure that embeds @ctx.
 */
typedef void (*pfc_free_fn)(struct pfc_context *ctx);

/**
 * struct pfc_context - a per-file context, embedded in the owner's structure
 * @owner: identifies the module or subsystem that owns the context; never
 *	NULL once inserted.  Read-only after pfc_init_context().
 * @instance: optional second key (an instance of the owner, a stream, ...).
 *	Read-only after pfc_init_context().
 *
 * Initialise with pfc_init_context() and get back to the enclosing
 * structure with container_of().  Only @owner and @instance are for
 * consumers to read; the rest belongs to pfc.
 */
struct pfc_context {
	const void *owner;
	const void *instance;
/* private: */
	/* Called once the last reference is gone after unlinking. */
	pfc_free_fn free;
	/* One reference per holder: the object's list, pfc_lookup_get(), ... */
	refcount_t ref;
	/* PFC_CTX_* bits, see context.c. */
	unsigned long flags;
	/* RCU state cookie taken when last unlinked, for re-insertion. */
	unsigned long unlinked;
	/* In its object's context list, protected by that list's lock. */
	struct hlist_node node;
	union {
		/* Grace period before the free callback. */
		struct rcu_head rcu;
		/* Then on pfc's list of callbacks to run. */
		struct llist_node free_node;
	};
};

void pfc_init_context(struct pfc_context *ctx, const void *owner,
		      const void *instance, pfc_free_fn free);
bool pfc_supported(const struct inode *inode);
struct inode *pfc_file_inode(const struct file *file);
struct inode *pfc_file_data_inode(const struct file *file);
struct inode *pfc_mapping_inode(const struct address_space *mapping);

int pfc_insert(struct inode *inode, struct pfc_context *ctx);
struct pfc_context *pfc_lookup(struct inode *inode, const void *owner,
			       const void *instance);
struct pfc_context *pfc_remove(struct inode *inode, const void *owner,
			       const void *instance);
void pfc_teardown(struct inode *inode);

struct pfc_context *__must_check pfc_lookup_get(struct inode *inode,
						const void *owner,
						const void *instance);
void pfc_put(struct pfc_context *ctx);
struct pfc_context *__must_check pfc_insert_unique(struct inode *inode,
						   struct pfc_context *ctx);
void pfc_remove_owner(const void *owner);
void pfc_barrier(void);
struct pfc_context *__must_check pfc_replace(struct inode *inode,
					     struct pfc_context *ctx);
void pfc_get(struct pfc_context *ctx);

/* Per-open contexts: file.c */
bool pfc_file_supported(const struct file *file);
int pfc_file_insert(struct file *file, struct pfc_context *ctx);
struct pfc_context *pfc_file_lookup(struct file *file, const void *owner,
				    const void *instance);
struct pfc_context *__must_check pfc_file_lookup_get(struct file *file,
						     const void *owner,
						     const void *instance);
struct pfc_context *pfc_file_remove(struct file *file, const void *owner,
				    const void *instance);
struct pfc_context *__must_check pfc_file_insert_unique(struct file *file,
							struct pfc_context *ctx);
struct pfc_context *__must_check pfc_file_replace(struct file *file,
						  struct pfc_context *ctx);

/* Per-superblock contexts: super.c */
int pfc_sb_insert(struct super_block *sb, struct pfc_context *ctx);
struct pfc_context *pfc_sb_lookup(struct super_block *sb, const void *owner,
				  const void *instance);
struct pfc_context *__must_check pfc_sb_lookup_get(struct super_block *sb,
						   const void *owner,
						   const void *instance);
struct pfc_context *pfc_sb_remove(struct super_block *sb, const void *owner,
				  const void *instance);
struct pfc_context *__must_check pfc_sb_insert_unique(struct super_block *sb,
						      struct pfc_context *ctx);

struct pfc_open_hook;

/**
 * typedef pfc_open_fn - called on an open of a watched file
 * @hook: the hook the consumer registered
 * @file: the file being opened: after the LSM file_open hook, before the
 *	file system's ->open().  f_mode and f_flags say how it is opened.
 *
 * Runs in the context of the task that calls open(2), may sleep, and may
 * attach contexts to file_inode(@file).  Opens that the callback makes
 * itself with dentry_open(..., flags | __FMODE_NONOTIFY, ...) are not seen.
 * It runs inside fsnotify's SRCU read-side section: while it sleeps, no
 * fsnotify mark in the system can be freed, and closing an inotify or
 * fanotify descriptor waits.  So it may do I/O, but must not wait for
 * another task or for user space (a scanner daemon; a read of a FUSE
 * file), which can deadlock, and must not call pfc_open_hook_release().
 * Keep it bounded: a hash of a whole large file delays every mark
 * destruction on the machine for as long.
 *
 * Locks held by the caller, on 6.12 and 6.1 alike: an open with O_TRUNC
 * runs the callback under mnt_want_write() (the superblock's freeze
 * protection, sb_start_write()), so the callback must not write to that
 * file system (data, xattrs), which can deadlock against a freeze; an
 * open with O_CREAT on a file system with ->atomic_open (FUSE, NFS, CIFS)
 * runs it under the parent directory's i_rwsem as well.
 *
 * On a stacked file system the callback sees what it watches.  Through an
 * overlayfs mount it gets the overlay file (file_inode() is the overlay
 * inode) if the overlay is watched, and on 6.12 also the backing file
 * that overlayfs opens from ->open() on the real file system, if that is
 * watched (FMODE_BACKING; the real path and inode; the mounter's
 * credentials in f_cred).  On 6.1 overlayfs opens the real file with
 * FMODE_NONOTIFY: a hook on the real file system never sees opens made
 * through an overlay.  pfc_file_data_inode() gives the inode holding the
 * data in every case.
 *
 * Return: 0 to let the open go on, or a negative errno that fails the
 * open(2) with that error (the post-create/deny decision of a filter).
 */
typedef int (*pfc_open_fn)(struct pfc_open_hook *hook, struct file *file);

/**
 * typedef pfc_opened_fn - called once an open of a watched file succeeded
 * @hook: the hook the consumer registered
 * @file: the file, opened (FMODE_OPENED, after the file system's ->open())
 *
 * The post-create point of a Windows filter, where it sets stream-handle
 * contexts: pfc_file_insert() works here, which it does not in the open
 * callback (the file is not opened yet there).  Called from
 * fsnotify_open(), in the context of the task that opens the file, under
 * the same SRCU rule as &typedef pfc_open_fn; may sleep; cannot fail the
 * open.  The open may still fail after it (on 6.12: IMA's post-open
 * check, the truncate of O_TRUNC, may_open() and the O_CREAT checks after
 * an ->atomic_open(), exec's noexec and ETXTBSY checks): the file is then
 * released like any other, with its close callback and the death of its
 * per-open contexts.
 *
 * Open, opened and close callbacks are not paired: a consumer must cope
 * with any of them missing for a file.  On 6.12 vfs_open(),
 * kernel_file_open(), ->atomic_open() and vfs_tmpfile() send the event:
 * open(2) and its relatives, exec, kernel opens by dentry_open(),
 * filp_open() and file_open_root(), overlayfs' backing files; not an
 * O_DIRECT open that the file system refuses after FMODE_OPENED (a close
 * callback comes, no opened one).  On 6.1 only open(2) and its relatives
 * (openat2, creat, open_by_handle_at, io_uring's openat), uselib and
 * exec by name send it: kernel opens (dentry_open(), filp_open(),
 * file_open_root(), overlayfs' real files) and execveat(AT_EMPTY_PATH) do
 * not.  An open racing with pfc_open_watch() or pfc_open_unwatch() may
 * get one of the open and opened callbacks only.  FMODE_NONOTIFY and
 * O_PATH files get none.
 *
 * Locks held by the caller: on 6.1, none (do_sys_openat2() sends it once
 * the open is done), except for exec (the task's cred_guard_mutex, for an
 * interpreter opened by a binfmt).  On 6.12, as for the open callback: an
 * open that may write (O_TRUNC, O_TMPFILE, O_CREAT through
 * ->atomic_open()) holds the superblock's freeze protection
 * (mnt_want_write()), so the callback must not write to that file
 * system; ->atomic_open() (FUSE, NFS, CIFS) runs it under the parent
 * directory's i_rwsem, shared or exclusive; overlayfs' copy-up runs it
 * under overlayfs' own write protection and inode lock; exec under
 * cred_guard_mutex.
 */
typedef void (*pfc_opened_fn)(struct pfc_open_hook *hook, struct file *file);

/**
 * typedef pfc_close_fn - called at the last close of a watched file
 * @hook: the hook the consumer registered
 * @file: the file: its last reference is gone (close(), exit(), the last
 *	dup()/fork() holder, munmap()), its ->release() has not run yet.
 *	f_mode, f_flags, f_pos and its per-open contexts are still there.
 *
 * The scan-on-close point of a Windows filter's IRP_MJ_CLEANUP.  Called
 * once per opened file (FMODE_OPENED) of a watched superblock: files
 * opened before the watch began included, and opens that fail after the
 * file system's ->open() (IMA's post-open check, the truncate of O_TRUNC,
 * O_DIRECT refused) included, so not always after an open callback; not
 * for O_PATH and FMODE_NONOTIFY files.  From __fput(), in the context of
 * the task that dropped the last reference or of a kernel worker (files
 * closed from interrupt context or by a kernel thread go through
 * delayed_fput()).  May sleep, under the same SRCU rule
 * as &typedef pfc_open_fn; holds no lock of the file system.  Cannot fail
 * the close.  A file whose hook and contexts the callback reads is the
 * same for as long as it runs; the file's per-open contexts die after it
 * returns.  The file's last reference is gone: do not get_file() it, and
 * per-open inserts on it are refused (lookups and removes work).
 */
typedef void (*pfc_close_fn)(struct pfc_open_hook *hook, struct file *file);

/**
 * struct pfc_open_hook - a consumer's hook on opens, per watched filesystem
 * @open: the callback; set by pfc_open_hook_init().
 *
 * Embed it in the consumer's state.  Only @open is for consumers to read.
 * pfc_open_hook_set_opened() adds a callback after a successful open,
 * pfc_open_hook_set_close() one at the last close.
 */
struct pfc_open_hook {
	pfc_open_fn open;
/* private: */
	/* The opened callback, or NULL; set before the first watch. */
	pfc_opened_fn opened;
	/* The close callback, or NULL; set before the first watch. */
	pfc_close_fn close;
	/* fsnotify group of this hook; one superblock mark per watch. */
	struct fsnotify_group *group;
	/* Protects @watches. */
	spinlock_t lock;
	/* struct pfc_open_watch of each watched superblock. */
	struct list_head watches;
	/* Completed when @group is freed: no callback can run any more. */
	struct completion released;
};

int pfc_open_hook_init(struct pfc_open_hook *hook, pfc_open_fn open);
int pfc_open_watch(struct pfc_open_hook *hook, struct super_block *sb);
int pfc_open_watch_path(struct pfc_open_hook *hook, const char *pathname);
int pfc_open_unwatch(struct pfc_open_hook *hook, struct super_block *sb);
int pfc_open_unwatch_path(struct pfc_open_hook *hook, const char *pathname);
void pfc_open_hook_set_opened(struct pfc_open_hook *hook,
			      pfc_opened_fn opened);
void pfc_open_hook_set_close(struct pfc_open_hook *hook, pfc_close_fn close);
void pfc_open_hook_release(struct pfc_open_hook *hook);

#endif /* _PFC_H */
