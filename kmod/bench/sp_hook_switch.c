// SPDX-License-Identifier: Apache-2.0
/*
 * Holds every program bench/capture.ts measures loaded at once, and attaches at most one of them
 * at a time, as told on stdin: loading the probe takes seconds of verification, switching takes
 * milliseconds, so the configurations can take turns round by round, drift on the machine falls
 * on all of them alike, and no round pays for (or waits on) a load.
 *
 *   sp_hook_switch <sp_empty.bpf.o> <cgroup id> [<captured cgroup id>]
 *
 * Programs, each named by the command that attaches it:
 *   empty      the empty program on the probe's hook (sp_empty.bpf.o): the floor of any program there
 *   probe      the probe capturing <cgroup id>: for its idle cost a cgroup the measured process is
 *              not in, so that its filter is live, as on a node where the agent captures containers
 *              (bench/pipe-floor.ts gives the measured cgroup itself, to capture with a variant)
 *   capture    with <captured cgroup id>: a second probe, capturing that cgroup (sys_exit only)
 *   durations  with <captured cgroup id>: a third, with per-syscall durations (sys_enter as well)
 * Every probe has a thread that drains its ring meanwhile, as the agent does (8 MiB batches, as
 * the bench's capture used to read them through the addon); the records are dropped unless kept.
 *
 * Commands, one a line, each answered once done:
 *   none | empty | probe | capture | durations   -> "ok <command>" once only that program is attached
 *   stats <probe|capture|durations>              -> "stats <events> <drops> <bytes>" (the kernel's counters)
 *   keep <path>                                  -> "ok keep": capture's drained batches are appended to
 *                                                   <path>, each as a 4-byte little-endian length and the batch
 *   keep                                         -> "ok keep" once the ring is drained into the file and it is closed
 * Prints "ready" once everything is loaded; detaches everything at EOF.
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sp_capture.h"

#define BATCH_BYTES (8u << 20)
/* a command line: "keep " and a path */
#define LINE_BYTES 4200

/* One probe and the thread that drains its ring. */
struct probe {
	const char *name;
	struct sp_capture *cap;
	int on;
	pthread_t drainer;
	char *batch;
	/* where drained batches go (NULL: dropped); only the drainer touches it */
	FILE *keep;
	/* a change of `keep` asked by the command loop, applied by the drainer between polls */
	pthread_mutex_t lock;
	pthread_cond_t done;
	int request; /* 0: none; 1: open want_path; 2: drain and close */
	char want_path[LINE_BYTES];
	int request_rc;
};

static struct probe probes[3] = { { .name = "probe" }, { .name = "capture" }, { .name = "durations" } };
static int nprobes = 1;
static struct bpf_program *empty_prog;
static struct bpf_link *empty_link;
static volatile int draining = 1;

static int keep_batch(struct probe *p, long got)
{
	uint32_t len = (uint32_t)got;
	unsigned char le[4] = { len & 0xff, (len >> 8) & 0xff, (len >> 16) & 0xff, len >> 24 };

	if (fwrite(le, 1, 4, p->keep) != 4 || fwrite(p->batch, 1, (size_t)got, p->keep) != (size_t)got)
		return -EIO;
	return 0;
}

/* Applies the command loop's request, if any: only this thread polls the ring and writes the file. */
static void apply_request(struct probe *p)
{
	long got;
	int rc = 0;

	pthread_mutex_lock(&p->lock);
	if (p->request == 1) {
		p->keep = fopen(p->want_path, "wb");
		rc = p->keep ? 0 : -errno;
	} else if (p->request == 2 && p->keep) {
		/* what the kept runs wrote is all in the ring by now: take the rest before closing */
		while ((got = sp_capture_poll(p->cap, p->batch, BATCH_BYTES, 0)) > 0 && !rc)
			rc = keep_batch(p, got);
		if (got < 0 && !rc)
			rc = (int)got;
		if (fclose(p->keep) && !rc)
			rc = -EIO;
		p->keep = NULL;
	}
	if (p->request) {
		p->request = 0;
		p->request_rc = rc;
		pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->lock);
}

static void *drain(void *arg)
{
	struct probe *p = arg;
	long got;

	while (draining) {
		apply_request(p);
		got = sp_capture_poll(p->cap, p->batch, BATCH_BYTES, 50);
		if (got > 0 && p->keep && keep_batch(p, got) < 0) {
			fprintf(stderr, "sp_hook_switch: cannot write the kept batches: %s\n", strerror(errno));
			fclose(p->keep);
			p->keep = NULL;
		}
	}
	return NULL;
}

/* Hands a keep request to the probe's drainer and waits until it is applied. */
static int ask_keep(struct probe *p, const char *path)
{
	int rc;

	pthread_mutex_lock(&p->lock);
	if (path)
		snprintf(p->want_path, sizeof(p->want_path), "%s", path);
	p->request = path ? 1 : 2;
	while (p->request)
		pthread_cond_wait(&p->done, &p->lock);
	rc = p->request_rc;
	pthread_mutex_unlock(&p->lock);
	return rc;
}

