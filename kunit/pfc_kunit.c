// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for pfc, written against the contract in pfc.h and
 * design.md section 2 only, not against the implementation.
 *
 * Every context the suites create embeds a struct pfc_context in a struct
 * pfc_test_ctx whose free callback, pfc_test_free(), checks the contract
 * from the callee's side: process context, no RCU read-side critical
 * section, a grace period after the unlink, a context that was inserted,
 * untouched public fields, and never twice for the same context.  It
 * counts what it sees in suite-wide counters; every case checks in its
 * exit that the callbacks balanced the insertions of its owners and that
 * no bad counter moved, and the last suite checks the totals over every
 * case that ran.
 *
 * Real inodes come from shmem_file_setup() and from a private tmpfs
 * mount; the final fput() is done with __fput_sync() because a KUnit case
 * runs in a kthread, where fput() would defer the eviction to a workqueue.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/test.h>
#include <linux/anon_inodes.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/dcache.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/irq_work.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/kthread.h>
#include <linux/mnt_idmapping.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "pfc.h"
#include "compat.h"

static unsigned int sweep_files = 2000;
module_param(sweep_files, uint, 0444);
MODULE_PARM_DESC(sweep_files,
		 "inodes carrying contexts in the pfc_remove_owner() case");

static unsigned int stress_ms = 3000;
module_param(stress_ms, uint, 0444);
MODULE_PARM_DESC(stress_ms, "time bound of the concurrency case, in ms");

/* struct pfc_test_ctx::magic while the context is alive, and once freed. */
#define PFC_TEST_ALIVE 0x70666361UL
#define PFC_TEST_FREED 0x6b6b6b6bUL

/**
 * struct pfc_test_owner - an owner key that counts its contexts
 * @inserted: contexts of this owner handed to pfc by a successful insert
 * @freed: free callbacks run for contexts of this owner
 *
 * The address is the owner key; the counters are reset by every case.
 */
struct pfc_test_owner {
	atomic_long_t inserted;
	atomic_long_t freed;
};

static struct pfc_test_owner owner_a, owner_b, owner_c;
static struct pfc_test_owner owner_sweep, owner_keep;
static struct pfc_test_owner owner_stress, owner_stress_swept;

static struct pfc_test_owner *const pfc_test_owners[] = {
	&owner_a, &owner_b, &owner_c, &owner_sweep, &owner_keep,
	&owner_stress, &owner_stress_swept,
};

/* Instance keys: only their addresses matter. */
static char key_1, key_2, key_3;

enum pfc_test_stat {
	PFC_STAT_INSERTED,
	PFC_STAT_FREED,
	PFC_STAT_TWICE,
	PFC_STAT_CORRUPT,
	PFC_STAT_NEVER_INSERTED,
	PFC_STAT_BAD_CONTEXT,
	PFC_STAT_NO_GRACE_PERIOD,
	PFC_STAT_NR,
};

/* First counter that must stay zero. */
#define PFC_STAT_FIRST_BAD PFC_STAT_TWICE

static const char *const pfc_test_stat_names[PFC_STAT_NR] = {
	[PFC_STAT_INSERTED] = "contexts inserted",
	[PFC_STAT_FREED] = "free callbacks",
	[PFC_STAT_TWICE] = "second callbacks on a context",
	[PFC_STAT_CORRUPT] = "callbacks on a corrupted context",
	[PFC_STAT_NEVER_INSERTED] = "callbacks on a never inserted context",
	[PFC_STAT_BAD_CONTEXT] = "callbacks not in sleepable process context",
	[PFC_STAT_NO_GRACE_PERIOD] = "callbacks before a grace period",
};

/* Suite-wide counters, never reset: the last suite checks the totals. */
static atomic_long_t pfc_test_stats[PFC_STAT_NR];

/**
 * struct pfc_test_ctx - a context as a consumer would embed it
 * @pfc: the pfc part
 * @owner: the owner @pfc was initialised with, to check @pfc.owner
 * @instance: the instance @pfc was initialised with
 * @magic: PFC_TEST_ALIVE, then PFC_TEST_FREED once the callback ran
 * @calls: free callbacks run for this context
 * @inserted: set (before the call) when first handed to pfc_insert*()
 * @owned: the test frees the memory after the callback, not the callback;
 *	lets the test count callbacks and see a second one
 * @check_gp: check in the callback that @gp_cookie's grace period is over
 * @gp_cookie: get_state_synchronize_rcu() taken before the unlink
 * @may_sleep: the callback sleeps and calls pfc (see @probe_inode)
 * @probe_inode: inode the callback looks up and inserts @probe into
 * @probe: context the callback inserts into @probe_inode
 * @probe_seen: what the callback's pfc_lookup() of @probe_inode returned
 * @probe_ret: what the callback's insert of @probe returned
 */
struct pfc_test_ctx {
	struct pfc_context pfc;
	struct pfc_test_owner *owner;
	const void *instance;
	unsigned long magic;
	atomic_t calls;
	bool inserted;
	bool owned;
	bool check_gp;
	unsigned long gp_cookie;
	bool may_sleep;
	struct inode *probe_inode;
	struct pfc_test_ctx *probe;
	struct pfc_context *probe_seen;
	int probe_ret;
};

static void pfc_test_count(enum pfc_test_stat stat)
{
	atomic_long_inc(&pfc_test_stats[stat]);
}

static long pfc_test_stat(enum pfc_test_stat stat)
{
	return atomic_long_read(&pfc_test_stats[stat]);
}

/* What the contract promises the free callback. */
static bool pfc_test_sleepable_process_context(void)
{
	if (!in_task() || irqs_disabled())
		return false;
	if (IS_ENABLED(CONFIG_PREEMPT_COUNT) && !preemptible())
		return false;
	if (IS_ENABLED(CONFIG_DEBUG_LOCK_ALLOC) &&
	    debug_lockdep_rcu_enabled() && rcu_read_lock_held())
		return false;
	return true;
}

static void pfc_test_mark_inserted(struct pfc_test_ctx *c, bool inserted)
{
	long delta = inserted ? 1 : -1;

	WRITE_ONCE(c->inserted, inserted);
	if (c->owner)
		atomic_long_add(delta, &c->owner->inserted);
	atomic_long_add(delta, &pfc_test_stats[PFC_STAT_INSERTED]);
}

static int pfc_test_insert(struct inode *inode, struct pfc_test_ctx *c)
{
	bool first = !c->inserted;
	int ret;

	/* Counted before the call: a racing remover may free it at once. */
	if (first)
		pfc_test_mark_inserted(c, true);
	ret = pfc_insert(inode, &c->pfc);
	if (ret && first)
		pfc_test_mark_inserted(c, false);
	return ret;
}

static struct pfc_context *pfc_test_insert_unique(struct inode *inode,
						  struct pfc_test_ctx *c)
{
	bool first = !c->inserted;
	struct pfc_context *ret;

	if (first)
		pfc_test_mark_inserted(c, true);
	ret = pfc_insert_unique(inode, &c->pfc);
	if (ret && first)
		pfc_test_mark_inserted(c, false);
	return ret;
}

static void pfc_test_free(struct pfc_context *ctx)
{
	struct pfc_test_ctx *c = container_of(ctx, struct pfc_test_ctx, pfc);

	might_sleep();
	if (!pfc_test_sleepable_process_context())
		pfc_test_count(PFC_STAT_BAD_CONTEXT);
	if (READ_ONCE(c->check_gp) && !poll_state_synchronize_rcu(c->gp_cookie))
		pfc_test_count(PFC_STAT_NO_GRACE_PERIOD);
	if (c->magic == PFC_TEST_FREED) {
		pfc_test_count(PFC_STAT_TWICE);
		return;
	}
	if (c->magic != PFC_TEST_ALIVE || ctx->owner != c->owner ||
	    ctx->instance != c->instance)
		pfc_test_count(PFC_STAT_CORRUPT);
	if (!READ_ONCE(c->inserted))
		pfc_test_count(PFC_STAT_NEVER_INSERTED);
	c->magic = PFC_TEST_FREED;

	if (c->may_sleep) {
		usleep_range(1000, 2000);
		if (c->probe_inode) {
			rcu_read_lock();
			c->probe_seen = pfc_lookup(c->probe_inode, NULL, NULL);
			rcu_read_unlock();
			c->probe_ret = pfc_test_insert(c->probe_inode, c->probe);
		}
	}

	if (c->owner)
		atomic_long_inc(&c->owner->freed);
	pfc_test_count(PFC_STAT_FREED);
	atomic_inc(&c->calls);
	if (!c->owned)
		kfree(c);
}

static struct pfc_test_ctx *pfc_test_new(struct pfc_test_owner *owner,
					 const void *instance, bool owned)
{
	struct pfc_test_ctx *c = kzalloc(sizeof(*c), GFP_KERNEL);

	if (!c)
		return NULL;
	c->owner = owner;
	c->instance = instance;
	c->magic = PFC_TEST_ALIVE;
	c->owned = owned;
	pfc_init_context(&c->pfc, owner, instance, pfc_test_free);
	return c;
}

/*
 * A context the callback kfree()s: the test must not touch it once it has
 * given up its last reference.
 */
static struct pfc_test_ctx *pfc_test_alloc(struct kunit *test,
					   struct pfc_test_owner *owner,
					   const void *instance)
{
	struct pfc_test_ctx *c = pfc_test_new(owner, instance, false);

	KUNIT_ASSERT_NOT_NULL(test, c);
	return c;
}

/*
 * A context whose memory the test frees with pfc_test_release(), so that
 * its callbacks can be counted after the fact.
 */
static struct pfc_test_ctx *pfc_test_alloc_owned(struct kunit *test,
						 struct pfc_test_owner *owner,
						 const void *instance)
{
	struct pfc_test_ctx *c = pfc_test_new(owner, instance, true);

	KUNIT_ASSERT_NOT_NULL(test, c);
	return c;
}

/*
 * Frees an owned context once pfc_barrier() has returned: @calls callbacks
 * must have run.  A context whose callback is missing is leaked, as pfc may
 * still reach it.
 */
static void pfc_test_release(struct kunit *test, struct pfc_test_ctx *c,
			     int calls)
{
	int seen = atomic_read(&c->calls);

	KUNIT_EXPECT_EQ_MSG(test, seen, calls, "free callbacks of %ps context",
			    c->owner);
	if (seen == 1 || (!calls && !seen && !READ_ONCE(c->inserted)))
		kfree(c);
}

static void pfc_test_set_gp(struct pfc_test_ctx *c)
{
	c->gp_cookie = get_state_synchronize_rcu();
	WRITE_ONCE(c->check_gp, true);
}

static struct pfc_context *pfc_test_lookup(struct inode *inode,
					   const void *owner,
					   const void *instance)
{
	struct pfc_context *ctx;

	rcu_read_lock();
	ctx = pfc_lookup(inode, owner, instance);
	rcu_read_unlock();
	return ctx;
}

static struct file *pfc_test_shmem_file(void)
{
	return shmem_file_setup("pfc_kunit", 0, VM_NORESERVE);
}

/*
 * The final fput() of a kthread goes to delayed_fput_work; __fput_sync()
 * drops the file, and with it the inode of a shmem file, right here.
 */
static void pfc_test_fput_sync(struct file *file)
{
	__fput_sync(file);
}

/* Removes every context of @inode and checks they come out as @expect. */
static void pfc_test_drain(struct kunit *test, struct inode *inode,
			   struct pfc_test_ctx *const *expect, int n)
{
	struct pfc_context *ctx;
	int i;

	for (i = 0; i < n; i++) {
		ctx = pfc_remove(inode, NULL, NULL);
		KUNIT_EXPECT_PTR_EQ_MSG(test, ctx, &expect[i]->pfc,
					"context %d of %d in LIFO order", i, n);
		if (!ctx)
			return;
		pfc_put(ctx);
	}
	for (i = 0; i < 64; i++) {
		ctx = pfc_remove(inode, NULL, NULL);
		KUNIT_EXPECT_NULL_MSG(test, ctx, "more than %d contexts", n);
		if (!ctx)
			return;
		pfc_put(ctx);
	}
}

#define PFC_TEST_FILES 3

/**
 * struct pfc_test_fixture - per-case state of every suite but the last
 * @files: shmem files whose inodes carry the case's contexts; NULL once
 *	the case dropped them
 * @inodes: file_inode() of @files
 * @stats: pfc_test_stats at the start of the case
 */
struct pfc_test_fixture {
	struct file *files[PFC_TEST_FILES];
	struct inode *inodes[PFC_TEST_FILES];
	long stats[PFC_STAT_NR];
};

static void pfc_test_evict(struct pfc_test_fixture *fx, int i)
{
	if (fx->files[i])
		pfc_test_fput_sync(fx->files[i]);
	fx->files[i] = NULL;
	fx->inodes[i] = NULL;
}

static int pfc_test_init(struct kunit *test)
{
	struct pfc_test_fixture *fx;
	int i;

	fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	if (!fx)
		return -ENOMEM;
	test->priv = fx;
	for (i = 0; i < ARRAY_SIZE(pfc_test_owners); i++) {
		atomic_long_set(&pfc_test_owners[i]->inserted, 0);
		atomic_long_set(&pfc_test_owners[i]->freed, 0);
	}
	for (i = 0; i < PFC_STAT_NR; i++)
		fx->stats[i] = pfc_test_stat(i);
	for (i = 0; i < PFC_TEST_FILES; i++) {
		struct file *file = pfc_test_shmem_file();

		if (IS_ERR(file))
			return PTR_ERR(file);
		fx->files[i] = file;
		fx->inodes[i] = file_inode(file);
	}
	return 0;
}

/*
 * Evicts the fixture's inodes, waits for the callbacks and checks that
 * every context the case inserted was freed exactly once, by a callback
 * that saw what the contract promises.
 */
static void pfc_test_exit(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	int i;

	if (!fx)
		return;
	for (i = 0; i < PFC_TEST_FILES; i++)
		pfc_test_evict(fx, i);
	pfc_barrier();
	for (i = 0; i < ARRAY_SIZE(pfc_test_owners); i++) {
		struct pfc_test_owner *o = pfc_test_owners[i];

		KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&o->freed),
				    atomic_long_read(&o->inserted),
				    "free callbacks vs. inserted contexts of %ps",
				    o);
	}
	for (i = PFC_STAT_FIRST_BAD; i < PFC_STAT_NR; i++)
		KUNIT_EXPECT_EQ_MSG(test, pfc_test_stat(i) - fx->stats[i], 0,
				    "%s", pfc_test_stat_names[i]);
}

/* No callback may run into this module once it is gone. */
static void pfc_test_suite_exit(struct kunit_suite *suite)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(pfc_test_owners); i++)
		pfc_remove_owner(pfc_test_owners[i]);
	pfc_barrier();
}

/* ---- Suite pfc_match: matching and order of lookup, lookup_get, remove */

#define PFC_MATCH_N 5

/* Contexts on inode 0, inserted in this order. */
static const struct {
	struct pfc_test_owner *owner;
	const void *instance;
} pfc_match_ctxs[PFC_MATCH_N] = {
	{ &owner_a, &key_1 },	/* 0 */
	{ &owner_b, &key_1 },	/* 1 */
	{ &owner_a, &key_2 },	/* 2 */
	{ &owner_a, NULL },	/* 3 */
	{ &owner_b, &key_2 },	/* 4: the most recent */
};

/**
 * struct pfc_match_case - one query of the matching table
 * @name: what the query is about
 * @owner: owner argument
 * @instance: instance argument
 * @expect: index in pfc_match_ctxs[] of the context the query returns, or
 *	-1 for none
 */
struct pfc_match_case {
	const char *name;
	const void *owner;
	const void *instance;
	int expect;
};

static const struct pfc_match_case pfc_match_cases[] = {
	{ "any_context_most_recent", NULL, NULL, 4 },
	{ "owner_a_any_instance", &owner_a, NULL, 3 },
	{ "owner_b_any_instance", &owner_b, NULL, 4 },
	{ "owner_a_key_1", &owner_a, &key_1, 0 },
	{ "owner_a_key_2", &owner_a, &key_2, 2 },
	{ "owner_b_key_1", &owner_b, &key_1, 1 },
	{ "owner_b_key_2", &owner_b, &key_2, 4 },
	{ "owner_b_key_3_none", &owner_b, &key_3, -1 },
	{ "owner_c_only_on_other_inode", &owner_c, NULL, -1 },
	{ "owner_a_key_3_only_on_other_inode", &owner_a, &key_3, -1 },
	{ "owner_c_key_1_none", &owner_c, &key_1, -1 },
	{ "instance_key_1_without_owner", NULL, &key_1, -1 },
	{ "instance_key_2_without_owner", NULL, &key_2, -1 },
	{ "instance_key_as_owner", &key_1, NULL, -1 },
};

