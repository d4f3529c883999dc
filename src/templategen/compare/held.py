"""What a comparison workbook holds: the figures of its summary line (compare.workbook) and
of the library's result (templategen.compare), the same for both layouts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Held:
    instruments: int  # instruments with compared files
    respondents: int  # compared respondents
    files: int  # stored files, listed on the provenance sheet
    leaders: tuple[str, ...] = ()  # per instrument with a main rule: its best subject

    def __str__(self) -> str:
        return (f"{self.instruments} instrument(s), {self.respondents} respondent(s), "
                f"{self.files} stored file(s)" + "".join(f"; {line}" for line in self.leaders))
