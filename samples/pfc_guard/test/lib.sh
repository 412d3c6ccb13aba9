# SPDX-License-Identifier: GPL-2.0
#
# Shared by the pfc_guard guest scripts (demo.sh, check.sh): tools/demo.sh
# puts this file in front of one of them to make the guest script that
# tools/vm/boot.sh runs.  Busybox ash.  The guest has, besides busybox:
# /pfc.ko, /pfc_guard.ko, /bin/pfcstat, /bin/guardt, the ext4 modules in
# /modules/ and an ext4 image /ext4.img with a few files in it.

P=/sys/kernel/debug/pfc
G=/sys/kernel/debug/pfc_guard

# The value of counter $1 in pfc_guard's (gstat) or pfc's (pstat) stats.
gstat() { awk -v k="$1" '$1 == k { print $2 }' "$G/stats" 2>/dev/null; }
pstat() { awk -v k="$1" '$1 == k { print $2 }' "$P/stats" 2>/dev/null; }

# SHA-256 of a string, in hex, without opening any watched file.
digest_of() { printf '%s' "$1" | sha256sum | cut -c1-64; }

# Wait (up to 5 s) until pfc_guard's live contexts drop to $1 or below:
# pfc frees contexts an RCU grace period after the inode goes.
wait_contexts() {
	i=0
	while [ "$(gstat contexts)" -gt "$1" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ "$(gstat contexts)" -le "$1" ]
}

# Load ext4 from /modules (decompressed by tools/demo.sh) and mount the
# image on $1.
mount_ext4() {
	for m in crc16 mbcache jbd2 crc32c_generic loop ext4; do
		insmod "/modules/$m.ko" 2>/dev/null
	done
	mkdir -p "$1"
	mount -t ext4 -o loop /ext4.img "$1"
}

# Nothing in the kernel log that a clean run must not have, and no taint
# beyond 4096 (O: out-of-tree module) and 8192 (E: unsigned module).
kernel_clean() {
	if dmesg | grep -E 'WARNING:|BUG:|Oops|Call Trace|KASAN|UBSAN|RCU stall|refcount_t'; then
		return 1
	fi
	[ $(($(cat /proc/sys/kernel/tainted) & ~12288)) = 0 ]
}

# rmmod $1, but give up after 60 s: then print rmmod's kernel stack, so
# that a hang in a module's exit fails the run instead of stalling it.
rmmod_or_hang() {
	rmmod "$1" &
	rp=$!
	i=0
	while kill -0 $rp 2>/dev/null && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 $rp 2>/dev/null; then
		echo "  HANG: rmmod $1 still blocked after 60 s; its stack:"
		sed 's/^/    /' /proc/$rp/stack
		return 1
	fi
	wait $rp
}
