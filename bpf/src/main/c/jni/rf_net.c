/* SPDX-License-Identifier: Apache-2.0 */
/* Programs and devices: BPF_PROG_TEST_RUN, XDP attach/replace/detach/query, tc clsact hooks,
 * network-namespace entry for the calling thread, ifindex lookup and SO_MARK on a JDK channel. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "rf_jni.h"
#include "io_ringfleet_bpf_NativeBpf.h"

/* ---- BPF_PROG_TEST_RUN -------------------------------------------------------------------- */

static int rf_opt_in(JNIEnv *env, const char *what, jbyteArray arr, void **buf, __u32 *len)
{
	*buf = NULL;
	*len = 0;
	if (!arr)
		return 0;
	*len = (__u32)(*env)->GetArrayLength(env, arr);
	*buf = rf_alloc(env, "testRun", *len);
	if (!*buf)
		return -1;
	(*env)->GetByteArrayRegion(env, arr, 0, (jsize)*len, *buf);
	(void)what;
	return (*env)->ExceptionCheck(env) ? -1 : 0;
}

JNIEXPORT jlongArray JNICALL RF_JNI(progTestRun)(JNIEnv *env, jclass cls, jint fd, jbyteArray jdata_in,
						 jbyteArray jdata_out, jbyteArray jctx_in, jbyteArray jctx_out,
						 jint repeat, jint flags, jint cpu, jint batch_size)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	void *data_in = NULL, *data_out = NULL, *ctx_in = NULL, *ctx_out = NULL;
	__u32 data_in_len, ctx_in_len, data_out_cap, ctx_out_cap;
	jlongArray result = NULL;
	jlong vals[4];
	int err;

	(void)cls;
	rf_log_reset();
	if (rf_opt_in(env, "data", jdata_in, &data_in, &data_in_len) ||
	    rf_opt_in(env, "ctx", jctx_in, &ctx_in, &ctx_in_len) ||
	    rf_opt_in(env, "data out", jdata_out, &data_out, &data_out_cap) ||
	    rf_opt_in(env, "ctx out", jctx_out, &ctx_out, &ctx_out_cap))
		goto out;
	opts.data_in = data_in;
	opts.data_size_in = data_in_len;
	opts.data_out = data_out;
	opts.data_size_out = data_out_cap;
	opts.ctx_in = ctx_in;
	opts.ctx_size_in = ctx_in_len;
	opts.ctx_out = ctx_out;
	opts.ctx_size_out = ctx_out_cap;
	opts.repeat = repeat;
	opts.flags = (__u32)flags;
	opts.cpu = (__u32)cpu;
	opts.batch_size = (__u32)batch_size;
	err = bpf_prog_test_run_opts(fd, &opts);
	if (err) {
		if (err == -ENOSPC)
			rf_throw(env, "testRun", err,
				 "output too small: data %u bytes for %u, context %u bytes for %u",
				 data_out_cap, opts.data_size_out, ctx_out_cap, opts.ctx_size_out);
		else
			rf_throw(env, "testRun", err, "prog fd %d, %u bytes in, repeat %d, flags 0x%x",
				 (int)fd, data_in_len, (int)repeat, (unsigned)flags);
		goto out;
	}
	if (jdata_out && opts.data_size_out)
		(*env)->SetByteArrayRegion(env, jdata_out, 0,
					   (jsize)(opts.data_size_out < data_out_cap ? opts.data_size_out : data_out_cap),
					   data_out);
	if (jctx_out && opts.ctx_size_out)
		(*env)->SetByteArrayRegion(env, jctx_out, 0,
					   (jsize)(opts.ctx_size_out < ctx_out_cap ? opts.ctx_size_out : ctx_out_cap),
					   ctx_out);
	if ((*env)->ExceptionCheck(env))
		goto out;
	vals[0] = (jlong)opts.retval;
	vals[1] = (jlong)opts.duration;
	vals[2] = (jlong)opts.data_size_out;
	vals[3] = (jlong)opts.ctx_size_out;
	result = (*env)->NewLongArray(env, 4);
	if (result)
		(*env)->SetLongArrayRegion(env, result, 0, 4, vals);
