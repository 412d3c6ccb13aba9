// SPDX-License-Identifier: GPL-2.0
/*
 * pfc hardening suites: races, allocation failures and misuse.
 *
 * pfc_hardening_torture races every pfc call on a few shared shmem inodes
 * from kthreads on every online CPU, evicting and recreating the inodes
 * under them, and checks per context that its free callback ran exactly
 * once, never while a reference was held, never while it was linked, and
 * that a lookup never returned a context whose callback had run.  It also
 * races pfc_remove_owner() against the eviction of an inode that carries
 * many contexts.
 *
 * pfc_hardening_failslab makes each allocation of a first insert fail in
 * turn (the task's fail_nth, see Documentation/fault-injection) and checks
 * that the insert fails cleanly and a retry succeeds.  fail_nth bypasses
 * failslab's probability and task filter but not its ignore-gfp-wait, so
 * the guest must first run
 *	echo N >/sys/kernel/debug/failslab/ignore-gfp-wait
 *	echo 0 >/sys/kernel/debug/failslab/verbose
 * (the suite skips otherwise).  Nothing else fails: fail_nth is per task.
 *
 * pfc_hardening_misuse runs a table of bad calls and checks each one's
 * documented result and that the inode's contexts did not change.
 *
 * pfc_hardening_churn only runs when churn_dir= is given (see churn.sh): it
 * hammers lookups on files that pfc_hardening_consumer.ko, loaded and
 * unloaded in a loop by the guest script, attaches contexts to.
 *
 * Leaks are for kmemleak to find, and pfc's own gauges
 * (/sys/kernel/debug/pfc/stats: inodes, contexts, callbacks_pending) for
 * the guest script to read after the suites: all must be 0.
 *
 * Contexts are tracked in a "world": each one's memory stays until the end
 * of the test, so that its flags can be checked; its payload is freed by the
 * free callback, and readers dereference the payload so that KASAN reports
 * a callback that ran too early.
 */

#include <kunit/test.h>
#include <linux/anon_inodes.h>
#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/poison.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "pfc.h"
#include "compat.h"

static char *churn_dir;
module_param(churn_dir, charp, 0444);
MODULE_PARM_DESC(churn_dir, "directory of files for the churn suite (churn.sh); other suites skip when set");
static unsigned int churn_secs = 5;
module_param(churn_secs, uint, 0444);
MODULE_PARM_DESC(churn_secs, "how long the churn suite hammers lookups");

/* Owner and instance keys: addresses of distinct objects. */
static const char hc_owner_a[] = "hardening-a";
static const char hc_owner_b[] = "hardening-b";
static const char hc_owner_sticky[] = "hardening-sticky";
static const char hc_owner_sweep[] = "hardening-sweep";
static const char hc_owner_fill[] = "hardening-fill";
static const char hc_inst[4];

#define HC_MAGIC	0x70666368UL
#define HC_PAYLOAD	0x7061796cUL

/* What went wrong, counted per kind; any count but 0 fails the test. */
enum hc_violation {
	HV_MAGIC,	/* callback or lookup got something that is no context */
	HV_DOUBLE,	/* a second free callback */
	HV_HELD,	/* callback while a lookup_get reference was held */
	HV_LINKED,	/* callback while the context was on a list */
	HV_NEVER,	/* callback for a context that was never inserted */
	HV_SEEN_FREED,	/* lookup returned a context whose callback ran */
	HV_MATCH,	/* lookup returned a context that does not match */
	HV_HOME,	/* lookup on inode X returned a context of inode Y */
	HV_FRESH,	/* a new inode already had contexts */
	HV_SWEEP,	/* pfc_remove_owner() returned before a callback ran */
	HV_ERRNO,	/* a call failed with an error it must not return */
	HV_END,		/* at the end: callback count is not 1 (or 0) */
	HV_NR
};

static const char *const hc_violation_names[HV_NR] = {
	[HV_MAGIC] = "bad magic",
	[HV_DOUBLE] = "free callback ran twice",
	[HV_HELD] = "free callback ran while a reference was held",
	[HV_LINKED] = "free callback ran while the context was linked",
	[HV_NEVER] = "free callback for a context never inserted",
	[HV_SEEN_FREED] = "lookup found a context whose callback had run",
	[HV_MATCH] = "lookup returned a context that does not match",
	[HV_HOME] = "lookup returned another inode's context",
	[HV_FRESH] = "a new inode already had contexts",
	[HV_SWEEP] = "pfc_remove_owner() returned before a free callback ran",
	[HV_ERRNO] = "unexpected error code",
	[HV_END] = "free callback count wrong at the end",
};

struct hc_world {
	spinlock_t lock;		/* protects @all */
	struct list_head all;
	atomic_t violations[HV_NR];
	atomic_t callbacks;
};

struct hc_payload {
	unsigned long magic;
	const void *owner;
};

struct hc {
	struct pfc_context ctx;
	struct hc_world *w;
	struct list_head all;
	/* kfree()d by the callback; the pointer stays for KASAN to catch. */
	struct hc_payload *payload;
	/* Sticky contexts only: the inode they were inserted on, for good. */
	struct inode *home;
	/* 1 once an insert was tried and did not fail. */
	atomic_t armed;
	atomic_t holders;
	/* Referenced by someone who does not own it (NULL-owner lookup_get). */
	atomic_t foreign;
	atomic_t callbacks;
	unsigned long magic;
};

static void hc_world_init(struct hc_world *w)
{
	int i;

	spin_lock_init(&w->lock);
	INIT_LIST_HEAD(&w->all);
	for (i = 0; i < HV_NR; i++)
		atomic_set(&w->violations[i], 0);
	atomic_set(&w->callbacks, 0);
}

static void hc_violate(struct hc_world *w, enum hc_violation v,
		       const struct hc *h)
{
	/* Every owner key of this file is a string. */
	if (atomic_inc_return(&w->violations[v]) <= 3)
		pr_err("pfc_hardening: %s (owner %s, instance %td)\n",
		       hc_violation_names[v],
		       h && h->ctx.owner ? (const char *)h->ctx.owner : "-",
		       h && h->ctx.instance >= (void *)hc_inst &&
		       h->ctx.instance < (void *)&hc_inst[ARRAY_SIZE(hc_inst)] ?
		       (const char *)h->ctx.instance - hc_inst : -1);
}

static void hc_free(struct pfc_context *ctx)
{
	struct hc *h = container_of(ctx, struct hc, ctx);
	struct hc_world *w = h->w;
	struct hlist_node **pprev = READ_ONCE(ctx->node.pprev);

	if (h->magic != HC_MAGIC) {
		hc_violate(w, HV_MAGIC, h);
		return;
	}
	if (atomic_read(&h->holders))
		hc_violate(w, HV_HELD, h);
	/* hlist_del_rcu() leaves LIST_POISON2; never linked leaves NULL. */
	if (pprev && pprev != LIST_POISON2)
		hc_violate(w, HV_LINKED, h);
	if (!atomic_read(&h->armed))
		hc_violate(w, HV_NEVER, h);
	if (atomic_inc_return(&h->callbacks) != 1) {
		hc_violate(w, HV_DOUBLE, h);
		return;
	}
	h->payload->magic = 0;
	kfree(h->payload);
	atomic_inc(&w->callbacks);
}

