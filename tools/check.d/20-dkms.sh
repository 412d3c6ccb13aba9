#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dkms add + build for Debian 6.12 and 6.1 headers (unpacked into the
# cache by tools/stock-kernel.sh, not installed), in a throwaway DKMS tree.
exec "$(dirname "$0")/../dkms-check.sh"
