// SPDX-License-Identifier: GPL-2.0
/*
 * pfc_sysbench - syscall-level cost of pfc for files without contexts
 *
 *   pfc_sysbench openread <file> <iters> <label> [runs]
 *	open + read(4 KiB) + close of <file>, <iters> times
 *   pfc_sysbench churn <dir> <iters> <label> [runs]
 *	create (open O_CREAT|O_EXCL) + close + unlink of a file in <dir>
 *
 * Does it <runs> times (default 1) and prints one line
 * "PFCS op=<op> state=<label> iters=N runs=R ns_op=<min> med=<median>":
 * on a host shared with other work, the fastest of several short runs is
 * the one least disturbed.  Built static, for the busybox guest of
 * bench/run.sh.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 64

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double run(const char *op, const char *arg, long iters)
{
	static char buf[4096];
	char path[4096];
	double t0, t;
	long i;
	int fd;

	if (!strcmp(op, "openread")) {
		t0 = now_ns();
		for (i = 0; i < iters; i++) {
			fd = open(arg, O_RDONLY);
			if (fd < 0 || read(fd, buf, sizeof(buf)) < 0) {
				perror(arg);
				return -1;
			}
			close(fd);
		}
		t = now_ns() - t0;
	} else if (!strcmp(op, "churn")) {
		snprintf(path, sizeof(path), "%s/pfcs.%d", arg, getpid());
		t0 = now_ns();
		for (i = 0; i < iters; i++) {
			fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);
			if (fd < 0) {
				perror(path);
				return -1;
			}
			close(fd);
			if (unlink(path)) {
				perror(path);
				return -1;
			}
		}
		t = now_ns() - t0;
	} else {
		fprintf(stderr, "unknown op %s\n", op);
		return -1;
	}
	return t / iters;
}

int main(int argc, char **argv)
{
	double ns[MAX_RUNS];
	long iters, runs = 1, r;

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: %s openread|churn <path> <iters> <label> [runs]\n",
			argv[0]);
		return 2;
	}
	iters = atol(argv[3]);
	if (argc == 6)
		runs = atol(argv[5]);
	if (iters < 1 || runs < 1 || runs > MAX_RUNS)
		return 2;
	for (r = 0; r < runs; r++) {
		ns[r] = run(argv[1], argv[2], iters);
		if (ns[r] < 0)
			return 1;
	}
	qsort(ns, runs, sizeof(ns[0]), cmp_double);
	printf("PFCS op=%s state=%s iters=%ld runs=%ld ns_op=%.1f med=%.1f\n",
	       argv[1], argv[4], iters, runs, ns[0], ns[runs / 2]);
	return 0;
}
