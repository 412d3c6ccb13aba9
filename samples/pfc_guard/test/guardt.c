// SPDX-License-Identifier: GPL-2.0
/*
 * guardt - what the pfc_guard guest scripts cannot do with busybox alone.
 * Built with gcc -static by tools/demo.sh and run inside the guest.
 *
 *   guardt open FILE [r|w]      open FILE read-only (or O_RDWR), close it;
 *                               print "ok" or the errno name (EACCES, ...)
 *   guardt mmapw FILE TEXT      write TEXT at offset 0 through a shared
 *                               mapping (open O_RDWR, mmap, close the fd,
 *                               store, munmap): on tmpfs this moves neither
 *                               mtime nor i_version
 *   guardt truncate FILE LEN    truncate(2) by path: a change with no open
 *   guardt moveext DONOR ORIG OFF LEN
 *                               EXT4_IOC_MOVE_EXT of bytes [OFF, OFF+LEN)
 *                               (block-aligned) between ORIG and DONOR: the
 *                               donor's range then reads as zeros, and its
 *                               i_version, times and size do not move
 *   guardt flip FILE A C B N MODE
 *                               write A and C in turns at offset 0, N
 *                               times, then B.  MODE "write" or "mmap":
 *                               through one open file (one mapping);
 *                               "reopen-write" or "reopen-mmap": a fresh
 *                               open (and mapping) for each write.  A, C
 *                               must be allowed: each open is checked.
 *   guardt opens FILE N         open FILE N times read-only; print
 *                               "allowed X denied Y other Z"
 *   guardt mapped FILE TEXT     the issue-11 sequence: open O_RDWR, mmap
 *                               shared, close the fd, wait 50 ms;
 *                               open read-only (R1); store TEXT through the mapping;
 *                               open read-only (R2); munmap; open
 *                               read-only (R3).  Prints "R1 R2 R3", each
 *                               "ok" or an errno name.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/types.h>
#include <unistd.h>

static const char *errname(int err)
{
	switch (err) {
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EIO: return "EIO";
	case ENOMEM: return "ENOMEM";
	case EINTR: return "EINTR";
	default: return strerror(err);
	}
}

static int do_open(const char *file, int flags)
{
	int fd = open(file, flags);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

struct guardt_move_extent {
	__u32 reserved;
	__u32 donor_fd;
	__u64 orig_start;
	__u64 donor_start;
	__u64 len;
	__u64 moved_len;
};

#define GUARDT_EXT4_IOC_MOVE_EXT _IOWR('f', 15, struct guardt_move_extent)

/* Swap the blocks of [@off, @off + @len) of @orig and @donor (ext4). */
static int move_ext(const char *donor, const char *orig, long off, long len)
{
	struct guardt_move_extent me = { 0 };
	struct statfs sf;
	int d, o, err = 0;

	o = open(orig, O_RDWR);
	if (o < 0)
		return errno;
	d = open(donor, O_WRONLY);
	if (d < 0 || fstatfs(d, &sf)) {
		err = errno;
		goto out;
	}
	me.donor_fd = d;
	me.orig_start = off / sf.f_bsize;
	me.donor_start = me.orig_start;
	me.len = len / sf.f_bsize;
	if (ioctl(o, GUARDT_EXT4_IOC_MOVE_EXT, &me))
		err = errno;
	else if (me.moved_len != me.len)
		err = EIO;
	/* The donor's clean page cache still holds the old bytes. */
	posix_fadvise(d, 0, 0, POSIX_FADV_DONTNEED);
out:
	if (d >= 0)
		close(d);
	close(o);
	return err;
}

