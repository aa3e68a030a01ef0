-- wrk script: POST /api/v1/validate with the body in $BENCH_BODY (a
-- urlencoded form: login, password, peer, cert). Keep-alive is wrk's
-- default, so TLS handshakes happen once per connection.
local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
