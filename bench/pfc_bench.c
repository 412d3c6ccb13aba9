// SPDX-License-Identifier: GPL-2.0
/*
 * pfc_bench - pfc against the designs a kernel developer would otherwise use
 *
 * Times, with the same inodes (shmem_file_setup() files) and the same loops:
 *
 *  pfc		pfc itself: rhashtable + RCU list, lock-free lookups;
 *  fsrtl	a per-inode context list under a mutex, found through a
 *		global mutex-protected hash (how FsRtl per-file contexts work
 *		once the FCB pointer has to be found from the inode);
 *  ima		an rbtree keyed on the inode pointer under a global rwlock
 *		(integrity_iint_cache before 6.9);
 *  fsnotify	fsnotify_find_mark() on the inode, contexts on the mark
 *		under the mark's spinlock (nfsd's file cache does this).
 *
 * Write a command to /sys/kernel/debug/pfc_bench/cmd; results are printed
 * to the kernel log as lines "PFCB key=value ...", one per measurement and
 * repetition (bench/run.sh takes medians):
 *
 *	run all|hit|ops|inodes|evict|objects|scale_insert|sweep|other_files
 *					the benchmarks (module parameters size them)
 *	mem_setup N			create N files and N unattached contexts
 *	mem_attach			attach one pfc context to each of them
 *	mem_free			drop the files (eviction frees the contexts)
 *	hook open|close PATH		watch PATH's file system with an open hook
 *					that does nothing, without or with a close
 *					callback (what a consumer's hook costs
 *					files that carry no per-open context)
 *	unhook				release that hook
 *
 * Between the mem_* commands user space reads /proc/slabinfo and
 * /proc/meminfo: the contexts are allocated at mem_setup, so the difference
 * is what pfc needs per inode beyond the context itself.
 *
 * Never load this outside a test VM: it allocates up to max_inodes files.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/cred.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fsnotify_backend.h>
#include <linux/hash.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/rbtree.h>
#include <linux/refcount.h>
#include <linux/rhashtable.h>
#include <linux/sched.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "pfc.h"
#include "stretch_probe.h"

static unsigned int iters = 200000;
module_param(iters, uint, 0644);
MODULE_PARM_DESC(iters, "operations per measurement (lookups: at least one pass)");
static unsigned int reps = 5;
module_param(reps, uint, 0644);
MODULE_PARM_DESC(reps, "repetitions of each measurement");
static unsigned int max_inodes = 100000;
module_param(max_inodes, uint, 0644);
MODULE_PARM_DESC(max_inodes, "largest inode count of the sweep (1, 10^3, 10^5, 10^6)");
static unsigned int evict_n = 2000;
module_param(evict_n, uint, 0644);
MODULE_PARM_DESC(evict_n, "inodes evicted per eviction measurement");
static unsigned int scale_ms = 1000;
module_param(scale_ms, uint, 0644);
MODULE_PARM_DESC(scale_ms, "duration of each read-side scaling measurement");
static char *pfc_label = "pfc";
module_param(pfc_label, charp, 0444);
MODULE_PARM_DESC(pfc_label, "impl name of pfc's rows (another build of pfc: pfc-nostats)");

enum bench_impl { IMPL_PFC, IMPL_FSRTL, IMPL_IMA, IMPL_FSN, IMPL_NR };

/* impl_name[IMPL_PFC] is pfc_label once loaded. */
static const char *impl_name[IMPL_NR] = {
	[IMPL_PFC] = "pfc",
	[IMPL_FSRTL] = "fsrtl",
	[IMPL_IMA] = "ima",
	[IMPL_FSN] = "fsnotify",
};

/* Keys: one owner, instances 0..15; a second owner for insert/remove. */
static const char bench_owner[] = "pfc_bench";
static const char bench_owner2[] = "pfc_bench2";
static const char bench_owner_sweep[] = "pfc_bench_sweep";
static const char bench_inst[16];

/* A context of the three baselines. */
struct bl_ctx {
	struct hlist_node node;
	const void *owner;
	const void *instance;
	refcount_t ref;
};

static atomic_long_t bench_pfc_freed = ATOMIC_LONG_INIT(0);

static void bench_pfc_free(struct pfc_context *ctx)
{
	atomic_long_inc(&bench_pfc_freed);
}

static void bench_pfc_kfree(struct pfc_context *ctx)
{
	kfree(ctx);
}

static bool bl_match_one(const struct bl_ctx *c, const void *owner,
			 const void *instance)
{
	if (!owner)
		return true;
	return c->owner == owner && (!instance || c->instance == instance);
}

static struct bl_ctx *bl_match(struct hlist_head *head, const void *owner,
			       const void *instance)
{
	struct bl_ctx *c;

	hlist_for_each_entry(c, head, node)
		if (bl_match_one(c, owner, instance))
			return c;
	return NULL;
}

static struct bl_ctx *bl_same_key(struct hlist_head *head,
				  const struct bl_ctx *ctx)
{
	struct bl_ctx *c;

	hlist_for_each_entry(c, head, node)
		if (c->owner == ctx->owner && c->instance == ctx->instance)
			return c;
	return NULL;
}

/* ---- FSRTL-style: global mutex hash -> per-inode mutex + list ---------- */

struct fsrtl_rec {
	struct hlist_node hash;
	struct inode *inode;
	struct mutex lock; /* protects ctxs */
	struct hlist_head ctxs;
};

static struct hlist_head *fsrtl_hash;
static unsigned int fsrtl_bits;
static DEFINE_MUTEX(fsrtl_hash_lock); /* protects fsrtl_hash */

static struct fsrtl_rec *fsrtl_find(struct inode *inode)
{
	struct fsrtl_rec *rec;

	lockdep_assert_held(&fsrtl_hash_lock);
	hlist_for_each_entry(rec, &fsrtl_hash[hash_ptr(inode, fsrtl_bits)], hash)
		if (rec->inode == inode)
			return rec;
	return NULL;
}

static struct fsrtl_rec *fsrtl_get_rec(struct inode *inode, bool create)
{
	struct fsrtl_rec *rec;

	mutex_lock(&fsrtl_hash_lock);
	rec = fsrtl_find(inode);
	if (!rec && create) {
		rec = kmalloc(sizeof(*rec), GFP_KERNEL);
		if (rec) {
			rec->inode = inode;
			mutex_init(&rec->lock);
			INIT_HLIST_HEAD(&rec->ctxs);
			hlist_add_head(&rec->hash,
				       &fsrtl_hash[hash_ptr(inode, fsrtl_bits)]);
		}
	}
	mutex_unlock(&fsrtl_hash_lock);
	return rec;
}

static struct bl_ctx *fsrtl_lookup(struct inode *inode, const void *owner,
				   const void *instance, bool get)
{
	struct fsrtl_rec *rec = fsrtl_get_rec(inode, false);
	struct bl_ctx *c = NULL;

	if (rec) {
		mutex_lock(&rec->lock);
		c = bl_match(&rec->ctxs, owner, instance);
		if (c && get)
			refcount_inc(&c->ref);
		mutex_unlock(&rec->lock);
	}
	return c;
}

static struct bl_ctx *fsrtl_insert(struct inode *inode, struct bl_ctx *ctx,
				   bool unique)
{
	struct fsrtl_rec *rec = fsrtl_get_rec(inode, true);
	struct bl_ctx *old = NULL;

	if (!rec)
		return ERR_PTR(-ENOMEM);
	mutex_lock(&rec->lock);
	old = unique ? bl_same_key(&rec->ctxs, ctx) : NULL;
	if (old)
		refcount_inc(&old->ref);
	else
		hlist_add_head(&ctx->node, &rec->ctxs);
	mutex_unlock(&rec->lock);
	return old;
}

static struct bl_ctx *fsrtl_remove(struct inode *inode, const void *owner,
				   const void *instance)
{
	struct fsrtl_rec *rec = fsrtl_get_rec(inode, false);
	struct bl_ctx *c = NULL;

	if (rec) {
		mutex_lock(&rec->lock);
		c = bl_match(&rec->ctxs, owner, instance);
		if (c)
			hlist_del_init(&c->node);
		mutex_unlock(&rec->lock);
	}
	return c;
}

static void fsrtl_clear(void)
{
	struct hlist_node *tmp;
	struct fsrtl_rec *rec;
	unsigned int i;

	if (!fsrtl_hash)
		return;
	mutex_lock(&fsrtl_hash_lock);
	for (i = 0; i < (1U << fsrtl_bits); i++) {
		hlist_for_each_entry_safe(rec, tmp, &fsrtl_hash[i], hash) {
			hlist_del(&rec->hash);
			kfree(rec);
		}
		if (!(i % 4096))
			cond_resched();
	}
	mutex_unlock(&fsrtl_hash_lock);
}

/* ---- old-IMA-style: rbtree on the inode pointer under a global rwlock -- */

struct ima_rec {
	struct rb_node rb;
	struct inode *inode;
	struct hlist_head ctxs; /* under ima_lock */
};

static struct rb_root ima_tree = RB_ROOT;
static DEFINE_RWLOCK(ima_lock); /* protects ima_tree and every ctxs list */

