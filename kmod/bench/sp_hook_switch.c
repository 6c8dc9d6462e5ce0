// SPDX-License-Identifier: Apache-2.0
/*
 * Holds the probe and the empty program on its hook (sp_empty.bpf.o) both loaded, and attaches
 * at most one of them at a time, as told on stdin, so that bench/capture.ts can measure a process
 * with no program, with the empty program and with the idle probe in quick turns: loading the
 * probe takes seconds of verification, switching takes milliseconds, so the three can alternate
 * round by round and drift on the machine falls on all of them alike.
 *
 *   sp_hook_switch <sp_empty.bpf.o> <cgroup id>
 *
 * The probe captures <cgroup id>: for its idle cost a cgroup the measured process is not in, so that
 * its filter is live, as on a node where the agent captures containers; for the cost of capture the
 * measured process's own, and then a thread drains the ring meanwhile, as the agent does. Commands,
 * one a line: "none", "empty", "probe"; each is answered "ok <command>" once only that program is
 * attached (none for "none"). Prints "ready" once both are loaded; detaches everything at EOF.
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sp_capture.h"

static struct sp_capture *probe;
static struct bpf_program *empty_prog;
static struct bpf_link *empty_link;
static int probe_on;
static volatile int draining = 1;

/* Drains the ring (the records are dropped) until the switch is done: the reader's side is not measured. */
static void *drain(void *arg)
{
	static char batch[1 << 20];

	(void)arg;
	while (draining)
		sp_capture_poll(probe, batch, sizeof(batch), 50);
	return NULL;
}

/* Detach whatever is attached but `keep` ("none" keeps nothing). */
static int switch_to(const char *keep)
{
	int rc;

	if (strcmp(keep, "empty") && empty_link) {
		bpf_link__destroy(empty_link);
		empty_link = NULL;
	}
	if (strcmp(keep, "probe") && probe_on) {
		sp_capture_set_attached(probe, 0);
		probe_on = 0;
	}
	if (!strcmp(keep, "empty") && !empty_link) {
		empty_link = bpf_program__attach(empty_prog);
		if (!empty_link)
			return -errno;
	}
	if (!strcmp(keep, "probe") && !probe_on) {
		rc = sp_capture_set_attached(probe, 1);
		if (rc < 0)
			return rc;
		probe_on = 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	pthread_t drainer;
	char line[64], err[512] = "";
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: sp_hook_switch <sp_empty.bpf.o> <cgroup id>\n");
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "sp_hook_switch: cannot load %s: %s (run scripts/kmod-build.sh probe, as root)\n", argv[1], strerror(errno));
		return 1;
	}
	empty_prog = bpf_object__find_program_by_name(obj, "sp_empty_exit");
	if (!empty_prog) {
		fprintf(stderr, "sp_hook_switch: %s has no program sp_empty_exit: rebuild it with scripts/kmod-build.sh probe\n", argv[1]);
		return 1;
	}
	rc = sp_capture_open(SP_BACKEND_BPF, NULL, 0, &probe, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "sp_hook_switch: %s\n", err);
		return 1;
	}
	probe_on = 1;
	rc = sp_capture_add_cgroup(probe, strtoull(argv[2], NULL, 0));
	if (rc < 0 || (rc = switch_to("none")) < 0) {
		fprintf(stderr, "sp_hook_switch: cannot set up the probe: %s\n", strerror(-rc));
		return 1;
	}
	if (pthread_create(&drainer, NULL, drain, NULL)) {
		fprintf(stderr, "sp_hook_switch: cannot start the thread that drains the ring\n");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\r\n")] = 0;
		if (strcmp(line, "none") && strcmp(line, "empty") && strcmp(line, "probe")) {
			fprintf(stderr, "sp_hook_switch: unknown command \"%s\": give none, empty or probe\n", line);
			rc = -EINVAL;
			break;
		}
		rc = switch_to(line);
		if (rc < 0) {
			fprintf(stderr, "sp_hook_switch: cannot attach %s: %s\n", line, strerror(-rc));
			break;
		}
		printf("ok %s\n", line);
		fflush(stdout);
	}
	switch_to("none");
	draining = 0;
	pthread_join(drainer, NULL);
	sp_capture_close(probe);
	bpf_object__close(obj);
	return rc < 0 ? 1 : 0;
}
