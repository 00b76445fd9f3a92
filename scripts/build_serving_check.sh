#!/usr/bin/env bash
# Builds tools/serving_check (C++) against the TensorFlow wheel's own libtensorflow_cc.so.2 /
# libtensorflow_framework.so.2 and headers, with TF Text's op directory as its default op libraries.
#   bash scripts/build_serving_check.sh [PYTHON]   -> build/serving_check/serving_check
# PYTHON (default .venv/bin/python, else python3) only tells where the wheels are; the binary needs no Python.
# Rebuilds only when the source or the TensorFlow installation is newer than the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${1:-}"
if [ -z "$PYTHON" ]; then
  if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
SOURCE=tools/serving_check/serving_check.cc
OUT_DIR=build/serving_check
BINARY="$OUT_DIR/serving_check"
mapfile -t INFO < <(TF_CPP_MIN_LOG_LEVEL=3 "$PYTHON" - <<'PY'
import os
import tensorflow as tf
import tensorflow_text
print(" ".join(tf.sysconfig.get_compile_flags()))
print(" ".join(tf.sysconfig.get_link_flags()))
print(tf.sysconfig.get_lib())
print(os.path.join(os.path.dirname(tensorflow_text.__file__), "python", "ops"))
PY
)
# One build at a time (parallel test workers may all ask for it): the others wait here and then find it up to date.
mkdir -p "$OUT_DIR"
exec 9>"$OUT_DIR/.lock"
flock 9
COMPILE_FLAGS="${INFO[0]}"
LINK_FLAGS="${INFO[1]}"
TF_LIB="${INFO[2]}"
TEXT_OPS="${INFO[3]}"
if [ -x "$BINARY" ] && [ "$BINARY" -nt "$SOURCE" ] && [ "$BINARY" -nt "$TF_LIB/libtensorflow_cc.so.2" ] \
   && [ "$BINARY" -nt "$TEXT_OPS" ]; then
  echo "$BINARY is up to date"
  exit 0
fi
# shellcheck disable=SC2086  # the flags are word lists
g++ -O1 -Wno-deprecated-declarations -Wno-interference-size $COMPILE_FLAGS -DZOO_TF_TEXT_OPS_DIR="\"$TEXT_OPS\"" -o "$BINARY.tmp" "$SOURCE" \
  $LINK_FLAGS "-l:libtensorflow_cc.so.2" "-Wl,-rpath,$TF_LIB"
mv "$BINARY.tmp" "$BINARY"
echo "built $BINARY"
