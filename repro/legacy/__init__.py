"""Legacy engine: runs inside the Python 3.8 image next to the original neural-nlp code.

It registers Hugging Face causal LMs into neural-nlp's model pool (``model_pool`` / ``model_layers`` of
``neural_nlp.models.implementations``) without editing neural-nlp, calls ``neural_nlp.score`` and converts the
legacy Score into the ``repro.result/1`` JSON. This package must parse and run on Python 3.8 and may only
import ``repro.legacy.*`` from repro (the rest of repro needs Python >= 3.10).
"""

SCHEMA = "repro.result/1"
SUITE = "neural-nlp-legacy"
