// SPDX-License-Identifier: GPL-2.0
/*
 * pfc_guard - deny opening files whose content is on a SHA-256 deny list
 *
 * A sample security module built on pfc.  It is a plain loadable module,
 * not an LSM: pfc's open hook (an fsnotify FS_OPEN_PERM superblock watch on
 * each file system named by the "watch" parameter or control file) calls
 * guard_open() on every open of a file there, after the LSM file_open hook
 * and before the file system's ->open().  For a regular file it computes
 * the SHA-256 digest of the content and fails the open with EACCES if the
 * digest is on the deny list (denylist.c).  Control files, root only:
 *
 *	/sys/kernel/debug/pfc_guard/deny   write digests (see
 *	                                   guard_deny_parse()), read the list
 *	/sys/kernel/debug/pfc_guard/watch  write a path: watch its file system
 *	/sys/kernel/debug/pfc_guard/stats  counters, "name value" per line
 *
 * THE VERDICT CACHE
 *
 * Hashing the file on every open would be ruinous, so the digest and the
 * verdict are cached in a pfc context (struct guard_ctx) on the inode that
 * holds the content, pfc_file_data_inode(): the file's own inode, except
 * on overlayfs, where it is the real (upper or lower) inode behind the
 * overlay inode.  Every name of that content (the overlay's, the lower
 * directory's, another overlay's on the same lower layer) shares the one
 * verdict, and a copy-up, which moves the content to a new upper inode,
 * starts with none.  An open finds the verdict with pfc_lookup() under RCU
 * and uses it when nothing that could have changed the content has
 * happened since it was computed:
 *
 *  - the change indicators of the data inode are the same: i_version
 *    where the file system keeps one (SB_I_VERSION: tmpfs, ext4, xfs,
 *    btrfs), and ctime, mtime and size everywhere;
 *  - nobody has the file open for write now (i_writecount of the file's
 *    inode and of the data inode: a shared writable mapping of an overlay
 *    file maps the real file and holds only the real inode's count), and
 *    no open for write went through the hook since (it clears the
 *    verdict);
 *  - the deny list is the same (generation); if not, the verdict is
 *    recomputed from the cached digest, without reading the file again.
 *
 * At the last close of a file that was open for write, if no other writer
 * is left, the close hook (guard_close()) hashes the content again and
 * caches the fresh verdict: the next open is a cache hit instead of a
 * hash.  It hashes even when the change indicators did not move: not
 * every change moves them (EXT4_IOC_MOVE_EXT, which any writer of two
 * files may call, leaves the donor's unwritten range reading as zeros
 * with i_version, ctime, mtime and size as they were; XFS's open by
 * handle sets FMODE_NOCMTIME).  Each open for write that the guard saw
 * succeed carries a per-open pfc context (struct guard_open_ctx,
 * attached by the opened callback, guard_opened()): who opened it and
 * the indicators at that moment.  At its last close the record says
 * whether the indicators moved while it was open (its writes or another
 * writer's), and a verdict that turns to "denied" there is logged with
 * the last writer to close, who by then may have exited (the last
 * reference can be a child's, or a mapping's).
 *
 * What remains is the window the open hook cannot close: between a write
 * and the writer's last close, an open by someone else finds no usable
 * verdict (a writer is open), hashes what is there at that moment and is
 * decided on that; content the writer stores afterwards is judged at the
 * writer's last close (and, should that find another writer, at the next
 * open).
 *
 * Verdicts are cached only where every change of content is made by this
 * kernel and so shows in i_writecount or the indicators
 * (guard_fs_cacheable(): ext2/3/4, xfs, btrfs, and tmpfs on 6.12; not
 * tmpfs on 6.1, see RACES 3).  On other file systems (FUSE, whose server
 * can change what a read returns at any moment; network file systems;
 * anything else) every open hashes the file.  FUSE is not watched at all
 * (the control file refuses it with EOPNOTSUPP): reading the file in the
 * hook would wait for the FUSE server inside fsnotify's SRCU section.
 *
 * WHAT TO WATCH
 *
 * The hook sees the opens of the superblocks it watches, and overlayfs
 * differs between the kernels pfc supports (README, "File systems"):
 *
 *  - 6.12: an open through an overlay sends FS_OPEN_PERM on the overlay
 *    (the file's inode is the overlay inode) and then, from ovl_open(),
 *    on the real file system for the backing file overlayfs opens there
 *    (FMODE_BACKING, real inode, the mounter's credentials);
 *  - 6.1: the real file is opened with FMODE_NONOTIFY: only the overlay's
 *    superblock gets an event, a hook on the real file system sees no
 *    open made through the overlay.
 *
 * So: watch the file systems that hold the files and every overlay mounted
 * on them.  On 6.12 watching the real file systems alone suffices; on 6.1
 * an overlay that is not watched is a way around the guard.
 *
 * The context dies with the inode (eviction, drop_caches, umount, the last
 * close of an unlinked file), so a recycled inode never meets an old
 * verdict.  Hard links and renames keep it: same inode, same content.
 *
 * RACES: WHY A MODIFIED FILE CANNOT REUSE A STALE "ALLOWED"
 *
 * The danger is a verdict computed on content A and cached with change
 * indicators that still match after the content became B.  Content changes
 * in two ways:
 *
 * 1. Through a file open for write (write, mmap, fallocate, splice,
 *    copy_file_range, O_TRUNC, ...).  Such a file raises i_writecount for
 *    as long as it (or a mapping of it) exists, and its open went through
 *    guard_open() on a watched file system.  guard_check() caches nothing
 *    if i_writecount is positive before or after hashing, and publishes
 *    only if ctx->write_seq, which every open for write bumps under
 *    ctx->lock, did not move while it hashed; a verdict published before
 *    such an open is cleared by it, under the same lock, before the writer
 *    can write.  The context is inserted before the hasher reads
 *    i_writecount, with a full barrier between the two, and a writer
 *    raises i_writecount with a fully ordered atomic before it looks the
 *    context up: either the writer finds the context and bumps write_seq,
 *    or the hasher sees the writer in i_writecount.  This covers writes
 *    that move no indicator at all, such as stores through a shared
 *    mapping of a tmpfs file, which has no ->page_mkwrite() to update
 *    mtime.
 *
 * 2. Without an open file: truncate(2).  It holds i_writecount raised
 *    while it runs and changes size, ctime and i_version.  The indicators
 *    are sampled before hashing and compared after it (and the cached set
 *    on every open), so a change while hashing is not cached.  A write
 *    updates the indicators before it copies the data, so content read
 *    while hashing either predates the change or the sample after hashing
 *    sees it.  Where there is no i_version, timestamps are coarse (a few
 *    ms): two changes within one tick look the same.  As in git's "racily
 *    clean" rule, a file whose ctime is not older than the current time is
 *    hashed but not cached, so any later change gets a different ctime.
 *
 * 3. Through an overlay.  An open for write there raises the overlay
 *    inode's i_writecount before the hook and the real inode's only in
 *    ->open(), after it; a writer's hook bumps write_seq of the data inode
 *    as it is then (the lower inode, before a copy-up).  The hasher reads
 *    both counts, so the argument of 1. holds with the overlay inode's
 *    count.  A copy-up while the hasher reads moves pfc_file_data_inode()
 *    to the new upper inode: the hasher samples it again after hashing
 *    and caches nothing if it moved, since what it read may be either
 *    inode's content.  Writes to the lower or upper directory behind the
 *    overlay's back are opens on the real file system (watch it) and move
 *    the data inode's indicators, which is what the verdict is checked
 *    against.  That argument needs the writer's open of the real file to
 *    reach the hook, which it does on 6.12 (the backing file's open on
 *    the real file system) and not on 6.1 (FMODE_NONOTIFY): there a
 *    writer through one overlay, stalled after its hook (by a lease, in
 *    break_lease()), lets a hasher that reaches the same upper inode
 *    another way (the upper directory, a nested overlay) cache a verdict
 *    that a later store through a mapping makes stale without moving any
 *    indicator, on tmpfs.  So on 6.1 tmpfs verdicts are not cached; disk
 *    file systems move ctime on such a store (->page_mkwrite()).
 *
 * A verdict is computed from a digest and a deny-list generation read
 * before the list is searched (see denylist.c), so a change of the list
 * is always seen by the next open.
 *
 * LIMITS
 *
 * Deny-on-open checks the content as it is when the file is opened, as IMA
 * appraisal does.  A process that already has the file open for write, or
 * mapped shared and writable, can change it after another open was allowed;
 * nothing is checked again on read, mmap or exec of an open file.  What the
 * cache guarantees is that every open gets the verdict on the content as it
 * is at that open.  Changes that neither go through an open on a watched
 * file system nor move the indicators are not seen: writes to the block
 * device under a mounted file system, changes made by another machine on a
 * network file system, kernel writers that open with FMODE_NONOTIFY,
 * I/O that another file makes into the pages of a shared writable mapping
 * of the file (an O_DIRECT or asynchronous read, a FUSE direct-I/O read,
 * with that mapping as its buffer: it pins the pages, not the file, and
 * can complete after the file's last close), and, where there is no
 * i_version, a clock stepped backwards.  Watch local
 * file systems.  A file that cannot be read (I/O error, no memory) cannot
 * be checked and its open fails with that error: the guard fails closed.
 * So does a file larger than the max_size parameter (EACCES): hashing runs
 * inside fsnotify's SRCU read section (see pfc.h), and an unbounded hash
 * would hold up every fsnotify mark destruction on the machine.
 *
 * The guard sees only the file systems it watches.  Content on any other
 * is not checked: a user who may mount (in a user namespace, on Debian by
 * default) can mount a tmpfs of their own.  On 6.1 the same goes for an
 * overlay a user mounts in a user namespace over watched directories: its
 * superblock is new and unwatched, and overlayfs opens the real files
 * with FMODE_NONOTIFY, so no hook sees those opens at all; there the
 * guard covers only users who cannot mount (kernel.unprivileged_userns_clone=0).
 * On 6.12 the real file's open reaches the watched file system's hook.
 * A process with CAP_SYS_ADMIN can write through a fanotify event's file
 * descriptor, which is opened with FMODE_NONOTIFY.  Copy-up opens the
 * lower file through the hook (6.1 and 6.12), so chmod, utimes or an
 * open for write through an overlay of a lower file that is denied, or
 * larger than max_size, fails with EACCES.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/hash.h>
#include <linux/atomic.h>
#include <linux/cred.h>
#include <linux/debugfs.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iversion.h>
#include <linux/magic.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/namei.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/time64.h>

#include "compat.h"
#include "pfc.h"
#include "guard.h"

/* Bytes read from the file per crypto_shash_update(). */
#define GUARD_CHUNK		(16 * 1024)
/* Largest write accepted by a control file. */
#define GUARD_WRITE_MAX		(64 * 1024)

