#include <errno.h>

#include "sip-str.h"

bool sip_str_empty(struct sip_str s) { return s.len == 0; }
bool sip_str_eq(struct sip_str s, const char *z) { return false; }
bool sip_str_caseeq(struct sip_str s, const char *z) { return false; }
bool sip_str_caseeq_str(struct sip_str a, struct sip_str b) { return false; }
bool sip_str_eq_str(struct sip_str a, struct sip_str b) { return false; }
int sip_str_u32(struct sip_str s, uint32_t max, uint32_t *ret_v) { return -ENOSYS; }
char *sip_str_dup(struct sip_str s) { return NULL; }
long sip_str_unquote(struct sip_str s, char *out, size_t cap) { return -ENOSYS; }
int sip_str_list_next(struct sip_str *rest, struct sip_str *ret_item) { return -ENOSYS; }
int sip_str_param(struct sip_str params, const char *name, struct sip_str *ret_value) { return -ENOENT; }
