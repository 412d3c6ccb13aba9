#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# pfc_guard on Debian's stock 6.1 kernel under qemu (overlayfs differs)
KVER=6.1 exec "$(dirname "$0")/../demo.sh" --check
