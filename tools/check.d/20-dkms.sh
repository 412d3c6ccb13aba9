#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dkms add + build for Debian 6.12 and 6.1 headers, in a throwaway DKMS tree.
here=$(dirname "$0")
"$here/../deps.sh" module linux-headers-6.12-amd64 linux-headers-amd64 >&2 || {
	echo "RESULT dkms passed=0 failed=1 skipped=0"
	exit 1
}
exec "$here/../dkms-check.sh"
