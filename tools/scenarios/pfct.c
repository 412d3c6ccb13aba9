// SPDX-License-Identifier: GPL-2.0
/*
 * pfct - small helpers for the pfc VM scenarios, built with gcc -static and
 * run inside the guest (busybox has no way to do these from the shell).
 *
 *   pfct churn DIR N EVERY
 *	create N files in DIR (each create is an open: the consumer's open
 *	hook attaches a context), open each once more, attach a debugfs
 *	context to every EVERY-th one (0: none), print the live counters,
 *	then unlink them all.  Prints "churn: created N attached M live L inodes I".
 *   pfct files DIR N create|unlink
 *	create (each create is an open) or unlink the files DIR/f0..f<N-1>.
 *   pfct hold-path FILE READY
 *	hold an O_PATH descriptor on FILE (a dentry reference, no open file
 *	for I/O, no open event), create READY, then sleep until killed.
 *   pfct btrfs subvol|snap|destroy DIR NAME [SRC]
 *	btrfs ioctls: create subvolume DIR/NAME, snapshot subvolume SRC as
 *	DIR/NAME, or destroy subvolume (or snapshot) DIR/NAME.
 *   pfct clone SRC DST
 *	create DST as a reflinked copy of SRC (FICLONE): new inode, shared
 *	extents.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/btrfs.h>
#include <linux/fs.h>

#define PFC_DEBUGFS "/sys/kernel/debug/pfc/"

static long stat_value(const char *name)
{
	char line[128];
	size_t len = strlen(name);
	long v = -1;
	FILE *f = fopen(PFC_DEBUGFS "stats", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ' ')
			v = strtol(line + len + 1, NULL, 10);
	fclose(f);
	return v;
}

static int churn(const char *dir, long n, long every)
{
	char path[4096];
	long i, attached = 0;
	int fd, afd = -1;

	if (every > 0) {
		afd = open(PFC_DEBUGFS "attach", O_WRONLY);
		if (afd < 0) {
			perror("attach");
			return 1;
		}
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%ld", dir, i);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0 || write(fd, "x", 1) != 1) {
			fprintf(stderr, "%s: create %s: %s\n", __func__, path,
				strerror(errno));
			return 1;
		}
		close(fd);
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%ld", dir, i);
		fd = open(path, O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "%s: open %s: %s\n", __func__, path,
				strerror(errno));
			return 1;
		}
		close(fd);
		if (every > 0 && i % every == 0) {
			if (write(afd, path, strlen(path)) < 0) {
				fprintf(stderr, "%s: attach %s: %s\n", __func__,
					path, strerror(errno));
				return 1;
			}
			attached++;
		}
	}
	printf("%s: created %ld attached %ld live %ld inodes %ld\n", __func__,
	       n, attached, stat_value("contexts"), stat_value("inodes"));
	fflush(stdout);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%ld", dir, i);
		if (unlink(path)) {
			fprintf(stderr, "%s: unlink %s: %s\n", __func__, path,
				strerror(errno));
			return 1;
		}
	}
	if (afd >= 0)
		close(afd);
	return 0;
}

static int files(const char *dir, long n, const char *what)
{
	bool create = !strcmp(what, "create");
	char path[4096];
	long i;
	int fd;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%ld", dir, i);
		if (create) {
			fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
			if (fd >= 0) {
				close(fd);
				continue;
			}
		} else if (!unlink(path)) {
			continue;
		}
		fprintf(stderr, "%s: %s %s: %s\n", __func__, what, path,
			strerror(errno));
		return 1;
	}
	return 0;
}

static int hold_path(const char *file, const char *ready)
{
	int fd = open(file, O_PATH);

	if (fd < 0) {
		perror(file);
		return 1;
	}
	close(open(ready, O_WRONLY | O_CREAT, 0644));
	for (;;)
		pause();
}

/* Open, read and close @path; returns 0 or -1. */
static int touch_read(const char *path)
{
	char c;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	if (read(fd, &c, 1) < 0) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/*
 * One process of the pressure test: N times, create a file, open it,
 * rename it, hard-link it, open it through the link, keep one descriptor
 * across the unlink of both names, and close it.  Every open is one the
 * watching consumer attaches a context at.
 */
static int rename_link_churn(const char *dir, long n, const char *id)
{
	char f[4096], g[4096], h[4096];
	long i, bad = 0;
	int fd;

	for (i = 0; i < n; i++) {
		snprintf(f, sizeof(f), "%s/%s-f%ld", dir, id, i);
		snprintf(g, sizeof(g), "%s/%s-g%ld", dir, id, i);
		snprintf(h, sizeof(h), "%s/%s-h%ld", dir, id, i);
		fd = open(f, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || write(fd, "x", 1) != 1 || close(fd)) {
			bad++;
			continue;
		}
		if (touch_read(f) || rename(f, g) || link(g, h) || touch_read(h))
			bad++;
		fd = open(h, O_RDONLY);
		if (unlink(g) || unlink(h))
			bad++;
		if (fd >= 0)
			close(fd);
	}
	printf("pressure %s: %ld rounds, %ld failed\n", id, n, bad);
	return bad != 0;
}

static int btrfs_vol(const char *op, const char *dir, const char *name,
		     const char *src)
{
	struct btrfs_ioctl_vol_args args;
	unsigned long req;
	int dfd, sfd = -1, ret;

	memset(&args, 0, sizeof(args));
	strncpy(args.name, name, sizeof(args.name) - 1);
	if (!strcmp(op, "subvol")) {
		req = BTRFS_IOC_SUBVOL_CREATE;
	} else if (!strcmp(op, "destroy")) {
		req = BTRFS_IOC_SNAP_DESTROY;
	} else if (!strcmp(op, "snap") && src) {
		req = BTRFS_IOC_SNAP_CREATE;
		sfd = open(src, O_RDONLY | O_DIRECTORY);
		if (sfd < 0) {
			perror(src);
			return 1;
		}
		args.fd = sfd;
	} else {
		fprintf(stderr, "pfct btrfs: bad arguments\n");
		return 2;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (dfd < 0) {
		perror(dir);
		return 1;
	}
	ret = ioctl(dfd, req, &args);
	if (ret)
		fprintf(stderr, "pfct btrfs %s %s/%s: %s\n", op, dir, name,
			strerror(errno));
	close(dfd);
	if (sfd >= 0)
		close(sfd);
	return ret ? 1 : 0;
}

static int clone_file(const char *src, const char *dst)
{
	int sfd, dfd, ret;

	sfd = open(src, O_RDONLY);
	if (sfd < 0) {
		perror(src);
		return 1;
	}
	dfd = open(dst, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (dfd < 0) {
		perror(dst);
		close(sfd);
		return 1;
	}
	ret = ioctl(dfd, FICLONE, sfd);
	if (ret)
		fprintf(stderr, "pfct clone %s %s: %s\n", src, dst,
			strerror(errno));
	close(dfd);
	close(sfd);
	return ret ? 1 : 0;
}

/*
 * mapclose FILE FATTACH: open FILE, map it, attach a per-open context
 * through FATTACH (pfc_watch's file: the descriptor number), close the
 * descriptor, wait for READY to be removed, then unmap: the mapping holds
 * the file, so its per-open contexts die only at the munmap().
 */
static int mapclose(const char *path, const char *fattach, const char *ready)
{
	char buf[16];
	void *map;
	int fd, afd, n;

	fd = open(path, O_RDONLY);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	afd = open(fattach, O_WRONLY);
	n = snprintf(buf, sizeof(buf), "%d", fd);
	if (afd < 0 || write(afd, buf, n) != n) {
		perror(fattach);
		return 1;
	}
	close(afd);
	close(fd);
	afd = open(ready, O_WRONLY | O_CREAT, 0600);
	if (afd >= 0)
		close(afd);
	while (access(ready, F_OK) == 0)
		usleep(10000);
	munmap(map, 4096);
	return 0;
}

int main(int argc, char **argv)
{
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "btrfs"))
		return btrfs_vol(argv[2], argv[3], argv[4],
				 argc == 6 ? argv[5] : NULL);
	if (argc == 4 && !strcmp(argv[1], "clone"))
		return clone_file(argv[2], argv[3]);
	if (argc == 5 && !strcmp(argv[1], "churn"))
		return churn(argv[2], atol(argv[3]), atol(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "files"))
		return files(argv[2], atol(argv[3]), argv[4]);
	if (argc == 4 && !strcmp(argv[1], "hold-path"))
		return hold_path(argv[2], argv[3]);
	if (argc == 5 && !strcmp(argv[1], "pressure"))
		return rename_link_churn(argv[2], atol(argv[3]), argv[4]);
	if (argc == 5 && !strcmp(argv[1], "mapclose"))
		return mapclose(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: pfct churn DIR N EVERY\n"
		"       pfct files DIR N create|unlink\n"
		"       pfct hold-path FILE READY\n"
		"       pfct pressure DIR N ID\n"
		"       pfct btrfs subvol|snap|destroy DIR NAME [SRC]\n"
		"       pfct clone SRC DST\n"
		"       pfct mapclose FILE FATTACH READY\n");
	return 2;
}