/**
 * struct guard_snap - the change indicators of an inode at one moment
 * @iversion: inode_query_iversion() where @has_iversion, else 0.
 * @ctime: inode_get_ctime().
 * @mtime: inode_get_mtime().
 * @size: i_size_read().
 * @has_iversion: the file system keeps i_version (IS_I_VERSION()).
 *
 * Read without the inode lock.  A torn timestamp can only differ from
 * every value the inode really had, which makes the comparison fail: the
 * safe direction.
 */
struct guard_snap {
	u64 iversion;
	struct timespec64 ctime;
	struct timespec64 mtime;
	loff_t size;
	bool has_iversion;
};

/**
 * struct guard_ctx - pfc_guard's cached verdict on one inode
 * @pfc: the pfc context; owner guard_owner, no instance.  Lives until pfc
 *	calls guard_ctx_free(), after the inode is evicted, its file system
 *	unmounted, or pfc_remove_owner() at module exit.
 * @lock: protects every field below.  Taken inside rcu_read_lock() and
 *	nests inside nothing else; no allocation or sleep under it.
 * @write_seq: bumped by every open for write, see RACES in the opening
 *	comment; a hasher publishes only if it did not move while it hashed.
 * @valid: @snap, @digest, @gen and @denied describe the content.  Cleared
 *	by an open for write and when @snap no longer matches the inode.
 * @snap: the indicators sampled before the content was hashed.
 * @digest: SHA-256 of the content.
 * @gen: deny-list generation @denied was computed against.
 * @denied: the verdict: @digest is on the deny list of generation @gen.
 */
