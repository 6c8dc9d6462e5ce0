/* SPDX-License-Identifier: (GPL-2.0 OR Apache-2.0) */
/*
 * "Markers only" stdio capture: the probe and the module keep the bytes of a stdio write only when
 * it may carry an activation boundary marker; every other stdio write is summed like a file write
 * (IO_REPEAT: count and bytes, no data). The agent uses a stdio write's bytes only to find those
 * markers (the wrapper's begin and end records, the runtime's end-of-activation sentinel); every
 * other log line comes from the container's log, not from the kernel.
 *
 * The rule the writers keep (protocol/stdio-markers.ts, the same strings, checked by
 * kmod/schema.test.ts): a write(2) to stdout or stderr that carries a marker has it at the start
 * of the write, or of one of its buffers for writev, after at most one newline (the wrapper ends
 * a line user output left open before its records). A marker line cut at the end of a write (a
 * partial write to a full non-blocking pipe, a record longer than one write) continues in the
 * thread's next writes to that fd: the capture keeps those whole until one ends with a newline.
 *
 * The capture compares the first SP_MARK_CMP bytes only (after the optional newline): a write
 * whose first bytes merely look like a marker costs a record, never a lost marker. A write shorter
 * than that counts when its bytes are a prefix of a marker (the marker may go on in the next write).
 */
#ifndef SP_MARKERS_H
#define SP_MARKERS_H

/* The start of every wrapper record line, of any record version (protocol/wrapper-records.ts RECORD_PREFIX). */
#define SP_MARK_RECORD "@prov/"
#define SP_MARK_RECORD_LEN 6
/* The runtime's end-of-activation sentinel line (protocol/action-runtime.ts ACTIVATION_SENTINEL). */
#define SP_MARK_SENTINEL "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX"
#define SP_MARK_SENTINEL_LEN 37
/* Bytes of a marker compared: all of the record prefix, the sentinel's first eight. */
#define SP_MARK_CMP 8
/* Bytes read at the start of a write or buffer: the optional newline and SP_MARK_CMP. */
#define SP_MARK_HEAD (1 + SP_MARK_CMP)

#endif
