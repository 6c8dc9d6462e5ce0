/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sp_capture_dump: open a capture backend, filter on the given cgroup ids, and write raw
 * batches to stdout (binary, or hex lines between markers with --hex for a serial console).
 * Used by the kernel-module test under qemu and for manual checks; the agent uses the addon.
 *
 *   sp_capture_dump [--kmod] [--hex] [--ms N] [--stats] CGROUP_ID...
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "sp_capture.h"

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	enum sp_backend backend = SP_BACKEND_BPF;
	unsigned flags = 0;
	int hex = 0, ms = 1000, i, rc;
	static char buf[1 << 20];
	char err[512] = "";
	struct sp_capture *c;
	struct sp_stats st;
	long long end;
	/* --subtree ID:LEVEL, applied once the capture is open */
	const char *subtrees[8];
	int nsub = 0;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--kmod"))
			backend = SP_BACKEND_KMOD;
		else if (!strcmp(argv[i], "--durations"))
			flags |= SP_OPEN_DURATIONS;
		else if (!strcmp(argv[i], "--hex"))
			hex = 1;
		else if (!strcmp(argv[i], "--ms") && i + 1 < argc)
			ms = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--subtree") && i + 1 < argc && nsub < 8)
			subtrees[nsub++] = argv[++i];
		else {
			fprintf(stderr, "usage: sp_capture_dump [--kmod] [--durations] [--hex] [--ms N] [--subtree ID:LEVEL]... CGROUP_ID...\n");
			return 2;
		}
	}
	rc = sp_capture_open(backend, NULL, flags, &c, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "sp_capture_dump: %s\n", err);
		return 1;
	}
	for (int k = 0; k < nsub; k++) {
		char *colon = strchr(subtrees[k], ':');

		rc = colon ? sp_capture_add_subtree(c, strtoull(subtrees[k], NULL, 0), (__u32)atoi(colon + 1)) : -EINVAL;
		if (rc < 0) {
			fprintf(stderr, "sp_capture_dump: cannot add subtree %s (give ID:LEVEL): %s\n", subtrees[k], strerror(-rc));
			return 1;
		}
	}
	for (; i < argc; i++) {
		rc = sp_capture_add_cgroup(c, strtoull(argv[i], NULL, 0));
		if (rc < 0) {
			fprintf(stderr, "sp_capture_dump: cannot add cgroup %s: %s\n", argv[i], strerror(-rc));
			return 1;
		}
	}
	fprintf(stderr, "sp_capture_dump: ready\n");
	if (hex)
		printf("SP-BEGIN\n");
	fflush(stdout);
	end = now_ms() + ms;
	while (now_ms() < end) {
		long n = sp_capture_poll(c, buf, sizeof(buf), 100);

		if (n < 0) {
			fprintf(stderr, "sp_capture_dump: poll: %s\n", strerror(-n));
			return 1;
		}
		if (!hex) {
			fwrite(buf, 1, n, stdout);
			continue;
		}
		for (long j = 0; j < n; j += 64) {
			printf("SP-HEX ");
			for (long k = j; k < n && k < j + 64; k++)
				printf("%02x", (unsigned char)buf[k]);
			printf("\n");
		}
	}
	sp_capture_stats(c, &st);
	if (hex)
		printf("SP-END events=%llu drops=%llu bytes=%llu\n", (unsigned long long)st.events,
		       (unsigned long long)st.drops, (unsigned long long)st.bytes);
	fflush(stdout);
	sp_capture_close(c);
	return 0;
}
