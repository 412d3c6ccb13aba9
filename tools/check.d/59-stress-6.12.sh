#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A workload nobody here wrote: Debian's stress-ng file-system stressors on
# tmpfs, ext4, xfs, btrfs and an overlay in Debian's stock 6.12 kernel,
# with pfc_watch attaching a context at every open and pfc_guard checking
# every open against a deny list.
exec "$(dirname "$0")/../run-scenarios.sh" -k 6.12 -f "tmpfs ext4 xfs btrfs overlay" \
	-s 'stress-ng' -S 15 -N stress-6.12
