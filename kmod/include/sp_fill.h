/* SPDX-License-Identifier: (GPL-2.0 OR Apache-2.0) */
/*
 * Building one record, shared by the eBPF probe and the kernel module so that both emit
 * byte-identical records for the same syscall. Written for the BPF verifier: every offset
 * into the scratch buffer is masked (SP_OFF_MASK) and every copy size is bounded, so the
 * verifier can prove the bounds; the real values never reach the mask (a record stays
 * under SP_OFF_MASK bytes by construction of the SP_* limits).
 *
 * The including file defines, before including this one:
 *   SP_INLINE                          qualifier for the helpers (static inline, always inlined)
 *   sp_read_user(dst, n, src)          copy n bytes of user memory; 0 or a negative errno
 *   sp_read_user_str(dst, n, src)      copy a user string; bytes copied including the NUL, or < 0
 *   sp_read_kernel(dst, n, src)        copy n bytes of kernel memory; 0 or < 0
 *   sp_barrier(var)                    make the compiler forget what it knows of var, so that
 *                                      the mask after it is really applied (BPF); may be empty
 * and provides the header fields that depend on the task (pid, comm, cgroup...) itself.
 */
#ifndef SP_FILL_H
#define SP_FILL_H
#include "sp_event.h"
#include "sp_syscalls.h"
#include "sp_markers.h"

#define SP_SCRATCH_SIZE 16384
#define SP_OFF_MASK 8191
#define SP_AT_FDCWD (-100)

struct sp_builder {
	__u8 *buf;     /* SP_SCRATCH_SIZE bytes */
	__u32 off;     /* where the next parameter's bytes go */
	__u32 np;      /* number of parameters of this record */
	__u32 rflags;  /* SP_RF_* */
};

/* What execve's entry left for its exit: after a successful exec the old image is gone. */
struct sp_exec_stash {
	__u16 path_len;      /* with SP_PARAM_TRUNCATED when cut */
	__u16 argv_len;
	__u32 pad;
	char path[SP_PATH_MAX + 2];
	char argv[SP_ARGV_MAX * 2];  /* twice the limit so that bounded copies provably fit */
};

/* Where the data of a read/write lives: one buffer, or an iovec array. */
struct sp_data_src {
	__u64 ptr;
	__u32 iovcnt;  /* 0: ptr is a plain buffer */
	__u32 pad;
};

struct sp_user_iovec {
	__u64 base;
	__u64 len;
};

SP_INLINE void sp_begin(struct sp_builder *b, __u32 np)
{
	b->np = np > SP_MAX_PARAMS ? SP_MAX_PARAMS : np;
	b->off = SP_HDR_SIZE + 2 * b->np;
}

SP_INLINE void sp_set_len(struct sp_builder *b, __u32 idx, __u32 len)
{
	*(__u16 *)(b->buf + SP_HDR_SIZE + ((idx & (SP_MAX_PARAMS - 1)) << 1)) = (__u16)len;
}

SP_INLINE void sp_put_u32(struct sp_builder *b, __u32 idx, __u32 v)
{
	*(__u32 *)(b->buf + (b->off & SP_OFF_MASK)) = v;
	sp_set_len(b, idx, 4);
	b->off += 4;
}

SP_INLINE void sp_put_u64(struct sp_builder *b, __u32 idx, __u64 v)
{
	*(__u64 *)(b->buf + (b->off & SP_OFF_MASK)) = v;
	sp_set_len(b, idx, 8);
	b->off += 8;
}

SP_INLINE void sp_put_empty(struct sp_builder *b, __u32 idx)
{
	sp_set_len(b, idx, 0);
}

/*
 * A string was just copied (at most SP_PATH_MAX + 2 bytes) to where the next parameter goes; n
 * is what the copy returned (bytes with the NUL, or < 0). Stores it without its NUL, cut at
 * SP_PATH_MAX and flagged.
 */
SP_INLINE void sp_put_copied_str(struct sp_builder *b, __u32 idx, long n)
{
	__u32 len;

	if (n <= 1) {
		sp_put_empty(b, idx);
		return;
	}
	len = (__u32)(n - 1);
	if (len > SP_PATH_MAX) {
		sp_set_len(b, idx, SP_PATH_MAX | SP_PARAM_TRUNCATED);
		b->off += SP_PATH_MAX;
		return;
	}
	sp_set_len(b, idx, len);
	b->off += len;
}

SP_INLINE void sp_put_user_str(struct sp_builder *b, __u32 idx, __u64 uptr)
{
	if (!uptr) {
		sp_put_empty(b, idx);
		return;
	}
	sp_put_copied_str(b, idx, sp_read_user_str(b->buf + (b->off & SP_OFF_MASK), SP_PATH_MAX + 2, (const void *)(unsigned long)uptr));
}

