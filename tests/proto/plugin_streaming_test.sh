#!/bin/sh
# protoc-gen-evergreen refuses a streaming rpc with a message naming it,
# and accepts a unary service.
set -u
plugin="$1"
dir="$(dirname "$2")"
out="${TEST_TMPDIR:-/tmp}/evg_out"
mkdir -p "$out"
if protoc -I"$dir" --plugin=protoc-gen-evergreen="$plugin" \
    --evergreen_out="$out" "$dir/streaming.proto" 2>"$out/err"; then
  echo "FAIL: streaming.proto was accepted"; exit 1
fi
grep -q "rpc evergreen.test.Clock.Watch is a server-streaming rpc" "$out/err" || {
  echo "FAIL: unexpected error:"; cat "$out/err"; exit 1; }
protoc -I"$dir" --plugin=protoc-gen-evergreen="$plugin" \
    --evergreen_out="$out" "$dir/echo.proto" || { echo "FAIL: echo.proto"; exit 1; }
grep -q "class Echo final" "$out/echo.evg.h" || { echo "FAIL: no Echo class"; exit 1; }
if protoc -I"$dir" --plugin=protoc-gen-evergreen="$plugin" \
    --evergreen_out=bogus:"$out" "$dir/echo.proto" 2>"$out/err"; then
  echo "FAIL: a parameter was accepted"; exit 1
fi
grep -q "takes no parameters" "$out/err" || { cat "$out/err"; exit 1; }
echo PASS
