// SPDX-License-Identifier: GPL-2.0
/*
 * The floor under the probe's idle cost: a program that does nothing, on the same hook as the
 * probe (the raw sys_exit tracepoint). Attaching any program there sends every system call on
 * the node through the tracepoint's slow path; what the probe's filter adds on top of that, for
 * a process it does not capture, is what bench/capture.ts compares against this.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sys_exit")
int BPF_PROG(sp_empty_exit, struct pt_regs *regs, long ret)
{
	return 0;
}
