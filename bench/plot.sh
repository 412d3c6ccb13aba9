#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Plots of a bench/run.sh result directory, with Debian's gnuplot
# (tools/deps.sh plot installs gnuplot-nox):
#   lookup-vs-contexts.png  lookup hit cost against contexts per inode
#   lookup-vs-inodes.png    lookup hit cost against inodes with contexts
#
# usage: bench/plot.sh [RESULT-DIR [PLOT-DIR]]
#        (defaults: ${TMPDIR:-/tmp}/pfc-bench and bench/plots)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
res=${1:-${TMPDIR:-/tmp}/pfc-bench}
dst=${2:-$here/plots}
command -v gnuplot >/dev/null || "$here/../tools/deps.sh" plot >&2
for f in lookup_ctx.dat lookup_inodes.dat; do
	[ -f "$res/$f" ] || { echo "plot: no $res/$f (run bench/run.sh first)" >&2; exit 1; }
done
mkdir -p "$dst"
env=$(sed -n 's/^== environment: //p' "$res/table.txt" | head -1)

gnuplot <<EOF
set terminal pngcairo size 900,560 font "sans,11"
set key top left
set grid
set ylabel "ns per lookup (median)"
set style data linespoints
set title "pfc-bench: lookup hit vs contexts on the inode\n{/*0.8 ${env}}"
set xlabel "contexts on the inode (lookup finds the oldest)"
set logscale x 2
set xtics (1, 4, 16)
set xrange [0.8:20]
set output "$dst/lookup-vs-contexts.png"
plot "$res/lookup_ctx.dat" using 1:2 title "pfc" lw 2, \
     "" using 1:3 title "FSRTL-style (mutex hash + mutex)", \
     "" using 1:4 title "old-IMA-style (rbtree + rwlock)", \
     "" using 1:5 title "fsnotify_find_mark()" noenhanced
set title "pfc-bench: lookup hit vs inodes carrying contexts\n{/*0.8 ${env}}"
set logscale y 10
set xlabel "inodes with one context each (looked up in random order)"
set logscale x 10
set xrange [*:*]
set xtics auto
set format x "10^{%L}"
set output "$dst/lookup-vs-inodes.png"
plot "$res/lookup_inodes.dat" using 1:2 title "pfc" lw 2, \
     "" using 1:3 title "FSRTL-style (mutex hash + mutex)", \
     "" using 1:4 title "old-IMA-style (rbtree + rwlock)", \
     "" using 1:5 title "fsnotify_find_mark()" noenhanced
EOF
echo "plot: $dst/lookup-vs-contexts.png $dst/lookup-vs-inodes.png"
