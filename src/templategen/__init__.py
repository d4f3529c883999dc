"""templategen: guidance documents -> fillable forms and workbooks -> one comparison."""

__version__ = "0.1.0"
