/* SPDX-License-Identifier: Apache-2.0 */
/* bpf_object: open, size maps, pin paths, load, hand out fds (dup'ed: Java owns each fd). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "rf_jni.h"
#include "io_ringfleet_bpf_NativeBpf.h"

static struct bpf_object *rf_obj(JNIEnv *env, const char *op, jlong handle)
{
	if (!handle) {
		rf_throw(env, op, EBADF, "the BPF object is closed");
		return NULL;
	}
	return (struct bpf_object *)(uintptr_t)handle;
}

JNIEXPORT jlong JNICALL RF_JNI(objectOpen)(JNIEnv *env, jclass cls, jstring jpath)
{
	char path[PATH_MAX];
	struct bpf_object *obj;
	int err;

	(void)cls;
	rf_log_reset();
	if (rf_string(env, "open", "path", jpath, path, sizeof(path)))
		return 0;
	obj = bpf_object__open_file(path, NULL);
	err = libbpf_get_error(obj);
	if (!obj || err) {
		rf_throw(env, "open", err ? err : errno, "%s", path);
		return 0;
	}
	return (jlong)(uintptr_t)obj;
}

static jobjectArray rf_names(JNIEnv *env, const char **names, int n)
{
	jclass string_cls = (*env)->FindClass(env, "java/lang/String");
	jobjectArray out;

	if (!string_cls)
		return NULL;
	out = (*env)->NewObjectArray(env, n, string_cls, NULL);
	if (!out)
		return NULL;
	for (int i = 0; i < n; i++) {
		jstring s = (*env)->NewStringUTF(env, names[i]);

		if (!s)
			return NULL;
		(*env)->SetObjectArrayElement(env, out, i, s);
		(*env)->DeleteLocalRef(env, s);
		if ((*env)->ExceptionCheck(env))
			return NULL;
	}
	return out;
}

#define RF_MAX_NAMES 256

JNIEXPORT jobjectArray JNICALL RF_JNI(objectMapNames)(JNIEnv *env, jclass cls, jlong handle)
{
	struct bpf_object *obj = rf_obj(env, "mapNames", handle);
	const char *names[RF_MAX_NAMES];
	struct bpf_map *map;
	int n = 0;

	(void)cls;
	if (!obj)
		return NULL;
	bpf_object__for_each_map(map, obj) {
		if (n == RF_MAX_NAMES) {
			rf_throw(env, "mapNames", E2BIG, "more than %d maps", RF_MAX_NAMES);
			return NULL;
		}
		names[n++] = bpf_map__name(map);
	}
	return rf_names(env, names, n);
}

JNIEXPORT jobjectArray JNICALL RF_JNI(objectProgramNames)(JNIEnv *env, jclass cls, jlong handle)
{
	struct bpf_object *obj = rf_obj(env, "programNames", handle);
	const char *names[RF_MAX_NAMES];
	struct bpf_program *prog;
	int n = 0;

	(void)cls;
	if (!obj)
		return NULL;
	bpf_object__for_each_program(prog, obj) {
		if (n == RF_MAX_NAMES) {
			rf_throw(env, "programNames", E2BIG, "more than %d programs", RF_MAX_NAMES);
			return NULL;
		}
		names[n++] = bpf_program__name(prog);
	}
	return rf_names(env, names, n);
}

static struct bpf_map *rf_find_map(JNIEnv *env, const char *op, jlong handle, jstring jname)
{
	struct bpf_object *obj = rf_obj(env, op, handle);
	struct bpf_map *map;
	char name[256];

	if (!obj || rf_string(env, op, "map name", jname, name, sizeof(name)))
		return NULL;
	map = bpf_object__find_map_by_name(obj, name);
	if (!map)
		rf_throw(env, op, ENOENT, "the object has no map named '%s'", name);
	return map;
}

JNIEXPORT void JNICALL RF_JNI(objectSetMaxEntries)(JNIEnv *env, jclass cls, jlong handle, jstring jname,
						   jint max_entries)
{
	struct bpf_map *map;
	int err;

	(void)cls;
	rf_log_reset();
	map = rf_find_map(env, "setMaxEntries", handle, jname);
	if (!map)
		return;
	if (max_entries <= 0) {
		rf_throw(env, "setMaxEntries", EINVAL, "map '%s': max_entries %d must be positive",
			 bpf_map__name(map), (int)max_entries);
		return;
	}
	err = bpf_map__set_max_entries(map, (__u32)max_entries);
	if (err)
		rf_throw(env, "setMaxEntries", err, "map '%s' to %d", bpf_map__name(map), (int)max_entries);
}

JNIEXPORT void JNICALL RF_JNI(objectSetPinPath)(JNIEnv *env, jclass cls, jlong handle, jstring jname,
						jstring jpath)
{
	char path[PATH_MAX];
	struct bpf_map *map;
	int err;

	(void)cls;
	rf_log_reset();
	map = rf_find_map(env, "setPinPath", handle, jname);
	if (!map)
		return;
	if (jpath == NULL) {
		err = bpf_map__set_pin_path(map, NULL);
	} else {
		if (rf_string(env, "setPinPath", "pin path", jpath, path, sizeof(path)))
			return;
		err = bpf_map__set_pin_path(map, path);
	}
	if (err)
		rf_throw(env, "setPinPath", err, "map '%s'", bpf_map__name(map));
}

JNIEXPORT void JNICALL RF_JNI(objectLoad)(JNIEnv *env, jclass cls, jlong handle)
{
	struct bpf_object *obj = rf_obj(env, "load", handle);
	int err;

	(void)cls;
	rf_log_reset();
	if (!obj)
		return;
	err = bpf_object__load(obj);
	if (err)
		rf_throw(env, "load", err, "object '%s'", bpf_object__name(obj));
}

static jint rf_dup(JNIEnv *env, const char *op, int fd, const char *what)
{
	int dup_fd;

	if (fd < 0) {
		rf_throw(env, op, fd == -1 ? EBADF : -fd, "%s has no fd (is the object loaded?)", what);
		return -1;
	}
	dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (dup_fd < 0)
		rf_throw(env, op, errno, "dup of %s", what);
	return dup_fd;
}

JNIEXPORT jint JNICALL RF_JNI(objectMapFd)(JNIEnv *env, jclass cls, jlong handle, jstring jname)
{
	struct bpf_map *map;

	(void)cls;
	rf_log_reset();
	map = rf_find_map(env, "mapFd", handle, jname);
	if (!map)
		return -1;
	return rf_dup(env, "mapFd", bpf_map__fd(map), bpf_map__name(map));
}

JNIEXPORT jint JNICALL RF_JNI(objectProgramFd)(JNIEnv *env, jclass cls, jlong handle, jstring jname)
{
	struct bpf_object *obj = rf_obj(env, "programFd", handle);
	struct bpf_program *prog;
	char name[256];

	(void)cls;
	rf_log_reset();
	if (!obj || rf_string(env, "programFd", "program name", jname, name, sizeof(name)))
		return -1;
	prog = bpf_object__find_program_by_name(obj, name);
	if (!prog) {
		rf_throw(env, "programFd", ENOENT, "the object has no program named '%s'", name);
		return -1;
	}
	return rf_dup(env, "programFd", bpf_program__fd(prog), name);
}

JNIEXPORT void JNICALL RF_JNI(objectClose)(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	if (handle)
		bpf_object__close((struct bpf_object *)(uintptr_t)handle);
}
