#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pfc on Debian's stock 6.1 kernel: the user-space scenarios on xfs and
# btrfs images, btrfs subvolumes, snapshots and reflinks.
exec "$(dirname "$0")/../run-scenarios.sh" -k 6.1 -f "xfs btrfs" -n 5000 -N scenarios-xfs-btrfs-6.1
