#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pfc on Debian's stock 6.12 kernel (unpacked into the cache, not
# installed): user-space scenarios on tmpfs, ext4 and an overlay.
exec "$(dirname "$0")/../run-scenarios.sh" -k 6.12
