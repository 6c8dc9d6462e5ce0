/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The probe's and the module's stdio marker tests (include/sp_fill.h: sp_stdio_marked,
 * sp_stdio_line_open), built for user space, for kmod/markers.test.ts to compare with the rule
 * in protocol/stdio-markers.ts on many writes.
 *
 * stdin, one write per line: its buffers in hex, separated by ','; a leading 'v' makes it a
 * writev of those buffers, else it is a write(2) of the one buffer. stdout, one line per write:
 * "<marked> <line open>" (0 or 1 each), for the whole write having been written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <linux/types.h>

static unsigned char mem[1 << 16];
static size_t mem_len;

/* "User memory" is mem; a read outside what was filled fails as an unmapped page would. */
static int fake_read_user(void *dst, unsigned long n, unsigned long src)
{
	unsigned long at = src - (unsigned long)mem;

	if (src < (unsigned long)mem || at > mem_len || n > mem_len - at)
		return -EFAULT;
	memcpy(dst, mem + at, n);
	return 0;
}

#define SP_INLINE static inline
#define sp_read_user(dst, n, src) fake_read_user((dst), (n), (unsigned long)(src))
#define sp_read_user_str(dst, n, src) (-EFAULT)
#define sp_read_kernel(dst, n, src) (memcpy((dst), (src), (n)), 0)
#define sp_barrier(var) do { } while (0)
#include "sp_fill.h"

static int hexval(int c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

int main(void)
{
	static char line[1 << 17];

	while (fgets(line, sizeof(line), stdin)) {
		struct sp_user_iovec iov[64];
		struct sp_data_src src = { 0 };
		char *p = line;
		int vectored = *p == 'v', n = 0;
		__s64 total = 0;
		size_t data_at;

		if (vectored)
			p++;
		/* the iovec array first, the buffers' bytes after it */
		data_at = sizeof(iov);
		mem_len = sizeof(iov);
		for (;;) {
			size_t start = data_at;

			while (p[0] && p[0] != ',' && p[0] != '\n' && p[1]) {
				mem[data_at++] = (unsigned char)(hexval(p[0]) << 4 | hexval(p[1]));
				p += 2;
			}
			iov[n].base = (__u64)(unsigned long)(mem + start);
			iov[n].len = data_at - start;
			total += (__s64)iov[n].len;
			n++;
			if (*p != ',' || n == 64)
				break;
			p++;
		}
		mem_len = data_at;
		memcpy(mem, iov, sizeof(iov));
		if (vectored) {
			src.ptr = (__u64)(unsigned long)mem;
			src.iovcnt = n > SP_MAX_IOV ? SP_MAX_IOV : (__u32)n;
		} else {
			src.ptr = iov[0].base;
		}
		printf("%d %d\n", sp_stdio_marked(&src, total), sp_stdio_line_open(&src, total));
	}
	return 0;
}
