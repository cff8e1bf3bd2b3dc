from cchc_xlsx.cli import main

main()