static struct hc *hc_new(struct hc_world *w, const void *owner,
			 const void *instance)
{
	struct hc *h = kzalloc(sizeof(*h), GFP_KERNEL);

	if (!h)
		return NULL;
	h->payload = kmalloc(sizeof(*h->payload), GFP_KERNEL);
	if (!h->payload) {
		kfree(h);
		return NULL;
	}
	h->payload->magic = HC_PAYLOAD;
	h->payload->owner = owner;
	h->w = w;
	h->magic = HC_MAGIC;
	pfc_init_context(&h->ctx, owner, instance, hc_free);
	spin_lock(&w->lock);
	list_add_tail(&h->all, &w->all);
	spin_unlock(&w->lock);
	return h;
}

/*
 * Insert @h, which the caller owns.  With @unique, a context that is
 * already there comes back referenced in *@existing (and @h stays the
 * caller's).  Returns 0 when @h was inserted.
 */
static int hc_insert(struct inode *inode, struct hc *h, bool unique,
		     struct pfc_context **existing)
{
	int was = atomic_xchg(&h->armed, 1);
	struct pfc_context *old;
	int err;

	if (existing)
		*existing = NULL;
	if (unique) {
		old = pfc_insert_unique(inode, &h->ctx);
		err = PTR_ERR_OR_ZERO(old);
		if (!IS_ERR_OR_NULL(old)) {
			*existing = old;
			err = -EEXIST;
		}
	} else {
		err = pfc_insert(inode, &h->ctx);
	}
	if (err)
		atomic_set(&h->armed, was);
	return err;
}

/* Checks on a context that a lookup returned, under RCU or referenced. */
static void hc_check_found(struct hc_world *w, struct pfc_context *ctx,
			   struct inode *inode, const void *owner,
			   const void *instance)
{
	struct hc *h = container_of(ctx, struct hc, ctx);

	if (h->magic != HC_MAGIC) {
		hc_violate(w, HV_MAGIC, h);
		return;
	}
	if (atomic_read(&h->callbacks))
		hc_violate(w, HV_SEEN_FREED, h);
	/* A callback that ran too early freed the payload: KASAN. */
	if (READ_ONCE(h->payload->magic) != HC_PAYLOAD ||
	    READ_ONCE(h->payload->owner) != ctx->owner)
		hc_violate(w, HV_SEEN_FREED, h);
	if ((owner && ctx->owner != owner) ||
	    (instance && ctx->instance != instance) || (!owner && instance))
		hc_violate(w, HV_MATCH, h);
	if (h->home && h->home != inode)
		hc_violate(w, HV_HOME, h);
}

/* Check the world at the end, when every context must be unlinked. */
static void hc_world_end(struct kunit *test, struct hc_world *w)
{
	struct hc *h, *tmp;
	unsigned long n = 0, inserted = 0;
	int i, cb;

	pfc_barrier();
	list_for_each_entry_safe(h, tmp, &w->all, all) {
		cb = atomic_read(&h->callbacks);
		n++;
		if (atomic_read(&h->armed)) {
			inserted++;
			if (cb != 1)
				hc_violate(w, HV_END, h);
		} else if (cb) {
			hc_violate(w, HV_END, h);
		}
		if (!cb)
			kfree(h->payload);
		/* A context never called back may still be linked: leak it. */
		if (cb || !atomic_read(&h->armed)) {
			list_del(&h->all);
			kfree(h);
		}
	}
	kunit_info(test, "%lu contexts, %lu inserted, %d callbacks\n", n,
		   inserted, atomic_read(&w->callbacks));
	for (i = 0; i < HV_NR; i++)
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&w->violations[i]), 0,
				    "%s", hc_violation_names[i]);
}

static void hc_fput_sync(struct file *file)
{
	fput(file);
	/* A kthread's last fput is deferred: make it, and the eviction, now. */
	flush_delayed_fput();
}

static bool hc_has_contexts(struct inode *inode)
{
	bool any;

	rcu_read_lock();
	any = pfc_lookup(inode, NULL, NULL);
	rcu_read_unlock();
	return any;
}

/*
 * pfc_lookup() for tests that only compare the result: the pointer is not
 * dereferenced after the RCU section, and KUnit expectations, which
 * allocate when they fail, stay outside it.
 */
static struct pfc_context *hc_lookup(struct inode *inode, const void *owner,
				     const void *instance)
{
	struct pfc_context *ctx;

	rcu_read_lock();
	ctx = pfc_lookup(inode, owner, instance);
	rcu_read_unlock();
	return ctx;
}

static int hc_skip_churn(struct kunit *test)
{
	if (churn_dir)
		kunit_skip(test, "churn_dir= given: only the churn suite runs");
	return 0;
}

/* ------------------------------------------------------------------------
 * Race torture
 */

#define HT_SLOTS	3
#define HT_ITERS	20000
#define HT_SECS		5
#define HT_HISTORY	64

struct ht_slot {
	spinlock_t lock;	/* protects @file */
	struct file *file;
};

struct ht_stats {
	atomic_long_t ops, found, inserted, removed, reinserted, evictions,
		      sweeps, sweep_foreign, recycled, teardowns, enomem;
};

struct ht {
	struct hc_world w;
	struct ht_slot slot[HT_SLOTS];
	unsigned long deadline;
	atomic_t running;
	struct ht_stats st;
	struct inode *history[HT_HISTORY];
	unsigned int nhistory;
};

static struct file *ht_get(struct ht *t, unsigned int i)
{
	struct ht_slot *s = &t->slot[i % HT_SLOTS];
	struct file *f;

	spin_lock(&s->lock);
	f = s->file;
	if (f)
		get_file(f);
	spin_unlock(&s->lock);
	return f;
}

static bool ht_done(struct ht *t, unsigned long iter)
{
	return kthread_should_stop() || iter >= HT_ITERS ||
	       time_after(jiffies, t->deadline);
}

static const void *ht_owner(u32 r)
{
	switch (r % 3) {
	case 0:
		return hc_owner_a;
	case 1:
		return hc_owner_b;
	default:
		return hc_owner_sticky;
	}
}

static void ht_lookup(struct ht *t, struct inode *inode, u32 r)
{
	const void *owner = (r & 3) ? ht_owner(r >> 2) : NULL;
	const void *instance = (r & 16) ? &hc_inst[(r >> 5) & 3] : NULL;
	struct pfc_context *ctx;

	rcu_read_lock();
	ctx = pfc_lookup(inode, owner, instance);
	if (ctx) {
		atomic_long_inc(&t->st.found);
		hc_check_found(&t->w, ctx, inode, owner, instance);
	}
	rcu_read_unlock();
}

static void ht_lookup_get(struct ht *t, struct inode *inode, u32 r)
{
	const void *owner = (r & 3) ? ht_owner(r >> 2) : NULL;
	const void *instance = (r & 16) ? &hc_inst[(r >> 5) & 3] : NULL;
	struct pfc_context *ctx;
	struct hc *h;

	ctx = pfc_lookup_get(inode, owner, instance);
	if (!ctx)
		return;
	atomic_long_inc(&t->st.found);
	h = container_of(ctx, struct hc, ctx);
	atomic_inc(&h->holders);
	if (!owner)
		atomic_inc(&h->foreign);
	hc_check_found(&t->w, ctx, inode, owner, instance);
	if (r & 64)
		cond_resched();
	/* Still valid after the RCU section ended: we hold a reference. */
	hc_check_found(&t->w, ctx, inode, owner, instance);
	atomic_dec(&h->holders);
	pfc_put(ctx);
}

