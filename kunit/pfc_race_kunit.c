// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for pfc's lifetime windows: each case parks a thread at a
 * named race point (pfc_race.h) inside one transition, runs a conflicting
 * path from the test thread, releases the parked one and checks the
 * contract: contexts found only on live entries, every callback exactly
 * once, nothing left hashed for a dead mark.  The last case hits the
 * create/destroy window of the first one without any race point, as a
 * consumer would.  The list of windows is in inode.c and file.c.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fsnotify_backend.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>

#include "pfc.h"
#include "pfc_race.h"
#include "compat.h"

static unsigned int race_rounds = 2000;
module_param(race_rounds, uint, 0444);
MODULE_PARM_DESC(race_rounds, "rounds of the uninstrumented insert vs. inode removal race");

static unsigned int sweep_entries = 20000;
module_param(sweep_entries, uint, 0444);
MODULE_PARM_DESC(sweep_entries, "entries swept by pfc_remove_owner() while half of them are evicted");

#define PARK_TIMEOUT	(20 * HZ)

static int owner_r, owner_w, owner_keep;

struct race_ctx {
	struct pfc_context pfc;
	atomic_t calls;
};

static void race_free(struct pfc_context *ctx)
{
	atomic_inc(&container_of(ctx, struct race_ctx, pfc)->calls);
}

static struct race_ctx *race_ctx_new(struct kunit *test, const void *owner)
{
	struct race_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	pfc_init_context(&c->pfc, owner, NULL, race_free);
	return c;
}

static struct pfc_context *race_lookup(struct inode *inode, const void *owner)
{
	struct pfc_context *ctx;

	rcu_read_lock();
	ctx = pfc_lookup(inode, owner, NULL);
	rcu_read_unlock();
	return ctx;
}

/* A second thread that runs one call and reports its result. */
struct race_thread {
	int (*fn)(struct race_thread *t);
	struct inode *inode;
	struct file *file;
	struct pfc_context *ctx;
	const void *owner;
	struct pfc_open_hook *hook;
	struct super_block *sb;
	int ret;
	struct completion done;
};

static int race_thread_fn(void *data)
{
	struct race_thread *t = data;

	t->ret = t->fn(t);
	complete(&t->done);
	return 0;
}

static void race_start(struct kunit *test, struct race_thread *t)
{
	struct task_struct *k;

	init_completion(&t->done);
	k = kthread_run(race_thread_fn, t, "pfc_race");
	KUNIT_ASSERT_FALSE(test, IS_ERR(k));
}

static void race_join(struct kunit *test, struct race_thread *t)
{
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&t->done, 60 * HZ));
}

static int race_do_insert(struct race_thread *t)
{
	return pfc_insert(t->inode, t->ctx);
}

static int race_do_inode_delete(struct race_thread *t)
{
	/* What fsnotify_inoderemove() and umount do to the inode's marks. */
	__fsnotify_inode_delete(t->inode);
	return 0;
}

static int race_do_remove_owner(struct race_thread *t)
{
	pfc_remove_owner(t->owner);
	return 0;
}

static int race_do_watch(struct race_thread *t)
{
	return pfc_open_watch(t->hook, t->sb);
}

static bool race_has_marks(struct inode *inode)
{
	return READ_ONCE(inode->i_fsnotify_marks);
}

static struct file *race_file(struct kunit *test)
{
	struct file *file = shmem_file_setup("pfc_race", 0, VM_NORESERVE);

	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	return file;
}

/*
 * Window: pfc_entry_create() added the mark; fsnotify destroys it before
 * the entry is published.  The entry must not be hashed: the insert
 * starts again on a new mark.  (Before the fix the dead entry was hashed
 * and its memory freed under pfc_table.)
 */
