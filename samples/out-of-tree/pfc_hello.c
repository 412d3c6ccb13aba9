// SPDX-License-Identifier: GPL-2.0
/*
 * pfc_hello - the smallest consumer of pfc, built outside pfc's tree
 * against an installed pfc (see the Makefile next to it).
 *
 * At load it attaches a context to the inode of "/", finds it again with a
 * lockless lookup, and says so; at unload pfc_remove_owner() takes back
 * whatever it left and waits for the free callbacks.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/namei.h>
#include <linux/slab.h>

#include <pfc.h>

static char pfc_hello_owner;	/* our contexts' owner key */

struct pfc_hello_ctx {
	struct pfc_context ctx;
	unsigned long loaded;	/* jiffies at load */
};

static void pfc_hello_free(struct pfc_context *ctx)
{
	kfree(container_of(ctx, struct pfc_hello_ctx, ctx));
}

static int __init pfc_hello_init(void)
{
	struct pfc_hello_ctx *hc;
	struct pfc_context *found;
	struct path root;
	int err;

	err = kern_path("/", LOOKUP_FOLLOW, &root);
	if (err)
		return err;
	hc = kzalloc(sizeof(*hc), GFP_KERNEL);
	if (!hc) {
		err = -ENOMEM;
		goto out;
	}
	hc->loaded = jiffies;
	pfc_init_context(&hc->ctx, &pfc_hello_owner, NULL, pfc_hello_free);
	err = pfc_insert(d_inode(root.dentry), &hc->ctx);
	if (err) {
		kfree(hc);
		goto out;
	}
	rcu_read_lock();
	found = pfc_lookup(d_inode(root.dentry), &pfc_hello_owner, NULL);
	rcu_read_unlock();
	if (found == &hc->ctx)
		pr_info("context attached to / and found again\n");
	else
		err = -EIO;
	if (err)
		pfc_remove_owner(&pfc_hello_owner);
out:
	path_put(&root);
	return err;
}

static void __exit pfc_hello_exit(void)
{
	pfc_remove_owner(&pfc_hello_owner);
	pr_info("contexts removed\n");
}

module_init(pfc_hello_init);
module_exit(pfc_hello_exit);
MODULE_DESCRIPTION("Smallest out-of-tree consumer of pfc");
MODULE_LICENSE("GPL");
