/* SPDX-License-Identifier: Apache-2.0 */
/* eBPF backend: load the CO-RE probe from its skeleton, manage the filter maps, drain the ring. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "sp_capture.h"
#include "sp_probe.skel.h"

struct sp_bpf {
	struct sp_probe_bpf *skel;
	struct ring_buffer *rb;
	/* the poll in progress */
	char *out;
	size_t cap, used;
	/* a record that did not fit in the previous batch: delivered first next time */
	char *pending;
	size_t pending_len;
	int ncpu;
};

static int sp_bpf_on_record(void *ctx, void *data, size_t len)
{
	struct sp_bpf *s = ctx;

	if (s->used + len > s->cap) {
		/* libbpf consumes the record even when we stop: keep it for the next batch */
		memcpy(s->pending, data, len);
		s->pending_len = len;
		return -ENOSPC;
	}
	memcpy(s->out + s->used, data, len);
	s->used += len;
	return 0;
}

static long sp_bpf_poll(void *impl, void *buf, size_t cap, int timeout_ms)
{
	struct sp_bpf *s = impl;
	int rc;

	if (cap < SP_SCRATCH_BYTES)
		return -EINVAL;
	s->out = buf;
	s->cap = cap;
	s->used = 0;
	if (s->pending_len) {
		memcpy(s->out, s->pending, s->pending_len);
		s->used = s->pending_len;
		s->pending_len = 0;
		timeout_ms = 0;
	}
	rc = timeout_ms ? ring_buffer__poll(s->rb, timeout_ms) : ring_buffer__consume(s->rb);
	if (rc < 0 && rc != -ENOSPC && rc != -EINTR)
		return rc;
	/* after a wait, take what arrived meanwhile too */
	if (rc >= 0 && !s->pending_len && s->used < cap)
		ring_buffer__consume(s->rb);
	return (long)s->used;
}

/*
 * Rewrite the probe's direct-mapped slot for id's slot from the whole set (sp_cgroups): the
 * one id that maps there, 0 for none, SP_CG_COLLIDED for several.
 */
static int sp_bpf_sync_slot(struct sp_bpf *s, __u64 id)
{
	int set = bpf_map__fd(s->skel->maps.sp_cgroups);
	__u32 slot = id & (SP_CG_SLOTS - 1);
	__u64 key, next, v = 0;
	void *prev = NULL;

	while (bpf_map_get_next_key(set, prev, &next) == 0) {
		key = next;
		prev = &key;
		if ((key & (SP_CG_SLOTS - 1)) != slot)
			continue;
		v = v ? SP_CG_COLLIDED : key;
	}
	__atomic_store_n(&s->skel->bss->sp_cgslots[slot], v, __ATOMIC_SEQ_CST);
	return 0;
}

static int sp_bpf_set_cgroup(void *impl, __u64 id, int add)
{
	struct sp_bpf *s = impl;
	int fd = bpf_map__fd(s->skel->maps.sp_cgroups);
	__u8 one = 1;
	int rc;

	if (add) {
		if (bpf_map_update_elem(fd, &id, &one, BPF_ANY))
			return -errno;
		return sp_bpf_sync_slot(s, id);
	}
	if (bpf_map_delete_elem(fd, &id)) {
		if (errno == ENOENT)
			return 0;
		return -errno;
	}
	rc = sp_bpf_sync_slot(s, id);
	/* then tasks that were captured decide again, so that the container's leftovers stop costing */
	__atomic_add_fetch(&s->skel->bss->sp_filter_gen, 1, __ATOMIC_SEQ_CST);
	return rc;
}

static int sp_bpf_set_subtree(void *impl, __u64 id, __u32 level, int add)
{
	struct sp_bpf *s = impl;
	int fd = bpf_map__fd(s->skel->maps.sp_subtrees);
	struct sp_subtree cur, v = { .id = add ? id : 0, .level = add ? level : 0 };
	__u32 k, slot = SP_MAX_SUBTREES, used = 0;

	if (!id)
		return -EINVAL;
	for (k = 0; k < SP_MAX_SUBTREES; k++) {
		if (bpf_map_lookup_elem(fd, &k, &cur))
			return -errno;
		if (cur.id == id && cur.level == level)
			slot = k; /* already there: add is a no-op, remove clears it */
		else if (add && !cur.id && slot == SP_MAX_SUBTREES)
			slot = k;
	}
	if (slot == SP_MAX_SUBTREES)
		return add ? -ENOSPC : 0;
	if (bpf_map_update_elem(fd, &slot, &v, BPF_ANY))
		return -errno;
	for (k = 0; k < SP_MAX_SUBTREES; k++)
		if (!bpf_map_lookup_elem(fd, &k, &cur) && cur.id)
			used = k + 1;
	__atomic_store_n(&s->skel->bss->sp_subtrees_n, used, __ATOMIC_SEQ_CST);
	/* tasks that already decided (either way) decide again under the new filter */
	__atomic_add_fetch(&s->skel->bss->sp_filter_gen, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static int sp_bpf_add_pid(void *impl, __u32 tgid)
{
	struct sp_bpf *s = impl;
	__u8 one = 1;

	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.sp_pids), &tgid, &one, BPF_ANY))
		return -errno;
	s->skel->bss->sp_pids_added = 1; /* the probe looks at sp_pids from now on */
	return 0;
}

