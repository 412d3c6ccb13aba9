/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfc - race points: named places inside pfc's lifetime transitions where
 * a test parks a thread, runs a conflicting path from another, and lets
 * the first one go on.  They exist only in builds against a kernel with
 * CONFIG_KUNIT (Kbuild defines PFC_RACE_POINTS there); in the module users
 * load they compile to nothing.  The list of windows, and the test that
 * covers each, is in the LIFETIME section at the top of inode.c and file.c.
 */
#ifndef _PFC_RACE_H
#define _PFC_RACE_H

#include <linux/types.h>

/**
 * enum pfc_race - the race points
 * @PFC_RACE_CREATE_MARKED: pfc_entry_create(), the mark is on the inode
 *	and the entry not yet published (object: the inode).
 * @PFC_RACE_FREEING: pfc_freeing_mark() entered: fsnotify has destroyed
 *	the mark, the entry is still hashed with its contexts (the inode).
 * @PFC_RACE_EVICT_DROPPED: pfc_freeing_mark(), the entry is unhashed and
 *	its contexts dropped, it is still on pfc_entries (the inode).
 * @PFC_RACE_WALK_BATCH: pfc_walk_entries() between two batches, with no
 *	lock held (the walk's argument: the owner of pfc_remove_owner()).
 * @PFC_RACE_UNLOAD_MARK: module exit holds a reference on a mark it is
 *	about to destroy, no lock held (the inode, never dereferenced).
 * @PFC_RACE_WATCH_MARKED: pfc_open_watch(), the superblock mark is added
 *	and the watch not yet on the hook's list (the superblock).
 * @PFC_RACE_CLOSE_MARKED: pfc_close_add(), the close mark is on the inode
 *	and not yet published in the inode's entry (the inode).
 * @PFC_RACE_NR: the number of race points.
 */
enum pfc_race {
	PFC_RACE_CREATE_MARKED,
	PFC_RACE_FREEING,
	PFC_RACE_EVICT_DROPPED,
	PFC_RACE_WALK_BATCH,
	PFC_RACE_UNLOAD_MARK,
	PFC_RACE_WATCH_MARKED,
	PFC_RACE_CLOSE_MARKED,
	PFC_RACE_NR
};

#ifdef PFC_RACE_POINTS
void pfc_race_point(enum pfc_race point, const void *obj);
void pfc_race_arm(enum pfc_race point, const void *obj);
bool pfc_race_wait_parked(enum pfc_race point, unsigned long timeout);
void pfc_race_release(enum pfc_race point);
#else
static inline void pfc_race_point(enum pfc_race point, const void *obj) { }
#endif

#endif /* _PFC_RACE_H */
