// SPDX-License-Identifier: GPL-2.0
/*
 * pfc_guard - the deny list: a sorted array of SHA-256 digests
 *
 * Readers (every open that needs a verdict) search the array under
 * rcu_read_lock() and take no lock.  Writers (root, through the "deny"
 * control file) are serialised by guard_deny_mutex: each change builds a
 * new array, publishes it with rcu_assign_pointer() and frees the old one
 * after a grace period.
 *
 * GENERATION
 *
 * guard_deny_gen counts the changes.  A cached verdict records the
 * generation it was computed against and is recomputed (from the cached
 * digest, without reading the file again) when the generation moved.  The
 * writer publishes the new array before it bumps the generation, with
 * release ordering; a reader reads the generation with acquire ordering
 * before it searches the array.  So a reader that saw the new generation
 * searches the new array, and a reader that may have searched the old
 * array recorded an old generation: its verdict is recomputed on the next
 * open.  No verdict computed against an old list survives a change.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bsearch.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "guard.h"

/**
 * struct guard_denylist - one immutable version of the deny list
 * @rcu: frees this version a grace period after it was replaced.
 * @count: number of digests, at least 1 (an empty list is a NULL pointer).
 * @digests: the digests, sorted by memcmp(), no duplicates.  Never written
 *	after the version is published.
 */
struct guard_denylist {
	struct rcu_head rcu;
	unsigned int count;
	u8 digests[][SHA256_DIGEST_SIZE];
};

/* The current version; written under guard_deny_mutex, read under RCU. */
static struct guard_denylist __rcu *guard_deny;
/* Serialises writers of guard_deny and guard_deny_gen. */
static DEFINE_MUTEX(guard_deny_mutex);
/* Bumped after each change of guard_deny, see GENERATION above. */
static unsigned long guard_deny_gen;

static unsigned int max_digests = 65536;
module_param(max_digests, uint, 0444);
MODULE_PARM_DESC(max_digests, "most digests the deny list holds (default 65536)");

static int guard_digest_cmp(const void *key, const void *elt)
{
	return memcmp(key, elt, SHA256_DIGEST_SIZE);
}

/**
 * guard_deny_match() - is a digest on the deny list?
 * @digest: a SHA-256 digest
 *
 * Call guard_deny_generation() first and record its value with the result.
 *
 * Context: Any context; takes no lock.
 * Return: true if @digest is on the list.
 */
bool guard_deny_match(const u8 digest[SHA256_DIGEST_SIZE])
{
	const struct guard_denylist *list;
	bool found = false;

	rcu_read_lock();
	list = rcu_dereference(guard_deny);
	if (list)
		found = bsearch(digest, list->digests, list->count,
				SHA256_DIGEST_SIZE, guard_digest_cmp);
	rcu_read_unlock();
	return found;
}

/**
 * guard_deny_generation() - how many times the deny list has changed
 *
 * Context: Any context.
 * Return: the generation; read before guard_deny_match(), see GENERATION.
 */
unsigned long guard_deny_generation(void)
{
	/* Pairs with smp_store_release() in guard_deny_publish(). */
	return smp_load_acquire(&guard_deny_gen);
}

/**
 * guard_deny_count() - number of digests on the deny list
 *
 * Context: Any context.
 * Return: the number of digests.
 */
unsigned int guard_deny_count(void)
{
	const struct guard_denylist *list;
	unsigned int count;

	rcu_read_lock();
	list = rcu_dereference(guard_deny);
	count = list ? list->count : 0;
	rcu_read_unlock();
	return count;
}

/* Replace the list by @new (NULL: empty), then bump the generation. */
static void guard_deny_publish(struct guard_denylist *new)
{
	struct guard_denylist *old;

	old = rcu_dereference_protected(guard_deny,
					lockdep_is_held(&guard_deny_mutex));
	rcu_assign_pointer(guard_deny, new);
	/* Pairs with smp_load_acquire() in guard_deny_generation(). */
	smp_store_release(&guard_deny_gen, guard_deny_gen + 1);
	if (old)
		kvfree_rcu(old, rcu);
}