static void pfc_match_desc(const struct pfc_match_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(pfc_match, pfc_match_cases, pfc_match_desc);

/*
 * Inserts pfc_match_ctxs[] on inode 0 and decoys on inode 1 that a lookup
 * on inode 0 must not see.
 */
static void pfc_match_setup(struct kunit *test,
			    struct pfc_test_ctx *ctxs[PFC_MATCH_N])
{
	struct pfc_test_fixture *fx = test->priv;
	struct pfc_test_ctx *decoy;
	int i;

	for (i = 0; i < PFC_MATCH_N; i++) {
		ctxs[i] = pfc_test_alloc(test, pfc_match_ctxs[i].owner,
					 pfc_match_ctxs[i].instance);
		KUNIT_ASSERT_EQ(test, pfc_test_insert(fx->inodes[0], ctxs[i]),
				0);
	}
	decoy = pfc_test_alloc(test, &owner_c, &key_1);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(fx->inodes[1], decoy), 0);
	decoy = pfc_test_alloc(test, &owner_a, &key_3);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(fx->inodes[1], decoy), 0);
}

static struct pfc_context *
pfc_match_expected(const struct pfc_match_case *p,
		   struct pfc_test_ctx *const ctxs[PFC_MATCH_N])
{
	return p->expect < 0 ? NULL : &ctxs[p->expect]->pfc;
}

/* The list of inode 0 is still every context, most recent first. */
static void pfc_match_check_unchanged(struct kunit *test,
				      struct pfc_test_ctx *const ctxs[],
				      int skip)
{
	struct pfc_test_fixture *fx = test->priv;
	struct pfc_test_ctx *expect[PFC_MATCH_N];
	int i, n = 0;

	for (i = PFC_MATCH_N - 1; i >= 0; i--)
		if (i != skip)
			expect[n++] = ctxs[i];
	pfc_test_drain(test, fx->inodes[0], expect, n);
}

static void test_pfc_lookup_match(struct kunit *test)
{
	const struct pfc_match_case *p = test->param_value;
	struct pfc_test_fixture *fx = test->priv;
	struct pfc_test_ctx *ctxs[PFC_MATCH_N];
	const void *owner = NULL, *instance = NULL;
	struct pfc_context *ctx;

	pfc_match_setup(test, ctxs);
	/* Read under the lock, checked outside: a failure report allocates. */
	rcu_read_lock();
	ctx = pfc_lookup(fx->inodes[0], p->owner, p->instance);
	if (ctx) {
		owner = ctx->owner;
		instance = ctx->instance;
	}
	rcu_read_unlock();
	KUNIT_EXPECT_PTR_EQ(test, ctx, pfc_match_expected(p, ctxs));
	if (ctx && p->expect >= 0) {
		KUNIT_EXPECT_PTR_EQ(test, owner,
				    (const void *)pfc_match_ctxs[p->expect].owner);
		KUNIT_EXPECT_PTR_EQ(test, instance,
				    pfc_match_ctxs[p->expect].instance);
	}
	pfc_match_check_unchanged(test, ctxs, -1);
}

static void test_pfc_lookup_get_match(struct kunit *test)
{
	const struct pfc_match_case *p = test->param_value;
	struct pfc_test_fixture *fx = test->priv;
	struct pfc_test_ctx *ctxs[PFC_MATCH_N];
	struct pfc_context *ctx;

	pfc_match_setup(test, ctxs);
	ctx = pfc_lookup_get(fx->inodes[0], p->owner, p->instance);
	KUNIT_EXPECT_PTR_EQ(test, ctx, pfc_match_expected(p, ctxs));
	if (ctx)
		pfc_put(ctx);
	pfc_match_check_unchanged(test, ctxs, -1);
}

static void test_pfc_remove_match(struct kunit *test)
{
	const struct pfc_match_case *p = test->param_value;
	struct pfc_test_fixture *fx = test->priv;
	struct pfc_test_ctx *ctxs[PFC_MATCH_N];
	struct pfc_context *ctx;

	pfc_match_setup(test, ctxs);
	ctx = pfc_remove(fx->inodes[0], p->owner, p->instance);
	KUNIT_EXPECT_PTR_EQ(test, ctx, pfc_match_expected(p, ctxs));
	/* Unlinked: no longer found, and the others are all still there. */
	if (ctx)
		KUNIT_EXPECT_PTR_NE(test, pfc_test_lookup(fx->inodes[0],
							  p->owner,
							  p->instance),
				    ctx);
	pfc_match_check_unchanged(test, ctxs, p->expect);
	if (ctx)
		pfc_put(ctx);
	/* The decoys on inode 1 were not touched. */
	KUNIT_EXPECT_NOT_NULL(test, pfc_test_lookup(fx->inodes[1], &owner_c,
						    &key_1));
	KUNIT_EXPECT_NOT_NULL(test, pfc_test_lookup(fx->inodes[1], &owner_a,
						    &key_3));
}

static void test_pfc_lookup_no_contexts(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct inode *inode = fx->inodes[0];
	struct pfc_test_ctx *c;

	KUNIT_EXPECT_NULL(test, pfc_test_lookup(inode, NULL, NULL));
	KUNIT_EXPECT_NULL(test, pfc_test_lookup(inode, &owner_a, NULL));
	KUNIT_EXPECT_NULL(test, pfc_test_lookup(inode, &owner_a, &key_1));
	KUNIT_EXPECT_NULL(test, pfc_lookup_get(inode, NULL, NULL));
	KUNIT_EXPECT_NULL(test, pfc_remove(inode, NULL, NULL));
	pfc_teardown(inode);

	/* Contexts on another inode are not this inode's. */
	c = pfc_test_alloc(test, &owner_a, &key_1);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(fx->inodes[1], c), 0);
	KUNIT_EXPECT_NULL(test, pfc_test_lookup(inode, NULL, NULL));
	KUNIT_EXPECT_NULL(test, pfc_test_lookup(inode, &owner_a, &key_1));
	KUNIT_EXPECT_NULL(test, pfc_lookup_get(inode, &owner_a, NULL));
	KUNIT_EXPECT_NULL(test, pfc_remove(inode, &owner_a, NULL));
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(fx->inodes[1], NULL, NULL),
			    &c->pfc);
}

static void test_pfc_lookup_lifo_after_remove(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct inode *inode = fx->inodes[0];
	struct pfc_test_ctx *c[5];
	struct pfc_context *ctx;

	c[0] = pfc_test_alloc(test, &owner_a, &key_1);
	c[1] = pfc_test_alloc(test, &owner_a, &key_2);
	c[2] = pfc_test_alloc(test, &owner_a, &key_1);
	c[3] = pfc_test_alloc(test, &owner_b, &key_1);
	c[4] = pfc_test_alloc(test, &owner_a, &key_1);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(inode, c[0]), 0);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(inode, c[1]), 0);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(inode, c[2]), 0);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(inode, c[3]), 0);

	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(inode, &owner_a, NULL),
			    &c[2]->pfc);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(inode, &owner_a, &key_1),
			    &c[2]->pfc);

	ctx = pfc_remove(inode, &owner_a, &key_1);
	KUNIT_EXPECT_PTR_EQ(test, ctx, &c[2]->pfc);
	if (ctx)
		pfc_put(ctx);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(inode, &owner_a, &key_1),
			    &c[0]->pfc);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(inode, &owner_a, NULL),
			    &c[1]->pfc);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(inode, NULL, NULL),
			    &c[3]->pfc);

	ctx = pfc_remove(inode, &owner_b, NULL);
	KUNIT_EXPECT_PTR_EQ(test, ctx, &c[3]->pfc);
	if (ctx)
		pfc_put(ctx);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(inode, NULL, NULL),
			    &c[1]->pfc);

	/* A new insert goes in front of what is left. */
	KUNIT_ASSERT_EQ(test, pfc_test_insert(inode, c[4]), 0);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(inode, &owner_a, NULL),
			    &c[4]->pfc);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(inode, &owner_a, &key_1),
			    &c[4]->pfc);
	pfc_test_drain(test, inode,
		       (struct pfc_test_ctx *const[]){ c[4], c[1], c[0] }, 3);
}

static void test_pfc_insert_duplicates(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct inode *inode = fx->inodes[0];
	struct pfc_test_ctx *c1, *c2;
	struct pfc_context *ctx;

	c1 = pfc_test_alloc(test, &owner_a, &key_1);
	c2 = pfc_test_alloc(test, &owner_a, &key_1);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(inode, c1), 0);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(inode, c2), 0);

	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(inode, &owner_a, &key_1),
			    &c2->pfc);
	ctx = pfc_remove(inode, &owner_a, &key_1);
	KUNIT_EXPECT_PTR_EQ(test, ctx, &c2->pfc);
	if (ctx)
		pfc_put(ctx);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(inode, &owner_a, &key_1),
			    &c1->pfc);
	ctx = pfc_remove(inode, &owner_a, &key_1);
	KUNIT_EXPECT_PTR_EQ(test, ctx, &c1->pfc);
	if (ctx)
		pfc_put(ctx);
	KUNIT_EXPECT_NULL(test, pfc_remove(inode, &owner_a, &key_1));
}

static struct kunit_case pfc_match_test_cases[] = {
	KUNIT_CASE_PARAM(test_pfc_lookup_match, pfc_match_gen_params),
	KUNIT_CASE_PARAM(test_pfc_lookup_get_match, pfc_match_gen_params),
	KUNIT_CASE_PARAM(test_pfc_remove_match, pfc_match_gen_params),
	KUNIT_CASE(test_pfc_lookup_no_contexts),
	KUNIT_CASE(test_pfc_lookup_lifo_after_remove),
	KUNIT_CASE(test_pfc_insert_duplicates),
	{}
};

static struct kunit_suite pfc_match_test_suite = {
	.name = "pfc_match",
	.init = pfc_test_init,
	.exit = pfc_test_exit,
	.suite_exit = pfc_test_suite_exit,
	.test_cases = pfc_match_test_cases,
};

/* ---- Suite pfc_insert: errors, unique insertion, supported inodes */

/*
 * Checks a failed insert: @c is bytewise as it was (@snap), was never
 * freed by pfc, and can be freed by the caller.
 */
static void pfc_insert_check_failed(struct kunit *test, struct pfc_test_ctx *c,
				    const struct pfc_context *snap)
{
	KUNIT_EXPECT_MEMEQ(test, &c->pfc, snap, sizeof(*snap));
	pfc_barrier();
	pfc_test_release(test, c, 0);
}

static void test_pfc_insert_null_inode(struct kunit *test)
{
	struct pfc_test_ctx *c = pfc_test_alloc_owned(test, &owner_a, &key_1);
	struct pfc_context snap = c->pfc;

	KUNIT_EXPECT_EQ(test, pfc_test_insert(NULL, c), -EINVAL);
	pfc_insert_check_failed(test, c, &snap);
}

static void test_pfc_insert_null_ctx(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct pfc_test_ctx *c = pfc_test_alloc(test, &owner_a, &key_1);

	KUNIT_ASSERT_EQ(test, pfc_test_insert(fx->inodes[0], c), 0);
	KUNIT_EXPECT_EQ(test, pfc_insert(fx->inodes[0], NULL), -EINVAL);
	pfc_test_drain(test, fx->inodes[0],
		       (struct pfc_test_ctx *const[]){ c }, 1);
}

static void test_pfc_insert_null_owner(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct pfc_test_ctx *c0 = pfc_test_alloc(test, &owner_a, &key_1);
	struct pfc_test_ctx *c = pfc_test_alloc_owned(test, NULL, &key_1);
	struct pfc_context snap = c->pfc;

	KUNIT_ASSERT_EQ(test, pfc_test_insert(fx->inodes[0], c0), 0);
	KUNIT_EXPECT_EQ(test, pfc_test_insert(fx->inodes[0], c), -EINVAL);
	KUNIT_EXPECT_NULL(test, pfc_test_lookup(fx->inodes[0], NULL, &key_1));
	pfc_test_drain(test, fx->inodes[0],
		       (struct pfc_test_ctx *const[]){ c0 }, 1);
	pfc_insert_check_failed(test, c, &snap);
}

static void test_pfc_insert_null_free(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct pfc_test_ctx *c0 = pfc_test_alloc(test, &owner_b, &key_1);
	struct pfc_test_ctx *c = pfc_test_alloc_owned(test, &owner_a, &key_1);
	struct pfc_context snap;

	pfc_init_context(&c->pfc, &owner_a, &key_1, NULL);
	snap = c->pfc;
	KUNIT_ASSERT_EQ(test, pfc_test_insert(fx->inodes[0], c0), 0);
	KUNIT_EXPECT_EQ(test, pfc_test_insert(fx->inodes[0], c), -EINVAL);
	KUNIT_EXPECT_NULL(test, pfc_test_lookup(fx->inodes[0], &owner_a, NULL));
	pfc_test_drain(test, fx->inodes[0],
		       (struct pfc_test_ctx *const[]){ c0 }, 1);
	pfc_insert_check_failed(test, c, &snap);
}

static void test_pfc_insert_already_inserted_same_inode(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct inode *inode = fx->inodes[0];
	struct pfc_test_ctx *c1 = pfc_test_alloc_owned(test, &owner_a, &key_1);
	struct pfc_test_ctx *c2 = pfc_test_alloc(test, &owner_b, &key_1);
	struct pfc_context *ctx;

	KUNIT_ASSERT_EQ(test, pfc_test_insert(inode, c1), 0);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(inode, c2), 0);
	/* Not moved to the front, not linked twice. */
	KUNIT_EXPECT_EQ(test, pfc_insert(inode, &c1->pfc), -EINVAL);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(inode, NULL, NULL),
			    &c2->pfc);
	ctx = pfc_remove(inode, &owner_a, NULL);
	KUNIT_EXPECT_PTR_EQ(test, ctx, &c1->pfc);
	KUNIT_EXPECT_NULL(test, pfc_test_lookup(inode, &owner_a, NULL));
	if (ctx)
		pfc_put(ctx);
	pfc_test_drain(test, inode, (struct pfc_test_ctx *const[]){ c2 }, 1);
	pfc_barrier();
	pfc_test_release(test, c1, 1);
}

static void test_pfc_insert_already_inserted_other_inode(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct pfc_test_ctx *c1 = pfc_test_alloc_owned(test, &owner_a, &key_1);
	struct pfc_test_ctx *c2 = pfc_test_alloc(test, &owner_b, &key_1);
	struct pfc_context *ctx;

	KUNIT_ASSERT_EQ(test, pfc_test_insert(fx->inodes[0], c1), 0);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(fx->inodes[1], c2), 0);
	KUNIT_EXPECT_EQ(test, pfc_insert(fx->inodes[1], &c1->pfc), -EINVAL);
	ctx = pfc_insert_unique(fx->inodes[1], &c1->pfc);
	KUNIT_EXPECT_TRUE(test, IS_ERR(ctx));
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(ctx), -EINVAL);
	if (!IS_ERR_OR_NULL(ctx))
		pfc_put(ctx);
	KUNIT_EXPECT_NULL(test, pfc_test_lookup(fx->inodes[1], &owner_a,
						NULL));
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(fx->inodes[0], NULL, NULL),
			    &c1->pfc);
	pfc_test_drain(test, fx->inodes[1],
		       (struct pfc_test_ctx *const[]){ c2 }, 1);
	pfc_test_drain(test, fx->inodes[0],
		       (struct pfc_test_ctx *const[]){ c1 }, 1);
	pfc_barrier();
	pfc_test_release(test, c1, 1);
}

static int pfc_test_anon_release(struct inode *inode, struct file *file)
{
	return 0;
}

static const struct file_operations pfc_test_anon_fops = {
	.owner = THIS_MODULE,
	.release = pfc_test_anon_release,
};

