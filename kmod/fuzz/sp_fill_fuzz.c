/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness over the record builder shared by the eBPF probe and the kernel module
 * (include/sp_fill.h), built for user space with AddressSanitizer:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I../include sp_fill_fuzz.c -o sp_fill_fuzz
 *   ./sp_fill_fuzz -runs=1000000 -max_len=4096
 *
 * The input is a syscall (number, six arguments, return value) and the "user memory" its
 * pointer arguments point into; reads outside that memory fail as they would with -EFAULT.
 * Each captured syscall is filled (and, for stdio data, every DATA_CHUNK record after it; a write is
 * also put through the stdio marker tests, sp_stdio_marked and sp_stdio_line_open) into
 * a scratch buffer of exactly SP_SCRATCH_SIZE bytes, so ASan catches any write past it, and the
 * record is then checked the way kmod/decode.ts reads it: the parameter lengths fit the record,
 * add up to it, and the record fits the scratch buffer. Any violation aborts (a crash to libFuzzer).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <linux/types.h>

static const uint8_t *user_mem;
static size_t user_len;
#define USER_BASE 0x10000ULL

static int fake_read_user(void *dst, unsigned long n, unsigned long src)
{
	if (src < USER_BASE || src - USER_BASE > user_len || n > user_len - (src - USER_BASE))
		return -EFAULT;
	memcpy(dst, user_mem + (src - USER_BASE), n);
	return 0;
}

/* bpf_probe_read_user_str: at most n - 1 bytes and a NUL; returns bytes written with the NUL. */
static long fake_read_user_str(void *dst, unsigned long n, unsigned long src)
{
	unsigned long i;

	if (n == 0 || src < USER_BASE || src - USER_BASE >= user_len)
		return -EFAULT;
	for (i = 0; i + 1 < n; i++) {
		if (src - USER_BASE + i >= user_len)
			return -EFAULT;
		((char *)dst)[i] = (char)user_mem[src - USER_BASE + i];
		if (!((char *)dst)[i])
			return (long)i + 1;
	}
	((char *)dst)[i] = 0;
	return (long)n;
}

#define SP_INLINE static inline
#define sp_read_user(dst, n, src) fake_read_user((dst), (n), (unsigned long)(src))
#define sp_read_user_str(dst, n, src) fake_read_user_str((dst), (n), (unsigned long)(src))
#define sp_read_kernel(dst, n, src) (memcpy((dst), (src), (n)), 0)
#define sp_barrier(var) do { } while (0)
#include "sp_fill.h"

static void check_record(const __u8 *buf, __u32 len)
{
	const struct sp_event_hdr *h = (const void *)buf;
	__u32 i, sum = 0, lens_end;

	if (len < SP_HDR_SIZE || len > SP_SCRATCH_SIZE || h->len != len)
		abort();
	lens_end = SP_HDR_SIZE + 2u * h->nparams;
	if (h->nparams > SP_MAX_PARAMS || lens_end > len)
		abort();
	for (i = 0; i < h->nparams; i++) {
		__u16 w;

		memcpy(&w, buf + SP_HDR_SIZE + 2 * i, 2);
		sum += w & SP_PARAM_LEN_MASK;
	}
	if (lens_end + sum != len)
		abort();
}

/* A pointer argument: mostly into the user memory (odd raw values), else the raw value (NULL, junk). */
static __u64 arg_of(__u64 raw)
{
	return (raw & 1) ? USER_BASE + (raw >> 1) % (user_len + 16) : raw;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum { HEAD = 2 + 6 * 8 + 8 };
	static struct sp_exec_stash stash;
	struct sp_builder b;
	struct sp_data_src src;
	struct sp_event_hdr *h;
	__u64 a[6];
	__s64 ret;
	long nr;
	int i, ev;

	if (size < HEAD)
		return 0;
	user_mem = data + HEAD;
	user_len = size - HEAD;
	nr = (long)((data[0] | data[1] << 8) % 460);
	for (i = 0; i < 6; i++) {
		__u64 raw;

		memcpy(&raw, data + 2 + 8 * i, 8);
		a[i] = arg_of(raw);
	}
	memcpy(&ret, data + 50, 8);
	if (data[50] & 1)
		ret = (__s64)(ret & 0xffff); /* plausible sizes often, any value sometimes */

	b.buf = malloc(SP_SCRATCH_SIZE);
	if (!b.buf)
		return 0;
	memset(b.buf, 0, SP_SCRATCH_SIZE);
	h = (struct sp_event_hdr *)b.buf;
	if (nr == __NR_execve || nr == __NR_execveat)
		sp_stash_exec(&stash, nr == __NR_execveat ? a[1] : a[0], nr == __NR_execveat ? a[2] : a[1]);
	ev = sp_fill_syscall(&b, h, nr, a, ret, &stash, &src);
	/* markers only: what decides whether a stdio write keeps its bytes reads the same user memory */
	if (ev == SP_EV_WRITE)
		(void)(sp_stdio_marked(&src, ret) + sp_stdio_line_open(&src, ret));
	if (ev != SP_EV_NONE) {
		check_record(b.buf, sp_finish(&b, h));
		/* stdio data beyond the first record goes out in DATA_CHUNK records */
		if (src.ptr && ret > SP_CHUNK && sp_is_stdio_fd(h->fd)) {
			__u64 off;

			for (off = SP_CHUNK; off < (__u64)ret && off < SP_STDIO_MAX; off += SP_CHUNK) {
				int last = sp_fill_chunk(&b, h, &src, off, ret);

				check_record(b.buf, sp_finish(&b, h));
				if (last)
					break;
			}
		}
	}
	free(b.buf);
	return 0;
}
