# --- voice engine (docs/media.md) ---
MEDIA_TEST_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS) $(OPENSSL_CFLAGS) \
	$(SRTP_CFLAGS) -I$(top_srcdir)/daemon -I$(top_srcdir)/tests/unit
check_PROGRAMS += tests/integration/media-voice-driver
# Built by plain make too: the demo prints its figure.
noinst_PROGRAMS += tests/integration/media-corr
tests_integration_media_voice_driver_SOURCES = \
	tests/integration/media-voice-driver.c \
	tests/integration/media-relay.c tests/integration/media-relay.h \
	tests/integration/media-test.c tests/integration/media-test.h \
	tests/unit/test-mikey-util.h
tests_integration_media_voice_driver_CFLAGS = $(MEDIA_TEST_CFLAGS)
tests_integration_media_voice_driver_LDADD = $(LIBSVOPID_MEDIA)
tests_integration_media_corr_SOURCES = tests/integration/media-corr.c
tests_integration_media_corr_CFLAGS = $(AM_CFLAGS) $(SNDFILE_CFLAGS) \
	$(SPEEXDSP_CFLAGS)
tests_integration_media_corr_LDADD = $(SNDFILE_LIBS) $(SPEEXDSP_LIBS) -lm
dist_check_SCRIPTS += tests/integration/media-voice.sh
TESTS += tests/integration/media-voice.sh
dist_check_SCRIPTS += tests/integration/media-voice-wire.sh
TESTS += tests/integration/media-voice-wire.sh
dist_check_SCRIPTS += tests/integration/media-voice-pulse.sh
TESTS += tests/integration/media-voice-pulse.sh
dist_check_SCRIPTS += tests/integration/calls-voice.sh
TESTS += tests/integration/calls-voice.sh