struct guard_ctx {
	struct pfc_context pfc;
	spinlock_t lock; /* see above */
	unsigned long write_seq;
	bool valid;
	struct guard_snap snap;
	u8 digest[SHA256_DIGEST_SIZE];
	unsigned long gen;
	bool denied;
};

/**
 * struct guard_open_ctx - pfc_guard's record of one open for write
 * @pfc: the per-open pfc context; owner guard_owner, instance
 *	guard_open_key.  Dies at the file's last fput(), after guard_close().
 * @at_open: the data inode's indicators once the open had succeeded.
 * @tgid: the opener's thread-group id.
 * @uid: the opener's uid.
 * @comm: the opener's command name.
 *
 * Written before the insert and never after: readers need no lock.
 */
struct guard_open_ctx {
	struct pfc_context pfc;
	struct guard_snap at_open;
	pid_t tgid;
	kuid_t uid;
	char comm[TASK_COMM_LEN];
};

/* Counters, per CPU so that cache hits do not share a cache line. */
enum guard_stat {
	GUARD_STAT_OPENS,		/* opens of regular files checked */
	GUARD_STAT_HITS,		/* verdict taken from the cache */
	GUARD_STAT_MISSES,		/* no usable cached verdict */
	GUARD_STAT_HASHES,		/* files hashed */
	GUARD_STAT_HASHED_BYTES,	/* bytes hashed */
	GUARD_STAT_DENIALS,		/* opens failed with EACCES */
	GUARD_STAT_REVALIDATIONS,	/* verdict redone for a new deny list */
	GUARD_STAT_INVALIDATIONS,	/* cached verdict found stale */
	GUARD_STAT_WRITE_OPENS,		/* opens for write (clear the verdict) */
	GUARD_STAT_UNCACHED,		/* hashed but not cached, see RACES */
	GUARD_STAT_ERRORS,		/* could not hash: open failed */
	GUARD_STAT_TOO_BIG,		/* larger than max_size: denied */
	GUARD_STAT_UNSUPPORTED,		/* data on FUSE below an overlay: denied */
	GUARD_STAT_CLOSE_CHECKS,	/* re-hashed at a writer's last close */
	GUARD_STAT_CLOSE_BUSY,		/* not: other writers remain */
	GUARD_STAT_CLOSE_WROTE,		/* indicators moved while open */
	GUARD_STAT_CLOSE_DENIED,	/* re-hash at close found it denied */
	GUARD_STAT_OPEN_RECORDS,	/* per-open records attached */
	GUARD_STAT_NR
};