static void test_pfc_insert_anon_inode(struct kunit *test)
{
	struct pfc_test_ctx *c = pfc_test_alloc_owned(test, &owner_a, &key_1);
	struct pfc_context snap = c->pfc;
	struct pfc_context *ctx;
	struct inode *inode;
	struct file *file;

	file = anon_inode_getfile("[pfc_kunit]", &pfc_test_anon_fops, NULL,
				  O_RDWR);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, file);
	inode = file_inode(file);

	KUNIT_EXPECT_FALSE(test, pfc_supported(inode));
	KUNIT_EXPECT_NULL(test, pfc_file_inode(file));
	KUNIT_EXPECT_NULL(test, pfc_file_data_inode(file));
	KUNIT_EXPECT_NULL(test, pfc_mapping_inode(file->f_mapping));
	KUNIT_EXPECT_EQ(test, pfc_test_insert(inode, c), -EOPNOTSUPP);
	KUNIT_EXPECT_MEMEQ(test, &c->pfc, &snap, sizeof(snap));
	ctx = pfc_test_insert_unique(inode, c);
	KUNIT_EXPECT_TRUE(test, IS_ERR(ctx));
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(ctx), -EOPNOTSUPP);
	if (!IS_ERR_OR_NULL(ctx))
		pfc_put(ctx);
	KUNIT_EXPECT_NULL(test, pfc_test_lookup(inode, NULL, NULL));
	KUNIT_EXPECT_NULL(test, pfc_lookup_get(inode, &owner_a, NULL));
	KUNIT_EXPECT_NULL(test, pfc_remove(inode, NULL, NULL));
	pfc_test_fput_sync(file);
	pfc_insert_check_failed(test, c, &snap);
}

/*
 * An inode that is being freed cannot take contexts: nothing would tear
 * them down.  Marked I_WILL_FREE by hand, on an inode the test holds open.
 */
static void test_pfc_insert_freeing_inode(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct inode *inode = fx->inodes[0];
	struct pfc_test_ctx *c = pfc_test_alloc_owned(test, &owner_a, &key_1);
	struct pfc_context snap = c->pfc;
	struct pfc_context *ctx;

	spin_lock(&inode->i_lock);
	inode->i_state |= I_WILL_FREE;
	spin_unlock(&inode->i_lock);

	KUNIT_EXPECT_FALSE(test, pfc_supported(inode));
	KUNIT_EXPECT_EQ(test, pfc_test_insert(inode, c), -EOPNOTSUPP);
	ctx = pfc_test_insert_unique(inode, c);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(ctx), -EOPNOTSUPP);
	if (!IS_ERR_OR_NULL(ctx))
		pfc_put(ctx);

	spin_lock(&inode->i_lock);
	inode->i_state &= ~I_WILL_FREE;
	spin_unlock(&inode->i_lock);

	KUNIT_EXPECT_MEMEQ(test, &c->pfc, &snap, sizeof(snap));
	KUNIT_EXPECT_NULL(test, pfc_test_lookup(inode, NULL, NULL));
	pfc_insert_check_failed(test, c, &snap);
}

static void test_pfc_insert_unique_miss(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct inode *inode = fx->inodes[0];
	struct pfc_test_ctx *other = pfc_test_alloc(test, &owner_a, &key_1);
	struct pfc_test_ctx *c0 = pfc_test_alloc(test, &owner_b, &key_1);
	struct pfc_test_ctx *c1 = pfc_test_alloc(test, &owner_a, &key_1);
	struct pfc_test_ctx *c2 = pfc_test_alloc(test, &owner_a, &key_2);
	struct pfc_test_ctx *c3 = pfc_test_alloc(test, &owner_a, NULL);

	/* The same pair on another inode does not count. */
	KUNIT_ASSERT_EQ(test, pfc_test_insert(fx->inodes[1], other), 0);
	KUNIT_EXPECT_NULL(test, pfc_test_insert_unique(inode, c0));
	/* Same instance, other owner. */
	KUNIT_EXPECT_NULL(test, pfc_test_insert_unique(inode, c1));
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(inode, NULL, NULL),
			    &c1->pfc);
	/* Same owner, other instance. */
	KUNIT_EXPECT_NULL(test, pfc_test_insert_unique(inode, c2));
	/* (owner, NULL) is a pair of its own, not a wildcard here. */
	KUNIT_EXPECT_NULL(test, pfc_test_insert_unique(inode, c3));
	pfc_test_drain(test, inode,
		       (struct pfc_test_ctx *const[]){ c3, c2, c1, c0 }, 4);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(fx->inodes[1], NULL, NULL),
			    &other->pfc);
}

static void test_pfc_insert_unique_hit(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct inode *inode = fx->inodes[0];
	struct pfc_test_ctx *x = pfc_test_alloc_owned(test, &owner_a, &key_1);
	struct pfc_test_ctx *z = pfc_test_alloc(test, &owner_b, &key_1);
	struct pfc_test_ctx *y = pfc_test_alloc_owned(test, &owner_a, &key_1);
	struct pfc_context snap = y->pfc;
	struct pfc_context *ctx;

	KUNIT_ASSERT_EQ(test, pfc_test_insert(inode, x), 0);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(inode, z), 0);
	ctx = pfc_test_insert_unique(inode, y);
	KUNIT_ASSERT_PTR_EQ(test, ctx, &x->pfc);
	/* y is not inserted and is still the caller's, untouched. */
	KUNIT_EXPECT_MEMEQ(test, &y->pfc, &snap, sizeof(snap));
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(inode, &owner_a, &key_1),
			    &x->pfc);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(inode, NULL, NULL),
			    &z->pfc);

	/* The reference taken for us: dropping it leaves x on the list. */
	pfc_put(ctx);
	pfc_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&x->calls), 0);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(inode, &owner_a, NULL),
			    &x->pfc);

	/* A reference held from insert_unique outlives the removal. */
	ctx = pfc_test_insert_unique(inode, y);
	KUNIT_ASSERT_PTR_EQ(test, ctx, &x->pfc);
	pfc_test_drain(test, inode, (struct pfc_test_ctx *const[]){ z, x }, 2);
	pfc_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&x->calls), 0);
	pfc_test_set_gp(x);
	pfc_put(ctx);
	pfc_barrier();
	pfc_test_release(test, x, 1);
	pfc_test_release(test, y, 0);
}

static void test_pfc_insert_unique_errors(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct pfc_test_ctx *c0 = pfc_test_alloc(test, &owner_b, &key_1);
	struct pfc_test_ctx *no_owner, *no_free, *no_inode;
	struct pfc_context snap;
	struct pfc_context *ctx;

	KUNIT_ASSERT_EQ(test, pfc_test_insert(fx->inodes[0], c0), 0);

	ctx = pfc_insert_unique(fx->inodes[0], NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(ctx), -EINVAL);

	no_inode = pfc_test_alloc_owned(test, &owner_a, &key_1);
	snap = no_inode->pfc;
	ctx = pfc_test_insert_unique(NULL, no_inode);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(ctx), -EINVAL);
	pfc_insert_check_failed(test, no_inode, &snap);

	no_owner = pfc_test_alloc_owned(test, NULL, &key_1);
	snap = no_owner->pfc;
	ctx = pfc_test_insert_unique(fx->inodes[0], no_owner);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(ctx), -EINVAL);
	pfc_insert_check_failed(test, no_owner, &snap);

	no_free = pfc_test_alloc_owned(test, &owner_a, &key_1);
	pfc_init_context(&no_free->pfc, &owner_a, &key_1, NULL);
	snap = no_free->pfc;
	ctx = pfc_test_insert_unique(fx->inodes[0], no_free);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(ctx), -EINVAL);
	pfc_insert_check_failed(test, no_free, &snap);

	pfc_test_drain(test, fx->inodes[0],
		       (struct pfc_test_ctx *const[]){ c0 }, 1);
}

static void test_pfc_insert_after_remove(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct pfc_test_ctx *c = pfc_test_alloc_owned(test, &owner_a, &key_1);
	struct pfc_test_ctx *d = pfc_test_alloc(test, &owner_b, &key_1);
	struct pfc_test_ctx *e = pfc_test_alloc(test, &owner_b, &key_2);
	struct pfc_context *ctx;

	KUNIT_ASSERT_EQ(test, pfc_test_insert(fx->inodes[0], c), 0);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(fx->inodes[0], d), 0);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(fx->inodes[1], e), 0);

	/* Re-inserted on another inode, at once: the list's ref moves. */
	ctx = pfc_remove(fx->inodes[0], &owner_a, NULL);
	KUNIT_ASSERT_PTR_EQ(test, ctx, &c->pfc);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(fx->inodes[1], c), 0);
	KUNIT_EXPECT_NULL(test, pfc_test_lookup(fx->inodes[0], &owner_a, NULL));
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(fx->inodes[1], NULL, NULL),
			    &c->pfc);
	pfc_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&c->calls), 0);

	/* And back to the first inode, in front of what is there. */
	ctx = pfc_remove(fx->inodes[1], &owner_a, &key_1);
	KUNIT_ASSERT_PTR_EQ(test, ctx, &c->pfc);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(fx->inodes[0], c), 0);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(fx->inodes[0], NULL, NULL),
			    &c->pfc);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(fx->inodes[1], NULL, NULL),
			    &e->pfc);
	pfc_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&c->calls), 0);

	/* One callback in all, when it finally goes with its inode. */
	pfc_test_set_gp(c);
	pfc_test_evict(fx, 0);
	pfc_barrier();
	pfc_test_release(test, c, 1);
}

static void test_pfc_supported_shmem(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct file *file = fx->files[0];

	KUNIT_EXPECT_TRUE(test, pfc_supported(file_inode(file)));
	KUNIT_EXPECT_PTR_EQ(test, pfc_file_inode(file), file_inode(file));
	/* Not stacked: the inode holding the data is the file's own. */
	KUNIT_EXPECT_PTR_EQ(test, pfc_file_data_inode(file), file_inode(file));
	KUNIT_EXPECT_NULL(test, pfc_file_data_inode(NULL));
	KUNIT_EXPECT_PTR_EQ(test, pfc_mapping_inode(file->f_mapping),
			    file_inode(file));
	KUNIT_EXPECT_PTR_EQ(test, file->f_mapping->host, file_inode(file));
}

static void test_pfc_mapping_inode_contexts(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct file *file = fx->files[0];
	struct pfc_test_ctx *c1 = pfc_test_alloc(test, &owner_a, &key_1);
	struct pfc_test_ctx *c2 = pfc_test_alloc(test, &owner_b, &key_1);
	struct inode *by_mapping = pfc_mapping_inode(file->f_mapping);
	struct inode *by_file = pfc_file_inode(file);

	KUNIT_ASSERT_NOT_NULL(test, by_mapping);
	KUNIT_ASSERT_NOT_NULL(test, by_file);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(by_mapping, c1), 0);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(by_file, c2), 0);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(by_file, &owner_a, NULL),
			    &c1->pfc);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(by_mapping, &owner_b, NULL),
			    &c2->pfc);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(file_inode(file), NULL,
						  NULL),
			    &c2->pfc);
}

static void test_pfc_insert_no_inode_reference(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct inode *inode = fx->inodes[0];
	int count = atomic_read(&inode->i_count);
	struct pfc_test_ctx *c1 = pfc_test_alloc(test, &owner_a, &key_1);
	struct pfc_test_ctx *c2 = pfc_test_alloc(test, &owner_b, &key_1);
	struct pfc_test_ctx *c3 = pfc_test_alloc(test, &owner_a, &key_2);
	struct pfc_context *ctx;

	KUNIT_ASSERT_EQ(test, pfc_test_insert(inode, c1), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&inode->i_count), count);
	KUNIT_ASSERT_NULL(test, pfc_test_insert_unique(inode, c2));
	KUNIT_ASSERT_EQ(test, pfc_test_insert(inode, c3), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&inode->i_count), count);
	ctx = pfc_lookup_get(inode, &owner_a, &key_1);
	KUNIT_EXPECT_PTR_EQ(test, ctx, &c1->pfc);
	KUNIT_EXPECT_EQ(test, atomic_read(&inode->i_count), count);
	if (ctx)
		pfc_put(ctx);
	ctx = pfc_remove(inode, &owner_a, &key_2);
	KUNIT_EXPECT_PTR_EQ(test, ctx, &c3->pfc);
	if (ctx)
		pfc_put(ctx);
	KUNIT_EXPECT_EQ(test, atomic_read(&inode->i_count), count);
	pfc_teardown(inode);
	pfc_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&inode->i_count), count);
}

static struct kunit_case pfc_insert_test_cases[] = {
	KUNIT_CASE(test_pfc_insert_null_inode),
	KUNIT_CASE(test_pfc_insert_null_ctx),
	KUNIT_CASE(test_pfc_insert_null_owner),
	KUNIT_CASE(test_pfc_insert_null_free),
	KUNIT_CASE(test_pfc_insert_already_inserted_same_inode),
	KUNIT_CASE(test_pfc_insert_already_inserted_other_inode),
	KUNIT_CASE(test_pfc_insert_anon_inode),
	KUNIT_CASE(test_pfc_insert_freeing_inode),
	KUNIT_CASE(test_pfc_insert_unique_miss),
	KUNIT_CASE(test_pfc_insert_unique_hit),
	KUNIT_CASE(test_pfc_insert_unique_errors),
	KUNIT_CASE(test_pfc_insert_after_remove),
	KUNIT_CASE(test_pfc_supported_shmem),
	KUNIT_CASE(test_pfc_mapping_inode_contexts),
	KUNIT_CASE(test_pfc_insert_no_inode_reference),
	{}
};

static struct kunit_suite pfc_insert_test_suite = {
	.name = "pfc_insert",
	.init = pfc_test_init,
	.exit = pfc_test_exit,
	.suite_exit = pfc_test_suite_exit,
	.test_cases = pfc_insert_test_cases,
};

/* ---- Suite pfc_lifetime: references and free callbacks */

static void test_pfc_init_context_one_reference(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct pfc_test_ctx *c = pfc_test_alloc_owned(test, &owner_a, &key_1);
	struct pfc_context *ctx;

	KUNIT_EXPECT_PTR_EQ(test, c->pfc.owner, (const void *)&owner_a);
	KUNIT_EXPECT_PTR_EQ(test, c->pfc.instance, (const void *)&key_1);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(fx->inodes[0], c), 0);
	ctx = pfc_remove(fx->inodes[0], &owner_a, &key_1);
	KUNIT_ASSERT_PTR_EQ(test, ctx, &c->pfc);
	pfc_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&c->calls), 0);
	/* The one reference from pfc_init_context() is the last one. */
	pfc_test_set_gp(c);
	pfc_put(ctx);
	pfc_barrier();
	pfc_test_release(test, c, 1);
}

static void test_pfc_init_context_never_inserted(struct kunit *test)
{
	struct pfc_test_ctx *c = pfc_test_alloc_owned(test, &owner_a, &key_1);

	pfc_barrier();
	pfc_test_release(test, c, 0);
}

/*
 * The contract: "A context that was never inserted never gets a callback",
 * also when its pfc_init_context() reference is dropped with pfc_put().
 */
static void test_pfc_put_never_inserted(struct kunit *test)
{
	struct pfc_test_ctx *c = pfc_test_alloc_owned(test, &owner_a, &key_1);

	pfc_put(&c->pfc);
	pfc_barrier();
	pfc_test_release(test, c, 0);
}

static void test_pfc_lookup_get_takes_reference(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct inode *inode = fx->inodes[0];
	struct pfc_test_ctx *c = pfc_test_alloc_owned(test, &owner_a, &key_1);
	struct pfc_context *ctx, *ctx2;

	KUNIT_ASSERT_EQ(test, pfc_test_insert(inode, c), 0);
	ctx = pfc_lookup_get(inode, &owner_a, &key_1);
	KUNIT_ASSERT_PTR_EQ(test, ctx, &c->pfc);
	ctx2 = pfc_lookup_get(inode, NULL, NULL);
	KUNIT_ASSERT_PTR_EQ(test, ctx2, &c->pfc);
	pfc_put(ctx2);
	pfc_put(ctx);
	pfc_barrier();
	/* Still on the list, with the list's reference. */
	KUNIT_EXPECT_EQ(test, atomic_read(&c->calls), 0);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(inode, NULL, NULL), &c->pfc);
	pfc_test_drain(test, inode, (struct pfc_test_ctx *const[]){ c }, 1);
	pfc_barrier();
	pfc_test_release(test, c, 1);
}

static void test_pfc_lookup_get_outlives_remove(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct inode *inode = fx->inodes[0];
	struct pfc_test_ctx *c = pfc_test_alloc_owned(test, &owner_a, &key_1);
	struct pfc_context *got, *removed;

	KUNIT_ASSERT_EQ(test, pfc_test_insert(inode, c), 0);
	got = pfc_lookup_get(inode, &owner_a, NULL);
	KUNIT_ASSERT_PTR_EQ(test, got, &c->pfc);
	pfc_test_set_gp(c);
	removed = pfc_remove(inode, &owner_a, NULL);
	KUNIT_ASSERT_PTR_EQ(test, removed, &c->pfc);
	KUNIT_EXPECT_NULL(test, pfc_test_lookup(inode, NULL, NULL));
	pfc_put(removed);
	pfc_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&c->calls), 0);
	KUNIT_EXPECT_EQ(test, c->magic, PFC_TEST_ALIVE);
	KUNIT_EXPECT_PTR_EQ(test, got->owner, (const void *)&owner_a);
	KUNIT_EXPECT_PTR_EQ(test, got->instance, (const void *)&key_1);
	pfc_put(got);
	pfc_barrier();
	pfc_test_release(test, c, 1);
}

