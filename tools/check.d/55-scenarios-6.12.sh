#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pfc on Debian's stock 6.12 kernel: user-space scenarios on tmpfs and ext4.
here=$(dirname "$0")
"$here/../deps.sh" module linux-image-6.12-amd64 linux-headers-6.12-amd64 >&2 || {
	echo "RESULT scenarios-6.12 passed=0 failed=1 skipped=0"
	exit 1
}
exec "$here/../run-scenarios.sh"