static const char *const guard_stat_names[GUARD_STAT_NR] = {
	[GUARD_STAT_OPENS] = "opens",
	[GUARD_STAT_HITS] = "hits",
	[GUARD_STAT_MISSES] = "misses",
	[GUARD_STAT_HASHES] = "hashes",
	[GUARD_STAT_HASHED_BYTES] = "hashed_bytes",
	[GUARD_STAT_DENIALS] = "denials",
	[GUARD_STAT_REVALIDATIONS] = "revalidations",
	[GUARD_STAT_INVALIDATIONS] = "invalidations",
	[GUARD_STAT_WRITE_OPENS] = "write_opens",
	[GUARD_STAT_UNCACHED] = "uncached",
	[GUARD_STAT_ERRORS] = "errors",
	[GUARD_STAT_TOO_BIG] = "too_big",
	[GUARD_STAT_UNSUPPORTED] = "unsupported",
	[GUARD_STAT_CLOSE_CHECKS] = "close_checks",
	[GUARD_STAT_CLOSE_BUSY] = "close_busy",
	[GUARD_STAT_CLOSE_WROTE] = "close_wrote",
	[GUARD_STAT_CLOSE_DENIED] = "close_denied",
	[GUARD_STAT_OPEN_RECORDS] = "open_records",
};

static DEFINE_PER_CPU(unsigned long[GUARD_STAT_NR], guard_stats);

static void guard_stat_add(enum guard_stat stat, unsigned long n)
{
	this_cpu_add(guard_stats[stat], n);
}

static void guard_stat_inc(enum guard_stat stat)
{
	guard_stat_add(stat, 1);
}

/* The owner key of every pfc_guard context. */
static const char guard_owner[] = "pfc_guard";
/* The instance key of per-open records (struct guard_open_ctx). */
static const char guard_open_key[] = "open";
static struct pfc_open_hook guard_hook;
static struct crypto_shash *guard_tfm;
static struct dentry *guard_dir;
/* Contexts inserted and not freed yet; watches added. */
static atomic_long_t guard_live_contexts = ATOMIC_LONG_INIT(0);
static atomic_long_t guard_live_open_records = ATOMIC_LONG_INIT(0);
static atomic_long_t guard_watches = ATOMIC_LONG_INIT(0);

static char *watch;
module_param(watch, charp, 0444);
MODULE_PARM_DESC(watch, "comma-separated paths whose file systems are watched from load time");

static unsigned long max_size = 256UL << 20;
module_param(max_size, ulong, 0644);
MODULE_PARM_DESC(max_size, "largest file hashed, in bytes (0: no limit); opens of larger files are denied");

/*
 * Whether a verdict on content of @data's file system may be cached: only
 * where every change of a file's content is made by this kernel, so that
 * it shows in i_writecount or in the change indicators.  FUSE (the server
 * can change what a read returns at any time), network file systems and
 * anything not listed here get a verdict computed on every open.
 */
static bool guard_fs_cacheable(const struct inode *data)
{
	switch (data->i_sb->s_magic) {
	case TMPFS_MAGIC:
		/*
		 * A tmpfs file can be the upper file of an overlay.  Where
		 * overlayfs opens it with FMODE_NONOTIFY (6.1), a write
		 * through the overlay reaches it unseen by the hook, and a
		 * store through a mapping of it moves no indicator (tmpfs
		 * has no ->page_mkwrite()), so a verdict cached from another
		 * path (the upper directory, a nested overlay) could go
		 * stale.  Disk file systems update ctime on such a store.
		 */
		return PFC_OVL_REAL_OPEN_NOTIFIES;
	case EXT4_SUPER_MAGIC:	/* also ext2 and ext3 */
	case XFS_SUPER_MAGIC:
	case BTRFS_SUPER_MAGIC:
		return true;
	default:
		return false;
	}
}

/*
 * Tasks that have @inode or @data open for write or mapped shared and
 * writable (i_writecount, negative while executed: none).  On overlayfs
 * @inode is the overlay inode, raised by opens through the overlay, and
 * @data the real one, raised by overlayfs' own file and held by shared
 * writable mappings, which map the real file.
 */
static int guard_writers(struct inode *inode, struct inode *data)
{
	int n = max(atomic_read(&inode->i_writecount), 0);

	if (data && data != inode)
		n += max(atomic_read(&data->i_writecount), 0);
	return n;
}

static void guard_snap_take(struct inode *inode, struct guard_snap *snap,
			    bool query)
{
	snap->has_iversion = IS_I_VERSION(inode);
	/*
	 * Querying marks i_version as seen, so that the next change of the
	 * inode increments it; a peek suffices to compare with a sample that
	 * was queried.
	 */
	if (!snap->has_iversion)
		snap->iversion = 0;
	else if (query)
		snap->iversion = inode_query_iversion(inode);
	else
		snap->iversion = inode_peek_iversion(inode);
	snap->ctime = inode_get_ctime(inode);
	snap->mtime = inode_get_mtime(inode);
	snap->size = i_size_read(inode);
}

static bool guard_snap_equal(const struct guard_snap *a,
			     const struct guard_snap *b)
{
	return a->has_iversion == b->has_iversion &&
	       a->iversion == b->iversion &&
	       timespec64_equal(&a->ctime, &b->ctime) &&
	       timespec64_equal(&a->mtime, &b->mtime) &&
	       a->size == b->size;
}

