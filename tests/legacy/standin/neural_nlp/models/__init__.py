from neural_nlp.models.implementations import model_layers, model_pool  # noqa: F401  (same dict objects)