/* Up to cap bytes of user memory out of avail; the length word says whether it was cut. */
SP_INLINE void sp_put_user_bytes(struct sp_builder *b, __u32 idx, __u64 uptr, __s64 avail, __u32 cap)
{
	__u32 n;

	if (!uptr || avail <= 0) {
		sp_put_empty(b, idx);
		return;
	}
	n = avail > cap ? cap : (__u32)avail;
	sp_barrier(n);
	n &= SP_OFF_MASK;
	if (sp_read_user(b->buf + (b->off & SP_OFF_MASK), n, (const void *)(unsigned long)uptr) < 0) {
		sp_put_empty(b, idx);
		return;
	}
	sp_set_len(b, idx, n | (avail > cap ? SP_PARAM_TRUNCATED : 0));
	b->off += n;
}

SP_INLINE void sp_put_kernel_bytes(struct sp_builder *b, __u32 idx, const void *src, __u32 lenword)
{
	__u32 n = lenword;

	sp_barrier(n);
	n &= SP_PARAM_LEN_MASK & SP_OFF_MASK;

	if (n && sp_read_kernel(b->buf + (b->off & SP_OFF_MASK), n, src) < 0) {
		sp_put_empty(b, idx);
		return;
	}
	sp_set_len(b, idx, lenword);
	b->off += n;
}

/*
 * Bytes [start, start + n) of a read/write's data, n <= SP_CHUNK, from a plain buffer or
 * across an iovec array. Returns how many bytes were copied.
 */
SP_INLINE __u32 sp_copy_range(struct sp_builder *b, const struct sp_data_src *src, __u64 start, __u32 n)
{
	__u32 copied = 0;
	int i;

	if (n > SP_CHUNK)
		n = SP_CHUNK;
	sp_barrier(n);
	n &= (SP_CHUNK * 2 - 1);
	if (!src->iovcnt) {
		if (sp_read_user(b->buf + (b->off & SP_OFF_MASK), n, (const void *)(unsigned long)(src->ptr + start)) < 0)
			return 0;
		return n;
	}
#pragma unroll
	for (i = 0; i < SP_MAX_IOV; i++) {
		struct sp_user_iovec iov;
		__u64 take;

		if ((__u32)i >= src->iovcnt || copied >= n)
			break;
		if (sp_read_user(&iov, sizeof(iov), (const void *)(unsigned long)(src->ptr + i * sizeof(iov))) < 0)
			break;
		if (start >= iov.len) {
			start -= iov.len;
			continue;
		}
		take = iov.len - start;
		if (take > n - copied)
			take = n - copied;
		sp_barrier(take);
		take &= (SP_CHUNK * 2 - 1);
		if (sp_read_user(b->buf + ((b->off + copied) & SP_OFF_MASK), (__u32)take,
				 (const void *)(unsigned long)(iov.base + start)) < 0)
			break;
		copied += (__u32)take;
		start = 0;
	}
	return copied;
}

SP_INLINE int sp_is_stdio_fd(__s64 fd)
{
	return fd >= 0 && fd <= 2;
}

#define SP_EAGAIN 11

/*
 * A non-blocking read or write that found nothing to do (EAGAIN) moved nothing: not recorded.
 * Event loops end every burst of reads with one, so this spares one record per burst.
 */
SP_INLINE int sp_nothing_moved(int ev, __s64 ret)
{
	return (ev == SP_EV_READ || ev == SP_EV_WRITE) && ret == -SP_EAGAIN;
}

/* Where the data of read/write syscall nr (args a) lives: its buffer, or its first SP_MAX_IOV iovecs. */
SP_INLINE void sp_rw_src(struct sp_data_src *data, long nr, const __u64 *a)
{
	int vectored = nr == __NR_readv || nr == __NR_writev || nr == __NR_preadv || nr == __NR_pwritev ||
		       nr == __NR_preadv2 || nr == __NR_pwritev2;

	data->ptr = a[1];
	data->iovcnt = vectored ? (a[2] > SP_MAX_IOV ? SP_MAX_IOV : (__u32)a[2]) : 0;
}

/* ---- markers only: which stdio writes keep their bytes (sp_markers.h) ---------------------- */

/*
 * Whether n bytes at p + skip (skip 0 or 1, a constant once inlined), n <= SP_MARK_HEAD, may start
 * a marker: they are a prefix of one, or begin with its first SP_MARK_CMP bytes.
 */
SP_INLINE int sp_marker_at(const char *p, __u32 n, __u32 skip)
{
	const char rec[] = SP_MARK_RECORD, sen[] = SP_MARK_SENTINEL;
	int is_rec = 1, is_sen = 1;
	__u32 i;

	if (n <= skip)
		return 0;
#pragma unroll
	for (i = 0; i < SP_MARK_CMP; i++) {
		if (skip + i >= n)
			break;
		if (i < SP_MARK_RECORD_LEN && p[skip + i] != rec[i])
			is_rec = 0;
		if (p[skip + i] != sen[i])
			is_sen = 0;
	}
	return is_rec || is_sen;
}

/*
 * Whether the len bytes of user memory at uptr, the start of a write or of one of its buffers, may
 * start a marker line: the marker first, or after one newline. A head that cannot be read counts
 * as one: a record too many, never a marker lost.
 */