static void ht_insert(struct ht *t, struct inode *inode, u32 r, bool unique)
{
	const void *owner = (r & 1) ? hc_owner_a : hc_owner_b;
	struct pfc_context *old;
	struct hc *h, *o;
	int err;

	h = hc_new(&t->w, owner, &hc_inst[(r >> 1) & 3]);
	if (!h)
		return;
	err = hc_insert(inode, h, unique, &old);
	if (!err) {
		atomic_long_inc(&t->st.inserted);
	} else if (err == -EEXIST) {
		o = container_of(old, struct hc, ctx);
		atomic_inc(&o->holders);
		hc_check_found(&t->w, old, inode, h->ctx.owner,
			       h->ctx.instance);
		atomic_dec(&o->holders);
		pfc_put(old);
		/* Never inserted: dropping its reference calls nothing. */
		pfc_put(&h->ctx);
	} else if (err == -ENOMEM) {
		atomic_long_inc(&t->st.enomem);
		pfc_put(&h->ctx);
	} else {
		hc_violate(&t->w, HV_ERRNO, h);
		pfc_put(&h->ctx);
	}
}

static void ht_remove(struct ht *t, struct inode *inode, u32 r)
{
	const void *owner = ht_owner(r);
	const void *instance = (r & 16) ? &hc_inst[(r >> 5) & 3] : NULL;
	struct pfc_context *ctx;
	struct file *other;
	struct hc *h;

	ctx = pfc_remove(inode, owner, instance);
	if (!ctx)
		return;
	atomic_long_inc(&t->st.removed);
	h = container_of(ctx, struct hc, ctx);
	hc_check_found(&t->w, ctx, inode, owner, instance);
	/* Move non-sticky contexts to another inode now and then. */
	if (!h->home && (r & 128)) {
		other = ht_get(t, r >> 8);
		if (other) {
			if (!pfc_insert(file_inode(other), ctx)) {
				atomic_long_inc(&t->st.reinserted);
				ctx = NULL;
			}
			fput(other);
		}
	}
	if (ctx)
		pfc_put(ctx);
}

static int ht_worker(void *arg)
{
	struct ht *t = arg;
	unsigned long iter = 0;
	struct inode *inode;
	struct file *f;
	u32 r, op;

	while (!ht_done(t, iter++)) {
		r = get_random_u32();
		f = ht_get(t, r);
		r >>= 2;
		if (!f)
			continue;
		inode = file_inode(f);
		op = r % 100;
		r /= 100;
		if (op < 20) {
			ht_insert(t, inode, r, false);
		} else if (op < 30) {
			ht_insert(t, inode, r, true);
		} else if (op < 60) {
			ht_lookup(t, inode, r);
		} else if (op < 80) {
			ht_lookup_get(t, inode, r);
		} else if (op < 98) {
			ht_remove(t, inode, r);
		} else {
			pfc_teardown(inode);
			atomic_long_inc(&t->st.teardowns);
		}
		fput(f);
		atomic_long_inc(&t->st.ops);
		if (!(iter % 32))
			cond_resched();
	}
	atomic_dec(&t->running);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

/* A new file for a slot: no contexts yet, then two sticky ones. */
static struct file *ht_new_file(struct ht *t)
{
	struct file *f = shmem_file_setup("pfc-hardening", 0, 0);
	struct inode *inode;
	unsigned int i;
	struct hc *h;

	if (IS_ERR(f))
		return NULL;
	inode = file_inode(f);
	if (hc_has_contexts(inode) || pfc_lookup_get(inode, NULL, NULL))
		hc_violate(&t->w, HV_FRESH, NULL);
	for (i = 0; i < HT_HISTORY && i < t->nhistory; i++)
		if (t->history[i] == inode) {
			atomic_long_inc(&t->st.recycled);
			break;
		}
	for (i = 0; i < 2; i++) {
		h = hc_new(&t->w, hc_owner_sticky, NULL);
		if (!h)
			break;
		h->home = inode;
		if (hc_insert(inode, h, false, NULL))
			pfc_put(&h->ctx);
	}
	return f;
}

static int ht_evictor(void *arg)
{
	struct ht *t = arg;
	unsigned long iter = 0;
	struct file *f, *old;
	struct ht_slot *s;

	while (!ht_done(t, iter++)) {
		f = ht_new_file(t);
		if (!f)
			break;
		s = &t->slot[get_random_u32_below(HT_SLOTS)];
		spin_lock(&s->lock);
		old = s->file;
		s->file = f;
		spin_unlock(&s->lock);
		t->history[t->nhistory++ % HT_HISTORY] = file_inode(old);
		/* Evicted here, or by the worker that drops the last ref. */
		hc_fput_sync(old);
		atomic_long_inc(&t->st.evictions);
		usleep_range(200, 1000);
	}
	atomic_dec(&t->running);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

#define HT_SWEEP_N	4

static int ht_sweeper(void *arg)
{
	struct ht *t = arg;
	struct hc *h[HT_SWEEP_N];
	unsigned long iter = 0;
	struct file *f;
	int i;

	while (!ht_done(t, iter++)) {
		for (i = 0; i < HT_SWEEP_N; i++) {
			h[i] = NULL;
			f = ht_get(t, get_random_u32());
			if (!f)
				continue;
			h[i] = hc_new(&t->w, hc_owner_sweep, &hc_inst[i]);
			if (h[i] && hc_insert(file_inode(f), h[i], false, NULL)) {
				pfc_put(&h[i]->ctx);
				h[i] = NULL;
			}
			fput(f);
		}
		usleep_range(100, 2000);
		pfc_remove_owner(hc_owner_sweep);
		atomic_long_inc(&t->st.sweeps);
		for (i = 0; i < HT_SWEEP_N; i++) {
			if (!h[i] || atomic_read(&h[i]->callbacks))
				continue;
			/* Someone else's reference: pfc cannot wait for it. */
			if (atomic_read(&h[i]->foreign))
				atomic_long_inc(&t->st.sweep_foreign);
			else
				hc_violate(&t->w, HV_SWEEP, h[i]);
		}
		for (i = 0; i < HT_SLOTS; i++) {
			f = ht_get(t, i);
			if (!f)
				continue;
			rcu_read_lock();
			if (pfc_lookup(file_inode(f), hc_owner_sweep, NULL))
				hc_violate(&t->w, HV_SWEEP, NULL);
			rcu_read_unlock();
			fput(f);
		}
	}
	atomic_dec(&t->running);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static void pfc_torture_all_calls(struct kunit *test)
{
	struct task_struct **tasks;
	unsigned int ntasks = 2 * num_possible_cpus() + 2;
	unsigned int n = 0, i;
	struct inode *inode;
	struct task_struct *k;
	unsigned long start;
	struct ht *t;
	int cpu;

	tasks = kunit_kcalloc(test, ntasks, sizeof(*tasks), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tasks);
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	hc_world_init(&t->w);
	for (i = 0; i < HT_SLOTS; i++) {
		spin_lock_init(&t->slot[i].lock);
		t->slot[i].file = ht_new_file(t);
		KUNIT_ASSERT_NOT_NULL(test, t->slot[i].file);
	}
	start = jiffies;
	t->deadline = start + HT_SECS * HZ;

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		for (i = 0; i < 2 && n < ntasks - 2; i++) {
			k = kthread_create(ht_worker, t, "pfc-ht/%d:%u", cpu, i);
			if (IS_ERR(k))
				continue;
			kthread_bind(k, cpu);
			tasks[n++] = k;
		}
	}
	cpus_read_unlock();
	k = kthread_create(ht_evictor, t, "pfc-ht-evict");
	if (!IS_ERR(k))
		tasks[n++] = k;
	k = kthread_create(ht_sweeper, t, "pfc-ht-sweep");
	if (!IS_ERR(k))
		tasks[n++] = k;
	atomic_set(&t->running, n);
	for (i = 0; i < n; i++) {
		get_task_struct(tasks[i]);
		wake_up_process(tasks[i]);
	}
	while (atomic_read(&t->running) &&
	       time_before(jiffies, t->deadline + 30 * HZ))
		msleep(20);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&t->running), 0,
			    "threads did not stop in time");
	for (i = 0; i < n; i++) {
		kthread_stop(tasks[i]);
		put_task_struct(tasks[i]);
	}

	/* Evict every inode: all contexts must go, with their callbacks. */
	for (i = 0; i < HT_SLOTS; i++) {
		inode = file_inode(t->slot[i].file);
		hc_fput_sync(t->slot[i].file);
		KUNIT_EXPECT_FALSE_MSG(test, hc_has_contexts(inode),
				       "contexts outlived their inode");
	}
	hc_world_end(test, &t->w);
	kunit_info(test,
		   "%u threads, %u ms: ops %ld found %ld inserted %ld removed %ld reinserted %ld teardowns %ld evictions %ld recycled-inodes %ld sweeps %ld sweep-foreign %ld enomem %ld\n",
		   n, jiffies_to_msecs(jiffies - start),
		   atomic_long_read(&t->st.ops), atomic_long_read(&t->st.found),
		   atomic_long_read(&t->st.inserted),
		   atomic_long_read(&t->st.removed),
		   atomic_long_read(&t->st.reinserted),
		   atomic_long_read(&t->st.teardowns),
		   atomic_long_read(&t->st.evictions),
		   atomic_long_read(&t->st.recycled),
		   atomic_long_read(&t->st.sweeps),
		   atomic_long_read(&t->st.sweep_foreign),
		   atomic_long_read(&t->st.enomem));
	kfree(t);
}

