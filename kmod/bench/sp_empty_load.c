// SPDX-License-Identifier: GPL-2.0
/*
 * Loads and attaches sp_empty.bpf.o (the empty program on the probe's hook) for as long as its
 * stdin stays open: prints "attached" once the program runs on every system call, then waits
 * for EOF and detaches. Used by bench/capture.ts to measure the hook's own cost in the same run.
 *
 *   sp_empty_load <sp_empty.bpf.o>
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_link *link;
	char buf[64];
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: sp_empty_load <sp_empty.bpf.o>\n");
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "sp_empty_load: cannot open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "sp_empty_load: cannot load %s: %s (run as root on a kernel with BTF)\n", argv[1], strerror(-err));
		return 1;
	}
	prog = bpf_object__find_program_by_name(obj, "sp_empty_exit");
	link = prog ? bpf_program__attach(prog) : NULL;
	if (!link) {
		fprintf(stderr, "sp_empty_load: cannot attach the empty program to sys_exit: %s\n", strerror(errno));
		bpf_object__close(obj);
		return 1;
	}
	printf("attached\n");
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0)
		;
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return 0;
}
