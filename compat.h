/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfc - the differences between the kernels pfc builds for.
 *
 * pfc is written against the 6.12 API.  This header supplies that API on
 * older kernels (Debian's 6.1 LTS is the oldest one built and tested), so
 * that every version check of pfc sits here and nowhere else: a function
 * that is missing is provided under its upstream name (a pfc_ function
 * that a macro maps the upstream name to), one whose signature changed
 * gets a pfc_ wrapper.  Where the kernel offers a macro
 * to test for, the test is on the macro; otherwise on the version that
 * changed the interface.  Sample and benchmark modules include it too.
 */
#ifndef _PFC_COMPAT_H
#define _PFC_COMPAT_H

#include <linux/fs.h>
#include <linux/fsnotify_backend.h>
#include <linux/kthread.h>
#include <linux/sched/task.h>
#include <linux/user_namespace.h>
#include <linux/version.h>

/*
 * True on kernels older than @major.@minor.  The one use of
 * LINUX_VERSION_CODE in pfc (checkpatch is told to accept it here).
 */
#define PFC_KERNEL_BEFORE(major, minor) \
	(KERNEL_VERSION(major, minor, 0) > LINUX_VERSION_CODE)

/*
 * Group priorities became enum fsnotify_group_prio in 6.10; before, they
 * were the FS_PRIO_* macros, same values and meaning.  Before 6.10 the
 * priority only orders the groups; it does not gate permission events.
 */
#ifdef FS_PRIO_1
#define FSNOTIFY_PRIO_NORMAL		FS_PRIO_0
#define FSNOTIFY_PRIO_CONTENT		FS_PRIO_1
#define FSNOTIFY_PRIO_PRE_CONTENT	FS_PRIO_2
#endif

/*
 * PFC_GROUP_NOFS - fsnotify_alloc_group() flags for a group whose marks
 * are destroyed from inode eviction (evictable marks), i.e. from reclaim.
 * Kernels that have FSNOTIFY_GROUP_NOFS (5.19 to at least 6.1) take a
 * group's mark_mutex with NOFS set only if the group asks for it; without
 * it the mutex is held across GFP_KERNEL allocations (the mark connector)
 * while eviction takes it too.  fanotify asks for it for the same reason
 * (FAN_MARK_EVICTABLE).  Later kernels (6.12) set NOFS for every group.
 */
#ifdef FSNOTIFY_GROUP_NOFS
#define PFC_GROUP_NOFS	FSNOTIFY_GROUP_NOFS
#else
#define PFC_GROUP_NOFS	0
#endif

/*
 * pfc_fmode_nonotify() - does the file send no fsnotify event at all?
 * Kernels with FMODE_NONOTIFY_PERM (6.14, and Debian's 6.12) encode that
 * as FMODE_NONOTIFY without FMODE_NONOTIFY_PERM; before, FMODE_NONOTIFY.
 */
#ifdef FMODE_FSNOTIFY_NONE
#define pfc_fmode_nonotify(mode)	FMODE_FSNOTIFY_NONE(mode)
#else
#define pfc_fmode_nonotify(mode)	((mode) & FMODE_NONOTIFY)
#endif

/*
 * Since 6.10 the mark helpers take the object and its type; before, a
 * pointer to the object's connector pointer, and before 6.8 an fsid too.
 * pfc_add_sb_mark() is fsnotify_add_mark() on a superblock; older kernels
 * get fsnotify_find_inode_mark(), which came with the change.
 */
#if PFC_KERNEL_BEFORE(6, 10)
static inline int pfc_add_sb_mark(struct fsnotify_mark *mark,
				  struct super_block *sb)
{
#if PFC_KERNEL_BEFORE(6, 8)
	return fsnotify_add_mark(mark, &sb->s_fsnotify_marks,
				 FSNOTIFY_OBJ_TYPE_SB, 0, NULL);
#else
	return fsnotify_add_mark(mark, &sb->s_fsnotify_marks,
				 FSNOTIFY_OBJ_TYPE_SB, 0);
#endif
}

static inline struct fsnotify_mark *
pfc_find_inode_mark(struct inode *inode, struct fsnotify_group *group)
{
	return fsnotify_find_mark(&inode->i_fsnotify_marks, group);
}

#define fsnotify_find_inode_mark pfc_find_inode_mark
#else
static inline int pfc_add_sb_mark(struct fsnotify_mark *mark,
				  struct super_block *sb)
{
	return fsnotify_add_mark(mark, sb, FSNOTIFY_OBJ_TYPE_SB, 0);
}
#endif

/*
 * inode_get_mtime() came in 6.7 (6.1.y has inode_get_ctime() backported),
 * and kthread_stop_put() in 6.7 (and late 6.6.y).  The backfills are
 * renamed by a macro, so a stable kernel that gains the function builds
 * too.
 */
#if PFC_KERNEL_BEFORE(6, 7)
static inline struct timespec64 pfc_inode_get_mtime(const struct inode *inode)
{
	return inode->i_mtime;
}

#define inode_get_mtime pfc_inode_get_mtime

static inline int pfc_kthread_stop_put(struct task_struct *k)
{
	int ret = kthread_stop(k);

	put_task_struct(k);
	return ret;
}

#define kthread_stop_put pfc_kthread_stop_put
#endif

/*
 * The VFS calls take the mount's idmapping (struct mnt_idmap) from 6.3;
 * before, its user namespace, and the identity mapping is init_user_ns.
 */
#if PFC_KERNEL_BEFORE(6, 3)
#define nop_mnt_idmap init_user_ns
#endif

/*
 * Whether overlayfs opens the real file behind an overlay file with an
 * FS_OPEN_PERM event on the real file system.  6.12 does (a backing file,
 * FMODE_BACKING); 6.1 opens it with FMODE_NONOTIFY (OVL_OPEN_FLAGS), so a
 * write through an overlay to its upper file system is seen by no hook
 * there.  Only these two are tested: kernels in between are taken to be
 * like 6.1.
 */
#define PFC_OVL_REAL_OPEN_NOTIFIES	(!PFC_KERNEL_BEFORE(6, 12))

/*
 * KUnit, for the suites: KUNIT_EXPECT_MEMEQ() (6.2) and test attributes
 * (KUNIT_CASE_SLOW(), 6.6) came after 6.1; there, a slow case is an
 * ordinary one.  Include this header after <kunit/test.h>.
 */
#ifdef KUNIT_CASE
#ifndef KUNIT_EXPECT_MEMEQ
#define KUNIT_EXPECT_MEMEQ(test, left, right, size) \
	KUNIT_EXPECT_EQ(test, memcmp(left, right, size), 0)
#endif
#ifndef KUNIT_CASE_SLOW
#define KUNIT_CASE_SLOW(test_name) KUNIT_CASE(test_name)
#endif
#endif

#endif /* _PFC_COMPAT_H */