static struct ima_rec *ima_find(struct inode *inode)
{
	struct rb_node *n = ima_tree.rb_node;
	struct ima_rec *rec;

	while (n) {
		rec = rb_entry(n, struct ima_rec, rb);
		if (inode < rec->inode)
			n = n->rb_left;
		else if (inode > rec->inode)
			n = n->rb_right;
		else
			return rec;
	}
	return NULL;
}

static struct bl_ctx *ima_lookup(struct inode *inode, const void *owner,
				 const void *instance, bool get)
{
	struct ima_rec *rec;
	struct bl_ctx *c = NULL;

	read_lock(&ima_lock);
	rec = ima_find(inode);
	if (rec) {
		c = bl_match(&rec->ctxs, owner, instance);
		if (c && get)
			refcount_inc(&c->ref);
	}
	read_unlock(&ima_lock);
	return c;
}

static void ima_link(struct ima_rec *new)
{
	struct rb_node **p = &ima_tree.rb_node, *parent = NULL;
	struct ima_rec *rec;

	while (*p) {
		parent = *p;
		rec = rb_entry(parent, struct ima_rec, rb);
		p = new->inode < rec->inode ? &parent->rb_left : &parent->rb_right;
	}
	rb_link_node(&new->rb, parent, p);
	rb_insert_color(&new->rb, &ima_tree);
}

static struct bl_ctx *ima_insert(struct inode *inode, struct bl_ctx *ctx,
				 bool unique)
{
	struct ima_rec *rec, *new = NULL;
	struct bl_ctx *old = NULL;

	/* As integrity_inode_get(): look up first, allocate outside the lock. */
	read_lock(&ima_lock);
	rec = ima_find(inode);
	read_unlock(&ima_lock);
	if (!rec) {
		new = kmalloc(sizeof(*new), GFP_KERNEL);
		if (!new)
			return ERR_PTR(-ENOMEM);
		new->inode = inode;
		INIT_HLIST_HEAD(&new->ctxs);
	}
	write_lock(&ima_lock);
	rec = ima_find(inode);
	if (!rec) {
		ima_link(new);
		rec = new;
		new = NULL;
	}
	old = unique ? bl_same_key(&rec->ctxs, ctx) : NULL;
	if (old)
		refcount_inc(&old->ref);
	else
		hlist_add_head(&ctx->node, &rec->ctxs);
	write_unlock(&ima_lock);
	kfree(new);
	return old;
}

static struct bl_ctx *ima_remove(struct inode *inode, const void *owner,
				 const void *instance)
{
	struct ima_rec *rec;
	struct bl_ctx *c = NULL;

	write_lock(&ima_lock);
	rec = ima_find(inode);
	if (rec) {
		c = bl_match(&rec->ctxs, owner, instance);
		if (c)
			hlist_del_init(&c->node);
	}
	write_unlock(&ima_lock);
	return c;
}

static void ima_clear(void)
{
	struct ima_rec *rec, *tmp;

	write_lock(&ima_lock);
	rbtree_postorder_for_each_entry_safe(rec, tmp, &ima_tree, rb) {
		kfree(rec);
	}
	ima_tree = RB_ROOT;
	write_unlock(&ima_lock);
}

/* ---- fsnotify marks: fsnotify_find_mark(), contexts under mark->lock --- */

struct fsn_rec {
	struct fsnotify_mark mark;
	struct hlist_head ctxs; /* under mark.lock */
};

static struct fsnotify_group *fsn_group;
static DECLARE_COMPLETION(fsn_group_freed);

static int fsn_handle_inode_event(struct fsnotify_mark *mark, u32 mask,
				  struct inode *inode, struct inode *dir,
				  const struct qstr *name, u32 cookie)
{
	return 0;
}

/* The inode is going: drop its contexts and the mark's own reference. */
static void fsn_freeing_mark(struct fsnotify_mark *mark,
			     struct fsnotify_group *group)
{
	struct fsn_rec *rec = container_of(mark, struct fsn_rec, mark);
	struct hlist_node *tmp;
	struct bl_ctx *c;

	spin_lock(&mark->lock);
	hlist_for_each_entry_safe(c, tmp, &rec->ctxs, node)
		hlist_del_init(&c->node);
	spin_unlock(&mark->lock);
	fsnotify_put_mark(mark);
}

static void fsn_free_mark(struct fsnotify_mark *mark)
{
	kfree(container_of(mark, struct fsn_rec, mark));
}

static void fsn_free_group_priv(struct fsnotify_group *group)
{
	complete(&fsn_group_freed);
}

static const struct fsnotify_ops fsn_ops = {
	.handle_inode_event = fsn_handle_inode_event,
	.freeing_mark = fsn_freeing_mark,
	.free_mark = fsn_free_mark,
	.free_group_priv = fsn_free_group_priv,
};

static struct bl_ctx *fsn_lookup(struct inode *inode, const void *owner,
				 const void *instance, bool get)
{
	struct fsnotify_mark *mark = fsnotify_find_inode_mark(inode, fsn_group);
	struct bl_ctx *c;

	if (!mark)
		return NULL;
	spin_lock(&mark->lock);
	c = bl_match(&container_of(mark, struct fsn_rec, mark)->ctxs, owner,
		     instance);
	if (c && get)
		refcount_inc(&c->ref);
	spin_unlock(&mark->lock);
	fsnotify_put_mark(mark);
	return c;
}

static struct bl_ctx *fsn_insert(struct inode *inode, struct bl_ctx *ctx,
				 bool unique)
{
	struct fsnotify_mark *mark = fsnotify_find_inode_mark(inode, fsn_group);
	struct bl_ctx *old = NULL;
	bool found = mark;
	struct fsn_rec *rec;
	int err;

	if (!mark) {
		rec = kzalloc(sizeof(*rec), GFP_KERNEL);
		if (!rec)
			return ERR_PTR(-ENOMEM);
		fsnotify_init_mark(&rec->mark, fsn_group);
		rec->mark.flags |= FSNOTIFY_MARK_FLAG_NO_IREF;
		err = fsnotify_add_inode_mark(&rec->mark, inode, 0);
		if (err) {
			fsnotify_put_mark(&rec->mark);
			return ERR_PTR(err);
		}
		/* The initial reference is the inode's, dropped at freeing. */
		mark = &rec->mark;
	}
	rec = container_of(mark, struct fsn_rec, mark);
	spin_lock(&mark->lock);
	old = unique ? bl_same_key(&rec->ctxs, ctx) : NULL;
	if (old)
		refcount_inc(&old->ref);
	else
		hlist_add_head(&ctx->node, &rec->ctxs);
	spin_unlock(&mark->lock);
	if (found)
		fsnotify_put_mark(mark);
	return old;
}

static struct bl_ctx *fsn_remove(struct inode *inode, const void *owner,
				 const void *instance)
{
	struct fsnotify_mark *mark = fsnotify_find_inode_mark(inode, fsn_group);
	struct bl_ctx *c;

	if (!mark)
		return NULL;
	spin_lock(&mark->lock);
	c = bl_match(&container_of(mark, struct fsn_rec, mark)->ctxs, owner,
		     instance);
	if (c)
		hlist_del_init(&c->node);
	spin_unlock(&mark->lock);
	fsnotify_put_mark(mark);
	return c;
}

/* ---- one interface over the four ------------------------------------- */

/* Context pools: struct pfc_context for pfc, struct bl_ctx for the rest. */
static size_t impl_ctx_size(int impl)
{
	return impl == IMPL_PFC ? sizeof(struct pfc_context) :
				  sizeof(struct bl_ctx);
}

static void *pool_alloc(int impl, size_t n)
{
	return kvcalloc(max_t(size_t, n, 1), impl_ctx_size(impl), GFP_KERNEL);
}

static void *pool_at(int impl, void *pool, size_t i)
{
	return (char *)pool + i * impl_ctx_size(impl);
}

static void ctx_init(int impl, void *ctx, const void *owner,
		     const void *instance, pfc_free_fn free)
{
	struct bl_ctx *c = ctx;

	if (impl == IMPL_PFC) {
		pfc_init_context(ctx, owner, instance, free);
		return;
	}
	INIT_HLIST_NODE(&c->node);
	c->owner = owner;
	c->instance = instance;
	refcount_set(&c->ref, 1);
}

static __always_inline void *impl_lookup(int impl, struct inode *inode,
					 const void *owner,
					 const void *instance)
{
	void *c;

	switch (impl) {
	case IMPL_PFC:
		rcu_read_lock();
		c = pfc_lookup(inode, owner, instance);
		rcu_read_unlock();
		return c;
	case IMPL_FSRTL:
		return fsrtl_lookup(inode, owner, instance, false);
	case IMPL_IMA:
		return ima_lookup(inode, owner, instance, false);
	default:
		return fsn_lookup(inode, owner, instance, false);
	}
}

static void *impl_lookup_get(int impl, struct inode *inode, const void *owner,
			     const void *instance)
{
	switch (impl) {
	case IMPL_PFC:
		return pfc_lookup_get(inode, owner, instance);
	case IMPL_FSRTL:
		return fsrtl_lookup(inode, owner, instance, true);
	case IMPL_IMA:
		return ima_lookup(inode, owner, instance, true);
	default:
		return fsn_lookup(inode, owner, instance, true);
	}
}