static struct probe *probe_named(const char *name)
{
	for (int i = 0; i < nprobes; i++)
		if (!strcmp(probes[i].name, name))
			return &probes[i];
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
	for (int i = 0; i < nprobes; i++) {
		if (strcmp(keep, probes[i].name) && probes[i].on) {
			sp_capture_set_attached(probes[i].cap, 0);
			probes[i].on = 0;
		}
	}
	if (!strcmp(keep, "empty") && !empty_link) {
		empty_link = bpf_program__attach(empty_prog);
		if (!empty_link)
			return -errno;
	}
	for (int i = 0; i < nprobes; i++) {
		if (!strcmp(keep, probes[i].name) && !probes[i].on) {
			rc = sp_capture_set_attached(probes[i].cap, 1);
			if (rc < 0)
				return rc;
			probes[i].on = 1;
		}
	}
	return 0;
}

/* Loads probe i (attached, as sp_capture_open leaves it) capturing cgroup; 0 or a negative errno with err filled. */
static int load_probe(int i, unsigned flags, unsigned long long cgroup, char *err, size_t errlen)
{
	struct probe *p = &probes[i];
	int rc;

	rc = sp_capture_open(SP_BACKEND_BPF, NULL, flags, &p->cap, err, errlen);
	if (rc < 0)
		return rc;
	p->on = 1;
	rc = sp_capture_add_cgroup(p->cap, cgroup);
	if (rc < 0) {
		snprintf(err, errlen, "cannot capture cgroup %llu with the %s probe: %s", cgroup, p->name, strerror(-rc));
		return rc;
	}
	p->batch = malloc(BATCH_BYTES);
	if (!p->batch) {
		snprintf(err, errlen, "out of memory for the %s probe's batch", p->name);
		return -ENOMEM;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->done, NULL);
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct sp_stats st;
	struct probe *p;
	char line[LINE_BYTES], err[512] = "";
	int rc = 0;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: sp_hook_switch <sp_empty.bpf.o> <cgroup id> [<captured cgroup id>]\n");
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
	if (argc == 4)
		nprobes = 3;
	for (int i = 0; i < nprobes; i++) {
		rc = load_probe(i, i == 2 ? SP_OPEN_DURATIONS : 0, strtoull(argv[i == 0 ? 2 : 3], NULL, 0), err, sizeof(err));
		/* detached at once: only one program is ever on the hooks */
		if (rc >= 0 && (rc = switch_to("none")) < 0)
			snprintf(err, sizeof(err), "cannot detach the %s probe: %s", probes[i].name, strerror(-rc));
		if (rc < 0) {
			fprintf(stderr, "sp_hook_switch: %s\n", err);
			return 1;
		}
	}
	for (int i = 0; i < nprobes; i++) {
		if (pthread_create(&probes[i].drainer, NULL, drain, &probes[i])) {
			fprintf(stderr, "sp_hook_switch: cannot start the thread that drains the %s probe's ring\n", probes[i].name);
			return 1;
		}
	}
	printf("ready\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\r\n")] = 0;
		if (!strncmp(line, "stats ", 6)) {
			p = probe_named(line + 6);
			if (!p || (rc = sp_capture_stats(p->cap, &st)) < 0) {
				fprintf(stderr, "sp_hook_switch: no counters for \"%s\": give probe, capture or durations (the last two need a captured cgroup)\n", line + 6);
				rc = -EINVAL;
				break;
			}
			printf("stats %llu %llu %llu\n", (unsigned long long)st.events, (unsigned long long)st.drops, (unsigned long long)st.bytes);
		} else if (!strcmp(line, "keep") || !strncmp(line, "keep ", 5)) {
			p = probe_named("capture");
			if (!p) {
				fprintf(stderr, "sp_hook_switch: keep needs a captured cgroup (the third argument)\n");
				rc = -EINVAL;
				break;
			}
			rc = ask_keep(p, line[4] ? line + 5 : NULL);
			if (rc < 0) {
				fprintf(stderr, "sp_hook_switch: cannot keep the capture's batches in \"%s\": %s\n", line[4] ? line + 5 : "(closing)", strerror(-rc));
				break;
			}
			printf("ok keep\n");
		} else if (!strcmp(line, "none") || !strcmp(line, "empty") || probe_named(line)) {
			rc = switch_to(line);
			if (rc < 0) {
				fprintf(stderr, "sp_hook_switch: cannot attach %s: %s\n", line, strerror(-rc));
				break;
			}
			printf("ok %s\n", line);
		} else {
			fprintf(stderr, "sp_hook_switch: unknown command \"%s\": give none, empty, %s, stats <probe>, keep [path]\n", line,
				nprobes == 3 ? "probe, capture, durations" : "probe");
			rc = -EINVAL;
			break;
		}
		fflush(stdout);
	}
	switch_to("none");
	draining = 0;
	for (int i = 0; i < nprobes; i++) {
		pthread_join(probes[i].drainer, NULL);
		if (probes[i].keep)
			fclose(probes[i].keep);
		sp_capture_close(probes[i].cap);
		free(probes[i].batch);
	}
	bpf_object__close(obj);
	return rc < 0 ? 1 : 0;
}
