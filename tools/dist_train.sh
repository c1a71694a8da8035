#!/usr/bin/env bash
# Distributed training through torchrun (MMEngine's DDP):
#   bash tools/dist_train.sh CONFIG GPUS [train.py args...]
# Multi-node: NNODES, NODE_RANK, MASTER_ADDR, PORT as for torchrun.
CONFIG=$1
GPUS=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
DIR=$(cd "$(dirname "$0")" && pwd)
# the project's venv unless PYTHON says otherwise
PYTHON=${PYTHON:-$( [ -x "$DIR/../.venv/bin/python" ] && echo "$DIR/../.venv/bin/python" || echo python )}
PYTHONPATH="$DIR/..":$PYTHONPATH \
$PYTHON -m torch.distributed.run \
    --nnodes=$NNODES --node_rank=$NODE_RANK --master_addr=$MASTER_ADDR \
    --nproc_per_node=$GPUS --master_port=$PORT \
    "$DIR/train.py" $CONFIG --launcher pytorch ${@:3}
