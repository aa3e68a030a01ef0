/* Fuzzes the form/query decoder: whatever it accepts must be well formed
 * (names non-empty and unique, values NUL-free and within the limits). */
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const allowed[] = { "login", "password", "peer",
		"cert", "vuc", "wait", NULL };
	struct form *f = NULL;

	if (form_parse(data, size, &f) < 0)
		return 0;
	if (f->n > FORM_FIELDS_MAX)
		abort();
	for (size_t i = 0; i < f->n; i++) {
		size_t nl = strlen(f->fields[i].name);

		if (nl == 0 || nl > FORM_NAME_MAX ||
		    strlen(f->fields[i].value) != f->fields[i].value_len ||
		    f->fields[i].value_len > FORM_VALUE_MAX ||
		    form_get(f, f->fields[i].name) != f->fields[i].value)
			abort();
	}
	(void)form_unknown(f, allowed);
	form_free(f);
	return 0;
}
