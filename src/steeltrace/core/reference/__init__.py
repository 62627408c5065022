"""Reference data: pure lookups over packaged, public code lists and tables.

No network, no clock; each data file is read on first use and cached. The files are rebuilt
from public sources by ``scripts/build_reference.py`` and their sources are named in
``SOURCES.md`` beside this file.

Modules
-------
- :mod:`.countries`  ISO 3166-1 alpha-2: ``is_country``, ``country_name``
- :mod:`.currencies` ISO 4217: ``is_currency``, ``minor_units``
- :mod:`.hs`         HS 2022: ``hs_entry``, ``is_hs_code``, ``heading``, ``is_steel_code``,
  ``category``, ``chemistry_class_of_code``, ``form``
- :mod:`.chemistry`  HS chapter 72 Note 1 chemistry classes: ``classify``
- :mod:`.locode`     UN/LOCODE: ``is_locode``, ``is_port``, ``locode_country``, ``locode_name``
- :mod:`.grades`     steel grade limits as data: ``grade``, ``check_results``
"""