static void test_race_create_marked_vs_inode_delete(struct kunit *test)
{
	struct race_ctx *c = race_ctx_new(test, &owner_r);
	struct file *file = race_file(test);
	struct race_thread t = { .fn = race_do_insert, .ctx = &c->pfc };

	t.inode = file_inode(file);
	pfc_race_arm(PFC_RACE_CREATE_MARKED, t.inode);
	race_start(test, &t);
	KUNIT_ASSERT_TRUE(test, pfc_race_wait_parked(PFC_RACE_CREATE_MARKED,
						     PARK_TIMEOUT));
	/* Not published yet: no lookup sees it. */
	KUNIT_EXPECT_NULL(test, race_lookup(t.inode, &owner_r));
	__fsnotify_inode_delete(t.inode);
	KUNIT_EXPECT_FALSE(test, race_has_marks(t.inode));
	pfc_race_release(PFC_RACE_CREATE_MARKED);
	race_join(test, &t);

	KUNIT_EXPECT_EQ(test, t.ret, 0);
	KUNIT_EXPECT_PTR_EQ(test, race_lookup(t.inode, &owner_r), &c->pfc);
	/* The context hangs off a mark that is on the inode. */
	KUNIT_EXPECT_TRUE(test, race_has_marks(t.inode));
	__fput_sync(file);
	pfc_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&c->calls), 1);
}

static int race_do_file_insert(struct race_thread *t)
{
	return pfc_file_insert(t->file, t->ctx);
}

static struct pfc_context *race_file_lookup(struct file *file)
{
	struct pfc_context *ctx;

	rcu_read_lock();
	ctx = pfc_file_lookup(file, NULL, NULL);
	rcu_read_unlock();
	return ctx;
}

/*
 * Window 7 (file.c): a per-open insert added the close mark to the inode
 * and has not published it; the inode's marks are destroyed, as 6.1 does
 * when another name of an unlinked, open file goes.  The unpublished close
 * mark is dropped, the insert starts again on a new entry and a new close
 * mark, and the file's close still frees its context, once.
 */
static void test_race_close_marked_vs_inode_delete(struct kunit *test)
{
	struct race_ctx *c = race_ctx_new(test, &owner_r);
	struct race_ctx *ic = race_ctx_new(test, &owner_keep);
	struct file *file = race_file(test);
	struct race_thread t = { .fn = race_do_file_insert, .ctx = &c->pfc };

	t.file = file;
	t.inode = file_inode(file);
	KUNIT_ASSERT_EQ(test, pfc_insert(t.inode, &ic->pfc), 0);
	pfc_race_arm(PFC_RACE_CLOSE_MARKED, t.inode);
	race_start(test, &t);
	KUNIT_ASSERT_TRUE(test, pfc_race_wait_parked(PFC_RACE_CLOSE_MARKED,
						     PARK_TIMEOUT));
	KUNIT_EXPECT_NULL(test, race_file_lookup(file));
	__fsnotify_inode_delete(t.inode);
	KUNIT_EXPECT_FALSE(test, race_has_marks(t.inode));
	pfc_race_release(PFC_RACE_CLOSE_MARKED);
	race_join(test, &t);

	KUNIT_EXPECT_EQ(test, t.ret, 0);
	KUNIT_EXPECT_PTR_EQ(test, race_file_lookup(file), &c->pfc);
	KUNIT_EXPECT_TRUE(test, race_has_marks(t.inode));
	pfc_barrier();
	/* The inode's context died with its entry; the file's is new. */
	KUNIT_EXPECT_EQ(test, atomic_read(&ic->calls), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->calls), 0);
	__fput_sync(file);
	pfc_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&c->calls), 1);
}

/*
 * Window: fsnotify destroyed the mark, pfc_freeing_mark() has not run:
 * the entry is still live.  A context inserted then dies with the entry,
 * with its callback once, and a later insert gets a new entry.
 */
