#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pfc on Debian's stock 6.1 kernel: the same user-space scenarios.
here=$(dirname "$0")
"$here/../deps.sh" module linux-image-amd64 linux-headers-amd64 >&2 || {
	echo "RESULT scenarios-6.1 passed=0 failed=1 skipped=0"
	exit 1
}
kver=$(ls -d /usr/src/linux-headers-6.1.*-amd64 2>/dev/null |
	sed 's|.*/linux-headers-||' | sort -V | tail -1)
exec "$here/../run-scenarios.sh" -k "$kver"