static void test_pfc_lookup_get_outlives_teardown(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct inode *inode = fx->inodes[0];
	struct pfc_test_ctx *c = pfc_test_alloc_owned(test, &owner_a, &key_1);
	struct pfc_test_ctx *d = pfc_test_alloc_owned(test, &owner_b, NULL);
	struct pfc_context *got;

	KUNIT_ASSERT_EQ(test, pfc_test_insert(inode, c), 0);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(inode, d), 0);
	got = pfc_lookup_get(inode, &owner_a, &key_1);
	KUNIT_ASSERT_PTR_EQ(test, got, &c->pfc);
	pfc_test_set_gp(c);
	pfc_test_set_gp(d);
	pfc_teardown(inode);
	KUNIT_EXPECT_NULL(test, pfc_test_lookup(inode, NULL, NULL));
	pfc_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&c->calls), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&d->calls), 1);
	KUNIT_EXPECT_PTR_EQ(test, got->owner, (const void *)&owner_a);
	pfc_put(got);
	pfc_barrier();
	pfc_test_release(test, c, 1);
	pfc_test_release(test, d, 1);
}

static void test_pfc_lookup_get_outlives_eviction(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct pfc_test_ctx *c = pfc_test_alloc_owned(test, &owner_a, &key_1);
	struct pfc_context *got;

	KUNIT_ASSERT_EQ(test, pfc_test_insert(fx->inodes[0], c), 0);
	got = pfc_lookup_get(fx->inodes[0], &owner_a, &key_1);
	KUNIT_ASSERT_PTR_EQ(test, got, &c->pfc);
	pfc_test_set_gp(c);
	pfc_test_evict(fx, 0);
	pfc_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&c->calls), 0);
	KUNIT_EXPECT_EQ(test, c->magic, PFC_TEST_ALIVE);
	KUNIT_EXPECT_PTR_EQ(test, got->owner, (const void *)&owner_a);
	pfc_put(got);
	pfc_barrier();
	pfc_test_release(test, c, 1);
}

struct pfc_test_irq {
	struct irq_work work;
	struct inode *inode;
	struct pfc_context *seen;
	struct pfc_context *got;
	bool in_hardirq;
};

static void pfc_test_irq_fn(struct irq_work *work)
{
	struct pfc_test_irq *t = container_of(work, struct pfc_test_irq, work);

	t->in_hardirq = in_hardirq();
	rcu_read_lock();
	t->seen = pfc_lookup(t->inode, &owner_a, NULL);
	rcu_read_unlock();
	t->got = pfc_lookup_get(t->inode, &owner_a, &key_1);
}

/* "pfc_lookup_get may be called from any context that rcu_read_lock may" */
static void test_pfc_lookup_get_hardirq(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct pfc_test_ctx *c = pfc_test_alloc(test, &owner_a, &key_1);
	struct pfc_test_irq t = {
		.work = IRQ_WORK_INIT_HARD(pfc_test_irq_fn),
		.inode = fx->inodes[0],
	};
	struct pfc_context *ctx;
	unsigned long flags;

	KUNIT_ASSERT_EQ(test, pfc_test_insert(fx->inodes[0], c), 0);
	/* Once with interrupts on, so that lockdep knows both sides. */
	ctx = pfc_lookup_get(fx->inodes[0], &owner_a, &key_1);
	KUNIT_EXPECT_PTR_EQ(test, ctx, &c->pfc);
	if (ctx)
		pfc_put(ctx);

	local_irq_save(flags);
	ctx = pfc_lookup_get(fx->inodes[0], &owner_a, &key_1);
	local_irq_restore(flags);
	KUNIT_EXPECT_PTR_EQ(test, ctx, &c->pfc);
	if (ctx)
		pfc_put(ctx);

	KUNIT_ASSERT_TRUE(test, irq_work_queue(&t.work));
	irq_work_sync(&t.work);
	KUNIT_EXPECT_TRUE(test, t.in_hardirq);
	KUNIT_EXPECT_PTR_EQ(test, t.seen, &c->pfc);
	KUNIT_EXPECT_PTR_EQ(test, t.got, &c->pfc);
	if (t.got)
		pfc_put(t.got);
}

/* The callback may sleep and, holding no pfc lock, may call pfc. */
static void test_free_callback_may_sleep(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct pfc_test_ctx *c = pfc_test_alloc_owned(test, &owner_a, &key_1);
	struct pfc_test_ctx *seen = pfc_test_alloc(test, &owner_b, &key_1);
	struct pfc_test_ctx *probe = pfc_test_alloc(test, &owner_b, &key_2);
	struct pfc_context *ctx;

	c->may_sleep = true;
	c->probe_inode = fx->inodes[1];
	c->probe = probe;
	c->probe_ret = 1;
	KUNIT_ASSERT_EQ(test, pfc_test_insert(fx->inodes[1], seen), 0);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(fx->inodes[0], c), 0);
	pfc_test_set_gp(c);
	ctx = pfc_remove(fx->inodes[0], NULL, NULL);
	KUNIT_ASSERT_PTR_EQ(test, ctx, &c->pfc);
	pfc_put(ctx);
	pfc_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&c->calls), 1);
	KUNIT_EXPECT_PTR_EQ(test, c->probe_seen, &seen->pfc);
	KUNIT_EXPECT_EQ(test, c->probe_ret, 0);
	if (!c->probe_ret)
		KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(fx->inodes[1], NULL,
							  NULL),
				    &probe->pfc);
	else
		kfree(probe);
	pfc_test_release(test, c, 1);
}

static struct kunit_case pfc_lifetime_test_cases[] = {
	KUNIT_CASE(test_pfc_init_context_one_reference),
	KUNIT_CASE(test_pfc_init_context_never_inserted),
	KUNIT_CASE(test_pfc_put_never_inserted),
	KUNIT_CASE(test_pfc_lookup_get_takes_reference),
	KUNIT_CASE(test_pfc_lookup_get_outlives_remove),
	KUNIT_CASE(test_pfc_lookup_get_outlives_teardown),
	KUNIT_CASE(test_pfc_lookup_get_outlives_eviction),
	KUNIT_CASE(test_pfc_lookup_get_hardirq),
	KUNIT_CASE(test_free_callback_may_sleep),
	{}
};

static struct kunit_suite pfc_lifetime_test_suite = {
	.name = "pfc_lifetime",
	.init = pfc_test_init,
	.exit = pfc_test_exit,
	.suite_exit = pfc_test_suite_exit,
	.test_cases = pfc_lifetime_test_cases,
};

/* ---- Suite pfc_teardown: eviction, umount, teardown, owner sweep */

static void test_pfc_evict_last_fput(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct file *file = fx->files[0];
	struct inode *inode = fx->inodes[0];
	struct pfc_test_ctx *c1 = pfc_test_alloc_owned(test, &owner_a, &key_1);
	struct pfc_test_ctx *c2 = pfc_test_alloc_owned(test, &owner_b, NULL);
	struct pfc_test_ctx *other = pfc_test_alloc_owned(test, &owner_a,
							  &key_1);

	KUNIT_ASSERT_EQ(test, pfc_test_insert(inode, c1), 0);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(inode, c2), 0);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(fx->inodes[1], other), 0);

	/* Not the last reference: the inode and its contexts stay. */
	get_file(file);
	pfc_test_fput_sync(file);
	pfc_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&c1->calls), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c2->calls), 0);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(inode, NULL, NULL),
			    &c2->pfc);

	/* The last one evicts the inode, and the contexts go with it. */
	pfc_test_set_gp(c1);
	pfc_test_set_gp(c2);
	pfc_test_evict(fx, 0);
	pfc_barrier();
	pfc_test_release(test, c1, 1);
	pfc_test_release(test, c2, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&other->calls), 0);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(fx->inodes[1], NULL, NULL),
			    &other->pfc);
	pfc_test_evict(fx, 1);
	pfc_barrier();
	pfc_test_release(test, other, 1);
}

/*
 * In the root of @mnt: unlinks @name, or with @target, links @name's inode
 * to the new name @target; what unlink(2) and link(2) do.
 */
static int pfc_test_namei(struct vfsmount *mnt, const char *name,
			  const char *target)
{
	struct inode *dir = d_inode(mnt->mnt_root);
	struct dentry *dentry, *new;
	int err;

	err = mnt_want_write(mnt);
	if (err)
		return err;
	inode_lock_nested(dir, I_MUTEX_PARENT);
	dentry = lookup_one_len(name, mnt->mnt_root, strlen(name));
	if (IS_ERR(dentry)) {
		err = PTR_ERR(dentry);
		goto unlock;
	}
	if (!target) {
		err = d_really_is_positive(dentry) ?
		      vfs_unlink(&nop_mnt_idmap, dir, dentry, NULL) : -ENOENT;
		dput(dentry);
		goto unlock;
	}
	new = lookup_one_len(target, mnt->mnt_root, strlen(target));
	if (IS_ERR(new)) {
		err = PTR_ERR(new);
	} else {
		err = d_really_is_positive(dentry) && d_is_negative(new) ?
		      vfs_link(dentry, &nop_mnt_idmap, dir, new, NULL) :
		      -EINVAL;
		dput(new);
	}
	dput(dentry);
unlock:
	inode_unlock(dir);
	mnt_drop_write(mnt);
	return err;
}

/* mknod @name in the root of @mnt. */
static int pfc_test_mknod(struct vfsmount *mnt, const char *name,
			  umode_t mode, dev_t dev)
{
	struct inode *dir = d_inode(mnt->mnt_root);
	struct dentry *dentry;
	int err;

	err = mnt_want_write(mnt);
	if (err)
		return err;
	inode_lock_nested(dir, I_MUTEX_PARENT);
	dentry = lookup_one_len(name, mnt->mnt_root, strlen(name));
	if (IS_ERR(dentry)) {
		err = PTR_ERR(dentry);
	} else {
		err = vfs_mknod(&nop_mnt_idmap, dir, dentry, mode, dev);
		dput(dentry);
	}
	inode_unlock(dir);
	mnt_drop_write(mnt);
	return err;
}

static struct vfsmount *pfc_test_mount_tmpfs(struct kunit *test)
{
	struct file_system_type *type = get_fs_type("tmpfs");
	struct vfsmount *mnt;

	KUNIT_ASSERT_NOT_NULL(test, type);
	mnt = kern_mount(type);
	module_put(type->owner);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, mnt);
	return mnt;
}

#define PFC_UMOUNT_FILES 3

static void test_pfc_evict_umount(struct kunit *test)
{
	struct pfc_test_ctx *c[PFC_UMOUNT_FILES][2];
	struct inode *inodes[PFC_UMOUNT_FILES];
	struct vfsmount *mnt;
	struct file *file;
	char name[16];
	int i, j;

	mnt = pfc_test_mount_tmpfs(test);

	for (i = 0; i < PFC_UMOUNT_FILES; i++) {
		c[i][0] = pfc_test_new(&owner_a, &key_1, true);
		c[i][1] = pfc_test_new(&owner_b, &key_2, true);
		snprintf(name, sizeof(name), "f%d", i);
		file = file_open_root_mnt(mnt, name, O_CREAT | O_RDWR, 0600);
		if (IS_ERR(file) || !c[i][0] || !c[i][1]) {
			KUNIT_FAIL(test, "setting up %s: %pe", name, file);
			kfree(c[i][0]);
			kfree(c[i][1]);
			if (!IS_ERR(file))
				pfc_test_fput_sync(file);
			break;
		}
		inodes[i] = file_inode(file);
		KUNIT_EXPECT_TRUE(test, pfc_supported(inodes[i]));
		for (j = 0; j < 2; j++)
			KUNIT_EXPECT_EQ(test, pfc_test_insert(inodes[i],
							      c[i][j]), 0);
		/* Closed, but linked: the inode stays in the cache. */
		pfc_test_fput_sync(file);
	}
	if (i < PFC_UMOUNT_FILES) {
		kern_unmount(mnt);
		return;
	}

	/* Contexts survive the last close of a file that is still linked. */
	file = file_open_root_mnt(mnt, "f0", O_RDWR, 0);
	if (!IS_ERR(file)) {
		KUNIT_EXPECT_PTR_EQ(test, file_inode(file), inodes[0]);
		KUNIT_EXPECT_PTR_EQ(test,
				    pfc_test_lookup(file_inode(file), NULL,
						    NULL),
				    &c[0][1]->pfc);
		pfc_test_fput_sync(file);
	} else {
		KUNIT_FAIL(test, "reopening f0: %pe", file);
	}
	pfc_barrier();
	for (i = 0; i < PFC_UMOUNT_FILES; i++)
		for (j = 0; j < 2; j++) {
			KUNIT_EXPECT_EQ(test, atomic_read(&c[i][j]->calls), 0);
			pfc_test_set_gp(c[i][j]);
		}

	kern_unmount(mnt);
	pfc_barrier();
	for (i = 0; i < PFC_UMOUNT_FILES; i++)
		for (j = 0; j < 2; j++)
			pfc_test_release(test, c[i][j], 1);
}

/*
 * The FSRTL rules: a hard link or an unlink of one name keeps the inode
 * and its contexts; the last close of an unlinked file evicts it.
 */
static void test_pfc_evict_unlinked_file(struct kunit *test)
{
	struct pfc_test_ctx *ca = pfc_test_alloc_owned(test, &owner_a, &key_1);
	struct pfc_test_ctx *cb = pfc_test_alloc_owned(test, &owner_b, &key_1);
	struct vfsmount *mnt = pfc_test_mount_tmpfs(test);
	struct file *a, *b, *c;
	struct inode *inode_b;

	a = file_open_root_mnt(mnt, "a", O_CREAT | O_RDWR, 0600);
	b = file_open_root_mnt(mnt, "b", O_CREAT | O_RDWR, 0600);
	if (IS_ERR(a) || IS_ERR(b)) {
		KUNIT_FAIL(test, "creating files: %pe %pe", a, b);
		goto out;
	}
	KUNIT_EXPECT_EQ(test, pfc_test_insert(file_inode(a), ca), 0);
	KUNIT_EXPECT_EQ(test, pfc_test_insert(file_inode(b), cb), 0);

	/* b gets a second name, loses its first, and is closed. */
	KUNIT_EXPECT_EQ(test, pfc_test_namei(mnt, "b", "c"), 0);
	KUNIT_EXPECT_EQ(test, pfc_test_namei(mnt, "b", NULL), 0);
	inode_b = file_inode(b);
	pfc_test_fput_sync(b);
	c = file_open_root_mnt(mnt, "c", O_RDWR, 0);
	if (!IS_ERR(c)) {
		KUNIT_EXPECT_PTR_EQ(test, file_inode(c), inode_b);
		KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(file_inode(c),
							  &owner_b, NULL),
				    &cb->pfc);
		pfc_test_fput_sync(c);
	} else {
		KUNIT_FAIL(test, "opening the link: %pe", c);
	}

	/* a is unlinked but still open: its contexts stay. */
	KUNIT_EXPECT_EQ(test, pfc_test_namei(mnt, "a", NULL), 0);
	pfc_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&ca->calls), 0);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(file_inode(a), NULL, NULL),
			    &ca->pfc);
	/* Its last close evicts it. */
	pfc_test_set_gp(ca);
	pfc_test_fput_sync(a);
	a = NULL;
	pfc_barrier();
	pfc_test_release(test, ca, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&cb->calls), 0);
	pfc_test_set_gp(cb);
	kern_unmount(mnt);
	pfc_barrier();
	pfc_test_release(test, cb, 1);
	return;
out:
	if (!IS_ERR(a))
		pfc_test_fput_sync(a);
	if (!IS_ERR(b))
		pfc_test_fput_sync(b);
	kern_unmount(mnt);
}

/*
 * A new inode at the address of an evicted one must not find the old
 * contexts.  Under KASAN the quarantine makes a reuse unlikely: the case
 * then only checks that new inodes start empty.
 */
#define PFC_RECYCLE_FILES 64

