/* Fuzz target: the svopid INI reader and config keys (daemon/ini.c,
 * daemon/conf.c). Every input either loads or fails with a message that
 * starts with "name:line: ". */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "daemon/conf.h"
#include "common/log.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf *c = conf_new();
	char err[512] = "";
	int r;

	if (!c)
		return 0;
	log_set_level(LOG_ERR);
	r = conf_load_buf(c, "fuzz", (const char *)data, size, err, sizeof(err));
	if (r < 0 && strncmp(err, "fuzz:", 5) != 0)
		abort();
	if (r == 0)
		(void)conf_finish(c, err, sizeof(err));
	conf_free(c);
	return 0;
}
