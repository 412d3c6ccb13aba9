// SPDX-License-Identifier: GPL-2.0
/*
 * pfc_watch - a minimal pfc consumer for the stock-kernel VM scenarios
 *
 * Attaches one context of its own to the inode of every file opened on the
 * file systems it watches, through the pfc open hook, the way a filter
 * attaches its per-file state in post-create.  It never denies an open.
 *
 * /sys/kernel/debug/pfc_watch/ (root only):
 *   watch    write a path: watch opens on that path's file system
 *   unwatch  write a path: stop watching that file system
 *   stats    opens seen, contexts attached, opens that found one already,
 *            failed inserts, free callbacks run, contexts live, opens of
 *            files whose data inode is not their inode (stacked); closes
 *            the close hook saw, closes of files with a per-open context
 *            of ours, per-open contexts attached and freed, and files the
 *            close hook saw twice (must stay 0)
 *   fattach  write a descriptor number: attach a per-open context to that
 *            open file of the writer (pfc_file_insert()); -EOPNOTSUPP for
 *            files pfc cannot see closing
 *   sattach  write a path: attach a per-superblock context to its file
 *            system (pfc_sb_insert())
 *   oattach  0 or 1: whether the opened callback attaches a per-open
 *            context to every file it sees opened (stats: opened,
 *            oattached, ofreed, ocloses: closes that found it)
 *   seen     the first PFC_WATCH_SEEN opens since the last write to it,
 *            one line each: "<sb> <ino> <data sb> <data ino> <how>" of
 *            pfc_file_inode() and pfc_file_data_inode(), how being
 *            "backing" (FMODE_BACKING), "fakepath" (f_path is not the
 *            file's inode's) or "plain"; write anything to clear it
 *
 * Module exit releases the hook and then calls pfc_remove_owner(), which
 * sweeps every context still attached and waits for their callbacks: the
 * exit message says how many contexts were attached and freed in all.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kstrtox.h>
#include <linux/namei.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "pfc.h"

/**
 * struct pfc_watch_ctx - what pfc_watch keeps per inode
 * @ctx: pfc's part; owner &pfc_watch_owner, no instance.
 * @opens: opens that found this context attached.  Only for show.
 */
struct pfc_watch_ctx {
	struct pfc_context ctx;
	atomic_t opens;
};

/**
 * struct pfc_watch_fctx - what pfc_watch keeps per open file (fattach)
 * @ctx: pfc's part; owner &pfc_watch_owner, instance &pfc_watch_fkey.
 * @closes: close hook calls that saw this context.
 */
struct pfc_watch_fctx {
	struct pfc_context ctx;
	atomic_t closes;
};

/* The owner key; "pfc_watch_owner [pfc_watch]" in pfc's contexts file. */
static const char pfc_watch_owner[] = "pfc_watch";
/* The instance key of per-open contexts. */
static const char pfc_watch_fkey[] = "file";
/* Instance key of the per-open contexts the opened callback attaches. */
static const char pfc_watch_okey[] = "opened";
static bool pfc_watch_oattach;

static struct pfc_open_hook pfc_watch_hook;
static struct dentry *pfc_watch_dir;

static atomic_long_t pfc_watch_opens = ATOMIC_LONG_INIT(0);
static atomic_long_t pfc_watch_attached = ATOMIC_LONG_INIT(0);
static atomic_long_t pfc_watch_present = ATOMIC_LONG_INIT(0);
static atomic_long_t pfc_watch_failed = ATOMIC_LONG_INIT(0);
static atomic_long_t pfc_watch_freed = ATOMIC_LONG_INIT(0);
static atomic_long_t pfc_watch_stacked = ATOMIC_LONG_INIT(0);
static atomic_long_t pfc_watch_closes = ATOMIC_LONG_INIT(0);
static atomic_long_t pfc_watch_fcloses = ATOMIC_LONG_INIT(0);
static atomic_long_t pfc_watch_fattached = ATOMIC_LONG_INIT(0);
static atomic_long_t pfc_watch_ffreed = ATOMIC_LONG_INIT(0);
static atomic_long_t pfc_watch_ftwice = ATOMIC_LONG_INIT(0);
static atomic_long_t pfc_watch_sattached = ATOMIC_LONG_INIT(0);
static atomic_long_t pfc_watch_sfreed = ATOMIC_LONG_INIT(0);
static atomic_long_t pfc_watch_opened = ATOMIC_LONG_INIT(0);
static atomic_long_t pfc_watch_oattached = ATOMIC_LONG_INIT(0);
static atomic_long_t pfc_watch_ofreed = ATOMIC_LONG_INIT(0);
static atomic_long_t pfc_watch_ocloses = ATOMIC_LONG_INIT(0);

#define PFC_WATCH_SEEN	16