static void impl_put(int impl, void *ctx)
{
	struct bl_ctx *c = ctx;

	if (impl == IMPL_PFC)
		pfc_put(ctx);
	else if (!refcount_dec_and_test(&c->ref))
		return;
	/* Baseline contexts live in pools: nothing to free. */
}

/* 0 when inserted, the existing context (referenced) with @unique, or ERR_PTR. */
static void *impl_insert(int impl, struct inode *inode, void *ctx, bool unique)
{
	int err;

	switch (impl) {
	case IMPL_PFC:
		if (unique)
			return pfc_insert_unique(inode, ctx);
		err = pfc_insert(inode, ctx);
		return err ? ERR_PTR(err) : NULL;
	case IMPL_FSRTL:
		return fsrtl_insert(inode, ctx, unique);
	case IMPL_IMA:
		return ima_insert(inode, ctx, unique);
	default:
		return fsn_insert(inode, ctx, unique);
	}
}

static void *impl_remove(int impl, struct inode *inode, const void *owner,
			 const void *instance)
{
	switch (impl) {
	case IMPL_PFC:
		return pfc_remove(inode, owner, instance);
	case IMPL_FSRTL:
		return fsrtl_remove(inode, owner, instance);
	case IMPL_IMA:
		return ima_remove(inode, owner, instance);
	default:
		return fsn_remove(inode, owner, instance);
	}
}

/* ---- files, results --------------------------------------------------- */

struct bench_files {
	unsigned int n;
	struct file **files;
	struct inode **inodes;
};

static int files_create(struct bench_files *bf, unsigned int n)
{
	struct file *f;

	bf->n = 0;
	bf->files = kvcalloc(max(n, 1U), sizeof(*bf->files), GFP_KERNEL);
	bf->inodes = kvcalloc(max(n, 1U), sizeof(*bf->inodes), GFP_KERNEL);
	if (!bf->files || !bf->inodes)
		return -ENOMEM;
	while (bf->n < n) {
		f = shmem_file_setup("pfc_bench", 0, VM_NORESERVE);
		if (IS_ERR(f))
			return PTR_ERR(f);
		bf->files[bf->n] = f;
		bf->inodes[bf->n++] = file_inode(f);
		if (!(bf->n % 1024))
			cond_resched();
	}
	return 0;
}

/* Drop the files: their last reference evicts their inodes now. */
static void files_release(struct bench_files *bf)
{
	unsigned int i;

	for (i = 0; i < bf->n; i++) {
		__fput_sync(bf->files[i]);
		if (!(i % 1024))
			cond_resched();
	}
	kvfree(bf->files);
	kvfree(bf->inodes);
	memset(bf, 0, sizeof(*bf));
}

static unsigned int bench_failed;

static void report(const char *bench, unsigned long param, const char *impl,
		   unsigned int rep, u64 ns, u64 ops, bool ok)
{
	u64 x100 = ops ? div64_u64(ns * 100, ops) : 0;

	if (!ok || !ops || !ns)
		bench_failed++;
	pr_info("PFCB bench=%s param=%lu impl=%s rep=%u ns_op=%llu.%02llu ops=%llu ns=%llu ok=%d\n",
		bench, param, impl, rep, x100 / 100, x100 % 100, ops, ns,
		ok && ops && ns);
}

/* Time @passes passes of lookups over @n inodes in the order of @perm. */
static u64 loop_lookup(int impl, struct inode **inodes, const u32 *perm,
		       unsigned int n, unsigned int passes, const void *owner,
		       const void *instance, u64 *hits)
{
	unsigned int p, i;
	u64 t0, h = 0;

	t0 = ktime_get_ns();
	for (p = 0; p < passes; p++) {
		for (i = 0; i < n; i++) {
			h += !!impl_lookup(impl, inodes[perm[i]], owner,
					   instance);
			if (!(i % 1024) && i)
				cond_resched();
		}
		if (!(p % 1024))
			cond_resched();
	}
	*hits = h;
	return ktime_get_ns() - t0;
}

static u32 *perm_alloc(unsigned int n, bool shuffle)
{
	u32 *perm = kvmalloc_array(max(n, 1U), sizeof(*perm), GFP_KERNEL);
	unsigned int i, j;

	if (!perm)
		return NULL;
	for (i = 0; i < n; i++)
		perm[i] = i;
	for (i = n; shuffle && i > 1; i--) {
		j = get_random_u32_below(i);
		swap(perm[i - 1], perm[j]);
	}
	return perm;
}

/* ---- lookup hit with 1, 4, 16 contexts; miss ------------------------- */

static int bench_hit(void)
{
	static const unsigned int ks[] = { 1, 4, 16 };
	void *pool[IMPL_NR] = { };
	struct bench_files bf = { };
	unsigned int ki, k = 0, rep, passes = max(iters, 1U);
	const u32 hit = 0, miss = 1;
	int impl, err;
	u64 ns, hits;
	void *r;

	/* files[0] carries contexts, files[1] none. */
	err = files_create(&bf, 2);
	if (err)
		goto out;
	for (impl = 0; impl < IMPL_NR; impl++) {
		pool[impl] = pool_alloc(impl, 16);
		if (!pool[impl]) {
			err = -ENOMEM;
			goto out;
		}
	}
	for (ki = 0; ki < ARRAY_SIZE(ks); ki++) {
		for (; k < ks[ki]; k++) {
			for (impl = 0; impl < IMPL_NR; impl++) {
				void *c = pool_at(impl, pool[impl], k);

				ctx_init(impl, c, bench_owner, &bench_inst[k],
					 bench_pfc_free);
				r = impl_insert(impl, bf.inodes[0], c, false);
				if (IS_ERR(r)) {
					err = PTR_ERR(r);
					goto out;
				}
			}
		}
		/* The oldest context: the last in every LIFO list. */
		for (rep = 0; rep < reps; rep++) {
			for (impl = 0; impl < IMPL_NR; impl++) {
				ns = loop_lookup(impl, bf.inodes, &hit, 1,
						 passes, bench_owner,
						 &bench_inst[0], &hits);
				report("lookup_hit", k, impl_name[impl], rep,
				       ns, passes, hits == passes);
			}
		}
	}
	for (rep = 0; rep < reps; rep++) {
		for (impl = 0; impl < IMPL_NR; impl++) {
			ns = loop_lookup(impl, bf.inodes, &miss, 1, passes,
					 bench_owner, &bench_inst[0], &hits);
			report("lookup_miss", 0, impl_name[impl], rep, ns,
			       passes, hits == 0);
		}
	}
	err = 0;
out:
	fsrtl_clear();
	ima_clear();
	files_release(&bf);
	pfc_barrier();
	for (impl = 0; impl < IMPL_NR; impl++)
		kvfree(pool[impl]);
	if (err)
		pr_err("PFCB error bench=hit err=%d\n", err);
	return err;
}

/* ---- insert+remove, insert_unique hit/miss, lookup_get+put ----------- */

