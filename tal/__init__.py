"""TAL — test and learn: the experiment register and learning journal of a collectivité."""

__version__ = "0.1.0"