/*
 * Without i_version, a change within the same timestamp tick as @snap
 * would leave ctime as it is: such a sample must not be cached.
 */
static bool guard_snap_racy(struct inode *inode, const struct guard_snap *snap)
{
	struct timespec64 now;

	if (snap->has_iversion)
		return false;
	now = current_time(inode);
	return timespec64_compare(&snap->ctime, &now) >= 0;
}

static void guard_ctx_free(struct pfc_context *pctx)
{
	kfree(container_of(pctx, struct guard_ctx, pfc));
	atomic_long_dec(&guard_live_contexts);
}

/*
 * The context of @inode with a reference, created if there is none; NULL
 * if the inode cannot carry one or memory ran out (the verdict is then
 * computed but not cached).
 */
static struct guard_ctx *guard_ctx_get(struct inode *inode)
{
	struct pfc_context *pctx;
	struct guard_ctx *ctx;
	int tries;

	/*
	 * After a successful insert the context is the list's: pfc has no
	 * call to take a reference on a context one points to, and someone
	 * may remove it at once, so look it up again to hold it.
	 */
	for (tries = 0; tries < 2; tries++) {
		pctx = pfc_lookup_get(inode, guard_owner, NULL);
		if (pctx)
			return container_of(pctx, struct guard_ctx, pfc);

		ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
		if (!ctx)
			return NULL;
		pfc_init_context(&ctx->pfc, guard_owner, NULL, guard_ctx_free);
		spin_lock_init(&ctx->lock);
		pctx = pfc_insert_unique(inode, &ctx->pfc);
		if (!pctx) {
			atomic_long_inc(&guard_live_contexts);
			continue;
		}
		/* Not inserted: @ctx is still ours. */
		kfree(ctx);
		if (IS_ERR(pctx))
			return NULL;
		return container_of(pctx, struct guard_ctx, pfc);
	}
	return NULL;
}

/*
 * Hash the content of @file through a private file of our own: the
 * caller's file is not open yet and may be write-only.  __FMODE_NONOTIFY
 * keeps this open from coming back into guard_open().  The credentials
 * are the opener's (file->f_cred is current_cred() of open(2)), so an
 * LSM judges our read as the opener's, as IMA does.
 */
static int guard_hash(struct file *file, u8 digest[SHA256_DIGEST_SIZE])
{
	SHASH_DESC_ON_STACK(desc, guard_tfm);
	struct file *priv;
	loff_t pos = 0;
	ssize_t n;
	void *buf;
	int err;

	priv = dentry_open(&file->f_path,
			   O_RDONLY | O_LARGEFILE | __FMODE_NONOTIFY,
			   file->f_cred);
	if (IS_ERR(priv))
		return PTR_ERR(priv);
	buf = kmalloc(GUARD_CHUNK, GFP_KERNEL);
	if (!buf) {
		err = -ENOMEM;
		goto out_fput;
	}
	desc->tfm = guard_tfm;
	err = crypto_shash_init(desc);
	while (!err) {
		n = kernel_read(priv, buf, GUARD_CHUNK, &pos);
		if (n <= 0) {
			err = n;
			break;
		}
		err = crypto_shash_update(desc, buf, n);
		if (!err && fatal_signal_pending(current))
			err = -EINTR;
		if (!err && max_size && pos > max_size)
			err = -EFBIG;
		cond_resched();
	}
	if (!err)
		err = crypto_shash_final(desc, digest);
	shash_desc_zero(desc);
	kfree(buf);
	guard_stat_inc(GUARD_STAT_HASHES);
	guard_stat_add(GUARD_STAT_HASHED_BYTES, pos);
out_fput:
	fput(priv);
	return err;
}

/*
 * The cached verdict on the content of @data (the data inode of a file
 * whose inode is @inode), if there is a usable one: true and *@denied set.
 * An open for write (@writer) clears the cached verdict after using it;
 * see RACES in the opening comment.
 */
static bool guard_cache_lookup(struct inode *inode, struct inode *data,
			       bool writer, bool *denied)
{
	struct pfc_context *pctx;
	struct guard_snap now;
	unsigned long gen, limit;
	struct guard_ctx *ctx;
	bool hit = false;
	bool too_big;

	if (!data)
		return false;
	guard_snap_take(data, &now, false);
	/*
	 * The size limit is policy for every open: a verdict cached before
	 * max_size was lowered (at open, or at a writer's close) is not used
	 * for a file that is now too large to hash.
	 */
	limit = READ_ONCE(max_size);
	too_big = limit && now.size > limit;
	gen = guard_deny_generation();
	rcu_read_lock();
	pctx = pfc_lookup(data, guard_owner, NULL);
	if (!pctx)
		goto out;
	ctx = container_of(pctx, struct guard_ctx, pfc);
	spin_lock(&ctx->lock);
	if (ctx->valid && !too_big) {
		/*
		 * Writers other than this open would have cleared the
		 * verdict at their open; one that did not go through the
		 * hook (FMODE_NONOTIFY) still shows in i_writecount.
		 */
		if (!guard_snap_equal(&ctx->snap, &now) ||
		    guard_writers(inode, data) > (writer ? 1 : 0)) {
			ctx->valid = false;
			guard_stat_inc(GUARD_STAT_INVALIDATIONS);
		} else {
			if (ctx->gen != gen) {
				ctx->denied = guard_deny_match(ctx->digest);
				ctx->gen = gen;
				guard_stat_inc(GUARD_STAT_REVALIDATIONS);
			}
			*denied = ctx->denied;
			hit = true;
		}
	}
	if (writer) {
		/* This open may change the content from now on. */
		ctx->write_seq++;
		ctx->valid = false;
	}
	spin_unlock(&ctx->lock);
out:
	rcu_read_unlock();
	return hit;
}

