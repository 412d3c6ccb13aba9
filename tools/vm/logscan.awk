# SPDX-License-Identifier: GPL-2.0
#
# The filter in front of run-kunit.sh's log scan: copies a guest console
# log to stdout, less the kernel reports that are known not to be pfc's,
# each replaced by one "pfc-kunit: ignored ..." line (which the scan skips).
# What is dropped:
#
# - kmemleak reports of objects the kernel allocated in start_kernel()
#   (6.1 reports ACPI's boot caches late under TCG), long before any module
#   was loaded.
# - kmemleak reports of an fsnotify connector allocated in
#   fsnotify_add_mark_locked(): fsnotify_add_mark_list() attaches a new,
#   empty connector to the inode and then takes the lock again to add the
#   mark; if fsnotify_destroy_marks() (inode removal, umount) runs in
#   between, it finds no mark, detaches the connector and frees nothing,
#   and no mark put will ever free it (fs/notify/mark.c, 6.1 and 6.12).
#   pfc_race's insert-vs-removal loop reaches that window.  The connector is
#   the only allocation under fsnotify_add_mark_locked(); a mark pfc leaked
#   is reported by its own allocation (pfc_entry_create()), which is kept.
# - KCSAN data-race reports none of whose frames is pfc's (a pfc_* function
#   or a frame in one of pfc's modules, "[pfc...]"): the kernel's own, e.g.
#   workqueue or SRCU internals under TCG.  A race with pfc on either side
#   is kept.
#
# Everything else is copied.  Only POSIX awk: Debian's awk is mawk, which
# has no interval expressions ({40,}), so a KCSAN report ends at a line of
# ten or more '=' spelled out, or at the first line of another report.
# tools/vm/logscan-test.sh checks this file against the logs in
# tools/vm/logscan-tests/.

function kflush() {
	if (!inkcsan)
		return
	if (kblk ~ /\[pfc[a-z_]*\]|[ \t]pfc_[a-z_]+\+0x/)
		printf "%s", kblk
	else
		print "pfc-kunit: ignored a KCSAN report with no pfc frame: " kfirst
	kblk = ""
	inkcsan = 0
}

function flush() {
	if (nblk && blk ~ /start_kernel\+/)
		print "pfc-kunit: ignored a kmemleak report of an early-boot object"
	else if (nblk && blk ~ /fsnotify_add_mark_locked\+/)
		print "pfc-kunit: ignored a kmemleak report of an fsnotify connector (fsnotify_destroy_marks() leaks an empty one)"
	else if (nblk)
		printf "%s", blk
	blk = ""
	nblk = 0
}

/BUG: KCSAN: / {
	kflush()
	flush()
	inkcsan = 1
	kfirst = $0
	kblk = $0 "\n"
	next
}
inkcsan && /==========/ { kblk = kblk $0 "\n"; kflush(); next }
# A KCSAN report holds none of these: another report began.
inkcsan && /WARNING:|BUG:|Call Trace|RIP:|Oops|unreferenced object 0x|kmemleak: / {
	kflush()
}
inkcsan { kblk = kblk $0 "\n"; next }

/unreferenced object 0x/ { flush(); blk = $0 "\n"; nblk = 1; next }
nblk && /^  / { blk = blk $0 "\n"; next }
{ flush() }
/kmemleak: [0-9]+ new suspected memory leaks/ { next }
{ print }
END { flush(); kflush() }
