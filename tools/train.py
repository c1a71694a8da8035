"""Train with any config: ours, or an upstream mmpretrain / mmseg / mmdet one.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
        [--cfg-options k=v ...] [--launcher {none,pytorch,slurm,mpi}]

Distributed: ``tools/dist_train.sh CONFIG GPUS`` (torchrun).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from _common import (add_common_args, close_distributed,  # noqa
                     load_config, parse_common, prepare_runner_cfg)


def parse_args():
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from the latest checkpoint in the work dir, or from the '
        'given checkpoint')
    parser.add_argument(
        '--amp', action='store_true', help='automatic mixed precision')
    parser.add_argument(
        '--auto-scale-lr', action='store_true',
        help='scale the learning rate to the actual batch size')
    add_common_args(parser)
    return parse_common(parser)


def main():
    args = parse_args()
    cfg = load_config(args)
    if args.amp:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.resume == 'auto':
        from mmengine.runner import find_latest_checkpoint
        if find_latest_checkpoint(cfg.work_dir):
            cfg.resume = True
            cfg.load_from = None
        else:  # nothing to resume: start as configured (keep load_from)
            print(f'--resume: no checkpoint in {cfg.work_dir}, starting '
                  f'from load_from={cfg.get("load_from")}')
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    if args.auto_scale_lr:
        cfg.setdefault('auto_scale_lr', {})['enable'] = True
    runner = prepare_runner_cfg(cfg)
    runner.train()
    close_distributed()


if __name__ == '__main__':
    main()