SP_INLINE int sp_marker_head(__u64 uptr, __u64 len)
{
	char p[16] = {};
	__u32 n = len > SP_MARK_HEAD ? SP_MARK_HEAD : (__u32)len;

	if (!n)
		return 0;
	sp_barrier(n);
	n &= 15;
	if (sp_read_user(p, n, (const void *)(unsigned long)uptr) < 0)
		return 1;
	return sp_marker_at(p, n, 0) || (p[0] == '\n' && sp_marker_at(p, n, 1));
}

/*
 * Whether a stdio write of ret bytes from src may carry a marker: its buffer starts like one, or
 * for writev any of its first SP_MAX_IOV buffers does (a stream that writes several queued chunks
 * at once gives each its own buffer, and a marker starts its chunk).
 */
SP_INLINE int sp_stdio_marked(const struct sp_data_src *src, __s64 ret)
{
	int i;

	if (ret <= 0)
		return 0;
	if (!src->iovcnt)
		return sp_marker_head(src->ptr, (__u64)ret);
#pragma unroll
	for (i = 0; i < SP_MAX_IOV; i++) {
		struct sp_user_iovec iov;

		if ((__u32)i >= src->iovcnt)
			break;
		if (sp_read_user(&iov, sizeof(iov), (const void *)(unsigned long)(src->ptr + i * sizeof(iov))) < 0)
			return 1;
		if (iov.len && sp_marker_head(iov.base, iov.len))
			return 1;
	}
	return 0;
}

/*
 * Whether a stdio write of ret bytes from src leaves a line open (its last byte is not a newline):
 * then a marker line may go on in the thread's next write to that fd, which is kept whole too. A
 * last byte that cannot be found or read counts as open.
 */
SP_INLINE int sp_stdio_line_open(const struct sp_data_src *src, __s64 ret)
{
	__u64 off = (__u64)ret - 1;
	char c = 0;
	int i;

	if (ret <= 0)
		return 0;
	if (!src->iovcnt)
		return sp_read_user(&c, 1, (const void *)(unsigned long)(src->ptr + off)) < 0 || c != '\n';
#pragma unroll
	for (i = 0; i < SP_MAX_IOV; i++) {
		struct sp_user_iovec iov;

		if ((__u32)i >= src->iovcnt)
			break;
		if (sp_read_user(&iov, sizeof(iov), (const void *)(unsigned long)(src->ptr + i * sizeof(iov))) < 0)
			return 1;
		if (off < iov.len)
			return sp_read_user(&c, 1, (const void *)(unsigned long)(iov.base + off)) < 0 || c != '\n';
		off -= iov.len;
	}
	return 1;
}

/*
 * The data parameter of a read/write: the first bytes transferred. On stdio the first
 * SP_CHUNK bytes, the rest follows in DATA_CHUNK records (SP_RF_MORE); elsewhere the first
 * SP_SNAPLEN bytes.
 */
SP_INLINE void sp_put_data(struct sp_builder *b, __u32 idx, const struct sp_data_src *src, __s64 fd, __s64 ret)
{
	__u32 cap = sp_is_stdio_fd(fd) ? SP_CHUNK : SP_SNAPLEN;
	__u32 want, got;

	if (ret <= 0 || !src->ptr) {
		sp_put_empty(b, idx);
		return;
	}
	want = ret > cap ? cap : (__u32)ret;
	got = sp_copy_range(b, src, 0, want);
	sp_set_len(b, idx, got | (ret > got ? SP_PARAM_TRUNCATED : 0));
	b->off += got & SP_OFF_MASK;
	if (sp_is_stdio_fd(fd) && ret > cap)
		b->rflags |= SP_RF_MORE;
	if (ret > SP_STDIO_MAX || got < want)
		b->rflags |= SP_RF_TRUNCATED;
}

/*
 * One DATA_CHUNK record: bytes [offset, offset + SP_CHUNK) of a stdio read/write that
 * returned ret. Returns 1 when this is the last chunk to emit.
 */
SP_INLINE int sp_fill_chunk(struct sp_builder *b, struct sp_event_hdr *h, const struct sp_data_src *src,
			    __u64 offset, __s64 ret)
{
	__u64 end = ret > SP_STDIO_MAX ? SP_STDIO_MAX : (__u64)ret;
	__u32 want, got;
	int last;

	sp_begin(b, 2);
	b->rflags = 0;
	h->type = SP_EV_DATA_CHUNK;
	sp_put_u64(b, 0, offset);
	want = end - offset > SP_CHUNK ? SP_CHUNK : (__u32)(end - offset);
	got = sp_copy_range(b, src, offset, want);
	last = offset + want >= end || got < want;
	sp_set_len(b, 1, got | (last && (__u64)ret > offset + got ? SP_PARAM_TRUNCATED : 0));
	b->off += got & SP_OFF_MASK;
	if (!last)
		b->rflags |= SP_RF_MORE;
	else if ((__u64)ret > offset + got)
		b->rflags |= SP_RF_TRUNCATED;
	return last;
}

