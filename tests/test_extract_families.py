"""Every tokenizer family the legacy pool and Brain-Score Language take, against what the ORIGINAL wrappers return.

../shared/golden/families/: tiny BERT (WordPiece), GPT-NeoX (GPT-2 BPE), Llama (SmolLM2 BPE) and Gemma
(SentencePiece) models, with the activations of neural-nlp's ``_PytorchTransformerWrapper`` (legacy, stimuli
stripped) and brainscore-language 2.3.0's ``HuggingfaceSubject``. The native engine extracts the same rows
through ``repro.extract``; layers are compared by name (legacy labels follow the original pool's names).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from golden_view import GOLDEN

import repro

FAMILIES = GOLDEN / "families"
ATOL = 1e-5  # float32 kernels of two torch builds differ at ~1e-7..2e-6
LEGACY = {"pereira2018": "Pereira2018-encoding", "blank2014": "Blank2014fROI-encoding",
          "fedorenko2016": "Fedorenko2016v3-encoding"}
BSL = {"pereira2018_243sentences": "Pereira2018.243sentences-linear-shuffle",
       "pereira2018_384sentences": "Pereira2018.384sentences-linear-shuffle",
       "blank2014": "Blank2014-linear-shuffle", "fedorenko2016": "Fedorenko2016-linear-shuffle"}
CASES = ([("legacy", fam, data) for fam in ("tiny-bert", "tiny-neox", "tiny-llama-smol", "tiny-gemma-sp")
          for data in LEGACY]
         + [("bsl", fam, data) for fam in ("tiny-neox", "tiny-llama-smol", "tiny-gemma-sp") for data in BSL])


def _golden(mode, family, data):
    with np.load(FAMILIES / "activations" / f"{mode}_{family}_{data}.npz") as z:
        return {k: z[k] for k in z.files}


def _layers(mode, family) -> list[str]:
    info = json.loads((FAMILIES / "activations" / f"{mode}_{family}_info.json").read_text())
    return list(info["construction"]["layers"] if mode == "legacy" else info["info"]["modules"])


@pytest.mark.slow
@pytest.mark.parametrize(("mode", "family", "data"), CASES, ids=["-".join(c) for c in CASES])
def test_family_matches_original_wrapper(tmp_path, mode, family, data):
    benchmark = (LEGACY if mode == "legacy" else BSL)[data]
    data_dir = GOLDEN / ("legacy/s3" if mode == "legacy" else "modern/data")
    acts = repro.extract(benchmark, model=str(FAMILIES / "models" / family), data_dir=str(data_dir),
                         cache_dir=str(tmp_path / "cache"), offline=True, quiet=True)
    gold = _golden(mode, family, data)
    names = _layers(mode, family)
    assert acts.layer_names == names
    pos = {str(s): i for i, s in enumerate(acts.stimulus_id.tolist())}
    assert sorted(pos) == sorted(map(str, gold["stimulus_id"].tolist()))
    order = [pos[str(s)] for s in gold["stimulus_id"].tolist()]
    for name in names:
        np.testing.assert_allclose(acts.layers[name][order], gold[name], rtol=0, atol=ATOL, err_msg=name)
    if "context_tokens" in gold and acts.context_tokens is not None:
        np.testing.assert_array_equal(acts.context_tokens[order], gold["context_tokens"])