static int bench_ops(void)
{
	void *pool[IMPL_NR] = { }, *one[IMPL_NR] = { };
	unsigned int rep, i, n = max(iters / 4, 1U);
	struct bench_files bf = { };
	struct inode *inode;
	int impl, err;
	bool ok;
	u64 t0;
	void *c, *r;

	err = files_create(&bf, 1);
	if (err)
		goto out;
	inode = bf.inodes[0];
	for (impl = 0; impl < IMPL_NR; impl++) {
		pool[impl] = pool_alloc(impl, n);
		one[impl] = pool_alloc(impl, 2);
		if (!pool[impl] || !one[impl]) {
			err = -ENOMEM;
			goto out;
		}
		/* The inode carries (owner, inst[0]) for every design. */
		c = pool_at(impl, one[impl], 0);
		ctx_init(impl, c, bench_owner, &bench_inst[0], bench_pfc_free);
		r = impl_insert(impl, inode, c, false);
		if (IS_ERR(r)) {
			err = PTR_ERR(r);
			goto out;
		}
	}

	for (rep = 0; rep < reps; rep++) {
		for (impl = 0; impl < IMPL_NR; impl++) {
			ok = true;
			for (i = 0; i < n; i++)
				ctx_init(impl, pool_at(impl, pool[impl], i),
					 bench_owner2, NULL, bench_pfc_free);
			t0 = ktime_get_ns();
			for (i = 0; i < n; i++) {
				c = pool_at(impl, pool[impl], i);
				r = impl_insert(impl, inode, c, false);
				ok &= !r;
				r = impl_remove(impl, inode, bench_owner2, NULL);
				ok &= r == c;
				if (r)
					impl_put(impl, r);
				if (!(i % 1024))
					cond_resched();
			}
			report("insert_remove", 1, impl_name[impl], rep,
			       ktime_get_ns() - t0, n, ok);
			/* pfc's free callbacks, before the pool is reused. */
			pfc_barrier();
		}
		for (impl = 0; impl < IMPL_NR; impl++) {
			/* Same key as the attached context: never inserted. */
			c = pool_at(impl, one[impl], 1);
			ctx_init(impl, c, bench_owner, &bench_inst[0],
				 bench_pfc_free);
			ok = true;
			t0 = ktime_get_ns();
			for (i = 0; i < n; i++) {
				r = impl_insert(impl, inode, c, true);
				ok &= r == pool_at(impl, one[impl], 0);
				if (!IS_ERR_OR_NULL(r))
					impl_put(impl, r);
				if (!(i % 1024))
					cond_resched();
			}
			report("insert_unique_hit", 1, impl_name[impl], rep,
			       ktime_get_ns() - t0, n, ok);
		}
		for (impl = 0; impl < IMPL_NR; impl++) {
			ok = true;
			for (i = 0; i < n; i++)
				ctx_init(impl, pool_at(impl, pool[impl], i),
					 bench_owner2, NULL, bench_pfc_free);
			t0 = ktime_get_ns();
			for (i = 0; i < n; i++) {
				c = pool_at(impl, pool[impl], i);
				r = impl_insert(impl, inode, c, true);
				ok &= !r;
				r = impl_remove(impl, inode, bench_owner2, NULL);
				ok &= r == c;
				if (r)
					impl_put(impl, r);
				if (!(i % 1024))
					cond_resched();
			}
			report("insert_unique_miss_remove", 1, impl_name[impl],
			       rep, ktime_get_ns() - t0, n, ok);
			pfc_barrier();
		}
		for (impl = 0; impl < IMPL_NR; impl++) {
			ok = true;
			t0 = ktime_get_ns();
			for (i = 0; i < n; i++) {
				r = impl_lookup_get(impl, inode, bench_owner,
						    &bench_inst[0]);
				ok &= r == pool_at(impl, one[impl], 0);
				if (r)
					impl_put(impl, r);
				if (!(i % 1024))
					cond_resched();
			}
			report("lookup_get_put", 1, impl_name[impl], rep,
			       ktime_get_ns() - t0, n, ok);
		}
	}
	err = 0;
out:
	fsrtl_clear();
	ima_clear();
	files_release(&bf);
	pfc_barrier();
	for (impl = 0; impl < IMPL_NR; impl++) {
		kvfree(pool[impl]);
		kvfree(one[impl]);
	}
	if (err)
		pr_err("PFCB error bench=ops err=%d\n", err);
	return err;
}

/* ---- read-side scaling: readers on every CPU, a writer running ------- */

/*
 * SCALE_FIELD: the ideal-field reference of the scaling run, readers of
 * i_private and a writer that swaps it (scale_run() only).
 */
#define SCALE_FIELD IMPL_NR

struct scale_reader {
	struct task_struct *task;
	int impl;
	struct inode **inodes;
	const u32 *perm;
	unsigned int n;
	u64 ops;
	u64 misses;
	u64 cpu_ns;
};

static atomic_t scale_ready;
static bool scale_go;
static bool scale_stop;

static bool scale_lookup(int impl, struct inode *inode)
{
	const struct pfc_context *ctx;

	if (impl != SCALE_FIELD)
		return impl_lookup(impl, inode, bench_owner, &bench_inst[0]);
	ctx = READ_ONCE(inode->i_private);
	return ctx && ctx->owner == bench_owner;
}

static int scale_reader_fn(void *data)
{
	struct scale_reader *r = data;
	unsigned int i = 0;
	u64 ops = 0, miss = 0, cpu0;

	atomic_inc(&scale_ready);
	/* A voluntary-preemption kernel: spin with cond_resched(). */
	while (!READ_ONCE(scale_go) && !kthread_should_stop())
		cond_resched();
	/*
	 * The CPU time this reader got, to one tick: with as many readers as
	 * CPUs the writer takes its share of one reader's CPU.
	 */
	cpu0 = current->se.sum_exec_runtime;
	while (!READ_ONCE(scale_stop)) {
		miss += !scale_lookup(r->impl, r->inodes[r->perm[i]]);
		if (++i == r->n)
			i = 0;
		if (!(++ops % 256))
			cond_resched();
	}
	r->ops = ops;
	r->misses = miss;
	/* Sleeping brings sum_exec_runtime up to date. */
	usleep_range(10, 20);
	r->cpu_ns = current->se.sum_exec_runtime - cpu0;
	while (!kthread_should_stop())
		usleep_range(1000, 2000);
	return 0;
}

struct scale_writer {
	struct task_struct *task;
	int impl;
	struct pfc_context *spare;
	struct inode **inodes;
	unsigned int n;
	u64 ops;
	int err;
};

/* Insert and remove a context on the readers' inodes, about 10^4 times/s. */
static int scale_writer_fn(void *data)
{
	struct scale_writer *w = data;
	unsigned int i = 0;
	void *c, *r;

	while (!kthread_should_stop()) {
		if (READ_ONCE(scale_stop)) {
			usleep_range(1000, 2000);
			continue;
		}
		if (w->impl == SCALE_FIELD) {
			/* Swap the field's context for a copy and back. */
			struct inode *inode = w->inodes[i];
			struct pfc_context *old = READ_ONCE(inode->i_private);

			WRITE_ONCE(inode->i_private, w->spare);
			WRITE_ONCE(inode->i_private, old);
			w->ops++;
			goto next;
		}
		c = kmalloc(impl_ctx_size(w->impl), GFP_KERNEL);
		if (!c) {
			w->err = -ENOMEM;
			usleep_range(1000, 2000);
			continue;
		}
		ctx_init(w->impl, c, bench_owner2, NULL, bench_pfc_kfree);
		r = impl_insert(w->impl, w->inodes[i], c, false);
		if (IS_ERR(r)) {
			w->err = PTR_ERR(r);
			kfree(c);
		} else {
			r = impl_remove(w->impl, w->inodes[i], bench_owner2,
					NULL);
			if (r && w->impl == IMPL_PFC)
				pfc_put(r);
			else
				kfree(r);
			w->ops++;
		}
next:
		if (++i == w->n)
			i = 0;
		usleep_range(50, 100);
	}
	return 0;
}

static int scale_run(int impl, struct bench_files *bf, const u32 *perm,
		     unsigned int n, unsigned int nreaders, unsigned int rep)
{
	/* The field's spare: the same owner, so readers still hit. */
	struct pfc_context spare = { .owner = bench_owner };
	struct scale_reader *readers;
	struct scale_writer writer = { .impl = impl, .inodes = bf->inodes,
				       .n = n, .spare = &spare };
	const char *name = impl == SCALE_FIELD ? "field" : impl_name[impl];
	unsigned int i, cpu = 0, started = 0;
	u64 t0, ns, ops = 0, misses = 0, cpu_ns = 0;
	int err = 0;

	readers = kcalloc(nreaders, sizeof(*readers), GFP_KERNEL);
	if (!readers)
		return -ENOMEM;
	atomic_set(&scale_ready, 0);
	WRITE_ONCE(scale_go, false);
	WRITE_ONCE(scale_stop, false);
	for (i = 0; i < nreaders; i++) {
		struct scale_reader *r = &readers[i];

		cpu = cpumask_next(i ? cpu : -1, cpu_online_mask);
		r->impl = impl;
		r->inodes = bf->inodes;
		r->perm = perm;
		r->n = n;
		r->task = kthread_create_on_cpu(scale_reader_fn, r, cpu,
						"pfcb_read/%u");
		if (IS_ERR(r->task)) {
			err = PTR_ERR(r->task);
			r->task = NULL;
			break;
		}
		get_task_struct(r->task);
		wake_up_process(r->task);
		started++;
	}
	writer.task = kthread_run(scale_writer_fn, &writer, "pfcb_write");
	if (IS_ERR(writer.task)) {
		err = PTR_ERR(writer.task);
		writer.task = NULL;
	}
	while (atomic_read(&scale_ready) < started)
		usleep_range(1000, 2000);
	t0 = ktime_get_ns();
	WRITE_ONCE(scale_go, true);
	if (!err)
		msleep(scale_ms);
	WRITE_ONCE(scale_stop, true);
	ns = ktime_get_ns() - t0;
	for (i = 0; i < started; i++) {
		kthread_stop(readers[i].task);
		put_task_struct(readers[i].task);
		ops += readers[i].ops;
		misses += readers[i].misses;
		cpu_ns += readers[i].cpu_ns;
	}
	if (writer.task)
		kthread_stop(writer.task);
	pfc_barrier();
	if (!err)
		err = writer.err;
	kfree(readers);
	if (err)
		return err;
	/* ns_op is per reader: wall time x readers / lookups. */
	report("scale_read", nreaders, name, rep, ns * nreaders, ops, !misses);
	pr_info("PFCB bench=scale_ops param=%u impl=%s rep=%u lookups_per_s=%llu writer_ops=%llu lookups_per_cpu_s=%llu\n",
		nreaders, name, rep,
		div64_u64(ops * NSEC_PER_SEC, max(ns, 1ULL)), writer.ops,
		div64_u64(ops * NSEC_PER_SEC, max(cpu_ns, 1ULL)) * nreaders);
	return 0;
}

/* ---- rhashtable on an inode pointer: default hash vs a pointer hash -- */