static void test_race_freeing_vs_insert(struct kunit *test)
{
	struct race_ctx *c1 = race_ctx_new(test, &owner_r);
	struct race_ctx *c2 = race_ctx_new(test, &owner_r);
	struct race_ctx *c3 = race_ctx_new(test, &owner_r);
	struct file *file = race_file(test);
	struct race_thread t = { .fn = race_do_inode_delete };

	t.inode = file_inode(file);
	KUNIT_ASSERT_EQ(test, pfc_insert(t.inode, &c1->pfc), 0);
	pfc_race_arm(PFC_RACE_FREEING, t.inode);
	race_start(test, &t);
	KUNIT_ASSERT_TRUE(test, pfc_race_wait_parked(PFC_RACE_FREEING,
						     PARK_TIMEOUT));
	KUNIT_EXPECT_EQ(test, pfc_insert(t.inode, &c2->pfc), 0);
	pfc_race_release(PFC_RACE_FREEING);
	race_join(test, &t);

	pfc_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&c1->calls), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&c2->calls), 1);
	KUNIT_EXPECT_NULL(test, race_lookup(t.inode, NULL));
	KUNIT_EXPECT_EQ(test, pfc_insert(t.inode, &c3->pfc), 0);
	KUNIT_EXPECT_TRUE(test, race_has_marks(t.inode));
	__fput_sync(file);
	pfc_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&c3->calls), 1);
}

/*
 * Window: the dying entry is unhashed and its contexts dropped, it is
 * still on pfc_entries.  pfc_remove_owner() skips it and still returns
 * after the dropped contexts' callbacks; an insert makes a new entry.
 */
static void test_race_evict_dropped_vs_remove_owner(struct kunit *test)
{
	struct race_ctx *c1 = race_ctx_new(test, &owner_r);
	struct race_ctx *c2 = race_ctx_new(test, &owner_r);
	struct file *file = race_file(test);
	struct race_thread t = { .fn = race_do_inode_delete };
	struct race_thread t2 = { .fn = race_do_insert, .ctx = &c2->pfc };

	t.inode = file_inode(file);
	KUNIT_ASSERT_EQ(test, pfc_insert(t.inode, &c1->pfc), 0);
	pfc_race_arm(PFC_RACE_EVICT_DROPPED, t.inode);
	race_start(test, &t);
	KUNIT_ASSERT_TRUE(test, pfc_race_wait_parked(PFC_RACE_EVICT_DROPPED,
						     PARK_TIMEOUT));
	pfc_remove_owner(&owner_r);
	KUNIT_EXPECT_EQ(test, atomic_read(&c1->calls), 1);
	/*
	 * The inode's mark connector is being destroyed (-ENOENT from
	 * fsnotify): an insert waits for that to end, then succeeds.
	 */
	t2.inode = t.inode;
	race_start(test, &t2);
	msleep(200);
	KUNIT_EXPECT_FALSE(test, completion_done(&t2.done));
	pfc_race_release(PFC_RACE_EVICT_DROPPED);
	race_join(test, &t);
	race_join(test, &t2);
	KUNIT_EXPECT_EQ(test, t2.ret, 0);

	KUNIT_EXPECT_PTR_EQ(test, race_lookup(t.inode, &owner_r), &c2->pfc);
	__fput_sync(file);
	pfc_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&c1->calls), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&c2->calls), 1);
}

#define WALK_FILES	300

/*
 * Window: pfc_remove_owner()'s walk between two batches, no lock held.
 * Entries it visited and entries it has not reached are evicted then;
 * it still returns with every one of its owner's callbacks run once,
 * and leaves other owners' contexts alone.
 */
