#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# pfc_guard on Debian's stock 6.12 kernel under qemu
exec "$(dirname "$0")/../demo.sh" --check
