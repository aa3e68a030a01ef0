# tests/fuzz/: one libFuzzer target per parser. Without --enable-fuzzing
# each target links replay-main.c and replays its corpus in make check,
# so every corpus file is a regression test.
if FUZZING
FUZZ_MAIN =
FUZZ_TGT_CF = $(AM_CFLAGS) $(FUZZ_CFLAGS) $(OPENSSL_CFLAGS)
FUZZ_TGT_LD = $(FUZZ_LDFLAGS)
else
FUZZ_MAIN = tests/fuzz/replay-main.c
FUZZ_TGT_CF = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
FUZZ_TGT_LD = $(AM_LDFLAGS)
endif
EXTRA_DIST += tests/fuzz/replay-main.c tests/fuzz/corpus tests/fuzz/fuzz.h

# A target NAME is declared as:
#   check_PROGRAMS += tests/fuzz/fuzz-NAME
#   tests_fuzz_fuzz_NAME_SOURCES = tests/fuzz/fuzz-NAME.c $(FUZZ_MAIN)
#   tests_fuzz_fuzz_NAME_CFLAGS = $(FUZZ_TGT_CF) \
#	-DFUZZ_CORPUS=\"$(abs_top_srcdir)/tests/fuzz/corpus/NAME\"
#   tests_fuzz_fuzz_NAME_LDFLAGS = $(FUZZ_TGT_LD)
#   tests_fuzz_fuzz_NAME_LDADD = $(LIBSVOPI)
#   TESTS += tests/fuzz/fuzz-NAME   (only without FUZZING)

# --- MIKEY ---

# --- SIP, SDP ---

# --- trustd forms ---
check_PROGRAMS += tests/fuzz/fuzz-form
tests_fuzz_fuzz_form_SOURCES = tests/fuzz/fuzz-form.c $(FUZZ_MAIN)
tests_fuzz_fuzz_form_CFLAGS = $(FUZZ_TGT_CF) \
	-DFUZZ_CORPUS=\"$(abs_top_srcdir)/tests/fuzz/corpus/form\"
tests_fuzz_fuzz_form_LDFLAGS = $(FUZZ_TGT_LD)
tests_fuzz_fuzz_form_LDADD = $(LIBSVOPI)
if !FUZZING
TESTS += tests/fuzz/fuzz-form
endif

