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

/* A NUL-terminated user string, stored without its NUL; cut at SP_PATH_MAX and flagged. */
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
 * Fill type, fd, flags and the parameters of syscall nr (args a[0..5], return value ret).
 * Returns the event type, or SP_EV_NONE when the syscall is not captured.
 * ex: execve's stash (may be NULL for other syscalls).
 */
SP_INLINE int sp_fill_syscall(struct sp_builder *b, struct sp_event_hdr *h, long nr, const __u64 *a, __s64 ret,
			      const struct sp_exec_stash *ex, struct sp_data_src *data)
{
	int ev = sp_syscall_event(nr);
	__u64 tmp[3] = { 0, 0, 0 };

	h->type = (__u16)ev;
	h->syscall_nr = (__s32)nr;
	h->fd = -1;
	h->flags = 0;
	b->rflags = 0;
	data->ptr = 0;
	data->iovcnt = 0;

	switch (ev) {
	case SP_EV_OPEN:
		sp_begin(b, 3);
		if (nr == __NR_open || nr == __NR_creat) {
			h->flags = nr == __NR_creat ? 0x241 /* O_CREAT|O_WRONLY|O_TRUNC */ : a[1];
			sp_put_u64(b, 0, (__u64)(__s64)SP_AT_FDCWD);
			sp_put_user_str(b, 1, a[0]);
			sp_put_u32(b, 2, (__u32)(nr == __NR_creat ? a[1] : a[2]));
		} else {
			if (nr == __NR_openat2) {
				/* struct open_how { u64 flags; u64 mode; u64 resolve; } */
				sp_read_user(tmp, 16, (const void *)(unsigned long)a[2]);
				h->flags = tmp[0];
			} else {
				h->flags = a[2];
				tmp[1] = a[3];
			}
			sp_put_u64(b, 0, (__u64)(__s64)(int)a[0]);
			sp_put_user_str(b, 1, a[1]);
			sp_put_u32(b, 2, (__u32)(nr == __NR_openat2 ? tmp[1] : a[3]));
		}
		break;
	case SP_EV_READ:
	case SP_EV_WRITE:
		sp_begin(b, 3);
		h->fd = (int)a[0];
		data->ptr = a[1];
		if (nr == __NR_readv || nr == __NR_writev || nr == __NR_preadv || nr == __NR_pwritev ||
		    nr == __NR_preadv2 || nr == __NR_pwritev2)
			data->iovcnt = a[2] > SP_MAX_IOV ? SP_MAX_IOV : (__u32)a[2];
		if (nr == __NR_preadv2 || nr == __NR_pwritev2)
			h->flags = a[5];
		sp_put_u64(b, 0, a[2]);
		sp_put_u64(b, 1, (nr == __NR_read || nr == __NR_write || nr == __NR_readv || nr == __NR_writev)
					 ? (__u64)-1 : a[3]);
		sp_put_data(b, 2, data, (int)a[0], ret);
		break;
	case SP_EV_SENDFILE:
		sp_begin(b, 2);
		if (nr == __NR_sendfile) {
			h->fd = (int)a[1];
			sp_put_u64(b, 0, (__u64)(__s64)(int)a[0]);
			sp_put_u64(b, 1, a[3]);
		} else {
			h->fd = (int)a[0];
			h->flags = a[5];
			sp_put_u64(b, 0, (__u64)(__s64)(int)a[2]);
			sp_put_u64(b, 1, a[4]);
		}
		break;
	case SP_EV_CLOSE:
		sp_begin(b, 0);
		h->fd = (int)a[0];
		break;
	case SP_EV_DUP:
		sp_begin(b, 1);
		h->fd = (int)a[0];
		if (nr == __NR_dup3)
			h->flags = a[2];
		sp_put_u64(b, 0, nr == __NR_dup ? (__u64)-1 : (__u64)(__s64)(int)a[1]);
		break;
	case SP_EV_PIPE: {
		__s32 fds[2] = { -1, -1 };

		sp_begin(b, 2);
		if (nr == __NR_pipe2)
			h->flags = a[1];
		if (ret == 0)
			sp_read_user(fds, sizeof(fds), (const void *)(unsigned long)a[0]);
		sp_put_u64(b, 0, (__u64)(__s64)fds[0]);
		sp_put_u64(b, 1, (__u64)(__s64)fds[1]);
		break;
	}
	case SP_EV_RENAME:
	case SP_EV_LINK:
		sp_begin(b, 4);
		if (nr == __NR_rename || nr == __NR_link || nr == __NR_symlink) {
			sp_put_u64(b, 0, (__u64)(__s64)SP_AT_FDCWD);
			sp_put_user_str(b, 1, a[0]);
			sp_put_u64(b, 2, (__u64)(__s64)SP_AT_FDCWD);
			sp_put_user_str(b, 3, a[1]);
		} else if (nr == __NR_symlinkat) {
			sp_put_u64(b, 0, (__u64)(__s64)SP_AT_FDCWD);
			sp_put_user_str(b, 1, a[0]);
			sp_put_u64(b, 2, (__u64)(__s64)(int)a[1]);
			sp_put_user_str(b, 3, a[2]);
		} else {
			if (nr == __NR_renameat2 || nr == __NR_linkat)
				h->flags = a[4];
			sp_put_u64(b, 0, (__u64)(__s64)(int)a[0]);
			sp_put_user_str(b, 1, a[1]);
			sp_put_u64(b, 2, (__u64)(__s64)(int)a[2]);
			sp_put_user_str(b, 3, a[3]);
		}
		break;
	case SP_EV_UNLINK:
		sp_begin(b, 2);
		if (nr == __NR_unlinkat) {
			h->flags = a[2];
			sp_put_u64(b, 0, (__u64)(__s64)(int)a[0]);
			sp_put_user_str(b, 1, a[1]);
		} else {
			h->flags = nr == __NR_rmdir ? 0x200 /* AT_REMOVEDIR */ : 0;
			sp_put_u64(b, 0, (__u64)(__s64)SP_AT_FDCWD);
			sp_put_user_str(b, 1, a[0]);
		}
		break;
	case SP_EV_MKDIR:
	case SP_EV_CHMOD:
		sp_begin(b, 3);
		if (nr == __NR_mkdir || nr == __NR_chmod) {
			sp_put_u64(b, 0, (__u64)(__s64)SP_AT_FDCWD);
			sp_put_user_str(b, 1, a[0]);
			sp_put_u32(b, 2, (__u32)a[1]);
		} else if (nr == __NR_fchmod) {
			h->fd = (int)a[0];
			sp_put_u64(b, 0, (__u64)-1);
			sp_put_empty(b, 1);
			sp_put_u32(b, 2, (__u32)a[1]);
		} else {
			sp_put_u64(b, 0, (__u64)(__s64)(int)a[0]);
			sp_put_user_str(b, 1, a[1]);
			sp_put_u32(b, 2, (__u32)a[2]);
		}
		break;
	case SP_EV_EXECVE:
		sp_begin(b, 3);
		if (nr == __NR_execveat) {
			h->flags = a[4];
			sp_put_u64(b, 0, (__u64)(__s64)(int)a[0]);
		} else {
			sp_put_u64(b, 0, (__u64)(__s64)SP_AT_FDCWD);
		}
		if (ex) {
			sp_put_kernel_bytes(b, 1, ex->path, ex->path_len);
			sp_put_kernel_bytes(b, 2, ex->argv, ex->argv_len);
		} else {
			sp_put_empty(b, 1);
			sp_put_empty(b, 2);
		}
		break;
	case SP_EV_CLONE:
		sp_begin(b, 0);
		if (nr == __NR_clone)
			h->flags = a[0];
		else if (nr == __NR_clone3)
			sp_read_user(&h->flags, 8, (const void *)(unsigned long)a[0]);
		else if (nr == __NR_vfork)
			h->flags = 0x4111; /* CLONE_VM | CLONE_VFORK | SIGCHLD */
		else
			h->flags = 17; /* SIGCHLD */
		break;
	case SP_EV_EXIT_GROUP:
		sp_begin(b, 1);
		sp_put_u64(b, 0, a[0]);
		break;
	case SP_EV_CONNECT:
	case SP_EV_BIND:
		sp_begin(b, 1);
		h->fd = (int)a[0];
		sp_put_user_bytes(b, 0, a[1], (__s64)(int)a[2], SP_SOCKADDR_MAX);
		break;
	case SP_EV_ACCEPT: {
		__s32 alen = 0;

		sp_begin(b, 1);
		h->fd = (int)a[0];
		if (nr == __NR_accept4)
			h->flags = a[3];
		if (ret >= 0 && a[1] && a[2])
			sp_read_user(&alen, 4, (const void *)(unsigned long)a[2]);
		sp_put_user_bytes(b, 0, ret >= 0 ? a[1] : 0, alen, SP_SOCKADDR_MAX);
		break;
	}
	case SP_EV_LISTEN:
		sp_begin(b, 1);
		h->fd = (int)a[0];
		sp_put_u64(b, 0, (__u64)(__s64)(int)a[1]);
		break;
	case SP_EV_SENDTO:
	case SP_EV_RECVFROM: {
		__u64 name = 0;
		__s64 namelen = 0;

		sp_begin(b, 3);
		h->fd = (int)a[0];
		if (nr == __NR_sendto || nr == __NR_recvfrom) {
			h->flags = a[3];
			data->ptr = a[1];
			name = a[4];
			if (nr == __NR_sendto) {
				namelen = (int)a[5];
			} else if (a[5] && ret >= 0) {
				__s32 l = 0;

				sp_read_user(&l, 4, (const void *)(unsigned long)a[5]);
				namelen = l;
			}
			sp_put_u64(b, 0, a[2]);
		} else {
			struct sp_user_msghdr m = {};

			h->flags = a[2];
			sp_read_user(&m, sizeof(m), (const void *)(unsigned long)a[1]);
			name = m.name;
			namelen = m.namelen;
			data->ptr = m.iov;
			data->iovcnt = m.iovlen > SP_MAX_IOV ? SP_MAX_IOV : (__u32)m.iovlen;
			sp_put_u64(b, 0, m.iovlen);
		}
		sp_put_user_bytes(b, 1, name, namelen, SP_SOCKADDR_MAX);
		/* sockets are never stdio here: snaplen only */
		sp_put_data(b, 2, data, -1, ret);
		break;
	}
	case SP_EV_SOCKET:
		sp_begin(b, 3);
		h->flags = a[1];
		sp_put_u32(b, 0, (__u32)a[0]);
		sp_put_u32(b, 1, (__u32)a[1]);
		sp_put_u32(b, 2, (__u32)a[2]);
		break;
	case SP_EV_KILL:
		sp_begin(b, 2);
		if (nr == __NR_tgkill) {
			sp_put_u64(b, 0, (__u64)(__s64)(int)a[1]);
			sp_put_u32(b, 1, (__u32)a[2]);
		} else {
			sp_put_u64(b, 0, (__u64)(__s64)(int)a[0]);
			sp_put_u32(b, 1, (__u32)a[1]);
		}
		break;
	default:
		return SP_EV_NONE;
	}
	return ev;
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
