from dsm5check.cli import run

run()