out:
	free(data_in);
	free(data_out);
	free(ctx_in);
	free(ctx_out);
	return result;
}

/* ---- XDP ---------------------------------------------------------------------------------- */

JNIEXPORT void JNICALL RF_JNI(xdpAttach)(JNIEnv *env, jclass cls, jint ifindex, jint prog_fd, jint flags,
					 jint old_prog_fd)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = old_prog_fd);
	int err;

	(void)cls;
	rf_log_reset();
	err = bpf_xdp_attach(ifindex, prog_fd, (__u32)flags, old_prog_fd >= 0 ? &opts : NULL);
	if (err)
		rf_throw(env, "xdpAttach", err, "ifindex %d flags 0x%x", (int)ifindex, (unsigned)flags);
}

JNIEXPORT void JNICALL RF_JNI(xdpDetach)(JNIEnv *env, jclass cls, jint ifindex, jint flags, jint old_prog_fd)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = old_prog_fd);
	int err;

	(void)cls;
	rf_log_reset();
	err = bpf_xdp_detach(ifindex, (__u32)flags, old_prog_fd >= 0 ? &opts : NULL);
	if (err)
		rf_throw(env, "xdpDetach", err, "ifindex %d flags 0x%x", (int)ifindex, (unsigned)flags);
}

JNIEXPORT jint JNICALL RF_JNI(xdpQueryId)(JNIEnv *env, jclass cls, jint ifindex, jint flags)
{
	__u32 id = 0;
	int err;

	(void)cls;
	rf_log_reset();
	err = bpf_xdp_query_id(ifindex, flags, &id);
	if (err)
		rf_throw(env, "xdpQuery", err, "ifindex %d flags 0x%x", (int)ifindex, (unsigned)flags);
	return (jint)id;
}

/* ---- tc ----------------------------------------------------------------------------------- */

JNIEXPORT void JNICALL RF_JNI(tcHookCreate)(JNIEnv *env, jclass cls, jint ifindex, jint attach_point)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = attach_point);
	int err;

	(void)cls;
	rf_log_reset();
	err = bpf_tc_hook_create(&hook);
	if (err)
		rf_throw(env, "tcHookCreate", err, "ifindex %d attach point %d", (int)ifindex, (int)attach_point);
}

JNIEXPORT void JNICALL RF_JNI(tcHookDestroy)(JNIEnv *env, jclass cls, jint ifindex, jint attach_point)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = attach_point);
	int err;

	(void)cls;
	rf_log_reset();
	err = bpf_tc_hook_destroy(&hook);
	if (err)
		rf_throw(env, "tcHookDestroy", err, "ifindex %d attach point %d", (int)ifindex, (int)attach_point);
}

JNIEXPORT jintArray JNICALL RF_JNI(tcAttach)(JNIEnv *env, jclass cls, jint ifindex, jint attach_point,
					     jint prog_fd, jint handle, jint priority, jint flags)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = attach_point);
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd, .handle = (__u32)handle,
		    .priority = (__u32)priority, .flags = (__u32)flags);
	jint vals[3];
	jintArray out;
	int err;

	(void)cls;
	rf_log_reset();
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		rf_throw(env, "tcAttach", err, "ifindex %d attach point %d handle %d priority %d", (int)ifindex,
			 (int)attach_point, (int)handle, (int)priority);
		return NULL;
	}
	vals[0] = (jint)opts.handle;
	vals[1] = (jint)opts.priority;
	vals[2] = (jint)opts.prog_id;
	out = (*env)->NewIntArray(env, 3);
	if (out)
		(*env)->SetIntArrayRegion(env, out, 0, 3, vals);
	return out;
}

