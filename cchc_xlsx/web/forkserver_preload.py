"""Imported by the portal's forkserver process when it starts (``set_forkserver_preload``):
the forkserver then dies with the server even on ``kill -9``, and its pool workers, which
ask the same of it, die with it (``cchc_xlsx.lifeline``). Importing this module anywhere
else would tie that process to its parent, so nothing else imports it."""

from cchc_xlsx.lifeline import die_with_parent

die_with_parent()
