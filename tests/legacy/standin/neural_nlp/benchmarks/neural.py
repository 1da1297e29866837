"""Stand-in for neural_nlp/benchmarks/neural.py: the two stimulus drivers repro.legacy's adapters wrap."""


def listen_to(candidate, stimulus_set, reset_column="story", average_sentence=True):
    return candidate(stimuli=stimulus_set, average_sentence=average_sentence)


def read_words(candidate, stimulus_set, reset_column="sentence_id", copy_columns=(), average_sentence=False):
    return candidate(stimuli=stimulus_set, average_sentence=average_sentence)
