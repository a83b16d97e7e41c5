#!/bin/sh
# npm packages the browser test (tests/sys/page.bats) needs, from
# tests/browser/package.json into DIR (build/npm): puppeteer-core, which
# drives Debian's chromium and downloads no browser of its own.  Without
# npm it says so and leaves: page.bats then skips.
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$top/build/npm}
want=$(sed -n 's/.*"puppeteer-core": "\(.*\)".*/\1/p' \
    "$top/tests/browser/package.json")
have=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' \
    "$dir/node_modules/puppeteer-core/package.json" 2>/dev/null)
[ -n "$want" ] && [ "$have" = "$want" ] && exit 0
if ! command -v npm >/dev/null 2>&1; then
	echo "npm missing: the browser test will skip" >&2
	exit 0
fi
mkdir -p "$dir" && cp "$top/tests/browser/package.json" "$dir/" || exit 1
cd "$dir" && PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-audit --no-fund \
    --no-save --loglevel=error >/dev/null