static int sp_bpf_stats(void *impl, struct sp_stats *out)
{
	struct sp_bpf *s = impl;
	struct { __u64 events, drops, bytes; } per[s->ncpu];
	__u32 zero = 0;
	int i;

	memset(out, 0, sizeof(*out));
	if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.sp_stats), &zero, per))
		return -errno;
	for (i = 0; i < s->ncpu; i++) {
		out->events += per[i].events;
		out->drops += per[i].drops;
		out->bytes += per[i].bytes;
	}
	return 0;
}

static int sp_bpf_set_attached(void *impl, int on)
{
	struct sp_bpf *s = impl;

	if (!on) {
		sp_probe_bpf__detach(s->skel);
		return 0;
	}
	/* programs already attached keep their link; the others are attached again */
	return sp_probe_bpf__attach(s->skel);
}

static void sp_bpf_close(void *impl)
{
	struct sp_bpf *s = impl;

	ring_buffer__free(s->rb);
	sp_probe_bpf__destroy(s->skel);
	free(s->pending);
	free(s);
}

static const struct sp_backend_ops sp_bpf_ops = {
	.set_cgroup = sp_bpf_set_cgroup,
	.set_subtree = sp_bpf_set_subtree,
	.add_pid = sp_bpf_add_pid,
	.poll = sp_bpf_poll,
	.stats = sp_bpf_stats,
	.set_attached = sp_bpf_set_attached,
	.close = sp_bpf_close,
};

static int sp_silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf's warnings go to stderr only when asked: the caller reports errors itself */
	if (level == LIBBPF_WARN && getenv("SP_LIBBPF_DEBUG"))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

int sp_bpf_open(unsigned flags, void **impl, const struct sp_backend_ops **ops, char *err, size_t errlen)
{
	struct sp_bpf *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return -ENOMEM;
	libbpf_set_print(sp_silent);
	s->ncpu = libbpf_num_possible_cpus();
	s->pending = malloc(SP_SCRATCH_BYTES);
	s->skel = sp_probe_bpf__open();
	if (!s->skel || !s->pending) {
		rc = -errno ? -errno : -ENOMEM;
		snprintf(err, errlen, "cannot open the eBPF probe: %s", strerror(-rc));
		goto fail;
	}
	if (flags & SP_OPEN_DURATIONS)
		s->skel->rodata->sp_durations = 1;
	else
		bpf_program__set_autoload(s->skel->progs.sp_sys_enter, false);
	rc = sp_probe_bpf__load(s->skel);
	if (rc) {
		snprintf(err, errlen,
			 "cannot load the eBPF probe (%s): kernel capture needs root (CAP_BPF+CAP_PERFMON), "
			 "a kernel with BTF (/sys/kernel/btf/vmlinux) and bpf_loop (Linux >= 5.17); "
			 "set SP_LIBBPF_DEBUG=1 to see the verifier's log",
			 strerror(-rc));
		goto fail;
	}
	rc = sp_probe_bpf__attach(s->skel);
	if (rc) {
		snprintf(err, errlen, "cannot attach the eBPF probe to the syscall tracepoints: %s", strerror(-rc));
		goto fail;
	}
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.sp_ring), sp_bpf_on_record, s, NULL);
	if (!s->rb) {
		rc = -errno;
		snprintf(err, errlen, "cannot map the probe's ring buffer: %s", strerror(-rc));
		goto fail;
	}
	*impl = s;
	*ops = &sp_bpf_ops;
	return 0;
fail:
	if (s->skel)
		sp_probe_bpf__destroy(s->skel);
	free(s->pending);
	free(s);
	return rc;
}