/*
 * Not a design: what pfc's index costs with its rhashtable parameters
 * (jhash2 over the key, memcmp() to compare) against the same table with
 * a hash and a compare made for a pointer key.
 */
struct rht_obj {
	struct rhash_head node;
	struct inode *inode;
};

static u32 rht_ptr_hash(const void *data, u32 len, u32 seed)
{
	return hash_long((unsigned long)*(struct inode * const *)data ^ seed,
			 32);
}

static int rht_ptr_cmp(struct rhashtable_compare_arg *arg, const void *obj)
{
	return ((const struct rht_obj *)obj)->inode !=
	       *(struct inode * const *)arg->key;
}

/* pfc's pfc_params, keyed the same way. */
static const struct rhashtable_params rht_default_params = {
	.key_len = sizeof(struct inode *),
	.key_offset = offsetof(struct rht_obj, inode),
	.head_offset = offsetof(struct rht_obj, node),
	.automatic_shrinking = true,
};

static const struct rhashtable_params rht_ptr_params = {
	.key_len = sizeof(struct inode *),
	.key_offset = offsetof(struct rht_obj, inode),
	.head_offset = offsetof(struct rht_obj, node),
	.automatic_shrinking = true,
	.hashfn = rht_ptr_hash,
	.obj_cmpfn = rht_ptr_cmp,
};

/* Inlined with constant @params, as pfc's own lookups are. */
static __always_inline u64 rht_loop(struct rhashtable *ht,
				    struct inode **inodes, const u32 *perm,
				    unsigned int n, unsigned int passes,
				    u64 *hits,
				    const struct rhashtable_params params)
{
	unsigned int p, i;
	u64 t0, h = 0;

	t0 = ktime_get_ns();
	for (p = 0; p < passes; p++) {
		for (i = 0; i < n; i++) {
			rcu_read_lock();
			h += !!rhashtable_lookup(ht, &inodes[perm[i]], params);
			rcu_read_unlock();
		}
		cond_resched();
	}
	*hits = h;
	return ktime_get_ns() - t0;
}

static noinline u64 rht_loop_default(struct rhashtable *ht,
				     struct inode **inodes, const u32 *perm,
				     unsigned int n, unsigned int passes,
				     u64 *hits)
{
	return rht_loop(ht, inodes, perm, n, passes, hits, rht_default_params);
}

static noinline u64 rht_loop_ptr(struct rhashtable *ht, struct inode **inodes,
				 const u32 *perm, unsigned int n,
				 unsigned int passes, u64 *hits)
{
	return rht_loop(ht, inodes, perm, n, passes, hits, rht_ptr_params);
}

static int bench_rht(struct inode **inodes, const u32 *perm, unsigned int n)
{
	struct rhashtable ht[2];
	unsigned int i, rep, passes = max(iters / n, 1U);
	struct rht_obj *objs;
	int err, t;
	u64 ns, hits;

	objs = kvcalloc(n * 2, sizeof(*objs), GFP_KERNEL);
	if (!objs)
		return -ENOMEM;
	err = rhashtable_init(&ht[0], &rht_default_params);
	if (err)
		goto out_free;
	err = rhashtable_init(&ht[1], &rht_ptr_params);
	if (err)
		goto out_ht0;
	for (i = 0; i < n && !err; i++) {
		objs[i].inode = inodes[i];
		objs[n + i].inode = inodes[i];
		err = rhashtable_insert_fast(&ht[0], &objs[i].node,
					     rht_default_params) ?:
		      rhashtable_insert_fast(&ht[1], &objs[n + i].node,
					     rht_ptr_params);
	}
	/* Let deferred resizes finish, as they have in pfc's table by now. */
	msleep(100);
	for (rep = 0; rep < reps && !err; rep++) {
		for (t = 0; t < 2; t++) {
			ns = t ? rht_loop_ptr(&ht[1], inodes, perm, n, passes,
					      &hits) :
				 rht_loop_default(&ht[0], inodes, perm, n,
						  passes, &hits);
			report("rht_lookup", n, t ? "rht-ptrhash" : "rht-jhash",
			       rep, ns, (u64)n * passes,
			       hits == (u64)n * passes);
		}
	}
	rhashtable_destroy(&ht[1]);
out_ht0:
	rhashtable_destroy(&ht[0]);
out_free:
	kvfree(objs);
	return err;
}

/* ---- lookups against 1, 10^3, 10^5, 10^6 inodes with contexts ------- */

/*
 * Reference rows for lookup_inodes, measured over the same N:
 *
 *  - "floor": one dependent load per lookup over N random cache lines (a
 *    pointer chase through a random cycle): what any lookup that must
 *    take one cache miss per object costs at best;
 *  - "field": the context pointer in a field of the inode itself, the
 *    design of a field in struct inode or an LSM blob: load the inode's
 *    field, check the context's owner.  The benchmark borrows i_private
 *    of its shmem files (shmem reads it only while a fallocate() runs,
 *    from ->fault and ->writepage, which these empty, unmapped files
 *    never see) and clears it again.
 */
struct floor_line {
	struct floor_line *next;
	unsigned long pad[L1_CACHE_BYTES / sizeof(unsigned long) - 1];
};

static u64 loop_floor(struct floor_line *lines, unsigned int n,
		      unsigned int passes, u64 *steps)
{
	struct floor_line *p = &lines[0];
	unsigned int i, pass;
	u64 t0;

	t0 = ktime_get_ns();
	for (pass = 0; pass < passes; pass++) {
		for (i = 0; i < n; i++)
			p = READ_ONCE(p->next);
		if (!(pass % 64))
			cond_resched();
	}
	*steps = (u64)n * passes;
	/* Keep the chase: the result depends on it. */
	return ktime_get_ns() - t0 + !p;
}

static struct floor_line *floor_alloc(const u32 *perm, unsigned int n)
{
	struct floor_line *lines = kvcalloc(n, sizeof(*lines), GFP_KERNEL);
	unsigned int i;

	if (!lines)
		return NULL;
	/* One cycle through every line, in the order of @perm. */
	for (i = 0; i < n; i++)
		lines[perm[i]].next = &lines[perm[(i + 1) % n]];
	return lines;
}

static u64 loop_field(struct inode **inodes, const u32 *perm, unsigned int n,
		      unsigned int passes, const void *owner, u64 *hits)
{
	struct pfc_context *ctx;
	unsigned int i, pass;
	u64 t0, h = 0;

	t0 = ktime_get_ns();
	for (pass = 0; pass < passes; pass++) {
		for (i = 0; i < n; i++) {
			ctx = READ_ONCE(inodes[perm[i]]->i_private);
			h += ctx && ctx->owner == owner;
		}
		if (!(pass % 64))
			cond_resched();
	}
	*hits = h;
	return ktime_get_ns() - t0;
}

static int bench_reference_rows(struct bench_files *bf, void **pool,
				const u32 *perm, unsigned int n,
				unsigned int passes)
{
	struct floor_line *lines = floor_alloc(perm, n);
	unsigned int rep, i;
	u64 ns, hits;

	if (!lines)
		return -ENOMEM;
	/* The pfc contexts of the sweep stand in for the field's. */
	for (i = 0; i < n; i++)
		WRITE_ONCE(bf->inodes[i]->i_private,
			   pool_at(IMPL_PFC, pool[IMPL_PFC], i));
	for (rep = 0; rep < reps; rep++) {
		ns = loop_floor(lines, n, passes, &hits);
		report("lookup_inodes", n, "floor", rep, ns, hits, true);
		ns = loop_field(bf->inodes, perm, n, passes, bench_owner,
				&hits);
		report("lookup_inodes", n, "field", rep, ns, (u64)n * passes,
		       hits == (u64)n * passes);
	}
	for (i = 0; i < n; i++)
		WRITE_ONCE(bf->inodes[i]->i_private, NULL);
	kvfree(lines);
	return 0;
}