JNIEXPORT void JNICALL RF_JNI(tcDetach)(JNIEnv *env, jclass cls, jint ifindex, jint attach_point, jint handle,
					jint priority)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = attach_point);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = (__u32)handle, .priority = (__u32)priority);
	int err;

	(void)cls;
	rf_log_reset();
	err = bpf_tc_detach(&hook, &opts);
	if (err)
		rf_throw(env, "tcDetach", err, "ifindex %d handle %d priority %d", (int)ifindex, (int)handle,
			 (int)priority);
}

JNIEXPORT jint JNICALL RF_JNI(tcQuery)(JNIEnv *env, jclass cls, jint ifindex, jint attach_point, jint handle,
				       jint priority)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = attach_point);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = (__u32)handle, .priority = (__u32)priority);
	int err;

	(void)cls;
	rf_log_reset();
	err = bpf_tc_query(&hook, &opts);
	if (err == -ENOENT || err == -EINVAL)
		return 0; /* no hook or no filter there (EINVAL: no clsact qdisc on the device) */
	if (err) {
		rf_throw(env, "tcQuery", err, "ifindex %d handle %d priority %d", (int)ifindex, (int)handle,
			 (int)priority);
		return 0;
	}
	return (jint)opts.prog_id;
}

/* ---- namespaces, interfaces, sockets ------------------------------------------------------ */

JNIEXPORT jint JNICALL RF_JNI(nsOpen)(JNIEnv *env, jclass cls, jstring jpath)
{
	char path[PATH_MAX];
	int fd;

	(void)cls;
	if (rf_string(env, "nsOpen", "path", jpath, path, sizeof(path)))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		rf_throw(env, "nsOpen", errno, "%s", path);
	return fd;
}

JNIEXPORT void JNICALL RF_JNI(nsEnter)(JNIEnv *env, jclass cls, jint fd)
{
	(void)cls;
	if (setns(fd, CLONE_NEWNET))
		rf_throw(env, "nsEnter", errno, "setns(fd %d, CLONE_NEWNET)", (int)fd);
}

JNIEXPORT jint JNICALL RF_JNI(ifNameToIndex)(JNIEnv *env, jclass cls, jstring jname)
{
	char name[IF_NAMESIZE + 16];
	unsigned idx;

	(void)cls;
	if (rf_string(env, "ifIndex", "interface name", jname, name, sizeof(name)))
		return 0;
	idx = if_nametoindex(name);
	if (!idx)
		rf_throw(env, "ifIndex", errno, "no interface '%s' in this thread's network namespace", name);
	return (jint)idx;
}

JNIEXPORT void JNICALL RF_JNI(setSocketMark)(JNIEnv *env, jclass cls, jobject channel, jint mark)
{
	jclass ch_cls;
	jmethodID get_fd;
	int fd;
	int val = mark;

	(void)cls;
	if (!channel) {
		rf_throw(env, "setSocketMark", EINVAL, "channel is null");
		return;
	}
	ch_cls = (*env)->GetObjectClass(env, channel);
	/* sun.nio.ch.SelChImpl#getFDVal, implemented by the JDK's socket/datagram channels. */
	get_fd = ch_cls ? (*env)->GetMethodID(env, ch_cls, "getFDVal", "()I") : NULL;
	if (!get_fd) {
		(*env)->ExceptionClear(env);
		rf_throw(env, "setSocketMark", EINVAL, "not a JDK socket or datagram channel");
		return;
	}
	fd = (*env)->CallIntMethod(env, channel, get_fd);
	if ((*env)->ExceptionCheck(env))
		return;
	if (fd < 0) {
		rf_throw(env, "setSocketMark", EBADF, "the channel is closed");
		return;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_MARK, &val, sizeof(val)))
		rf_throw(env, "setSocketMark", errno, "SO_MARK %d on fd %d", (int)mark, fd);
}
