#!/bin/sh
# bench/activation.sh: restarts under a connect-request-close loop, warden
# listen= and [fcgi-program:x] beside a program binding its own port under
# warden and under supervisord, and supervisord's [fcgi-program:x]; failed
# requests counted
# (bench/activation.py says how).  Environment: BUILD (build), RESTARTS (50).
here=$(dirname "$0")
BUILD=${BUILD:-build}
exec python3 "$here/activation.py" "$(cd "$BUILD" && pwd)/warden" \
    "${RESTARTS:-50}"