static int bench_inodes(void)
{
	static const unsigned int sizes[] = { 1, 1000, 100000, 1000000 };
	unsigned int ni, n, done = 0, rep, i, passes, ncpu;
	void *pool[IMPL_NR] = { };
	struct bench_files bf = { };
	unsigned int top = 1;
	u64 ns, hits, t0;
	u32 *perm = NULL;
	int impl, err;
	void *r;

	for (ni = 0; ni < ARRAY_SIZE(sizes); ni++)
		if (sizes[ni] <= max_inodes)
			top = sizes[ni];
	err = -ENOMEM;
	for (impl = 0; impl < IMPL_NR; impl++) {
		pool[impl] = pool_alloc(impl, top);
		if (!pool[impl])
			goto out;
	}
	err = files_create(&bf, top);
	if (err)
		goto out;
	ncpu = num_online_cpus();

	for (ni = 0; ni < ARRAY_SIZE(sizes) && sizes[ni] <= top; ni++) {
		n = sizes[ni];
		/* First context on fresh inodes: what attaching costs. */
		for (impl = 0; impl < IMPL_NR; impl++) {
			t0 = ktime_get_ns();
			for (i = done; i < n; i++) {
				void *c = pool_at(impl, pool[impl], i);

				ctx_init(impl, c, bench_owner, &bench_inst[0],
					 bench_pfc_free);
				r = impl_insert(impl, bf.inodes[i], c, false);
				if (IS_ERR(r)) {
					err = PTR_ERR(r);
					goto out;
				}
				if (!(i % 1024))
					cond_resched();
			}
			report("attach_first", n, impl_name[impl], 0,
			       ktime_get_ns() - t0, n - done, true);
		}
		done = n;
		kvfree(perm);
		perm = perm_alloc(n, true);
		err = -ENOMEM;
		if (!perm)
			goto out;
		passes = max(iters / n, 1U);
		for (rep = 0; rep < reps; rep++) {
			for (impl = 0; impl < IMPL_NR; impl++) {
				ns = loop_lookup(impl, bf.inodes, perm, n,
						 passes, bench_owner,
						 &bench_inst[0], &hits);
				report("lookup_inodes", n, impl_name[impl], rep,
				       ns, (u64)n * passes,
				       hits == (u64)n * passes);
			}
		}
		err = bench_reference_rows(&bf, pool, perm, n, passes);
		if (err)
			goto out;
		if (n != 1000 && !(n == top && n < 1000))
			continue;
		err = bench_rht(bf.inodes, perm, n);
		if (err)
			goto out;
		/*
		 * Read-side scaling on these inodes: 1 reader, then all CPUs;
		 * SCALE_FIELD reads the pfc contexts through i_private.
		 */
		for (i = 0; i < n; i++)
			WRITE_ONCE(bf.inodes[i]->i_private,
				   pool_at(IMPL_PFC, pool[IMPL_PFC], i));
		for (rep = 0; rep < reps; rep++) {
			for (impl = 0; impl <= SCALE_FIELD; impl++) {
				err = scale_run(impl, &bf, perm, n, 1, rep);
				if (!err && ncpu > 1)
					err = scale_run(impl, &bf, perm, n,
							ncpu, rep);
				if (err)
					goto out;
			}
		}
	}
	err = 0;
out:
	fsrtl_clear();
	ima_clear();
	for (i = 0; i < bf.n; i++)
		WRITE_ONCE(bf.inodes[i]->i_private, NULL);
	files_release(&bf);
	pfc_barrier();
	for (impl = 0; impl < IMPL_NR; impl++)
		kvfree(pool[impl]);
	kvfree(perm);
	if (err)
		pr_err("PFCB error bench=inodes err=%d\n", err);
	return err;
}

/* ---- first inserts from several CPUs ----------------------------------- */

/**
 * struct scale_inserter - one CPU attaching first contexts to its inodes
 * @task: the kthread, bound to one CPU.
 * @impl: the design under test.
 * @inodes: all the fresh inodes of the run; this one takes [@from, @to).
 * @pool: the contexts, one per inode, indexed like @inodes.
 * @from: first inode of this inserter.
 * @to: one past its last.
 * @end_ns: ktime_get_ns() when it was done.
 * @err: the first insert error.
 */
struct scale_inserter {
	struct task_struct *task;
	int impl;
	struct inode **inodes;
	void *pool;
	unsigned int from;
	unsigned int to;
	u64 end_ns;
	int err;
};

static int scale_insert_fn(void *data)
{
	struct scale_inserter *w = data;
	unsigned int i;
	void *c, *r;

	atomic_inc(&scale_ready);
	while (!READ_ONCE(scale_go) && !kthread_should_stop())
		cond_resched();
	for (i = w->from; i < w->to; i++) {
		c = pool_at(w->impl, w->pool, i);
		ctx_init(w->impl, c, bench_owner, &bench_inst[0],
			 bench_pfc_free);
		r = impl_insert(w->impl, w->inodes[i], c, false);
		if (IS_ERR(r)) {
			w->err = PTR_ERR(r);
			break;
		}
		if (!(i % 256))
			cond_resched();
	}
	w->end_ns = ktime_get_ns();
	while (!kthread_should_stop())
		usleep_range(1000, 2000);
	return 0;
}

/*
 * @nthreads CPUs attach the first context to @n fresh inodes between them,
 * a disjoint share each: ns_op is wall time / inserts, so the ratio of the
 * 1-thread row to the n-thread row is the scaling.
 */
static int scale_insert_run(int impl, unsigned int n, unsigned int nthreads,
			    unsigned int rep)
{
	struct scale_inserter *ws;
	struct bench_files bf = { };
	unsigned int i, cpu = 0, started = 0;
	void *pool = NULL;
	u64 t0, end = 0;
	int err;

	ws = kcalloc(nthreads, sizeof(*ws), GFP_KERNEL);
	if (!ws)
		return -ENOMEM;
	err = files_create(&bf, n);
	if (err)
		goto out;
	pool = pool_alloc(impl, n);
	err = -ENOMEM;
	if (!pool)
		goto out;
	err = 0;
	atomic_set(&scale_ready, 0);
	WRITE_ONCE(scale_go, false);
	for (i = 0; i < nthreads; i++) {
		struct scale_inserter *w = &ws[i];

		cpu = cpumask_next(i ? cpu : -1, cpu_online_mask);
		w->impl = impl;
		w->inodes = bf.inodes;
		w->pool = pool;
		w->from = (u64)n * i / nthreads;
		w->to = (u64)n * (i + 1) / nthreads;
		w->task = kthread_create_on_cpu(scale_insert_fn, w, cpu,
						"pfcb_ins/%u");
		if (IS_ERR(w->task)) {
			err = PTR_ERR(w->task);
			w->task = NULL;
			break;
		}
		get_task_struct(w->task);
		wake_up_process(w->task);
		started++;
	}
	while (atomic_read(&scale_ready) < started)
		usleep_range(1000, 2000);
	t0 = ktime_get_ns();
	WRITE_ONCE(scale_go, true);
	for (i = 0; i < started; i++) {
		kthread_stop(ws[i].task);
		put_task_struct(ws[i].task);
		end = max(end, ws[i].end_ns);
		if (!err)
			err = ws[i].err;
	}
	if (!err)
		report("scale_insert", nthreads, impl_name[impl], rep,
		       end - t0, n, true);
out:
	if (impl == IMPL_FSRTL)
		fsrtl_clear();
	files_release(&bf);
	pfc_barrier();
	kvfree(pool);
	kfree(ws);
	return err;
}

static int bench_scale_insert(void)
{
	static const int impls[] = { IMPL_PFC, IMPL_FSRTL, IMPL_FSN };
	unsigned int n = clamp(max_inodes, 1000U, 20000U);
	unsigned int ncpu = num_online_cpus();
	unsigned int rep, ii;
	int err = 0;

	for (rep = 0; rep < reps && !err; rep++) {
		for (ii = 0; ii < ARRAY_SIZE(impls) && !err; ii++) {
			err = scale_insert_run(impls[ii], n, 1, rep);
			if (!err && ncpu > 1)
				err = scale_insert_run(impls[ii], n, ncpu, rep);
		}
	}
	if (err)
		pr_err("PFCB error bench=scale_insert err=%d\n", err);
	return err;
}

/* ---- what other files pay: a read on a superblock with pfc marks ------ */

#define OTHER_MARKED 1000

/*
 * kernel_read() of one byte of a file without contexts, through a file
 * opened with dentry_open() (so that fsnotify reports its accesses): on
 * its superblock first with no inode carrying a mark of pfc's, then with
 * OTHER_MARKED other inodes there carrying a context each.  The
 * difference is what fsnotify's slow path costs every event of every
 * file on a superblock once some of its inodes have pfc marks.
 */
static int bench_other_files(void)
{
	struct pfc_context *ctxs = NULL;
	struct bench_files bf = { };
	struct file *f = NULL;
	unsigned int i, k, rep, ops = max(iters / 4, 1U);
	loff_t pos = 0;
	ssize_t n = 0;
	int err;
	char c;
	u64 t0;

	err = files_create(&bf, 1 + OTHER_MARKED);
	if (err)
		goto out;
	ctxs = kvcalloc(OTHER_MARKED, sizeof(*ctxs), GFP_KERNEL);
	f = dentry_open(&bf.files[0]->f_path, O_RDWR, current_cred());
	if (IS_ERR(f) || !ctxs) {
		err = IS_ERR(f) ? PTR_ERR(f) : -ENOMEM;
		f = NULL;
		goto out;
	}
	n = kernel_write(f, "x", 1, &pos);
	if (n != 1) {
		err = n < 0 ? n : -EIO;
		goto out;
	}
	for (k = 0; k < 2 && !err; k++) {
		if (k == 1) {
			for (i = 0; i < OTHER_MARKED && !err; i++) {
				pfc_init_context(&ctxs[i], bench_owner, NULL,
						 bench_pfc_free);
				err = pfc_insert(bf.inodes[1 + i], &ctxs[i]);
			}
		}
		/* The first round of all only warms up. */
		for (rep = 0; rep < reps + !k && !err; rep++) {
			t0 = ktime_get_ns();
			for (i = 0; i < ops; i++) {
				pos = 0;
				n = kernel_read(f, &c, 1, &pos);
				if (n != 1)
					break;
			}
			if (k || rep)
				report("other_read", k ? OTHER_MARKED : 0,
				       k ? "pfc" : "none", rep - !k,
				       ktime_get_ns() - t0, i, n == 1);
		}
	}
out:
	if (f)
		__fput_sync(f);
	files_release(&bf);
	pfc_barrier();
	kvfree(ctxs);
	if (err)
		pr_err("PFCB error bench=other_files err=%d\n", err);
	return err;
}