/* Read the x86_64 struct msghdr fields we need: msg_name, msg_namelen, msg_iov, msg_iovlen. */
struct sp_user_msghdr {
	__u64 name;
	__s32 namelen;
	__s32 pad;
	__u64 iov;
	__u64 iovlen;
};

SP_INLINE __u64 sp_min_u64(__u64 a, __u64 b)
{
	return a < b ? a : b;
}

/*
 * Capture execve's path and first arguments at syscall entry, into the stash.
 */
SP_INLINE void sp_stash_exec(struct sp_exec_stash *s, __u64 path, __u64 argv)
{
	__u32 off = 0;
	long n;
	int i;

	n = path ? sp_read_user_str(s->path, SP_PATH_MAX + 2, (const void *)(unsigned long)path) : 0;
	if (n <= 1)
		s->path_len = 0;
	else if (n - 1 > SP_PATH_MAX)
		s->path_len = SP_PATH_MAX | SP_PARAM_TRUNCATED;
	else
		s->path_len = (__u16)(n - 1);
	s->argv_len = 0;
	if (!argv)
		return;
#pragma unroll
	for (i = 0; i < 8; i++) {
		__u64 arg = 0;

		if (off >= SP_ARGV_MAX)
			break;
		if (sp_read_user(&arg, sizeof(arg), (const void *)(unsigned long)(argv + i * 8)) < 0 || !arg)
			break;
		off &= (SP_ARGV_MAX - 1);
		/* a constant size keeps the verifier happy; argv[] has room for it past any off */
		n = sp_read_user_str(s->argv + off, SP_ARGV_MAX, (const void *)(unsigned long)arg);
		if (n <= 0)
			break;
		off += (__u32)n; /* keeps the NUL as the separator */
	}
	if (off > SP_ARGV_MAX)
		off = SP_ARGV_MAX;
	s->argv_len = (__u16)off;
}

/*
 * ---- one helper per event type, in the order of sp_event_table.c ---------------------------
 *
 * Each sp_fill_<event> writes that event's parameters in the order of its row of the table,
 * and the header fields its syscalls carry (fd, flags); sp_fill_syscall has already set the
 * rest. a[0..5] are the syscall's arguments, nr says which of the event's syscalls it is.
 * Read and write, and sendto and recvfrom, have one helper per pair: their rows are the same,
 * and a second copy of the data copy would make the probe's largest path larger for the verifier.
 */

/* A signed parameter (SP_PT_S64): an int argument is sign-extended by the caller's cast. */
SP_INLINE void sp_put_s64(struct sp_builder *b, __u32 idx, __s64 v)
{
	sp_put_u64(b, idx, (__u64)v);
}

/* An fd parameter (SP_PT_FD): 8 bytes, signed; AT_FDCWD for the calls that take no dirfd. */
SP_INLINE void sp_put_fd(struct sp_builder *b, __u32 idx, __s64 fd)
{
	sp_put_s64(b, idx, fd);
}

/* open: dirfd, path, mode */
SP_INLINE void sp_fill_open(struct sp_builder *b, struct sp_event_hdr *h, long nr, const __u64 *a)
{
	__u64 how[2] = { 0, 0 };

	sp_begin(b, 3);
	if (nr == __NR_open || nr == __NR_creat) {
		h->flags = nr == __NR_creat ? 0x241 /* O_CREAT|O_WRONLY|O_TRUNC */ : a[1];
		sp_put_fd(b, 0, SP_AT_FDCWD);
		sp_put_user_str(b, 1, a[0]);
		sp_put_u32(b, 2, (__u32)(nr == __NR_creat ? a[1] : a[2]));
		return;
	}
	if (nr == __NR_openat2) {
		/* struct open_how { u64 flags; u64 mode; u64 resolve; } */
		sp_read_user(how, 16, (const void *)(unsigned long)a[2]);
		h->flags = how[0];
	} else {
		h->flags = a[2];
		how[1] = a[3];
	}
	sp_put_fd(b, 0, (int)a[0]);
	sp_put_user_str(b, 1, a[1]);
	sp_put_u32(b, 2, (__u32)how[1]);
}

/*
 * read and write (their rows are the same, and so is the code: one helper, which keeps the
 * probe's largest path, the data copy, once in the program): count, offset (-1 for the calls
 * without one), data. The data's source is left in *data for the DATA_CHUNK records that follow.
 */
SP_INLINE void sp_fill_read_write(struct sp_builder *b, struct sp_event_hdr *h, long nr, const __u64 *a, __s64 ret,
				  struct sp_data_src *data)
{
	int positioned = !(nr == __NR_read || nr == __NR_write || nr == __NR_readv || nr == __NR_writev);

	sp_begin(b, 3);
	h->fd = (int)a[0];
	sp_rw_src(data, nr, a);
	if (nr == __NR_preadv2 || nr == __NR_pwritev2)
		h->flags = a[5];
	sp_put_u64(b, 0, a[2]);
	sp_put_u64(b, 1, positioned ? a[3] : (__u64)-1);
	sp_put_data(b, 2, data, (int)a[0], ret);
}

