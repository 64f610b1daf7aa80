/*
 * store_codec.h: the store's record codec, internal to storage/ and its tests.
 *
 * Each record type is one msgpack array with its struct's fields in declaration
 * order: fixed-size byte arrays as bin of exactly that size, char arrays as str
 * (shorter than the array, no NUL), numbers as uint. Key fields are repeated in
 * the value so a record read back can be checked against the key it was found under.
 */
#ifndef YISHI_STORE_CODEC_H
#define YISHI_STORE_CODEC_H

#include <stddef.h>

#include <msgpack.h>

enum store_record {
	STORE_REC_NODE,		/* struct node_meta, meta "node" */
	STORE_REC_USER,		/* struct user_rec */
	STORE_REC_GROUP,	/* struct group_rec */
	STORE_REC_MEMBER,	/* struct member_rec */
	STORE_REC_MSG,		/* struct msg_rec */
	STORE_REC_KEY,		/* struct key_rec */
	STORE_REC_INVITE,	/* struct invite_rec */
	STORE_REC_BAN,		/* struct ban_rec */
	STORE_REC_MODLOG,	/* struct modlog_rec */
	STORE_REC_TOMB,		/* struct tomb_rec */
	STORE_REC_FLAG,		/* struct flag_rec */
	STORE_REC_CASE,		/* struct case_rec */
	STORE_REC_REPORT,	/* struct report_rec */
	STORE_REC_CASELOG,	/* struct caselog_rec */
	STORE_REC_OUTBOX,	/* struct outbox_rec */
	STORE_REC_WARN,		/* struct warn_rec */
	STORE_REC__COUNT
};

/* sizeof the struct that record type `which` decodes into; 0 for an unknown type. */
size_t	 store_record_size(int which);

/*
 * Decode the value val/len of record type `which` into out (a struct of
 * store_record_size(which) bytes). Strict: exact field count, types and bin sizes,
 * no trailing bytes. For msg_rec, hdr/nonce/ct/sig point into val. Returns 0 or -1;
 * does not log (the caller knows which database the bytes came from).
 */
int	 store_record_decode(int which, const void *val, size_t len, void *out)
	    __attribute__((warn_unused_result));

/* Append the encoding of rec to pk. Returns -1 if rec cannot be encoded (string not terminated, NULL pointer). */
int	 store_record_pack(int which, const void *rec, msgpack_packer *pk)
	    __attribute__((warn_unused_result));

#endif
