#!/usr/bin/env bash
# The job image's entrypoint. deploy/Dockerfile installs it as /docker-entrypoint.sh, the path Docker, Compose and
# the Flink Kubernetes operator (which starts every Flink pod with /docker-entrypoint.sh) all run, and moves the
# Flink image's own entrypoint beside it. It turns streamssl's two GPU switches into what DJL 0.35's PyTorch
# engine reads (ai.djl.pytorch.jni.LibUtils), then runs Flink's entrypoint with the same arguments:
#
#   STREAMSSL_LIBTORCH=/path/to/torch/lib  an installed libtorch 2.7.1 (the -gpu image's /opt/libtorch/lib, a pip
#                                          torch 2.7.1+cu128's torch/lib): PYTORCH_LIBRARY_PATH, which DJL
#                                          looks at before any native jar on the classpath; DJL stays offline.
#                                          STREAMSSL_LIBTORCH_FLAVOR (default cu128; cpu for a CPU build) picks
#                                          the JNI bridge in pytorch-jni that matches it.
#   STREAMSSL_GPU_DOWNLOAD=1               DJL downloads CUDA libtorch 2.7.1 (cu128) on first start into the engine
#                                          cache (/opt/flink/djl-cache): DJL_OFFLINE=false, which outranks
#                                          -Dai.djl.offline=true in env.java.opts.all.
#   neither                                the CPU natives in lib/ (pytorch-native-cpu), offline, as before.
set -euo pipefail

readonly TORCH_VERSION=2.7.1
here="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
lib="${FLINK_HOME:-/opt/flink}/lib"
download="${STREAMSSL_GPU_DOWNLOAD:-0}"

if [ "$download" != 0 ] && [ "$download" != 1 ]; then
  echo "streamssl: STREAMSSL_GPU_DOWNLOAD=$download: 1 lets DJL download CUDA libtorch $TORCH_VERSION, 0 (or unset) does not" >&2
  exit 64
fi
if [ -n "${STREAMSSL_LIBTORCH:-}" ] && [ "$download" = 1 ]; then
  echo "streamssl: STREAMSSL_LIBTORCH and STREAMSSL_GPU_DOWNLOAD=1 are both set: keep one (an installed libtorch, or DJL's download)" >&2
  exit 64
fi

if [ -n "${STREAMSSL_LIBTORCH:-}" ]; then
  if [ ! -f "$STREAMSSL_LIBTORCH/libtorch.so" ]; then
    echo "streamssl: STREAMSSL_LIBTORCH=$STREAMSSL_LIBTORCH holds no libtorch.so: name the lib/ directory of a libtorch $TORCH_VERSION (/opt/libtorch/lib in the -gpu image, or a pip torch's torch/lib)" >&2
    exit 64
  fi
  export PYTORCH_LIBRARY_PATH="$STREAMSSL_LIBTORCH"
  export PYTORCH_VERSION="$TORCH_VERSION"
  export PYTORCH_FLAVOR="${STREAMSSL_LIBTORCH_FLAVOR:-cu128}"
elif [ "$download" = 1 ]; then
  export DJL_OFFLINE=false
  export PYTORCH_VERSION="$TORCH_VERSION"
  export PYTORCH_FLAVOR=cu128
  # DJL takes a native jar on the classpath whose version starts with PYTORCH_VERSION (pytorch-native-cpu's is
  # 2.7.1-20250812) and then never downloads: take the CPU natives off Flink's classpath in this container
  shopt -s nullglob
  cpu_natives=("$lib"/pytorch-native-cpu-*.jar)
  if [ ${#cpu_natives[@]} -gt 0 ]; then
    mkdir -p "$lib/../lib-cpu-natives"
    mv "${cpu_natives[@]}" "$lib/../lib-cpu-natives/"
  fi
fi

exec "$here/flink-docker-entrypoint.sh" "$@"
