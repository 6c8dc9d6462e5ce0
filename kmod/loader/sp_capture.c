/* SPDX-License-Identifier: Apache-2.0 */
/* Backend dispatch. Built with -DSP_NO_BPF where libbpf is absent (the static qemu reader). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "sp_capture.h"

struct sp_capture {
	void *impl;
	const struct sp_backend_ops *ops;
};

int sp_capture_open(enum sp_backend backend, const char *device, unsigned flags, struct sp_capture **out, char *err,
		    size_t errlen)
{
	struct sp_capture *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		return -ENOMEM;
	if (backend == SP_BACKEND_KMOD) {
		(void)flags; /* the module always measures durations */
		rc = sp_kmod_open(device, &c->impl, &c->ops, err, errlen);
	} else {
#ifdef SP_NO_BPF
		snprintf(err, errlen, "this build has no eBPF backend (built without libbpf)");
		rc = -ENOTSUP;
#else
		rc = sp_bpf_open(flags, &c->impl, &c->ops, err, errlen);
#endif
	}
	if (rc < 0) {
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int sp_capture_add_cgroup(struct sp_capture *c, __u64 id) { return c->ops->set_cgroup(c->impl, id, 1); }
int sp_capture_remove_cgroup(struct sp_capture *c, __u64 id) { return c->ops->set_cgroup(c->impl, id, 0); }
int sp_capture_add_subtree(struct sp_capture *c, __u64 id, __u32 level) { return c->ops->set_subtree(c->impl, id, level, 1); }
int sp_capture_remove_subtree(struct sp_capture *c, __u64 id, __u32 level) { return c->ops->set_subtree(c->impl, id, level, 0); }
int sp_capture_add_pid(struct sp_capture *c, __u32 tgid) { return c->ops->add_pid(c->impl, tgid); }
long sp_capture_poll(struct sp_capture *c, void *buf, size_t cap, int timeout_ms)
{
	return c->ops->poll(c->impl, buf, cap, timeout_ms);
}
int sp_capture_stats(struct sp_capture *c, struct sp_stats *out) { return c->ops->stats(c->impl, out); }
int sp_capture_set_attached(struct sp_capture *c, int on)
{
	return c->ops->set_attached ? c->ops->set_attached(c->impl, on) : -EOPNOTSUPP;
}

void sp_capture_close(struct sp_capture *c)
{
	if (!c)
		return;
	c->ops->close(c->impl);
	free(c);
}

long long sp_boottime_offset_ns(void)
{
	struct timespec rt, bt;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	return (rt.tv_sec - bt.tv_sec) * 1000000000LL + (rt.tv_nsec - bt.tv_nsec);
}