static void test_race_walk_batch_vs_evict(struct kunit *test)
{
	struct race_thread t = { .fn = race_do_remove_owner,
				 .owner = &owner_w };
	struct race_ctx **w, **keep;
	struct file **files;
	int i;

	files = kunit_kcalloc(test, WALK_FILES, sizeof(*files), GFP_KERNEL);
	w = kunit_kcalloc(test, WALK_FILES, sizeof(*w), GFP_KERNEL);
	keep = kunit_kcalloc(test, WALK_FILES, sizeof(*keep), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, files && w && keep);
	for (i = 0; i < WALK_FILES; i++) {
		files[i] = race_file(test);
		w[i] = race_ctx_new(test, &owner_w);
		keep[i] = race_ctx_new(test, &owner_keep);
		KUNIT_ASSERT_EQ(test, pfc_insert(file_inode(files[i]),
						 &w[i]->pfc), 0);
		KUNIT_ASSERT_EQ(test, pfc_insert(file_inode(files[i]),
						 &keep[i]->pfc), 0);
	}
	pfc_race_arm(PFC_RACE_WALK_BATCH, &owner_w);
	race_start(test, &t);
	KUNIT_ASSERT_TRUE(test, pfc_race_wait_parked(PFC_RACE_WALK_BATCH,
						     PARK_TIMEOUT));
	/* Visited (the list is in creation order, a batch is 128)... */
	for (i = 0; i < 50; i++) {
		__fput_sync(files[i]);
		files[i] = NULL;
	}
	/* ... and not reached yet. */
	for (i = 200; i < 250; i++) {
		__fput_sync(files[i]);
		files[i] = NULL;
	}
	pfc_race_release(PFC_RACE_WALK_BATCH);
	race_join(test, &t);

	for (i = 0; i < WALK_FILES; i++)
		KUNIT_EXPECT_EQ(test, atomic_read(&w[i]->calls), 1);
	for (i = 0; i < WALK_FILES; i++) {
		if (!files[i])
			continue;
		KUNIT_EXPECT_PTR_EQ(test, race_lookup(file_inode(files[i]), NULL),
				    &keep[i]->pfc);
		__fput_sync(files[i]);
	}
	pfc_barrier();
	for (i = 0; i < WALK_FILES; i++) {
		KUNIT_EXPECT_EQ(test, atomic_read(&w[i]->calls), 1);
		KUNIT_EXPECT_EQ(test, atomic_read(&keep[i]->calls), 1);
	}
}

static int race_open(struct pfc_open_hook *hook, struct file *file)
{
	return 0;
}

/*
 * Window: pfc_open_watch() added the superblock mark, the watch is not on
 * the hook's list.  An unwatch then finds nothing (as if it came first),
 * and must not put the mark fsnotify_add_mark() just used; the watch is
 * there afterwards and unwatches normally.
 */
static void test_race_watch_marked_vs_unwatch(struct kunit *test)
{
	struct file_system_type *type = get_fs_type("tmpfs");
	struct race_thread t = { .fn = race_do_watch };
	struct pfc_open_hook *hook;
	struct vfsmount *mnt;

	KUNIT_ASSERT_NOT_NULL(test, type);
	mnt = kern_mount(type);
	module_put(type->owner);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(mnt));
	hook = kunit_kzalloc(test, sizeof(*hook), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, hook);
	if (pfc_open_hook_init(hook, race_open)) {
		kern_unmount(mnt);
		kunit_skip(test, "no open permission events in this kernel");
	}
	t.hook = hook;
	t.sb = mnt->mnt_sb;
	pfc_race_arm(PFC_RACE_WATCH_MARKED, t.sb);
	race_start(test, &t);
	KUNIT_ASSERT_TRUE(test, pfc_race_wait_parked(PFC_RACE_WATCH_MARKED,
						     PARK_TIMEOUT));
	KUNIT_EXPECT_EQ(test, pfc_open_unwatch(hook, t.sb), -ENOENT);
	pfc_race_release(PFC_RACE_WATCH_MARKED);
	race_join(test, &t);
	KUNIT_EXPECT_EQ(test, t.ret, 0);
	KUNIT_EXPECT_EQ(test, pfc_open_watch(hook, t.sb), -EEXIST);
	KUNIT_EXPECT_EQ(test, pfc_open_unwatch(hook, t.sb), 0);
	KUNIT_EXPECT_EQ(test, pfc_open_unwatch(hook, t.sb), -ENOENT);
	pfc_open_hook_release(hook);
	kern_unmount(mnt);
}

/* The worker of the uninstrumented race: one insert per round. */
struct race_worker {
	struct inode *inode;
	struct race_ctx *ctx;
	int ret;
	bool stop;
	struct completion go, done;
};

static int race_worker_fn(void *data)
{
	struct race_worker *w = data;

	for (;;) {
		wait_for_completion(&w->go);
		if (READ_ONCE(w->stop))
			break;
		w->ret = pfc_insert(w->inode, &w->ctx->pfc);
		complete(&w->done);
	}
	complete(&w->done);
	return 0;
}

