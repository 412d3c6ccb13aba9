// SPDX-License-Identifier: GPL-2.0
/*
 * pfc - per-file contexts for loadable kernel modules: contexts and the
 * context list every object shares
 *
 * OBJECTS
 *
 * A consumer embeds a struct pfc_context in its own structure and attaches
 * it to one object at a time.  Three kinds of objects carry contexts, each
 * through one struct pfc_clist found by a lock-free lookup keyed on the
 * object's pointer, and each ended by a different part of the kernel:
 *
 *  - an inode (inode.c): struct pfc_entry, with an fsnotify inode mark of
 *    one of pfc's groups; ended when the inode is destroyed, its last link goes,
 *    or its file system is unmounted, each of which destroys the mark;
 *  - a superblock (super.c): the same struct pfc_entry with a superblock
 *    mark; ended by umount (generic_shutdown_super() ->
 *    fsnotify_sb_delete());
 *  - an open file (file.c): struct pfc_fentry, a child of its inode's
 *    entry; ended by the file's last fput(), which pfc hears as the
 *    FS_CLOSE event fsnotify sends from __fput() before ->release(), or
 *    by the death of the inode's entry, whichever comes first.
 *
 * None of them keeps its object alive: a mark has no inode reference
 * (FSNOTIFY_MARK_FLAG_NO_IREF), a superblock mark no active reference, and
 * a file's entry no file reference.
 *
 * REFCNT
 *
 * A context starts with one reference (pfc_init_context()).  A successful
 * insert hands it to the object's list; pfc_get(), the lookup_get and
 * insert_unique calls take more, pfc_put() drops one.  Unlinking a context
 * (remove, replace, teardown, pfc_remove_owner(), the object's death)
 * moves or drops the list's reference.  A linked context therefore always
 * has a reference; when the last one goes, the context is unlinked
 * already, and its free callback is queued behind an RCU grace period:
 * pfc_put() queues it with call_rcu(), the RCU callback moves it to
 * pfc_free_list, and pfc_free_work calls it in process context with no pfc
 * lock held.  pfc_barrier() waits for both stages.
 *
 * LISTS
 *
 * Every list (struct pfc_clist) has its lock, its state and its contexts,
 * newest first.  Readers walk the contexts under rcu_read_lock() only;
 * writers hold the list's lock and link only into a LIVE list; the object
 * that dies makes its list DEAD and drops its contexts in one section of
 * that lock.  The functions below are the only ones that link and unlink
 * contexts, for all three objects.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/module.h>
#include <linux/rculist.h>
#include <linux/workqueue.h>

#include "pfc.h"
#include "internal.h"

#define CREATE_TRACE_POINTS
#include "pfc_trace.h"

/* Contexts whose grace period has passed, waiting for their callback. */
static LLIST_HEAD(pfc_free_list);
static void pfc_free_workfn(struct work_struct *work);
static DECLARE_WORK(pfc_free_work, pfc_free_workfn);
static struct workqueue_struct *pfc_wq;
/*
 * Callbacks queued by free callbacks (a callback that drops the last
 * reference to another context): pfc_barrier() waits for those too.
 */
static atomic_long_t pfc_nested_queued = ATOMIC_LONG_INIT(0);

DEFINE_PER_CPU(unsigned long[PFC_STAT_NR], pfc_stats);

unsigned long pfc_stat_sum(enum pfc_stat stat)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(pfc_stats, cpu)[stat];
	return sum;
}

/**
 * pfc_init_context() - initialise a per-file context before inserting it
 * @ctx: the context, usually embedded in the caller's structure
 * @owner: the owner key; must not be NULL for pfc_insert() to accept @ctx
 * @instance: optional instance key, or NULL
 * @free: called once after @ctx is unlinked and its last reference dropped
 *
 * The counterpart of FsRtlInitPerFileContext().  @ctx gets one reference,
 * which a successful insert hands to the object it is inserted on.
 *
 * Context: Any context.
 */
void pfc_init_context(struct pfc_context *ctx, const void *owner,
		      const void *instance, pfc_free_fn free)
{
	ctx->owner = owner;
	ctx->instance = instance;
	ctx->free = free;
	refcount_set(&ctx->ref, 1);
	ctx->flags = 0;
	ctx->unlinked = 0;
	INIT_HLIST_NODE(&ctx->node);
}
EXPORT_SYMBOL_NS_GPL(pfc_init_context, PFC);

