"""``python -m cchc_xlsx`` (``py -m cchc_xlsx`` on Windows): the ``cchc-xlsx`` command."""

from cchc_xlsx.cli import main

main(prog_name="cchc-xlsx")
