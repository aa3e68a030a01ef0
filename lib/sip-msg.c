#include <errno.h>
#include <stdlib.h>

#include "sip-msg.h"

int sip_msg_frame(const uint8_t *data, size_t len, size_t *ret_len) { return -ENOSYS; }
int sip_msg_parse(const uint8_t *data, size_t len, unsigned flags, struct sip_msg **ret_msg) { return -ENOSYS; }
struct sip_msg *sip_msg_free(struct sip_msg *m) { if (m) { free(m->copy_); free(m); } return NULL; }
int sip_msg_validate(const struct sip_msg *m, struct sip_problem *why) { return -ENOSYS; }
const struct sip_header *sip_msg_header(const struct sip_msg *m, enum sip_hdr id, size_t idx) { return NULL; }
const struct sip_header *sip_msg_header_named(const struct sip_msg *m, const char *name, size_t idx) { return NULL; }
bool sip_msg_has_token(const struct sip_msg *m, enum sip_hdr id, const char *token) { return false; }
enum sip_method sip_method_id(struct sip_str name) { return SIP_METHOD_OTHER; }
const char *sip_method_name(enum sip_method m) { return ""; }
enum sip_hdr sip_hdr_id(struct sip_str name) { return SIP_HDR_OTHER; }
const char *sip_hdr_name(enum sip_hdr id) { return NULL; }
int sip_warning_parse(struct sip_str value, struct sip_warning *ret_w) { return -ENOSYS; }
int sip_nameaddr_parse(struct sip_str value, struct sip_nameaddr *ret_na) { return -ENOSYS; }
int sip_via_parse(struct sip_str value, struct sip_via *ret_via) { return -ENOSYS; }