/* ---- pfc_remove_owner() over many inodes ------------------------------- */

struct sweep_run {
	u64 ns;
	struct completion done;
};

static int sweep_fn(void *data)
{
	struct sweep_run *r = data;
	u64 t0 = ktime_get_ns();

	pfc_remove_owner(bench_owner_sweep);
	r->ns = ktime_get_ns() - t0;
	complete(&r->done);
	return 0;
}

/*
 * One context of one owner on each of @n fresh inodes, then
 * pfc_remove_owner() of that owner from a kthread on the first CPU, with
 * the probe on the same CPU: the total time (which includes waiting for
 * the free callbacks) and the longest stretch without rescheduling.
 */
static int sweep_one(unsigned int n, unsigned int rep)
{
	struct sweep_run run = { };
	struct stretch_probe probe = { };
	struct bench_files bf = { };
	struct task_struct *t;
	unsigned int i, cpu = cpumask_first(cpu_online_mask);
	void *pool = NULL, *r;
	int err;

	err = files_create(&bf, n);
	if (err)
		goto out;
	pool = pool_alloc(IMPL_PFC, n);
	err = -ENOMEM;
	if (!pool)
		goto out;
	err = 0;
	for (i = 0; i < n; i++) {
		void *c = pool_at(IMPL_PFC, pool, i);

		ctx_init(IMPL_PFC, c, bench_owner_sweep, NULL, bench_pfc_free);
		r = impl_insert(IMPL_PFC, bf.inodes[i], c, false);
		if (IS_ERR(r)) {
			err = PTR_ERR(r);
			goto out;
		}
		if (!(i % 1024))
			cond_resched();
	}
	err = stretch_probe_start(&probe, cpu);
	if (err)
		goto out;
	msleep(20);
	stretch_probe_reset(&probe);
	init_completion(&run.done);
	t = kthread_create_on_cpu(sweep_fn, &run, cpu, "pfcb_sweep/%u");
	if (IS_ERR(t)) {
		err = PTR_ERR(t);
	} else {
		wake_up_process(t);
		wait_for_completion(&run.done);
	}
	stretch_probe_stop(&probe);
	if (!err) {
		report("remove_owner", n, "pfc", rep, run.ns, n, true);
		report("remove_owner_stretch", n, "pfc", rep, probe.max_gap_ns,
		       1, probe.runs > 0);
	}
out:
	files_release(&bf);
	pfc_barrier();
	kvfree(pool);
	return err;
}

static int bench_sweep(void)
{
	static const unsigned int sizes[] = { 1000, 100000, 1000000 };
	unsigned int rep, i;
	int err = 0;

	for (i = 0; i < ARRAY_SIZE(sizes) && !err; i++) {
		if (sizes[i] > max(max_inodes, 1000U))
			break;
		for (rep = 0; rep < min(reps, 3U) && !err; rep++)
			err = sweep_one(sizes[i], rep);
	}
	if (err)
		pr_err("PFCB error bench=sweep err=%d\n", err);
	return err;
}

/* ---- eviction with 0, 1, 16 contexts --------------------------------- */

static int evict_one(int impl, unsigned int k, unsigned int rep)
{
	struct bench_files bf = { };
	void *pool = NULL;
	unsigned int i, j;
	u64 t0, ns;
	int err;
	void *r;

	err = files_create(&bf, evict_n);
	if (err)
		goto out;
	if (k) {
		pool = pool_alloc(impl, (size_t)evict_n * k);
		err = -ENOMEM;
		if (!pool)
			goto out;
	}
	for (i = 0; i < evict_n; i++) {
		for (j = 0; j < k; j++) {
			void *c = pool_at(impl, pool, (size_t)i * k + j);

			ctx_init(impl, c, bench_owner, &bench_inst[j],
				 bench_pfc_free);
			r = impl_insert(impl, bf.inodes[i], c, false);
			if (IS_ERR(r)) {
				err = PTR_ERR(r);
				goto out;
			}
		}
		if (!(i % 1024))
			cond_resched();
	}
	t0 = ktime_get_ns();
	for (i = 0; i < evict_n; i++)
		__fput_sync(bf.files[i]);
	ns = ktime_get_ns() - t0;
	bf.n = 0;
	report("evict", k, k ? impl_name[impl] : "none", rep, ns, evict_n,
	       true);
	err = 0;
out:
	files_release(&bf);
	/* pfc's callbacks and fsnotify's mark frees, before the pool goes. */
	pfc_barrier();
	kvfree(pool);
	if (err)
		pr_err("PFCB error bench=evict err=%d\n", err);
	return err;
}

static int bench_evict(void)
{
	static const int impls[] = { IMPL_PFC, IMPL_FSN };
	unsigned int rep, ii;
	int err = 0;

	for (rep = 0; rep < reps && !err; rep++) {
		err = evict_one(IMPL_PFC, 0, rep);
		for (ii = 0; ii < ARRAY_SIZE(impls) && !err; ii++) {
			err = evict_one(impls[ii], 1, rep);
			if (!err)
				err = evict_one(impls[ii], 16, rep);
		}
	}
	return err;
}

/* ---- memory: files and contexts first, then attach ------------------- */

static struct bench_files mem_files;
static struct pfc_context *mem_ctx;

static void mem_free(void)
{
	files_release(&mem_files);
	pfc_barrier();
	kvfree(mem_ctx);
	mem_ctx = NULL;
}

static int mem_setup(unsigned long n)
{
	int err;

	mem_free();
	mem_ctx = kvcalloc(max(n, 1UL), sizeof(*mem_ctx), GFP_KERNEL);
	if (!mem_ctx)
		return -ENOMEM;
	err = files_create(&mem_files, n);
	if (err)
		mem_free();
	return err;
}

static int mem_attach(void)
{
	unsigned int i;
	int err;

	for (i = 0; i < mem_files.n; i++) {
		pfc_init_context(&mem_ctx[i], bench_owner, NULL,
				 bench_pfc_free);
		err = pfc_insert(mem_files.inodes[i], &mem_ctx[i]);
		if (err)
			return err;
		if (!(i % 1024))
			cond_resched();
	}
	pr_info("PFCB mem attached=%u ctx_size=%zu\n", mem_files.n,
		sizeof(*mem_ctx));
	return 0;
}

/* ---- debugfs ---------------------------------------------------------- */

static DEFINE_MUTEX(bench_lock); /* one command at a time */
static struct dentry *bench_dir;

/* ---- the three objects: inode, open file, superblock ----------------- */

/*
 * Lookups of one context on each of N objects in random order, and an
 * insert + remove (+ put) on an object that has its list already: inode
 * contexts ("pfc", as lookup_inodes and insert_remove), per-open contexts
 * ("pfc-file", keyed on the struct file) and per-superblock ones
 * ("pfc-sb", one superblock: N does not apply).
 */
