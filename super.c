// SPDX-License-Identifier: GPL-2.0
/*
 * pfc - per-superblock contexts: FltMgr's volume and instance contexts
 *
 * A superblock's contexts live in a struct pfc_entry like an inode's
 * (inode.c), with a superblock mark of one of pfc's groups instead of an
 * inode mark.  The entry dies when fsnotify destroys the mark: at umount, in
 * generic_shutdown_super() -> fsnotify_sb_delete(), after the last
 * reference to the mount is gone (a lazy umount waits for the last open
 * file), or when pfc is unloaded.  A superblock mark holds no reference:
 * contexts never keep a file system mounted.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/module.h>

#include "pfc.h"
#include "internal.h"

static int pfc_sb_insert_check(struct super_block *sb, struct pfc_context *ctx)
{
	int err;

	if (!sb)
		return -EINVAL;
	err = pfc_ctx_claim(ctx);
	if (err)
		return err;
	if (!(READ_ONCE(sb->s_flags) & SB_ACTIVE)) {
		pfc_ctx_unclaim(ctx);
		return -EOPNOTSUPP;
	}
	return 0;
}

/**
 * pfc_sb_insert() - attach a context to a superblock
 * @sb: the superblock; the caller keeps it mounted for the call (an open
 *	file or a path on it), not just one of its inodes
 * @ctx: a context set up by pfc_init_context() and not inserted anywhere
 *
 * What FltSetVolumeContext() and FltSetInstanceContext() are to a Windows
 * filter: state per file system, found with pfc_sb_lookup(), freed when the
 * file system is unmounted.  Matching, order, references and callbacks are
 * those of pfc_insert().
 *
 * Context: Process context; may sleep.
 * Return: 0 on success, -EINVAL for a NULL @sb or @ctx, a @ctx with no
 * owner or no free callback or already inserted, -EOPNOTSUPP if @sb is
 * being unmounted, -ENOMEM if memory ran out.
 */
int pfc_sb_insert(struct super_block *sb, struct pfc_context *ctx)
{
	int err = pfc_sb_insert_check(sb, ctx);

	return err ?: PTR_ERR_OR_ZERO(pfc_entry_attach(sb, PFC_OBJ_SB, ctx,
						       PFC_ADD));
}
EXPORT_SYMBOL_NS_GPL(pfc_sb_insert, PFC);

/**
 * pfc_sb_insert_unique() - attach a context to a superblock unless its key
 *	is there
 * @sb: as for pfc_sb_insert()
 * @ctx: as for pfc_sb_insert()
 *
 * pfc_insert_unique() for a superblock: FLT_SET_CONTEXT_KEEP_IF_EXISTS.
 *
 * Context: Process context; may sleep.
 * Return: NULL if @ctx was inserted; the context already attached, with a
 * reference for the caller; or ERR_PTR() with the errors of
 * pfc_sb_insert().
 */
struct pfc_context *pfc_sb_insert_unique(struct super_block *sb,
					 struct pfc_context *ctx)
{
	int err = pfc_sb_insert_check(sb, ctx);

	return err ? ERR_PTR(err) :
		     pfc_entry_attach(sb, PFC_OBJ_SB, ctx, PFC_ADD_UNIQUE);
}
EXPORT_SYMBOL_NS_GPL(pfc_sb_insert_unique, PFC);

/**
 * pfc_sb_lookup() - find a superblock's context, without a reference
 * @sb: the superblock
 * @owner: owner to match, or NULL for any
 * @instance: instance to match, or NULL for any of @owner's
 *
 * Matching as in pfc_lookup(); takes no lock and never sleeps.
 *
 * Context: Must be called under rcu_read_lock().
 * Return: the context, valid until rcu_read_unlock(), or NULL.
 */
struct pfc_context *pfc_sb_lookup(struct super_block *sb, const void *owner,
				  const void *instance)
{
	return pfc_entry_lookup(sb, owner, instance);
}
EXPORT_SYMBOL_NS_GPL(pfc_sb_lookup, PFC);

/**
 * pfc_sb_lookup_get() - find a superblock's context and take a reference
 * @sb: the superblock
 * @owner: owner to match, or NULL for any
 * @instance: instance to match, or NULL for any of @owner's
 *
 * Context: Any context that may call rcu_read_lock(); never sleeps.
 * Return: the context with a reference the caller drops with pfc_put(),
 * or NULL.
 */
struct pfc_context *pfc_sb_lookup_get(struct super_block *sb,
				      const void *owner, const void *instance)
{
	return pfc_entry_lookup_get(sb, owner, instance);
}
EXPORT_SYMBOL_NS_GPL(pfc_sb_lookup_get, PFC);

/**
 * pfc_sb_remove() - unlink a superblock's context
 * @sb: the superblock
 * @owner: owner to match, or NULL for any
 * @instance: instance to match, or NULL for any of @owner's
 *
 * As pfc_remove(): the caller gets the list's reference.
 *
 * Context: As pfc_remove().
 * Return: the unlinked context, or NULL if nothing matched.
 */
struct pfc_context *pfc_sb_remove(struct super_block *sb, const void *owner,
				  const void *instance)
{
	return pfc_entry_remove(sb, owner, instance);
}
EXPORT_SYMBOL_NS_GPL(pfc_sb_remove, PFC);