/* sendfile: out_fd, count (the header's fd is the fd read from) */
SP_INLINE void sp_fill_sendfile(struct sp_builder *b, struct sp_event_hdr *h, long nr, const __u64 *a)
{
	sp_begin(b, 2);
	if (nr == __NR_sendfile) {
		/* sendfile(out_fd, in_fd, offset, count) */
		h->fd = (int)a[1];
		sp_put_fd(b, 0, (int)a[0]);
		sp_put_u64(b, 1, a[3]);
		return;
	}
	/* copy_file_range and splice: (fd_in, off_in, fd_out, off_out, len, flags) */
	h->fd = (int)a[0];
	h->flags = a[5];
	sp_put_fd(b, 0, (int)a[2]);
	sp_put_u64(b, 1, a[4]);
}

/* close: no parameters */
SP_INLINE void sp_fill_close(struct sp_builder *b, struct sp_event_hdr *h, const __u64 *a)
{
	sp_begin(b, 0);
	h->fd = (int)a[0];
}

/* dup: newfd (-1 for dup, where the kernel chooses it: it is the return value) */
SP_INLINE void sp_fill_dup(struct sp_builder *b, struct sp_event_hdr *h, long nr, const __u64 *a)
{
	sp_begin(b, 1);
	h->fd = (int)a[0];
	if (nr == __NR_dup3)
		h->flags = a[2];
	sp_put_fd(b, 0, nr == __NR_dup ? -1 : (int)a[1]);
}

/* pipe: fd0, fd1 (-1 when the call failed) */
SP_INLINE void sp_fill_pipe(struct sp_builder *b, struct sp_event_hdr *h, long nr, const __u64 *a, __s64 ret)
{
	__s32 fds[2] = { -1, -1 };

	sp_begin(b, 2);
	if (nr == __NR_pipe2)
		h->flags = a[1];
	if (ret == 0)
		sp_read_user(fds, sizeof(fds), (const void *)(unsigned long)a[0]);
	sp_put_fd(b, 0, fds[0]);
	sp_put_fd(b, 1, fds[1]);
}

/* The four parameters of rename and link: olddirfd, oldpath, newdirfd, newpath. */
SP_INLINE void sp_put_path_pair(struct sp_builder *b, __s64 olddirfd, __u64 oldpath, __s64 newdirfd, __u64 newpath)
{
	sp_begin(b, 4);
	sp_put_fd(b, 0, olddirfd);
	sp_put_user_str(b, 1, oldpath);
	sp_put_fd(b, 2, newdirfd);
	sp_put_user_str(b, 3, newpath);
}

/* rename: olddirfd, oldpath, newdirfd, newpath */
SP_INLINE void sp_fill_rename(struct sp_builder *b, struct sp_event_hdr *h, long nr, const __u64 *a)
{
	/* rename(oldpath, newpath); renameat and renameat2(olddirfd, oldpath, newdirfd, newpath[, flags]) */
	int at = nr != __NR_rename;

	if (nr == __NR_renameat2)
		h->flags = a[4];
	sp_put_path_pair(b, at ? (int)a[0] : SP_AT_FDCWD, at ? a[1] : a[0], at ? (int)a[2] : SP_AT_FDCWD, at ? a[3] : a[1]);
}

/* unlink: dirfd, path (rmdir is unlinkat with AT_REMOVEDIR) */
SP_INLINE void sp_fill_unlink(struct sp_builder *b, struct sp_event_hdr *h, long nr, const __u64 *a)
{
	sp_begin(b, 2);
	if (nr == __NR_unlinkat) {
		h->flags = a[2];
		sp_put_fd(b, 0, (int)a[0]);
		sp_put_user_str(b, 1, a[1]);
		return;
	}
	h->flags = nr == __NR_rmdir ? 0x200 /* AT_REMOVEDIR */ : 0;
	sp_put_fd(b, 0, SP_AT_FDCWD);
	sp_put_user_str(b, 1, a[0]);
}

/* link: olddirfd, oldpath, newdirfd, newpath (a symlink's oldpath is its target, taken as is) */
SP_INLINE void sp_fill_link(struct sp_builder *b, struct sp_event_hdr *h, long nr, const __u64 *a)
{
	__s64 olddirfd = SP_AT_FDCWD, newdirfd = SP_AT_FDCWD;
	__u64 oldpath = a[0], newpath = a[1];

	if (nr == __NR_symlinkat) {
		/* symlinkat(target, newdirfd, linkpath) */
		newdirfd = (int)a[1];
		newpath = a[2];
	} else if (nr == __NR_linkat) {
		/* linkat(olddirfd, oldpath, newdirfd, newpath, flags) */
		h->flags = a[4];
		olddirfd = (int)a[0];
		oldpath = a[1];
		newdirfd = (int)a[2];
		newpath = a[3];
	}
	sp_put_path_pair(b, olddirfd, oldpath, newdirfd, newpath);
}

