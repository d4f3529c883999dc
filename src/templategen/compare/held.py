"""What a comparison workbook holds: the figures of its summary line (compare.workbook) and
of the library's result (templategen.compare), the same for both layouts."""

from __future__ import annotations

from dataclasses import dataclass

from templategen.i18n import ngettext


@dataclass(frozen=True)
class Held:
    instruments: int  # instruments with compared files
    respondents: int  # compared respondents
    files: int  # stored files, listed on the provenance sheet
    leaders: tuple[str, ...] = ()  # per instrument with a main rule: its best subject

    def __str__(self) -> str:
        counts = (ngettext("{n} instrument", "{n} instruments", self.instruments),
                  ngettext("{n} respondent", "{n} respondents", self.respondents),
                  ngettext("{n} stored file", "{n} stored files", self.files))
        return ", ".join(c.format(n=n) for c, n in zip(
            counts, (self.instruments, self.respondents, self.files), strict=True)) + "".join(
            f"; {line}" for line in self.leaders)
