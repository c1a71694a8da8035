"""What the tools share: arguments, config loading, runner building."""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction


def add_common_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, key=value (e.g. '
        'train_dataloader.batch_size=32)')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher (pytorch: torchrun)')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def parse_common(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Parse; export LOCAL_RANK for launchers that pass --local_rank."""
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def load_config(args) -> Config:
    """Read the config, merge --cfg-options, set launcher and work_dir."""
    if not osp.isfile(args.config):
        raise FileNotFoundError(f'config file not found: {args.config}')
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    return cfg


def is_supernet_cfg(cfg: Config) -> bool:
    """Whether the config's model holds an ``RSBNetSuperNet``."""
    return 'RSBNetSuperNet' in str(cfg.get('model', ''))


def prepare_runner_cfg(cfg: Config):
    """Import the plugin, add its safe-checkpoint hook, build the runner.

    The plugin is imported whatever the config's ``default_scope``
    (``rsbnet_mm.*`` types and the weights-only checkpoint loader).
    """
    import rsbnet_mm  # noqa: F401  registers modules, safe loading
    import torch
    from mmengine.registry import RUNNERS
    from mmengine.runner import Runner

    if is_supernet_cfg(cfg):
        # each step trains some paths only: DDP must expect unused params
        cfg.setdefault('find_unused_parameters', True)
    if cfg.get('launcher', 'none') != 'none' and \
            not torch.cuda.is_available():
        _cpu_distributed(cfg)

    hooks = list(cfg.get('custom_hooks', None) or [])
    if not any('SafeCheckpointHook' in str(h.get('type', '')) for h in hooks):
        hooks.append(dict(type='rsbnet_mm.SafeCheckpointHook'))
    cfg.custom_hooks = hooks
    if 'runner_type' not in cfg:
        return Runner.from_cfg(cfg)
    return RUNNERS.build(cfg)


def close_distributed() -> None:
    """Leave the process group cleanly at the end of a tool.

    Without it a rank can exit while gloo's worker threads of another
    still run, which aborts that rank ("terminate called without an active
    exception", exit -6) after the work itself has finished.
    """
    import torch.distributed as dist
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def _cpu_distributed(cfg: Config) -> None:
    """MMEngine's launch on CPU (gloo): its init and its DDP wrapper assume
    CUDA devices (``torch.cuda.set_device``, ``device_ids``)."""
    import torch.distributed as dist
    if cfg.launcher == 'pytorch' and not dist.is_initialized():
        dist.init_process_group(backend='gloo')
    wrapper = cfg.get('model_wrapper_cfg', None) or dict(
        type='MMDistributedDataParallel',
        broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
