/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Maps and fds: pin/get, info, create, element and batch operations.
 * Sizes: Java passes the key/value sizes it read from the kernel (mapInfo) for this fd; the shim
 * checks every Java array against them before the syscall, so a wrong-sized key is an EINVAL
 * BpfException, never a read or write past a buffer. For per-CPU maps the value size passed is
 * round_up(value_size, 8) * possible CPUs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "rf_jni.h"
#include "io_ringfleet_bpf_NativeBpf.h"

#define RF_MAX_ELEM (1 << 24) /* sanity bound on one key or value, far above any kernel limit */

static int rf_check_size(JNIEnv *env, const char *op, const char *what, jint size)
{
	if (size < 0 || size > RF_MAX_ELEM) {
		rf_throw(env, op, EINVAL, "%s size %d out of range", what, (int)size);
		return -1;
	}
	return 0;
}

JNIEXPORT jint JNICALL RF_JNI(objGet)(JNIEnv *env, jclass cls, jstring jpath)
{
	char path[PATH_MAX];
	int fd;

	(void)cls;
	rf_log_reset();
	if (rf_string(env, "openPinned", "path", jpath, path, sizeof(path)))
		return -1;
	fd = bpf_obj_get(path);
	if (fd < 0)
		rf_throw(env, "openPinned", errno, "%s", path);
	return fd;
}

JNIEXPORT void JNICALL RF_JNI(objPin)(JNIEnv *env, jclass cls, jint fd, jstring jpath)
{
	char path[PATH_MAX];
	int err;

	(void)cls;
	rf_log_reset();
	if (rf_string(env, "pin", "path", jpath, path, sizeof(path)))
		return;
	err = bpf_obj_pin(fd, path);
	if (err)
		rf_throw(env, "pin", err, "fd %d at %s", (int)fd, path);
}

JNIEXPORT void JNICALL RF_JNI(closeFd)(JNIEnv *env, jclass cls, jint fd)
{
	(void)env;
	(void)cls;
	if (fd >= 0)
		close(fd);
}

/*
 * bpf_obj_get_info_by_fd fills whatever struct matches the fd's kind, so first check the kind:
 * /proc/self/fd/N of a BPF fd links to "anon_inode:bpf-map" / "anon_inode:bpf-prog".
 */
static int rf_check_kind(JNIEnv *env, const char *op, int fd, const char *kind)
{
	char link[64], target[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0) {
		rf_throw(env, op, errno == ENOENT ? EBADF : errno, "fd %d", fd);
		return -1;
	}
	target[n] = '\0';
	if (strcmp(target, kind)) {
		rf_throw(env, op, EINVAL, "fd %d is %s, not %s", fd, target, kind);
		return -1;
	}
	return 0;
}

static int rf_map_info(JNIEnv *env, const char *op, int fd, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);
	int err;

	if (rf_check_kind(env, op, fd, "anon_inode:bpf-map"))
		return -1;
	memset(info, 0, sizeof(*info));
	err = bpf_obj_get_info_by_fd(fd, info, &len);
	if (err) {
		rf_throw(env, op, err, "fd %d is not a BPF map", fd);
		return -1;
	}
	return 0;
}

static int rf_prog_info(JNIEnv *env, const char *op, int fd, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);
	int err;

	if (rf_check_kind(env, op, fd, "anon_inode:bpf-prog"))
		return -1;
	memset(info, 0, sizeof(*info));
	err = bpf_obj_get_info_by_fd(fd, info, &len);
	if (err) {
		rf_throw(env, op, err, "fd %d is not a BPF program", fd);
		return -1;
	}
	return 0;
}

JNIEXPORT jintArray JNICALL RF_JNI(mapInfo)(JNIEnv *env, jclass cls, jint fd)
{
	struct bpf_map_info info;
	jint vals[6];
	jintArray out;

	(void)cls;
	rf_log_reset();
	if (rf_map_info(env, "mapInfo", fd, &info))
		return NULL;
	vals[0] = (jint)info.type;
	vals[1] = (jint)info.key_size;
	vals[2] = (jint)info.value_size;
	vals[3] = (jint)info.max_entries;
	vals[4] = (jint)info.map_flags;
	vals[5] = (jint)info.id;
	out = (*env)->NewIntArray(env, 6);
	if (out)
		(*env)->SetIntArrayRegion(env, out, 0, 6, vals);
	return out;
}

JNIEXPORT jstring JNICALL RF_JNI(mapName)(JNIEnv *env, jclass cls, jint fd)
{
	struct bpf_map_info info;

	(void)cls;
	rf_log_reset();
	if (rf_map_info(env, "mapName", fd, &info))
		return NULL;
	info.name[sizeof(info.name) - 1] = '\0';
	return (*env)->NewStringUTF(env, info.name);
}

JNIEXPORT jintArray JNICALL RF_JNI(progInfo)(JNIEnv *env, jclass cls, jint fd)
{
	struct bpf_prog_info info;
	jint vals[2];
	jintArray out;

	(void)cls;
	rf_log_reset();
	if (rf_prog_info(env, "programInfo", fd, &info))
		return NULL;
	vals[0] = (jint)info.type;
	vals[1] = (jint)info.id;
	out = (*env)->NewIntArray(env, 2);
	if (out)
		(*env)->SetIntArrayRegion(env, out, 0, 2, vals);
	return out;
}

