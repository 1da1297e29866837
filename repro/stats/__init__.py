"""Uncertainty and model comparison on top of the suites' point scores (not part of either original suite).

bootstrap: percentile intervals from resampling the held-out stimuli of each fold (no refits);
aggregate: the suites' aggregations over neuroids/subjects, vectorised over bootstrap replicates;
nested: a layer choice made on other folds than the one it is scored on; compare: paired tests.
"""
