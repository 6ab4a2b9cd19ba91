/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rf_jni.h — helpers shared by the JNI shim's files: turning errors into BpfException,
 * the thread-local capture of libbpf's log, and safe copies of Java arrays/strings.
 * The shim holds no logic: every entry point is one libbpf / bpf(2) call plus argument checks.
 */
#ifndef RF_JNI_H
#define RF_JNI_H

#include <jni.h>
#include <stddef.h>

#define RF_JNI(name) Java_io_ringfleet_bpf_NativeBpf_##name

/* Clears this thread's libbpf log; call at the start of every entry point that calls libbpf. */
void rf_log_reset(void);

/*
 * Throws io.ringfleet.bpf.BpfException(op, err, message, libbpf log). err is a positive errno
 * (a negative one is negated). Returns nothing; callers return right after.
 */
void rf_throw(JNIEnv *env, const char *op, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Copies a Java String into buf (UTF-8). Throws and returns -1 on null / too long. */
int rf_string(JNIEnv *env, const char *op, const char *what, jstring s, char *buf, size_t size);

/*
 * Checks that arr is non-null and has exactly len bytes (what names it in the message),
 * then copies it into dst. Returns 0, or -1 with an exception pending.
 */
int rf_bytes_in(JNIEnv *env, const char *op, const char *what, jbyteArray arr, size_t len, void *dst);

/* Checks arr is non-null and holds at least len bytes. Returns 0 or -1 with an exception pending. */
int rf_check_capacity(JNIEnv *env, const char *op, const char *what, jbyteArray arr, size_t len);

/* New Java byte[] with a copy of src, or NULL with an exception pending. */
jbyteArray rf_bytes_out(JNIEnv *env, const void *src, size_t len);

/* Heap buffer of len bytes (len 0 gives a 1-byte buffer); throws ENOMEM and returns NULL on failure. */
void *rf_alloc(JNIEnv *env, const char *op, size_t len);

#endif