static void test_pfc_lookup_recycled_inode(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct inode *old = fx->inodes[0];
	struct pfc_test_ctx *c1, *c2;
	struct file **files;
	int i, n, reused = -1;

	files = kunit_kcalloc(test, PFC_RECYCLE_FILES, sizeof(*files),
			      GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, files);
	c1 = pfc_test_alloc(test, &owner_a, &key_1);
	c2 = pfc_test_alloc(test, &owner_b, NULL);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(old, c1), 0);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(old, c2), 0);
	pfc_test_evict(fx, 0);
	/* Waits for the RCU-deferred inode free too. */
	pfc_barrier();

	for (n = 0; n < PFC_RECYCLE_FILES && reused < 0; n++) {
		struct inode *inode;

		files[n] = pfc_test_shmem_file();
		if (IS_ERR(files[n])) {
			KUNIT_FAIL(test, "shmem file: %pe", files[n]);
			break;
		}
		inode = file_inode(files[n]);
		if (inode == old)
			reused = n;
		KUNIT_EXPECT_NULL(test, pfc_test_lookup(inode, NULL, NULL));
		KUNIT_EXPECT_NULL(test, pfc_lookup_get(inode, &owner_a, NULL));
		KUNIT_EXPECT_NULL(test, pfc_remove(inode, NULL, NULL));
	}
	kunit_info(test, "evicted inode address %s\n",
		   reused < 0 ? "not reused" : "reused");
	for (i = 0; i < n; i++)
		if (!IS_ERR(files[i]))
			pfc_test_fput_sync(files[i]);
}

static void test_pfc_teardown_one_inode(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct inode *inode = fx->inodes[0];
	struct pfc_test_ctx *a0 = pfc_test_alloc_owned(test, &owner_a, &key_1);
	struct pfc_test_ctx *b0 = pfc_test_alloc_owned(test, &owner_b, &key_1);
	struct pfc_test_ctx *a1 = pfc_test_alloc_owned(test, &owner_a, &key_1);
	struct pfc_test_ctx *a2 = pfc_test_alloc(test, &owner_a, &key_2);
	int count = atomic_read(&inode->i_count);

	KUNIT_ASSERT_EQ(test, pfc_test_insert(inode, a0), 0);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(inode, b0), 0);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(fx->inodes[1], a1), 0);
	pfc_test_set_gp(a0);
	pfc_test_set_gp(b0);
	pfc_teardown(inode);
	KUNIT_EXPECT_NULL(test, pfc_test_lookup(inode, NULL, NULL));
	KUNIT_EXPECT_NULL(test, pfc_lookup_get(inode, &owner_a, NULL));
	pfc_barrier();
	pfc_test_release(test, a0, 1);
	pfc_test_release(test, b0, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&inode->i_count), count);

	/* Other inodes keep theirs. */
	KUNIT_EXPECT_EQ(test, atomic_read(&a1->calls), 0);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(fx->inodes[1], &owner_a,
						  &key_1),
			    &a1->pfc);

	/* The inode takes contexts again, and a second teardown is fine. */
	KUNIT_ASSERT_EQ(test, pfc_test_insert(inode, a2), 0);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(inode, &owner_a, NULL),
			    &a2->pfc);
	pfc_teardown(inode);
	pfc_teardown(inode);
	KUNIT_EXPECT_NULL(test, pfc_test_lookup(inode, NULL, NULL));

	pfc_teardown(fx->inodes[1]);
	pfc_barrier();
	pfc_test_release(test, a1, 1);
}

/* Inserts a new context of @owner on @inode; false (and a failure) if not. */
static bool pfc_test_add(struct kunit *test, struct inode *inode,
			 struct pfc_test_owner *owner, const void *instance,
			 struct pfc_test_ctx **out)
{
	struct pfc_test_ctx *c = pfc_test_new(owner, instance, false);

	*out = NULL;
	if (!c || pfc_test_insert(inode, c)) {
		KUNIT_FAIL(test, "inserting a context of %ps", owner);
		kfree(c);
		return false;
	}
	*out = c;
	return true;
}

static void test_pfc_remove_owner_many_inodes(struct kunit *test)
{
	unsigned int nfiles = 0, nswept = 0, i;
	struct pfc_test_ctx **swept, **kept;
	struct file **files;
	s64 setup_ms, sweep_ms;
	ktime_t start;

	files = kunit_kcalloc(test, sweep_files, sizeof(*files), GFP_KERNEL);
	kept = kunit_kcalloc(test, sweep_files, sizeof(*kept), GFP_KERNEL);
	swept = kunit_kcalloc(test, 2 * sweep_files, sizeof(*swept),
			      GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, files);
	KUNIT_ASSERT_NOT_NULL(test, kept);
	KUNIT_ASSERT_NOT_NULL(test, swept);

	start = ktime_get();
	for (i = 0; i < sweep_files; i++) {
		struct file *file = pfc_test_shmem_file();
		struct inode *inode;

		if (IS_ERR(file)) {
			KUNIT_FAIL(test, "shmem file %u: %pe", i, file);
			break;
		}
		files[nfiles++] = file;
		inode = file_inode(file);
		/* Swept contexts before, after and around the kept one. */
		if (i % 2 == 0 &&
		    !pfc_test_add(test, inode, &owner_sweep, &key_1,
				  &swept[nswept++]))
			break;
		if (!pfc_test_add(test, inode, &owner_keep, &key_1, &kept[i]))
			break;
		if (i % 3 != 2 &&
		    !pfc_test_add(test, inode, &owner_sweep,
				  i % 3 ? NULL : &key_2, &swept[nswept++]))
			break;
	}
	setup_ms = ktime_ms_delta(ktime_get(), start);

	for (i = 0; i < nswept; i++)
		if (swept[i])
			pfc_test_set_gp(swept[i]);
	start = ktime_get();
	pfc_remove_owner(&owner_sweep);
	sweep_ms = ktime_ms_delta(ktime_get(), start);
	/* Every callback has run on return, without pfc_barrier(). */
	KUNIT_EXPECT_EQ(test, atomic_long_read(&owner_sweep.freed),
			atomic_long_read(&owner_sweep.inserted));
	kunit_info(test, "%u inodes, %ld contexts swept in %lld ms (setup %lld ms)\n",
		   nfiles, atomic_long_read(&owner_sweep.inserted), sweep_ms,
		   setup_ms);

	for (i = 0; i < nfiles; i++) {
		struct inode *inode = file_inode(files[i]);

		KUNIT_EXPECT_NULL(test, pfc_test_lookup(inode, &owner_sweep,
							NULL));
		if (!kept[i])
			continue;
		KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(inode, NULL, NULL),
				    &kept[i]->pfc);
		KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(inode, &owner_keep,
							  &key_1),
				    &kept[i]->pfc);
	}
	KUNIT_EXPECT_EQ(test, atomic_long_read(&owner_keep.freed), 0);

	for (i = 0; i < nfiles; i++)
		pfc_test_fput_sync(files[i]);
}

static void test_pfc_remove_owner_no_contexts(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct pfc_test_ctx *c = pfc_test_alloc(test, &owner_a, &key_1);

	KUNIT_ASSERT_EQ(test, pfc_test_insert(fx->inodes[0], c), 0);
	pfc_remove_owner(&owner_c);
	pfc_remove_owner(&key_1);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(fx->inodes[0], NULL, NULL),
			    &c->pfc);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&owner_a.freed), 0);
}

static struct kunit_case pfc_teardown_test_cases[] = {
	KUNIT_CASE(test_pfc_evict_last_fput),
	KUNIT_CASE(test_pfc_evict_umount),
	KUNIT_CASE(test_pfc_evict_unlinked_file),
	KUNIT_CASE(test_pfc_lookup_recycled_inode),
	KUNIT_CASE(test_pfc_teardown_one_inode),
	KUNIT_CASE_SLOW(test_pfc_remove_owner_many_inodes),
	KUNIT_CASE(test_pfc_remove_owner_no_contexts),
	{}
};

static struct kunit_suite pfc_teardown_test_suite = {
	.name = "pfc_teardown",
	.init = pfc_test_init,
	.exit = pfc_test_exit,
	.suite_exit = pfc_test_suite_exit,
	.test_cases = pfc_teardown_test_cases,
};

/* ---- Suite pfc_concurrency: lookups racing with every way out */

#define PFC_STRESS_SLOTS 4
#define PFC_STRESS_MAX_READERS 4
#define PFC_STRESS_READER_ITERS 200000
#define PFC_STRESS_WRITER_ITERS 50000
#define PFC_STRESS_EVICT_ITERS 2000

/**
 * struct pfc_stress - state shared by the threads of the concurrency case
 * @lock: protects @files
 * @files: the small set of inodes everyone works on; the evictor swaps
 *	them, and whoever drops the last reference evicts the inode
 * @deadline: jiffies at which the threads stop
 * @running: threads not finished yet
 * @done: completed by the last thread to finish
 * @lookups: pfc_lookup() calls
 * @hits: pfc_lookup() calls that found a context
 * @gets: pfc_lookup_get() calls that found a context
 * @inserts: successful inserts of new contexts
 * @reinserts: successful inserts of removed contexts on another inode
 * @removes: successful removes
 * @teardowns: pfc_teardown() calls
 * @sweeps: pfc_remove_owner() calls
 * @evictions: files replaced
 * @errors: contract violations seen by the threads
 */
struct pfc_stress {
	spinlock_t lock;	/* protects @files */
	struct file *files[PFC_STRESS_SLOTS];
	unsigned long deadline;
	atomic_t running;
	struct completion done;
	atomic_long_t lookups, hits, gets, inserts, reinserts, removes;
	atomic_long_t teardowns, sweeps, evictions, errors;
};

static struct file *pfc_stress_get(struct pfc_stress *s, unsigned int slot)
{
	struct file *file;

	spin_lock(&s->lock);
	file = s->files[slot % PFC_STRESS_SLOTS];
	if (file)
		get_file(file);
	spin_unlock(&s->lock);
	return file;
}

static bool pfc_stress_more(struct pfc_stress *s, unsigned long i,
			    unsigned long max)
{
	return i < max && !kthread_should_stop() &&
	       time_before(jiffies, s->deadline);
}

static void pfc_stress_finish(struct pfc_stress *s)
{
	if (atomic_dec_and_test(&s->running))
		complete(&s->done);
}

/* Dereferences @ctx so that KASAN sees a use after free. */
static void pfc_stress_check(struct pfc_stress *s, struct pfc_context *ctx)
{
	struct pfc_test_ctx *c = container_of(ctx, struct pfc_test_ctx, pfc);

	if (READ_ONCE(c->magic) != PFC_TEST_ALIVE || ctx->owner != c->owner ||
	    ctx->instance != c->instance ||
	    (c->owner != &owner_stress && c->owner != &owner_stress_swept))
		atomic_long_inc(&s->errors);
}

static int pfc_stress_reader(void *data)
{
	struct pfc_stress *s = data;
	struct pfc_context *ctx;
	struct inode *inode;
	struct file *file;
	unsigned long i;

	for (i = 0; pfc_stress_more(s, i, PFC_STRESS_READER_ITERS); i++) {
		file = pfc_stress_get(s, i);
		inode = file_inode(file);

		rcu_read_lock();
		ctx = pfc_lookup(inode, NULL, NULL);
		if (ctx) {
			pfc_stress_check(s, ctx);
			atomic_long_inc(&s->hits);
		}
		ctx = pfc_lookup(inode, &owner_stress, i & 2 ? &key_1 : NULL);
		if (ctx)
			pfc_stress_check(s, ctx);
		rcu_read_unlock();
		atomic_long_inc(&s->lookups);

		ctx = pfc_lookup_get(inode, &owner_stress, NULL);
		if (ctx) {
			pfc_stress_check(s, ctx);
			cond_resched();
			pfc_stress_check(s, ctx);
			pfc_put(ctx);
			atomic_long_inc(&s->gets);
		}
		pfc_test_fput_sync(file);
		cond_resched();
	}
	pfc_stress_finish(s);
	return 0;
}

static void pfc_stress_insert(struct pfc_stress *s, struct inode *inode,
			      unsigned long i, bool unique)
{
	struct pfc_test_owner *owner = i & 1 ? &owner_stress_swept :
					       &owner_stress;
	const void *instance = i % 3 ? &key_1 : NULL;
	struct pfc_test_ctx *c = pfc_test_new(owner, instance, false);
	struct pfc_context *ctx;

	if (!c)
		return;
	if (!unique) {
		if (pfc_test_insert(inode, c)) {
			atomic_long_inc(&s->errors);
			kfree(c);
			return;
		}
		atomic_long_inc(&s->inserts);
		return;
	}
	ctx = pfc_test_insert_unique(inode, c);
	if (!ctx) {
		atomic_long_inc(&s->inserts);
		return;
	}
	if (IS_ERR(ctx)) {
		atomic_long_inc(&s->errors);
	} else {
		pfc_stress_check(s, ctx);
		pfc_put(ctx);
	}
	kfree(c);
}

static void pfc_stress_remove(struct pfc_stress *s, struct inode *inode,
			      unsigned long i)
{
	struct pfc_context *ctx;
	struct file *other;

	/* i % 8 is fixed here: vary the rest with the higher bits. */
	ctx = pfc_remove(inode, i & 8 ? NULL : &owner_stress, NULL);
	if (!ctx)
		return;
	pfc_stress_check(s, ctx);
	atomic_long_inc(&s->removes);
	if (i & 16) {
		pfc_put(ctx);
		return;
	}
	/* Moved to another inode while lookups may still walk past it. */
	other = pfc_stress_get(s, i + 1);
	if (!pfc_test_insert(file_inode(other),
			     container_of(ctx, struct pfc_test_ctx, pfc))) {
		atomic_long_inc(&s->reinserts);
	} else {
		atomic_long_inc(&s->errors);
		pfc_put(ctx);
	}
	pfc_test_fput_sync(other);
}

static int pfc_stress_mutator(void *data)
{
	struct pfc_stress *s = data;
	struct inode *inode;
	struct file *file;
	unsigned long i;

	for (i = 0; pfc_stress_more(s, i, PFC_STRESS_WRITER_ITERS); i++) {
		file = pfc_stress_get(s, get_random_u32_below(PFC_STRESS_SLOTS));
		inode = file_inode(file);
		switch (i % 8) {
		case 0:
		case 1:
		case 2:
			pfc_stress_insert(s, inode, i, false);
			break;
		case 3:
			pfc_stress_insert(s, inode, i, true);
			break;
		case 4:
		case 5:
			pfc_stress_remove(s, inode, i);
			break;
		case 6:
			pfc_teardown(inode);
			atomic_long_inc(&s->teardowns);
			break;
		default:
			if (i % 64 == 7) {
				pfc_remove_owner(&owner_stress_swept);
				atomic_long_inc(&s->sweeps);
			}
			break;
		}
		pfc_test_fput_sync(file);
		cond_resched();
	}
	pfc_stress_finish(s);
	return 0;
}

static int pfc_stress_evictor(void *data)
{
	struct pfc_stress *s = data;
	struct file *file, *old;
	unsigned long i;

	for (i = 0; pfc_stress_more(s, i, PFC_STRESS_EVICT_ITERS); i++) {
		file = pfc_test_shmem_file();
		if (IS_ERR(file)) {
			atomic_long_inc(&s->errors);
			break;
		}
		spin_lock(&s->lock);
		old = s->files[i % PFC_STRESS_SLOTS];
		s->files[i % PFC_STRESS_SLOTS] = file;
		spin_unlock(&s->lock);
		/* The last of these references may be a reader's. */
		pfc_test_fput_sync(old);
		atomic_long_inc(&s->evictions);
		usleep_range(500, 1000);
	}
	pfc_stress_finish(s);
	return 0;
}