JNIEXPORT jstring JNICALL RF_JNI(progName)(JNIEnv *env, jclass cls, jint fd)
{
	struct bpf_prog_info info;

	(void)cls;
	rf_log_reset();
	if (rf_prog_info(env, "programName", fd, &info))
		return NULL;
	info.name[sizeof(info.name) - 1] = '\0';
	return (*env)->NewStringUTF(env, info.name);
}

JNIEXPORT jint JNICALL RF_JNI(mapCreate)(JNIEnv *env, jclass cls, jint type, jstring jname, jint key_size,
					 jint value_size, jint max_entries, jint flags, jint inner_fd)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	char name[BPF_OBJ_NAME_LEN];
	int fd;

	(void)cls;
	rf_log_reset();
	if (rf_string(env, "createMap", "name", jname, name, sizeof(name)))
		return -1;
	opts.map_flags = (__u32)flags;
	if (inner_fd >= 0)
		opts.inner_map_fd = (__u32)inner_fd;
	fd = bpf_map_create((enum bpf_map_type)type, name, (__u32)key_size, (__u32)value_size,
			    (__u32)max_entries, &opts);
	if (fd < 0)
		rf_throw(env, "createMap", fd, "'%s' type %d key %d value %d max_entries %d flags 0x%x",
			 name, (int)type, (int)key_size, (int)value_size, (int)max_entries, (unsigned)flags);
	return fd;
}

JNIEXPORT void JNICALL RF_JNI(mapUpdate)(JNIEnv *env, jclass cls, jint fd, jbyteArray jkey, jint key_size,
					 jbyteArray jvalue, jint value_size, jlong flags)
{
	void *key = NULL, *value = NULL;
	int err;

	(void)cls;
	rf_log_reset();
	if (rf_check_size(env, "update", "key", key_size) || rf_check_size(env, "update", "value", value_size))
		return;
	key = rf_alloc(env, "update", key_size);
	value = key ? rf_alloc(env, "update", value_size) : NULL;
	if (!key || !value)
		goto out;
	if (rf_bytes_in(env, "update", "key", jkey, key_size, key) ||
	    rf_bytes_in(env, "update", "value", jvalue, value_size, value))
		goto out;
	err = bpf_map_update_elem(fd, key, value, (__u64)flags);
	if (err)
		rf_throw(env, "update", err, "map fd %d flags %lld", (int)fd, (long long)flags);
out:
	free(key);
	free(value);
}

JNIEXPORT jbyteArray JNICALL RF_JNI(mapLookup)(JNIEnv *env, jclass cls, jint fd, jbyteArray jkey,
					       jint key_size, jint value_size)
{
	void *key = NULL, *value = NULL;
	jbyteArray out = NULL;
	int err;

	(void)cls;
	rf_log_reset();
	if (rf_check_size(env, "lookup", "key", key_size) || rf_check_size(env, "lookup", "value", value_size))
		return NULL;
	key = rf_alloc(env, "lookup", key_size);
	value = key ? rf_alloc(env, "lookup", value_size) : NULL;
	if (!key || !value)
		goto out;
	if (rf_bytes_in(env, "lookup", "key", jkey, key_size, key))
		goto out;
	err = bpf_map_lookup_elem(fd, key, value);
	if (err == -ENOENT)
		goto out;
	if (err) {
		rf_throw(env, "lookup", err, "map fd %d", (int)fd);
		goto out;
	}
	out = rf_bytes_out(env, value, value_size);
out:
	free(key);
	free(value);
	return out;
}

JNIEXPORT jboolean JNICALL RF_JNI(mapDelete)(JNIEnv *env, jclass cls, jint fd, jbyteArray jkey, jint key_size)
{
	void *key;
	int err;

	(void)cls;
	rf_log_reset();
	if (rf_check_size(env, "delete", "key", key_size))
		return JNI_FALSE;
	key = rf_alloc(env, "delete", key_size);
	if (!key)
		return JNI_FALSE;
	if (rf_bytes_in(env, "delete", "key", jkey, key_size, key)) {
		free(key);
		return JNI_FALSE;
	}
	err = bpf_map_delete_elem(fd, key);
	free(key);
	if (err == -ENOENT)
		return JNI_FALSE;
	if (err) {
		rf_throw(env, "delete", err, "map fd %d", (int)fd);
		return JNI_FALSE;
	}
	return JNI_TRUE;
}

