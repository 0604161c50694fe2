"""The site's own date formats, beside Django's for each language (``FORMAT_MODULE_PATH``): only
names Django does not have, so every Django format stays as it is."""