static void test_pfc_lookup_concurrent_evict(struct kunit *test)
{
	struct task_struct *tasks[PFC_STRESS_MAX_READERS + 2];
	unsigned int cpus[PFC_STRESS_MAX_READERS];
	unsigned int ncpus = 0, ntasks = 0, i;
	struct pfc_stress *s;
	unsigned int cpu;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	spin_lock_init(&s->lock);
	init_completion(&s->done);
	for (i = 0; i < PFC_STRESS_SLOTS; i++) {
		s->files[i] = pfc_test_shmem_file();
		if (IS_ERR(s->files[i])) {
			s->files[i] = NULL;
			KUNIT_FAIL(test, "shmem file %u", i);
			goto out;
		}
	}

	for_each_online_cpu(cpu) {
		if (ncpus == PFC_STRESS_MAX_READERS)
			break;
		cpus[ncpus++] = cpu;
	}
	for (i = 0; i < ncpus + 2; i++) {
		int (*fn)(void *) = pfc_stress_reader;
		struct task_struct *t;

		if (i == ncpus)
			fn = pfc_stress_mutator;
		else if (i == ncpus + 1)
			fn = pfc_stress_evictor;
		t = kthread_create(fn, s, "pfc_stress/%u", i);
		if (IS_ERR(t)) {
			KUNIT_FAIL(test, "kthread_create: %pe", t);
			break;
		}
		kthread_bind(t, cpus[i % ncpus]);
		get_task_struct(t);
		tasks[ntasks++] = t;
	}
	if (ntasks == ncpus + 2) {
		s->deadline = jiffies + msecs_to_jiffies(stress_ms);
		atomic_set(&s->running, ntasks);
		for (i = 0; i < ntasks; i++)
			wake_up_process(tasks[i]);
		if (!wait_for_completion_timeout(&s->done,
						 msecs_to_jiffies(stress_ms) +
						 60 * HZ))
			KUNIT_FAIL(test, "threads did not finish");
	}
	/* Stops the threads that never ran, reaps the others. */
	for (i = 0; i < ntasks; i++)
		kthread_stop_put(tasks[i]);

	kunit_info(test, "%u cpus: %ld lookups (%ld hits), %ld gets, %ld inserts, %ld reinserts, %ld removes, %ld teardowns, %ld sweeps, %ld evictions\n",
		   ncpus, atomic_long_read(&s->lookups),
		   atomic_long_read(&s->hits), atomic_long_read(&s->gets),
		   atomic_long_read(&s->inserts),
		   atomic_long_read(&s->reinserts),
		   atomic_long_read(&s->removes),
		   atomic_long_read(&s->teardowns),
		   atomic_long_read(&s->sweeps),
		   atomic_long_read(&s->evictions));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&s->errors), 0);
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->lookups), 0);
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->inserts), 0);
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->evictions), 0);
out:
	for (i = 0; i < PFC_STRESS_SLOTS; i++)
		if (s->files[i])
			pfc_test_fput_sync(s->files[i]);
	/* The exit checks the callbacks against the inserts. */
}

#define PFC_MOVE_READERS 2
#define PFC_MOVE_CTXS 256

/**
 * struct pfc_move - state of the re-insertion race case
 * @test: the case, for the mover's failures
 * @from: inode whose list the readers walk; it never has an owner_b context
 * @to: inode the mover moves the owner_c contexts to and back from
 * @stop: set when the readers must stop
 * @moves: round trips done by the mover
 * @reads: lookups done by the readers
 * @wrong: lookups on @from that returned a context of another inode
 * @mover_done: completed when the mover is finished
 * @done: completed when the readers are finished
 * @running: readers not finished yet
 * @ctx: the contexts the mover holds between pfc_remove() and pfc_insert()
 */
struct pfc_move {
	struct kunit *test;
	struct inode *from, *to;
	bool stop;
	unsigned long moves;
	atomic_long_t reads, wrong;
	struct completion mover_done, done;
	atomic_t running;
	struct pfc_context *ctx[PFC_MOVE_CTXS];
};

static int pfc_move_reader(void *data)
{
	struct pfc_move *m = data;

	while (!READ_ONCE(m->stop)) {
		rcu_read_lock();
		/* Walks the whole list: every context on it is being moved. */
		if (pfc_lookup(m->from, &owner_b, NULL))
			atomic_long_inc(&m->wrong);
		rcu_read_unlock();
		atomic_long_inc(&m->reads);
		cond_resched();
	}
	if (atomic_dec_and_test(&m->running))
		complete(&m->done);
	return 0;
}

/* Moves every owner_c context from @from to @to; false on a failure. */
static bool pfc_move_all(struct pfc_move *m, struct inode *from,
			 struct inode *to)
{
	struct pfc_context **ctx = m->ctx;
	int i, n;

	for (n = 0; n < PFC_MOVE_CTXS; n++) {
		ctx[n] = pfc_remove(from, &owner_c, NULL);
		if (!ctx[n])
			break;
	}
	if (n != PFC_MOVE_CTXS)
		KUNIT_FAIL(m->test, "removed %d contexts of %d", n,
			   PFC_MOVE_CTXS);
	for (i = 0; i < n; i++) {
		if (pfc_insert(to, ctx[i])) {
			KUNIT_FAIL(m->test, "inserting a removed context");
			pfc_put(ctx[i]);
			n = -1;
		}
	}
	return n == PFC_MOVE_CTXS;
}

static int pfc_move_mover(void *data)
{
	struct pfc_move *m = data;
	unsigned long deadline = jiffies + msecs_to_jiffies(min(stress_ms,
								 2000U));

	while (m->moves < 20000 && time_before(jiffies, deadline)) {
		if (!pfc_move_all(m, m->from, m->to) ||
		    !pfc_move_all(m, m->to, m->from))
			break;
		m->moves++;
		cond_resched();
	}
	complete(&m->mover_done);
	return 0;
}

/*
 * Contexts removed from one inode and inserted at once on another, while
 * a lockless reader may still stand on one in the old list: the reader must
 * not follow it into the new list (pfc must wait for a grace period first).
 * One reader shares its CPU with the mover, so that it is preempted inside
 * its RCU read-side critical section; the other races from another CPU.
 */
static void test_pfc_insert_after_remove_racing_lookup(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	unsigned int cpu = cpumask_first(cpu_online_mask);
	unsigned int other = cpumask_next(cpu, cpu_online_mask);
	struct pfc_test_ctx *moved, *sentinel;
	struct task_struct *t;
	struct pfc_move *m;
	int i;

	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	m->test = test;
	m->from = fx->inodes[0];
	m->to = fx->inodes[1];
	init_completion(&m->mover_done);
	init_completion(&m->done);
	sentinel = pfc_test_alloc(test, &owner_b, &key_1);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(m->to, sentinel), 0);
	for (i = 0; i < PFC_MOVE_CTXS; i++) {
		moved = pfc_test_alloc(test, &owner_c, NULL);
		KUNIT_ASSERT_EQ(test, pfc_test_insert(m->from, moved), 0);
	}

	if (other >= nr_cpu_ids)
		other = cpu;
	atomic_set(&m->running, PFC_MOVE_READERS);
	for (i = 0; i < PFC_MOVE_READERS; i++) {
		t = kthread_create(pfc_move_reader, m, "pfc_move/%d", i);
		if (IS_ERR(t)) {
			KUNIT_FAIL(test, "kthread_create: %pe", t);
			atomic_dec(&m->running);
			continue;
		}
		kthread_bind(t, i ? other : cpu);
		wake_up_process(t);
	}
	t = kthread_create(pfc_move_mover, m, "pfc_move/mover");
	if (!IS_ERR(t)) {
		kthread_bind(t, cpu);
		wake_up_process(t);
		wait_for_completion(&m->mover_done);
	} else {
		KUNIT_FAIL(test, "kthread_create: %pe", t);
	}
	WRITE_ONCE(m->stop, true);
	if (atomic_read(&m->running))
		wait_for_completion(&m->done);
	kunit_info(test, "%lu moves and back, %ld lookups\n", m->moves,
		   atomic_long_read(&m->reads));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&m->wrong), 0);
	KUNIT_EXPECT_GT(test, m->moves, 0);
}

static struct kunit_case pfc_concurrency_test_cases[] = {
	KUNIT_CASE_SLOW(test_pfc_lookup_concurrent_evict),
	KUNIT_CASE_SLOW(test_pfc_insert_after_remove_racing_lookup),
	{}
};

static struct kunit_suite pfc_concurrency_test_suite = {
	.name = "pfc_concurrency",
	.init = pfc_test_init,
	.exit = pfc_test_exit,
	.suite_exit = pfc_test_suite_exit,
	.test_cases = pfc_concurrency_test_cases,
};

/* ---- Suite pfc_family: per-open and per-superblock contexts, replace */

/*
 * Tracks an insert on any object as pfc_test_insert() does on an inode:
 * counted before the call, uncounted if @c did not go in.  @call is the
 * insert; @in says from its result whether @c is now linked.
 */
#define pfc_test_track(c, call, in) ({					\
	struct pfc_test_ctx *__c = (c);					\
	bool __first = !__c->inserted;					\
	typeof(call) __ret;						\
									\
	if (__first)							\
		pfc_test_mark_inserted(__c, true);			\
	__ret = (call);							\
	if (__first && !(in))						\
		pfc_test_mark_inserted(__c, false);			\
	__ret;								\
})

static int pfc_test_file_insert(struct file *file, struct pfc_test_ctx *c)
{
	return pfc_test_track(c, pfc_file_insert(file, &c->pfc), !__ret);
}

static int pfc_test_sb_insert(struct super_block *sb, struct pfc_test_ctx *c)
{
	return pfc_test_track(c, pfc_sb_insert(sb, &c->pfc), !__ret);
}

static struct pfc_context *pfc_test_replace(struct inode *inode,
					    struct pfc_test_ctx *c)
{
	return pfc_test_track(c, pfc_replace(inode, &c->pfc), !IS_ERR(__ret));
}

static struct pfc_context *pfc_test_file_replace(struct file *file,
						 struct pfc_test_ctx *c)
{
	return pfc_test_track(c, pfc_file_replace(file, &c->pfc),
			      !IS_ERR(__ret));
}

static struct pfc_context *pfc_test_file_lookup(struct file *file,
						const void *owner,
						const void *instance)
{
	struct pfc_context *ctx;

	rcu_read_lock();
	ctx = pfc_file_lookup(file, owner, instance);
	rcu_read_unlock();
	return ctx;
}

static struct pfc_context *pfc_test_sb_lookup(struct super_block *sb,
					      const void *owner,
					      const void *instance)
{
	struct pfc_context *ctx;

	rcu_read_lock();
	ctx = pfc_sb_lookup(sb, owner, instance);
	rcu_read_unlock();
	return ctx;
}

static void test_pfc_get_keeps_context(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct pfc_test_ctx *c = pfc_test_alloc_owned(test, &owner_a, &key_1);
	struct pfc_context *ctx;

	pfc_get(&c->pfc);
	KUNIT_EXPECT_EQ(test, refcount_read(&c->pfc.ref), 2);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(fx->inodes[0], c), 0);
	ctx = pfc_remove(fx->inodes[0], &owner_a, &key_1);
	KUNIT_EXPECT_PTR_EQ(test, ctx, &c->pfc);
	pfc_test_set_gp(c);
	pfc_put(ctx);
	pfc_barrier();
	/* Still ours: the reference pfc_get() took. */
	KUNIT_EXPECT_EQ(test, atomic_read(&c->calls), 0);
	KUNIT_EXPECT_EQ(test, c->magic, PFC_TEST_ALIVE);
	pfc_put(&c->pfc);
	pfc_barrier();
	pfc_test_release(test, c, 1);
}

static void test_pfc_replace_semantics(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct inode *inode = fx->inodes[0];
	struct pfc_test_ctx *old1 = pfc_test_alloc_owned(test, &owner_a, &key_1);
	struct pfc_test_ctx *other = pfc_test_alloc_owned(test, &owner_a, &key_2);
	struct pfc_test_ctx *old2 = pfc_test_alloc_owned(test, &owner_a, &key_1);
	struct pfc_test_ctx *new = pfc_test_alloc_owned(test, &owner_a, &key_1);
	struct pfc_test_ctx *lone = pfc_test_alloc_owned(test, &owner_b, &key_1);
	struct pfc_context *ret;

	KUNIT_ASSERT_EQ(test, pfc_test_insert(inode, old1), 0);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(inode, other), 0);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(inode, old2), 0);

	/* The newest context with the same keys goes, the list's reference with it. */
	ret = pfc_test_replace(inode, new);
	KUNIT_EXPECT_PTR_EQ(test, ret, &old2->pfc);
	KUNIT_EXPECT_EQ(test, refcount_read(&old2->pfc.ref), 1);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(inode, &owner_a, &key_1),
			    &new->pfc);
	/* In its place: first, as old2 was. */
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(inode, NULL, NULL),
			    &new->pfc);
	/* A replaced context can go in again, as a removed one can. */
	KUNIT_EXPECT_EQ(test, pfc_test_insert(fx->inodes[1], old2), 0);

	/* Already inserted: refused, nothing changed. */
	ret = pfc_replace(inode, &old1->pfc);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(ret), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(pfc_replace(NULL, &lone->pfc)),
			-EINVAL);

	/* No context with the keys: an insert at the head. */
	KUNIT_EXPECT_NULL(test, pfc_test_replace(inode, lone));
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(inode, NULL, NULL),
			    &lone->pfc);

	pfc_test_set_gp(old1);
	pfc_test_set_gp(new);
	pfc_test_drain(test, inode,
		       (struct pfc_test_ctx *const[]){ lone, new, other, old1 }, 4);
	pfc_test_evict(fx, 1);
	pfc_barrier();
	pfc_test_release(test, old1, 1);
	pfc_test_release(test, other, 1);
	pfc_test_release(test, old2, 1);
	pfc_test_release(test, new, 1);
	pfc_test_release(test, lone, 1);
}

/*
 * Replace atomicity: a reader of the exact keys, behind and before
 * contexts of other keys, never finds nothing while a writer swaps two
 * contexts in and out as fast as it can.
 */
struct pfc_swap {
	struct inode *inode;
	bool stop;
	atomic_long_t reads;
	atomic_long_t misses;
	struct completion done;
};

static int pfc_swap_reader(void *data)
{
	struct pfc_swap *s = data;
	struct pfc_context *ctx;

	while (!READ_ONCE(s->stop)) {
		rcu_read_lock();
		ctx = pfc_lookup(s->inode, &owner_b, &key_1);
		rcu_read_unlock();
		if (!ctx)
			atomic_long_inc(&s->misses);
		atomic_long_inc(&s->reads);
		cond_resched();
	}
	complete(&s->done);
	return 0;
}

static void test_pfc_replace_never_neither(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct pfc_test_ctx *front = pfc_test_alloc(test, &owner_a, &key_1);
	struct pfc_test_ctx *back = pfc_test_alloc(test, &owner_c, &key_1);
	struct pfc_test_ctx *first = pfc_test_alloc(test, &owner_b, &key_1);
	unsigned long deadline, swaps = 0;
	struct pfc_test_ctx *c;
	struct pfc_context *old;
	struct task_struct *t;
	struct pfc_swap *s;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	s->inode = fx->inodes[0];
	init_completion(&s->done);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(s->inode, back), 0);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(s->inode, first), 0);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(s->inode, front), 0);

	t = kthread_run(pfc_swap_reader, s, "pfc_swap");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	deadline = jiffies + msecs_to_jiffies(stress_ms / 3);
	while (time_before(jiffies, deadline)) {
		c = pfc_test_new(&owner_b, &key_1, false);
		if (!c) {
			KUNIT_FAIL(test, "out of memory after %lu", swaps);
			break;
		}
		old = pfc_test_replace(s->inode, c);
		if (IS_ERR_OR_NULL(old)) {
			KUNIT_FAIL(test, "replace returned %pe", old);
			if (IS_ERR(old))
				kfree(c);
			break;
		}
		/* Unlinked, the list's reference ours: freed after readers. */
		pfc_put(old);
		swaps++;
		if (!(swaps % 64))
			cond_resched();
	}
	WRITE_ONCE(s->stop, true);
	wait_for_completion(&s->done);
	kunit_info(test, "%lu replaces, %ld lookups\n", swaps,
		   atomic_long_read(&s->reads));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&s->misses), 0);
	KUNIT_EXPECT_GT(test, swaps, 0);
}

/*
 * The same without hoping for the timing: a reader that stands on the
 * context before the old one when the replace happens (its walk is in one
 * RCU read-side section, the replace runs in the middle of it) must still
 * find the old context or the new one further on.  A remove + insert, or
 * an insert at the head + unlink of the old one, leaves it neither.  The
 * walk uses the list node of struct pfc_context, which is private: this
 * is the one place where the suites look inside.
 */
static void test_pfc_replace_reader_in_the_middle(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct inode *inode = fx->inodes[0];
	struct pfc_test_ctx *front = pfc_test_alloc(test, &owner_a, &key_1);
	struct pfc_test_ctx *old = pfc_test_alloc_owned(test, &owner_b, &key_1);
	struct pfc_test_ctx *new = pfc_test_alloc_owned(test, &owner_b, &key_1);
	struct pfc_context *ctx, *found = NULL, *ret;

	KUNIT_ASSERT_EQ(test, pfc_test_insert(inode, old), 0);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(inode, front), 0);
	rcu_read_lock();
	ctx = pfc_lookup(inode, NULL, NULL);
	KUNIT_EXPECT_PTR_EQ(test, ctx, &front->pfc);
	/* No sleep on this path: the inode has its entry, new is fresh. */
	ret = pfc_test_replace(inode, new);
	if (ctx)
		hlist_for_each_entry_continue_rcu(ctx, node)
			if (ctx->owner == &owner_b && ctx->instance == &key_1) {
				found = ctx;
				break;
			}
	rcu_read_unlock();
	KUNIT_EXPECT_PTR_EQ(test, ret, &old->pfc);
	KUNIT_EXPECT_TRUE_MSG(test, found == &old->pfc || found == &new->pfc,
			      "a reader in the list found %p, neither %p nor %p",
			      found, &old->pfc, &new->pfc);
	pfc_test_set_gp(old);
	if (!IS_ERR_OR_NULL(ret))
		pfc_put(ret);
	pfc_test_set_gp(new);
	pfc_test_evict(fx, 0);
	pfc_barrier();
	pfc_test_release(test, old, 1);
	pfc_test_release(test, new, 1);
}