/*
 * Hash @file's content, decide, and cache the verdict on @data (see
 * guard_cache_lookup()) if nothing can have changed the content
 * meanwhile: no writer but the @own write accesses of a file being closed.
 * Return: 0 with *@denied set, or the error that fails the open.
 */
static int guard_check(struct file *file, struct inode *inode,
		       struct inode *data, bool writer, int own, bool *denied)
{
	u8 digest[SHA256_DIGEST_SIZE];
	struct guard_snap before, after;
	struct guard_ctx *ctx = NULL;
	unsigned long seq = 0, gen;
	bool cacheable = false;
	int err;

	/* An open for write changes the content: nothing to cache. */
	if (!writer && data && guard_fs_cacheable(data))
		ctx = guard_ctx_get(data);
	if (ctx) {
		spin_lock(&ctx->lock);
		seq = ctx->write_seq;
		spin_unlock(&ctx->lock);
		/*
		 * Order the insert of ctx (and the read of write_seq) before
		 * the read of i_writecount.  Pairs with the fully ordered
		 * atomic_inc_unless_negative() of get_write_access(), which a
		 * writer does before guard_cache_lookup().
		 */
		smp_mb();
		cacheable = guard_writers(inode, data) <= own;
	}
	guard_snap_take(data ?: inode, &before, true);
	if (guard_snap_racy(data ?: inode, &before))
		cacheable = false;

	err = guard_hash(file, digest);
	if (err)
		goto out;

	/* Order the content reads above before the indicator reads below. */
	smp_rmb();
	guard_snap_take(data ?: inode, &after, false);
	/* Copied up while we hashed: what we read may be either inode's. */
	if (!guard_snap_equal(&before, &after) ||
	    guard_writers(inode, data) > own ||
	    pfc_file_data_inode(file) != data)
		cacheable = false;

	gen = guard_deny_generation();
	*denied = guard_deny_match(digest);

	if (ctx) {
		spin_lock(&ctx->lock);
		if (cacheable && ctx->write_seq == seq) {
			ctx->snap = before;
			memcpy(ctx->digest, digest, sizeof(digest));
			ctx->gen = gen;
			ctx->denied = *denied;
			ctx->valid = true;
		} else {
			cacheable = false;
		}
		spin_unlock(&ctx->lock);
	}
	if (!cacheable)
		guard_stat_inc(GUARD_STAT_UNCACHED);
out:
	if (ctx)
		pfc_put(&ctx->pfc);
	return err;
}

/* The pfc open hook: decide an open on a watched file system. */
static int guard_open(struct pfc_open_hook *hook, struct file *file)
{
	struct inode *inode = file_inode(file);
	struct inode *data;
	/*
	 * O_TRUNC truncates after this hook even without FMODE_WRITE (an
	 * O_RDONLY | O_TRUNC open by someone allowed to write): a writer.
	 */
	bool writer = (file->f_mode & FMODE_WRITE) ||
		      (file->f_flags & O_TRUNC);
	bool denied = false;
	int err;

	if (!S_ISREG(inode->i_mode))
		return 0;
	/* The verdict is on the content: the real inode behind an overlay. */
	data = pfc_file_data_inode(file);
	/*
	 * An overlay on FUSE: reading the file here would wait for the FUSE
	 * server (see guard_watch_path()).  Not supported: denied.
	 */
	if (data && data->i_sb->s_magic == FUSE_SUPER_MAGIC) {
		guard_stat_inc(GUARD_STAT_UNSUPPORTED);
		guard_stat_inc(GUARD_STAT_DENIALS);
		return -EACCES;
	}
	guard_stat_inc(GUARD_STAT_OPENS);
	if (writer)
		guard_stat_inc(GUARD_STAT_WRITE_OPENS);
	if (guard_cache_lookup(inode, data, writer, &denied)) {
		guard_stat_inc(GUARD_STAT_HITS);
	} else {
		guard_stat_inc(GUARD_STAT_MISSES);
		err = guard_check(file, inode, data, writer, 0, &denied);
		if (err == -EFBIG) {
			guard_stat_inc(GUARD_STAT_TOO_BIG);
			guard_stat_inc(GUARD_STAT_DENIALS);
			return -EACCES;
		}
		if (err) {
			guard_stat_inc(GUARD_STAT_ERRORS);
			if (err != -EINTR)
				pr_warn_ratelimited("cannot hash %s:%lu (%d): open denied\n",
						    inode->i_sb->s_id,
						    inode->i_ino, err);
			return err;
		}
	}
	if (!denied)
		return 0;
	guard_stat_inc(GUARD_STAT_DENIALS);
	return -EACCES;
}

