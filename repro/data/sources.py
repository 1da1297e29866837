"""Remote locations, file names and known checksums of the two suites' data."""

from __future__ import annotations

import os

LEGACY_BASE_URL = "https://brainio-language.s3.amazonaws.com"
BSL_BASE_URL = "https://brainscore-storage.s3.amazonaws.com/brainscore-language"
LEGACY_URL_ENV = "REPRO_LEGACY_URL"
BSL_URL_ENV = "REPRO_BSL_URL"

# Brain-Score Language's registered sha1s (BSL spec §2.1). The legacy bucket has none: those files get
# their sha1 recorded in the cache's ledger at first download or first sight.
BSL_KNOWN_SHA1: dict[str, str] = {
    "assy_Pereira2018_language.nc": "f8434b4022f5b2c862f0ff2854d5b3f5f2a7fb96",
    "assy_Pereira2018_auditory.nc": "08e576bd3b8caf64850bb879abf07ae228ff1f5f",
    "assy_Blank2014_fROI.nc": "af1e868821b897cb1684e4c8dcd33977121ef552",
    "assy_Fedorenko2016_language.nc": "2966b6d78e972a72068aa6907377483f427e8d9a",
    "assy_Tuckute2024_language.nc": "5c8fc7f3e24cc1af5f5296459377b638b6492641",
    "assy_Futrell2018.nc": "381ccc8038fbdb31235b5f3e1d350f359b5e287f",
    "ceiling_Pereira2018_243sentences-linear.nc": "5e23de899883828f9c886aec304bc5aa0f58f66c",
    "ceiling_raw_Pereira2018_243sentences-linear.nc": "525a6ac8c14ad826c63fdd71faeefb8ba542d5ac",
    "ceiling_raw_raw_Pereira2018_243sentences-linear.nc": "34ba453dc7e8a19aed18cc9bca160e97b4a80be5",
    "ceiling_Pereira2018_384sentences-linear.nc": "fc895adc52fd79cea3040961d65d8f736a9d3e29",
    "ceiling_raw_Pereira2018_384sentences-linear.nc": "ce2044a7713426870a44131a99bfc63d8843dae0",
    "ceiling_raw_raw_Pereira2018_384sentences-linear.nc": "fe9fb24b34fd5602e18e34006ac5ccc7d4c825b8",
    "ceiling_Pereira2018_243sentences-ridge.nc": "ba4c077bf0a9e1c46a9582790221c48113e0c5cf",
    "ceiling_raw_Pereira2018_243sentences-ridge.nc": "aad71036f0aa2eac14d1e665fc9e9a955c5d4259",
    "ceiling_raw_raw_Pereira2018_243sentences-ridge.nc": "b18cd06fd8b8d077bb884ebf0f3624e5283d49f3",
    "ceiling_Pereira2018_384sentences-ridge.nc": "167005f57c3f2826a9e6a24ba36d96640fcbf3df",
    "ceiling_raw_Pereira2018_384sentences-ridge.nc": "d7cae647a0c26c73c4f7f000eaebba65b3805dfb",
    "ceiling_raw_raw_Pereira2018_384sentences-ridge.nc": "8b8017a2d685b88546f089bfd23686a5181d6af7",
}

# benchmark data key -> top-level bucket keys (`<key>.nc`); nested files are found in their attributes
LEGACY_KEYS: dict[str, list[str]] = {
    "Pereira2018": ["Pereira2018", "Pereira2018-encoding-ceiling"],
    "Blank2014fROI": ["Blank2014fROI", "Blank2014fROI-encoding-ceiling"],
    "Fedorenko2016v3": ["Fedorenko2016v3", "Fedorenko2016v3-encoding-ceiling"],
}


def legacy_base_url() -> str:
    """$REPRO_LEGACY_URL or the public neural-nlp bucket (read at call time so tests can point it elsewhere)."""
    return (os.environ.get(LEGACY_URL_ENV, "").strip() or LEGACY_BASE_URL).rstrip("/")


def bsl_base_url() -> str:
    """$REPRO_BSL_URL or Brain-Score's storage prefix."""
    return (os.environ.get(BSL_URL_ENV, "").strip() or BSL_BASE_URL).rstrip("/")


def bsl_assembly_filename(data_id: str) -> str:
    """``Pereira2018.language`` -> ``assy_Pereira2018_language.nc`` (BSL's own naming)."""
    return f"assy_{data_id.replace('.', '_')}.nc"


def bsl_ceiling_filenames(ceiling_id: str) -> list[str]:
    """Top-level, raw and raw_raw file of a stored ceiling, e.g. for ``Pereira2018.243sentences-linear``."""
    stem = ceiling_id.replace(".", "_")
    return [f"ceiling_{stem}.nc", f"ceiling_raw_{stem}.nc", f"ceiling_raw_raw_{stem}.nc"]