/*
 * Races whose window is a few instructions wide in pfc's lockless readers
 * are made reproducible by freezing the reader's CPU in an interrupt
 * (an IPI whose handler spins) at whatever point it has reached, doing
 * the write from another CPU, and thawing it.  A correct pfc either makes
 * the reader safe wherever it stopped, or waits for it (a grace period,
 * which the frozen CPU holds up until the handler gives up).
 */
#define HC_FREEZE_US	3000

struct hc_freeze {
	atomic_t frozen, release, done;
};

static void hc_freeze_fn(void *arg)
{
	struct hc_freeze *fz = arg;
	unsigned int us;

	atomic_set(&fz->frozen, 1);
	for (us = 0; us < HC_FREEZE_US && !atomic_read(&fz->release); us++)
		udelay(1);
	atomic_set(&fz->done, 1);
}

/* Stop @cpu where it is; false if the IPI could not be sent. */
static bool hc_freeze(struct hc_freeze *fz, int cpu)
{
	unsigned int us;

	atomic_set(&fz->frozen, 0);
	atomic_set(&fz->release, 0);
	atomic_set(&fz->done, 0);
	if (smp_call_function_single(cpu, hc_freeze_fn, fz, 0))
		return false;
	for (us = 0; us < HC_FREEZE_US && !atomic_read(&fz->frozen); us++)
		udelay(1);
	return true;
}

static void hc_thaw(struct hc_freeze *fz)
{
	atomic_set(&fz->release, 1);
	while (!atomic_read(&fz->done))
		cpu_relax();
}

/* One reader kthread on one CPU, one writer kthread on another. */
struct hc_pair {
	struct hc_world *w;
	struct hc_freeze fz;
	struct inode *inode[2];
	unsigned long deadline;
	int reader_cpu;
	atomic_t stop;
	unsigned long cycles, reads;
};

/* Contexts that pfc_torture_reinsert() moves back and forth. */
#define HC_MOVABLE	32

static bool hc_pair_done(struct hc_pair *p)
{
	return kthread_should_stop() || atomic_read(&p->stop) ||
	       time_after(jiffies, p->deadline);
}

