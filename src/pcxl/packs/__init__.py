"""Results packs: a short branded PDF for each service that returned, after consolidation.

Example::

    from pcxl.packs import write_packs

    result = write_packs(consolidated.figures, "output/2025-Q1/packs")

See :mod:`pcxl.packs.figures` for how every figure is computed.
"""

from pcxl.packs.document import write_pack
from pcxl.packs.figures import MIN_GROUP, ServicePack, Spread, compute_packs
from pcxl.packs.write import (
    PacksResult,
    pack_filename,
    packs_for_round,
    previous_round,
    write_packs,
)

__all__ = [
    "MIN_GROUP",
    "PacksResult",
    "ServicePack",
    "Spread",
    "compute_packs",
    "pack_filename",
    "packs_for_round",
    "previous_round",
    "write_pack",
    "write_packs",
]