static int bench_objects(void)
{
	static const char *const names[] = { "pfc", "pfc-file", "pfc-sb" };
	const unsigned int ns[] = { 1, 1000, max_inodes };
	struct pfc_context *ctxs = NULL, *pool = NULL, *r;
	struct pfc_context one[2];
	unsigned int ni, i, k, p, rep, n, last = 0, ops, passes;
	struct bench_files bf = { };
	struct super_block *sb;
	u64 t0, t, hits;
	u32 *perm = NULL;
	int err = 0;
	bool ok;

	for (ni = 0; ni < ARRAY_SIZE(ns) && !err; ni++) {
		n = ns[ni];
		if (n <= last)
			continue;
		last = n;
		err = files_create(&bf, n);
		ctxs = kvcalloc(2 * n, sizeof(*ctxs), GFP_KERNEL);
		perm = perm_alloc(n, true);
		if (err || !ctxs || !perm) {
			err = err ?: -ENOMEM;
			break;
		}
		for (i = 0; i < n && !err; i++) {
			pfc_init_context(&ctxs[2 * i], bench_owner, NULL,
					 bench_pfc_free);
			pfc_init_context(&ctxs[2 * i + 1], bench_owner, NULL,
					 bench_pfc_free);
			err = pfc_insert(bf.inodes[i], &ctxs[2 * i]) ?:
			      pfc_file_insert(bf.files[i], &ctxs[2 * i + 1]);
		}
		/* At least iters lookups per rep: one alone is all clock. */
		passes = max(iters / n, 1U);
		for (rep = 0; rep < reps && !err; rep++) {
			for (k = 0; k < 2; k++) {
				hits = 0;
				t0 = ktime_get_ns();
				for (p = 0; p < passes; p++) {
					rcu_read_lock();
					for (i = 0; i < n; i++)
						hits += k ?
							!!pfc_file_lookup(bf.files[perm[i]],
									  bench_owner, NULL) :
							!!pfc_lookup(bf.inodes[perm[i]],
								     bench_owner, NULL);
					rcu_read_unlock();
					if (!(p % 64))
						cond_resched();
				}
				t = ktime_get_ns() - t0;
				report("obj_lookup", n, names[k], rep, t,
				       (u64)n * passes, hits == (u64)n * passes);
			}
		}
		files_release(&bf);
		pfc_barrier();
		kvfree(ctxs);
		kvfree(perm);
		ctxs = NULL;
		perm = NULL;
	}
	if (err)
		goto out;

	/*
	 * What a file pays at open + close when its inode has (0) no mark
	 * of pfc's, (1) an inode context, (2) also a per-open context on
	 * another open of it, so that pfc's close mark asks for the close
	 * events of every file of the inode.
	 */
	err = files_create(&bf, 1);
	if (err)
		goto out;
	ops = max(iters / 16, 1U);
	for (k = 0; k < 3 && !err; k++) {
		if (k == 1) {
			pfc_init_context(&one[0], bench_owner, NULL,
					 bench_pfc_free);
			err = pfc_insert(bf.inodes[0], &one[0]);
		} else if (k == 2) {
			pfc_init_context(&one[1], bench_owner, NULL,
					 bench_pfc_free);
			err = pfc_file_insert(bf.files[0], &one[1]);
		}
		for (rep = 0; rep < reps + !k && !err; rep++) {
			t0 = ktime_get_ns();
			for (i = 0; i < ops; i++) {
				struct file *f = dentry_open(&bf.files[0]->f_path,
							     O_RDONLY,
							     current_cred());

				if (IS_ERR(f)) {
					err = PTR_ERR(f);
					break;
				}
				__fput_sync(f);
			}
			t = ktime_get_ns() - t0;
			/* The first round of all only warms up. */
			if (k || rep)
				report("obj_open_close", k, "pfc", rep - !k, t,
				       i, !err);
		}
	}
	files_release(&bf);
	pfc_barrier();
	if (err)
		goto out;

	/* insert + remove on objects that carry a context already */
	ops = max(iters / 4, 1U);
	err = files_create(&bf, 1);
	pool = kvcalloc(ops + 3, sizeof(*pool), GFP_KERNEL);
	if (err || !pool) {
		err = err ?: -ENOMEM;
		goto out;
	}
	sb = bf.inodes[0]->i_sb;
	for (k = 0; k < 3; k++)
		pfc_init_context(&pool[ops + k], bench_owner, NULL,
				 bench_pfc_free);
	err = pfc_insert(bf.inodes[0], &pool[ops]) ?:
	      pfc_file_insert(bf.files[0], &pool[ops + 1]) ?:
	      pfc_sb_insert(sb, &pool[ops + 2]);
	for (rep = 0; rep < reps && !err; rep++) {
		for (k = 0; k < 3; k++) {
			ok = true;
			for (i = 0; i < ops; i++)
				pfc_init_context(&pool[i], bench_owner2, NULL,
						 bench_pfc_free);
			t0 = ktime_get_ns();
			for (i = 0; i < ops; i++) {
				switch (k) {
				case 0:
					ok &= !pfc_insert(bf.inodes[0], &pool[i]);
					r = pfc_remove(bf.inodes[0], bench_owner2, NULL);
					break;
				case 1:
					ok &= !pfc_file_insert(bf.files[0], &pool[i]);
					r = pfc_file_remove(bf.files[0], bench_owner2, NULL);
					break;
				default:
					ok &= !pfc_sb_insert(sb, &pool[i]);
					r = pfc_sb_remove(sb, bench_owner2, NULL);
					break;
				}
				ok &= r == &pool[i];
				if (r)
					pfc_put(r);
			}
			t = ktime_get_ns() - t0;
			report("obj_insert_remove", 1, names[k], rep, t, ops, ok);
			/* The callbacks touch the pool: let them run first. */
			pfc_barrier();
		}
	}
	/* The superblock is shm_mnt's: its context goes by hand. */
	r = pfc_sb_remove(sb, bench_owner, NULL);
	if (r)
		pfc_put(r);
out:
	files_release(&bf);
	pfc_barrier();
	kvfree(pool);
	kvfree(ctxs);
	kvfree(perm);
	return err;
}

static int bench_run(const char *what)
{
	bool all = !strcmp(what, "all");
	int err = 0;

	bench_failed = 0;
	/* As many buckets as the largest sweep has inodes (at least 16). */
	fsrtl_bits = fls(max(max_inodes, 16U) - 1);
	fsrtl_hash = kvcalloc(1U << fsrtl_bits, sizeof(*fsrtl_hash),
			      GFP_KERNEL);
	if (!fsrtl_hash)
		return -ENOMEM;
	pr_info("PFCB env cpus=%u iters=%u reps=%u max_inodes=%u evict_n=%u scale_ms=%u\n",
		num_online_cpus(), iters, reps, max_inodes, evict_n, scale_ms);
	if (!err && (all || !strcmp(what, "hit")))
		err = bench_hit();
	if (!err && (all || !strcmp(what, "ops")))
		err = bench_ops();
	if (!err && (all || !strcmp(what, "inodes")))
		err = bench_inodes();
	if (!err && (all || !strcmp(what, "evict")))
		err = bench_evict();
	if (!err && (all || !strcmp(what, "objects")))
		err = bench_objects();
	if (!err && (all || !strcmp(what, "scale_insert")))
		err = bench_scale_insert();
	if (!err && (all || !strcmp(what, "sweep")))
		err = bench_sweep();
	if (!err && (all || !strcmp(what, "other_files")))
		err = bench_other_files();
	kvfree(fsrtl_hash);
	fsrtl_hash = NULL;
	pr_info("PFCB done what=%s err=%d failed=%u\n", what, err,
		bench_failed);
	return err;
}

/*
 * An open hook, optionally with a close callback, that does nothing: the
 * syscall benchmarks time opens and closes on its file system against
 * pfc not loaded.  Under bench_lock.
 */
static struct pfc_open_hook bench_hook;
static bool bench_hooked;

static int bench_hook_open(struct pfc_open_hook *hook, struct file *file)
{
	return 0;
}

static void bench_hook_close(struct pfc_open_hook *hook, struct file *file)
{
}

static int bench_hook_set(const char *how, const char *path)
{
	int err;

	if (bench_hooked)
		return -EBUSY;
	if (strcmp(how, "open") && strcmp(how, "close"))
		return -EINVAL;
	err = pfc_open_hook_init(&bench_hook, bench_hook_open);
	if (err)
		return err;
	if (!strcmp(how, "close"))
		pfc_open_hook_set_close(&bench_hook, bench_hook_close);
	err = pfc_open_watch_path(&bench_hook, path);
	if (err) {
		pfc_open_hook_release(&bench_hook);
		return err;
	}
	bench_hooked = true;
	return 0;
}

static void bench_unhook(void)
{
	if (!bench_hooked)
		return;
	pfc_open_hook_release(&bench_hook);
	bench_hooked = false;
}

static ssize_t bench_cmd_write(struct file *file, const char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	char buf[128], cmd[32], arg[32] = "", arg2[64] = "";
	unsigned long n = 0;
	int err;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%31s %31s %63s", cmd, arg, arg2) < 1)
		return -EINVAL;
	mutex_lock(&bench_lock);
	if (!strcmp(cmd, "run")) {
		err = bench_run(arg[0] ? arg : "all");
	} else if (!strcmp(cmd, "mem_setup")) {
		err = kstrtoul(arg, 0, &n) ?: mem_setup(n);
	} else if (!strcmp(cmd, "mem_attach")) {
		err = mem_attach();
	} else if (!strcmp(cmd, "mem_free")) {
		mem_free();
		err = 0;
	} else if (!strcmp(cmd, "hook")) {
		err = bench_hook_set(arg, arg2[0] ? arg2 : "/tmp");
	} else if (!strcmp(cmd, "unhook")) {
		bench_unhook();
		err = 0;
	} else {
		err = -EINVAL;
	}
	mutex_unlock(&bench_lock);
	return err ?: len;
}

static const struct file_operations bench_cmd_fops = {
	.owner = THIS_MODULE,
	.write = bench_cmd_write,
};

static int __init pfc_bench_init(void)
{
	if (pfc_label && *pfc_label)
		impl_name[IMPL_PFC] = pfc_label;
	/* Evictable marks are destroyed from reclaim: see compat.h. */
	fsn_group = fsnotify_alloc_group(&fsn_ops, PFC_GROUP_NOFS);
	if (IS_ERR(fsn_group))
		return PTR_ERR(fsn_group);
	bench_dir = debugfs_create_dir("pfc_bench", NULL);
	debugfs_create_file("cmd", 0200, bench_dir, NULL, &bench_cmd_fops);
	return 0;
}

static void __exit pfc_bench_exit(void)
{
	debugfs_remove_recursive(bench_dir);
	bench_unhook();
	mem_free();
	/* Every file is gone, so is every mark: the group can go. */
	fsnotify_put_group(fsn_group);
	fsnotify_wait_marks_destroyed();
	wait_for_completion(&fsn_group_freed);
	pfc_barrier();
}

module_init(pfc_bench_init);
module_exit(pfc_bench_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pfc benchmarks against FSRTL-, IMA- and fsnotify-style designs");
MODULE_AUTHOR("The pfc authors");
