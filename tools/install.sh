#!/usr/bin/env bash
# Idempotent set-up of the OpenMMLab stack for rsbnet_mm in .venv/.
#
#   bash tools/install.sh           # runtime: torch, mmcv (with ops), mmengine, mmpretrain, mmseg, mmdet, rsbnet_mm
#   bash tools/install.sh --tests   # the same plus the test requirements
#
# - torch: the pinned torch 2.14.1 + torchvision 0.29.1 is installed only when the venv has no
#   torch. To use another build (e.g. another CUDA version), install it into .venv first
#   (`.venv/bin/pip install torch==X torchvision==Y --index-url ...`); this script keeps it.
# - mmcv 2.1.0 has only a source release on PyPI. It is compiled with its ops once per torch
#   version and the wheel is kept in $RSBNET_CACHE (default ~/.cache/rsbnet_mm), in a folder
#   named after the torch version, Python version and CPU/CUDA, so a second install takes
#   seconds and a torch change rebuilds. Set FORCE_CUDA=1 on a GPU machine for the CUDA ops.
# - A second run with nothing changed only checks a stamp and imports (a few seconds).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${RSBNET_VENV:-$ROOT/.venv}
PY=$VENV/bin/python
CACHE=${RSBNET_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rsbnet_mm}
TORCH_PIN=(torch==2.14.1 torchvision==0.29.1)
MMCV_VERSION=2.1.0

WITH_TESTS=0
for arg in "$@"; do
  case $arg in
    --tests) WITH_TESTS=1 ;;
    *) echo "install.sh: unknown argument '$arg' (expected --tests)" >&2; exit 2 ;;
  esac
done

log() { echo "[install] $*"; }
pip_q() { "$PY" -m pip install -q --disable-pip-version-check "$@"; }

if [ ! -x "$PY" ]; then
  log "creating $VENV"
  python3 -m venv "$VENV"
fi

# ---- fast path: nothing changed since the last successful run ---------------------------
stamp_file=$VENV/.rsbnet_mm_stamp
stamp=$(cat "$ROOT"/requirements/*.txt "$ROOT"/setup.py "$0" | sha256sum | cut -d' ' -f1)-tests$WITH_TESTS
imports="import torch, torchvision, mmcv, mmcv._ext, mmengine, mmpretrain, mmseg, mmdet, rsbnet_mm"
[ $WITH_TESTS = 1 ] && imports="$imports, pytest"
if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ] && "$PY" -c "$imports" 2>/dev/null; then
  log "environment up to date ($VENV)"
  exit 0
fi
# a --tests stamp also covers the runtime install
if [ $WITH_TESTS = 0 ] && [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "${stamp%-tests0}-tests1" ] \
   && "$PY" -c "$imports" 2>/dev/null; then
  log "environment up to date ($VENV)"
  exit 0
fi

# ---- torch -------------------------------------------------------------------------------
if ! "$PY" -c "import torch" 2>/dev/null; then
  log "installing ${TORCH_PIN[*]} (no torch in the venv)"
  pip_q "${TORCH_PIN[@]}"
elif ! "$PY" -c "import torchvision" 2>/dev/null; then
  log "torch $("$PY" -c 'import torch; print(torch.__version__)') is present but torchvision is not:" \
      "install the torchvision that matches it into $VENV (mmpretrain's metrics need it)" >&2
  exit 1
fi
TORCH_VER=$("$PY" -c "import torch; print(torch.__version__)")
PY_TAG=$("$PY" -c "import sys; print(f'py{sys.version_info[0]}{sys.version_info[1]}')")
# mmcv builds its CUDA ops with FORCE_CUDA=1 or when torch sees a GPU
if [ "${FORCE_CUDA:-0}" = 1 ] || "$PY" -c "import torch, sys; sys.exit(not torch.cuda.is_available())" 2>/dev/null; then
  FLAVOUR=cuda
else
  FLAVOUR=cpu
fi
log "torch $TORCH_VER ($PY_TAG)"

# ---- build tools -------------------------------------------------------------------------
pip_q -r "$ROOT/requirements/build.txt"

# ---- mmcv with ops, keyed by torch version --------------------------------------------------
marker=$VENV/.mmcv_built_for
want="mmcv-$MMCV_VERSION torch-$TORCH_VER $PY_TAG $FLAVOUR"
mmcv_ok() {
  [ -f "$marker" ] && [ "$(cat "$marker")" = "$want" ] && \
    "$PY" -c "import mmcv, mmcv._ext; assert mmcv.__version__ == '$MMCV_VERSION'" 2>/dev/null
}
if ! mmcv_ok; then
  wheel_dir=$CACHE/mmcv-$MMCV_VERSION/torch-$TORCH_VER-$PY_TAG-$FLAVOUR
  if ! ls "$wheel_dir"/mmcv-*.whl >/dev/null 2>&1; then
    log "compiling mmcv $MMCV_VERSION with ops against torch $TORCH_VER (once; ~35 min on 2 cores)"
    src=$(mktemp -d)
    "$PY" -m pip download -q --no-deps --no-binary :all: "mmcv==$MMCV_VERSION" -d "$src"
    tar -xzf "$src"/mmcv-$MMCV_VERSION.tar.gz -C "$src"
    inc=$("$PY" -c "import torch.utils.cpp_extension as c; print(c.include_paths()[0])")
    if grep -rqs "C++20 or later" "$inc/c10/macros" "$inc/ATen" 2>/dev/null; then
      # torch >= 2.10 headers need C++20; mmcv 2.1.0's setup.py forces c++14/17
      log "torch headers need C++20: patching mmcv's setup.py"
      sed -i -e 's/-std=c++17/-std=c++20/g' -e 's/-std=c++14/-std=c++20/g' "$src/mmcv-$MMCV_VERSION/setup.py"
    fi
    mkdir -p "$wheel_dir.tmp"
    MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} \
      "$PY" -m pip wheel --no-build-isolation --no-deps --no-cache-dir -w "$wheel_dir.tmp" "$src/mmcv-$MMCV_VERSION"
    rm -rf "$wheel_dir" && mv "$wheel_dir.tmp" "$wheel_dir"
    rm -rf "$src"
  else
    log "using cached mmcv wheel from $wheel_dir"
  fi
  pip_q --force-reinstall --no-deps "$wheel_dir"/mmcv-*.whl
  echo "$want" > "$marker"
fi

# ---- the rest, and the package itself ---------------------------------------------------
reqs=(-r "$ROOT/requirements/runtime.txt")
[ $WITH_TESTS = 1 ] && reqs+=(-r "$ROOT/requirements/tests.txt")
log "installing requirements and rsbnet_mm (editable)"
# mmcv's own dependencies (addict, yapf, opencv) come with it from the index
pip_q "mmcv==$MMCV_VERSION" "${reqs[@]}" --find-links "$CACHE/mmcv-$MMCV_VERSION/torch-$TORCH_VER-$PY_TAG-$FLAVOUR"
pip_q --no-deps --no-build-isolation -e "$ROOT"

"$PY" -c "$imports"
echo "$stamp" > "$stamp_file"
log "done: $VENV"
