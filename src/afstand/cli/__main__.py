from afstand.cli import run

run()
