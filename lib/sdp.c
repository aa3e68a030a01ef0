#include <errno.h>
#include <stdlib.h>

#include "sdp.h"

int sdp_parse(const uint8_t *data, size_t len, struct sdp_session **ret_s) { return -ENOSYS; }
struct sdp_session *sdp_free(struct sdp_session *s) { if (s) { free(s->copy_); free(s); } return NULL; }
const struct sdp_attr *sdp_attr_find(const struct sdp_attr *attr, size_t nattr, const char *name, size_t idx) { return NULL; }
const struct sdp_conn *sdp_media_conn(const struct sdp_session *s, size_t m) { return NULL; }
const char *sdp_media_direction(const struct sdp_session *s, size_t m) { return "sendrecv"; }
bool sdp_has_crypto(const struct sdp_session *s) { return false; }
int sdp_key_mgmt(const struct sdp_session *s, size_t m, struct sip_str *ret_b64) { return -ENOSYS; }
int sdp_key_mgmt_decode(const struct sdp_session *s, size_t m, uint8_t **ret_data, size_t *ret_len) { return -ENOSYS; }
int sdp_rtpmap(const struct sdp_session *s, size_t m, unsigned pt, struct sdp_rtpmap *ret_map) { return -ENOSYS; }
int sdp_fmtp(const struct sdp_session *s, size_t m, unsigned pt, struct sip_str *ret_params) { return -ENOSYS; }
unsigned sdp_ptime(const struct sdp_session *s, size_t m) { return 0; }
int sdp_build(const struct sdp_build *p, struct buf *out) { return -ENOSYS; }
