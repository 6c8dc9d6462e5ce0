/* SPDX-License-Identifier: Apache-2.0 */
/* Kernel-module backend: the same records, read from the module's character device. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include "sp_capture.h"

struct sp_kmod {
	int fd;
};

static long sp_kmod_poll(void *impl, void *buf, size_t cap, int timeout_ms)
{
	struct sp_kmod *k = impl;
	struct pollfd p = { .fd = k->fd, .events = POLLIN };
	ssize_t n;

	if (timeout_ms) {
		int rc = poll(&p, 1, timeout_ms);

		if (rc < 0)
			return errno == EINTR ? 0 : -errno;
		if (rc == 0)
			return 0;
	}
	n = read(k->fd, buf, cap);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	return n;
}

static int sp_kmod_set_cgroup(void *impl, __u64 id, int add)
{
	struct sp_kmod *k = impl;

	return ioctl(k->fd, add ? SP_IOC_ADD_CGROUP : SP_IOC_DEL_CGROUP, &id) ? -errno : 0;
}

static int sp_kmod_set_subtree(void *impl, __u64 id, __u32 level, int add)
{
	struct sp_kmod *k = impl;
	struct sp_subtree st = { .id = id, .level = level };

	return ioctl(k->fd, add ? SP_IOC_ADD_SUBTREE : SP_IOC_DEL_SUBTREE, &st) ? -errno : 0;
}

static int sp_kmod_add_pid(void *impl, __u32 tgid)
{
	struct sp_kmod *k = impl;

	return ioctl(k->fd, SP_IOC_ADD_PID, &tgid) ? -errno : 0;
}

static int sp_kmod_stats(void *impl, struct sp_stats *out)
{
	struct sp_kmod *k = impl;

	return ioctl(k->fd, SP_IOC_STATS, out) ? -errno : 0;
}

static void sp_kmod_close(void *impl)
{
	struct sp_kmod *k = impl;

	close(k->fd);
	free(k);
}

static const struct sp_backend_ops sp_kmod_ops = {
	.set_cgroup = sp_kmod_set_cgroup,
	.set_subtree = sp_kmod_set_subtree,
	.add_pid = sp_kmod_add_pid,
	.poll = sp_kmod_poll,
	.stats = sp_kmod_stats,
	.close = sp_kmod_close,
};

int sp_kmod_open(const char *device, void **impl, const struct sp_backend_ops **ops, char *err, size_t errlen)
{
	struct sp_kmod *k = calloc(1, sizeof(*k));
	const char *path = device ? device : "/dev/" SP_DEVICE_NAME;

	if (!k)
		return -ENOMEM;
	k->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (k->fd < 0) {
		int rc = -errno;

		snprintf(err, errlen, "cannot open %s (%s): load the module first (insmod kmod/build/lkm/sp_lkm.ko)",
			 path, strerror(errno));
		free(k);
		return rc;
	}
	*impl = k;
	*ops = &sp_kmod_ops;
	return 0;
}
