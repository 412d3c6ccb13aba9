#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `dkms add` + `dkms build` of pfc the way a user installs it, but in a
# throwaway DKMS tree, against Debian's headers for each kernel (by default
# the current 6.12 and 6.1 point releases), which tools/stock-kernel.sh
# unpacks into the cache: nothing under /var/lib/dkms, /usr/src or
# /lib/modules is touched, nothing is installed and nothing is loaded.
#
# usage: tools/dkms-check.sh [6.12|6.1|kernel-release...]
#
# The package is the files of the module (top level of the tree, as git
# sees them, without dot files, dkms.conf among them) plus
# tools/pfc-symvers.sh, copied to <tmp>/src/pfc-<version>, which is
# what a packager puts in /usr/src.  DKMS signs what it builds when the
# kernel has sign-file; a key made for the run in <tmp> is used, never the
# machine's MOK.  PFC_KEEP=1 keeps <tmp>.
#
# Prints PASS/FAIL per kernel (with the end of make.log on failure), then
#   RESULT dkms passed=N failed=M skipped=0
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# Series, not releases: Debian moves the ABI name (6.1.0-56 -> 6.1.0-57)
# with point releases.
kernels=${*:-"6.12 6.1"}

"$here/tools/deps.sh" dkms >&2 || { echo "RESULT dkms passed=0 failed=1 skipped=0"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/pfc-dkms.XXXXXX")
if [ "${PFC_KEEP:-0}" = 1 ]; then
	echo "dkms-check: keeping $work" >&2
else
	trap 'rm -rf "$work"' EXIT
fi

name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"/\1/p' "$here/dkms.conf")
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$here/dkms.conf")
src=$work/src/$name-$version
mkdir -p "$src" "$work/dkms" "$work/install"
"$here/tools/tree-files.sh" | grep -e '^[^/.][^/]*$' -e '^tools/pfc-symvers.sh$' |
	tar -C "$here" -cf - -T - | tar -C "$src" -xf -

# Signing material for this run only (dkms reads these from the
# environment before its framework.conf).
export mok_signing_key=$work/mok.key mok_certificate=$work/mok.pub
opts=(--dkmstree "$work/dkms" --sourcetree "$work/src" --installtree "$work/install")

passed=0
failed=0
if ! dkms add -m "$name" -v "$version" "${opts[@]}" >"$work/add.log" 2>&1; then
	echo "FAIL dkms add $name/$version"
	sed 's/^/  /' "$work/add.log"
	echo "RESULT dkms passed=0 failed=1 skipped=0"
	exit 1
fi
for want in $kernels; do
	if ! stock=$("$here/tools/stock-kernel.sh" "$want"); then
		echo "FAIL $want: no Debian headers (tools/stock-kernel.sh $want)"
		failed=$((failed + 1))
		continue
	fi
	k=${stock%% *}
	log=$work/build-$k.log
	if nice dkms build -m "$name" -v "$version" -k "$k" "${opts[@]}" \
		--kernelsourcedir "${stock#* }/usr/src/linux-headers-$k" >"$log" 2>&1 &&
	   ko=$(ls "$work/dkms/$name/$version/$k"/*/module/"$name".ko* 2>/dev/null | head -1) &&
	   [ -n "$ko" ] && modinfo -F vermagic "$ko" | grep -q "^$k "; then
		echo "PASS $k: $(basename "$ko") built, vermagic $k"
		passed=$((passed + 1))
		sv=$(ls "$work/dkms/$name/$version/$k"/*/Module.symvers 2>/dev/null | head -1)
		if [ -n "$sv" ] && grep -q "pfc_insert	pfc	EXPORT_SYMBOL_GPL	PFC" "$sv"; then
			echo "PASS $k: Module.symvers kept for consumers (dkms/pfc/$version/$k/$(basename "$(dirname "$sv")"))"
			passed=$((passed + 1))
			# A consumer outside the tree, against the DKMS source
			# (pfc.h) and that Module.symvers.
			rm -rf "$work/consumer" && cp -r "$here/samples/out-of-tree" "$work/consumer"
			if make -C "$work/consumer" KDIR="${stock#* }/usr/src/linux-headers-$k" \
				PFC_DIR="$src" PFC_SYMVERS="$sv" >"$work/consumer-$k.log" 2>&1 &&
			   ! grep -q 'WARNING: modpost' "$work/consumer-$k.log" &&
			   [ "$(modinfo -F depends "$work/consumer/pfc_hello.ko")" = pfc ]; then
				echo "PASS $k: consumer outside the tree built against the DKMS install"
				passed=$((passed + 1))
			else
				echo "FAIL $k: consumer build against the DKMS install"
				tail -10 "$work/consumer-$k.log" | sed 's/^/  /'
				failed=$((failed + 1))
			fi
		else
			echo "FAIL $k: no Module.symvers with pfc's exports in the DKMS tree"
			failed=$((failed + 1))
		fi
	else
		echo "FAIL $k: dkms build failed"
		tail -5 "$log" | sed 's/^/  /'
		mlog=$(ls "$work/dkms/$name/$version/build/make.log" 2>/dev/null)
		[ -z "$mlog" ] || tail -20 "$mlog" | sed 's/^/  make.log: /'
		failed=$((failed + 1))
	fi
done
echo "RESULT dkms passed=$passed failed=$failed skipped=0"
[ "$failed" = 0 ]