/**
 * struct pfc_watch_seen - what one open looked like to the hook
 * @sb: s_id of pfc_file_inode()'s superblock.
 * @ino: its inode number.
 * @data_sb: s_id of pfc_file_data_inode()'s superblock.
 * @data_ino: its inode number.
 * @how: "backing", "fakepath" or "plain", see the opening comment.
 */
struct pfc_watch_seen {
	char sb[32];
	unsigned long ino;
	char data_sb[32];
	unsigned long data_ino;
	const char *how;
};

/* Protects pfc_watch_seen[] and pfc_watch_nseen. */
static DEFINE_SPINLOCK(pfc_watch_seen_lock);
static struct pfc_watch_seen pfc_watch_seen[PFC_WATCH_SEEN];
static unsigned int pfc_watch_nseen;

static const char *pfc_watch_how(const struct file *file)
{
#ifdef FMODE_BACKING
	if (file->f_mode & FMODE_BACKING)
		return "backing";
#endif
	if (file_inode(file) != d_inode(file->f_path.dentry))
		return "fakepath";
	return "plain";
}

static void pfc_watch_record(const struct file *file, struct inode *inode,
			     struct inode *data)
{
	struct pfc_watch_seen *seen;

	if (inode != data)
		atomic_long_inc(&pfc_watch_stacked);
	spin_lock(&pfc_watch_seen_lock);
	if (pfc_watch_nseen < PFC_WATCH_SEEN) {
		seen = &pfc_watch_seen[pfc_watch_nseen++];
		strscpy(seen->sb, inode ? inode->i_sb->s_id : "-",
			sizeof(seen->sb));
		seen->ino = inode ? inode->i_ino : 0;
		strscpy(seen->data_sb, data ? data->i_sb->s_id : "-",
			sizeof(seen->data_sb));
		seen->data_ino = data ? data->i_ino : 0;
		seen->how = pfc_watch_how(file);
	}
	spin_unlock(&pfc_watch_seen_lock);
}

static void pfc_watch_free(struct pfc_context *ctx)
{
	kfree(container_of(ctx, struct pfc_watch_ctx, ctx));
	atomic_long_inc(&pfc_watch_freed);
}

/* The open hook: attach our context unless the inode has one already. */
static int pfc_watch_open(struct pfc_open_hook *hook, struct file *file)
{
	struct inode *inode = pfc_file_inode(file);
	struct pfc_watch_ctx *wc;
	struct pfc_context *old;

	atomic_long_inc(&pfc_watch_opens);
	pfc_watch_record(file, inode, pfc_file_data_inode(file));
	if (!inode)
		return 0;
	wc = kzalloc(sizeof(*wc), GFP_KERNEL_ACCOUNT);
	if (!wc) {
		atomic_long_inc(&pfc_watch_failed);
		return 0;
	}
	pfc_init_context(&wc->ctx, pfc_watch_owner, NULL, pfc_watch_free);
	old = pfc_insert_unique(inode, &wc->ctx);
	if (!old) {
		atomic_long_inc(&pfc_watch_attached);
		return 0;
	}
	/* Never inserted: no callback, still ours. */
	kfree(wc);
	if (IS_ERR(old)) {
		atomic_long_inc(&pfc_watch_failed);
		return 0;
	}
	atomic_inc(&container_of(old, struct pfc_watch_ctx, ctx)->opens);
	atomic_long_inc(&pfc_watch_present);
	pfc_put(old);
	return 0;
}

static void pfc_watch_ofree(struct pfc_context *ctx)
{
	kfree(ctx);
	atomic_long_inc(&pfc_watch_ofreed);
}

/*
 * The opened callback: count the opens that succeeded and, if oattach is
 * set, attach a per-open context, as a filter does in post-create.
 */
static void pfc_watch_opened_fn(struct pfc_open_hook *hook, struct file *file)
{
	struct pfc_context *ctx;

	atomic_long_inc(&pfc_watch_opened);
	if (!READ_ONCE(pfc_watch_oattach))
		return;
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return;
	pfc_init_context(ctx, pfc_watch_owner, pfc_watch_okey, pfc_watch_ofree);
	if (pfc_file_insert(file, ctx)) {
		kfree(ctx);
		atomic_long_inc(&pfc_watch_failed);
		return;
	}
	atomic_long_inc(&pfc_watch_oattached);
}

/*
 * The close hook: count every last close, and those of files that carry
 * our per-open context, which must still be there, once.
 */
static void pfc_watch_close(struct pfc_open_hook *hook, struct file *file)
{
	struct pfc_context *ctx;

	atomic_long_inc(&pfc_watch_closes);
	rcu_read_lock();
	if (pfc_file_lookup(file, pfc_watch_owner, pfc_watch_okey))
		atomic_long_inc(&pfc_watch_ocloses);
	rcu_read_unlock();
	ctx = pfc_file_lookup_get(file, pfc_watch_owner, pfc_watch_fkey);
	if (!ctx)
		return;
	atomic_long_inc(&pfc_watch_fcloses);
	if (atomic_inc_return(&container_of(ctx, struct pfc_watch_fctx,
					    ctx)->closes) > 1)
		atomic_long_inc(&pfc_watch_ftwice);
	pfc_put(ctx);
}

