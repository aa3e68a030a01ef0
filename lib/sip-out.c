#include <errno.h>

#include "sip-out.h"

int sip_out_request(struct buf *b, const char *method, const char *ruri) { return -ENOSYS; }
int sip_out_response(struct buf *b, unsigned code, const char *reason) { return -ENOSYS; }
int sip_out_header(struct buf *b, const char *name, const char *value) { return -ENOSYS; }
int sip_out_header_str(struct buf *b, const char *name, struct sip_str value) { return -ENOSYS; }
int sip_out_headerf(struct buf *b, const char *name, const char *fmt, ...) { return -ENOSYS; }
int sip_out_response_to(struct buf *b, const struct sip_msg *req, unsigned code, const char *reason, const char *to_tag) { return -ENOSYS; }
int sip_out_end(struct buf *b, const char *ctype, const uint8_t *body, size_t len) { return -ENOSYS; }
const char *sip_out_reason(unsigned code) { return "Unknown"; }