static void pfc_ctx_rcu(struct rcu_head *head)
{
	struct pfc_context *ctx = container_of(head, struct pfc_context, rcu);

	llist_add(&ctx->free_node, &pfc_free_list);
	queue_work(pfc_wq, &pfc_free_work);
}

static void pfc_free_workfn(struct work_struct *work)
{
	struct llist_node *list = llist_reverse_order(llist_del_all(&pfc_free_list));
	struct pfc_context *ctx, *next;

	llist_for_each_entry_safe(ctx, next, list, free_node) {
		trace_pfc_free(ctx);
		ctx->free(ctx);
		pfc_stat_inc(PFC_STAT_CALLBACKS);
		cond_resched();
	}
}

/**
 * pfc_get() - take one more reference to a context
 * @ctx: a context the caller holds a reference on
 *
 * For instance before inserting @ctx, to keep using it afterwards without
 * a lookup: the insert takes the reference pfc_init_context() gave, and the
 * caller drops this one with pfc_put().
 *
 * Context: Any context.
 */
void pfc_get(struct pfc_context *ctx)
{
	refcount_inc(&ctx->ref);
}
EXPORT_SYMBOL_NS_GPL(pfc_get, PFC);

/**
 * pfc_put() - drop a reference to a per-file context
 * @ctx: the context
 *
 * The counterpart of FltReleaseContext().  When the last reference of a
 * context that was inserted and has been unlinked goes away, its free
 * callback is queued to run after an RCU grace period.  The last reference
 * of a context that was never inserted just returns it to its owner: no
 * callback.
 *
 * Context: Any context.
 */
void pfc_put(struct pfc_context *ctx)
{
	if (!refcount_dec_and_test(&ctx->ref))
		return;
	/* The list owns a reference: a linked context cannot get here. */
	if (WARN_ON_ONCE(test_bit(PFC_CTX_LINKED, &ctx->flags)))
		return;
	if (!test_bit(PFC_CTX_INSERTED, &ctx->flags))
		return;
	pfc_stat_inc(PFC_STAT_QUEUED);
	if (current_work() == &pfc_free_work)
		atomic_long_inc(&pfc_nested_queued);
	call_rcu(&ctx->rcu, pfc_ctx_rcu);
}
EXPORT_SYMBOL_NS_GPL(pfc_put, PFC);

/**
 * pfc_barrier() - wait for pending free callbacks
 *
 * Returns once every free callback queued before the call has run, and
 * every callback that those queued in turn (a free callback may drop the
 * last reference to another context).
 *
 * Context: Process context; sleeps.
 */
void pfc_barrier(void)
{
	long nested;

	might_sleep();
	do {
		nested = atomic_long_read(&pfc_nested_queued);
		rcu_barrier();
		flush_work(&pfc_free_work);
	} while (atomic_long_read(&pfc_nested_queued) != nested);
}
EXPORT_SYMBOL_NS_GPL(pfc_barrier, PFC);

/*
 * Validate an insert of @ctx and claim it.  On success PFC_CTX_LINKED is
 * set, so a concurrent insert of the same context fails with -EINVAL;
 * pfc_ctx_unclaim() gives it back if the insert fails later.
 */
int pfc_ctx_claim(struct pfc_context *ctx)
{
	if (!ctx || !ctx->owner || !ctx->free)
		return -EINVAL;
	if (test_and_set_bit_lock(PFC_CTX_LINKED, &ctx->flags))
		return -EINVAL;
	/*
	 * A context that was removed may still be seen by lockless readers
	 * of its old list: let them finish before it joins another list.
	 */
	if (test_bit(PFC_CTX_INSERTED, &ctx->flags))
		cond_synchronize_rcu(ctx->unlinked);
	return 0;
}

void pfc_ctx_unclaim(struct pfc_context *ctx)
{
	clear_bit_unlock(PFC_CTX_LINKED, &ctx->flags);
}

/*
 * @ctx is off @list (unlinked or replaced): the caller inherits the list's
 * reference.
 */
