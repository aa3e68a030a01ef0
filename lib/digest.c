#include <errno.h>

#include "digest.h"

int digest_challenge_parse(struct sip_str value, struct digest_challenge *ret_c) { return -ENOSYS; }
int digest_response(const struct digest_challenge *c, const struct digest_request *r, char out[DIGEST_HEX_MAX]) { return -ENOSYS; }
int digest_authorization(const struct digest_challenge *c, const struct digest_request *r, struct buf *out) { return -ENOSYS; }
int digest_credentials_parse(struct sip_str value, struct digest_credentials *ret_cr) { return -ENOSYS; }
int digest_verify(const struct digest_credentials *cr, const char *password, const char *method) { return -ENOSYS; }
