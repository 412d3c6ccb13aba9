// SPDX-License-Identifier: GPL-2.0
/*
 * pfc - debugfs: what is attached, and counters
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kstrtox.h>
#include <linux/namei.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "pfc.h"
#include "internal.h"

static const char *const pfc_stat_names[PFC_STAT_NR] = {
	[PFC_STAT_INSERTS] = "inserts",
	[PFC_STAT_REMOVES] = "unlinks",
	[PFC_STAT_LOOKUPS] = "lookups",
	[PFC_STAT_EVICTIONS] = "teardowns",
	[PFC_STAT_CALLBACKS] = "callbacks_run",
	[PFC_STAT_ENTRIES] = "entries_created",
	[PFC_STAT_QUEUED] = "callbacks_queued",
	[PFC_STAT_FILES] = "files_created",
	[PFC_STAT_FILES_CLOSED] = "files_closed",
	[PFC_STAT_CLOSE_MARKS] = "close_marks_created",
	[PFC_STAT_CLOSE_MARKS_FREED] = "close_marks_freed",
};

/*
 * /sys/kernel/debug/pfc/: "stats" (counters), "contexts" (one line per
 * attached context), and "attach"/"detach": writing a path attaches to or
 * removes from its inode a context owned by pfc itself, so that user-space
 * tests can exercise eviction, umount and unload without a consumer module.
 * "fd:N" instead of a path does the same with a per-open context on the
 * writer's open file N.
 */
static struct dentry *pfc_debugfs_dir;
static const char pfc_debugfs_owner[] = "pfc-debugfs";

static int pfc_stats_show(struct seq_file *m, void *v)
{
	int stat;

	seq_printf(m, "inodes %ld\n", pfc_live_entries());
	seq_printf(m, "contexts %ld\n", pfc_live_contexts());
	seq_printf(m, "files %ld\n", pfc_live_files());
	seq_printf(m, "close_marks %ld\n", pfc_live_close_marks());
	seq_printf(m, "callbacks_pending %ld\n", pfc_pending_callbacks());
	for (stat = 0; stat < PFC_STAT_NR; stat++)
		seq_printf(m, "%s %lu\n", pfc_stat_names[stat],
			   pfc_stat_sum(stat));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pfc_stats);

/*
 * "contexts" is read with a cursor in pfc_entries, not by one walk of
 * everything per read(): a read holds pfc_entries_lock for one buffer's
 * worth of entries only, and 10^6 entries need no 10^6-line buffer.
 * ->start() returns the entry after the cursor and ->next() moves the
 * cursor past the entry shown, so a record that did not fit is shown
 * again by the next ->start().
 */
static void *pfc_contexts_start(struct seq_file *m, loff_t *pos)
	__acquires(&pfc_entries_lock)
{
	struct pfc_walk_node *cursor = m->private;

	spin_lock(&pfc_entries_lock);
	if (!*pos) {
		pfc_walk_rewind(cursor);
		return SEQ_START_TOKEN;
	}
	return pfc_walk_peek(cursor);
}

static void *pfc_contexts_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct pfc_walk_node *cursor = m->private;

	++*pos;
	if (v != SEQ_START_TOKEN)
		pfc_walk_next(cursor);
	return pfc_walk_peek(cursor);
}

static void pfc_contexts_stop(struct seq_file *m, void *v)
	__releases(&pfc_entries_lock)
{
	spin_unlock(&pfc_entries_lock);
}

static int pfc_contexts_show(struct seq_file *m, void *v)
{
	struct pfc_entry *entry = v;
	struct pfc_context *ctx;

	if (v == SEQ_START_TOKEN) {
		seq_puts(m, "# sb ino owner instance refs (ino: sb for the superblock's, ino/file for an open file's)\n");
		return 0;
	}
	spin_lock(&entry->list.lock);
	/* A LIVE entry's object is not freed before we drop the lock. */
	if (entry->list.state != PFC_ENTRY_LIVE)
		goto out;
	if (entry->list.kind == PFC_OBJ_SB) {
		hlist_for_each_entry(ctx, &entry->list.contexts, node)
			seq_printf(m, "%s sb %ps %p %u\n", entry->sb->s_id,
				   ctx->owner, ctx->instance,
				   refcount_read(&ctx->ref));
		goto out;
	}
	hlist_for_each_entry(ctx, &entry->list.contexts, node)
		seq_printf(m, "%s %lu %ps %p %u\n",
			   entry->inode->i_sb->s_id, entry->list.ino,
			   ctx->owner, ctx->instance,
			   refcount_read(&ctx->ref));
	pfc_files_show(m, entry);
out:
	spin_unlock(&entry->list.lock);
	return 0;
}

