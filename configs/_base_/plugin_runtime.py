# What the rsbnet_mm land-cover and detection configs add to mmseg's /
# mmdet's own default_runtime.py (whose default_scope they keep).
custom_imports = dict(imports=['rsbnet_mm'], allow_failed_imports=False)
# checkpoints that load with weights_only=True (tools/train.py adds it too)
custom_hooks = [dict(type='rsbnet_mm.SafeCheckpointHook')]
# every sandwich pass trains one path only: DDP must expect unused params
find_unused_parameters = True
randomness = dict(seed=0, deterministic=False)