JNIEXPORT jbyteArray JNICALL RF_JNI(mapNextKey)(JNIEnv *env, jclass cls, jint fd, jbyteArray jkey,
						jint key_size)
{
	void *key = NULL, *next = NULL;
	jbyteArray out = NULL;
	int err;

	(void)cls;
	rf_log_reset();
	if (rf_check_size(env, "nextKey", "key", key_size))
		return NULL;
	key = rf_alloc(env, "nextKey", key_size);
	next = key ? rf_alloc(env, "nextKey", key_size) : NULL;
	if (!key || !next)
		goto out;
	if (jkey && rf_bytes_in(env, "nextKey", "key", jkey, key_size, key))
		goto out;
	err = bpf_map_get_next_key(fd, jkey ? key : NULL, next);
	if (err == -ENOENT)
		goto out;
	if (err) {
		rf_throw(env, "nextKey", err, "map fd %d", (int)fd);
		goto out;
	}
	out = rf_bytes_out(env, next, key_size);
out:
	free(key);
	free(next);
	return out;
}

JNIEXPORT jint JNICALL RF_JNI(mapUpdateBatch)(JNIEnv *env, jclass cls, jint fd, jbyteArray jkeys,
					      jint key_size, jbyteArray jvalues, jint value_size, jint count,
					      jlong elem_flags)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = (__u64)elem_flags);
	void *keys = NULL, *values = NULL;
	__u32 n = (__u32)count;
	int err;

	(void)cls;
	rf_log_reset();
	if (rf_check_size(env, "updateBatch", "key", key_size) ||
	    rf_check_size(env, "updateBatch", "value", value_size))
		return 0;
	if (count <= 0 || (long long)count * (key_size > value_size ? key_size : value_size) > INT_MAX) {
		rf_throw(env, "updateBatch", EINVAL, "count %d out of range", (int)count);
		return 0;
	}
	keys = rf_alloc(env, "updateBatch", (size_t)key_size * count);
	values = keys ? rf_alloc(env, "updateBatch", (size_t)value_size * count) : NULL;
	if (!keys || !values)
		goto out;
	if (rf_bytes_in(env, "updateBatch", "keys", jkeys, (size_t)key_size * count, keys) ||
	    rf_bytes_in(env, "updateBatch", "values", jvalues, (size_t)value_size * count, values))
		goto out;
	err = bpf_map_update_batch(fd, keys, values, &n, &opts);
	if (err)
		rf_throw(env, "updateBatch", err, "map fd %d: %u of %d elements updated", (int)fd, n, (int)count);
out:
	free(keys);
	free(values);
	return (jint)n;
}

JNIEXPORT jlong JNICALL RF_JNI(mapLookupBatch)(JNIEnv *env, jclass cls, jint fd, jbyteArray jin,
					       jbyteArray jout, jbyteArray jkeys, jint key_size,
					       jbyteArray jvalues, jint value_size, jint max_count)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	void *in = NULL, *outtok = NULL, *keys = NULL, *values = NULL;
	size_t tok = key_size > 4 ? (size_t)key_size : 4;
	__u32 n = (__u32)max_count;
	jlong ret = 0;
	int err;

	(void)cls;
	rf_log_reset();
	if (rf_check_size(env, "lookupBatch", "key", key_size) ||
	    rf_check_size(env, "lookupBatch", "value", value_size))
		return 0;
	if (max_count <= 0 ||
	    (long long)max_count * (key_size > value_size ? key_size : value_size) > INT_MAX) {
		rf_throw(env, "lookupBatch", EINVAL, "count %d out of range", (int)max_count);
		return 0;
	}
	if ((jin && rf_check_capacity(env, "lookupBatch", "batch token", jin, tok)) ||
	    rf_check_capacity(env, "lookupBatch", "batch token", jout, tok) ||
	    rf_check_capacity(env, "lookupBatch", "keys", jkeys, (size_t)key_size * max_count) ||
	    rf_check_capacity(env, "lookupBatch", "values", jvalues, (size_t)value_size * max_count))
		return 0;
	in = rf_alloc(env, "lookupBatch", tok);
	outtok = in ? rf_alloc(env, "lookupBatch", tok) : NULL;
	keys = outtok ? rf_alloc(env, "lookupBatch", (size_t)key_size * max_count) : NULL;
	values = keys ? rf_alloc(env, "lookupBatch", (size_t)value_size * max_count) : NULL;
	if (!values)
		goto out;
	if (jin) {
		(*env)->GetByteArrayRegion(env, jin, 0, (jsize)tok, in);
		if ((*env)->ExceptionCheck(env))
			goto out;
	}
	err = bpf_map_lookup_batch(fd, jin ? in : NULL, outtok, keys, values, &n, &opts);
	if (err && err != -ENOENT) {
		rf_throw(env, "lookupBatch", err, "map fd %d", (int)fd);
		goto out;
	}
	if (n > (__u32)max_count)
		n = (__u32)max_count;
	(*env)->SetByteArrayRegion(env, jout, 0, (jsize)tok, outtok);
	(*env)->SetByteArrayRegion(env, jkeys, 0, (jsize)((size_t)key_size * n), keys);
	(*env)->SetByteArrayRegion(env, jvalues, 0, (jsize)((size_t)value_size * n), values);
	if ((*env)->ExceptionCheck(env))
		goto out;
	ret = (jlong)n | (err == -ENOENT ? (jlong)1 << 32 : 0);
out:
	free(in);
	free(outtok);
	free(keys);
	free(values);
	return ret;
}