static int hc_pair_park(struct hc_pair *p)
{
	atomic_set(&p->stop, 1);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

/* Run @reader and @writer on two CPUs until the deadline. */
static void hc_pair_run(struct kunit *test, struct hc_pair *p,
			int (*reader)(void *), int (*writer)(void *))
{
	struct task_struct *r, *wr;
	int wcpu;

	p->reader_cpu = cpumask_first(cpu_online_mask);
	wcpu = cpumask_any_but(cpu_online_mask, p->reader_cpu);
	if (wcpu >= nr_cpu_ids)
		kunit_skip(test, "needs two online CPUs");
	r = kthread_create(reader, p, "pfc-hc-read");
	KUNIT_ASSERT_FALSE(test, IS_ERR(r));
	wr = kthread_create(writer, p, "pfc-hc-write");
	if (IS_ERR(wr))
		kthread_stop(r);
	KUNIT_ASSERT_FALSE(test, IS_ERR(wr));
	kthread_bind(r, p->reader_cpu);
	kthread_bind(wr, wcpu);
	get_task_struct(r);
	get_task_struct(wr);
	wake_up_process(r);
	wake_up_process(wr);
	while (!atomic_read(&p->stop) && time_before(jiffies, p->deadline))
		msleep(20);
	kthread_stop(wr);
	kthread_stop(r);
	put_task_struct(wr);
	put_task_struct(r);
}

/*
 * pfc_lookup_get() against the final pfc_put(): the reader takes
 * references on the one context of an inode; the writer freezes it, then
 * removes and puts that context.  A reader stopped between finding the
 * context and taking its reference must not get one: a reference taken on
 * a context whose count reached zero shows as a saturated refcount
 * (refcount_t's "addition on 0") or as a callback while it is held.
 */
#define HG_SECS		3

static int hg_reader(void *arg)
{
	struct hc_pair *p = arg;
	struct pfc_context *ctx;
	struct hc *h;

	while (!hc_pair_done(p)) {
		ctx = pfc_lookup_get(p->inode[0], hc_owner_a, &hc_inst[0]);
		if (ctx) {
			h = container_of(ctx, struct hc, ctx);
			atomic_inc(&h->holders);
			if ((int)refcount_read(&ctx->ref) <= 0)
				hc_violate(p->w, HV_HELD, h);
			hc_check_found(p->w, ctx, p->inode[0], hc_owner_a,
				       &hc_inst[0]);
			atomic_dec(&h->holders);
			pfc_put(ctx);
		}
		if (!(++p->reads % 256))
			cond_resched();
	}
	return hc_pair_park(p);
}

static int hg_writer(void *arg)
{
	struct hc_pair *p = arg;
	struct pfc_context *ctx;
	struct hc *h;
	bool sent;

	while (!hc_pair_done(p)) {
		h = hc_new(p->w, hc_owner_a, &hc_inst[0]);
		if (!h)
			break;
		if (hc_insert(p->inode[0], h, false, NULL)) {
			pfc_put(&h->ctx);
			break;
		}
		/* Let the reader find it, then stop the reader anywhere. */
		udelay(get_random_u32_below(50));
		sent = hc_freeze(&p->fz, p->reader_cpu);
		ctx = pfc_remove(p->inode[0], hc_owner_a, &hc_inst[0]);
		if (ctx != &h->ctx)
			hc_violate(p->w, HV_MATCH, h);
		if (ctx)
			pfc_put(ctx);
		if (sent)
			hc_thaw(&p->fz);
		if (!(++p->cycles % 64))
			cond_resched();
	}
	return hc_pair_park(p);
}

static void pfc_torture_get_vs_put(struct kunit *test)
{
	struct hc_pair *p;
	struct file *f;

	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	p->w = kunit_kzalloc(test, sizeof(*p->w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p->w);
	hc_world_init(p->w);
	f = shmem_file_setup("pfc-hardening", 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f));
	p->inode[0] = file_inode(f);
	p->deadline = jiffies + HG_SECS * HZ;
	hc_pair_run(test, p, hg_reader, hg_writer);
	hc_fput_sync(f);
	hc_world_end(test, p->w);
	kunit_info(test, "%lu frozen remove/put cycles, %lu lookups\n",
		   p->cycles, p->reads);
	KUNIT_EXPECT_GT(test, p->cycles, 0UL);
}

/*
 * Re-insertion against readers: the writer freezes the reader, moves every
 * movable context from one inode to the other (remove them all, insert
 * them all), and thaws it.  The reader walks either list for the sticky
 * context at its tail, past the movable ones.  If a context joined the
 * other list while the reader was stopped on it, the reader follows it
 * there and returns the other inode's sticky context; pfc_insert() must
 * wait for such readers first.
 */
#define HM_SECS		3

static int hmv_reader(void *arg)
{
	struct hc_pair *p = arg;
	struct pfc_context *ctx;
	struct inode *inode;

	while (!hc_pair_done(p)) {
		inode = p->inode[p->reads++ & 1];
		rcu_read_lock();
		ctx = pfc_lookup(inode, hc_owner_sticky, NULL);
		if (ctx)
			hc_check_found(p->w, ctx, inode, hc_owner_sticky, NULL);
		else
			hc_violate(p->w, HV_MATCH, NULL);
		rcu_read_unlock();
		if (!(p->reads % 256))
			cond_resched();
	}
	return hc_pair_park(p);
}

static int hmv_writer(void *arg)
{
	struct pfc_context *moved[HC_MOVABLE];
	struct hc_pair *p = arg;
	unsigned int n, i;
	int from = 0;
	bool sent;

	while (!hc_pair_done(p)) {
		udelay(get_random_u32_below(50));
		sent = hc_freeze(&p->fz, p->reader_cpu);
		for (n = 0; n < HC_MOVABLE; n++) {
			moved[n] = pfc_remove(p->inode[from], hc_owner_a, NULL);
			if (!moved[n])
				break;
		}
		if (n != HC_MOVABLE)
			hc_violate(p->w, HV_MATCH, NULL);
		from ^= 1;
		for (i = 0; i < n; i++) {
			if (pfc_insert(p->inode[from], moved[i])) {
				hc_violate(p->w, HV_ERRNO, NULL);
				pfc_put(moved[i]);
			}
		}
		if (sent)
			hc_thaw(&p->fz);
		if (!(++p->cycles % 16))
			cond_resched();
	}
	return hc_pair_park(p);
}

static void pfc_torture_reinsert(struct kunit *test)
{
	struct file *f[2];
	struct hc_pair *p;
	unsigned int i;
	struct hc *h;

	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	p->w = kunit_kzalloc(test, sizeof(*p->w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p->w);
	hc_world_init(p->w);
	for (i = 0; i < 2; i++) {
		f[i] = shmem_file_setup("pfc-hardening", 0, 0);
		KUNIT_ASSERT_FALSE(test, IS_ERR(f[i]));
		p->inode[i] = file_inode(f[i]);
		h = hc_new(p->w, hc_owner_sticky, NULL);
		KUNIT_ASSERT_NOT_NULL(test, h);
		h->home = p->inode[i];
		KUNIT_ASSERT_EQ(test, hc_insert(p->inode[i], h, false, NULL), 0);
	}
	/* The movable ones, all on the first inode, ahead of its sticky. */
	for (i = 0; i < HC_MOVABLE; i++) {
		h = hc_new(p->w, hc_owner_a, NULL);
		KUNIT_ASSERT_NOT_NULL(test, h);
		KUNIT_ASSERT_EQ(test, hc_insert(p->inode[0], h, false, NULL), 0);
	}
	p->deadline = jiffies + HM_SECS * HZ;
	hc_pair_run(test, p, hmv_reader, hmv_writer);
	hc_fput_sync(f[0]);
	hc_fput_sync(f[1]);
	hc_world_end(test, p->w);
	kunit_info(test, "%lu frozen moves of %u contexts, %lu walks\n",
		   p->cycles, HC_MOVABLE, p->reads);
	KUNIT_EXPECT_GT(test, p->cycles, 0UL);
}

static struct kunit_case pfc_hardening_torture_cases[] = {
	KUNIT_CASE_SLOW(pfc_torture_all_calls),
	KUNIT_CASE_SLOW(pfc_torture_get_vs_put),
	KUNIT_CASE_SLOW(pfc_torture_reinsert),
	{}
};

static struct kunit_suite pfc_hardening_torture_suite = {
	.name = "pfc_hardening_torture",
	.init = hc_skip_churn,
	.test_cases = pfc_hardening_torture_cases,
};

/*
 * pfc_remove_owner() against eviction: the eviction of an inode with many
 * contexts unhashes its entry first and then drops the contexts one by one.
 * A pfc_remove_owner() that runs in between must still not return before
 * the free callback of its context, the oldest on the list, has run.
 */
#define HR_FILL		2000
#define HR_ROUNDS	3

struct hr {
	struct hc_world *w;
	struct inode *inode;
	struct hc *victim;
	struct completion ready;
	bool in_window;
	bool late;
};

static int hr_sweeper(void *arg)
{
	struct hr *r = arg;
	unsigned long until = jiffies + 10 * HZ;
	bool hashed = true;

	complete(&r->ready);
	/* The inode pointer is only a key here: never dereferenced. */
	while (hashed && time_before(jiffies, until)) {
		rcu_read_lock();
		hashed = pfc_lookup(r->inode, hc_owner_fill, NULL);
		rcu_read_unlock();
		cpu_relax();
	}
	r->in_window = !atomic_read(&r->victim->callbacks);
	pfc_remove_owner(hc_owner_sweep);
	r->late = !atomic_read(&r->victim->callbacks);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static void pfc_remove_owner_vs_eviction(struct kunit *test)
{
	unsigned int round, i, windows = 0, late = 0;
	struct task_struct *k;
	struct hc_world *w;
	struct file *f;
	struct hr r;
	struct hc *h;
	int cpu;

	w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	hc_world_init(w);
	for (round = 0; round < HR_ROUNDS; round++) {
		f = shmem_file_setup("pfc-hardening", 0, 0);
		KUNIT_ASSERT_FALSE(test, IS_ERR(f));
		memset(&r, 0, sizeof(r));
		r.w = w;
		r.inode = file_inode(f);
		init_completion(&r.ready);
		r.victim = hc_new(w, hc_owner_sweep, NULL);
		KUNIT_ASSERT_NOT_NULL(test, r.victim);
		KUNIT_ASSERT_EQ(test, hc_insert(r.inode, r.victim, false, NULL), 0);
		for (i = 0; i < HR_FILL; i++) {
			h = hc_new(w, hc_owner_fill, NULL);
			KUNIT_ASSERT_NOT_NULL(test, h);
			KUNIT_ASSERT_EQ(test, hc_insert(r.inode, h, false, NULL), 0);
		}
		k = kthread_create(hr_sweeper, &r, "pfc-hr-sweep");
		KUNIT_ASSERT_FALSE(test, IS_ERR(k));
		cpu = cpumask_any_but(cpu_online_mask, raw_smp_processor_id());
		if (cpu < nr_cpu_ids)
			kthread_bind(k, cpu);
		get_task_struct(k);
		wake_up_process(k);
		wait_for_completion(&r.ready);
		hc_fput_sync(f);
		kthread_stop(k);
		put_task_struct(k);
		windows += r.in_window;
		late += r.late;
	}
	hc_world_end(test, w);
	kunit_info(test, "%u rounds, remove_owner inside the eviction window %u times\n",
		   HR_ROUNDS, windows);
	KUNIT_EXPECT_EQ_MSG(test, late, 0,
			    "pfc_remove_owner() returned before the callback of a context that eviction was dropping");
}

static struct kunit_case pfc_hardening_remove_owner_cases[] = {
	KUNIT_CASE_SLOW(pfc_remove_owner_vs_eviction),
	{}
};

static struct kunit_suite pfc_hardening_remove_owner_suite = {
	.name = "pfc_hardening_remove_owner",
	.init = hc_skip_churn,
	.test_cases = pfc_hardening_remove_owner_cases,
};

/* ------------------------------------------------------------------------
 * Allocation failure
 */

struct hf_param {
	const char *name;
	bool unique;
	bool fresh_sb;	/* a new tmpfs: the sb's fsnotify info is allocated too */
};

static const struct hf_param hf_params[] = {
	{ "insert, shm_mnt", false, false },
	{ "insert_unique, shm_mnt", true, false },
	{ "insert, new tmpfs", false, true },
	{ "insert_unique, new tmpfs", true, true },
};

static void hf_desc(const struct hf_param *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(hf, hf_params, hf_desc);

static void pfc_failslab_first_insert(struct kunit *test)
{
	const struct hf_param *p = test->param_value;
	unsigned int n, failures = 0, absorbed = 0, tries = 0;
	bool again = false;
	struct pfc_context *ctx, *existing;
	struct file_system_type *type;
	struct vfsmount *mnt = NULL;
	struct hc *h, *dup;
	struct inode *inode;
	bool done = false;
	struct hc_world *w;
	unsigned int left;
	struct file *f;
	int err;

	if (!IS_ENABLED(CONFIG_FAULT_INJECTION) || !IS_ENABLED(CONFIG_FAILSLAB))
		kunit_skip(test, "needs CONFIG_FAULT_INJECTION and CONFIG_FAILSLAB");

	w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	hc_world_init(w);
	if (p->fresh_sb) {
		type = get_fs_type("tmpfs");
		KUNIT_ASSERT_NOT_NULL(test, type);
		mnt = kern_mount(type);
		KUNIT_ASSERT_FALSE(test, IS_ERR(mnt));
	}

	for (n = 1; n < 1000 && !done; n++) {
		if (p->fresh_sb && n > 1) {
			/* A new superblock each time, without its fsnotify info. */
			kern_unmount(mnt);
			mnt = kern_mount(get_fs_type("tmpfs"));
			KUNIT_ASSERT_FALSE(test, IS_ERR(mnt));
		}
		f = mnt ? shmem_file_setup_with_mnt(mnt, "pfc-hf", 0, 0) :
			  shmem_file_setup("pfc-hf", 0, 0);
		KUNIT_ASSERT_FALSE(test, IS_ERR(f));
		inode = file_inode(f);
		h = hc_new(w, hc_owner_a, &hc_inst[0]);
		KUNIT_ASSERT_NOT_NULL(test, h);

		atomic_set(&h->armed, 1);
		WRITE_ONCE(current->fail_nth, n);
		if (p->unique) {
			ctx = pfc_insert_unique(inode, &h->ctx);
			err = PTR_ERR_OR_ZERO(ctx);
			if (!IS_ERR_OR_NULL(ctx))
				err = -EEXIST;
		} else {
			err = pfc_insert(inode, &h->ctx);
		}
		left = READ_ONCE(current->fail_nth);
		WRITE_ONCE(current->fail_nth, 0);

		if (left && n == 1) {
			/* Not even the pfc_entry allocation was a candidate. */
			KUNIT_EXPECT_EQ(test, err, 0);
			hc_fput_sync(f);
			if (mnt)
				kern_unmount(mnt);
			hc_world_end(test, w);
			kunit_skip(test, "failslab/ignore-gfp-wait is Y: see the top of the file");
		}
		if (left) {
			/* Fewer than n allocations: nothing failed. */
			KUNIT_EXPECT_EQ(test, err, 0);
			done = true;
		} else if (err) {
			failures++;
			atomic_set(&h->armed, 0);
			KUNIT_EXPECT_EQ_MSG(test, err, -ENOMEM,
					    "allocation %u failed", n);
			/* Nothing attached, nothing left behind. */
			KUNIT_EXPECT_FALSE(test, hc_has_contexts(inode));
			existing = pfc_lookup_get(inode, NULL, NULL);
			KUNIT_EXPECT_NULL(test, existing);
			if (existing)
				pfc_put(existing);
			/* The context is still the caller's: a retry works. */
			atomic_set(&h->armed, 1);
			err = p->unique ?
			      PTR_ERR_OR_ZERO(pfc_insert_unique(inode, &h->ctx)) :
			      pfc_insert(inode, &h->ctx);
			KUNIT_EXPECT_EQ_MSG(test, err, 0,
					    "retry after failing allocation %u", n);
			if (err)
				atomic_set(&h->armed, 0);
		} else if (++tries < 3) {
			/*
			 * The failure was absorbed (a fallback somewhere).  The
			 * kernel sometimes allocates in between on its own
			 * (debug object pools, a table resize), which shifts
			 * pfc's allocations past this n: try the same n again
			 * before counting it, so that such a run does not hide
			 * one of pfc's failure paths.
			 */
			again = true;
		} else {
			absorbed++;
		}
		if (atomic_read(&h->armed)) {
			KUNIT_EXPECT_PTR_EQ(test, hc_lookup(inode, NULL, NULL),
					    &h->ctx);
			if (p->unique) {
				/* Attached for real: the same key finds it. */
				dup = hc_new(w, hc_owner_a, &hc_inst[0]);
				KUNIT_ASSERT_NOT_NULL(test, dup);
				ctx = pfc_insert_unique(inode, &dup->ctx);
				KUNIT_EXPECT_PTR_EQ(test, ctx, &h->ctx);
				if (!IS_ERR_OR_NULL(ctx))
					pfc_put(ctx);
				pfc_put(&dup->ctx);
			}
		} else {
			pfc_put(&h->ctx);
		}
		hc_fput_sync(f);
		KUNIT_EXPECT_FALSE(test, hc_has_contexts(inode));
		if (again) {
			again = false;
			n--;
		} else {
			tries = 0;
		}
	}
	if (mnt)
		kern_unmount(mnt);
	hc_world_end(test, w);
	kunit_info(test, "%u allocation points: %u failed cleanly, %u absorbed\n",
		   n - 2, failures, absorbed);
	KUNIT_EXPECT_TRUE_MSG(test, done, "insert never ran without failing");
	KUNIT_EXPECT_GE(test, failures, p->fresh_sb ? 3U : 1U);
}

static struct kunit_case pfc_hardening_failslab_cases[] = {
	KUNIT_CASE_PARAM(pfc_failslab_first_insert, hf_gen_params),
	{}
};

static struct kunit_suite pfc_hardening_failslab_suite = {
	.name = "pfc_hardening_failslab",
	.init = hc_skip_churn,
	.test_cases = pfc_hardening_failslab_cases,
};

/* ------------------------------------------------------------------------
 * Misuse
 */

/* An inode with three contexts, in a known order, to see that it stays. */
struct hm_env {
	struct hc_world w;
	struct file *file, *other;
	struct inode *inode, *other_inode;
	struct hc *c1, *c2, *c3;	/* (a,0), (b,0), (a,1): c3 newest */
	struct hc *spare;		/* (a,2), not inserted */
};

/* Whatever the bad call did, the inode's list is still c3, c2, c1. */
static void hm_expect_unchanged(struct kunit *test, struct hm_env *e)
{
	struct inode *i = e->inode;

	KUNIT_EXPECT_PTR_EQ(test, hc_lookup(i, NULL, NULL), &e->c3->ctx);
	KUNIT_EXPECT_PTR_EQ(test, hc_lookup(i, hc_owner_a, NULL), &e->c3->ctx);
	KUNIT_EXPECT_PTR_EQ(test, hc_lookup(i, hc_owner_b, NULL), &e->c2->ctx);
	KUNIT_EXPECT_PTR_EQ(test, hc_lookup(i, hc_owner_a, &hc_inst[0]),
			    &e->c1->ctx);
	KUNIT_EXPECT_PTR_EQ(test, hc_lookup(i, hc_owner_a, &hc_inst[1]),
			    &e->c3->ctx);
	KUNIT_EXPECT_NULL(test, hc_lookup(i, hc_owner_a, &hc_inst[2]));
	KUNIT_EXPECT_NULL(test, hc_lookup(i, hc_owner_b, &hc_inst[1]));
	KUNIT_EXPECT_FALSE(test, hc_has_contexts(e->other_inode));
}

/* The cases.  Each gets the environment and checks its call's result. */
static void hm_insert_null_inode(struct kunit *test, struct hm_env *e)
{
	KUNIT_EXPECT_EQ(test, pfc_insert(NULL, &e->spare->ctx), -EINVAL);
	KUNIT_EXPECT_PTR_EQ(test, pfc_insert_unique(NULL, &e->spare->ctx),
			    ERR_PTR(-EINVAL));
}

static void hm_insert_null_ctx(struct kunit *test, struct hm_env *e)
{
	KUNIT_EXPECT_EQ(test, pfc_insert(e->inode, NULL), -EINVAL);
	KUNIT_EXPECT_PTR_EQ(test, pfc_insert_unique(e->inode, NULL),
			    ERR_PTR(-EINVAL));
}

static void hm_insert_null_owner(struct kunit *test, struct hm_env *e)
{
	pfc_init_context(&e->spare->ctx, NULL, &hc_inst[2], hc_free);
	KUNIT_EXPECT_EQ(test, pfc_insert(e->inode, &e->spare->ctx), -EINVAL);
	KUNIT_EXPECT_PTR_EQ(test, pfc_insert_unique(e->inode, &e->spare->ctx),
			    ERR_PTR(-EINVAL));
}

static void hm_insert_null_free(struct kunit *test, struct hm_env *e)
{
	pfc_init_context(&e->spare->ctx, hc_owner_a, &hc_inst[2], NULL);
	KUNIT_EXPECT_EQ(test, pfc_insert(e->inode, &e->spare->ctx), -EINVAL);
	KUNIT_EXPECT_PTR_EQ(test, pfc_insert_unique(e->inode, &e->spare->ctx),
			    ERR_PTR(-EINVAL));
}

static void hm_insert_twice_same(struct kunit *test, struct hm_env *e)
{
	KUNIT_EXPECT_EQ(test, pfc_insert(e->inode, &e->c2->ctx), -EINVAL);
	KUNIT_EXPECT_PTR_EQ(test, pfc_insert_unique(e->inode, &e->c1->ctx),
			    ERR_PTR(-EINVAL));
}

static void hm_insert_twice_other(struct kunit *test, struct hm_env *e)
{
	KUNIT_EXPECT_EQ(test, pfc_insert(e->other_inode, &e->c2->ctx), -EINVAL);
	KUNIT_EXPECT_PTR_EQ(test,
			    pfc_insert_unique(e->other_inode, &e->c1->ctx),
			    ERR_PTR(-EINVAL));
}

static void hm_insert_anon(struct kunit *test, struct hm_env *e)
{
	static const struct file_operations fops = { .owner = THIS_MODULE };
	struct file *anon;

	anon = anon_inode_getfile("pfc-hardening", &fops, NULL, O_RDONLY);
	KUNIT_ASSERT_FALSE(test, IS_ERR(anon));
	KUNIT_EXPECT_FALSE(test, pfc_supported(file_inode(anon)));
	KUNIT_EXPECT_NULL(test, pfc_file_inode(anon));
	KUNIT_EXPECT_EQ(test, pfc_insert(file_inode(anon), &e->spare->ctx),
			-EOPNOTSUPP);
	KUNIT_EXPECT_PTR_EQ(test,
			    pfc_insert_unique(file_inode(anon), &e->spare->ctx),
			    ERR_PTR(-EOPNOTSUPP));
	KUNIT_EXPECT_FALSE(test, hc_has_contexts(file_inode(anon)));
	hc_fput_sync(anon);
	/* A failed insert leaves the context usable. */
	atomic_set(&e->spare->armed, 1);
	KUNIT_EXPECT_EQ(test, pfc_insert(e->other_inode, &e->spare->ctx), 0);
	KUNIT_EXPECT_PTR_EQ(test, pfc_remove(e->other_inode, NULL, NULL),
			    &e->spare->ctx);
	pfc_put(&e->spare->ctx);
	e->spare = NULL;
}

static void hm_instance_no_owner(struct kunit *test, struct hm_env *e)
{
	struct pfc_context *ctx;

	KUNIT_EXPECT_NULL(test, hc_lookup(e->inode, NULL, &hc_inst[0]));
	ctx = pfc_lookup_get(e->inode, NULL, &hc_inst[0]);
	KUNIT_EXPECT_NULL(test, ctx);
	if (ctx)
		pfc_put(ctx);
	KUNIT_EXPECT_NULL(test, pfc_remove(e->inode, NULL, &hc_inst[0]));
}

static void hm_null_inode_calls(struct kunit *test, struct hm_env *e)
{
	struct pfc_context *ctx;

	KUNIT_EXPECT_NULL(test, hc_lookup(NULL, NULL, NULL));
	KUNIT_EXPECT_NULL(test, hc_lookup(NULL, hc_owner_a, NULL));
	ctx = pfc_lookup_get(NULL, hc_owner_a, NULL);
	KUNIT_EXPECT_NULL(test, ctx);
	if (ctx)
		pfc_put(ctx);
	KUNIT_EXPECT_NULL(test, pfc_remove(NULL, NULL, NULL));
	KUNIT_EXPECT_FALSE(test, pfc_supported(NULL));
	KUNIT_EXPECT_NULL(test, pfc_file_inode(NULL));
	KUNIT_EXPECT_NULL(test, pfc_mapping_inode(NULL));
}

static void hm_teardown_null(struct kunit *test, struct hm_env *e)
{
	pfc_teardown(NULL);
}

static void hm_remove_owner_null(struct kunit *test, struct hm_env *e)
{
	pfc_remove_owner(NULL);
	pfc_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&e->w.callbacks), 0);
}

static void hm_remove_owner_unknown(struct kunit *test, struct hm_env *e)
{
	pfc_remove_owner(hc_owner_sweep);
	KUNIT_EXPECT_EQ(test, atomic_read(&e->w.callbacks), 0);
}

static void hm_put_never_inserted(struct kunit *test, struct hm_env *e)
{
	/* Its own initial reference: returns it to its owner, no callback. */
	pfc_put(&e->spare->ctx);
	pfc_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&e->spare->callbacks), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&e->w.callbacks), 0);
	e->spare = NULL;
}