static void guard_open_ctx_free(struct pfc_context *pctx)
{
	kfree(container_of(pctx, struct guard_open_ctx, pfc));
	atomic_long_dec(&guard_live_open_records);
}

/*
 * The opened callback: an open for write of a regular file whose verdict
 * can be cached has succeeded.  Record who opened it and the indicators
 * now, in a per-open context that guard_close() reads at its last close.
 * Without a record (out of memory; a file opened before the watch began;
 * on 6.1, an open that sends no FS_OPEN) the close behaves the same but
 * cannot say who wrote.
 */
static void guard_opened(struct pfc_open_hook *hook, struct file *file)
{
	struct inode *data;
	struct guard_open_ctx *rec;

	if (!(file->f_mode & FMODE_WRITE) || !S_ISREG(file_inode(file)->i_mode))
		return;
	data = pfc_file_data_inode(file);
	if (!data || !guard_fs_cacheable(data))
		return;
	rec = kzalloc(sizeof(*rec), GFP_KERNEL_ACCOUNT);
	if (!rec)
		return;
	pfc_init_context(&rec->pfc, guard_owner, guard_open_key,
			 guard_open_ctx_free);
	/* A peek: a query would make the next write dirty the inode. */
	guard_snap_take(data, &rec->at_open, false);
	rec->tgid = task_tgid_nr(current);
	/* The task's own uid: overlayfs opens backing files as the mounter. */
	rec->uid = task_uid(current);
	get_task_comm(rec->comm, current);
	/* Counted first: the record can be freed as soon as it is in. */
	atomic_long_inc(&guard_live_open_records);
	if (pfc_file_insert(file, &rec->pfc)) {
		atomic_long_dec(&guard_live_open_records);
		kfree(rec);
		return;
	}
	guard_stat_inc(GUARD_STAT_OPEN_RECORDS);
}

/*
 * The close hook: the last close of a file that was open for write (which
 * a shared writable mapping needs too).  Its write(2) calls and mappings
 * are over (not I/O that other files make into pages of a mapping of it:
 * see LIMITS).  If it was the last writer, hash the content now and cache
 * the verdict, so that the next open finds it instead of hashing; the
 * cost goes to the writer's close.  The closing file still holds its
 * write access (put_file_access() comes after ->release()): one on its
 * inode, and behind an overlay one more on the data inode, held by
 * overlayfs' own real file until ovl_release().  A verdict computed while
 * another writer is open is not cached, as at open.
 */
static void guard_close(struct pfc_open_hook *hook, struct file *file)
{
	struct inode *inode = file_inode(file);
	struct guard_open_ctx who = { .tgid = 0 };
	struct pfc_context *pctx;
	struct guard_snap now;
	struct inode *data;
	bool denied = false;
	bool rec = false;
	int own;

	if (!(file->f_mode & FMODE_WRITE) || !S_ISREG(inode->i_mode))
		return;
	data = pfc_file_data_inode(file);
	if (!data || !guard_fs_cacheable(data))
		return;
	rcu_read_lock();
	pctx = pfc_file_lookup(file, guard_owner, guard_open_key);
	if (pctx) {
		struct guard_open_ctx *r =
			container_of(pctx, struct guard_open_ctx, pfc);

		who.at_open = r->at_open;
		who.tgid = r->tgid;
		who.uid = r->uid;
		memcpy(who.comm, r->comm, sizeof(who.comm));
		rec = true;
	}
	rcu_read_unlock();
	if (rec) {
		guard_snap_take(data, &now, false);
		if (!guard_snap_equal(&who.at_open, &now))
			guard_stat_inc(GUARD_STAT_CLOSE_WROTE);
	}
	own = data == inode ? 1 : 2;
	if (guard_writers(inode, data) > own) {
		guard_stat_inc(GUARD_STAT_CLOSE_BUSY);
		return;
	}
	guard_stat_inc(GUARD_STAT_CLOSE_CHECKS);
	/* Errors (too big, a signal): the next open decides. */
	if (guard_check(file, inode, data, false, own, &denied) || !denied)
		return;
	guard_stat_inc(GUARD_STAT_CLOSE_DENIED);
	if (rec)
		pr_warn_ratelimited("%s:%lu: content now on the deny list; last writer to close: %s[%d] uid %u\n",
				    data->i_sb->s_id, data->i_ino, who.comm,
				    who.tgid,
				    from_kuid(&init_user_ns, who.uid));
	else
		pr_warn_ratelimited("%s:%lu: content now on the deny list\n",
				    data->i_sb->s_id, data->i_ino);
}

/*
 * Watch the file system of @pathname.  Not FUSE: hashing there would read
 * from the FUSE server inside the open hook, which pfc.h forbids (the
 * server may itself be waiting on an open of the file system it serves).
 */
