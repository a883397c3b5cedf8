"""credstack's own date formats (``FORMAT_MODULE_PATH``), where they differ from Django's locale formats."""