static void pfc_clist_left(struct pfc_clist *list, struct pfc_context *ctx)
{
	trace_pfc_unlink(list, ctx);
	ctx->unlinked = get_state_synchronize_rcu();
	/* Pairs with test_and_set_bit_lock() in pfc_ctx_claim(). */
	clear_bit_unlock(PFC_CTX_LINKED, &ctx->flags);
	pfc_stat_inc(PFC_STAT_REMOVES);
}

static void pfc_clist_unlink(struct pfc_clist *list, struct pfc_context *ctx)
{
	lockdep_assert_held(&list->lock);
	hlist_del_rcu(&ctx->node);
	pfc_clist_left(list, ctx);
}

/* The attached context with exactly @ctx's keys, newest first, if any. */
static struct pfc_context *pfc_clist_same_key(struct pfc_clist *list,
					      const struct pfc_context *ctx)
{
	struct pfc_context *old;

	hlist_for_each_entry(old, &list->contexts, node)
		if (old->owner == ctx->owner && old->instance == ctx->instance)
			return old;
	return NULL;
}

/**
 * pfc_clist_add() - link a claimed context into a live list
 * @list: the list, locked and LIVE
 * @ctx: claimed by pfc_ctx_claim()
 * @mode: see enum pfc_add_mode
 *
 * Return: NULL when @ctx was linked and nothing else changed.  With
 * PFC_ADD_UNIQUE, the context that has @ctx's keys, with a reference taken,
 * and @ctx untouched and unclaimed.  With PFC_ADD_REPLACE, the context that
 * @ctx replaced, unlinked, with the list's reference.
 */
struct pfc_context *pfc_clist_add(struct pfc_clist *list,
				  struct pfc_context *ctx,
				  enum pfc_add_mode mode)
{
	struct pfc_context *old = NULL;

	lockdep_assert_held(&list->lock);
	if (mode != PFC_ADD)
		old = pfc_clist_same_key(list, ctx);
	if (old && mode == PFC_ADD_UNIQUE) {
		/* Linked: the list's reference keeps it above zero. */
		refcount_inc(&old->ref);
		pfc_ctx_unclaim(ctx);
		return old;
	}
	set_bit(PFC_CTX_INSERTED, &ctx->flags);
	/*
	 * A replace is one store: a lockless reader that walks past the
	 * place sees either @old or @ctx, never both and never neither.
	 * @ctx takes @old's place in the order.
	 */
	if (old)
		hlist_replace_rcu(&old->node, &ctx->node);
	else
		hlist_add_head_rcu(&ctx->node, &list->contexts);
	trace_pfc_insert(list, ctx);
	pfc_stat_inc(PFC_STAT_INSERTS);
	if (old)
		pfc_clist_left(list, old);
	return old;
}

/*
 * Unlink the newest match; the caller gets its reference.  Under
 * rcu_read_lock(), which keeps @list's memory; takes its lock.  A dead
 * list is empty: no need to check its state.
 */
struct pfc_context *pfc_clist_remove(struct pfc_clist *list, const void *owner,
				     const void *instance)
{
	struct pfc_context *ctx;

	spin_lock(&list->lock);
	ctx = pfc_clist_match(list, owner, instance);
	if (ctx)
		pfc_clist_unlink(list, ctx);
	spin_unlock(&list->lock);
	return ctx;
}

/* Unlink and put every context of a locked list that @owner matches. */
unsigned int pfc_clist_drop(struct pfc_clist *list, const void *owner)
{
	struct pfc_context *ctx;
	struct hlist_node *tmp;
	unsigned int n = 0;

	lockdep_assert_held(&list->lock);
	hlist_for_each_entry_safe(ctx, tmp, &list->contexts, node) {
		if (!pfc_match(ctx, owner, NULL))
			continue;
		pfc_clist_unlink(list, ctx);
		pfc_put(ctx);
		n++;
	}
	return n;
}

int __init pfc_contexts_init(void)
{
	pfc_wq = alloc_workqueue("pfc", WQ_UNBOUND, 0);
	return pfc_wq ? 0 : -ENOMEM;
}

/* After every object is gone: run what is queued, then stop. */
void pfc_contexts_exit(void)
{
	pfc_barrier();
	destroy_workqueue(pfc_wq);
}