/* Store @text at offset 0 of @file through a shared mapping. */
static int mmap_write(const char *file, const char *text)
{
	size_t len = strlen(text);
	struct stat st;
	char *p;
	int fd;

	fd = open(file, O_RDWR);
	if (fd < 0)
		return errno;
	if (fstat(fd, &st) || (size_t)st.st_size < len) {
		close(fd);
		return EINVAL;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return errno;
	memcpy(p, text, len);
	munmap(p, len);
	return 0;
}

/* Opens read-only around a store through a mapping that outlived its fd. */
static int mapped_store(const char *file, const char *text)
{
	size_t len = strlen(text);
	int r1, r2, r3;
	char *p;
	int fd;

	fd = open(file, O_RDWR);
	if (fd < 0)
		return errno;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return errno;
	/*
	 * Past the coarse clock tick of the copy-up's ctime, so that a guard
	 * without the mapping in view would cache R1's verdict.
	 */
	usleep(50000);
	r1 = do_open(file, O_RDONLY);
	memcpy(p, text, len);
	r2 = do_open(file, O_RDONLY);
	munmap(p, len);
	r3 = do_open(file, O_RDONLY);
	printf("%s %s ", r1 ? errname(r1) : "ok", r2 ? errname(r2) : "ok");
	printf("%s\n", r3 ? errname(r3) : "ok");
	return 0;
}

static int pwrite_text(const char *file, const char *text)
{
	size_t len = strlen(text);
	int fd = open(file, O_WRONLY);
	int err = 0;

	if (fd < 0)
		return errno;
	if (pwrite(fd, text, len, 0) != (ssize_t)len)
		err = errno ? errno : EIO;
	close(fd);
	return err;
}

/* Write A, C, A, ... (n times) then B, through one open file or mapping. */
static int flip_held(const char *file, char **texts, long n, int use_mmap)
{
	size_t len = strlen(texts[0]);
	char *p = NULL;
	long i;
	int fd;

	fd = open(file, O_RDWR);
	if (fd < 0)
		return errno;
	if (use_mmap) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		close(fd);
		if (p == MAP_FAILED)
			return errno;
	}
	for (i = 0; i <= n; i++) {
		const char *text = i == n ? texts[2] : texts[i & 1];

		if (use_mmap)
			memcpy(p, text, len);
		else if (pwrite(fd, text, len, 0) != (ssize_t)len)
			return errno;
		if (!(i % 16))
			sched_yield();
	}
	if (use_mmap)
		munmap(p, len);
	else
		close(fd);
	return 0;
}

/* Open @file @n times read-only; print how many were allowed, denied. */
static int count_opens(const char *file, long n)
{
	long i, allowed = 0, denied = 0, other = 0;
	int err;

	for (i = 0; i < n; i++) {
		err = do_open(file, O_RDONLY);
		if (!err)
			allowed++;
		else if (err == EACCES)
			denied++;
		else
			other++;
	}
	printf("allowed %ld denied %ld other %ld\n", allowed, denied, other);
	return other ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	long i, n;
	int err = 0;

	if (!strcmp(cmd, "opens") && argc == 4)
		return count_opens(argv[2], atol(argv[3]));
	if (!strcmp(cmd, "mapped") && argc == 4) {
		err = mapped_store(argv[2], argv[3]);
		if (err)
			printf("%s\n", errname(err));
		return err ? 1 : 0;
	}
	if (!strcmp(cmd, "open") && (argc == 3 || argc == 4)) {
		err = do_open(argv[2], argc == 4 && argv[3][0] == 'w' ?
			      O_RDWR : O_RDONLY);
	} else if (!strcmp(cmd, "mmapw") && argc == 4) {
		err = mmap_write(argv[2], argv[3]);
	} else if (!strcmp(cmd, "moveext") && argc == 6) {
		err = move_ext(argv[2], argv[3], atol(argv[4]), atol(argv[5]));
	} else if (!strcmp(cmd, "truncate") && argc == 4) {
		if (truncate(argv[2], atol(argv[3])))
			err = errno;
	} else if (!strcmp(cmd, "flip") && argc == 8) {
		/* argv: 2 FILE, 3 A, 4 C, 5 B, 6 N, 7 MODE */
		char *texts[3] = { argv[3], argv[4], argv[5] };
		const char *mode = argv[7];

		n = atol(argv[6]);
		if (!strcmp(mode, "write") || !strcmp(mode, "mmap")) {
			err = flip_held(argv[2], texts, n, !strcmp(mode, "mmap"));
		} else {
			int m = !strcmp(mode, "reopen-mmap");

			for (i = 0; i <= n && !err; i++) {
				const char *text = i == n ? texts[2] : texts[i & 1];

				err = m ? mmap_write(argv[2], text) :
				      pwrite_text(argv[2], text);
			}
		}
	} else {
		fprintf(stderr, "usage: see the opening comment of guardt.c\n");
		return 2;
	}
	printf("%s\n", err ? errname(err) : "ok");
	return err ? 1 : 0;
}