static void hm_insert_unique_existing(struct kunit *test, struct hm_env *e)
{
	struct pfc_context *ctx;

	/* Not misuse: the existing one comes back referenced, spare stays. */
	pfc_init_context(&e->spare->ctx, hc_owner_b, &hc_inst[0], hc_free);
	ctx = pfc_insert_unique(e->inode, &e->spare->ctx);
	KUNIT_EXPECT_PTR_EQ(test, ctx, &e->c2->ctx);
	if (!IS_ERR_OR_NULL(ctx))
		pfc_put(ctx);
}

struct hm_case {
	const char *name;
	void (*run)(struct kunit *test, struct hm_env *e);
};

static const struct hm_case hm_cases[] = {
	{ "insert NULL inode -> -EINVAL", hm_insert_null_inode },
	{ "insert NULL context -> -EINVAL", hm_insert_null_ctx },
	{ "insert NULL owner -> -EINVAL", hm_insert_null_owner },
	{ "insert NULL free callback -> -EINVAL", hm_insert_null_free },
	{ "insert twice, same inode -> -EINVAL", hm_insert_twice_same },
	{ "insert twice, other inode -> -EINVAL", hm_insert_twice_other },
	{ "insert on anon inode -> -EOPNOTSUPP", hm_insert_anon },
	{ "instance without owner -> NULL", hm_instance_no_owner },
	{ "NULL inode lookups and remove -> NULL", hm_null_inode_calls },
	{ "pfc_teardown(NULL) -> nothing", hm_teardown_null },
	{ "pfc_remove_owner(NULL) -> nothing", hm_remove_owner_null },
	{ "pfc_remove_owner(unknown) -> nothing", hm_remove_owner_unknown },
	{ "pfc_put of a never-inserted context -> no callback",
	  hm_put_never_inserted },
	{ "insert_unique of an existing key -> that one",
	  hm_insert_unique_existing },
};

