#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pfc on Debian's stock 6.12 kernel: user-space scenarios on tmpfs and ext4.
exec "$(dirname "$0")/../run-scenarios.sh"