static const struct seq_operations pfc_contexts_sops = {
	.start = pfc_contexts_start,
	.next = pfc_contexts_next,
	.stop = pfc_contexts_stop,
	.show = pfc_contexts_show,
};

static int pfc_contexts_open(struct inode *inode, struct file *file)
{
	struct pfc_walk_node *cursor;

	cursor = __seq_open_private(file, &pfc_contexts_sops, sizeof(*cursor));
	if (!cursor)
		return -ENOMEM;
	pfc_walk_begin(cursor);
	return 0;
}

static int pfc_contexts_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;

	pfc_walk_end(m->private);
	return seq_release_private(inode, file);
}

static const struct file_operations pfc_contexts_fops = {
	.owner = THIS_MODULE,
	.open = pfc_contexts_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = pfc_contexts_release,
};

static void pfc_debugfs_free(struct pfc_context *ctx)
{
	kfree(ctx);
}

/* A context of pfc's own, not inserted yet; NULL if memory ran out. */
static struct pfc_context *pfc_debugfs_new(void)
{
	struct pfc_context *ctx = kmalloc(sizeof(*ctx), GFP_KERNEL);

	if (ctx)
		pfc_init_context(ctx, pfc_debugfs_owner, NULL, pfc_debugfs_free);
	return ctx;
}

/* Attach a context of pfc's own to @file, or remove it (@attach false). */
static int pfc_debugfs_file(unsigned int fd, bool attach)
{
	struct pfc_context *ctx = NULL;
	struct file *file;
	int err = -ENOMEM;

	file = fget(fd);
	if (!file)
		return -EBADF;
	if (!attach) {
		ctx = pfc_file_remove(file, pfc_debugfs_owner, NULL);
		err = ctx ? 0 : -ENOENT;
		if (ctx)
			pfc_put(ctx);
	} else {
		ctx = pfc_debugfs_new();
		if (ctx) {
			err = pfc_file_insert(file, ctx);
			if (err)
				kfree(ctx);
		}
	}
	fput(file);
	return err;
}

static ssize_t pfc_debugfs_write(const char __user *ubuf, size_t len,
				 bool attach)
{
	struct pfc_context *ctx;
	struct path path;
	unsigned int fd;
	char *name;
	int err;

	/* A path, and a newline echo(1) adds. */
	if (len > PATH_MAX)
		return -ENAMETOOLONG;
	name = memdup_user_nul(ubuf, len);
	if (IS_ERR(name))
		return PTR_ERR(name);
	strim(name);
	if (str_has_prefix(name, "fd:")) {
		err = kstrtouint(name + 3, 10, &fd) ?: pfc_debugfs_file(fd, attach);
		kfree(name);
		return err ?: len;
	}
	err = kern_path(name, LOOKUP_FOLLOW, &path);
	kfree(name);
	if (err)
		return err;
	if (attach) {
		ctx = pfc_debugfs_new();
		err = -ENOMEM;
		if (ctx) {
			err = pfc_insert(d_inode(path.dentry), ctx);
			if (err)
				kfree(ctx);
		}
	} else {
		ctx = pfc_remove(d_inode(path.dentry), pfc_debugfs_owner, NULL);
		err = ctx ? 0 : -ENOENT;
		if (ctx)
			pfc_put(ctx);
	}
	path_put(&path);
	return err ?: len;
}

static ssize_t pfc_attach_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	return pfc_debugfs_write(ubuf, len, true);
}

static ssize_t pfc_detach_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	return pfc_debugfs_write(ubuf, len, false);
}

static const struct file_operations pfc_attach_fops = {
	.owner = THIS_MODULE,
	.write = pfc_attach_write,
};

static const struct file_operations pfc_detach_fops = {
	.owner = THIS_MODULE,
	.write = pfc_detach_write,
};

void pfc_debugfs_init(void)
{
	pfc_debugfs_dir = debugfs_create_dir("pfc", NULL);
	debugfs_create_file("stats", 0400, pfc_debugfs_dir, NULL,
			    &pfc_stats_fops);
	debugfs_create_file("contexts", 0400, pfc_debugfs_dir, NULL,
			    &pfc_contexts_fops);
	debugfs_create_file("attach", 0200, pfc_debugfs_dir, NULL,
			    &pfc_attach_fops);
	debugfs_create_file("detach", 0200, pfc_debugfs_dir, NULL,
			    &pfc_detach_fops);
}

void pfc_debugfs_exit(void)
{
	debugfs_remove_recursive(pfc_debugfs_dir);
}
