from clausewatch.cli import run

run()
