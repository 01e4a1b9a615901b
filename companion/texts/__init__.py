"""Texts: content packs by key, gettext catalogs, plain-language and safety checks of what patients
read.
"""
