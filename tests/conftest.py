"""Suite-wide settings.

Property tests run derandomized: the same examples on every run, so a green suite stays green
on CI (a seed in, identical results out). Explore new examples locally with
``pytest --hypothesis-profile=explore``.
"""

from hypothesis import settings

settings.register_profile("nqp", derandomize=True, deadline=None, database=None)
settings.register_profile("explore", derandomize=False, deadline=None)
settings.load_profile("nqp")
