# --- media ---
# The SRTP media plane of svopid, built as a convenience library that the
# daemon links (LIBSVOPID_MEDIA) and the media integration driver tests.
noinst_LIBRARIES += daemon/libsvopid-media.a
daemon_libsvopid_media_a_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS) \
	$(OPENSSL_CFLAGS) $(SRTP_CFLAGS) $(OPUS_CFLAGS) $(SPEEXDSP_CFLAGS) \
	$(SNDFILE_CFLAGS) $(PULSE_CFLAGS)
daemon_libsvopid_media_a_SOURCES = \
	daemon/media.c daemon/media.h \
	daemon/media-clock.c daemon/media-clock.h \
	daemon/media-null.c daemon/media-null.h \
	daemon/media-codec.c daemon/media-codec.h \
	daemon/media-voice.c daemon/media-voice.h \
	daemon/audio.h daemon/audio-file.c daemon/audio-file.h \
	daemon/audio-pulse.c daemon/audio-pulse.h

LIBSVOPID_MEDIA = daemon/libsvopid-media.a $(LIBCOMMON) $(EVENT_LIBS) \
	$(OPENSSL_LIBS) $(SRTP_LIBS) $(OPUS_LIBS) $(SPEEXDSP_LIBS) \
	$(SNDFILE_LIBS) $(PULSE_LIBS) -lm

# The call's side of the voice engine (codec choice, backend choice).
daemon_svopid_SOURCES += daemon/call-voice.c daemon/call-voice.h