static void pfc_watch_ffree(struct pfc_context *ctx)
{
	kfree(container_of(ctx, struct pfc_watch_fctx, ctx));
	atomic_long_inc(&pfc_watch_ffreed);
}

static ssize_t pfc_watch_fattach_write(struct file *file,
				       const char __user *ubuf, size_t len,
				       loff_t *ppos)
{
	struct pfc_watch_fctx *fc;
	struct file *target;
	unsigned int fd;
	int err;

	err = kstrtouint_from_user(ubuf, len, 10, &fd);
	if (err)
		return err;
	target = fget(fd);
	if (!target)
		return -EBADF;
	fc = kzalloc(sizeof(*fc), GFP_KERNEL_ACCOUNT);
	if (!fc) {
		fput(target);
		return -ENOMEM;
	}
	pfc_init_context(&fc->ctx, pfc_watch_owner, pfc_watch_fkey,
			 pfc_watch_ffree);
	err = pfc_file_insert(target, &fc->ctx);
	fput(target);
	if (err) {
		kfree(fc);
		return err;
	}
	atomic_long_inc(&pfc_watch_fattached);
	return len;
}

static const struct file_operations pfc_watch_fattach_fops = {
	.owner = THIS_MODULE,
	.write = pfc_watch_fattach_write,
};

static void pfc_watch_sfree(struct pfc_context *ctx)
{
	kfree(ctx);
	atomic_long_inc(&pfc_watch_sfreed);
}

/* The path written to a control file, trimmed; kfree() it. */
static char *pfc_watch_name(const char __user *ubuf, size_t len)
{
	char *name = memdup_user_nul(ubuf, len);

	if (!IS_ERR(name))
		strim(name);
	return name;
}

static ssize_t pfc_watch_sattach_write(struct file *file,
				       const char __user *ubuf, size_t len,
				       loff_t *ppos)
{
	struct pfc_context *ctx;
	struct path path;
	char *name;
	int err;

	name = pfc_watch_name(ubuf, len);
	if (IS_ERR(name))
		return PTR_ERR(name);
	err = kern_path(name, LOOKUP_FOLLOW, &path);
	kfree(name);
	if (err)
		return err;
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx) {
		path_put(&path);
		return -ENOMEM;
	}
	pfc_init_context(ctx, pfc_watch_owner, NULL, pfc_watch_sfree);
	/* The path holds the mount, so the superblock stays mounted. */
	err = pfc_sb_insert(path.dentry->d_sb, ctx);
	path_put(&path);
	if (err) {
		kfree(ctx);
		return err;
	}
	atomic_long_inc(&pfc_watch_sattached);
	return len;
}

static const struct file_operations pfc_watch_sattach_fops = {
	.owner = THIS_MODULE,
	.write = pfc_watch_sattach_write,
};

static ssize_t pfc_watch_write(const char __user *ubuf, size_t len,
			       bool watch)
{
	char *name;
	int err;

	name = pfc_watch_name(ubuf, len);
	if (IS_ERR(name))
		return PTR_ERR(name);
	if (watch)
		err = pfc_open_watch_path(&pfc_watch_hook, name);
	else
		err = pfc_open_unwatch_path(&pfc_watch_hook, name);
	kfree(name);
	return err ?: len;
}

static ssize_t pfc_watch_watch_write(struct file *file,
				     const char __user *ubuf, size_t len,
				     loff_t *ppos)
{
	return pfc_watch_write(ubuf, len, true);
}

static ssize_t pfc_watch_unwatch_write(struct file *file,
				       const char __user *ubuf, size_t len,
				       loff_t *ppos)
{
	return pfc_watch_write(ubuf, len, false);
}

static const struct file_operations pfc_watch_watch_fops = {
	.owner = THIS_MODULE,
	.write = pfc_watch_watch_write,
};

static const struct file_operations pfc_watch_unwatch_fops = {
	.owner = THIS_MODULE,
	.write = pfc_watch_unwatch_write,
};

