#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The install path a kernel developer takes, on Debian's stock kernel:
# `make install DESTDIR=<stage>` of pfc, then a consumer module in a
# directory outside this tree (samples/out-of-tree, copied to a temporary
# directory) built against what that install put in <stage>, installed
# next to it and run through depmod; the stage's /lib/modules tree is then
# booted under qemu, where `modprobe pfc_hello` must load pfc first,
# `rmmod pfc` must be refused while pfc_hello uses it, and `modprobe -r`
# must unload them in the other order.  Nothing is installed on this
# machine: <stage> is a temporary directory.
#
# usage: tools/install-check.sh [6.12|6.1|KVER]   (default 6.12)
#
# Prints PASS/FAIL lines, then
#   RESULT install-<series> passed=N failed=M skipped=0
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
want=${1:-6.12}
series=$(echo "$want" | cut -d. -f1,2)
passed=0 failed=0
pass() { echo "PASS $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
finish() {
	echo "RESULT install-$series passed=$passed failed=$failed skipped=0"
	[ "$failed" = 0 ]
	exit
}

"$root/tools/deps.sh" module >&2 && "$root/tools/deps.sh" vm >&2 ||
	{ fail "deps: missing packages"; finish; }
stock=$("$root/tools/stock-kernel.sh" "$want") || { fail "no stock kernel $want"; finish; }
kver=${stock%% *}
kernel=${stock#* }/boot/vmlinuz-$kver
kdir=${stock#* }/usr/src/linux-headers-$kver

work=$(mktemp -d "${TMPDIR:-/tmp}/pfc-install.XXXXXX")
if [ "${PFC_KEEP:-0}" = 1 ]; then
	echo "install-check: keeping $work" >&2
else
	trap 'rm -rf "$work"' EXIT
fi
stage=$work/stage
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$root/dkms.conf")
inc=$stage/usr/src/pfc-$version
mods=$stage/lib/modules/$kver

# pfc's tree as git sees it, so that a build here leaves the checkout alone.
mkdir -p "$work/pfc"
"$root/tools/tree-files.sh" | tar -C "$root" -cf - -T - | tar -C "$work/pfc" -xf -
if make -C "$work/pfc" KDIR="$kdir" DESTDIR="$stage" install >"$work/install.log" 2>&1 &&
   [ -f "$mods/updates/pfc.ko" ] && [ -f "$inc/pfc.h" ] &&
   grep -q "pfc_insert	pfc	EXPORT_SYMBOL_GPL	PFC" "$inc/$kver/Module.symvers"; then
	pass "make install: updates/pfc.ko, pfc.h and $kver/Module.symvers (namespace PFC) under /usr/src/pfc-$version"
else
	fail "make install"
	tail -15 "$work/install.log" | sed 's/^/  /'
	finish
fi

# The consumer, outside any pfc tree, as the README shows it.
cp -r "$root/samples/out-of-tree" "$work/consumer"
if make -C "$work/consumer" KDIR="$kdir" PFC_DIR="$inc" >"$work/consumer.log" 2>&1 &&
   ! grep -q 'WARNING: modpost' "$work/consumer.log"; then
	pass "consumer built outside the tree against the installed pfc.h and Module.symvers"
else
	fail "consumer build"
	tail -15 "$work/consumer.log" | sed 's/^/  /'
	finish
fi
if [ "$(modinfo -F import_ns "$work/consumer/pfc_hello.ko")" = PFC ] &&
   [ "$(modinfo -F depends "$work/consumer/pfc_hello.ko")" = pfc ]; then
	pass "consumer imports namespace PFC and depends on pfc"
else
	fail "consumer modinfo: import_ns '$(modinfo -F import_ns "$work/consumer/pfc_hello.ko")' depends '$(modinfo -F depends "$work/consumer/pfc_hello.ko")'"
fi

# Without the import (a consumer that declares pfc's functions itself
# instead of including pfc.h), modpost must refuse to link it.
mkdir -p "$work/noimport"
cat >"$work/noimport/noimport.c" <<'EOF'
#include <linux/module.h>
void pfc_barrier(void);
static int __init noimport_init(void) { pfc_barrier(); return 0; }
module_init(noimport_init);
MODULE_LICENSE("GPL");
EOF
echo "obj-m := noimport.o" >"$work/noimport/Kbuild"
make -C "$kdir" M="$work/noimport" KBUILD_EXTRA_SYMBOLS="$inc/$kver/Module.symvers" \
	modules >"$work/noimport.log" 2>&1
if grep -q 'from namespace PFC, but does not import it' "$work/noimport.log"; then
	pass "modpost flags a consumer that does not import namespace PFC"
else
	fail "modpost accepted a consumer without the PFC import"
	tail -5 "$work/noimport.log" | sed 's/^/  /'
fi

install -D -m 644 "$work/consumer/pfc_hello.ko" "$mods/extra/pfc_hello.ko"
PATH=$PATH:/usr/sbin:/sbin depmod -b "$stage" "$kver" 2>>"$work/depmod.log"
if grep -qx "extra/pfc_hello.ko: updates/pfc.ko" "$mods/modules.dep"; then
	pass "depmod records pfc_hello -> pfc"
else
	fail "modules.dep: $(tr '\n' ';' <"$mods/modules.dep")"
fi

cat >"$work/guest.sh" <<'EOF'
#!/bin/sh
t() { if eval "$2"; then echo "PFC-INST: PASS $1"; else echo "PFC-INST: FAIL $1"; fi; }
loaded() { grep -q "^$1 " /proc/modules; }
t "modprobe pfc_hello loads pfc first" 'modprobe pfc_hello && loaded pfc && loaded pfc_hello'
t "pfc_hello ran against pfc" 'dmesg | grep -q "pfc_hello: context attached to / and found again"'
t "rmmod pfc refused while pfc_hello uses it" '! rmmod pfc 2>/dev/null && loaded pfc'
t "modprobe -r pfc_hello, then pfc" 'modprobe -r pfc_hello && ! loaded pfc_hello && { ! loaded pfc || modprobe -r pfc; } && ! loaded pfc'
t "no warning in dmesg" '! dmesg | grep -qE "WARNING:|BUG:|Call Trace"'
echo "PFC-INST: DONE"
EOF
log=$root/build/install-$series.log
mkdir -p "$(dirname "$log")"
for try in 1 2; do
	"$root/tools/vm/boot.sh" -t 300 -a loglevel=5 -d "$mods:/lib/modules/$kver" \
		"$kernel" "$work/guest.sh" "$log"
	rc=$?
	[ "$rc" = 4 ] && [ "$try" = 1 ] && continue
	break
done
sed -n 's/.*PFC-INST: \(PASS\|FAIL\) \(.*\)/\1 guest: \2/p' "$log"
passed=$((passed + $(grep -c 'PFC-INST: PASS ' "$log")))
failed=$((failed + $(grep -c 'PFC-INST: FAIL ' "$log")))
grep -q 'PFC-INST: DONE' "$log" || fail "guest: did not finish (boot.sh status $rc, see $log)"
finish
