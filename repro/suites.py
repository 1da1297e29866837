"""The two suites' names, as every result labels its numbers."""

SUITE_LEGACY = "neural-nlp-legacy"
SUITE_BSL = "brainscore-language-2.3"
