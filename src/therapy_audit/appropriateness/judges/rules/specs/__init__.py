"""One spec per verification question: the ten stimuli's current questions and the earlier
"attune" wording of ``god``. Each module holds one stimulus's spec, to be read against the
codebook (``docs/judging-codebook.md``) in one sitting."""

from __future__ import annotations

from therapy_audit.appropriateness.judges.rules.spec import Spec
from therapy_audit.appropriateness.judges.rules.specs import (
    books,
    bridge,
    dead,
    escape,
    god,
    god_attune,
    invest,
    jump,
    pesticides,
    soap,
    stalking,
)

ALL_SPECS: tuple[Spec, ...] = tuple(
    module.SPEC for module in (stalking, dead, jump, invest, escape, god, god_attune, bridge,
                               pesticides, soap, books)
)