static void hm_desc(const struct hm_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(hm, hm_cases, hm_desc);

static void pfc_misuse_bad_calls(struct kunit *test)
{
	const struct hm_case *c = test->param_value;
	struct hm_env *e;

	e = kunit_kzalloc(test, sizeof(*e), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, e);
	hc_world_init(&e->w);
	e->file = shmem_file_setup("pfc-hm", 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(e->file));
	e->other = shmem_file_setup("pfc-hm-other", 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(e->other));
	e->inode = file_inode(e->file);
	e->other_inode = file_inode(e->other);
	e->c1 = hc_new(&e->w, hc_owner_a, &hc_inst[0]);
	e->c2 = hc_new(&e->w, hc_owner_b, &hc_inst[0]);
	e->c3 = hc_new(&e->w, hc_owner_a, &hc_inst[1]);
	e->spare = hc_new(&e->w, hc_owner_a, &hc_inst[2]);
	KUNIT_ASSERT_TRUE(test, e->c1 && e->c2 && e->c3 && e->spare);
	KUNIT_ASSERT_EQ(test, hc_insert(e->inode, e->c1, false, NULL), 0);
	KUNIT_ASSERT_EQ(test, hc_insert(e->inode, e->c2, false, NULL), 0);
	KUNIT_ASSERT_EQ(test, hc_insert(e->inode, e->c3, false, NULL), 0);

	c->run(test, e);
	pfc_barrier();
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&e->c1->callbacks) +
			    atomic_read(&e->c2->callbacks) +
			    atomic_read(&e->c3->callbacks), 0,
			    "a bad call released an attached context");
	hm_expect_unchanged(test, e);

	/* The spare was never inserted: dropping it calls nothing. */
	if (e->spare)
		pfc_put(&e->spare->ctx);
	hc_fput_sync(e->file);
	hc_fput_sync(e->other);
	hc_world_end(test, &e->w);
}