/*
 * The window of the first case without race points: an insert on a shmem
 * inode that the test holds (ihold()) while its file's last __fput_sync()
 * kills the pseudo dentry, which runs fsnotify_inoderemove().  Whenever
 * the insert wins, its context must hang off a mark on the inode.  Under
 * KASAN the old code was caught at about round 2400 of 20000.
 */
static void test_race_insert_vs_inoderemove(struct kunit *test)
{
	struct race_worker *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	unsigned int round, stale = 0, inserted = 0;
	struct task_struct *k;
	struct race_ctx *c;
	struct file *file;

	KUNIT_ASSERT_NOT_NULL(test, w);
	init_completion(&w->go);
	init_completion(&w->done);
	k = kthread_run(race_worker_fn, w, "pfc_race_worker");
	KUNIT_ASSERT_FALSE(test, IS_ERR(k));
	for (round = 0; round < race_rounds; round++) {
		file = shmem_file_setup("pfc_race", 0, VM_NORESERVE);
		if (IS_ERR(file))
			break;
		c = kzalloc(sizeof(*c), GFP_KERNEL);
		if (!c) {
			__fput_sync(file);
			break;
		}
		pfc_init_context(&c->pfc, &owner_r, NULL, race_free);
		w->inode = file_inode(file);
		w->ctx = c;
		ihold(w->inode);
		complete(&w->go);
		__fput_sync(file);
		wait_for_completion(&w->done);
		/* The inode is held: the insert may only retry, never fail. */
		KUNIT_EXPECT_EQ(test, w->ret, 0);
		if (!w->ret) {
			inserted++;
			if (race_lookup(w->inode, &owner_r) == &c->pfc &&
			    !race_has_marks(w->inode))
				stale++;
		}
		iput(w->inode);
		pfc_barrier();
		KUNIT_EXPECT_EQ(test, atomic_read(&c->calls), w->ret ? 0 : 1);
		kfree(c);
		cond_resched();
	}
	WRITE_ONCE(w->stop, true);
	complete(&w->go);
	wait_for_completion(&w->done);
	kunit_info(test, "%u rounds, %u inserts won", round, inserted);
	KUNIT_EXPECT_EQ(test, round, race_rounds);
	KUNIT_EXPECT_EQ(test, stale, 0);
}

static int owner_s;

/*
 * The sweeps at scale: pfc_remove_owner() over sweep_entries entries
 * (2 * 10^4 in make check, which is 157 batches of the walk; 10^6 by hand
 * with PFC_KUNIT_MODARGS=sweep_entries=1000000) while this thread evicts
 * every other inode under it.  Every
 * context's callback must run exactly once, the survivors must have lost
 * their context, and the walk must reschedule between batches: an RCU
 * stall or soft lockup report anywhere in the log fails the run.  (Before
 * the cursor walk, one RCU read-side section and a spinlock per entry
 * covered the whole table.)
 */