static int pfc_watch_stats_show(struct seq_file *m, void *v)
{
	long attached = atomic_long_read(&pfc_watch_attached);
	long freed = atomic_long_read(&pfc_watch_freed);

	seq_printf(m, "opens %ld\n", atomic_long_read(&pfc_watch_opens));
	seq_printf(m, "attached %ld\n", attached);
	seq_printf(m, "present %ld\n", atomic_long_read(&pfc_watch_present));
	seq_printf(m, "failed %ld\n", atomic_long_read(&pfc_watch_failed));
	seq_printf(m, "freed %ld\n", freed);
	seq_printf(m, "live %ld\n", attached - freed);
	seq_printf(m, "stacked %ld\n", atomic_long_read(&pfc_watch_stacked));
	seq_printf(m, "closes %ld\n", atomic_long_read(&pfc_watch_closes));
	seq_printf(m, "fcloses %ld\n", atomic_long_read(&pfc_watch_fcloses));
	seq_printf(m, "fattached %ld\n",
		   atomic_long_read(&pfc_watch_fattached));
	seq_printf(m, "ffreed %ld\n", atomic_long_read(&pfc_watch_ffreed));
	seq_printf(m, "ftwice %ld\n", atomic_long_read(&pfc_watch_ftwice));
	seq_printf(m, "sattached %ld\n",
		   atomic_long_read(&pfc_watch_sattached));
	seq_printf(m, "sfreed %ld\n", atomic_long_read(&pfc_watch_sfreed));
	seq_printf(m, "opened %ld\n", atomic_long_read(&pfc_watch_opened));
	seq_printf(m, "oattached %ld\n",
		   atomic_long_read(&pfc_watch_oattached));
	seq_printf(m, "ofreed %ld\n", atomic_long_read(&pfc_watch_ofreed));
	seq_printf(m, "ocloses %ld\n", atomic_long_read(&pfc_watch_ocloses));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pfc_watch_stats);

static int pfc_watch_seen_show(struct seq_file *m, void *v)
{
	struct pfc_watch_seen *seen;
	unsigned int i;

	spin_lock(&pfc_watch_seen_lock);
	for (i = 0; i < pfc_watch_nseen; i++) {
		seen = &pfc_watch_seen[i];
		seq_printf(m, "%s %lu %s %lu %s\n", seen->sb, seen->ino,
			   seen->data_sb, seen->data_ino, seen->how);
	}
	spin_unlock(&pfc_watch_seen_lock);
	return 0;
}

static int pfc_watch_seen_open(struct inode *inode, struct file *file)
{
	return single_open(file, pfc_watch_seen_show, NULL);
}

static ssize_t pfc_watch_seen_write(struct file *file,
				    const char __user *ubuf, size_t len,
				    loff_t *ppos)
{
	spin_lock(&pfc_watch_seen_lock);
	pfc_watch_nseen = 0;
	spin_unlock(&pfc_watch_seen_lock);
	return len;
}

static const struct file_operations pfc_watch_seen_fops = {
	.owner = THIS_MODULE,
	.open = pfc_watch_seen_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.write = pfc_watch_seen_write,
	.release = single_release,
};

static int __init pfc_watch_init(void)
{
	int err;

	err = pfc_open_hook_init(&pfc_watch_hook, pfc_watch_open);
	if (err)
		return err;
	pfc_open_hook_set_opened(&pfc_watch_hook, pfc_watch_opened_fn);
	pfc_open_hook_set_close(&pfc_watch_hook, pfc_watch_close);
	pfc_watch_dir = debugfs_create_dir("pfc_watch", NULL);
	debugfs_create_file("watch", 0200, pfc_watch_dir, NULL,
			    &pfc_watch_watch_fops);
	debugfs_create_file("unwatch", 0200, pfc_watch_dir, NULL,
			    &pfc_watch_unwatch_fops);
	debugfs_create_file("fattach", 0200, pfc_watch_dir, NULL,
			    &pfc_watch_fattach_fops);
	debugfs_create_file("sattach", 0200, pfc_watch_dir, NULL,
			    &pfc_watch_sattach_fops);
	debugfs_create_bool("oattach", 0600, pfc_watch_dir, &pfc_watch_oattach);
	debugfs_create_file("stats", 0400, pfc_watch_dir, NULL,
			    &pfc_watch_stats_fops);
	debugfs_create_file("seen", 0600, pfc_watch_dir, NULL,
			    &pfc_watch_seen_fops);
	return 0;
}

static void __exit pfc_watch_exit(void)
{
	debugfs_remove_recursive(pfc_watch_dir);
	/* No new contexts after this ... */
	pfc_open_hook_release(&pfc_watch_hook);
	/* ... and none left, nor any callback pending, after this. */
	pfc_remove_owner(pfc_watch_owner);
	pr_info("unloaded: attached %ld freed %ld, per-open attached %ld freed %ld\n",
		atomic_long_read(&pfc_watch_attached),
		atomic_long_read(&pfc_watch_freed),
		atomic_long_read(&pfc_watch_fattached),
		atomic_long_read(&pfc_watch_ffreed));
}

module_init(pfc_watch_init);
module_exit(pfc_watch_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pfc test consumer: a context on every watched open");
MODULE_AUTHOR("The pfc authors");
