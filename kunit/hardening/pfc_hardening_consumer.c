// SPDX-License-Identifier: GPL-2.0
/*
 * A throwaway pfc consumer for churn.sh: at load it attaches contexts to
 * dir/f0 .. dir/f7, at unload it calls pfc_remove_owner() and checks that
 * every one of its free callbacks has run, since they are code of this
 * module.  If one has not, it says so ("FAIL" in the log) and waits for it
 * instead of letting it run into freed module memory.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/namei.h>
#include <linux/slab.h>

#include "pfc.h"

#define PFC_CONSUMER_FILES	8

static char *dir = "/tmp/pfc-churn";
module_param(dir, charp, 0444);
MODULE_PARM_DESC(dir, "directory holding f0 .. f7");

static const char pfc_consumer_owner[] = "pfc_hardening_consumer";
static atomic_t pfc_consumer_live = ATOMIC_INIT(0);

struct pfc_consumer_ctx {
	struct pfc_context ctx;
	unsigned long cookie;
};

static void pfc_consumer_free(struct pfc_context *ctx)
{
	kfree(container_of(ctx, struct pfc_consumer_ctx, ctx));
	atomic_dec(&pfc_consumer_live);
}

static int pfc_consumer_attach(const char *name, unsigned int n)
{
	struct pfc_consumer_ctx *c;
	struct path path;
	unsigned int i;
	int err;

	err = kern_path(name, LOOKUP_FOLLOW, &path);
	if (err)
		return err;
	for (i = 0; i < n && !err; i++) {
		c = kzalloc(sizeof(*c), GFP_KERNEL);
		if (!c) {
			err = -ENOMEM;
			break;
		}
		c->cookie = i;
		pfc_init_context(&c->ctx, pfc_consumer_owner, (void *)c, pfc_consumer_free);
		atomic_inc(&pfc_consumer_live);
		err = pfc_insert(d_inode(path.dentry), &c->ctx);
		if (err) {
			atomic_dec(&pfc_consumer_live);
			kfree(c);
		}
	}
	path_put(&path);
	return err;
}

static int __init pfc_consumer_init(void)
{
	char name[256];
	unsigned int i;
	int err;

	for (i = 0; i < PFC_CONSUMER_FILES; i++) {
		snprintf(name, sizeof(name), "%s/f%u", dir, i);
		err = pfc_consumer_attach(name, 1 + i % 3);
		if (err) {
			pr_err("attach to %s: %d\n", name, err);
			pfc_remove_owner(pfc_consumer_owner);
			return err;
		}
	}
	return 0;
}

static void __exit pfc_consumer_exit(void)
{
	unsigned int tries = 0;
	int live;

	pfc_remove_owner(pfc_consumer_owner);
	live = atomic_read(&pfc_consumer_live);
	if (!live)
		return;
	pr_err("FAIL: %d free callbacks still due after pfc_remove_owner()\n",
	       live);
	while (atomic_read(&pfc_consumer_live) && tries++ < 100) {
		pfc_barrier();
		msleep(20);
	}
}

module_init(pfc_consumer_init);
module_exit(pfc_consumer_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pfc consumer loaded and unloaded in a loop by churn.sh");