static int guard_watch_path(const char *pathname)
{
	struct path path;
	int err;

	err = kern_path(pathname, LOOKUP_FOLLOW, &path);
	if (!err) {
		if (path.dentry->d_sb->s_magic == FUSE_SUPER_MAGIC)
			err = -EOPNOTSUPP;
		else
			err = pfc_open_watch(&guard_hook, path.dentry->d_sb);
		path_put(&path);
	}
	if (err) {
		pr_err("cannot watch %s: %d\n", pathname, err);
		return err;
	}
	atomic_long_inc(&guard_watches);
	pr_info("watching the file system of %s\n", pathname);
	return 0;
}

/* Watch the file systems of the "watch" parameter. */
static int guard_watch_param(void)
{
	char *paths, *cur, *path;
	int err = 0;

	if (!watch || !*watch)
		return 0;
	paths = kstrdup(watch, GFP_KERNEL);
	if (!paths)
		return -ENOMEM;
	cur = paths;
	while (!err && (path = strsep(&cur, ","))) {
		if (*path)
			err = guard_watch_path(path);
	}
	kfree(paths);
	return err;
}

static char *guard_write_buf(const char __user *ubuf, size_t len)
{
	if (len > GUARD_WRITE_MAX)
		return ERR_PTR(-E2BIG);
	return memdup_user_nul(ubuf, len);
}

static int guard_deny_seq_show(struct seq_file *m, void *v)
{
	guard_deny_show(m);
	return 0;
}

static int guard_deny_open(struct inode *inode, struct file *file)
{
	return single_open(file, guard_deny_seq_show, NULL);
}

static ssize_t guard_deny_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	char *buf = guard_write_buf(ubuf, len);
	int err;

	if (IS_ERR(buf))
		return PTR_ERR(buf);
	err = guard_deny_parse(buf);
	kfree(buf);
	return err ?: len;
}

static const struct file_operations guard_deny_fops = {
	.owner = THIS_MODULE,
	.open = guard_deny_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.write = guard_deny_write,
	.release = single_release,
};

static ssize_t guard_watch_write(struct file *file, const char __user *ubuf,
				 size_t len, loff_t *ppos)
{
	char *buf = guard_write_buf(ubuf, len);
	int err;

	if (IS_ERR(buf))
		return PTR_ERR(buf);
	err = guard_watch_path(strim(buf));
	kfree(buf);
	return err ?: len;
}

static const struct file_operations guard_watch_fops = {
	.owner = THIS_MODULE,
	.write = guard_watch_write,
};

static int guard_stats_show(struct seq_file *m, void *v)
{
	unsigned long sum;
	int stat, cpu;

	seq_printf(m, "contexts %ld\n", atomic_long_read(&guard_live_contexts));
	seq_printf(m, "open_record_contexts %ld\n",
		   atomic_long_read(&guard_live_open_records));
	seq_printf(m, "digests %u\n", guard_deny_count());
	seq_printf(m, "generation %lu\n", guard_deny_generation());
	seq_printf(m, "watches %ld\n", atomic_long_read(&guard_watches));
	for (stat = 0; stat < GUARD_STAT_NR; stat++) {
		sum = 0;
		for_each_possible_cpu(cpu)
			sum += per_cpu(guard_stats, cpu)[stat];
		seq_printf(m, "%s %lu\n", guard_stat_names[stat], sum);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(guard_stats);

static void guard_debugfs_init(void)
{
	guard_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("deny", 0600, guard_dir, NULL, &guard_deny_fops);
	debugfs_create_file("watch", 0200, guard_dir, NULL, &guard_watch_fops);
	debugfs_create_file("stats", 0400, guard_dir, NULL, &guard_stats_fops);
}

static int __init guard_init(void)
{
	int err;

	guard_tfm = crypto_alloc_shash("sha256", 0, 0);
	if (IS_ERR(guard_tfm))
		return PTR_ERR(guard_tfm);
	err = pfc_open_hook_init(&guard_hook, guard_open);
	if (err)
		goto free_tfm;
	pfc_open_hook_set_opened(&guard_hook, guard_opened);
	pfc_open_hook_set_close(&guard_hook, guard_close);
	err = guard_watch_param();
	if (err)
		goto release_hook;
	guard_debugfs_init();
	return 0;

release_hook:
	pfc_open_hook_release(&guard_hook);
	pfc_remove_owner(guard_owner);
free_tfm:
	crypto_free_shash(guard_tfm);
	return err;
}

static void __exit guard_exit(void)
{
	/* Waits for control-file writers, which may add watches. */
	debugfs_remove(guard_dir);
	/* After this guard_open() is not running and will not run again, */
	pfc_open_hook_release(&guard_hook);
	/* so no context can be inserted; sweep them and wait for the frees. */
	pfc_remove_owner(guard_owner);
	guard_deny_exit();
	crypto_free_shash(guard_tfm);
}

module_init(guard_init);
module_exit(guard_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pfc sample: deny opening files whose SHA-256 is on a deny list");
MODULE_AUTHOR("The pfc authors");