static void test_race_sweep_many_vs_evict(struct kunit *test)
{
	unsigned int n = sweep_entries;
	struct race_thread t = { .fn = race_do_remove_owner,
				 .owner = &owner_s };
	struct inode **inodes;
	struct race_ctx *ctxs;
	unsigned int i, wrong = 0, found = 0;
	unsigned long start;
	struct file *f;

	inodes = kvcalloc(n, sizeof(*inodes), GFP_KERNEL);
	ctxs = kvcalloc(n, sizeof(*ctxs), GFP_KERNEL);
	if (!inodes || !ctxs) {
		kvfree(inodes);
		kvfree(ctxs);
		KUNIT_FAIL(test, "no memory for %u inodes", n);
		return;
	}
	for (i = 0; i < n; i++) {
		/* Only the inode is kept: no dentry, no file. */
		f = shmem_file_setup("pfc_sweep", 0, VM_NORESERVE);
		if (IS_ERR(f))
			break;
		inodes[i] = file_inode(f);
		ihold(inodes[i]);
		__fput_sync(f);
		pfc_init_context(&ctxs[i].pfc, &owner_s, NULL, race_free);
		if (pfc_insert(inodes[i], &ctxs[i].pfc))
			break;
		if (!(i % 1024))
			cond_resched();
	}
	KUNIT_EXPECT_EQ(test, i, n);
	n = i;

	start = jiffies;
	race_start(test, &t);
	for (i = 0; i < n; i += 2) {
		iput(inodes[i]);
		inodes[i] = NULL;
		if (!(i % 1024))
			cond_resched();
	}
	/* Past this, the sweep still owns @ctxs: leak them rather than free. */
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&t.done,
							    600 * HZ));
	kunit_info(test, "%u entries: pfc_remove_owner() took %u ms against %u evictions",
		   n, jiffies_to_msecs(jiffies - start), (n + 1) / 2);

	for (i = 1; i < n; i += 2) {
		if (race_lookup(inodes[i], NULL))
			found++;
		iput(inodes[i]);
	}
	pfc_barrier();
	for (i = 0; i < n; i++)
		if (atomic_read(&ctxs[i].calls) != 1)
			wrong++;
	KUNIT_EXPECT_EQ(test, found, 0);
	KUNIT_EXPECT_EQ(test, wrong, 0);
	kvfree(inodes);
	kvfree(ctxs);
}

static int owner_chain_a, owner_chain_b;

struct chain_ctx {
	struct race_ctx rc;
	struct pfc_context *held;	/* dropped by our free callback */
};

static void chain_free(struct pfc_context *ctx)
{
	struct chain_ctx *c = container_of(ctx, struct chain_ctx, rc.pfc);

	pfc_put(c->held);
	atomic_inc(&c->rc.calls);
}

/*
 * A free callback that drops the last reference to another context queues
 * that one's callback while pfc_barrier() is already flushing.
 * pfc_remove_owner() must still return only after both ran, or the second
 * one can run in the unloaded module of its owner.
 */
static void test_race_barrier_nested_callback(struct kunit *test)
{
	struct file *f = race_file(test);
	struct inode *inode = file_inode(f);
	struct race_ctx *b = race_ctx_new(test, &owner_chain_b);
	struct chain_ctx *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	struct pfc_context *got;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_EQ(test, pfc_insert(inode, &b->pfc), 0);
	/* b unlinked, one reference left: @a's. */
	got = pfc_lookup_get(inode, &owner_chain_b, NULL);
	KUNIT_ASSERT_PTR_EQ(test, got, &b->pfc);
	got = pfc_remove(inode, &owner_chain_b, NULL);
	KUNIT_ASSERT_PTR_EQ(test, got, &b->pfc);
	pfc_put(got);
	a->held = &b->pfc;
	pfc_init_context(&a->rc.pfc, &owner_chain_a, NULL, chain_free);
	KUNIT_ASSERT_EQ(test, pfc_insert(inode, &a->rc.pfc), 0);

	pfc_remove_owner(&owner_chain_a);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->rc.calls), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->calls), 1);
	__fput_sync(f);
	pfc_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&b->calls), 1);
}

static struct kunit_case pfc_race_test_cases[] = {
	KUNIT_CASE(test_race_create_marked_vs_inode_delete),
	KUNIT_CASE(test_race_freeing_vs_insert),
	KUNIT_CASE(test_race_evict_dropped_vs_remove_owner),
	KUNIT_CASE(test_race_walk_batch_vs_evict),
	KUNIT_CASE(test_race_watch_marked_vs_unwatch),
	KUNIT_CASE(test_race_close_marked_vs_inode_delete),
	KUNIT_CASE(test_race_barrier_nested_callback),
	KUNIT_CASE_SLOW(test_race_insert_vs_inoderemove),
	KUNIT_CASE_SLOW(test_race_sweep_many_vs_evict),
	{}
};

static struct kunit_suite pfc_race_test_suite = {
	.name = "pfc_race",
	.test_cases = pfc_race_test_cases,
};

kunit_test_suites(&pfc_race_test_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit: pfc's lifetime windows, by parking threads in them");
MODULE_AUTHOR("The pfc authors");
