/* Fuzz target: lib/ini, the INI reader alone (fuzz-svopid-conf covers it
 * with svopid's keys behind it). Every input either parses or fails with a
 * message "fuzz:LINE: ..." or "fuzz: ..."; every key seen lies in a
 * section and has a non-empty name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ini.h"

static int
on_section(void *userdata, const char *section, char *err, size_t errlen)
{
	(void)userdata;
	(void)err;
	(void)errlen;
	if (!*section || strlen(section) > INI_SECTION_MAX)
		abort();
	return 0;
}

static int
on_key(void *userdata, const char *section, const char *key,
	const char *value, char *err, size_t errlen)
{
	(void)userdata;
	if (!*section || !*key || strlen(key) > INI_LINE_MAX ||
	    strlen(value) > INI_LINE_MAX)
		abort();
	/* Refuse some keys so that callback errors are exercised too. */
	if (strcmp(key, "refuse") == 0) {
		snprintf(err, errlen, "refused");
		return -EINVAL;
	}
	return 0;
}

static const struct ini_handler handler = {
	.section = on_section,
	.key = on_key,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512] = "";
	int r;

	r = ini_parse_buf("fuzz", (const char *)data, size, &handler, NULL,
		err, sizeof(err));
	if (r < 0 && strncmp(err, "fuzz:", 5) != 0)
		abort();
	if (r > 0)
		abort();
	return 0;
}