/* Add (@add) or remove @digest; caller holds guard_deny_mutex. */
static int guard_deny_change(const u8 digest[SHA256_DIGEST_SIZE], bool add)
{
	const struct guard_denylist *old;
	struct guard_denylist *new = NULL;
	unsigned int n, pos, count;
	int cmp = 1;

	old = rcu_dereference_protected(guard_deny,
					lockdep_is_held(&guard_deny_mutex));
	n = old ? old->count : 0;
	for (pos = 0; pos < n; pos++) {
		cmp = memcmp(old->digests[pos], digest, SHA256_DIGEST_SIZE);
		if (cmp >= 0)
			break;
	}
	if (add && pos < n && !cmp)
		return 0;
	if (!add && (pos == n || cmp))
		return -ENOENT;
	if (add && n >= max_digests)
		return -ENOSPC;

	count = add ? n + 1 : n - 1;
	if (count) {
		new = kvmalloc(struct_size(new, digests, count),
			       GFP_KERNEL_ACCOUNT);
		if (!new)
			return -ENOMEM;
		new->count = count;
		if (pos)
			memcpy(new->digests, old->digests,
			       pos * SHA256_DIGEST_SIZE);
		if (add) {
			memcpy(new->digests[pos], digest, SHA256_DIGEST_SIZE);
			if (n > pos)
				memcpy(new->digests[pos + 1], old->digests[pos],
				       (n - pos) * SHA256_DIGEST_SIZE);
		} else if (n > pos + 1) {
			memcpy(new->digests[pos], old->digests[pos + 1],
			       (n - pos - 1) * SHA256_DIGEST_SIZE);
		}
	}
	guard_deny_publish(new);
	return 0;
}

/**
 * guard_deny_parse() - apply a control-file write to the deny list
 * @buf: NUL-terminated words separated by white space: a digest in hex
 *	(64 digits, either case) or "+<digest>" adds it, "-<digest>" removes
 *	it, "clear" empties the list.
 *
 * Words are applied in order; on an error the words before the bad one
 * stay applied.  Adding a digest that is there already changes nothing.
 *
 * Context: Process context; sleeps.
 * Return: 0, -EINVAL for a malformed word, -ENOENT to remove a digest that
 * is not there, -ENOSPC when the list holds max_digests, -ENOMEM.
 */
int guard_deny_parse(char *buf)
{
	u8 digest[SHA256_DIGEST_SIZE];
	char *word;
	bool add;
	int err = 0;

	mutex_lock(&guard_deny_mutex);
	while (!err && (word = strsep(&buf, " \t\n"))) {
		if (!*word)
			continue;
		if (!strcmp(word, "clear")) {
			if (rcu_access_pointer(guard_deny))
				guard_deny_publish(NULL);
			continue;
		}
		add = *word != '-';
		if (*word == '-' || *word == '+')
			word++;
		if (strlen(word) != 2 * SHA256_DIGEST_SIZE ||
		    hex2bin(digest, word, SHA256_DIGEST_SIZE)) {
			err = -EINVAL;
			break;
		}
		err = guard_deny_change(digest, add);
	}
	mutex_unlock(&guard_deny_mutex);
	return err;
}

/**
 * guard_deny_show() - list the deny list, one hex digest per line
 * @m: the seq_file of the control file
 *
 * Context: Process context.
 */
void guard_deny_show(struct seq_file *m)
{
	const struct guard_denylist *list;
	unsigned int i;

	rcu_read_lock();
	list = rcu_dereference(guard_deny);
	for (i = 0; list && i < list->count; i++)
		seq_printf(m, "%*phN\n", SHA256_DIGEST_SIZE, list->digests[i]);
	rcu_read_unlock();
}

/**
 * guard_deny_exit() - free the deny list at module exit
 *
 * Context: Process context, once no reader can run any more.
 */
void guard_deny_exit(void)
{
	struct guard_denylist *list;

	mutex_lock(&guard_deny_mutex);
	list = rcu_dereference_protected(guard_deny,
					 lockdep_is_held(&guard_deny_mutex));
	RCU_INIT_POINTER(guard_deny, NULL);
	mutex_unlock(&guard_deny_mutex);
	kvfree(list);
}
