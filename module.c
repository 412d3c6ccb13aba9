// SPDX-License-Identifier: GPL-2.0
/*
 * pfc - module setup: the parts in order, and undone in reverse
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

#include "internal.h"

static int __init pfc_init(void)
{
	int err;

	err = pfc_context_init();
	if (err)
		return err;
	pfc_debugfs_init();
	return 0;
}

static void __exit pfc_exit(void)
{
	pfc_debugfs_exit();
	pfc_context_exit();
}

module_init(pfc_init);
module_exit(pfc_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Per-file contexts: FsRtl-style private state on inodes");
MODULE_AUTHOR("The pfc authors");