static void test_pfc_file_contexts(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct file *file = fx->files[0];
	struct pfc_test_ctx *f1 = pfc_test_alloc_owned(test, &owner_a, &key_1);
	struct pfc_test_ctx *f2 = pfc_test_alloc_owned(test, &owner_b, &key_2);
	struct pfc_test_ctx *dup = pfc_test_alloc_owned(test, &owner_a, &key_1);
	struct pfc_test_ctx *rep = pfc_test_alloc_owned(test, &owner_b, &key_2);
	struct pfc_test_ctx *ic = pfc_test_alloc_owned(test, &owner_c, NULL);
	struct pfc_context *ctx;

	KUNIT_EXPECT_TRUE(test, pfc_file_supported(file));
	KUNIT_EXPECT_FALSE(test, pfc_file_supported(NULL));
	KUNIT_ASSERT_EQ(test, pfc_test_file_insert(file, f1), 0);
	KUNIT_ASSERT_EQ(test, pfc_test_file_insert(file, f2), 0);
	KUNIT_ASSERT_EQ(test, pfc_test_insert(fx->inodes[0], ic), 0);

	/* Per-open and per-inode lists are apart. */
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_file_lookup(file, NULL, NULL),
			    &f2->pfc);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_file_lookup(file, &owner_a, NULL),
			    &f1->pfc);
	KUNIT_EXPECT_NULL(test, pfc_test_file_lookup(file, &owner_c, NULL));
	KUNIT_EXPECT_NULL(test, pfc_test_file_lookup(file, NULL, &key_1));
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_lookup(fx->inodes[0], NULL, NULL),
			    &ic->pfc);
	KUNIT_EXPECT_NULL(test, pfc_test_file_lookup(fx->files[1], NULL, NULL));

	ctx = pfc_file_lookup_get(file, &owner_b, &key_2);
	KUNIT_EXPECT_PTR_EQ(test, ctx, &f2->pfc);
	KUNIT_EXPECT_EQ(test, refcount_read(&f2->pfc.ref), 2);
	if (ctx)
		pfc_put(ctx);

	/* Unique: the attached one comes back referenced, dup stays ours. */
	ctx = pfc_test_track(dup, pfc_file_insert_unique(file, &dup->pfc),
			     !__ret);
	KUNIT_EXPECT_PTR_EQ(test, ctx, &f1->pfc);
	if (!IS_ERR_OR_NULL(ctx))
		pfc_put(ctx);
	KUNIT_EXPECT_EQ(test, refcount_read(&dup->pfc.ref), 1);

	ctx = pfc_test_file_replace(file, rep);
	KUNIT_EXPECT_PTR_EQ(test, ctx, &f2->pfc);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_file_lookup(file, &owner_b, &key_2),
			    &rep->pfc);
	pfc_test_set_gp(f2);
	if (!IS_ERR_OR_NULL(ctx))
		pfc_put(ctx);

	ctx = pfc_file_remove(file, &owner_a, &key_1);
	KUNIT_EXPECT_PTR_EQ(test, ctx, &f1->pfc);
	KUNIT_EXPECT_NULL(test, pfc_file_remove(file, NULL, &key_1));
	/* A removed per-open context goes on an inode as well as anywhere. */
	if (ctx)
		KUNIT_EXPECT_EQ(test, pfc_test_insert(fx->inodes[1], f1), 0);

	/* The last fput() frees what is left; the inode's context stays. */
	pfc_test_set_gp(rep);
	get_file(file);
	pfc_test_fput_sync(file);
	pfc_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&rep->calls), 0);
	pfc_test_fput_sync(file);
	fx->files[0] = NULL;
	pfc_barrier();
	pfc_test_release(test, rep, 1);
	pfc_test_release(test, f2, 1);
	pfc_test_release(test, dup, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ic->calls), 1);
	pfc_test_release(test, ic, 1);
	pfc_test_evict(fx, 1);
	pfc_barrier();
	pfc_test_release(test, f1, 1);
}

/* Two opens of one inode: each has its own contexts and its own end. */
static void test_pfc_file_per_open(struct kunit *test)
{
	struct pfc_test_ctx *c1 = pfc_test_alloc_owned(test, &owner_a, NULL);
	struct pfc_test_ctx *c2 = pfc_test_alloc_owned(test, &owner_a, NULL);
	struct pfc_test_ctx *ic = pfc_test_alloc_owned(test, &owner_b, NULL);
	struct file *f1, *f2, *f3;
	struct vfsmount *mnt;

	mnt = pfc_test_mount_tmpfs(test);
	f1 = file_open_root_mnt(mnt, "f", O_CREAT | O_RDWR, 0600);
	f2 = file_open_root_mnt(mnt, "f", O_RDONLY, 0);
	if (IS_ERR(f1) || IS_ERR(f2)) {
		KUNIT_FAIL(test, "opening f: %pe %pe", f1, f2);
		goto out;
	}
	KUNIT_ASSERT_PTR_EQ(test, file_inode(f1), file_inode(f2));
	KUNIT_EXPECT_EQ(test, pfc_test_file_insert(f1, c1), 0);
	KUNIT_EXPECT_EQ(test, pfc_test_file_insert(f2, c2), 0);
	KUNIT_EXPECT_EQ(test, pfc_test_insert(file_inode(f1), ic), 0);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_file_lookup(f1, NULL, NULL),
			    &c1->pfc);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_file_lookup(f2, NULL, NULL),
			    &c2->pfc);

	/* A third open of the inode, without contexts, closes on its own. */
	f3 = file_open_root_mnt(mnt, "f", O_RDONLY, 0);
	if (!IS_ERR(f3))
		pfc_test_fput_sync(f3);
	pfc_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&c1->calls), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c2->calls), 0);

	pfc_test_set_gp(c2);
	pfc_test_fput_sync(f2);
	f2 = NULL;
	pfc_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&c2->calls), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&c1->calls), 0);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_file_lookup(f1, NULL, NULL),
			    &c1->pfc);
	pfc_test_set_gp(c1);
	pfc_test_fput_sync(f1);
	f1 = NULL;
	pfc_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&c1->calls), 1);
	/* The inode is cached, linked: its context stays until umount. */
	KUNIT_EXPECT_EQ(test, atomic_read(&ic->calls), 0);
out:
	if (!IS_ERR_OR_NULL(f1))
		pfc_test_fput_sync(f1);
	if (!IS_ERR_OR_NULL(f2))
		pfc_test_fput_sync(f2);
	kern_unmount(mnt);
	pfc_barrier();
	pfc_test_release(test, c1, 1);
	pfc_test_release(test, c2, 1);
	pfc_test_release(test, ic, 1);
}

static void test_pfc_file_unsupported(struct kunit *test)
{
	struct pfc_test_ctx *c = pfc_test_alloc_owned(test, &owner_a, NULL);
	struct vfsmount *mnt;
	struct file *file;
	struct path path;

	mnt = pfc_test_mount_tmpfs(test);
	file = file_open_root_mnt(mnt, "f", O_CREAT | O_RDWR, 0600);
	if (!IS_ERR(file))
		pfc_test_fput_sync(file);
	/* O_PATH: no close event. */
	file = file_open_root_mnt(mnt, "f", O_PATH, 0);
	if (!IS_ERR(file)) {
		KUNIT_EXPECT_FALSE(test, pfc_file_supported(file));
		KUNIT_EXPECT_EQ(test, pfc_test_file_insert(file, c), -EOPNOTSUPP);
		pfc_test_fput_sync(file);
	} else {
		KUNIT_FAIL(test, "O_PATH open: %pe", file);
	}
	/* FMODE_NONOTIFY, as fanotify opens files for its listeners. */
	path.mnt = mnt;
	path.dentry = mnt->mnt_root;
	file = dentry_open(&path, O_RDONLY | O_DIRECTORY | __FMODE_NONOTIFY,
			   current_cred());
	if (!IS_ERR(file)) {
		KUNIT_EXPECT_FALSE(test, pfc_file_supported(file));
		KUNIT_EXPECT_EQ(test, pfc_test_file_insert(file, c), -EOPNOTSUPP);
		pfc_test_fput_sync(file);
	} else {
		KUNIT_FAIL(test, "FMODE_NONOTIFY open: %pe", file);
	}
	KUNIT_EXPECT_EQ(test, refcount_read(&c->pfc.ref), 1);
	KUNIT_EXPECT_EQ(test, pfc_test_file_insert(NULL, c), -EINVAL);
	kern_unmount(mnt);
	pfc_barrier();
	pfc_test_release(test, c, 0);
}

/*
 * A file pointer looked up without a reference while its last fput()
 * runs: either the live context or nothing, never freed memory (KASAN
 * watches), and never the context of the file that reuses the pointer.
 */
struct pfc_closer {
	struct file *file;
	bool stop;
	atomic_long_t reads;
	atomic_long_t found;
	atomic_long_t wrong;
	struct completion done;
};

static int pfc_closer_reader(void *data)
{
	struct pfc_closer *cl = data;
	struct pfc_context *ctx;
	struct pfc_test_ctx *c;

	while (!READ_ONCE(cl->stop)) {
		ctx = pfc_file_lookup_get(READ_ONCE(cl->file), &owner_a, NULL);
		if (ctx) {
			c = container_of(ctx, struct pfc_test_ctx, pfc);
			if (c->magic != PFC_TEST_ALIVE)
				atomic_long_inc(&cl->wrong);
			atomic_long_inc(&cl->found);
			pfc_put(ctx);
		}
		atomic_long_inc(&cl->reads);
		cond_resched();
	}
	complete(&cl->done);
	return 0;
}

static void test_pfc_file_close_vs_lookup(struct kunit *test)
{
	unsigned long deadline, rounds = 0;
	struct task_struct *t;
	struct pfc_closer *cl;
	struct pfc_test_ctx *c;
	struct file *file;

	cl = kunit_kzalloc(test, sizeof(*cl), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cl);
	init_completion(&cl->done);
	t = kthread_run(pfc_closer_reader, cl, "pfc_closer");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	deadline = jiffies + msecs_to_jiffies(stress_ms / 3);
	while (time_before(jiffies, deadline)) {
		file = pfc_test_shmem_file();
		c = pfc_test_new(&owner_a, NULL, false);
		if (IS_ERR(file) || !c) {
			KUNIT_FAIL(test, "round %lu: %pe", rounds, file);
			kfree(c);
			if (!IS_ERR(file))
				pfc_test_fput_sync(file);
			break;
		}
		if (pfc_test_file_insert(file, c)) {
			KUNIT_FAIL(test, "round %lu: insert", rounds);
			kfree(c);
		}
		WRITE_ONCE(cl->file, file);
		/* The key stays published while the file is freed. */
		pfc_test_fput_sync(file);
		rounds++;
	}
	WRITE_ONCE(cl->stop, true);
	wait_for_completion(&cl->done);
	kunit_info(test, "%lu opens and closes, %ld lookups, %ld found\n",
		   rounds, atomic_long_read(&cl->reads),
		   atomic_long_read(&cl->found));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&cl->wrong), 0);
	KUNIT_EXPECT_GT(test, rounds, 0);
}

/* What the open and close hooks see of per-open contexts. */
struct pfc_test_hooks {
	struct pfc_open_hook hook;
	struct kunit *test;
	int open_insert;
	int opens;
	int closes;
	int closes_with_context;
	int close_inserts_refused;
	struct file *last_closed;
};

static int pfc_test_hooks_open(struct pfc_open_hook *hook, struct file *file)
{
	struct pfc_test_hooks *h = container_of(hook, struct pfc_test_hooks, hook);
	struct pfc_test_ctx *c = pfc_test_new(&owner_c, NULL, false);

	h->opens++;
	if (!c)
		return 0;
	/* Before ->open(): not a file pfc can hear closing yet. */
	h->open_insert = pfc_test_file_insert(file, c);
	if (h->open_insert)
		kfree(c);
	return 0;
}

static void pfc_test_hooks_close(struct pfc_open_hook *hook, struct file *file)
{
	struct pfc_test_hooks *h = container_of(hook, struct pfc_test_hooks, hook);

	struct pfc_test_ctx *c;
	int err;

	might_sleep();
	h->closes++;
	h->last_closed = file;
	if (pfc_test_file_lookup(file, &owner_a, NULL))
		h->closes_with_context++;
	/*
	 * Past the last reference: fsnotify read the inode's marks before
	 * calling us, so pfc would not hear this close.  Refused.
	 */
	c = pfc_test_new(&owner_c, NULL, false);
	if (!c)
		return;
	err = pfc_test_file_insert(file, c);
	if (err == -EOPNOTSUPP)
		h->close_inserts_refused++;
	/* Inserted (the case fails on the count): pfc frees it, some day. */
	if (err)
		kfree(c);
}

static void test_pfc_close_hook(struct kunit *test)
{
	struct pfc_test_ctx *c = pfc_test_alloc_owned(test, &owner_a, NULL);
	struct pfc_test_hooks *h;
	struct file *f1, *f2;
	struct vfsmount *mnt;
	int err;

	h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	h->test = test;
	err = pfc_open_hook_init(&h->hook, pfc_test_hooks_open);
	if (err == -EOPNOTSUPP) {
		pfc_test_release(test, c, 0);
		kunit_skip(test, "no open permission events in this kernel");
	}
	KUNIT_ASSERT_EQ(test, err, 0);
	pfc_open_hook_set_close(&h->hook, pfc_test_hooks_close);
	mnt = pfc_test_mount_tmpfs(test);
	KUNIT_ASSERT_EQ(test, pfc_open_watch(&h->hook, mnt->mnt_sb), 0);

	f1 = file_open_root_mnt(mnt, "f", O_CREAT | O_RDWR, 0600);
	KUNIT_EXPECT_EQ(test, h->opens, 1);
	KUNIT_EXPECT_EQ(test, h->open_insert, -EOPNOTSUPP);
	f2 = file_open_root_mnt(mnt, "f", O_RDONLY, 0);
	if (IS_ERR(f1) || IS_ERR(f2)) {
		KUNIT_FAIL(test, "opening f: %pe %pe", f1, f2);
	} else {
		KUNIT_EXPECT_EQ(test, pfc_test_file_insert(f1, c), 0);
		/* dup() and fork() share the file: one close at the last. */
		get_file(f1);
		pfc_test_fput_sync(f1);
		KUNIT_EXPECT_EQ(test, h->closes, 0);
		pfc_test_set_gp(c);
		pfc_test_fput_sync(f1);
		KUNIT_EXPECT_EQ(test, h->closes, 1);
		KUNIT_EXPECT_PTR_EQ(test, h->last_closed, f1);
		/* The close hook runs before the per-open contexts die. */
		KUNIT_EXPECT_EQ(test, h->closes_with_context, 1);
		pfc_test_fput_sync(f2);
		KUNIT_EXPECT_EQ(test, h->closes, 2);
		KUNIT_EXPECT_EQ(test, h->closes_with_context, 1);
	}
	/* A file of an inode without any mark: nothing pfc would hear. */
	f2 = file_open_root_mnt(mnt, "g", O_CREAT | O_RDWR, 0600);
	if (!IS_ERR(f2)) {
		pfc_test_fput_sync(f2);
		KUNIT_EXPECT_NULL(test, pfc_test_file_lookup(f2, NULL, NULL));
	}
	KUNIT_EXPECT_EQ(test, h->close_inserts_refused, h->closes);
	/* Unwatched: no more calls. */
	KUNIT_EXPECT_EQ(test, pfc_open_unwatch(&h->hook, mnt->mnt_sb), 0);
	f1 = file_open_root_mnt(mnt, "f", O_RDONLY, 0);
	if (!IS_ERR(f1))
		pfc_test_fput_sync(f1);
	KUNIT_EXPECT_EQ(test, h->opens, 3);
	KUNIT_EXPECT_EQ(test, h->closes, 3);
	pfc_open_hook_release(&h->hook);
	kern_unmount(mnt);
	pfc_barrier();
	pfc_test_release(test, c, 1);
}

