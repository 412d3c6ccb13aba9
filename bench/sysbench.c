// SPDX-License-Identifier: GPL-2.0
/*
 * pfc_sysbench - syscall-level cost of pfc for files without contexts
 *
 *   pfc_sysbench openread <file> <iters> <label>
 *	open + read(4 KiB) + close of <file>, <iters> times
 *   pfc_sysbench churn <dir> <iters> <label>
 *	create (open O_CREAT|O_EXCL) + close + unlink of a file in <dir>
 *
 * Prints one line "PFCS op=<op> state=<label> iters=N ns_op=X".  Built
 * static, for the busybox guest of bench/run.sh.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	static char buf[4096];
	char path[4096];
	long i, iters;
	double t0, t;
	int fd;

	if (argc != 5) {
		fprintf(stderr, "usage: %s openread|churn <path> <iters> <label>\n",
			argv[0]);
		return 2;
	}
	iters = atol(argv[3]);
	if (!strcmp(argv[1], "openread")) {
		t0 = now_ns();
		for (i = 0; i < iters; i++) {
			fd = open(argv[2], O_RDONLY);
			if (fd < 0 || read(fd, buf, sizeof(buf)) < 0) {
				perror(argv[2]);
				return 1;
			}
			close(fd);
		}
		t = now_ns() - t0;
	} else if (!strcmp(argv[1], "churn")) {
		snprintf(path, sizeof(path), "%s/pfcs.%d", argv[2], getpid());
		t0 = now_ns();
		for (i = 0; i < iters; i++) {
			fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);
			if (fd < 0) {
				perror(path);
				return 1;
			}
			close(fd);
			if (unlink(path)) {
				perror(path);
				return 1;
			}
		}
		t = now_ns() - t0;
	} else {
		fprintf(stderr, "unknown op %s\n", argv[1]);
		return 2;
	}
	printf("PFCS op=%s state=%s iters=%ld ns_op=%.1f\n", argv[1], argv[4],
	       iters, t / iters);
	return 0;
}
