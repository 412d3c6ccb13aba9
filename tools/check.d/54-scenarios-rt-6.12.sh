#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pfc on Debian's PREEMPT_RT 6.12 kernel (linux-image-6.12-rt-amd64,
# unpacked into the cache, not installed; spinlocks sleep, RCU readers are
# preemptible): the user-space scenarios on tmpfs, ext4, an overlay and
# FUSE.
exec "$(dirname "$0")/../run-scenarios.sh" -k 6.12-rt -N scenarios-rt-6.12