/* The three parameters of mkdir and chmod: dirfd, path, mode. */
SP_INLINE void sp_put_path_mode(struct sp_builder *b, __s64 dirfd, __u64 path, __u64 mode)
{
	sp_begin(b, 3);
	sp_put_fd(b, 0, dirfd);
	sp_put_user_str(b, 1, path);
	sp_put_u32(b, 2, (__u32)mode);
}

/* mkdir: dirfd, path, mode */
SP_INLINE void sp_fill_mkdir(struct sp_builder *b, long nr, const __u64 *a)
{
	/* mkdir(path, mode); mkdirat(dirfd, path, mode) */
	int at = nr != __NR_mkdir;

	sp_put_path_mode(b, at ? (int)a[0] : SP_AT_FDCWD, at ? a[1] : a[0], at ? a[2] : a[1]);
}

/* chmod: dirfd, path, mode (fchmod has neither dirfd nor path: -1 and empty, the fd in the header) */
SP_INLINE void sp_fill_chmod(struct sp_builder *b, struct sp_event_hdr *h, long nr, const __u64 *a)
{
	/* chmod(path, mode); fchmodat(dirfd, path, mode) */
	int at = nr != __NR_chmod;

	if (nr != __NR_fchmod) {
		sp_put_path_mode(b, at ? (int)a[0] : SP_AT_FDCWD, at ? a[1] : a[0], at ? a[2] : a[1]);
		return;
	}
	/* fchmod(fd, mode) */
	sp_begin(b, 3);
	h->fd = (int)a[0];
	sp_put_fd(b, 0, -1);
	sp_put_empty(b, 1);
	sp_put_u32(b, 2, (__u32)a[1]);
}

/* execve: dirfd, path, argv (both from the stash its entry left; empty without one) */
SP_INLINE void sp_fill_execve(struct sp_builder *b, struct sp_event_hdr *h, long nr, const __u64 *a,
			      const struct sp_exec_stash *ex)
{
	sp_begin(b, 3);
	if (nr == __NR_execveat) {
		h->flags = a[4];
		sp_put_fd(b, 0, (int)a[0]);
	} else {
		sp_put_fd(b, 0, SP_AT_FDCWD);
	}
	if (ex) {
		sp_put_kernel_bytes(b, 1, ex->path, ex->path_len);
		sp_put_kernel_bytes(b, 2, ex->argv, ex->argv_len);
	} else {
		sp_put_empty(b, 1);
		sp_put_empty(b, 2);
	}
}

/* clone: no parameters; the header's flags are the clone flags (fork and vfork's implied ones) */
SP_INLINE void sp_fill_clone(struct sp_builder *b, struct sp_event_hdr *h, long nr, const __u64 *a)
{
	sp_begin(b, 0);
	if (nr == __NR_clone)
		h->flags = a[0];
	else if (nr == __NR_clone3)
		sp_read_user(&h->flags, 8, (const void *)(unsigned long)a[0]); /* clone_args.flags */
	else if (nr == __NR_vfork)
		h->flags = 0x4111; /* CLONE_VM | CLONE_VFORK | SIGCHLD */
	else
		h->flags = 17; /* SIGCHLD */
}

/* exit_group: status */
SP_INLINE void sp_fill_exit_group(struct sp_builder *b, const __u64 *a)
{
	sp_begin(b, 1);
	sp_put_s64(b, 0, (__s64)a[0]);
}

/* connect: addr */
SP_INLINE void sp_fill_connect(struct sp_builder *b, struct sp_event_hdr *h, const __u64 *a)
{
	sp_begin(b, 1);
	h->fd = (int)a[0];
	sp_put_user_bytes(b, 0, a[1], (__s64)(int)a[2], SP_SOCKADDR_MAX);
}

/* accept: addr (the peer's, which the kernel wrote back; empty when the call failed) */
SP_INLINE void sp_fill_accept(struct sp_builder *b, struct sp_event_hdr *h, long nr, const __u64 *a, __s64 ret)
{
	__s32 alen = 0;

	sp_begin(b, 1);
	h->fd = (int)a[0];
	if (nr == __NR_accept4)
		h->flags = a[3];
	if (ret >= 0 && a[1] && a[2])
		sp_read_user(&alen, 4, (const void *)(unsigned long)a[2]);
	sp_put_user_bytes(b, 0, ret >= 0 ? a[1] : 0, alen, SP_SOCKADDR_MAX);
}

/* bind: addr */
SP_INLINE void sp_fill_bind(struct sp_builder *b, struct sp_event_hdr *h, const __u64 *a)
{
	sp_begin(b, 1);
	h->fd = (int)a[0];
	sp_put_user_bytes(b, 0, a[1], (__s64)(int)a[2], SP_SOCKADDR_MAX);
}

/* listen: backlog */
SP_INLINE void sp_fill_listen(struct sp_builder *b, struct sp_event_hdr *h, const __u64 *a)
{
	sp_begin(b, 1);
	h->fd = (int)a[0];
	sp_put_s64(b, 0, (int)a[1]);
}

