"""Moved to templategen.office.libreoffice (build --pdf needs it below the build layer);
this name stays so code written against the old place keeps working."""

from templategen.office.libreoffice import (  # noqa: F401
    FILTERS,
    LibreOfficeError,
    convert,
    convert_many,
    resave,
    soffice,
)
