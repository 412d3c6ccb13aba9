// SPDX-License-Identifier: GPL-2.0
/*
 * pfc_fusefs - a FUSE file system for the VM scenarios, built with gcc
 * -static against Debian's libfuse3-dev and run inside the guest.
 *
 *   pfc_fusefs MOUNTPOINT
 *	serve, in the foreground and single-threaded, a root directory with
 *	two regular files: "f" (fixed content) and "g", whose content the
 *	server changes on every open, as any FUSE server may: the kernel
 *	learns of it only from what reads return.  Ends at umount.
 */
#define FUSE_USE_VERSION 31
#include <errno.h>
#include <fuse.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char f_text[] = "fuse data\n";
static char g_text[32] = "generation 0\n";
static unsigned long g_gen;

static const char *content(const char *path)
{
	if (!strcmp(path, "/f"))
		return f_text;
	if (!strcmp(path, "/g"))
		return g_text;
	return NULL;
}

static int fs_getattr(const char *path, struct stat *st,
		      struct fuse_file_info *fi)
{
	const char *text = content(path);

	(void)fi;
	memset(st, 0, sizeof(*st));
	if (!strcmp(path, "/")) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		return 0;
	}
	if (!text)
		return -ENOENT;
	st->st_mode = S_IFREG | 0644;
	st->st_nlink = 1;
	st->st_size = strlen(text);
	return 0;
}

static int fs_readdir(const char *path, void *buf, fuse_fill_dir_t fill,
		      off_t off, struct fuse_file_info *fi,
		      enum fuse_readdir_flags flags)
{
	(void)off;
	(void)fi;
	(void)flags;
	if (strcmp(path, "/"))
		return -ENOENT;
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	fill(buf, "f", NULL, 0, 0);
	fill(buf, "g", NULL, 0, 0);
	return 0;
}

static int fs_open(const char *path, struct fuse_file_info *fi)
{
	if (!content(path))
		return -ENOENT;
	if ((fi->flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	if (!strcmp(path, "/g"))
		snprintf(g_text, sizeof(g_text), "generation %lu\n", ++g_gen);
	/* The page cache must not hide a change: read from us each time. */
	fi->direct_io = 1;
	return 0;
}

static int fs_read(const char *path, char *buf, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	const char *text = content(path);
	size_t len;

	(void)fi;
	if (!text)
		return -ENOENT;
	len = strlen(text);
	if ((size_t)off >= len)
		return 0;
	if (size > len - off)
		size = len - off;
	memcpy(buf, text + off, size);
	return size;
}

static const struct fuse_operations fs_ops = {
	.getattr = fs_getattr,
	.readdir = fs_readdir,
	.open = fs_open,
	.read = fs_read,
};

int main(int argc, char **argv)
{
	char fg[] = "-f", single[] = "-s", o[] = "-o", other[] = "allow_other";
	char *args[7];

	if (argc != 2) {
		fprintf(stderr, "usage: pfc_fusefs MOUNTPOINT\n");
		return 2;
	}
	/* foreground, single-threaded; fuse_main() takes argv as writable */
	args[0] = argv[0];
	args[1] = fg;
	args[2] = single;
	args[3] = o;
	args[4] = other;
	args[5] = argv[1];
	args[6] = NULL;
	return fuse_main(6, args, &fs_ops, NULL);
}