/*
 * sendto and recvfrom (same rows, one helper, so that the data copy is in the probe once):
 * count, addr, data. sendto/recvfrom(fd, buf, len, flags, addr, addrlen): recvfrom's addrlen
 * points to the length the kernel wrote back. sendmsg/recvmsg(fd, msg, flags): everything comes
 * out of the msghdr, count is its iovec count and the data is read across its iovecs. Only the
 * first SP_SNAPLEN bytes: a socket is never stdio here.
 */
SP_INLINE void sp_fill_sendto_recvfrom(struct sp_builder *b, struct sp_event_hdr *h, long nr, const __u64 *a,
				       __s64 ret, struct sp_data_src *data)
{
	__u64 count, name;
	__s64 namelen = 0;

	h->fd = (int)a[0];
	if (nr == __NR_sendmsg || nr == __NR_recvmsg) {
		struct sp_user_msghdr m = {};

		h->flags = a[2];
		sp_read_user(&m, sizeof(m), (const void *)(unsigned long)a[1]);
		name = m.name;
		namelen = m.namelen;
		data->ptr = m.iov;
		data->iovcnt = m.iovlen > SP_MAX_IOV ? SP_MAX_IOV : (__u32)m.iovlen;
		count = m.iovlen;
	} else {
		h->flags = a[3];
		data->ptr = a[1];
		count = a[2];
		name = a[4];
		if (nr == __NR_sendto) {
			namelen = (int)a[5];
		} else if (a[5] && ret >= 0) {
			__s32 alen = 0;

			sp_read_user(&alen, 4, (const void *)(unsigned long)a[5]);
			namelen = alen;
		}
	}
	sp_begin(b, 3);
	sp_put_u64(b, 0, count);
	sp_put_user_bytes(b, 1, name, namelen, SP_SOCKADDR_MAX);
	sp_put_data(b, 2, data, -1, ret);
}

/* socket: domain, type, protocol (type with its SOCK_NONBLOCK/SOCK_CLOEXEC bits is also the flags) */
SP_INLINE void sp_fill_socket(struct sp_builder *b, struct sp_event_hdr *h, const __u64 *a)
{
	sp_begin(b, 3);
	h->flags = a[1];
	sp_put_u32(b, 0, (__u32)a[0]);
	sp_put_u32(b, 1, (__u32)a[1]);
	sp_put_u32(b, 2, (__u32)a[2]);
}

/* kill: target, sig (tgkill's target is the thread, its tgid is not kept) */
SP_INLINE void sp_fill_kill(struct sp_builder *b, long nr, const __u64 *a)
{
	sp_begin(b, 2);
	if (nr == __NR_tgkill) {
		sp_put_s64(b, 0, (int)a[1]);
		sp_put_u32(b, 1, (__u32)a[2]);
	} else {
		sp_put_s64(b, 0, (int)a[0]);
		sp_put_u32(b, 1, (__u32)a[1]);
	}
}

/*
 * Fill type, fd, flags and the parameters of syscall nr (args a[0..5], return value ret).
 * Returns the event type, or SP_EV_NONE when the syscall is not captured.
 * ex: execve's stash (may be NULL for other syscalls).
 */
SP_INLINE int sp_fill_syscall(struct sp_builder *b, struct sp_event_hdr *h, long nr, const __u64 *a, __s64 ret,
			      const struct sp_exec_stash *ex, struct sp_data_src *data)
{
	int ev = sp_syscall_event(nr);

	h->type = (__u16)ev;
	h->syscall_nr = (__s32)nr;
	h->fd = -1;
	h->flags = 0;
	b->rflags = 0;
	data->ptr = 0;
	data->iovcnt = 0;

	switch (ev) {
	case SP_EV_OPEN: sp_fill_open(b, h, nr, a); break;
	case SP_EV_READ:
	case SP_EV_WRITE: sp_fill_read_write(b, h, nr, a, ret, data); break;
	case SP_EV_SENDFILE: sp_fill_sendfile(b, h, nr, a); break;
	case SP_EV_CLOSE: sp_fill_close(b, h, a); break;
	case SP_EV_DUP: sp_fill_dup(b, h, nr, a); break;
	case SP_EV_PIPE: sp_fill_pipe(b, h, nr, a, ret); break;
	case SP_EV_RENAME: sp_fill_rename(b, h, nr, a); break;
	case SP_EV_UNLINK: sp_fill_unlink(b, h, nr, a); break;
	case SP_EV_LINK: sp_fill_link(b, h, nr, a); break;
	case SP_EV_MKDIR: sp_fill_mkdir(b, nr, a); break;
	case SP_EV_CHMOD: sp_fill_chmod(b, h, nr, a); break;
	case SP_EV_EXECVE: sp_fill_execve(b, h, nr, a, ex); break;
	case SP_EV_CLONE: sp_fill_clone(b, h, nr, a); break;
	case SP_EV_EXIT_GROUP: sp_fill_exit_group(b, a); break;
	case SP_EV_CONNECT: sp_fill_connect(b, h, a); break;
	case SP_EV_ACCEPT: sp_fill_accept(b, h, nr, a, ret); break;
	case SP_EV_BIND: sp_fill_bind(b, h, a); break;
	case SP_EV_LISTEN: sp_fill_listen(b, h, a); break;
	case SP_EV_SENDTO:
	case SP_EV_RECVFROM: sp_fill_sendto_recvfrom(b, h, nr, a, ret, data); break;
	case SP_EV_SOCKET: sp_fill_socket(b, h, a); break;
	case SP_EV_KILL: sp_fill_kill(b, nr, a); break;
	default: return SP_EV_NONE;
	}
	return ev;
}