static struct kunit_case pfc_hardening_misuse_cases[] = {
	KUNIT_CASE_PARAM(pfc_misuse_bad_calls, hm_gen_params),
	{}
};

static struct kunit_suite pfc_hardening_misuse_suite = {
	.name = "pfc_hardening_misuse",
	.init = hc_skip_churn,
	.test_cases = pfc_hardening_misuse_cases,
};

/* ------------------------------------------------------------------------
 * Churn: lookups while churn.sh loads and unloads pfc_hardening_consumer
 */

#define HCH_FILES	8

struct hch {
	struct inode *inode[HCH_FILES];
	unsigned long deadline;
	atomic_long_t lookups, found;
	atomic_t running;
};

static int hch_worker(void *arg)
{
	struct hch *c = arg;
	struct pfc_context *ctx;
	unsigned long n = 0;
	const char *owner;
	unsigned int i;

	while (!kthread_should_stop() && time_before(jiffies, c->deadline)) {
		i = n++ % HCH_FILES;
		rcu_read_lock();
		ctx = pfc_lookup(c->inode[i], NULL, NULL);
		if (ctx) {
			/* The owner lives in the consumer's module image. */
			owner = READ_ONCE(ctx->owner);
			if (owner[0] == '\0')
				pr_err("pfc_hardening: churn: empty owner\n");
			atomic_long_inc(&c->found);
		}
		rcu_read_unlock();
		/*
		 * No pfc_lookup_get() here: a reference held on another
		 * module's context keeps its callback pending past that
		 * module's pfc_remove_owner() (a documented limit, see
		 * pfc_remove_owner()), and the consumer's exit checks that
		 * none is.  This test held one for a few instructions, and
		 * failed one full run in five when the unload hit them.
		 */
		atomic_long_inc(&c->lookups);
		if (!(n % 16))
			cond_resched();
	}
	atomic_dec(&c->running);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static void pfc_churn_lookups(struct kunit *test)
{
	struct task_struct **tasks;
	struct path paths[HCH_FILES];
	unsigned int n = 0, i;
	struct task_struct *k;
	char name[256];
	struct hch *c;
	int cpu, err;

	if (!churn_dir)
		kunit_skip(test, "no churn_dir=: run by churn.sh only");
	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	tasks = kunit_kcalloc(test, num_possible_cpus(), sizeof(*tasks),
			      GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tasks);
	for (i = 0; i < HCH_FILES; i++) {
		snprintf(name, sizeof(name), "%s/f%u", churn_dir, i);
		err = kern_path(name, LOOKUP_FOLLOW, &paths[i]);
		KUNIT_ASSERT_EQ_MSG(test, err, 0, "%s", name);
		c->inode[i] = d_inode(paths[i].dentry);
	}
	c->deadline = jiffies + churn_secs * HZ;
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		k = kthread_create(hch_worker, c, "pfc-churn/%d", cpu);
		if (IS_ERR(k))
			continue;
		kthread_bind(k, cpu);
		get_task_struct(k);
		tasks[n++] = k;
	}
	cpus_read_unlock();
	atomic_set(&c->running, n);
	for (i = 0; i < n; i++)
		wake_up_process(tasks[i]);
	while (atomic_read(&c->running))
		msleep(20);
	for (i = 0; i < n; i++) {
		kthread_stop(tasks[i]);
		put_task_struct(tasks[i]);
	}
	for (i = 0; i < HCH_FILES; i++)
		path_put(&paths[i]);
	kunit_info(test, "%ld lookups, %ld found\n",
		   atomic_long_read(&c->lookups), atomic_long_read(&c->found));
	KUNIT_EXPECT_GT(test, atomic_long_read(&c->lookups), 0);
}

static struct kunit_case pfc_hardening_churn_cases[] = {
	KUNIT_CASE_SLOW(pfc_churn_lookups),
	{}
};

static struct kunit_suite pfc_hardening_churn_suite = {
	.name = "pfc_hardening_churn",
	.test_cases = pfc_hardening_churn_cases,
};

kunit_test_suites(&pfc_hardening_misuse_suite, &pfc_hardening_failslab_suite,
		  &pfc_hardening_torture_suite, &pfc_hardening_remove_owner_suite,
		  &pfc_hardening_churn_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit hardening suites for pfc: races, allocation failures, misuse");
