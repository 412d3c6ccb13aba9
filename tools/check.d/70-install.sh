#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make install into a staging root, a consumer built outside the tree
# against it, modprobe in Debian's 6.12 and 6.1 kernels under qemu.
here=$(dirname "$0")
rc=0
"$here/../install-check.sh" 6.12 || rc=1
"$here/../install-check.sh" 6.1 || rc=1
exit $rc