/*
 * The events that are not syscalls (the caller has set the header: no syscall number, fd or flags).
 */

/*
 * proc_fork: child_pid, child_tgid (the host's numbers), child_ns_pid (the child's pid as its
 * own, innermost, pid namespace numbers it: what a process in a container sees, and what the
 * wrapper records; read at the fork, so it is there even when the child is gone by the time
 * user space looks at /proc)
 */
SP_INLINE void sp_fill_proc_fork(struct sp_builder *b, __u32 child_pid, __u32 child_tgid, __u32 child_ns_pid)
{
	sp_begin(b, 3);
	sp_put_u32(b, 0, child_pid);
	sp_put_u32(b, 1, child_tgid);
	sp_put_u32(b, 2, child_ns_pid);
}

/* proc_exit: exit_code */
SP_INLINE void sp_fill_proc_exit(struct sp_builder *b, __s64 exit_code)
{
	sp_begin(b, 1);
	sp_put_s64(b, 0, exit_code);
}

/* ---- summing repeated reads and writes (IO_REPEAT, see sp_event.h) ------------------------ */

/* Reads or writes of one fd by one thread, counted since the last IO_REPEAT. */
struct sp_agg {
	__s32 fd;
	__u16 type;     /* SP_EV_READ or SP_EV_WRITE; 0: the slot is free */
	__u16 pad;
	__s32 nr;       /* the last one's syscall number */
	__u32 count;    /* repeats not emitted yet */
	__u64 bytes;
	__u64 first_ns;
	__u64 last_ns;
	__s64 last_ret;
};

/* Slots per thread: a copy loop (one fd read, another written) needs two. */
#define SP_AGG_SLOTS 2

/*
 * Count a read or write on a slot armed for its fd and direction. 0: the caller emits it in
 * full (after emitting the pending repeats) and arms a slot for the ones that follow. A slot
 * counting for longer than SP_AGG_MAX_NS is emitted, so that a busy stream shows while it runs.
 */
SP_INLINE int sp_agg_count(struct sp_agg *slots, int ev, int fd, long nr, __s64 ret, __u64 now)
{
	int i;

#pragma unroll
	for (i = 0; i < SP_AGG_SLOTS; i++) {
		struct sp_agg *a = &slots[i];

		if (a->type != ev || a->fd != fd)
			continue;
		if (a->count && now - a->first_ns > SP_AGG_MAX_NS)
			return 0;
		if (!a->count)
			a->first_ns = now;
		a->count++;
		a->bytes += ret;
		a->last_ns = now;
		a->last_ret = ret;
		a->nr = (__s32)nr;
		return 1;
	}
	return 0;
}

/* Arm a slot for this fd and direction; call it once no slot has repeats pending. */
SP_INLINE void sp_agg_arm(struct sp_agg *slots, __u8 *evict, int ev, int fd)
{
	struct sp_agg *a;
	int i;

#pragma unroll
	for (i = 0; i < SP_AGG_SLOTS; i++)
		if (slots[i].type == ev && slots[i].fd == fd)
			return;
	i = *evict & (SP_AGG_SLOTS - 1);
	*evict = (__u8)(i + 1);
	a = &slots[i];
	a->type = (__u16)ev;
	a->fd = fd;
	a->count = 0;
	a->bytes = 0;
}

/*
 * The IO_REPEAT record of a slot with repeats pending (the header's task fields and time are
 * the caller's: ts_ns = a->last_ns), and the slot emptied.
 */
SP_INLINE void sp_fill_repeat(struct sp_builder *b, struct sp_event_hdr *h, struct sp_agg *a)
{
	h->type = SP_EV_IO_REPEAT;
	h->syscall_nr = a->nr;
	h->fd = a->fd;
	h->flags = 0;
	h->ret = a->last_ret;
	b->rflags = 0;
	sp_begin(b, 4);
	sp_put_u32(b, 0, a->type);
	sp_put_u64(b, 1, a->count);
	sp_put_u64(b, 2, a->bytes);
	sp_put_u64(b, 3, a->first_ns);
	a->count = 0;
	a->bytes = 0;
}

/* Finish the header's own fields once the parameters are written. Returns the record length. */
SP_INLINE __u32 sp_finish(struct sp_builder *b, struct sp_event_hdr *h)
{
	h->len = b->off & SP_OFF_MASK;
	h->version = SP_EVENT_VERSION;
	h->nparams = (__u8)b->np;
	h->rflags = b->rflags;
	return h->len;
}

#endif
