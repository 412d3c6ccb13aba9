#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# pfc_guard on Debian's PREEMPT_RT 6.12 kernel (linux-image-6.12-rt-amd64)
KVER=6.12-rt exec "$(dirname "$0")/../demo.sh" --check
