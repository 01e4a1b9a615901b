"""Many patients on one server: a practice's accounts, access, views and operations (issue 15).

Above the journey, the store and the reports, below the drivers (the served app and the
command line ``companion practice``):

- :mod:`.access`: redeeming an invite or login code for a browser session, ``Principal``;
- :mod:`.accounts`: professionals, invited patients (pseudonyms), sharing, who may see whom;
- :mod:`.roster`: a professional's patients at a glance;
- :mod:`.homework`, :mod:`.notes`, :mod:`.viewing`: a professional's changes and views;
- :mod:`.audit`: every view and change, exportable;
- :mod:`.retention`, :mod:`.health`: operations;
- :mod:`.codes`: the random codes and tokens, and the hashes that are all the database keeps.

Every function takes the store URL (``postgresql://...``) and keeps nothing between calls.
"""

from companion.practice.access import Principal, Refused, TooManyAttempts

__all__ = ["Principal", "Refused", "TooManyAttempts"]
