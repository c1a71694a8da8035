# The paper's random-search baseline (SPEC §6): 50 random architectures a
# generation, the same budget and evaluation as the evolutionary search.
_base_ = ['./search_ucmerced.py']
train_cfg = dict(strategy='random')
