"""A tiny xarray-like Score: ``sel(layer=..., aggregation=...)``, ``score['layer'].values``, ``dims``, ``attrs``."""


class _Coord:
    def __init__(self, values):
        self.values = list(values)


class _Scalar:
    def __init__(self, value):
        self.values = value

    def __float__(self):
        return float(self.values)


class Score:
    AGGREGATIONS = ("center", "error")

    def __init__(self, layers, values, dims=("layer", "aggregation")):
        self.dims = dims
        self.attrs = {}
        self._layers = list(layers)
        self._values = [tuple(v) for v in values]

    def __getitem__(self, dim):
        if dim == "layer":
            return _Coord(self._layers)
        if dim == "aggregation":
            return _Coord(self.AGGREGATIONS)
        raise KeyError(dim)

    def sel(self, layer=None, aggregation=None):
        if layer is None or aggregation is None:
            raise NotImplementedError("the stand-in only selects single values")
        return _Scalar(self._values[self._layers.index(layer)][self.AGGREGATIONS.index(aggregation)])


class Ceiling:
    """The aggregate ceiling of a benchmark (aggregation: center, error_low, error_high)."""

    dims = ("aggregation",)

    def __init__(self, center):
        self._center = center
        self.attrs = {}

    def __getitem__(self, dim):
        if dim == "aggregation":
            return _Coord(["center", "error_low", "error_high"])
        raise KeyError(dim)

    def sel(self, aggregation):
        return _Scalar({"center": self._center, "error_low": 0.01, "error_high": 0.02}[aggregation])
