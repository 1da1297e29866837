"""Row-aligned comparison of captured activations with an activation golden (atol 1e-5, README §9)."""

import numpy as np


def assert_close_to_golden(ours, golden_npz, layers, atol=1e-5):
    index = {sid: i for i, sid in enumerate(ours["stimulus_id"].tolist())}
    rows = [index[sid] for sid in golden_npz["stimulus_id"].tolist()]
    assert len(rows) == len(golden_npz["stimulus_id"])
    worst = {}
    for layer in layers:
        diff = np.abs(ours[layer][rows].astype(np.float64) - golden_npz[layer].astype(np.float64))
        worst[layer] = float(diff.max())
    assert all(v <= atol for v in worst.values()), worst
    return worst
