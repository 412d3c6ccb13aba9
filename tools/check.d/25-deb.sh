#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The pfc-dkms Debian package: built with dpkg-buildpackage, lintian
# clean, installed and removed with apt in a throwaway Debian 12 root.
exec "$(dirname "$0")/../deb-check.sh"
