#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pfc on Debian's stock 6.12 kernel: the user-space scenarios on xfs and
# btrfs images (Debian's xfsprogs, btrfs-progs), btrfs subvolumes,
# snapshots and reflinks.
exec "$(dirname "$0")/../run-scenarios.sh" -k 6.12 -f "xfs btrfs" -n 5000 -N scenarios-xfs-btrfs-6.12
