// SPDX-License-Identifier: GPL-2.0
/*
 * pfc - module setup: the parts in order, and undone in reverse
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

#include "pfc.h"
#include "internal.h"

static int __init pfc_init(void)
{
	int err;

	err = pfc_contexts_init();
	if (err)
		return err;
	err = pfc_entries_init();
	if (err)
		goto err_contexts;
	err = pfc_files_init();
	if (err)
		goto err_entries;
	pfc_debugfs_init();
	return 0;

err_entries:
	pfc_entries_exit();
err_contexts:
	pfc_contexts_exit();
	return err;
}

static void __exit pfc_exit(void)
{
	pfc_debugfs_exit();
	/* Entries first: their death destroys the close marks of file.c. */
	pfc_entries_exit();
	pfc_files_exit();
	pfc_contexts_exit();
	WARN_ON_ONCE(pfc_live_entries() || pfc_live_contexts() ||
		     pfc_live_files() || pfc_live_close_marks() ||
		     pfc_pending_callbacks());
}

module_init(pfc_init);
module_exit(pfc_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Per-file contexts: FsRtl-style private state on inodes, files and superblocks");
MODULE_AUTHOR("The pfc authors");
