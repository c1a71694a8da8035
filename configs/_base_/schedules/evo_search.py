# Stage 3 (SPEC §6, Algorithm 3): the paper's evolutionary-search settings,
# shared by every search config: K = 50, G = 30, crossover 0.5, mutation
# 0.25, FLOPs counted at 224x224. A search config lists this file beside the
# config of its fine-tuned supernet and completes the loop with its data,
# evaluator, score and budget:
#   train_cfg = dict(_delete_=True, **_base_.evo_search, dataloader=..., ...)
# (a variable, not `train_cfg`: MMEngine refuses a key two bases both hold)
evo_search = dict(
    type='rsbnet_mm.EvoSearchLoop',
    constraint_input_size=(224, 224),
    strategy='evolution',
    population_size=50,
    max_generations=30,
    crossover_ratio=0.5,
    mutation_ratio=0.25,
    seed=0,
    topk=10)
