#!/bin/sh
# resume.sh [BIN]: TLS session resumption with OpenSSL, GnuTLS and
# Python clients against the real binary (default ./capsuled).
cd "$(dirname "$0")/.." || exit 2
exec python3 tests/resume_test.py "${1:-./capsuled}" build/tests/gnutls_chain
