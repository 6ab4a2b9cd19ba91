/* SPDX-License-Identifier: Apache-2.0 */
/* Error reporting, libbpf log capture and the library-level entry points of the shim. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "rf_jni.h"
#include "io_ringfleet_bpf_NativeBpf.h"

/* ---- thread-local libbpf log -------------------------------------------------------------- */

/* Keeps the last RF_LOG_CAP bytes libbpf printed on this thread since the last reset: a
 * verifier log can be long and its end says what failed. */
#define RF_LOG_CAP (64 * 1024)

struct rf_log {
	size_t len;
	char buf[RF_LOG_CAP + 1];
};

static pthread_key_t rf_log_key;
static pthread_once_t rf_log_once = PTHREAD_ONCE_INIT;

static void rf_log_key_init(void)
{
	pthread_key_create(&rf_log_key, free);
}

static struct rf_log *rf_log_get(int create)
{
	struct rf_log *log;

	pthread_once(&rf_log_once, rf_log_key_init);
	log = pthread_getspecific(rf_log_key);
	if (!log && create) {
		log = calloc(1, sizeof(*log));
		if (log && pthread_setspecific(rf_log_key, log)) {
			free(log);
			log = NULL;
		}
	}
	return log;
}

void rf_log_reset(void)
{
	struct rf_log *log = rf_log_get(0);

	if (log) {
		log->len = 0;
		log->buf[0] = '\0';
	}
}

static int rf_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char line[4096];
	struct rf_log *log;
	int n;
	size_t add;

	if (level == LIBBPF_DEBUG)
		return 0;
	log = rf_log_get(1);
	if (!log)
		return 0;
	n = vsnprintf(line, sizeof(line), fmt, args);
	if (n <= 0)
		return 0;
	add = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
	if (add > RF_LOG_CAP)
		add = RF_LOG_CAP;
	if (log->len + add > RF_LOG_CAP) {
		/* drop the oldest bytes so the newest fit */
		size_t drop = log->len + add - RF_LOG_CAP;

		memmove(log->buf, log->buf + drop, log->len - drop);
		log->len -= drop;
	}
	memcpy(log->buf + log->len, line, add);
	log->len += add;
	log->buf[log->len] = '\0';
	return n;
}

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved)
{
	(void)vm;
	(void)reserved;
	libbpf_set_print(rf_libbpf_print);
	return JNI_VERSION_1_8;
}

/* ---- exceptions --------------------------------------------------------------------------- */

void rf_throw(JNIEnv *env, const char *op, int err, const char *fmt, ...)
{
	char detail[1024] = "";
	char msg[1400];
	char errbuf[256];
	struct rf_log *log;
	jclass cls;
	jmethodID ctor;
	jstring jop, jmsg, jlog = NULL;
	jobject ex;
	va_list ap;

	if ((*env)->ExceptionCheck(env))
		return;
	if (err < 0)
		err = -err;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(detail, sizeof(detail), fmt, ap);
		va_end(ap);
	}
	if (libbpf_strerror(err, errbuf, sizeof(errbuf)))
		snprintf(errbuf, sizeof(errbuf), "%s", strerror(err));
	snprintf(msg, sizeof(msg), "%s%s%s: %s (errno %d)", op, detail[0] ? ": " : "", detail, errbuf, err);

	cls = (*env)->FindClass(env, "io/ringfleet/bpf/BpfException");
	if (!cls)
		return; /* NoClassDefFoundError pending */
	ctor = (*env)->GetMethodID(env, cls, "<init>",
				   "(Ljava/lang/String;ILjava/lang/String;Ljava/lang/String;)V");
	if (!ctor)
		return;
	jop = (*env)->NewStringUTF(env, op);
	jmsg = (*env)->NewStringUTF(env, msg);
	if (!jop || !jmsg)
		return;
	log = rf_log_get(0);
	if (log && log->len) {
		jlog = (*env)->NewStringUTF(env, log->buf);
		if (!jlog)
			(*env)->ExceptionClear(env); /* malformed UTF-8 in a log line: drop the log */
	}
	ex = (*env)->NewObject(env, cls, ctor, jop, (jint)err, jmsg, jlog);
	if (ex)
		(*env)->Throw(env, (jthrowable)ex);
}

/* ---- argument helpers --------------------------------------------------------------------- */

int rf_string(JNIEnv *env, const char *op, const char *what, jstring s, char *buf, size_t size)
{
	jsize len, ulen;

	if (!s) {
		rf_throw(env, op, EINVAL, "%s is null", what);
		return -1;
	}
	len = (*env)->GetStringLength(env, s);
	ulen = (*env)->GetStringUTFLength(env, s);
	if ((size_t)ulen >= size) {
		rf_throw(env, op, ENAMETOOLONG, "%s is %d bytes, at most %zu allowed", what, (int)ulen, size - 1);
		return -1;
	}
	(*env)->GetStringUTFRegion(env, s, 0, len, buf);
	if ((*env)->ExceptionCheck(env))
		return -1;
	buf[ulen] = '\0';
	return 0;
}

int rf_bytes_in(JNIEnv *env, const char *op, const char *what, jbyteArray arr, size_t len, void *dst)
{
	jsize have;

	if (!arr) {
		rf_throw(env, op, EINVAL, "%s is null", what);
		return -1;
	}
	have = (*env)->GetArrayLength(env, arr);
	if ((size_t)have != len) {
		rf_throw(env, op, EINVAL, "%s is %d bytes, the map needs exactly %zu", what, (int)have, len);
		return -1;
	}
	(*env)->GetByteArrayRegion(env, arr, 0, have, dst);
	return (*env)->ExceptionCheck(env) ? -1 : 0;
}

int rf_check_capacity(JNIEnv *env, const char *op, const char *what, jbyteArray arr, size_t len)
{
	if (!arr) {
		rf_throw(env, op, EINVAL, "%s is null", what);
		return -1;
	}
	if ((size_t)(*env)->GetArrayLength(env, arr) < len) {
		rf_throw(env, op, EINVAL, "%s holds %d bytes, needs at least %zu", what,
			 (int)(*env)->GetArrayLength(env, arr), len);
		return -1;
	}
	return 0;
}

jbyteArray rf_bytes_out(JNIEnv *env, const void *src, size_t len)
{
	jbyteArray arr = (*env)->NewByteArray(env, (jsize)len);

	if (!arr)
		return NULL;
	(*env)->SetByteArrayRegion(env, arr, 0, (jsize)len, src);
	return (*env)->ExceptionCheck(env) ? NULL : arr;
}

void *rf_alloc(JNIEnv *env, const char *op, size_t len)
{
	void *p = calloc(1, len ? len : 1);

	if (!p)
		rf_throw(env, op, ENOMEM, "allocating %zu bytes", len);
	return p;
}

/* ---- library-level entry points ----------------------------------------------------------- */

JNIEXPORT jstring JNICALL RF_JNI(libbpfVersion)(JNIEnv *env, jclass cls)
{
	(void)cls;
	return (*env)->NewStringUTF(env, libbpf_version_string());
}

JNIEXPORT jint JNICALL RF_JNI(numPossibleCpus)(JNIEnv *env, jclass cls)
{
	int n;

	(void)cls;
	rf_log_reset();
	n = libbpf_num_possible_cpus();
	if (n <= 0)
		rf_throw(env, "numPossibleCpus", n ? -n : EINVAL, "reading /sys/devices/system/cpu/possible");
	return n;
}