/* A hook that attaches a per-open context once the open has succeeded. */
struct pfc_test_opened {
	struct pfc_open_hook hook;
	struct pfc_test_ctx *c;
	bool deny;
	int opens;
	int opened;
	int opened_not_open;
	int inserts;
	int closes;
	int closes_with_context;
};

static int pfc_test_opened_open(struct pfc_open_hook *hook, struct file *file)
{
	struct pfc_test_opened *o = container_of(hook, struct pfc_test_opened,
						 hook);

	o->opens++;
	return o->deny ? -EPERM : 0;
}

static void pfc_test_opened_opened(struct pfc_open_hook *hook,
				   struct file *file)
{
	struct pfc_test_opened *o = container_of(hook, struct pfc_test_opened,
						 hook);

	might_sleep();
	o->opened++;
	if (!(file->f_mode & FMODE_OPENED))
		o->opened_not_open++;
	if (!READ_ONCE(o->c->inserted) && !pfc_test_file_insert(file, o->c))
		o->inserts++;
}

static void pfc_test_opened_close(struct pfc_open_hook *hook,
				  struct file *file)
{
	struct pfc_test_opened *o = container_of(hook, struct pfc_test_opened,
						 hook);

	o->closes++;
	if (pfc_test_file_lookup(file, &owner_c, NULL) == &o->c->pfc)
		o->closes_with_context++;
}

/*
 * The opened callback runs after ->open(), where a per-open insert works
 * (the post-create point of a Windows filter), and only for opens that
 * succeeded.  6.12 sends FS_OPEN from vfs_open(), so kernel opens through
 * file_open_root() see it; 6.1 only from the open(2) family (the VM
 * scenarios check that path on both kernels).
 */
static void test_pfc_opened_hook(struct kunit *test)
{
	struct pfc_test_opened *o;
	struct vfsmount *mnt;
	struct file *f;
	int err, want;

	o = kunit_kzalloc(test, sizeof(*o), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, o);
	o->c = pfc_test_alloc_owned(test, &owner_c, NULL);
	err = pfc_open_hook_init(&o->hook, pfc_test_opened_open);
	if (err == -EOPNOTSUPP) {
		pfc_test_release(test, o->c, 0);
		kunit_skip(test, "no open permission events in this kernel");
	}
	KUNIT_ASSERT_EQ(test, err, 0);
	pfc_open_hook_set_opened(&o->hook, pfc_test_opened_opened);
	pfc_open_hook_set_close(&o->hook, pfc_test_opened_close);
	mnt = pfc_test_mount_tmpfs(test);
	KUNIT_ASSERT_EQ(test, pfc_open_watch(&o->hook, mnt->mnt_sb), 0);
	want = PFC_KERNEL_BEFORE(6, 12) ? 0 : 1;

	f = file_open_root_mnt(mnt, "f", O_CREAT | O_RDWR, 0600);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f));
	KUNIT_EXPECT_EQ(test, o->opens, 1);
	KUNIT_EXPECT_EQ(test, o->opened, want);
	KUNIT_EXPECT_EQ(test, o->opened_not_open, 0);
	KUNIT_EXPECT_EQ(test, o->inserts, want);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_file_lookup(f, &owner_c, NULL),
			    want ? &o->c->pfc : NULL);
	pfc_test_set_gp(o->c);
	pfc_test_fput_sync(f);
	/* The context attached there dies at the close, seen by the hook. */
	KUNIT_EXPECT_EQ(test, o->closes_with_context, want);
	pfc_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&o->c->calls), want);

	/* Opens that fail before the open hook: neither callback. */
	f = file_open_root_mnt(mnt, "f", O_CREAT | O_EXCL | O_RDWR, 0600);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(f), -EEXIST);
	f = file_open_root_mnt(mnt, "f", O_RDONLY | O_DIRECTORY, 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(f), -ENOTDIR);
	KUNIT_EXPECT_EQ(test, o->opens, 1);
	/* An open the open hook fails: no opened call, no close. */
	o->deny = true;
	f = file_open_root_mnt(mnt, "f", O_RDONLY, 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(f), -EPERM);
	KUNIT_EXPECT_EQ(test, o->opens, 2);
	KUNIT_EXPECT_EQ(test, o->opened, want);
	KUNIT_EXPECT_EQ(test, o->closes_with_context, want);
	o->deny = false;
	/*
	 * The file system's ->open() fails after the open hook: a character
	 * device of a major no driver has (240: local use).  No opened call,
	 * no close (FMODE_OPENED never set), nothing of pfc's left on it.
	 */
	KUNIT_ASSERT_EQ(test, pfc_test_mknod(mnt, "dev", S_IFCHR | 0600,
					     MKDEV(240, 0)), 0);
	f = file_open_root_mnt(mnt, "dev", O_RDONLY, 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(f), -ENXIO);
	KUNIT_EXPECT_EQ(test, o->opens, 3);
	KUNIT_EXPECT_EQ(test, o->opened, want);
	/* f's close only: 6.1 sends it too (FMODE_OPENED), without FS_OPEN. */
	KUNIT_EXPECT_EQ(test, o->closes, 1);

	pfc_open_hook_release(&o->hook);
	kern_unmount(mnt);
	pfc_barrier();
	pfc_test_release(test, o->c, want);
}

/*
 * 6.1 destroys an inode's marks when an alias of an inode with no links
 * left is dropped, even with a file open through another name: the file's
 * contexts die with the inode's entry, and its close later finds nothing.
 * 6.12 waits for the last alias: they live until the close.
 */
static void test_pfc_file_inode_entry_dies_first(struct kunit *test)
{
	struct pfc_test_ctx *c = pfc_test_alloc_owned(test, &owner_a, NULL);
	struct vfsmount *mnt;
	struct file *file;

	mnt = pfc_test_mount_tmpfs(test);
	file = file_open_root_mnt(mnt, "a", O_CREAT | O_RDWR, 0600);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	/* tmpfs keeps b's dentry in the cache, unused by anyone. */
	KUNIT_EXPECT_EQ(test, pfc_test_namei(mnt, "a", "b"), 0);
	KUNIT_EXPECT_EQ(test, pfc_test_file_insert(file, c), 0);
	pfc_test_set_gp(c);
	KUNIT_EXPECT_EQ(test, pfc_test_namei(mnt, "a", NULL), 0);
	KUNIT_EXPECT_EQ(test, pfc_test_namei(mnt, "b", NULL), 0);
	pfc_barrier();
	if (PFC_KERNEL_BEFORE(6, 12))
		KUNIT_EXPECT_EQ(test, atomic_read(&c->calls), 1);
	else
		KUNIT_EXPECT_EQ(test, atomic_read(&c->calls), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->calls) == 1,
			!pfc_test_file_lookup(file, NULL, NULL));
	pfc_test_fput_sync(file);
	kern_unmount(mnt);
	pfc_barrier();
	pfc_test_release(test, c, 1);
}

static void test_pfc_sb_contexts(struct kunit *test)
{
	struct pfc_test_ctx *s1 = pfc_test_alloc_owned(test, &owner_a, &key_1);
	struct pfc_test_ctx *s2 = pfc_test_alloc_owned(test, &owner_b, NULL);
	struct pfc_test_ctx *dup = pfc_test_alloc_owned(test, &owner_a, &key_1);
	struct pfc_test_ctx *other = pfc_test_alloc_owned(test, &owner_a, NULL);
	struct pfc_test_fixture *fx = test->priv;
	struct vfsmount *mnt, *mnt2;
	struct pfc_context *ctx;

	mnt = pfc_test_mount_tmpfs(test);
	mnt2 = pfc_test_mount_tmpfs(test);
	KUNIT_EXPECT_EQ(test, pfc_sb_insert(NULL, &s1->pfc), -EINVAL);
	KUNIT_ASSERT_EQ(test, pfc_test_sb_insert(mnt->mnt_sb, s1), 0);
	KUNIT_ASSERT_EQ(test, pfc_test_sb_insert(mnt->mnt_sb, s2), 0);
	KUNIT_ASSERT_EQ(test, pfc_test_sb_insert(mnt2->mnt_sb, other), 0);
	KUNIT_EXPECT_EQ(test, pfc_sb_insert(mnt->mnt_sb, &s1->pfc), -EINVAL);

	KUNIT_EXPECT_PTR_EQ(test, pfc_test_sb_lookup(mnt->mnt_sb, NULL, NULL),
			    &s2->pfc);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_sb_lookup(mnt->mnt_sb, &owner_a,
						     &key_1), &s1->pfc);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_sb_lookup(mnt2->mnt_sb, NULL, NULL),
			    &other->pfc);
	KUNIT_EXPECT_NULL(test, pfc_test_sb_lookup(mnt->mnt_sb, NULL, &key_1));
	/* The superblock's list is not its inodes'. */
	KUNIT_EXPECT_NULL(test, pfc_test_lookup(d_inode(mnt->mnt_root), NULL,
						NULL));
	KUNIT_EXPECT_NULL(test, pfc_test_sb_lookup(fx->inodes[0]->i_sb, &owner_a,
						   &key_1));

	ctx = pfc_test_track(dup, pfc_sb_insert_unique(mnt->mnt_sb, &dup->pfc),
			     !__ret);
	KUNIT_EXPECT_PTR_EQ(test, ctx, &s1->pfc);
	if (!IS_ERR_OR_NULL(ctx))
		pfc_put(ctx);
	ctx = pfc_sb_lookup_get(mnt->mnt_sb, &owner_b, NULL);
	KUNIT_EXPECT_PTR_EQ(test, ctx, &s2->pfc);
	if (ctx)
		pfc_put(ctx);
	ctx = pfc_sb_remove(mnt->mnt_sb, &owner_b, NULL);
	KUNIT_EXPECT_PTR_EQ(test, ctx, &s2->pfc);
	pfc_test_set_gp(s2);
	if (ctx)
		pfc_put(ctx);

	/* Umount frees the rest; the other superblock keeps its own. */
	pfc_test_set_gp(s1);
	kern_unmount(mnt);
	pfc_barrier();
	pfc_test_release(test, s1, 1);
	pfc_test_release(test, s2, 1);
	pfc_test_release(test, dup, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&other->calls), 0);
	kern_unmount(mnt2);
	pfc_barrier();
	pfc_test_release(test, other, 1);
}

/*
 * A lazy umount (the mount detached, a file still open on it) keeps the
 * superblock and its contexts until the last file goes.
 */
static void test_pfc_sb_lazy_umount(struct kunit *test)
{
	struct pfc_test_ctx *s = pfc_test_alloc_owned(test, &owner_a, NULL);
	struct pfc_test_ctx *f = pfc_test_alloc_owned(test, &owner_b, NULL);
	struct vfsmount *mnt;
	struct file *file;

	mnt = pfc_test_mount_tmpfs(test);
	file = file_open_root_mnt(mnt, "f", O_CREAT | O_RDWR, 0600);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	KUNIT_EXPECT_EQ(test, pfc_test_sb_insert(mnt->mnt_sb, s), 0);
	KUNIT_EXPECT_EQ(test, pfc_test_file_insert(file, f), 0);
	kern_unmount(mnt);
	pfc_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&s->calls), 0);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_sb_lookup(file_inode(file)->i_sb,
						     NULL, NULL), &s->pfc);
	pfc_test_set_gp(s);
	pfc_test_set_gp(f);
	pfc_test_fput_sync(file);
	pfc_barrier();
	pfc_test_release(test, f, 1);
	pfc_test_release(test, s, 1);
}

/* pfc_remove_owner() over inode, per-open and superblock contexts at once. */
static void test_pfc_remove_owner_every_kind(struct kunit *test)
{
	struct pfc_test_fixture *fx = test->priv;
	struct pfc_test_ctx *si = pfc_test_alloc_owned(test, &owner_sweep, NULL);
	struct pfc_test_ctx *sf = pfc_test_alloc_owned(test, &owner_sweep, NULL);
	struct pfc_test_ctx *ss = pfc_test_alloc_owned(test, &owner_sweep, NULL);
	struct pfc_test_ctx *kf = pfc_test_alloc_owned(test, &owner_keep, NULL);
	struct pfc_test_ctx *ks = pfc_test_alloc_owned(test, &owner_keep, NULL);
	struct vfsmount *mnt;

	mnt = pfc_test_mount_tmpfs(test);
	KUNIT_EXPECT_EQ(test, pfc_test_insert(fx->inodes[0], si), 0);
	KUNIT_EXPECT_EQ(test, pfc_test_file_insert(fx->files[1], kf), 0);
	KUNIT_EXPECT_EQ(test, pfc_test_file_insert(fx->files[1], sf), 0);
	KUNIT_EXPECT_EQ(test, pfc_test_sb_insert(mnt->mnt_sb, ss), 0);
	KUNIT_EXPECT_EQ(test, pfc_test_sb_insert(mnt->mnt_sb, ks), 0);
	pfc_test_set_gp(si);
	pfc_test_set_gp(sf);
	pfc_test_set_gp(ss);
	pfc_remove_owner(&owner_sweep);
	/* Every callback ran on return. */
	KUNIT_EXPECT_EQ(test, atomic_read(&si->calls), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&sf->calls), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ss->calls), 1);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_file_lookup(fx->files[1], NULL, NULL),
			    &kf->pfc);
	KUNIT_EXPECT_PTR_EQ(test, pfc_test_sb_lookup(mnt->mnt_sb, NULL, NULL),
			    &ks->pfc);
	pfc_test_evict(fx, 1);
	kern_unmount(mnt);
	pfc_barrier();
	pfc_test_release(test, si, 1);
	pfc_test_release(test, sf, 1);
	pfc_test_release(test, ss, 1);
	pfc_test_release(test, kf, 1);
	pfc_test_release(test, ks, 1);
}

static struct kunit_case pfc_family_test_cases[] = {
	KUNIT_CASE(test_pfc_get_keeps_context),
	KUNIT_CASE(test_pfc_replace_semantics),
	KUNIT_CASE_SLOW(test_pfc_replace_never_neither),
	KUNIT_CASE(test_pfc_replace_reader_in_the_middle),
	KUNIT_CASE(test_pfc_file_contexts),
	KUNIT_CASE(test_pfc_file_per_open),
	KUNIT_CASE(test_pfc_file_unsupported),
	KUNIT_CASE_SLOW(test_pfc_file_close_vs_lookup),
	KUNIT_CASE(test_pfc_close_hook),
	KUNIT_CASE(test_pfc_opened_hook),
	KUNIT_CASE(test_pfc_file_inode_entry_dies_first),
	KUNIT_CASE(test_pfc_sb_contexts),
	KUNIT_CASE(test_pfc_sb_lazy_umount),
	KUNIT_CASE(test_pfc_remove_owner_every_kind),
	{}
};

static struct kunit_suite pfc_family_test_suite = {
	.name = "pfc_family",
	.init = pfc_test_init,
	.exit = pfc_test_exit,
	.suite_exit = pfc_test_suite_exit,
	.test_cases = pfc_family_test_cases,
};

/* ---- Suite pfc_accounting: the totals over every case that ran */

static void test_free_callback_once_per_context(struct kunit *test)
{
	int i;

	pfc_barrier();
	KUNIT_EXPECT_GT(test, pfc_test_stat(PFC_STAT_INSERTED), 0);
	KUNIT_EXPECT_EQ_MSG(test, pfc_test_stat(PFC_STAT_FREED),
			    pfc_test_stat(PFC_STAT_INSERTED),
			    "free callbacks vs. contexts inserted");
	for (i = PFC_STAT_FIRST_BAD; i < PFC_STAT_NR; i++)
		KUNIT_EXPECT_EQ_MSG(test, pfc_test_stat(i), 0, "%s",
				    pfc_test_stat_names[i]);
	kunit_info(test, "%ld contexts inserted, %ld free callbacks\n",
		   pfc_test_stat(PFC_STAT_INSERTED),
		   pfc_test_stat(PFC_STAT_FREED));
}

static struct kunit_case pfc_accounting_test_cases[] = {
	KUNIT_CASE(test_free_callback_once_per_context),
	{}
};

static struct kunit_suite pfc_accounting_test_suite = {
	.name = "pfc_accounting",
	.suite_exit = pfc_test_suite_exit,
	.test_cases = pfc_accounting_test_cases,
};

kunit_test_suites(&pfc_match_test_suite, &pfc_insert_test_suite,
		  &pfc_lifetime_test_suite, &pfc_teardown_test_suite,
		  &pfc_concurrency_test_suite, &pfc_family_test_suite,
		  &pfc_accounting_test_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for pfc, per-file contexts");
